// Marks the page as scripted before it is painted, so NHS.UK frontend's JavaScript-only styles
// (the header's "More" menu, conditional reveals) apply without a flash of the plain layout.
// This is the template's inline snippet as a file, because the Content Security Policy forbids
// inline scripts. "noModule" tells us whether the module script app.js will run at all.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
