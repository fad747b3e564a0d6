// Starts the NHS.UK frontend components (header menu, error summary focus, password toggles,
// radios and checkboxes with conditional content, ...). Loaded as a module at the end of <body>,
// so it runs only in browsers that NHS.UK frontend 10 supports.
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

initAll();
