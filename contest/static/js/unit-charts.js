// Unit rankings charts (Chart.js, vendored): participation (or entrants) by unit, and entrants over time.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || !window.Chart) return;
  var data = JSON.parse(source.textContent);
  var labels = data.labels;
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
      options: {indexAxis: "y", maintainAspectRatio: false, animation: false, plugins: {legend: {display: false}}}
    });
  }
  var over = document.getElementById("activity-chart");
  if (over) {
    var points = data.activity.points;
    new window.Chart(over, {
      data: {labels: points.map(function (p) { return p.at.replace("T", " "); }), datasets: [
        {type: "bar", label: labels.attempts, data: points.map(function (p) { return p.attempts; }),
         backgroundColor: "#9cc3d5", yAxisID: "y"},
        {type: "line", label: labels.total, data: points.map(function (p) { return p.entrants; }),
         borderColor: "#c0392b", backgroundColor: "#c0392b", yAxisID: "y1", tension: 0.2}]},
      options: {maintainAspectRatio: false, animation: false, scales: {
        y: {beginAtZero: true, position: "left"}, y1: {beginAtZero: true, position: "right", grid: {drawOnChartArea: false}}}}
    });
  }
})();
