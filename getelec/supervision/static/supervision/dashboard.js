/* Compliance charts: read the JSON data block (CSP: no inline script), draw with the
   self-hosted ECharts; a click on a bar opens the applications behind it. Series names
   come translated from the server. */
(function () {
  "use strict";
  function open(links, index) {
    if (links && links[index]) { window.location.href = links[index]; }
  }
  function draw() {
    var look = window.getelecCharts;
    var data = document.getElementById("compliance-data");
    if (!data || typeof echarts === "undefined" || !window.getelecCharts) { return; }
    var d = JSON.parse(data.textContent);
    var s = d.series;
    var rotate = d.labels.length > 6 ? 30 : 0;
    var charts = [];
    var node = document.getElementById("compliance-chart");
    if (node) {
      var chart = echarts.init(node);
      chart.setOption({
        color: look.palette,
        tooltip: look.tooltip("axis"),
        legend: { data: [s.on_time_rate, s.overdue] },
        xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: rotate } },
        yAxis: [{ type: "value", name: d.units.percent, max: 100 }, { type: "value", name: d.units.count }],
        series: [
          { name: s.on_time_rate, type: "bar", data: d.on_time_rate },
          { name: s.overdue, type: "bar", yAxisIndex: 1, data: d.overdue }
        ]
      });
      chart.on("click", function (p) {
        open(p.seriesIndex === 1 ? d.overdue_links : d.completed_links, p.dataIndex);
      });
      charts.push(chart);
    }
    var takenNode = document.getElementById("taken-chart");
    if (takenNode) {
      var taken = echarts.init(takenNode);
      taken.setOption({
        color: look.palette,
        tooltip: look.tooltip("axis"),
        legend: { data: [s.avg_taken, s.avg_limit] },
        xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: rotate } },
        yAxis: { type: "value", name: d.units.workdays },
        series: [
          { name: s.avg_taken, type: "bar", data: d.avg_taken },
          { name: s.avg_limit, type: "line", data: d.avg_limit }
        ]
      });
      taken.on("click", function (p) { open(d.completed_links, p.dataIndex); });
      charts.push(taken);
    }
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
