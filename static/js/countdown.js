// Live countdowns on the overdue board and the home page's deadlines: "剩余 12 分钟" / "已逾期 2 小时 5 分钟", and the row turns
// red the moment its deadline passes. The browser's clock is corrected by the server's time sent
// with the rows; the server alone decides lateness (the sweep), this is only the display.
(function () {
  var lang = document.documentElement.lang || "zh-hans";
  var zh = lang.indexOf("zh") === 0;
  var offset = 0;
  function syncClock() {
    var cell = document.querySelector("[data-server-now]");
    if (cell) { offset = Date.parse(cell.dataset.serverNow) - Date.now(); }
  }
  function text(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000), days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    var parts = [];
    if (days) parts.push(days + (zh ? "天" : " d"));
    if (hours) parts.push(hours + (zh ? "小时" : " h"));
    if (mins || !parts.length) parts.push(mins + (zh ? "分钟" : " min"));
    var span = parts.join(zh ? "" : " ");
    if (ms >= 0) return zh ? "剩余 " + span : "in " + span;
    return zh ? "已逾期 " + span : "overdue by " + span;
  }
  function tick() {
    var now = Date.now() + offset;
    document.querySelectorAll("tr[data-due]").forEach(function (row) {
      var ms = Date.parse(row.dataset.due) - now;
      var cell = row.querySelector(".countdown");
      if (cell) cell.textContent = text(ms);
      row.classList.toggle("table-danger", ms < 0 || row.classList.contains("table-danger"));
    });
  }
  document.addEventListener("htmx:afterSwap", function () { syncClock(); tick(); });
  syncClock(); tick();
  setInterval(tick, 1000);
})();
