// The clock offset and the countdown's arithmetic.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Clock, countdown, dueAnnouncements } from "../../contest/static/js/attempt/timer.js";

test("the offset comes from the reply with the shortest round trip", () => {
  let device = 0;
  const clock = new Clock(() => device);
  clock.sample(10_000, 0, 100, true); // rtt 100: offset 10_000 + 50 - 100
  assert.equal(clock.offset, 9_950);
  clock.sample(20_000, 1_000, 1_300, true); // a slower reply is ignored
  assert.equal(clock.offset, 9_950);
  clock.sample(11_000, 1_000, 1_020, true); // a faster one wins
  assert.equal(clock.offset, 11_000 + 10 - 1_020);
  device = 5_000;
  assert.equal(clock.now(), 5_000 + 9_990);
});

test("time_sync replies replace the attempt replies' server_now, which cannot override them", () => {
  const clock = new Clock(() => 0);
  assert.equal(clock.now(), 0); // no sample yet: the device's own clock
  clock.sample(50_000, 0, 10, false); // from an attempt reply, fast
  assert.equal(clock.offset, 50_000 + 5 - 10);
  clock.sample(40_000, 0, 400, true); // the first time_sync wins though slower
  assert.equal(clock.offset, 40_000 + 200 - 400);
  clock.sample(99_000, 0, 2, false); // attempt replies no longer count
  assert.equal(clock.offset, 39_800);
});

test("the countdown shows minutes and seconds, rounded up, and is low in the last minute", () => {
  assert.deepEqual(countdown(600_000, 0), { left: 600_000, seconds: 600, text: "10:00", low: false, nextTickMs: 20 });
  const soon = countdown(60_500, 1_000); // 59.5 s left
  assert.equal(soon.text, "1:00");
  assert.equal(soon.seconds, 60);
  assert.equal(soon.low, true);
  assert.equal(soon.nextTickMs, 520); // just after the next whole second
  assert.equal(countdown(9_001, 0).text, "0:10");
  const over = countdown(1_000, 5_000);
  assert.equal(over.left, 0);
  assert.equal(over.text, "0:00");
});

test("each notice is given once, and those passed before the page opened are not given", () => {
  const announced = new Set();
  assert.deepEqual(dueAnnouncements(900, announced), []);
  assert.deepEqual(dueAnnouncements(300, announced), ["left_5min"]);
  assert.deepEqual(dueAnnouncements(299, announced), []);
  assert.deepEqual(dueAnnouncements(8, announced), ["left_1min", "left_10s"]); // a throttled background tab
  assert.deepEqual(dueAnnouncements(5, announced), []);
  const late = new Set();
  dueAnnouncements(15.2, late); // a 15 s round: 5 min and 1 min are past when it starts
  assert.deepEqual([...late], ["left_5min", "left_1min"]);
  assert.deepEqual(dueAnnouncements(10, late), ["left_10s"]);
});
