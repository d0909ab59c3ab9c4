// Charts of 资金收支汇总: funds vs allocated per source level (bar), funds by source level (pie).
(function () {
  "use strict";
  // The box's height comes from data-height (pixels): the CSP refuses style attributes.
  function sized(box) {
    if (box.dataset.height) box.style.height = box.dataset.height + "px";
    return box;
  }
  var source = document.getElementById("summary-chart-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  if (!data.levels || data.empty) return;
  var funds = data.funds.map(Number);
  var allocated = data.allocated.map(Number);

  var bars = document.getElementById("summary-levels-chart");
  if (bars) {
    echarts.init(sized(bars)).setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { data: [data.funds_label, data.allocated_label] },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.levels },
      yAxis: { type: "value" },
      series: [
        { name: data.funds_label, type: "bar", data: funds },
        { name: data.allocated_label, type: "bar", data: allocated },
      ],
    });
  }

  var pie = document.getElementById("summary-sources-chart");
  if (pie) {
    echarts.init(sized(pie)).setOption({
      tooltip: { trigger: "item" },
      legend: { orient: "vertical", left: "left" },
      series: [{
        type: "pie",
        radius: ["35%", "70%"],
        data: data.levels.map(function (name, i) { return { name: name, value: funds[i] }; }),
      }],
    });
  }
})();
