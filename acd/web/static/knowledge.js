// /knowledge: the back office's list of agents' open questions, each with an answer form (the
// answer becomes an entry), and the entries by category, each with an edit form. Everything
// through /api/kb with the page's CSRF token; every text set with textContent.
"use strict";

(() => {
  const root = document.getElementById("kb-office");
  const message = document.getElementById("kb-message");
  const questions = root.querySelector(".kb-question-list");
  const entries = root.querySelector(".kb-entry-list");
  const filter = root.querySelector(".kb-filter");
  const category = root.querySelector(".kb-filter-category");
  const words = root.querySelector(".kb-filter-q");

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function when(epoch) {
    return epoch ? new Date(epoch * 1000).toLocaleString() : "";
  }

  function say(text, error) {
    message.textContent = text;
    message.classList.toggle("error", Boolean(error));
  }

  async function getJson(url) {
    const answer = await fetch(url, { credentials: "same-origin" });
    if (answer.status === 401) {
      window.location.assign("/signin?next=/knowledge");
    }
    const data = await answer.json().catch(() => ({}));
    if (!answer.ok) throw new Error(data.error || answer.statusText);
    return data;
  }

  async function put(url, body) {
    const answer = await fetch(url, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": acd.csrfToken() },
      body: JSON.stringify(body),
    });
    const data = await answer.json().catch(() => ({}));
    if (!answer.ok) throw new Error(data.error || answer.statusText);
    return data;
  }

  // A labelled field; `big` makes a textarea.
  function field(form, name, label, value, big) {
    const id = `${form.dataset.key}-${name}`;
    const wrap = el("label", `kb-field kb-field-${name}`);
    wrap.htmlFor = id;
    wrap.append(el("span", "", label));
    const input = el(big ? "textarea" : "input", `kb-${name}`);
    input.id = id;
    input.name = name;
    input.value = value || "";
    if (name === "title") input.maxLength = 200;
    if (name === "category") {
      input.maxLength = 40;
      input.pattern = "[a-z][a-z0-9_\\-]{0,39}"; // the v flag wants the - escaped
    }
    if (name !== "category" || form.dataset.needsCategory === "yes") input.required = true;
    wrap.append(input);
    form.append(wrap);
    return input;
  }

  function entryForm(key, values, needsCategory, buttonText) {
    const form = el("form", "kb-edit");
    form.dataset.key = key;
    form.dataset.needsCategory = needsCategory ? "yes" : "no";
    field(form, "title", "Title", values.title);
    field(form, "body", "Answer", values.body, true);
    field(form, "category", "Category", values.category);
    const button = el("button", "", buttonText);
    button.type = "submit";
    form.append(button);
    return form;
  }

  function valuesOf(form) {
    const body = {
      title: form.querySelector(".kb-title").value,
      body: form.querySelector(".kb-body").value,
    };
    const chosen = form.querySelector(".kb-category").value.trim();
    if (chosen) body.category = chosen;
    return body;
  }

  function drawQuestions(list) {
    questions.replaceChildren();
    root.querySelector("#kb-questions .kb-none").hidden = list.length > 0;
    for (const q of list) {
      const item = el("li", "kb-open");
      item.dataset.question = String(q.id);
      item.append(el("p", "kb-question-text", q.question));
      const facts = el("p", "kb-facts");
      facts.append(
        el("span", "kb-question-category", q.category || "no category"),
        el("span", "kb-question-call", q.call ? `call ${q.call}` : "no call"),
        el("span", "kb-question-agent", `asked by ${q.agent}`),
        el("span", "kb-question-at", when(q.asked_at)),
      );
      item.append(facts);
      const form = entryForm(`q${q.id}`, { category: q.category }, false, "Answer");
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
          await acd.post(`/api/kb/questions/${q.id}/answer`, valuesOf(form));
          say("Answered: the answer is an entry now.");
          await refresh();
        } catch (error) {
          say(`Not answered: ${error.message}`, true);
        }
      });
      item.append(form);
      questions.append(item);
    }
  }

  function drawEntries(list) {
    entries.replaceChildren();
    root.querySelector("#kb-entries .kb-none").hidden = list.length > 0;
    for (const e of list) {
      const item = el("li", "kb-entry");
      item.dataset.entry = String(e.id);
      item.append(el("h3", "kb-entry-title", e.title));
      item.append(el("p", "kb-entry-body", e.body));
      const facts = el("p", "kb-facts");
      facts.append(
        el("span", "kb-entry-category", e.category),
        el("span", "kb-entry-by", `by ${e.updated_by || "seed"}`),
        el("span", "kb-entry-at", when(e.updated_at)),
      );
      item.append(facts);
      const details = el("details", "kb-edit-box");
      details.append(el("summary", "", "Edit"));
      const form = entryForm(`e${e.id}`, e, true, "Save");
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
          await put(`/api/kb/${e.id}`, valuesOf(form));
          say("Entry saved.");
          await refresh();
        } catch (error) {
          say(`Not saved: ${error.message}`, true);
        }
      });
      details.append(form);
      item.append(details);
      entries.append(item);
    }
  }

  function drawCategories(list, chosen) {
    category.replaceChildren(el("option", "", "every category"));
    category.firstChild.value = "";
    for (const name of list) {
      const option = el("option", "", name);
      option.value = name;
      category.append(option);
    }
    category.value = chosen;
  }

  // Refreshes overlap (a search sent, then a category picked): only the newest one draws, all
  // of it at once, so a late answer never puts back a list the reader has moved on from, nor
  // closes an editor they opened meanwhile. data-loaded is "no" until the newest is drawn.
  let newest = 0;
  async function refresh() {
    const mine = ++newest;
    root.dataset.loaded = "no";
    const open = await getJson("/api/kb/questions");
    const found = await getJson("/api/kb/categories");
    const chosen = found.categories.includes(category.value) ? category.value : "";
    const query = new URLSearchParams({ q: words.value });
    if (chosen) query.set("category", chosen);
    const listed = await getJson(`/api/kb?${query}`);
    if (mine !== newest) return;
    drawQuestions(open.questions);
    drawCategories(found.categories, chosen);
    drawEntries(listed.entries);
    root.dataset.loaded = "yes";
  }

  const fresh = entryForm("new", {}, true, "Add");
  fresh.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await acd.post("/api/kb", valuesOf(fresh));
      fresh.reset();
      say("Entry added.");
      await refresh();
    } catch (error) {
      say(`Not added: ${error.message}`, true);
    }
  });
  document.getElementById("kb-new").append(fresh);

  filter.addEventListener("submit", (event) => {
    event.preventDefault();
    refresh().catch((error) => say(`Not loaded: ${error.message}`, true));
  });
  category.addEventListener("change", () => {
    refresh().catch((error) => say(`Not loaded: ${error.message}`, true));
  });
  refresh().catch((error) => say(`Not loaded: ${error.message}`, true));
})();
