// The poll loop shared by the export and import job pages.
import assert from "node:assert/strict";
import { test } from "node:test";

import { POLL_MS, RETRY_MS, pollJob } from "../../contest/static/js/job-poll.js";

// Runs the loop by hand: `later` records the waits, `step()` runs the next one and lets its promise settle.
function harness(answers) {
  const waits = [];
  const queued = [];
  const offline = [];
  const jobs = [];
  const urls = [];
  const fetchImpl = (url, init) => {
    urls.push([url, init.headers.Accept, init.cache]);
    const next = answers.shift();
    if (next instanceof Error) return Promise.reject(next);
    return Promise.resolve({ ok: next.status === 200, status: next.status, json: () => Promise.resolve(next.body) });
  };
  return {
    waits, offline, jobs, urls,
    start: (onJob) => pollJob("/job/1", {
      onJob: (job) => { jobs.push(job); return onJob(job); },
      onOffline: (down) => offline.push(down),
      fetchImpl,
      later: (fn, ms) => { waits.push(ms); queued.push(fn); },
    }),
    async step() { await queued.shift()(); },
    get queued() { return queued.length; },
  };
}

test("polls every second as JSON while the job says so, then stops", async () => {
  const run = harness([{ status: 200, body: { status: "running" } }, { status: 200, body: { status: "done" } }]);
  run.start((job) => job.status !== "done");
  assert.deepEqual(run.waits, [POLL_MS]);
  await run.step();
  await run.step();
  assert.deepEqual(run.jobs.map((job) => job.status), ["running", "done"]);
  assert.deepEqual(run.waits, [POLL_MS, POLL_MS]);
  assert.equal(run.queued, 0);
  assert.deepEqual(run.urls[0], ["/job/1", "application/json", "no-store"]);
  assert.deepEqual(run.offline, [false, false]);
});

test("a lost network or an error answer shows offline and tries again later", async () => {
  const run = harness([new TypeError("Failed to fetch"), { status: 502, body: null },
    { status: 200, body: { waiting: false } }]);
  run.start((job) => job.waiting);
  await run.step();
  await run.step();
  await run.step();
  assert.deepEqual(run.waits, [POLL_MS, RETRY_MS, RETRY_MS]);
  assert.deepEqual(run.offline, [true, true, false]);
  assert.deepEqual(run.jobs, [{ waiting: false }]);
  assert.equal(run.queued, 0);
});
