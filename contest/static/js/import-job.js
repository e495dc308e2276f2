// Import job page: while the file is being checked or imported, poll the job (its own address, as JSON) every
// second; once it waits no more, reload the page, which the server renders with the report.
import { pollJob } from "./job-poll.js";

const box = document.getElementById("import-job");

if (box && box.hasAttribute("data-waiting")) {
  const offline = document.getElementById("import-offline");
  pollJob(box.getAttribute("data-poll"), {
    onJob: (job) => {
      if (!job.waiting) window.location.reload();
      return job.waiting;
    },
    onOffline: (down) => { if (offline) offline.hidden = !down; },
  });
}
