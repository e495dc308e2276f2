// Unit rankings charts (Chart.js, vendored): participation (or entrants) by unit, and entrants over time.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || !window.Chart) return;
  var data = JSON.parse(source.textContent);
  var labels = data.labels;
  // Ticks and tooltips in the page's language (Chart.js formats with Intl: 1,7 in Vietnamese).
  var lang = document.documentElement.lang || "vi";
  var percent = new Intl.NumberFormat(lang, {maximumFractionDigits: 1});
  // "2026-05-25T08:00" (already Vietnam's time) -> "25/05 08:00"; a day "2026-05-25" -> "25/05/2026".
  function moment(at) {
    var m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}:\d{2}))?/.exec(at);
    if (!m) return at;
    return m[4] ? m[3] + "/" + m[2] + " " + m[4] : m[3] + "/" + m[2] + "/" + m[1];
  }
  var units = document.getElementById("units-chart");
  if (units) {
    // Sized here, not in a style attribute: the Content-Security-Policy allows no inline styles.
    var box = units.parentElement;
    if (box.dataset.height) box.style.height = box.dataset.height + "px";
    new window.Chart(units, {
      type: "bar",
      data: {labels: data.units.labels, datasets: [{
        label: data.units.measure === "participation" ? labels.participation : labels.entrants,
        data: data.units.values, backgroundColor: "#1f6f8b"}]},
      options: {locale: lang, indexAxis: "y", maintainAspectRatio: false, animation: false, plugins: {
        legend: {display: false},
        tooltip: {callbacks: {label: function (item) {
          return data.units.measure === "participation" ? percent.format(item.parsed.x) + "%" : item.formattedValue;
        }}}}}
    });
  }
  var over = document.getElementById("activity-chart");
  if (over) {
    var points = data.activity.points;
    new window.Chart(over, {
      data: {labels: points.map(function (p) { return moment(p.at); }), datasets: [
        {type: "bar", label: labels.attempts, data: points.map(function (p) { return p.attempts; }),
         backgroundColor: "#9cc3d5", yAxisID: "y"},
        {type: "line", label: labels.total, data: points.map(function (p) { return p.entrants; }),
         borderColor: "#c0392b", backgroundColor: "#c0392b", yAxisID: "y1", tension: 0.2}]},
      options: {locale: lang, maintainAspectRatio: false, animation: false, scales: {
        y: {beginAtZero: true, position: "left"}, y1: {beginAtZero: true, position: "right", grid: {drawOnChartArea: false}}}}
    });
  }
})();
