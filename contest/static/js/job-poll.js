// The poll loop of the organisers' background job pages (exports, question bank imports): fetch the job's own
// address as JSON every `everyMs` while `onJob(job)` answers true; when the server cannot be reached (or answers
// an error), `onOffline(true)` and try again after `retryMs`. `onOffline(false)` once it answers again.

export const POLL_MS = 1000;
export const RETRY_MS = 2000;

export function pollJob(url, { onJob, onOffline = () => {}, everyMs = POLL_MS, retryMs = RETRY_MS,
  fetchImpl = (...args) => fetch(...args), later = (fn, ms) => setTimeout(fn, ms) }) {
  function poll() {
    return fetchImpl(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.json();
      })
      .then((job) => {
        onOffline(false);
        if (onJob(job)) later(poll, everyMs);
      })
      .catch(() => {
        onOffline(true);
        later(poll, retryMs);
      });
  }
  later(poll, everyMs);
}
