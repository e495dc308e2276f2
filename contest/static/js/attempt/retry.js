// Which failures are worth trying again, and how long to wait before starting again when the server is full.

export const RETRY_MS = 3000;
// A transport failure ("offline", "timeout") or an overload answer: nothing was done, sending again is safe.
export const RETRYABLE = new Set(["timeout", "offline", "rate_limited", "unavailable", "internal"]);

export function retryable(code) {
  return RETRYABLE.has(code);
}

// The server said `retry_after` seconds: wait that long plus up to as much again, so a crowd turned away
// together does not come back together. `random` is Math.random or a test's own.
export function inLineSeconds(retryAfter, random) {
  return retryAfter + random() * retryAfter;
}
