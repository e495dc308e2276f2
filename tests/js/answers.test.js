// The answer queue: seqs, what is sent when, what an acknowledgement does, what is kept on the device.
import assert from "node:assert/strict";
import { test } from "node:test";

import { AnswerQueue, MAX_IN_FLIGHT, answerOutcome, answerPayload, attemptKey, keeper, mergeAnswers,
  predictionValue, submitPayload } from "../../contest/static/js/attempt/answers.js";

test("seqs follow the server clock and never go back, even when the clock does", () => {
  const queue = new AnswerQueue();
  assert.equal(queue.put("0", ["A"], 1000.7).seq, 1000);
  assert.equal(queue.put("0", ["B"], 900).seq, 1001); // the clock went back: still increasing
  assert.equal(queue.put("1", ["C"], 5000).seq, 5000);
  assert.deepEqual(queue.pending, { 0: { choice: ["B"], seq: 1001 }, 1: { choice: ["C"], seq: 5000 } });
  assert.equal(queue.size, 2);
});

test("a reload restores what was kept and goes on from its last seq", () => {
  const queue = new AnswerQueue();
  queue.put("3", ["D"], 7000);
  const kept = JSON.parse(JSON.stringify(queue.kept("12")));
  assert.deepEqual(kept, { pending: { 3: { choice: ["D"], seq: 7000 } }, lastSeq: 7000, prediction: "12" });
  const again = new AnswerQueue();
  again.restore(kept);
  assert.deepEqual(again.slots(), ["3"]);
  assert.equal(again.nextSeq(10), 7001);
  const empty = new AnswerQueue();
  empty.restore({});
  assert.equal(empty.size, 0);
  assert.equal(empty.lastSeq, 0);
});

test("an answer is sent once at a time, and a newer choice is not dropped by the older one's ack", () => {
  const queue = new AnswerQueue();
  const first = queue.put("0", ["A"], 100);
  assert.equal(queue.take("0"), first);
  assert.equal(queue.take("0"), null); // already on its way
  const second = queue.put("0", ["B"], 200); // changed while the first was in flight
  assert.equal(queue.take("0"), second);
  assert.equal(queue.settle("0", first), second); // the first's ack: the second is what is pending now
  assert.equal(queue.forget("0", first), false);
  assert.equal(queue.size, 1);
  queue.settle("0", second);
  assert.equal(queue.forget("0", second), true);
  assert.equal(queue.size, 0);
  assert.equal(queue.take("0"), null); // nothing left to send
});

test("at most MAX_IN_FLIGHT answers are on their way; a reconnect forgets what was in flight", () => {
  const queue = new AnswerQueue();
  for (let slot = 0; slot <= MAX_IN_FLIGHT; slot += 1) queue.put(String(slot), ["A"], 1000 + slot);
  const sent = queue.slots().map((slot) => queue.take(slot)).filter(Boolean);
  assert.equal(sent.length, MAX_IN_FLIGHT);
  assert.equal(queue.take(String(MAX_IN_FLIGHT)), null);
  queue.resetInFlight();
  assert.notEqual(queue.take(String(MAX_IN_FLIGHT)), null);
  assert.notEqual(queue.take("0"), null); // sent again: resending is harmless
});

test("the answer payload is the contract's", () => {
  assert.deepEqual(answerPayload(7, "3", { choice: ["A", "C"], seq: 42 }),
    { attempt_id: 7, slot: 3, choice: ["A", "C"], seq: 42 });
});

test("acknowledgements sort into saved, retry, session over, attempt over and refused", () => {
  const refused = (code) => answerOutcome({ ok: false, error: { code, message: "" } });
  assert.equal(answerOutcome({ ok: true, slot: 0, seq: 1 }), "saved");
  for (const code of ["offline", "timeout", "rate_limited", "unavailable", "internal"]) {
    assert.equal(refused(code), "retry", code);
  }
  assert.equal(refused("not_authenticated"), "session");
  assert.equal(refused("round_paused"), "retry"); // kept on the phone, sent again after the resume
  assert.equal(refused("deadline_passed"), "closed");
  assert.equal(refused("attempt_closed"), "closed");
  assert.equal(refused("invalid_choice"), "refused");
  assert.equal(refused("bad_request"), "refused");
});

test("unacknowledged answers win over the server's and show as still saving", () => {
  const merged = mergeAnswers({ 0: ["A"], 1: ["B"] }, { 1: { choice: ["C"], seq: 9 }, 2: { choice: [], seq: 10 } },
    "offline");
  assert.deepEqual(merged.choices, { 0: ["A"], 1: ["C"], 2: [] });
  assert.deepEqual(merged.saveState, { 0: "saved", 1: "offline", 2: "offline" });
  assert.deepEqual(mergeAnswers(undefined, {}, "saving"), { choices: {}, saveState: {} });
});

test("the prediction is sent only when it is a whole number", () => {
  assert.equal(predictionValue(" 123 "), 123);
  assert.equal(predictionValue("0"), 0);
  for (const raw of ["", "  ", "-1", "1.5", "1e3", "abc"]) assert.equal(predictionValue(raw), undefined, raw);
  assert.deepEqual(submitPayload(5, 123), { attempt_id: 5, prediction: 123 });
  assert.deepEqual(submitPayload(5, undefined), { attempt_id: 5 });
});

test("the keeper stores JSON, and survives a storage that refuses or is missing", () => {
  const data = new Map();
  const storage = {
    getItem: (key) => (data.has(key) ? data.get(key) : null),
    setItem: (key, value) => data.set(key, value),
    removeItem: (key) => data.delete(key),
  };
  const store = keeper(() => storage);
  store.set(attemptKey(4), { lastSeq: 3 });
  assert.equal(data.get("olympiad.attempt.4"), '{"lastSeq":3}');
  assert.deepEqual(store.get("olympiad.attempt.4", {}), { lastSeq: 3 });
  store.drop("olympiad.attempt.4");
  assert.deepEqual(store.get("olympiad.attempt.4", { none: true }), { none: true });

  const refusing = keeper(() => { throw new Error("SecurityError"); });
  refusing.set("k", 1);
  refusing.drop("k");
  assert.equal(refusing.get("k", "fallback"), "fallback");
  data.set("broken", "{not json");
  assert.equal(store.get("broken", "fallback"), "fallback");
});
