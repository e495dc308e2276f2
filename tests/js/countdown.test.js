// The countdown's arithmetic and its words.
import assert from "node:assert/strict";
import { test } from "node:test";

import { label, remaining, start } from "../../contest/static/js/countdown.js";

const at = Date.parse("2026-12-03T15:00:00Z");

test("the time left is split into days, hours, minutes and seconds", () => {
  const left = remaining(at + ((2 * 24 + 3) * 3600 + 4 * 60 + 5) * 1000 + 999, at);
  assert.deepEqual(left, { done: false, days: 2, hours: 3, minutes: 4, seconds: 5 });
});

test("a passed moment is done and counts nothing", () => {
  assert.deepEqual(remaining(at - 5000, at), { done: true, days: 0, hours: 0, minutes: 0, seconds: 0 });
  assert.equal(remaining(at, at).done, true);
});

test("the label names days in the page's words and shows the rest as a clock", () => {
  const words = { days: "%(n)s ngày", done: "đã bắt đầu" };
  assert.equal(label(remaining(at + 90_061_000, at), words), "1 ngày 01:01:01");
  assert.equal(label(remaining(at + 59_000, at), words), "00:00:59");
  assert.equal(label(remaining(at - 1, at), words), "đã bắt đầu");
});

test("start writes each countdown beside its time, in the page's words, and ticks", () => {
  const spans = [];
  const fakeTime = (iso, data) => ({
    dataset: data,
    getAttribute: (name) => (name === "datetime" ? iso : null),
    after: (node) => spans.push(node),
  });
  const times = [
    fakeTime("2026-12-03T16:01:01Z", { in: "còn %(left)s", days: "%(n)s ngày", done: "đã đến giờ" }),
    fakeTime("2026-12-03T14:00:00Z", { in: "còn %(left)s", days: "%(n)s ngày", done: "đã đến giờ" }),
  ];
  const root = { ownerDocument: { createElement: () => ({}) }, querySelectorAll: () => times };
  let now = at;
  let tick;
  const stop = start(root, () => now, (fn) => { tick = fn; return 1; });
  assert.deepEqual(spans.map((span) => span.textContent), [" (còn 01:01:01)", " (đã đến giờ)"]);
  now += 1000;
  tick();
  assert.equal(spans[0].textContent, " (còn 01:01:00)");
  assert.equal(spans[0].className, "countdown");
  stop();
});
