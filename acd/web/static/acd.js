// Shared by every page: the session's CSRF token, fetch() that sends it, and why a live
// stream was refused (the wall's and the desk's).
// Pages set text with textContent and build elements; never innerHTML with data.
"use strict";

const acd = {
  csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  },

  // POST a JSON body with the CSRF token; resolves to the parsed answer, rejects with its error.
  async post(url, body) {
    const answer = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": acd.csrfToken() },
      body: JSON.stringify(body ?? {}),
    });
    if (answer.status === 401) {
      window.location.assign("/signin?next=" + encodeURIComponent(window.location.pathname));
    }
    const data = await answer.json().catch(() => ({}));
    if (!answer.ok) {
      throw new Error(data.error || answer.statusText);
    }
    return data;
  },

  // Why a live stream was refused: EventSource hides the answer, so ask the same address once
  // and read it ({status, reason, limit}; status 0: the daemon is away). A stream that opens
  // this time is closed at once, so the probe never holds a slot a tab could use.
  async streamRefusal(url) {
    const stop = new AbortController();
    try {
      const answer = await fetch(url, { credentials: "same-origin", cache: "no-store", signal: stop.signal });
      if (answer.ok) {
        stop.abort();
        return { status: answer.status };
      }
      const data = await answer.json().catch(() => ({}));
      return { status: answer.status, reason: data.reason, limit: data.limit };
    } catch (error) {
      return { status: 0 };
    }
  },

  // How soon a refused stream tries again: soon after a cap of one's own (closing a tab
  // frees the slot), later when the whole server is full or away.
  retryAfterMs(refusal) {
    if (refusal.status === 200) return 1000; // a slot is free now
    return refusal.reason === "per_person" || refusal.reason === "per_kiosk" ? 5000 : 15000;
  },

  // The plain-language reason under the badge, as text; none hides it.
  explain(node, text) {
    node.textContent = text || "";
    node.hidden = !text;
  },
};

window.acd = acd;
