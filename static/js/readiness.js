// The trend of a bureau's capability self-assessments: one line per dimension, from the data the
// server wrote into the page (json_script); the same numbers are in the table under the chart.
(function () {
  var palette = ["#0d6efd", "#dc3545", "#ffc107", "#198754", "#6f42c1", "#fd7e14", "#20c997", "#6c757d"];
  if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) Chart.defaults.animation = false;
  document.querySelectorAll("canvas[data-trend]").forEach(function (canvas) {
    var data = JSON.parse(document.getElementById(canvas.dataset.trend).textContent);
    new Chart(canvas, { type: "line", data: { labels: data.labels, datasets: data.datasets.map(function (d, i) {
      return { label: d.label, data: d.data, borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length], spanGaps: true }; }) },
      options: { responsive: true, scales: { y: { min: 0, max: 100 } } } });
    canvas.dataset.drawn = "1";
  });
})();
