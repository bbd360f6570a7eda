// Shared by every page: the session's CSRF token, and fetch() that sends it.
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
};

window.acd = acd;
