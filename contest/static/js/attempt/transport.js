// Talking to the server: Socket.IO (/play, websocket only), or the HTTP API when the websocket cannot connect.
// Both answer call(event, payload) with the contract's acknowledgement {ok, ...} or {ok: false, error}
// (docs/contract.md). A transport failure (no connection, no reply in time) is
// {ok: false, error: {code: "offline" | "timeout"}}.

import { RETRY_MS, inLineSeconds } from "./retry.js";

export const ACK_TIMEOUT_MS = 10000;
export const FIRST_CONNECT_GIVE_UP_MS = 6000; // no websocket by then: use HTTP
export const FAILURES_BEFORE_HTTP = 2; // …or after this many failed tries (5 once it has worked: a network blip)
export const FAILURES_AFTER_CONNECTED = 5;
export const HTTP_MEMORY_MS = 30 * 60000; // the websocket failed on this tab lately: go straight to HTTP
export const HTTP_POLL_MS = 30000; // over HTTP there is no attempt_closed push: look now and then
const FAILED_AT_KEY = "olympiad.wsFailedAt";

export const offline = (code) => ({ ok: false, error: { code: code || "offline", message: "" } });

// The HTTP request standing in for a Socket.IO event: [method, path under the API, JSON body or null], or null for
// an event HTTP does not carry (time_sync: over HTTP the attempt replies' server_now sets the clock).
export function httpRoute(event, data) {
  switch (event) {
    case "attempt_start": return ["POST", `/rounds/${data.round_id}/attempts`, {}];
    case "attempt_resume": return ["GET", `/attempts/${data.attempt_id}${data.takeover === false ? "?takeover=0" : ""}`,
      null];
    case "answer": return ["PUT", `/attempts/${data.attempt_id}/answers/${data.slot}`,
      { choice: data.choice, seq: data.seq }];
    case "attempt_submit": return ["POST", `/attempts/${data.attempt_id}/submit`,
      data.prediction === undefined ? {} : { prediction: data.prediction }];
    default: return null;
  }
}

// The seconds to wait before connecting again when the server refused the connect because it is full
// (`connect_error` data `{code: "unavailable", retry_after}`), or null for any other failure.
export function connectRetrySeconds(error, random) {
  const data = error && error.data;
  if (!data || data.code !== "unavailable" || typeof data.retry_after !== "number") return null;
  return inLineSeconds(data.retry_after, random);
}

// Whether to give up on the websocket after `failures` failed connection tries.
export function socketHopeless(failures, everConnected) {
  return failures >= (everConnected ? FAILURES_AFTER_CONNECTED : FAILURES_BEFORE_HTTP);
}

// The HTTP request's headers: JSON, and the device id (docs/contract.md, "One device per attempt").
export function httpHeaders(body, device) {
  const headers = body ? { "Content-Type": "application/json", Accept: "application/json" } : { Accept: "application/json" };
  if (device) headers["X-Olympiad-Device"] = device;
  return headers;
}

export function httpCall(api, event, data, fetchImpl = fetch, device = "") {
  const route = httpRoute(event, data);
  if (!route) return Promise.resolve(offline());
  const [method, path, body] = route;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ACK_TIMEOUT_MS);
  return fetchImpl(api + path, {
    method, credentials: "same-origin", signal: controller.signal,
    headers: httpHeaders(body, device),
    body: body ? JSON.stringify(body) : undefined,
  }).then((response) => response.json().catch(() => offline("unavailable"))) // a proxy's page: try again
    .catch(() => offline())
    .finally(() => clearTimeout(timer));
}

// The link to the server: "socket" until the websocket proves unreachable, then "http" for good ("ended" once the
// login is over). `page` gets told: show(key) the connection line, up() when calls can go through, lost() when
// they cannot, closed(payload) for attempt_closed, takenOver(payload) for attempt_taken_over, ended() for
// session_ended, paused(payload) / resumed(payload) for round_paused / round_resumed, deadline(payload) for
// attempt_deadline, poll() every HTTP_POLL_MS over HTTP. `device` is this browser's device id.
// Over HTTP a request that cannot leave the phone ("offline") marks the link down (the line says so) until a
// request gets an answer again.
export class Link {
  constructor(api, page, device = "") {
    this.api = api;
    this.page = page;
    this.device = device;
    this.mode = "socket";
    this.socket = null;
    this.everConnected = false;
    this.failures = 0;
    this.inLine = false; // the server refused a connect as full: waiting to connect again
    this.httpLost = false;
  }

  get up() {
    return (this.mode === "http" && !this.httpLost) || (this.socket !== null && this.socket.connected);
  }

  start() {
    let failedAt = 0;
    try { failedAt = Number(window.sessionStorage.getItem(FAILED_AT_KEY)) || 0; } catch (e) { /* ignore */ }
    if (typeof window.io !== "function" || Date.now() - failedAt < HTTP_MEMORY_MS) { this.useHttp(); return; }
    const socket = window.io("/play", {
      transports: ["websocket"], reconnection: true, reconnectionDelay: 1000, reconnectionDelayMax: 5000,
      timeout: 5000, auth: { device_id: this.device },
    });
    this.socket = socket;
    socket.on("connect", () => {
      this.everConnected = true;
      this.failures = 0;
      this.inLine = false;
      this.page.show("online");
      this.page.up();
    });
    socket.on("connect_error", (error) => {
      const seconds = connectRetrySeconds(error, Math.random);
      if (seconds === null) { this.failed(); return; }
      // The server is full, not unreachable: wait in line as told instead of counting it towards HTTP (whose
      // start would meet the same full server). A refused connect is not retried by Socket.IO itself.
      this.inLine = true;
      this.page.show("connect_in_line");
      setTimeout(() => { if (this.socket === socket && this.mode === "socket") socket.connect(); }, seconds * 1000);
    });
    socket.on("disconnect", (reason) => {
      if (this.mode !== "socket") return;
      this.page.show("link_lost");
      this.page.lost();
      // Socket.IO reconnects by itself, except when the server hung up on purpose (a restart, a cap).
      if (reason === "io server disconnect") setTimeout(() => { if (this.socket) this.socket.connect(); }, RETRY_MS);
    });
    socket.on("attempt_closed", (payload) => this.page.closed(payload));
    socket.on("attempt_taken_over", (payload) => this.page.takenOver(payload));
    socket.on("round_paused", (payload) => this.page.paused(payload));
    socket.on("round_resumed", (payload) => this.page.resumed(payload));
    socket.on("attempt_deadline", (payload) => this.page.deadline(payload));
    socket.on("session_ended", () => { this.mode = "ended"; socket.off(); socket.close(); this.page.ended(); });
    setTimeout(() => {
      if (!this.everConnected && !this.inLine && this.mode === "socket") this.useHttp();
    }, FIRST_CONNECT_GIVE_UP_MS);
  }

  failed() {
    this.failures += 1;
    if (this.mode !== "socket") return;
    this.page.show("link_lost");
    if (socketHopeless(this.failures, this.everConnected)) this.useHttp();
  }

  useHttp() {
    if (this.mode === "http") return;
    this.mode = "http";
    if (this.socket) {
      this.socket.off();
      this.socket.close();
    }
    if (this.socket && !this.everConnected) { // the websocket never worked here: skip it on reloads a while
      try { window.sessionStorage.setItem(FAILED_AT_KEY, String(Date.now())); } catch (e) { /* ignore */ }
    }
    this.socket = null;
    this.page.show("online_http");
    setInterval(() => this.page.poll(), HTTP_POLL_MS);
    this.page.up();
  }

  // Over HTTP: whether the request reached the server tells whether the link is up.
  heard(reply) {
    const unreachable = !reply.ok && reply.error.code === "offline";
    if (unreachable && !this.httpLost) {
      this.httpLost = true;
      this.page.show("link_lost");
      this.page.lost();
    } else if (!unreachable && this.httpLost) {
      this.httpLost = false;
      this.page.show("online_http");
      this.page.up();
    }
    return reply;
  }

  call(event, data) {
    if (this.mode === "http") return httpCall(this.api, event, data, fetch, this.device).then((reply) => this.heard(reply));
    if (!this.socket || !this.socket.connected) return Promise.resolve(offline());
    return new Promise((resolve) => {
      this.socket.timeout(ACK_TIMEOUT_MS).emit(event, data, (err, reply) => {
        resolve(err || !reply || typeof reply !== "object" ? offline("timeout") : reply);
      });
    });
  }
}
