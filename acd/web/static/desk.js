// The agent's desk: the screen pop while the phone rings, cleared when the ring stops.
// One EventSource on /api/events (the browser resends Last-Event-ID on every reconnect); a ring
// (AgentRung) for this agent fetches its pop from /api/pops/<call>; any later event of a shown
// call fetches the agent's list of pops again (a pop not in it has stopped ringing: it goes).
// Every value is set with textContent or as an element: a customer's name with markup is text.
// A stream the server refuses (too many tabs) says why under the badge, as text, and tries
// again (acd.js streamRefusal); signed out, the page goes to the sign-in.
"use strict";

(function () {
  const page = document.getElementById("desk");
  const me = page.dataset.agent;
  const list = document.getElementById("pops");
  const badge = document.getElementById("connection");
  const empty = document.getElementById("no-pops");
  const why = document.getElementById("connection-why");
  const shown = new Map(); // call id -> {element, pop, fetched (performance.now() at the answer)}
  const CALL_EVENTS = [
    "AgentMissed", "CallAnswered", "CallCompleted", "CallerAbandoned", "QueueExited",
    "ChannelHungUp", "CallEscalated", "CustomerPicked", "CallerJoined",
  ];
  // what changes the agent's own state or wrap-up, from the phone or the page: passed on as
  // "deskevent" on #desk for the controls (desk-actions.js), which ask /api/desk/me again
  const DESK_EVENTS = [
    "AgentLoggedIn", "AgentLoggedOut", "AgentPaused", "AgentResumed", "AgentWrappedUp",
    "CallWrappedUp", "AgentRung", "AgentMissed", "CallAnswered", "CallCompleted", "CallEscalated",
  ];
  const MATCH = {
    number: "matched by the caller's number",
    account: "named by the account typed in the IVR",
    picked: "picked on a shared number",
    shared: "shared number: ask who is calling",
    unknown: "unknown caller: ask for their name",
  };
  // what a refused desk tells its agent (the refusal's reason: acd/web/push.py)
  const REFUSED = {
    per_person: (n) => "Your desk is open in too many tabs (" + n + " at most), so calls will not show here. "
      + "Close one and this tab reconnects by itself.",
    full: () => "Too many people are connected right now, so calls will not show here. "
      + "This tab reconnects by itself when there is room.",
  };

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function row(dl, label, value, className) {
    if (value === undefined || value === null || value === "") return;
    dl.append(el("dt", label), el("dd", value, className));
  }

  function clock(epoch) {
    return epoch ? new Date(epoch * 1000).toLocaleString() : "";
  }

  function setBadge(state, text) {
    badge.dataset.state = state;
    badge.textContent = text;
  }

  // -- rendering one pop ----------------------------------------------------------------------

  function render(pop) {
    const card = el("article", null, "pop card");
    card.dataset.call = pop.call;
    card.dataset.state = pop.state;
    const head = el("header", null, "pop-head");
    head.append(
      el("span", pop.state === "ringing" ? "Ringing" : "Connected", "pop-state"),
      el("span", pop.queue + (pop.line ? " \u00b7 line " + pop.line : ""), "pop-queue"),
      el("span", "", "pop-waited"),
    );
    if (pop.customer && pop.customer.vip) head.append(el("span", "VIP", "pop-vip badge"));
    card.append(head, caller(pop), ivr(pop), route(pop), history(pop), help(pop));
    card.querySelectorAll("section:empty").forEach((s) => s.remove());
    return card;
  }

  function caller(pop) {
    const part = el("section", null, "pop-caller");
    const who = pop.caller;
    part.append(el("h2", pop.address || (who.match === "shared" ? "Shared number" : "Unknown caller"), "pop-name"));
    const dl = el("dl");
    row(dl, "Match", MATCH[who.match] || who.match, "pop-match");
    row(dl, "Number", who.withheld ? "withheld" : who.number, "pop-number");
    if (pop.customer) {
      row(dl, "Segment", pop.customer.segment, "pop-segment");
      row(dl, "Language", who.language || pop.customer.language, "pop-language");
      row(dl, "Accounts", pop.customer.accounts.join(", "), "pop-accounts");
    }
    row(dl, "Greeted by name", who.greeted ? "yes" : "", "pop-greeted");
    part.append(dl);
    if (who.match === "shared" || who.match === "picked") part.append(candidates(pop));
    return part;
  }

  function candidates(pop) {
    const box = el("div", null, "pop-candidates");
    box.append(el("p", "Customers on this number:", "hint"));
    for (const c of pop.candidates || []) {
      const button = el("button", c.name, c.id === pop.caller.customer_id ? "picked" : "quiet");
      button.type = "button";
      button.dataset.customer = String(c.id);
      button.addEventListener("click", () => pick(pop.call, c.id, button));
      box.append(button);
    }
    return box;
  }

  function ivr(pop) {
    const part = el("section", null, "pop-ivr");
    if (!pop.ivr) return part;
    part.append(el("h3", "What the IVR learned"));
    const dl = el("dl");
    row(dl, "Category", pop.ivr.category, "pop-category");
    row(dl, "Account", pop.ivr.account, "pop-account");
    const verified = pop.ivr.verification === "verified"
      ? "verified" + (pop.ivr.verified_by ? " by " + pop.ivr.verified_by.replace(/_/g, " ") : "")
      : (pop.ivr.verification || "not asked").replace(/_/g, " ");
    row(dl, "Identity", verified, "pop-verification " + (pop.ivr.verification || "none"));
    row(dl, "Steps", pop.ivr.steps.join(" \u2192 "), "pop-steps");
    part.append(dl);
    return part;
  }

  function route(pop) {
    const part = el("section", null, "pop-route");
    const dl = el("dl");
    if (pop.personal) row(dl, "Route", "rings you first: you served this caller last");
    if (pop.overflow) row(dl, "Overflow", pop.overflow.queue + " (line " + pop.overflow.line + ") overflows to you", "pop-overflow");
    if (pop.queues.length > 1) row(dl, "Queues", pop.queues.join(" \u2192 "));
    const rec = pop.recording;
    row(dl, "Recorded", rec.recorded === "maybe" ? "maybe (" + Math.round(rec.share * 100) + "% of calls)" : rec.recorded, "pop-recorded");
    if (dl.childElementCount) part.append(dl);
    if (pop.escalations.length) {
      part.append(el("h3", "Escalated"));
      const ul = el("ul", null, "pop-escalations");
      for (const e of pop.escalations) {
        const li = el("li");
        li.append(el("span", e.from_queue + " \u2192 " + e.to_queue + " by " + e.agent + " (" + e.reason + ")"));
        if (e.note) li.append(el("q", e.note, "pop-note"));
        ul.append(li);
      }
      part.append(ul);
    }
    return part;
  }

  function history(pop) {
    const part = el("section", null, "pop-history");
    if (pop.open_cases && pop.open_cases.length) {
      part.append(el("h3", "Open complaint cases"));
      const cases = el("ul", null, "pop-cases");
      for (const c of pop.open_cases) {
        const owner = c.owner ? (c.owner_name || c.owner) : "nobody";
        const due = clock(c.deadline) + (c.overdue ? " (overdue)" : "");
        cases.append(el("li", c.id + " \u00b7 " + owner + " \u00b7 level " + c.level + " \u00b7 due " + due, c.overdue ? "overdue" : ""));
      }
      part.append(cases);
    }
    if (!pop.last_contacts || !pop.last_contacts.length) return part;
    part.append(el("h3", "Last contacts"));
    const ul = el("ul", null, "pop-contacts");
    for (const c of pop.last_contacts) {
      const li = el("li");
      li.append(el("span", clock(c.started_at) + " \u00b7 " + (c.category || "no category") + " \u00b7 " + (c.outcome || "open")));
      for (const d of c.dispositions) li.append(el("span", d.code + " (" + d.agent + ")", "badge"));
      for (const n of c.notes) li.append(el("q", n.text, "pop-note"));
      ul.append(li);
    }
    part.append(ul);
    return part;
  }

  function help(pop) {
    const part = el("section", null, "pop-help");
    for (const o of pop.offers || []) part.append(el("p", o.text, "pop-offer"));
    if (pop.hints && pop.hints.length) {
      part.append(el("h3", "Knowledge"));
      const ul = el("ul", null, "pop-hints");
      for (const h of pop.hints) ul.append(el("li", h.title || h.text || ""));
      part.append(ul);
    }
    return part;
  }

  // -- keeping the list in step -----------------------------------------------------------------

  function show(pop) {
    const old = shown.get(pop.call);
    const card = render(pop);
    if (old) old.element.replaceWith(card);
    else list.append(card);
    shown.set(pop.call, { element: card, pop: pop, fetched: performance.now() });
    card.dataset.renderedAt = String(Date.now());
    tick();
    empty.hidden = shown.size > 0;
    page.dispatchEvent(new CustomEvent("pop", { detail: pop })); // for the wrap-up and KB slots
  }

  function clear(call) {
    const old = shown.get(call);
    if (!old) return;
    old.element.remove();
    shown.delete(call);
    empty.hidden = shown.size > 0;
    page.dispatchEvent(new CustomEvent("popcleared", { detail: { call: call } }));
  }

  async function fetchJson(url) {
    const answer = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (answer.status === 401) window.location.assign("/signin?next=/desk");
    return { status: answer.status, body: answer.ok ? await answer.json() : null };
  }

  // Answers may come back in any order, and after the stream said more: each fetch is
  // numbered, and an answer older than what drew a pop (or the whole list) is stale. A call
  // whose ring is still being fetched counts as shown, so its end asks for the list.
  let asked = 0;
  let listed = 0; // the number of the newest list drawn
  const drawnBy = new Map(); // call -> the number of the answer that last drew or cleared it
  const fetching = new Map(); // call -> fetches in flight

  function older(call, mine) {
    return mine < (drawnBy.get(call) || 0);
  }

  async function refreshOne(call) {
    const mine = ++asked;
    fetching.set(call, (fetching.get(call) || 0) + 1);
    try {
      const { status, body } = await fetchJson("/api/pops/" + encodeURIComponent(call));
      if (mine < listed || older(call, mine)) return;
      if (status === 200) {
        drawnBy.set(call, mine);
        show(body);
      } else if (status === 403 || status === 404) {
        drawnBy.set(call, mine);
        clear(call);
      }
    } finally {
      const left = fetching.get(call) - 1;
      if (left) fetching.set(call, left);
      else fetching.delete(call);
    }
  }

  async function refreshAll() {
    const mine = ++asked;
    const { status, body } = await fetchJson("/api/pops");
    if (status !== 200 || mine < listed) return;
    listed = mine;
    const now = new Set(body.pops.map((p) => p.call));
    for (const call of [...shown.keys()]) if (!now.has(call) && !older(call, mine)) clear(call);
    for (const pop of body.pops) if (!older(pop.call, mine)) show(pop);
    for (const [call, by] of [...drawnBy]) if (by <= listed) drawnBy.delete(call); // the list is newer
  }

  async function pick(call, customer, button) {
    button.disabled = true;
    try {
      show(await window.acd.post("/api/pops/" + encodeURIComponent(call) + "/customer", { customer_id: customer }));
    } catch (error) {
      button.disabled = false;
      button.title = error.message;
    }
  }

  function tick() {
    for (const { element, pop, fetched } of shown.values()) {
      if (pop.waited === null || pop.waited === undefined) continue;
      const seconds = Math.round(pop.waited + (performance.now() - fetched) / 1000);
      element.querySelector(".pop-waited").textContent =
        "waited " + Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
    }
  }

  function deskEvent(type, event) {
    page.dispatchEvent(new CustomEvent("deskevent", { detail: { type: type, event: event } }));
  }

  function connect() {
    const events = new EventSource("/api/events");
    events.onopen = () => {
      setBadge("live", "live");
      window.acd.explain(why, "");
      empty.hidden = shown.size > 0;
      refreshAll(); // what changed while the stream was away (a reset, a restart)
      deskEvent("open", null);
    };
    events.onerror = () => {
      if (events.readyState === EventSource.CLOSED) refused();
      else setBadge("down", "reconnecting\u2026");
    };
    events.addEventListener("AgentRung", (message) => {
      const event = JSON.parse(message.data).event;
      if (event.agent === me) refreshOne(event.call_id);
    });
    for (const kind of CALL_EVENTS) {
      events.addEventListener(kind, (message) => {
        // the list, not the call: a pop that has gone is simply not in it (no 403 to log)
        const call = JSON.parse(message.data).event.call_id;
        if (shown.has(call) || fetching.has(call)) refreshAll();
      });
    }
    for (const kind of DESK_EVENTS) {
      events.addEventListener(kind, (message) => deskEvent(kind, JSON.parse(message.data).event));
    }
    events.addEventListener("reset", () => {
      refreshAll();
      deskEvent("open", null);
    });
    return events;
  }

  // EventSource gives up on an answer that is not a stream and does not say why: asked
  // again, the same address does (401: signed out, 403: not an agent now, 429/503: too many)
  async function refused() {
    setBadge("down", "disconnected");
    const refusal = await window.acd.streamRefusal("/api/events");
    if (refusal.status === 401) {
      window.location.assign("/signin?next=/desk");
      return;
    }
    if (refusal.status === 403) {
      setBadge("refused", "not allowed");
      window.acd.explain(why, "");
      return;
    }
    const text = refusalText(refusal);
    window.acd.explain(why, text);
    if (text) empty.hidden = true; // "details appear as soon as your phone rings" would not hold
    window.setTimeout(connect, window.acd.retryAfterMs(refusal));
  }

  function refusalText(refusal) {
    if (refusal.status === 200) return ""; // room again: reconnecting
    if (refusal.status === 0) return "Your desk cannot reach the server, so calls will not show here. It keeps trying by itself.";
    const say = REFUSED[refusal.reason];
    return say ? say(refusal.limit)
      : "Your desk cannot connect right now, so calls will not show here. It keeps trying by itself.";
  }

  setBadge("down", "connecting\u2026");
  connect();
  window.setInterval(tick, 1000);
})();
