// Charts of 异常信息查看: findings per risk level and per subordinate unit (data from the page).
(function () {
  "use strict";
  // The box's height comes from data-height (pixels): the CSP refuses style attributes.
  function sized(box) {
    if (box.dataset.height) box.style.height = box.dataset.height + "px";
    return box;
  }
  var source = document.getElementById("chart-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var colours = { high: "#c62828", medium: "#ef6c00", low: "#1976d2" };
  var order = ["high", "medium", "low"];

  var riskBox = document.getElementById("risk-chart");
  if (riskBox) {
    echarts.init(sized(riskBox)).setOption({
      tooltip: { trigger: "item" },
      legend: { orient: "vertical", left: "left" },
      series: [{
        type: "pie",
        radius: ["35%", "70%"],
        data: data.risks.map(function (r) {
          return { name: r.name, value: r.value, itemStyle: { color: colours[r.risk] } };
        }),
      }],
    });
  }

  var childBox = document.getElementById("child-chart");
  if (childBox && data.children.length) {
    echarts.init(sized(childBox)).setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { data: data.risk_names },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: data.children },
      series: order.map(function (risk, i) {
        return {
          name: data.risk_names[i],
          type: "bar",
          stack: "findings",
          itemStyle: { color: colours[risk] },
          data: data.child_counts.map(function (row) { return row[i]; }),
        };
      }),
    });
  }
})();
