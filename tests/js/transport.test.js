// The HTTP fallback's requests, the back-off when the server is full, and when to give up on the websocket.
import assert from "node:assert/strict";
import { test } from "node:test";

import { inLineSeconds, retryable } from "../../contest/static/js/attempt/retry.js";
import { ACK_TIMEOUT_MS, FAILURES_AFTER_CONNECTED, FAILURES_BEFORE_HTTP, Link, connectRetrySeconds, httpCall, httpRoute,
  offline, socketHopeless } from "../../contest/static/js/attempt/transport.js";

test("each /play event has its HTTP request", () => {
  assert.deepEqual(httpRoute("attempt_start", { round_id: 3 }), ["POST", "/rounds/3/attempts", {}]);
  assert.deepEqual(httpRoute("attempt_resume", { attempt_id: 8 }), ["GET", "/attempts/8", null]);
  assert.deepEqual(httpRoute("answer", { attempt_id: 8, slot: 2, choice: ["B"], seq: 77 }),
    ["PUT", "/attempts/8/answers/2", { choice: ["B"], seq: 77 }]);
  assert.deepEqual(httpRoute("attempt_submit", { attempt_id: 8, prediction: 0 }),
    ["POST", "/attempts/8/submit", { prediction: 0 }]);
  assert.deepEqual(httpRoute("attempt_submit", { attempt_id: 8 }), ["POST", "/attempts/8/submit", {}]);
  assert.equal(httpRoute("time_sync", {}), null);
});

function fakeFetch(answer) {
  const calls = [];
  const fetchImpl = (url, init) => {
    calls.push({ url, ...init });
    return answer();
  };
  return { calls, fetchImpl };
}

test("an HTTP call sends JSON to the API and gives back the acknowledgement", async () => {
  const { calls, fetchImpl } = fakeFetch(() => Promise.resolve({ json: () => Promise.resolve({ ok: true, seq: 77 }) }));
  const reply = await httpCall("/api", "answer", { attempt_id: 8, slot: 2, choice: ["B"], seq: 77 }, fetchImpl);
  assert.deepEqual(reply, { ok: true, seq: 77 });
  assert.equal(calls[0].url, "/api/attempts/8/answers/2");
  assert.equal(calls[0].method, "PUT");
  assert.equal(calls[0].credentials, "same-origin");
  assert.equal(calls[0].headers["Content-Type"], "application/json");
  assert.equal(calls[0].body, '{"choice":["B"],"seq":77}');
  await httpCall("/api", "attempt_resume", { attempt_id: 8 }, fetchImpl);
  assert.equal(calls[1].method, "GET");
  assert.equal(calls[1].body, undefined);
  assert.equal(calls[1].headers["Content-Type"], undefined);
});

test("over HTTP, no network is offline, a page that is not JSON is unavailable, time_sync is not sent", async () => {
  const down = fakeFetch(() => Promise.reject(new TypeError("Failed to fetch")));
  assert.deepEqual(await httpCall("/api", "attempt_resume", { attempt_id: 1 }, down.fetchImpl), offline());
  const proxy = fakeFetch(() => Promise.resolve({ json: () => Promise.reject(new SyntaxError("<html>")) }));
  assert.deepEqual(await httpCall("/api", "attempt_resume", { attempt_id: 1 }, proxy.fetchImpl), offline("unavailable"));
  const none = fakeFetch(() => assert.fail("time_sync has no HTTP request"));
  assert.deepEqual(await httpCall("/api", "time_sync", {}, none.fetchImpl), offline());
  assert.ok(ACK_TIMEOUT_MS >= 5000);
});

test("the websocket is given up after 2 failed tries, or 5 once it had worked", () => {
  assert.equal(FAILURES_BEFORE_HTTP, 2);
  assert.equal(FAILURES_AFTER_CONNECTED, 5);
  assert.equal(socketHopeless(1, false), false);
  assert.equal(socketHopeless(2, false), true);
  assert.equal(socketHopeless(4, true), false);
  assert.equal(socketHopeless(5, true), true);
});

test("a full server's retry_after is waited with up to as much again of jitter", () => {
  assert.equal(inLineSeconds(4, () => 0), 4);
  assert.equal(inLineSeconds(4, () => 0.5), 6);
  assert.ok(inLineSeconds(4, () => 0.999) < 8);
  assert.equal(retryable("unavailable"), true);
  assert.equal(retryable("rate_limited"), true);
  assert.equal(retryable("round_not_open"), false);
  assert.equal(retryable("attempt_limit"), false);
});

test("a connect refused because the server is full is tried again after its hint; other failures are not", () => {
  const full = { message: "unavailable", data: { code: "unavailable", message: "…", retry_after: 4 } };
  assert.equal(connectRetrySeconds(full, () => 0), 4);
  assert.equal(connectRetrySeconds(full, () => 0.5), 6);
  assert.equal(connectRetrySeconds({ message: "xhr poll error" }, () => 0), null); // unreachable: count it
  assert.equal(connectRetrySeconds({ message: "x", data: { code: "forbidden" } }, () => 0), null);
  assert.equal(connectRetrySeconds(undefined, () => 0), null);
});

test("over HTTP a request that cannot leave the phone marks the link down until one is answered", () => {
  const told = [];
  const page = { show: (key) => told.push(key), lost: () => told.push("lost"), up: () => told.push("up") };
  const link = new Link("/api", page);
  link.mode = "http";
  assert.equal(link.up, true);
  link.heard(offline("timeout")); // reached, not answered in time: still connected
  assert.equal(link.up, true);
  link.heard(offline());
  link.heard(offline());
  assert.equal(link.up, false);
  assert.deepEqual(told, ["link_lost", "lost"]); // said once
  link.heard({ ok: false, error: { code: "attempt_closed" } }); // an answer, even a refusal: the server is there
  assert.equal(link.up, true);
  assert.deepEqual(told, ["link_lost", "lost", "online_http", "up"]);
});
