// Import job page: while the file is being checked or imported, poll the job (its own address, as JSON) every
// second; once it waits no more, reload the page, which the server renders with the report.
(function () {
  "use strict";
  var box = document.getElementById("import-job");
  if (!box || !box.hasAttribute("data-waiting")) return;
  var url = box.getAttribute("data-poll");
  var offline = document.getElementById("import-offline");

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}, cache: "no-store"})
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (job) {
        if (offline) offline.hidden = true;
        if (job.waiting) setTimeout(poll, 1000);
        else window.location.reload();
      })
      .catch(function () {
        if (offline) offline.hidden = false;
        setTimeout(poll, 2000);
      });
  }

  setTimeout(poll, 1000);
})();
