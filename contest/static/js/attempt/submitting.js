// A submit the server did not get (offline, no reply in time, the server busy) waits here and goes again once when
// the connection is back: a second submit is harmless (the server answers it with the same result), so sending
// it again is always safe. Also the question shown one at a time, kept for a reload of this tab. Pure: the
// storage comes in (`keeper` of answers.js over localStorage / sessionStorage).

import { retryable } from "./retry.js";

export const submitKey = (attemptId) => `olympiad.submit.${attemptId}`;
export const currentKey = (attemptId) => `olympiad.current.${attemptId}`;

// What to do after a submit's reply: "done" (submitted now or before), "session" (logged out), "wait" (nothing
// was done: send it again when the link is back or, the link being up, in a moment), "refused" (for good).
export function submitOutcome(reply) {
  if (reply.ok || reply.error.code === "attempt_closed") return "done";
  if (reply.error.code === "not_authenticated") return "session";
  if (reply.error.code === "round_paused") return "paused";
  return retryable(reply.error.code) ? "wait" : "refused";
}

// The message under the submit button while a submit waits, never at odds with the connection line: offline,
// "will be sent when the connection is back"; connected but unanswered, "trying again".
export function waitingMessage(linkUp) {
  return linkUp ? "submit_retrying" : "submit_queued";
}

// A submit waiting for the connection, kept (localStorage) so that a reload does not forget it.
export class PendingSubmit {
  constructor(store, attemptId) {
    this.store = store;
    this.key = submitKey(attemptId);
    this.waiting = Boolean(store.get(this.key, false));
  }

  queue() {
    this.waiting = true;
    this.store.set(this.key, true);
  }

  // True once for each queue(): the one retry a reconnection gets (a failed retry queues it again).
  take() {
    if (!this.waiting) return false;
    this.waiting = false;
    this.store.drop(this.key);
    return true;
  }

  clear() {
    this.waiting = false;
    this.store.drop(this.key);
  }
}

// The question to show after a reload: the one kept for this attempt, within the paper.
export function keptQuestion(store, attemptId, count) {
  const kept = Number(store.get(currentKey(attemptId), 0));
  return Number.isInteger(kept) && kept >= 0 && kept < count ? kept : 0;
}
