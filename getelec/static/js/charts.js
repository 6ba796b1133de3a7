/* Shared ECharts settings for the dashboards, CSP-clean: the policy allows no inline styles
   (style-src 'self'), and ECharts' default tooltip writes HTML full of style="" attributes.
   The tooltip formatter here returns DOM elements styled by classes (css/site.css: .chart-tooltip,
   .chart-marker, .chart-series-N), so hovering a chart breaks no policy and each series keeps
   its colour marker. The palette is set explicitly so that the marker classes match it. */
(function () {
  "use strict";
  var PALETTE = ["#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452",
    "#9a60b4", "#ea7ccc"];

  function el(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function shown(value) {
    if (Array.isArray(value)) { value = value[value.length - 1]; }
    if (value === null || value === undefined || value === "" || value === "-") { return "—"; }
    return String(value);
  }

  function formatter(params) {
    var list = Array.isArray(params) ? params : [params];
    var box = el("div", "chart-tooltip");
    if (list.length) {
      box.appendChild(el("div", "chart-tooltip-title", list[0].axisValueLabel || list[0].name || ""));
    }
    list.forEach(function (p) {
      var row = el("div", "chart-tooltip-row");
      var index = (p.seriesIndex || 0) % PALETTE.length;
      row.appendChild(el("span", "chart-marker chart-series-" + index));
      row.appendChild(el("span", "chart-tooltip-name", p.seriesName || ""));
      row.appendChild(el("span", "chart-tooltip-value", shown(p.value)));
      box.appendChild(row);
    });
    return box;
  }

  window.getelecCharts = {
    palette: PALETTE,
    /* The tooltip option: `trigger` "axis" or "item". */
    tooltip: function (trigger) {
      return { trigger: trigger || "axis", formatter: formatter, className: "chart-tooltip-box" };
    }
  };
})();
