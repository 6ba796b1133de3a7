/* Reliability charts: data from <script type="application/json" id="quality-chart-data">. */
(function () {
  "use strict";
  function draw() {
    var look = window.getelecCharts;
    var node = document.getElementById("quality-chart-data");
    if (!node || typeof echarts === "undefined" || !window.getelecCharts) { return; }
    var data = JSON.parse(node.textContent || "{}");
    var month = document.getElementById("chart-month");
    if (month) {
      echarts.init(month).setOption({
        color: look.palette,
        tooltip: look.tooltip("axis"),
        legend: { data: ["SAIDI", "SAIFI"] },
        xAxis: { type: "category", data: data.months || [] },
        yAxis: [{ type: "value", name: "SAIDI" }, { type: "value", name: "SAIFI" }],
        series: [
          { name: "SAIDI", type: "bar", data: data.saidi || [] },
          { name: "SAIFI", type: "line", yAxisIndex: 1, data: data.saifi || [] }
        ]
      });
    }
    var region = document.getElementById("chart-region");
    if (region) {
      echarts.init(region).setOption({
        color: look.palette,
        tooltip: look.tooltip("axis"),
        xAxis: { type: "category", data: data.regions || [], axisLabel: { rotate: 45 } },
        yAxis: { type: "value", name: "RS-1 %", scale: true },
        series: [{ name: "RS-1", type: "bar", data: data.rs1 || [] }]
      });
    }
    var byRegionMonth = document.getElementById("chart-region-month");
    var rm = data.region_month || {};
    if (byRegionMonth && rm.series) {
      echarts.init(byRegionMonth).setOption({
        color: look.palette,
        tooltip: look.tooltip("axis"),
        legend: { type: "scroll", data: rm.series.map(function (s) { return s.name; }) },
        xAxis: { type: "category", data: rm.months || [] },
        yAxis: { type: "value", name: rm.index, scale: true },
        series: rm.series.map(function (s) { return { name: s.name, type: "line", data: s.data }; })
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
