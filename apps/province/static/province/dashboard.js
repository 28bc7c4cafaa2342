// The province dashboard's charts (ECharts, served from our own static files). Data: #province-charts.
(function () {
  var data = JSON.parse(document.getElementById("province-charts").textContent);
  // schemas: the bureau of each category, whose page a click on its bar opens (the drill-down).
  function chart(id, option, schemas) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") return;
    var c = echarts.init(el);
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
    if (schemas) {
      c.on("click", function (p) {
        var schema = schemas[p.dataIndex];
        if (schema && data.bureau_url) window.location.href = data.bureau_url.replace("__schema__", encodeURIComponent(schema));
      });
    }
    el.setAttribute("data-rendered", "1");
  }
  var L = data.labels, s = data.standards;
  chart("chart-standards", {
    tooltip: {trigger: "axis"}, legend: {data: [L.standard, L.minimum]},
    xAxis: {type: "category", data: s.bureaus.map(function (b, i) { return s.rank[i] ? b + "\n" + L.rank + " " + s.rank[i] : b; })},
    yAxis: {type: "value", name: L.yuan_month},
    series: [{name: L.standard, type: "bar", data: s.standard, label: {show: true, position: "top"}},
             {name: L.minimum, type: "line", data: s.minimum}]
  }, s.schemas);
  function trend(id, key, unit) {
    var byProgramme = data.trends[key] || {}, periods = {};
    Object.keys(byProgramme).forEach(function (p) { Object.keys(byProgramme[p]).forEach(function (m) { periods[m] = 1; }); });
    var months = Object.keys(periods).sort();
    chart(id, {
      tooltip: {trigger: "axis"}, legend: {type: "scroll"}, xAxis: {type: "category", data: months},
      yAxis: {type: "value", name: unit},
      series: Object.keys(byProgramme).map(function (p) {
        return {name: p, type: "line", data: months.map(function (m) { return byProgramme[p][m] || 0; })};
      })
    });
  }
  trend("chart-caseload", "persons_active", L.persons);
  trend("chart-amounts", "amount_paid", L.yuan);
  var h = data.health, names = h.map(function (r) { return r.name; });
  chart("chart-health", {
    tooltip: {trigger: "axis"}, legend: {}, xAxis: {type: "category", data: names},
    yAxis: [{type: "value", name: L.failure_rate}, {type: "value", name: L.held}],
    series: [{name: L.failure_rate, type: "bar", data: h.map(function (r) { return r.failure_rate == null ? null : +(r.failure_rate * 100).toFixed(2); })},
             {name: L.held, type: "bar", yAxisIndex: 1, data: h.map(function (r) { return r.held; })}]
  }, h.map(function (r) { return r.schema; }));
  chart("chart-backlog", {
    tooltip: {trigger: "axis"}, legend: {}, xAxis: {type: "category", data: names}, yAxis: {type: "value", name: L.count},
    series: [{name: L.due, type: "bar", data: h.map(function (r) { return r.due; })},
             {name: L.overdue, type: "bar", data: h.map(function (r) { return r.overdue; })}]
  });
})();
