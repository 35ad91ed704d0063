// Cityscape's only script, and an enhancement: every page works without it.
"use strict";

// After posting, the page opens at the private link (#private-link: the browser scrolls to the
// field and focuses it, with or without this script); its text is selected, ready to copy.
if (location.hash === "#private-link") {
  const field = document.getElementById("private-link");
  if (field) field.select();
}

// A "Copy" button beside a read-only field (the private link after posting) copies the field's
// text; without this script the button stays hidden and the field's text can be selected.
document.querySelectorAll("button[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  if (!field || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      button.textContent = "Copied";
    } catch {
      field.select();
    }
  });
});

// Suggestions while typing in the one search box: the ARIA 1.2 combobox pattern (a text box
// that controls a list box). Arrow keys move through the suggestions, Enter opens the one
// chosen (or submits what was typed), Escape closes the list. Without this script the box is a
// plain form field and the results page answers.
document.querySelectorAll(".combobox[data-suggest]").forEach((box) => {
  const input = box.querySelector("input");
  if (!input || !window.fetch) return;
  const list = document.createElement("ul");
  list.id = `${input.id}-suggestions`;
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Suggestions");
  list.hidden = true;
  box.append(list);
  const status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  box.append(status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  let suggestions = [];
  let active = -1;
  let timer = 0;
  let pending = null;
  // Set by Escape until the next keystroke changes the text.
  let closed = false;

  const show = (open) => {
    list.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
    if (!open) choose(-1);
  };
  const choose = (index) => {
    active = index;
    list.querySelectorAll("li").forEach((item, i) => item.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) input.setAttribute("aria-activedescendant", `${list.id}-${index}`);
    else input.removeAttribute("aria-activedescendant");
  };
  const go = (index) => {
    const place = suggestions[index];
    if (place) window.location.assign(place.url);
  };
  const render = () => {
    choose(-1);
    list.replaceChildren(...suggestions.map((place, i) => {
      const item = document.createElement("li");
      item.id = `${list.id}-${i}`;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      const where = document.createElement("span");
      where.className = "where";
      where.textContent = `, ${[place.region, place.country_name].filter(Boolean).join(", ")}`;
      item.append(place.name, where);
      // mousedown, not click: it comes before the box loses focus and closes the list.
      item.addEventListener("mousedown", (event) => { event.preventDefault(); go(i); });
      return item;
    }));
    status.textContent = suggestions.length
      ? `${suggestions.length} suggestion${suggestions.length === 1 ? "" : "s"}; use the arrow keys to choose.`
      : "";
    // An answer that arrives after the box was left (or closed) stays closed.
    show(suggestions.length > 0 && document.activeElement === input && !closed);
  };
  const suggest = async () => {
    const query = input.value.trim();
    if (pending) pending.abort();
    if (query.length < 2) { suggestions = []; render(); return; }
    pending = new AbortController();
    try {
      const url = `${box.dataset.suggest}?limit=8&q=${encodeURIComponent(query)}`;
      const response = await fetch(url, { signal: pending.signal });
      const answer = response.ok ? await response.json() : {};
      suggestions = answer.results || [];
      render();
    } catch {
      // Aborted by newer typing, or offline: the form still submits.
    }
  };

  input.addEventListener("input", () => {
    // What was highlighted belonged to the text before.
    choose(-1);
    closed = false;
    clearTimeout(timer);
    timer = setTimeout(suggest, 150);
  });
  input.addEventListener("keydown", (event) => {
    const open = !list.hidden;
    if ((event.key === "ArrowDown" || event.key === "ArrowUp") && suggestions.length) {
      event.preventDefault();
      closed = false;
      if (!open) show(true);
      const last = suggestions.length - 1;
      if (event.key === "ArrowDown") choose(active < last ? active + 1 : 0);
      else choose(active > 0 ? active - 1 : last);
    } else if (event.key === "Enter" && open && suggestions[active]) {
      event.preventDefault();
      go(active);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      closed = true;
      show(false);
    }
  });
  input.addEventListener("blur", () => show(false));
});
