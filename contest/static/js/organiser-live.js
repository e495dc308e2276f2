// Organiser live view: poll the round's live.json every 2 s and update the figures in place.
// Polling (not a Socket.IO namespace): a few organisers, one cheap cached request each, through any proxy.
(function () {
  "use strict";
  var box = document.querySelector("[data-live]");
  if (!box) return;
  var url = box.getAttribute("data-live");
  var updated = document.querySelector("[data-updated]");
  var offline = document.querySelector("[data-live-offline]");
  var every = 2000;
  // Numbers as the page's language writes them (Vietnamese: 1,7%, 2,5), like the server-rendered figures.
  var lang = document.documentElement.lang || "vi";
  var percent = new Intl.NumberFormat(lang, {style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1});
  var decimal = new Intl.NumberFormat(lang, {maximumFractionDigits: 1});
  var timer = null;

  function show(counts) {
    box.querySelectorAll("[data-count]").forEach(function (el) {
      var value = counts[el.getAttribute("data-count")];
      if (el.hasAttribute("data-percent")) value = percent.format(value || 0);
      else if (typeof value === "number") value = decimal.format(value);
      el.textContent = value === null || value === undefined ? "–" : String(value);
    });
    if (updated && counts.generated_at) {
      updated.textContent = new Date(counts.generated_at).toLocaleTimeString(lang, {timeZone: "Asia/Ho_Chi_Minh"});
    }
  }

  function poll() {
    timer = null;
    fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}, cache: "no-store"})
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (counts) { show(counts); if (offline) offline.hidden = true; })
      .catch(function () { if (offline) offline.hidden = false; })
      .then(schedule);
  }

  function schedule() {
    // A hidden tab stops polling; it catches up as soon as it is shown again.
    if (!document.hidden && timer === null) timer = setTimeout(poll, every);
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && timer === null) poll();
  });
  if (updated && updated.textContent) show({generated_at: updated.textContent.trim()});
  schedule();
})();
