// The supervisor's wallboard (/wall) and the read-only wall screen (/kiosk/<token>).
// One EventSource on the page's data-events address: every message is the whole wall for this
// viewer (acd/web/wall.py), its id the journal's number; the browser resends Last-Event-ID on a
// reconnect and the server sends the wall only if it changed since. Figures are drawn as text
// (textContent only: a queue or agent name with markup is text), coloured by the thresholds the
// snapshot carries (data-level="ok|warn|bad"); times in state and the longest waits tick here
// between snapshots. Charts: uPlot (vendored, static/vendor/). Listen / whisper / barge post
// /api/supervise with the page's CSRF token (acd.js) when the snapshot says controls are ours.
// A stream the server refuses (too many tabs, a revoked link) says why under the badge, as
// text, and tries again (acd.js streamRefusal).
"use strict";

(function () {
  const page = document.getElementById("wall");
  const badge = document.getElementById("connection");
  const said = document.getElementById("supervise-answer");
  const picker = document.getElementById("chart-queue");
  const STATES = [
    ["ready", "Ready"], ["ringing", "Ringing"], ["on_call", "On call"],
    ["wrap_up", "Wrap-up"], ["paused", "Paused"], ["logged_out", "Logged out"],
  ];
  const STATE_NAMES = Object.fromEntries(STATES);
  const MODES = [["monitor", "Listen"], ["whisper", "Whisper"], ["barge", "Barge"]];
  const why = document.getElementById("connection-why");
  const kiosk = page.dataset.kiosk === "yes";
  // what a refused wall tells whoever looks at it (the refusal's reason: acd/web/wall.py)
  const REFUSED = {
    per_person: (n) => "This wall is open in too many tabs or screens (" + n + " at most). "
      + "Close one and it reconnects by itself.",
    per_kiosk: (n) => "This wall screen link is open on too many screens (" + n + " at most). "
      + "Close one and this one reconnects by itself.",
    full: () => "Too many walls are open right now. This one reconnects by itself when there is room.",
  };
  let last = null; // the snapshot drawn
  let receivedAt = 0; // performance.now() when it came
  let lastId = "";
  let messages = 0;
  let charts = null;
  let busy = false; // a listen-in request is on its way

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function setBadge(state, text) {
    badge.dataset.state = state;
    badge.textContent = text;
  }

  const UNKNOWN_AFTER = 86400; // a time in state past a day: not seen since the daemon started

  function duration(seconds) {
    if (seconds === null || seconds === undefined || seconds > UNKNOWN_AFTER) return "\u2013";
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    const two = (n) => String(n).padStart(2, "0");
    return h ? h + ":" + two(m) + ":" + two(r) : m + ":" + two(r);
  }

  function percent(share) {
    return share === null || share === undefined ? "\u2013" : Math.round(share * 100) + "%";
  }

  function clockText(secondsPastMidnight) {
    const m = Math.round(secondsPastMidnight / 60);
    return String(Math.floor(m / 60) % 24).padStart(2, "0") + ":" + String(m % 60).padStart(2, "0");
  }

  // ok / warn / bad by the configured band; a service level is worse as it falls
  function level(name, value) {
    const band = last && last.thresholds ? last.thresholds[name] : null;
    if (!band || value === null || value === undefined) return "none";
    if (name === "service_level") return value >= band.warn ? "ok" : value >= band.alarm ? "warn" : "bad";
    return value < band.warn ? "ok" : value < band.alarm ? "warn" : "bad";
  }

  function cell(text, figure, band, value) {
    const td = el("td", text);
    td.dataset.figure = figure;
    if (band) td.dataset.level = level(band, value);
    return td;
  }

  // a cell whose seconds move on between snapshots (tick() redraws it)
  function tickingCell(seconds, figure, band, moving) {
    const td = cell(duration(seconds), figure, band, seconds);
    if (moving) {
      td.dataset.tick = String(seconds);
      if (band) td.dataset.band = band;
    }
    return td;
  }

  function byState(states) {
    const box = el("td", null, "by-state");
    box.dataset.figure = "agents";
    for (const [state, label] of STATES) {
      const n = states[state];
      if (!n) continue;
      const chip = el("span", label + " " + n, "chip");
      chip.dataset.state = state;
      box.append(chip);
    }
    if (!box.childNodes.length) box.textContent = "none signed in";
    return box;
  }

  function figureRow(key, label, f, states) {
    const tr = el("tr");
    tr.dataset.key = key;
    tr.append(
      el("th", label, "name"),
      cell(f.waiting, "waiting", "waiting", f.waiting),
      tickingCell(f.longest_wait, "longest_wait", "longest_wait", f.waiting > 0),
      cell(percent(f.service_level), "service_level", "service_level", f.service_level),
      cell(percent(f.abandon_rate), "abandon_rate", "abandon_rate", f.abandon_rate),
      cell(f.offered, "offered"),
      cell(f.answered, "answered"),
      cell(duration(f.asa), "asa"),
      cell(duration(f.aht), "aht"),
    );
    if (states) tr.append(byState(states));
    return tr;
  }

  function drawLines(data) {
    const body = document.querySelector("#lines tbody");
    const keys = Object.keys(data.lines).filter((k) => k !== "all");
    if (data.lines.all) keys.push("all");
    body.replaceChildren(...keys.map((k) => {
      const row = figureRow(k, k === "all" ? "All" : "Line " + k, data.lines[k], data.lines[k].agents || {});
      row.dataset.line = k;
      return row;
    }));
  }

  function drawQueues(data) {
    const body = document.querySelector("#queues tbody");
    body.replaceChildren(...Object.entries(data.queues).map(([name, q]) => {
      const row = figureRow(name, name, q, q.agents);
      row.dataset.queue = name;
      return row;
    }));
  }

  function drawAgents(data) {
    const body = document.querySelector("#agents tbody");
    const head = document.querySelector("#agents .controls-head");
    if (head) head.hidden = !data.controls; // an admin's wall: nobody to ring
    body.replaceChildren(...data.agents.map((a) => {
      const tr = el("tr");
      tr.dataset.agent = a.number;
      tr.dataset.state = a.state;
      const name = el("th", a.name || a.number, "name");
      name.append(el("span", " " + a.number, "hint"));
      const state = el("td", (STATE_NAMES[a.state] || a.state) + (a.reason ? " (" + a.reason + ")" : ""), "state");
      state.dataset.state = a.state;
      if (a.wrap_up_left !== null && a.wrap_up_left !== undefined) {
        const left = el("span", duration(a.wrap_up_left), "hint");
        left.dataset.countdown = String(a.wrap_up_left); // tick() counts it down
        state.append(" ", left, " left");
      }
      tr.append(
        name, el("td", a.team), state,
        tickingCell(a.in_state, "in_state", null, a.state !== "logged_out" && a.in_state <= UNKNOWN_AFTER),
        el("td", a.queue), el("td", a.handled),
      );
      if (data.controls) tr.append(controls(a));
      return tr;
    }));
  }

  function controls(agent) {
    const td = el("td", null, "controls");
    for (const [mode, label] of MODES) {
      const button = el("button", label, mode === "barge" ? "danger" : "quiet");
      button.type = "button";
      button.dataset.mode = mode;
      button.disabled = agent.state === "logged_out" || busy;
      button.addEventListener("click", () => supervise(agent, mode, label));
      td.append(button);
    }
    return td;
  }

  function setBusy(on) {
    busy = on; // one ring at a time: the supervisor has one phone
    for (const b of page.querySelectorAll("td.controls button")) {
      b.disabled = on || b.closest("tr").dataset.state === "logged_out";
    }
  }

  async function supervise(agent, mode, label) {
    setBusy(true);
    said.dataset.outcome = "pending";
    said.textContent = label + " " + (agent.name || agent.number) + ": ringing your phone\u2026";
    try {
      const answer = await window.acd.post("/api/supervise", { agent: agent.number, mode: mode });
      said.dataset.outcome = "ok";
      said.textContent = label + " " + (agent.name || agent.number)
        + ": answer your phone (session " + answer.session + ")";
    } catch (error) {
      said.dataset.outcome = "refused";
      said.textContent = label + " " + (agent.name || agent.number) + " refused: " + error.message;
    } finally {
      setBusy(false);
    }
  }

  // -- charts ---------------------------------------------------------------------------------

  function chart(holder, series, yRange) {
    const options = {
      width: Math.max(280, holder.clientWidth),
      height: 220,
      scales: { x: { time: false }, y: yRange ? { range: yRange } : {} },
      axes: [
        { values: (u, ticks) => ticks.map(clockText), incrs: [900, 1800, 3600, 7200, 10800, 21600] },
        {},
      ],
      series: [{ label: "Interval", value: (u, v) => (v === null || v === undefined ? "" : clockText(v)) }, ...series],
    };
    return new window.uPlot(options, [[], ...series.map(() => [])], holder);
  }

  function makeCharts() {
    if (!window.uPlot) return null;
    const calls = document.getElementById("chart-calls");
    const sl = document.getElementById("chart-sl");
    return {
      calls: chart(calls, [
        { label: "Offered", stroke: "#1f5fbf", width: 2, points: { show: true, size: 5 } },
        { label: "Answered", stroke: "#1b7a3d", width: 2 },
        { label: "Abandoned", stroke: "#b3261e", width: 2 },
      ]),
      sl: chart(sl, [{ label: "Service level %", stroke: "#a86400", width: 2, points: { show: true, size: 7 } }], [0, 100]),
      holders: [calls, sl],
    };
  }

  // the picker's queues follow the wall's (a kept choice stays while its queue is shown)
  function drawPicker(data) {
    const names = Object.keys(data.queues);
    const have = Array.from(picker.options).slice(1).map((o) => o.value);
    if (have.join("\n") !== names.join("\n")) {
      const chosen = picker.value;
      picker.replaceChildren(picker.options[0], ...names.map((n) => {
        const option = el("option", n);
        option.value = n;
        return option;
      }));
      picker.value = names.includes(chosen) ? chosen : "all";
    }
  }

  function drawCharts(data) {
    if (!charts) charts = makeCharts();
    if (!charts) return;
    drawPicker(data);
    const s = data.intervals, all = s[picker.value] || s.all;
    charts.calls.setData([s.starts, all.offered, all.answered, all.abandoned]);
    charts.sl.setData([s.starts, all.service_level.map((v) => (v === null ? null : Math.round(v * 1000) / 10))]);
    const holder = charts.holders[0];
    holder.dataset.queue = s[picker.value] ? picker.value : "all";
    holder.dataset.points = String(s.starts.length);
    holder.dataset.offered = String(all.offered.reduce((a, b) => a + b, 0));
    holder.dataset.answered = String(all.answered.reduce((a, b) => a + b, 0));
    holder.dataset.abandoned = String(all.abandoned.reduce((a, b) => a + b, 0));
  }

  function resize() {
    if (!charts) return;
    charts.calls.setSize({ width: Math.max(280, charts.holders[0].clientWidth), height: 220 });
    charts.sl.setSize({ width: Math.max(280, charts.holders[1].clientWidth), height: 220 });
  }

  // -- the stream -----------------------------------------------------------------------------

  function draw(data) {
    last = data;
    receivedAt = performance.now();
    document.getElementById("wall-at").textContent = "as of " + new Date(data.at * 1000).toLocaleTimeString();
    drawLines(data);
    drawQueues(data);
    drawAgents(data);
    drawCharts(data);
  }

  function tick() {
    if (!last) return;
    const moved = (performance.now() - receivedAt) / 1000;
    for (const td of page.querySelectorAll("td[data-tick]")) {
      const seconds = Number(td.dataset.tick) + moved;
      td.textContent = duration(seconds);
      if (td.dataset.band) td.dataset.level = level(td.dataset.band, seconds);
    }
    for (const left of page.querySelectorAll("span[data-countdown]")) {
      left.textContent = duration(Math.max(0, Number(left.dataset.countdown) - moved));
    }
  }

  function address() {
    const base = page.dataset.events;
    if (!lastId) return base;
    return base + (base.includes("?") ? "&" : "?") + "last_event_id=" + encodeURIComponent(lastId);
  }

  function connect() {
    const source = new EventSource(address());
    source.addEventListener("open", () => {
      setBadge("live", "live");
      window.acd.explain(why, "");
    });
    source.addEventListener("wall", (event) => {
      messages += 1;
      lastId = event.lastEventId;
      page.dataset.messages = String(messages);
      page.dataset.lastId = lastId;
      draw(JSON.parse(event.data));
    });
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) refused();
      else setBadge("down", "reconnecting\u2026");
    });
  }

  // EventSource gives up on an answer that is not a stream and does not say why: asked
  // again, the same address does (401: signed out, 403: a revoked link, 429/503: too many)
  async function refused() {
    setBadge("down", "disconnected");
    const refusal = await window.acd.streamRefusal(address());
    if (refusal.status === 401 && !kiosk) {
      window.location.assign("/signin?next=" + encodeURIComponent(window.location.pathname));
      return;
    }
    if (refusal.status === 403) {
      setBadge("refused", kiosk ? "this wall link was revoked" : "not allowed");
      window.acd.explain(why, "");
      return;
    }
    window.acd.explain(why, refusalText(refusal));
    window.setTimeout(connect, window.acd.retryAfterMs(refusal));
  }

  function refusalText(refusal) {
    if (refusal.status === 200) return ""; // room again: reconnecting
    if (refusal.status === 0) return "The wall cannot reach the server. It keeps trying by itself.";
    const say = REFUSED[refusal.reason];
    return say ? say(refusal.limit) : "This wall cannot connect right now. It keeps trying by itself.";
  }

  picker.addEventListener("change", () => last && drawCharts(last));
  setBadge("down", "connecting\u2026");
  connect();
  window.setInterval(tick, 1000);
  window.addEventListener("resize", resize);
})();
