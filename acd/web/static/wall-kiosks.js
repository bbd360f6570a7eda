// The wallboard's wall screen links (/wall, not the kiosk itself): make one (its address is
// shown once: only its hash is kept), list one's own (an admin's: everyone's), revoke one (the
// screens open with it are cut at once). /api/wall/kiosks with the page's CSRF token (acd.js).
// Every value is text (a label with markup shows as typed).
"use strict";

(function () {
  const form = document.getElementById("kiosk-make");
  const label = document.getElementById("kiosk-label");
  const made = document.getElementById("kiosk-made");
  const body = document.querySelector("#kiosks tbody");
  if (!form) return;

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function say(outcome, text) {
    made.dataset.outcome = outcome;
    made.replaceChildren(el("span", text));
  }

  async function list() {
    const answer = await fetch("/api/wall/kiosks", { credentials: "same-origin", cache: "no-store" });
    if (answer.status === 404) document.getElementById("kiosk-links").hidden = true; // none here
    if (!answer.ok) return;
    const data = await answer.json();
    body.replaceChildren(...data.kiosks.map(row));
  }

  function row(kiosk) {
    const tr = el("tr");
    tr.dataset.kiosk = String(kiosk.id);
    tr.dataset.revoked = kiosk.revoked ? "yes" : "no";
    const action = el("td");
    if (!kiosk.revoked) {
      const revoke = el("button", "Revoke", "danger");
      revoke.type = "button";
      revoke.addEventListener("click", () => end(kiosk, revoke));
      action.append(revoke);
    }
    tr.append(
      el("td", kiosk.label, "label"), el("td", kiosk.made_by),
      el("td", new Date(kiosk.created_at * 1000).toLocaleString()),
      el("td", kiosk.revoked ? "revoked" : "open", "state"), action,
    );
    return tr;
  }

  async function end(kiosk, button) {
    button.disabled = true;
    try {
      await window.acd.post("/api/wall/kiosks/" + kiosk.id + "/revoke", {});
      say("ok", "Revoked \u201c" + kiosk.label + "\u201d: its screens are cut off.");
    } catch (error) {
      say("refused", "Not revoked: " + error.message);
    }
    await list();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submit = form.querySelector('button[type="submit"]');
    submit.disabled = true;
    try {
      const answer = await window.acd.post("/api/wall/kiosks", { label: label.value.trim() });
      const address = window.location.origin + answer.url;
      made.dataset.outcome = "ok";
      const shown = el("input");
      shown.readOnly = true;
      shown.value = address;
      shown.id = "kiosk-address";
      shown.setAttribute("aria-label", "the wall screen's address");
      const open = el("a", "open it");
      open.href = answer.url;
      open.target = "_blank";
      open.rel = "noopener";
      made.replaceChildren(el("span", "Copy this address now: it is not shown again. "), open, shown);
      shown.select();
    } catch (error) {
      say("refused", "No link made: " + error.message);
    } finally {
      submit.disabled = false;
    }
    await list();
  });

  list();
})();
