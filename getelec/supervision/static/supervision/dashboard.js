/* Compliance chart: reads the JSON data block (CSP: no inline script), draws with the
   self-hosted ECharts; a click on a bar opens the applications behind it. */
(function () {
  "use strict";
  function draw() {
    var node = document.getElementById("compliance-chart");
    var data = document.getElementById("compliance-data");
    if (!node || !data || typeof echarts === "undefined") { return; }
    var d = JSON.parse(data.textContent);
    var chart = echarts.init(node);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: ["按期率（%）", "当前逾期（件）"] },
      xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: d.labels.length > 6 ? 30 : 0 } },
      yAxis: [{ type: "value", name: "%", max: 100 }, { type: "value", name: "件" }],
      series: [
        { name: "按期率（%）", type: "bar", data: d.on_time_rate },
        { name: "当前逾期（件）", type: "bar", yAxisIndex: 1, data: d.overdue }
      ]
    });
    chart.on("click", function (p) {
      var links = p.seriesIndex === 1 ? d.overdue_links : d.completed_links;
      if (links && links[p.dataIndex]) { window.location.href = links[p.dataIndex]; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
