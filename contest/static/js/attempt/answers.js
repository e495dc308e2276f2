// Answers not yet acknowledged. Each change gets an increasing seq and is kept in localStorage until the server
// acknowledges it (an ack means it is committed); it is sent again after a reload or a reconnect, and resending
// is harmless: the server keeps the highest seq of each slot.

import { retryable } from "./retry.js";

export const MAX_IN_FLIGHT = 20;

// localStorage may be missing or refuse (private mode, a full quota): then nothing is kept, nothing breaks.
export function keeper(getStorage) {
  return {
    get(key, fallback) {
      try {
        const raw = getStorage().getItem(key);
        return raw === null ? fallback : JSON.parse(raw);
      } catch (e) { return fallback; }
    },
    set(key, value) {
      try { getStorage().setItem(key, JSON.stringify(value)); } catch (e) { /* private mode, full */ }
    },
    drop(key) {
      try { getStorage().removeItem(key); } catch (e) { /* ignore */ }
    },
  };
}

export const attemptKey = (attemptId) => `olympiad.attempt.${attemptId}`;

export class AnswerQueue {
  constructor() {
    this.pending = {}; // slot -> {choice, seq}: not acknowledged yet (mirrored in localStorage)
    this.inFlight = {}; // slot -> seq being sent
    this.lastSeq = 0;
  }

  // What was kept for this attempt on this device ({pending, lastSeq}, as `kept` writes it).
  restore(kept) {
    this.pending = kept.pending || {};
    this.lastSeq = kept.lastSeq || 0;
  }

  kept(prediction) {
    return { pending: this.pending, lastSeq: this.lastSeq, prediction };
  }

  get size() { return Object.keys(this.pending).length; }

  slots() { return Object.keys(this.pending); }

  // Server-clock milliseconds keep seqs increasing across reloads and even across phones.
  nextSeq(serverNow) {
    this.lastSeq = Math.max(this.lastSeq + 1, Math.floor(serverNow));
    return this.lastSeq;
  }

  put(slot, choice, serverNow) {
    const entry = { choice, seq: this.nextSeq(serverNow) };
    this.pending[slot] = entry;
    return entry;
  }

  // The entry of `slot` to send now, marked in flight; null when there is none, it is already on its way, or
  // too many are (the retry loop picks it up later).
  take(slot) {
    const entry = this.pending[slot];
    if (!entry || this.inFlight[slot] === entry.seq) return null;
    if (Object.keys(this.inFlight).length >= MAX_IN_FLIGHT) return null;
    this.inFlight[slot] = entry.seq;
    return entry;
  }

  // The reply for `entry` came back. Returns what is pending for `slot` now (a newer choice, or nothing).
  settle(slot, entry) {
    if (this.inFlight[slot] === entry.seq) delete this.inFlight[slot];
    return this.pending[slot];
  }

  // Forget `entry` (acknowledged, or refused for good) unless a newer choice replaced it; true if forgotten.
  forget(slot, entry) {
    const now = this.pending[slot];
    if (!now || now.seq !== entry.seq) return false;
    delete this.pending[slot];
    return true;
  }

  // After a reconnect nothing is on its way any more.
  resetInFlight() { this.inFlight = {}; }
}

export function answerPayload(attemptId, slot, entry) {
  return { attempt_id: attemptId, slot: Number(slot), choice: entry.choice, seq: entry.seq };
}

// What an answer's acknowledgement means for the page: "saved", "retry" (kept, sent again later), "session" (logged
// out), "closed" (the attempt is over: ask the server how it ended) or "refused" (for good, e.g. not a valid choice).
export function answerOutcome(reply) {
  if (reply.ok) return "saved";
  const code = reply.error.code;
  if (retryable(code)) return "retry";
  if (code === "not_authenticated") return "session";
  if (code === "attempt_taken_over") return "taken_over";
  if (code === "round_paused") return "retry"; // kept and sent again once the round is resumed
  if (code === "deadline_passed" || code === "attempt_closed") return "closed";
  return "refused";
}

// The server's answers, with this device's unacknowledged ones on top (they are newer).
export function mergeAnswers(serverAnswers, pending, pendingState) {
  const choices = {};
  const saveState = {};
  Object.keys(serverAnswers || {}).forEach((slot) => {
    choices[slot] = serverAnswers[slot];
    saveState[slot] = "saved";
  });
  Object.keys(pending).forEach((slot) => {
    choices[slot] = pending[slot].choice;
    saveState[slot] = pendingState;
  });
  return { choices, saveState };
}

// The prediction field's value as the submit payload wants it: a whole number, or undefined when empty or not one.
export function predictionValue(raw) {
  const text = raw.trim();
  if (text === "" || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

export function submitPayload(attemptId, prediction) {
  const data = { attempt_id: attemptId };
  if (prediction !== undefined) data.prediction = prediction;
  return data;
}
