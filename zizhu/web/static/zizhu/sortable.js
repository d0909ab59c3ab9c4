// Tables with class "sortable": a click on a column header sorts the rows of the table body by
// that column, again to reverse. A cell's data-sort value wins over its text; numbers (with
// thousands separators, 元 or %) sort as numbers. Rows marked class "total" stay at the end.
(function () {
  "use strict";
  function key(cell) {
    if (!cell) return "";
    var raw = cell.getAttribute("data-sort");
    var text = (raw !== null ? raw : cell.textContent).trim();
    var number = text.replace(/[,\s元%]/g, "");
    if (number !== "" && !isNaN(number)) return parseFloat(number);
    return text;
  }
  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") return a - b;
    if (typeof a === "number") return -1;
    if (typeof b === "number") return 1;
    return a.localeCompare(b, "zh-Hans-CN");
  }
  function sort(table, index, header) {
    var body = table.tBodies[0];
    if (!body) return;
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    var fixed = rows.filter(function (r) { return r.classList.contains("total") || r.cells.length < 2; });
    var moving = rows.filter(function (r) { return fixed.indexOf(r) < 0; });
    moving.sort(function (a, b) {
      var order = compare(key(a.cells[index]), key(b.cells[index]));
      return ascending ? order : -order;
    });
    moving.concat(fixed).forEach(function (row) { body.appendChild(row); });
  }
  function init(table) {
    if (!table.tHead || !table.tHead.rows.length) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      if (th.hasAttribute("data-nosort") || !th.textContent.trim()) return;
      th.classList.add("sortable-header");
      th.setAttribute("tabindex", "0");
      th.setAttribute("title", th.getAttribute("title") || "点击排序");
      th.addEventListener("click", function () { sort(table, index, th); });
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          sort(table, index, th);
        }
      });
    });
  }
  function initAll(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("table.sortable"), init);
  }
  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { initAll(event.target); });
})();
