// /reports, "Plan and adherence": asks /api/reports/plan for the form's day and draws the need,
// the seats, the shift plan and the agents logged in per interval (uPlot), with a compact table
// and the day's agent-hours under it. Text by textContent only.
"use strict";

(function () {
  const form = document.getElementById("report-form");
  const status = document.getElementById("plan-status");
  const table = document.getElementById("plan-table");
  const body = table.querySelector("tbody");
  const foot = table.querySelector("tfoot");
  const COLUMNS = [
    "label", "forecast", "offered", "needed", "seats", "scheduled", "logged_in", "ready", "on_calls",
    "paused", "adherence", "coverage",
  ];
  const SHARES = new Set(["adherence", "coverage"]);
  const DRAWN = [
    ["needed", "needed", "#b3261e"],
    ["seats", "seats (shrinkage)", "#a86400"],
    ["scheduled", "scheduled", "#1f5fbf"],
    ["logged_in", "logged in", "#1b7a3d"],
  ];
  let chart = null;

  function cell(name, value) {
    const td = document.createElement("td");
    if (value === null || value === undefined) td.textContent = "-";
    else if (SHARES.has(name)) td.textContent = (value * 100).toFixed(1) + " %";
    else td.textContent = String(value);
    if (name !== "label") td.className = "num";
    td.dataset.name = name;
    return td;
  }

  function drawTable(rows, totals) {
    body.replaceChildren(...rows.map((row) => {
      const tr = document.createElement("tr");
      tr.replaceChildren(...COLUMNS.map((name) => cell(name, row[name])));
      return tr;
    }));
    const hours = (name) => totals[name + "_hours"];
    const sum = {
      label: "day (agent-hours)", forecast: totals.forecast, offered: totals.offered,
      needed: hours("needed"), seats: hours("seat"), scheduled: hours("scheduled"),
      logged_in: hours("logged_in"), ready: hours("ready"), on_calls: hours("on_calls"),
      paused: hours("paused"), adherence: totals.adherence, coverage: null,
    };
    const tr = document.createElement("tr");
    tr.replaceChildren(...COLUMNS.map((name) => cell(name, sum[name])));
    foot.replaceChildren(tr);
  }

  function drawChart(rows) {
    if (chart) chart.destroy();
    chart = null;
    const holder = document.getElementById("chart-plan");
    holder.replaceChildren();
    if (!window.uPlot || rows.length === 0) return;
    const stepped = window.uPlot.paths.stepped({ align: 1 }); // a figure holds through its interval
    const data = [rows.map((r) => r.start), ...DRAWN.map(([name]) => rows.map((r) => r[name]))];
    chart = new window.uPlot({
      width: Math.max(280, holder.clientWidth),
      height: 240,
      scales: { x: { time: true }, y: { range: (u, lo, hi) => [0, Math.max(1, hi) * 1.1] } },
      series: [{ label: "Interval" }, ...DRAWN.map(([, label, stroke]) => ({
        label, stroke, width: 2, paths: stepped, points: { show: true, size: 4 },
      }))],
    }, data, holder);
  }

  let shown = 0; // plans asked for: an older one answered last is stale

  async function show() {
    const day = new FormData(form).get("day");
    if (!day) return;
    const mine = ++shown;
    status.textContent = "loading…";
    const answer = await fetch("/api/reports/plan?day=" + encodeURIComponent(day), { credentials: "same-origin" });
    const data = await answer.json().catch(() => ({}));
    if (mine !== shown) return; // a newer plan draws instead
    if (!answer.ok) {
      status.textContent = data.error || answer.statusText;
      return;
    }
    drawTable(data.rows, data.totals);
    drawChart(data.rows);
    table.dataset.rows = String(data.rows.length);
    status.textContent = data.day + " per " + data.interval + " min; " + data.notes.join("; ");
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    show();
  });
  show();
})();
