// While a matching round runs, ask the server every few seconds whether it is done and, when it
// is, say so in the page's live region with a link to the proposals. The page is never reloaded
// under the reader (WCAG 2.2.1): without JavaScript, the "Refresh the page" link does the same.
const region = document.querySelector("[data-round-progress]");
if (region) {
  const url = region.dataset.roundProgress;
  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      if (!page.querySelector("[data-round-progress]")) {
        const message = region.querySelector("[data-round-status]");
        message.textContent = "Matching has finished. ";
        const link = document.createElement("a");
        link.href = url;
        link.textContent = "Show the proposals";
        message.append(link);
        return;
      }
    } catch (error) {
      // A network hiccup: try again at the next tick.
    }
    window.setTimeout(poll, 3000);
  };
  window.setTimeout(poll, 3000);
}
