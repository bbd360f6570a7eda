// The agent's controls on /desk: state (ready, pause with a reason, sign out), escalate, the
// wrap-up form with its countdown, the knowledge base, and today's figures. Every change goes
// through the same API the phone's codes reach (one state); the page follows the desk's event
// stream (desk.js re-dispatches the agent's events as "deskevent"), never a poll.
// Text is set with textContent and elements are built; never innerHTML with data.
"use strict";

(function () {
  const page = document.getElementById("desk");
  if (!page) return;
  const me = page.dataset.agent;
  const slots = {
    state: document.getElementById("state-controls"),
    wrapup: document.getElementById("wrapup"),
    kb: document.getElementById("kb-search"),
    figures: document.getElementById("my-figures"),
  };
  const STATES = {
    ready: "Ready", ringing: "Ringing", on_call: "On a call", wrap_up: "Wrap-up",
    paused: "Paused", logged_out: "Signed out of the queues",
  };
  let desk = null; // the last GET /api/desk/me
  let lastCall = null; // {call, category}: the call the wrap-up form codes
  let wrapEnds = null; // performance.now() when the wrap-up hold ends
  let kbSetFor = null; // the call whose category the search was set to
  const coded = new Set(); // calls whose wrap-up this page sent: their form does not come back

  function el(tag, text, className) {
    const made = document.createElement(tag);
    if (text !== undefined && text !== null) made.textContent = String(text);
    if (className) made.className = className;
    return made;
  }

  function labelled(text, control) {
    const label = el("label", text);
    label.appendChild(control);
    return label;
  }

  async function post(url, body) {
    return window.acd.post(url, body);
  }

  function say(slot, text, bad) {
    let line = slot.querySelector(".desk-message");
    if (!line) {
      line = el("p", "", "desk-message");
      line.setAttribute("role", "status");
      slot.appendChild(line);
    }
    line.textContent = text;
    line.classList.toggle("error", !!bad);
  }

  let asked = 0; // refreshes started: an older answer arriving after a newer one is stale

  async function refresh() {
    const mine = ++asked;
    const answer = await fetch("/api/desk/me", { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!answer.ok) return;
    const said = await answer.json();
    if (mine !== asked) return; // a later refresh, asked after a later change, draws instead
    desk = said;
    if (desk.wrapup) {
      wrapEnds = performance.now() + desk.wrapup.left * 1000;
      const call = desk.wrapup.call;
      if ((!lastCall || lastCall.call !== call) && !coded.has(call)) lastCall = { call: call, category: "" };
    } else {
      wrapEnds = null;
    }
    drawState();
    drawWrapup();
    drawFigures();
  }

  async function act(path, body) {
    try {
      await post(path, body);
      say(slots.state, "");
    } catch (error) {
      say(slots.state, error.message, true);
    }
    await refresh();
  }

  function drawState() {
    const agent = desk.agent;
    const slot = slots.state;
    // what outlives a redraw (the stream's events redraw often): the last message, and the
    // escalate form with the note being typed while the call lasts
    const message = slot.querySelector(".desk-message");
    const typing = slot.querySelector(".desk-escalate");
    const picked = slot.querySelector(".desk-reason");
    slot.replaceChildren();
    const state = el("p", "", "desk-state");
    state.dataset.state = agent.state;
    state.appendChild(el("strong", STATES[agent.state] || agent.state, "desk-state-name"));
    if (agent.reason) state.appendChild(el("span", " (" + agent.reason + ")"));
    if (agent.pending) state.appendChild(el("span", " · paused after this call: " + agent.pending));
    slot.appendChild(state);

    const ready = el("button", "Ready", "desk-ready");
    ready.type = "button";
    ready.disabled = agent.state === "ready" && !agent.pending;
    ready.addEventListener("click", () => act("/api/desk/ready", {}));
    const reasons = el("select", null, "desk-reason");
    for (const reason of desk.pause_reasons) reasons.appendChild(el("option", reason)).value = reason;
    if (picked && desk.pause_reasons.includes(picked.value)) reasons.value = picked.value; // the agent's choice
    const pause = el("button", "Pause", "desk-pause");
    pause.type = "button";
    pause.disabled = agent.state === "logged_out";
    pause.addEventListener("click", () => act("/api/desk/pause", { reason: reasons.value }));
    const out = el("button", "Sign out of the queues", "desk-logout");
    out.type = "button";
    out.disabled = agent.state === "logged_out";
    out.addEventListener("click", () => act("/api/desk/logout", {}));
    const row = el("div", null, "desk-buttons");
    row.append(ready, labelled("Reason ", reasons), pause, out);
    slot.appendChild(row);
    if (agent.state === "on_call") slot.appendChild(typing || escalateForm());
    if (message) slot.appendChild(message);
  }

  function escalateForm() {
    const form = el("form", null, "desk-escalate");
    const reasons = el("select", null, "desk-escalate-reason");
    for (const reason of desk.escalation_reasons) reasons.appendChild(el("option", reason)).value = reason;
    const note = el("textarea", null, "desk-escalate-note");
    note.maxLength = 500;
    note.rows = 2;
    note.placeholder = "A note for the next line";
    const send = el("button", "Escalate to the next line");
    send.type = "submit";
    form.append(labelled("Escalation reason ", reasons), note, send);
    form.addEventListener("submit", async (submitted) => {
      submitted.preventDefault();
      send.disabled = true;
      try {
        const sent = await post("/api/desk/escalate", { reason: reasons.value, note: note.value });
        say(slots.state, "Sent on to " + sent.to_queue + ".");
      } catch (error) {
        say(slots.state, error.message, true);
        send.disabled = false;
      }
    });
    return form;
  }

  function drawWrapup() {
    const slot = slots.wrapup;
    if (!lastCall) {
      const said = slot.querySelector(".desk-message"); // "Wrap-up saved." stays until the next call
      slot.replaceChildren(...(said && !slot.dataset.call ? [said] : []));
      return;
    }
    if (slot.dataset.call === lastCall.call && slot.querySelector("form")) {
      tick();
      return; // keep what the agent is typing
    }
    const call = lastCall.call; // the form codes this call, whatever rings next
    slot.replaceChildren();
    slot.dataset.call = call;
    const form = el("form", null, "wrapup-form");
    form.appendChild(el("h2", "Wrap-up"));
    form.appendChild(el("p", "", "wrapup-countdown"));
    const code = el("select", null, "wrapup-disposition");
    for (const d of desk.dispositions) {
      const option = code.appendChild(el("option", d.label));
      option.value = d.code;
      option.dataset.resolved = d.resolved ? "1" : "";
    }
    const resolved = el("input", null, "wrapup-resolved");
    resolved.type = "checkbox";
    const followUp = el("input", null, "wrapup-follow-up");
    followUp.type = "checkbox";
    const setDefault = () => {
      resolved.checked = code.selectedOptions[0] && code.selectedOptions[0].dataset.resolved === "1";
    };
    code.addEventListener("change", setDefault);
    setDefault();
    const notes = el("textarea", null, "wrapup-notes");
    notes.maxLength = desk.note_max;
    notes.rows = 3;
    notes.placeholder = "Notes for the next agent";
    const submit = el("button", "Submit wrap-up", "wrapup-submit");
    submit.type = "submit";
    form.append(
      labelled("Disposition ", code), labelled("Notes ", notes), labelled(" Resolved on this call", resolved),
      labelled(" Follow-up needed", followUp), submit,
    );
    form.addEventListener("submit", async (submitted) => {
      submitted.preventDefault();
      submit.disabled = true;
      try {
        await post("/api/wrapup/" + encodeURIComponent(call), {
          disposition: code.value, notes: notes.value, resolved: resolved.checked, follow_up: followUp.checked,
        });
        coded.add(call);
        say(slots.state, ""); // a "submit the wrap-up first" is answered
        if (lastCall && lastCall.call === call) lastCall = null;
        slot.replaceChildren(el("p", "Wrap-up saved.", "desk-message"));
        delete slot.dataset.call;
      } catch (error) {
        say(slot, error.message, true);
        submit.disabled = false;
      }
      await refresh();
    });
    slot.appendChild(form);
    tick();
  }

  function tick() {
    const line = slots.wrapup.querySelector(".wrapup-countdown");
    if (!line) return;
    if (wrapEnds === null) {
      line.textContent = "";
      return;
    }
    const left = Math.max(0, Math.round((wrapEnds - performance.now()) / 1000));
    line.textContent = "Ready again in " + left + " s, or as soon as you submit";
  }

  function drawFigures() {
    const today = desk.today;
    const slot = slots.figures;
    slot.replaceChildren(el("h2", "Today"));
    const list = el("dl", null, "figures");
    const add = (label, value, name) => {
      list.appendChild(el("dt", label));
      list.appendChild(el("dd", value, "figure-" + name));
    };
    add("Calls", today.calls, "calls");
    add("Average handle time", today.aht_s === null ? "–" : Math.round(today.aht_s) + " s", "aht");
    add("Wrap-ups", today.wrapups + " (" + Math.round(today.wrapup_s) + " s)", "wrapups");
    add("Resolved", today.resolved_share === null ? "–" : Math.round(today.resolved_share * 100) + " %", "resolved");
    slot.appendChild(list);
  }

  // the knowledge base's categories as options (an IVR category set from the pop may be new)
  function addCategory(select, name) {
    if (!name || [...select.options].some((o) => o.value === name)) return;
    select.appendChild(el("option", name.replace(/_/g, " "))).value = name;
  }

  async function listCategories(select) {
    const answer = await fetch("/api/kb/categories", { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!answer.ok) return;
    const chosen = select.value;
    for (const name of (await answer.json()).categories) addCategory(select, name);
    select.value = chosen;
  }

  function drawKnowledge() {
    const slot = slots.kb;
    slot.replaceChildren(el("h2", "Knowledge base"));
    const form = el("form", null, "kb-form");
    const q = el("input", null, "kb-q");
    q.type = "search";
    q.maxLength = 200;
    q.placeholder = "Search answers";
    const category = el("select", null, "kb-category");
    category.appendChild(el("option", "Every category")).value = "";
    const go = el("button", "Search");
    go.type = "submit";
    form.append(labelled("Search ", q), labelled("Category ", category), go);
    listCategories(category);
    const results = el("ol", null, "kb-results");
    let searches = 0; // searches sent: an answer to an older one, arriving last, is stale
    form.addEventListener("submit", async (submitted) => {
      submitted.preventDefault();
      const mine = ++searches;
      const url = "/api/kb?q=" + encodeURIComponent(q.value) +
        (category.value ? "&category=" + encodeURIComponent(category.value) : "");
      const answer = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      const body = await answer.json().catch(() => ({}));
      if (mine !== searches) return; // a newer search draws instead
      results.replaceChildren();
      if (!answer.ok) return say(slot, body.error || answer.statusText, true);
      for (const entry of body.entries) {
        const item = el("li", null, "kb-entry");
        item.append(el("h3", entry.title), el("p", entry.body, "kb-body"));
        results.appendChild(item);
      }
      if (!body.entries.length) results.appendChild(el("li", "No answer found. Ask the back office below.", "kb-none"));
    });
    const ask = el("form", null, "kb-ask");
    const question = el("textarea", null, "kb-question");
    question.maxLength = 2000;
    question.rows = 2;
    question.placeholder = "A question with no answer here: sent with the call to the back office";
    const send = el("button", "Ask the back office");
    send.type = "submit";
    ask.append(question, send);
    ask.addEventListener("submit", async (submitted) => {
      submitted.preventDefault();
      const body = { question: question.value };
      if (lastCall) body.call = lastCall.call;
      const about = (lastCall && lastCall.category) || category.value; // the call's, else the one searched
      if (about) body.category = about;
      try {
        await post("/api/kb/questions", body);
        question.value = "";
        say(slot, "Sent to the back office.");
      } catch (error) {
        say(slot, error.message, true);
      }
    });
    slot.append(form, results, ask);
  }

  page.addEventListener("pop", (shown) => {
    const pop = shown.detail;
    const category = (pop.ivr && pop.ivr.category) || "";
    if (pop.state === "connected" && !coded.has(pop.call)) lastCall = { call: pop.call, category: category };
    const field = slots.kb.querySelector(".kb-category");
    if (field && category && pop.call !== kbSetFor) {
      addCategory(field, category);
      field.value = category; // the caller's category, once per call: the agent may choose another
      kbSetFor = pop.call;
    }
    refresh();
  });
  page.addEventListener("popcleared", refresh);
  page.addEventListener("deskevent", (message) => {
    const { type, event } = message.detail;
    if (type === "open" || !event || event.agent === me) refresh();
  });

  drawKnowledge();
  refresh();
  window.setInterval(tick, 1000);
})();
