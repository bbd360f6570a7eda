// /reports: asks /api/reports for the chosen day(s), dimension and interval, and draws the rows
// as a table and four uPlot charts (one series per key). Text by textContent only.
"use strict";

(function () {
  const form = document.getElementById("report-form");
  const status = document.getElementById("report-status");
  const body = document.querySelector("#report tbody");
  const COLUMNS = [
    "day", "label", "key", "offered", "answered", "abandoned", "short_abandoned", "service_level",
    "sl1", "sl2", "abandon_rate", "asa", "aht", "occupancy", "fcr", "closed_here", "survey_score",
  ];
  const SHARES = new Set(["service_level", "sl1", "sl2", "abandon_rate", "occupancy", "fcr", "closed_here"]);
  const COLOURS = ["#1f5fbf", "#1b7a3d", "#b3261e", "#a86400", "#6b3fa0", "#00796b", "#5d4037", "#455a64"];
  let charts = [];

  function cell(name, value) {
    const td = document.createElement("td");
    if (value === null || value === undefined) td.textContent = "-";
    else if (SHARES.has(name)) td.textContent = (value * 100).toFixed(1) + " %";
    else td.textContent = String(value);
    if (name !== "day" && name !== "label" && name !== "key") td.className = "num";
    return td;
  }

  function drawTable(rows) {
    body.replaceChildren(...rows.map((row) => {
      const tr = document.createElement("tr");
      tr.replaceChildren(...COLUMNS.map((name) => cell(name, row[name])));
      return tr;
    }));
  }

  // x: the interval's start (epoch seconds); one series per key and figure
  function series(rows, figures, scale) {
    const xs = [...new Set(rows.map((r) => r.start))].sort((a, b) => a - b);
    const at = new Map(xs.map((x, i) => [x, i]));
    const keys = [...new Set(rows.map((r) => r.key))].sort();
    const data = [xs];
    const labels = [];
    keys.forEach((key) => figures.forEach((figure) => {
      const ys = xs.map(() => null);
      rows.filter((r) => r.key === key).forEach((r) => {
        const v = r[figure];
        ys[at.get(r.start)] = v === null || v === undefined ? null : v * scale;
      });
      data.push(ys);
      labels.push(figures.length > 1 ? key + " " + figure : key);
    }));
    return { data, labels };
  }

  function chart(id, rows, figures, scale, range) {
    const holder = document.getElementById(id);
    const { data, labels } = series(rows, figures, scale);
    const options = {
      width: Math.max(280, holder.clientWidth),
      height: 220,
      scales: { x: { time: true }, y: range ? { range } : {} },
      series: [{ label: "Interval" }, ...labels.map((label, i) => ({
        label, stroke: COLOURS[i % COLOURS.length], width: 2, points: { show: true, size: 5 },
      }))],
    };
    holder.replaceChildren();
    return new window.uPlot(options, data, holder);
  }

  function drawCharts(rows) {
    charts.forEach((c) => c.destroy());
    charts = [];
    if (!window.uPlot) return;
    charts = [
      chart("chart-volume", rows, ["offered"], 1),
      chart("chart-sl", rows, ["service_level"], 100, [0, 100]),
      chart("chart-answered", rows, ["answered", "abandoned"], 1),
      chart("chart-aht", rows, ["aht"], 1),
    ];
  }

  let shown = 0; // reports asked for: an older one (a long range, slow) answered last is stale

  async function show() {
    const mine = ++shown;
    const asked = new URLSearchParams();
    const fields = new FormData(form);
    asked.set("day", fields.get("day"));
    if (fields.get("to")) asked.set("to", fields.get("to"));
    asked.set("by", fields.get("by"));
    asked.set("interval", fields.get("interval"));
    status.textContent = "loading…";
    const answer = await fetch("/api/reports?" + asked.toString(), { credentials: "same-origin" });
    const data = await answer.json().catch(() => ({}));
    if (mine !== shown) return; // a newer report draws instead
    if (!answer.ok) {
      status.textContent = data.error || answer.statusText;
      return;
    }
    drawTable(data.rows);
    drawCharts(data.rows);
    document.getElementById("report").dataset.rows = String(data.rows.length);
    status.textContent = data.rows.length + " rows, " + data.from + (data.to !== data.from ? " to " + data.to : "");
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    show();
  });
  const today = new Date();
  const local = new Date(today.getTime() - today.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  document.getElementById("report-day").value = local;
  show();
})();
