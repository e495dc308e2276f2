// The unit picker (templates/_unit_picker.html): the text box becomes a WAI-ARIA combobox that asks
// /api/units/search as one types (debounced; the latest answer wins), lists what it finds in a listbox (arrow keys,
// Enter, Escape, or a tap) and puts the chosen unit's id or code in a hidden field. A unique match is chosen at
// once. Without JavaScript the page's "Find" button and its radio buttons do the same.

export const DEBOUNCE_MS = 200;
export const MIN_CHARS = 2;
export const LIMIT = 10;

/** The search address for `text`: `src?q=…&leaf=1&level=…&limit=…&mine=1`, or null when too little is typed. */
export function searchUrl(src, text, { leaf = false, level = "", limit = LIMIT, mine = false } = {}) {
  const typed = text.trim();
  if (typed.length < MIN_CHARS) return null;
  const params = new URLSearchParams({ q: typed.slice(0, 100) });
  if (leaf) params.set("leaf", "1");
  if (level) params.set("level", level);
  params.set("limit", String(limit));
  if (mine) params.set("mine", "1");
  return `${src}?${params}`;
}

/** The option made active by `key` from `active` (-1: none) among `count` options; wraps around. */
export function moveActive(active, count, key) {
  if (count === 0) return -1;
  if (key === "ArrowDown") return active < 0 || active >= count - 1 ? 0 : active + 1;
  if (key === "ArrowUp") return active <= 0 ? count - 1 : active - 1;
  if (key === "Home") return 0;
  if (key === "End") return count - 1;
  return active;
}

/** The unit to choose without asking: the only one found. */
export function uniqueMatch(units) {
  return units.length === 1 ? units[0] : null;
}

/** What goes in the form for `unit`: its id, or its code (`kind` "code"). */
export function valueOf(unit, kind) {
  return String(kind === "code" ? unit.code : unit.id);
}

/** `fn` called `ms` after the last call only. */
// The timers are called as functions of their own: a browser's setTimeout called as a method of another
// object throws "Illegal invocation".
const TIMERS = { set: (fn, ms) => setTimeout(fn, ms), clear: (timer) => clearTimeout(timer) };

export function debounce(fn, ms, timers = TIMERS) {
  let timer = null;
  return (...args) => {
    if (timer !== null) timers.clear(timer);
    timer = timers.set(() => { timer = null; fn(...args); }, ms);
  };
}

const fill = (template, key, value) => (template || "").replace(`%(${key})s`, value);

/** Make the picker `root` a combobox; `fetchJson(url)` answers the search's JSON (tests pass their own). */
export function attach(root, fetchJson = (url) => fetch(url, { headers: { Accept: "application/json" } })
  .then((response) => (response.ok ? response.json() : Promise.reject(new Error(String(response.status)))))) {
  const doc = root.ownerDocument;
  const data = root.dataset;
  const input = root.querySelector("input[type=search]");
  const list = root.querySelector("[role=listbox]");
  const status = root.querySelector("[role=status]");
  const find = root.querySelector(".unit-picker-find");
  if (!input || !list || !status) return null;
  let hidden = root.querySelector(`input[type=hidden][name="${data.name}"]`);
  let units = [];
  let active = -1;
  let asked = 0;
  let chosenName = hidden ? input.value : null;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  if (find) find.hidden = true;

  function field() {
    if (!hidden) {
      hidden = doc.createElement("input");
      hidden.type = "hidden";
      hidden.name = data.name;
      root.appendChild(hidden);
    }
    return hidden;
  }

  function open(isOpen) {
    list.hidden = !isOpen;
    input.setAttribute("aria-expanded", String(isOpen));
    if (!isOpen) setActive(-1);
  }

  function setActive(index) {
    active = index;
    list.querySelectorAll("[role=option]").forEach((option, i) => {
      option.classList.toggle("active", i === index);
      if (i === index) option.scrollIntoView?.({ block: "nearest" });
    });
    if (index >= 0) input.setAttribute("aria-activedescendant", `${list.id}-${index}`);
    else input.removeAttribute("aria-activedescendant");
  }

  function render() {
    list.replaceChildren(...units.map((unit, i) => {
      const option = doc.createElement("li");
      option.id = `${list.id}-${i}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", String(hidden !== null && hidden.value === valueOf(unit, data.value)));
      const name = doc.createElement("span");
      name.className = "unit-name";
      name.textContent = unit.name;
      const parents = doc.createElement("span");
      parents.className = "unit-parents";
      parents.textContent = unit.parents.join(", ");
      option.append(name, " ", parents);
      option.addEventListener("click", () => choose(unit, true));
      return option;
    }));
    open(units.length > 0);
  }

  function choose(unit, close) {
    field().value = valueOf(unit, data.value);
    root.querySelector(".unit-choices")?.remove();  // the no-JavaScript radio buttons, if the page came with them
    status.textContent = fill(data.chosen, "unit", unit.label);
    input.removeAttribute("aria-invalid");
    if (close) {
      input.value = unit.name;
      chosenName = unit.name;
      open(false);
      if (data.submit === "1") root.closest("form")?.requestSubmit();  // a board's filter shows it at once
    } else {
      render();
    }
  }

  function unchoose() {
    if (hidden) hidden.value = "";
    chosenName = null;
  }

  const search = debounce((text) => {
    const url = searchUrl(data.src, text, { leaf: data.leaf === "1", level: data.level || "", mine: data.mine === "1" });
    const ask = ++asked;
    if (url === null) {
      units = [];
      render();
      status.textContent = "";
      return;
    }
    fetchJson(url).then((answer) => {
      if (ask !== asked) return;  // a later search was sent: its answer counts
      units = answer.units || [];
      const only = uniqueMatch(units);
      if (only) {
        choose(only, false);
      } else {
        render();
        status.textContent = units.length ? fill(data.count, "count", String(units.length)) : data.empty;
      }
    }, () => {
      if (ask === asked) status.textContent = data.failed;
    });
  }, DEBOUNCE_MS);

  input.addEventListener("input", () => {
    if (chosenName !== null && input.value !== chosenName) unchoose();
    search(input.value);
  });
  input.addEventListener("keydown", (event) => {
    const isOpen = !list.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!isOpen && units.length) open(true);
      setActive(moveActive(active, units.length, event.key));
    } else if (event.key === "Enter" && isOpen) {
      event.preventDefault();  // choosing, not sending the form
      const unit = units[active] || uniqueMatch(units);
      if (unit) choose(unit, true);
    } else if (event.key === "Escape") {
      if (isOpen) {
        event.preventDefault();
        open(false);
      } else if (input.value) {
        event.preventDefault();
        input.value = "";
        unchoose();
        status.textContent = "";
      }
    }
  });
  // A tap on an option must not blur the box first (the list would close under the finger).
  list.addEventListener("mousedown", (event) => event.preventDefault());
  input.addEventListener("blur", () => open(false));
  return { search: (text) => { input.value = text; search(text); } };
}

if (typeof document !== "undefined") {
  document.querySelectorAll("[data-unit-picker]").forEach((root) => attach(root));
}
