// Export job page: poll the job's progress (its own address, as JSON) every second until the file is ready or
// the export failed, and show the rows written, the bar and then the download link. Labels come from the page.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box) return;
  var url = box.getAttribute("data-poll");
  var labels = document.getElementById("export-labels");
  var bar = document.getElementById("export-progress");
  var rows = document.getElementById("export-rows");
  var status = document.getElementById("export-status");
  var download = document.getElementById("export-download");
  var failure = document.getElementById("export-error");
  var detail = document.getElementById("export-error-detail");
  var offline = document.getElementById("export-offline");
  var number = new Intl.NumberFormat(document.documentElement.lang === "vi" ? "vi-VN" : "en-US");

  function count(value) {
    return value === null || value === undefined ? "–" : number.format(value);
  }

  function finished(state) {
    return state === "done" || state === "failed";
  }

  function show(job) {
    box.setAttribute("data-status", job.status);
    status.textContent = labels.getAttribute("data-" + job.status) || job.status;
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
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}, cache: "no-store"})
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (job) {
        offline.hidden = true;
        show(job);
        if (!finished(job.status)) setTimeout(poll, 1000);
      })
      .catch(function () {
        offline.hidden = false;
        setTimeout(poll, 2000);
      });
  }

  if (!finished(box.getAttribute("data-status"))) setTimeout(poll, 1000);
})();
