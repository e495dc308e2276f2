// A submit that did not reach the server waits and goes again once; the question shown is kept for a reload.
import assert from "node:assert/strict";
import { test } from "node:test";

import { keeper } from "../../contest/static/js/attempt/answers.js";
import { PendingSubmit, currentKey, keptQuestion, submitKey, submitOutcome,
  waitingMessage } from "../../contest/static/js/attempt/submitting.js";

function memoryStorage() {
  const items = new Map();
  return {
    items,
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => items.set(key, String(value)),
    removeItem: (key) => items.delete(key),
  };
}

const failed = (code, extra = {}) => ({ ok: false, error: { code, message: "", ...extra } });

test("a submit's reply: done (even a second submit), logged out, wait and send again, or refused", () => {
  assert.equal(submitOutcome({ ok: true, result: { score: 3 } }), "done");
  assert.equal(submitOutcome(failed("attempt_closed")), "done"); // submitted before: nothing to do again
  assert.equal(submitOutcome(failed("not_authenticated")), "session");
  for (const code of ["offline", "timeout", "unavailable", "rate_limited", "internal"]) {
    assert.equal(submitOutcome(failed(code)), "wait", code);
  }
  assert.equal(submitOutcome(failed("validation")), "refused");
  assert.equal(submitOutcome(failed("round_paused")), "paused"); // not submitted: the page waits for the resume
});

test("the waiting message matches the connection line", () => {
  assert.equal(waitingMessage(false), "submit_queued"); // offline: sent when the connection is back
  assert.equal(waitingMessage(true), "submit_retrying"); // connected, unanswered: again in a moment
});

test("a waiting submit is taken once per queue, and a reload remembers it", () => {
  const storage = memoryStorage();
  const store = keeper(() => storage);
  const pending = new PendingSubmit(store, 7);
  assert.equal(pending.take(), false); // nothing waits
  pending.queue();
  assert.equal(storage.getItem(submitKey(7)), "true");
  assert.equal(new PendingSubmit(store, 7).waiting, true); // the page reloaded: still waiting
  assert.equal(new PendingSubmit(store, 8).waiting, false); // another attempt's
  assert.equal(pending.take(), true);
  assert.equal(pending.take(), false); // once: a second reconnect does not send it twice
  assert.equal(storage.getItem(submitKey(7)), null);
  pending.queue(); // the retry failed too: waiting again for the next time the link is up
  assert.equal(pending.take(), true);
  pending.queue();
  pending.clear(); // done some other way (the deadline, another tab)
  assert.equal(pending.take(), false);
});

test("storage that refuses (private mode) loses the waiting submit across reloads only", () => {
  const store = keeper(() => { throw new Error("denied"); });
  const pending = new PendingSubmit(store, 1);
  pending.queue();
  assert.equal(pending.take(), true);
  assert.equal(keptQuestion(store, 1, 10), 0);
});

test("the question kept for a reload, within the paper", () => {
  const storage = memoryStorage();
  const store = keeper(() => storage);
  assert.equal(keptQuestion(store, 3, 10), 0);
  store.set(currentKey(3), 6);
  assert.equal(keptQuestion(store, 3, 10), 6);
  assert.equal(keptQuestion(store, 3, 5), 0); // beyond a shorter paper: the first question
  store.set(currentKey(3), "x");
  assert.equal(keptQuestion(store, 3, 10), 0);
});
