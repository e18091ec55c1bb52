// Marks the page as JavaScript-enabled (what GOV.UK Frontend's inline snippet does,
// kept in a file so the Content-Security-Policy can forbid inline script), then
// starts the GOV.UK Frontend components.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
}
initAll();
