// Export job page: poll the job's progress (its own address, as JSON) every second until the file is ready or
// the export failed, and show the rows written, the bar and then the download link. Labels come from the page.
import { pollJob } from "./job-poll.js";

const box = document.getElementById("export-job");
const finished = (state) => state === "done" || state === "failed";

if (box && !finished(box.getAttribute("data-status"))) {
  const part = (name) => document.getElementById(`export-${name}`);
  const [labels, bar, rows, status] = [part("labels"), part("progress"), part("rows"), part("status")];
  const [download, failure, detail, offline] = [part("download"), part("error"), part("error-detail"), part("offline")];
  const number = new Intl.NumberFormat(document.documentElement.lang === "vi" ? "vi-VN" : "en-US");
  const count = (value) => (value === null || value === undefined ? "–" : number.format(value));

  const show = (job) => {
    box.setAttribute("data-status", job.status);
    status.textContent = labels.getAttribute(`data-${job.status}`) || job.status;
    if (job.rows_total === null) {
      bar.removeAttribute("value"); // not counted yet: an indeterminate bar
    } else {
      bar.max = Math.max(job.rows_total, 1);
      bar.value = job.status === "done" ? bar.max : Math.min(job.rows_done, bar.max);
    }
    rows.textContent = labels.getAttribute("data-rows")
      .replace("%(done)s", count(job.rows_done)).replace("%(total)s", count(job.rows_total));
    download.hidden = job.status !== "done";
    failure.hidden = job.status !== "failed";
    detail.textContent = job.error || "";
  };

  pollJob(box.getAttribute("data-poll"), {
    onJob: (job) => { show(job); return !finished(job.status); },
    onOffline: (down) => { offline.hidden = !down; },
  });
}
