// Draws each dashboard chart from its own endpoint (data-url). The numbers are also written
// out under each chart, for screen readers and for a phone too narrow to read bars.
(function () {
  var palette = ["#0d6efd", "#dc3545", "#ffc107", "#198754", "#6f42c1", "#fd7e14", "#20c997", "#6c757d",
                 "#0dcaf0", "#d63384", "#adb5bd", "#495057", "#6610f2", "#664d03", "#0a3622", "#842029"];
  // Bars grow for a second unless the user asked the system for less motion.
  if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) Chart.defaults.animation = false;
  function summary(id, labels, values, suffix) {
    var el = document.getElementById(id + "-summary");
    var parts = labels.map(function (l, i) { return [l, values[i]]; });
    if (parts.length > 8) parts = parts.filter(function (p) { return p[1]; });  // long series: only what is there
    if (el) el.textContent = parts.map(function (p) { return p[0] + ": " + p[1] + (suffix || ""); }).join("; ");
  }
  document.querySelectorAll("canvas[data-url]").forEach(function (canvas) {
    fetch(canvas.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var kind = canvas.dataset.kind, config;
        if (kind === "stacked") {
          config = { type: "bar", data: { labels: data.labels, datasets: data.datasets.map(function (d, i) {
            return { label: d.label, data: d.data, backgroundColor: palette[i % palette.length] }; }) },
            options: { responsive: true, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } } };
          summary(canvas.id, data.datasets.map(function (d) { return d.label; }),
                  data.datasets.map(function (d) { return d.data.reduce(function (a, b) { return a + b; }, 0); }));
        } else {
          config = { type: "bar", data: { labels: data.labels, datasets: [{ data: data.values, backgroundColor: palette[0] }] },
            options: { responsive: true, indexAxis: kind === "percent" ? "y" : "x", plugins: { legend: { display: false } },
                       scales: kind === "percent" ? { x: { min: 0, max: 100 } } : { y: { beginAtZero: true, ticks: { precision: 0 } } } } };
          summary(canvas.id, data.labels, data.values, kind === "percent" ? "%" : "");
        }
        if (data.items) {
          var list = document.getElementById(canvas.id + "-items");
          data.items.forEach(function (item) {
            var li = document.createElement("li");
            var a = document.createElement("a");
            a.href = "/incidents/" + item.incident + "/";
            a.textContent = item.reference + " " + item.title;
            li.appendChild(a);
            li.appendChild(document.createTextNode(" · " + item.kind + " · " + item.unit + " · " + item.due_local));  // the bureau's time, formatted by the server
            list.appendChild(li);
          });
        }
        canvas.dataset.drawn = "1";
        new Chart(canvas, config);
      });
  });
})();
