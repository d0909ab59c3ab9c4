// Charts of 资金填报进展: on time / late / not filed overall and per subordinate unit.
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
  var colours = ["#2e7d32", "#ef6c00", "#9e9e9e"];
  var keys = ["on_time", "late", "not_filed"];

  var pieBox = document.getElementById("progress-pie");
  if (pieBox) {
    echarts.init(sized(pieBox)).setOption({
      tooltip: { trigger: "item" },
      legend: { orient: "vertical", left: "left" },
      series: [{
        type: "pie",
        radius: ["35%", "70%"],
        data: keys.map(function (key, i) {
          return { name: data.names[i], value: data.totals[i], itemStyle: { color: colours[i] } };
        }),
      }],
    });
  }

  var barBox = document.getElementById("progress-bars");
  if (barBox && data.children.length) {
    echarts.init(sized(barBox)).setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { data: data.names },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: data.children },
      series: keys.map(function (key, i) {
        return { name: data.names[i], type: "bar", stack: "units", itemStyle: { color: colours[i] }, data: data[key] };
      }),
    });
  }
})();
