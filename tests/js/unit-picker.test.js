// The unit picker's pure parts: the search address, moving through the options, the unique match, debouncing.
import assert from "node:assert/strict";
import { test } from "node:test";

import { debounce, moveActive, searchUrl, uniqueMatch, valueOf } from "../../contest/static/js/unit-picker.js";

test("the search address carries what was typed, trimmed, and the picker's filters", () => {
  assert.equal(searchUrl("/api/units/search", "  Đại Từ "), "/api/units/search?q=%C4%90%E1%BA%A1i+T%E1%BB%AB&limit=10");
  assert.equal(searchUrl("/s", "dai tu", { leaf: true, level: "Huyện", limit: 20, mine: true }),
    "/s?q=dai+tu&leaf=1&level=Huy%E1%BB%87n&limit=20&mine=1");
  assert.equal(searchUrl("/s", "x".repeat(150)).length, "/s?q=".length + 100 + "&limit=10".length);
});

test("nothing is asked for under two characters", () => {
  assert.equal(searchUrl("/s", ""), null);
  assert.equal(searchUrl("/s", " a "), null);
  assert.notEqual(searchUrl("/s", "ab"), null);
});

test("the arrow keys move through the options and wrap around", () => {
  assert.equal(moveActive(-1, 3, "ArrowDown"), 0);
  assert.equal(moveActive(0, 3, "ArrowDown"), 1);
  assert.equal(moveActive(2, 3, "ArrowDown"), 0);
  assert.equal(moveActive(-1, 3, "ArrowUp"), 2);
  assert.equal(moveActive(0, 3, "ArrowUp"), 2);
  assert.equal(moveActive(2, 3, "ArrowUp"), 1);
  assert.equal(moveActive(1, 3, "Home"), 0);
  assert.equal(moveActive(1, 3, "End"), 2);
  assert.equal(moveActive(1, 3, "a"), 1);
  assert.equal(moveActive(-1, 0, "ArrowDown"), -1);
});

test("only a single unit found is chosen without asking", () => {
  const one = { id: 7, code: "DT-S1" };
  assert.equal(uniqueMatch([one]), one);
  assert.equal(uniqueMatch([]), null);
  assert.equal(uniqueMatch([one, { id: 8, code: "DT-S2" }]), null);
});

test("the form gets the unit's id, or its code where the form takes codes", () => {
  assert.equal(valueOf({ id: 7, code: "DT-S1" }, "id"), "7");
  assert.equal(valueOf({ id: 7, code: "DT-S1" }, "code"), "DT-S1");
});

test("typing fast asks once, for the last text", () => {
  const pending = new Map();
  let next = 1;
  const timers = { set: (fn) => { pending.set(next, fn); return next++; }, clear: (id) => pending.delete(id) };
  const asked = [];
  const search = debounce((text) => asked.push(text), 250, timers);
  search("d"); search("da"); search("dai");
  assert.equal(pending.size, 1);
  [...pending.values()].forEach((fn) => fn());
  assert.deepEqual(asked, ["dai"]);
});
