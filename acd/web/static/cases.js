// /cases: the open complaint cases from /api/cases, each with a note field and a resolve
// button (POST /api/cases/<id>/resolve). Text by textContent only; refreshed every 15 s.
"use strict";

(function () {
  const body = document.querySelector("#cases tbody");
  const status = document.getElementById("cases-status");
  const SOURCES = { ivr: "IVR", escalation: "escalation", disposition: "wrap-up" };

  function td(text, className) {
    const cell = document.createElement("td");
    cell.textContent = text;
    if (className) cell.className = className;
    return cell;
  }

  function when(epoch) {
    return new Date(epoch * 1000).toLocaleString([], { dateStyle: "short", timeStyle: "short" });
  }

  function resolver(item) {
    const cell = document.createElement("td");
    const holder = document.createElement("div");
    holder.className = "case-resolve";
    const note = document.createElement("input");
    note.type = "text";
    note.maxLength = 2000;
    note.placeholder = "What was done";
    note.className = "case-note";
    note.setAttribute("aria-label", "note for " + item.id);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "case-resolve-button";
    button.textContent = "Resolve";
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await acd.post("/api/cases/" + encodeURIComponent(item.id) + "/resolve", { note: note.value });
        status.textContent = "Case resolved.";
        await load();
      } catch (error) {
        status.textContent = "Not resolved: " + error.message;
        button.disabled = false;
      }
    });
    holder.replaceChildren(note, button);
    cell.append(holder);
    return cell;
  }

  function row(item) {
    const tr = document.createElement("tr");
    tr.dataset.case = item.id;
    if (item.overdue) tr.className = "overdue";
    const owner = item.owner ? (item.owner_name ? item.owner_name + " (" + item.owner + ")" : item.owner) : "nobody";
    tr.replaceChildren(
      td(item.id),
      td(item.caller_id || "-"),
      td(item.customer_id === null ? "-" : String(item.customer_id)),
      td(SOURCES[item.source] || item.source),
      td(owner, "case-owner"),
      td(String(item.level), "case-level"),
      td(when(item.deadline) + (item.overdue ? " (overdue)" : ""), "case-deadline"),
      resolver(item),
    );
    return tr;
  }

  let loads = 0; // lists asked for: the timer's, answered after a resolve's newer one, is stale

  async function load() {
    const mine = ++loads;
    const answer = await fetch("/api/cases", { credentials: "same-origin" });
    if (answer.status === 401) {
      window.location.assign("/signin?next=/cases");
      return;
    }
    const data = await answer.json().catch(() => ({}));
    if (mine !== loads) return;
    if (!answer.ok) {
      status.textContent = data.error || answer.statusText;
      return;
    }
    body.replaceChildren(...data.cases.map(row));
    if (!data.cases.length) status.textContent = "No open case.";
    else if (status.textContent === "No open case.") status.textContent = "";
  }

  load();
  setInterval(() => { if (!document.querySelector("#cases input:focus")) load(); }, 15000);
})();
