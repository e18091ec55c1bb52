// Marks the page as JavaScript-enabled (what GOV.UK Frontend's inline snippet does,
// kept in a file so the Content-Security-Policy can forbid inline script), then
// starts the GOV.UK Frontend components.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
}
initAll();

// A job's page (templates/jobs/show.html): poll its JSON and update the progress bar and
// the aria-live status line in place. Without JavaScript the "Check progress" button
// reloads the page; nothing here refreshes the page by itself.
const POLL_FIRST_MS = 1000;
const POLL_MAX_MS = 5000;

function showJob(root, job) {
  const bar = root.querySelector("#job-progress");
  if (bar) {
    bar.max = job.total || 1;
    if (job.total) {
      bar.value = job.done;
    } else {
      bar.removeAttribute("value");
    }
    bar.textContent = `${job.done} of ${job.total}`;
  }
  const line = root.querySelector("[data-job-status-line]");
  if (line && line.textContent !== job.status_line) line.textContent = job.status_line;
  root.dataset.jobStatus = job.status;
}

async function showOutcome(root) {
  // The page itself renders the outcome (success banner with its link, or what went wrong).
  const response = await fetch(window.location.href, { credentials: "same-origin" });
  if (!response.ok) return;
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const outcome = page.querySelector("[data-job-outcome]");
  const here = root.querySelector("[data-job-outcome]");
  if (outcome && here) here.replaceChildren(...outcome.childNodes);
  for (const element of root.querySelectorAll("[data-job-running], [data-job-check]")) {
    element.hidden = true;
  }
}

function followJob(root) {
  let delay = POLL_FIRST_MS;
  const poll = async () => {
    let job;
    try {
      const response = await fetch(root.dataset.jobUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return; // signed out or gone: the button still works
      job = await response.json();
    } catch {
      window.setTimeout(poll, POLL_MAX_MS); // offline for a moment: try again later
      return;
    }
    showJob(root, job);
    if (job.finished) {
      await showOutcome(root);
      return;
    }
    delay = Math.min(delay * 1.5, POLL_MAX_MS);
    window.setTimeout(poll, delay);
  };
  window.setTimeout(poll, POLL_FIRST_MS);
}

const jobRoot = document.querySelector("#job[data-job-url]");
if (jobRoot && ["queued", "running"].includes(jobRoot.dataset.jobStatus)) followJob(jobRoot);
