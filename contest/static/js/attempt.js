// The attempt page: takes a round over Socket.IO (/play, websocket only), or over the HTTP API when the
// websocket cannot connect. Plain ES2017, no build step. The server's clock is the only clock: the countdown
// runs from the attempt's deadline plus the offset measured with time_sync.
//
// Answers: each change gets an increasing seq and is kept in localStorage until the server acknowledges it
// (an ack means it is committed), and is sent again after a reload or a reconnect; resending is harmless.
(function () {
  "use strict";

  const root = document.getElementById("play");
  if (!root) return;
  const T = JSON.parse(document.getElementById("play-strings").textContent);
  const cfg = {
    roundId: Number(root.dataset.roundId),
    attemptId: Number(root.dataset.attemptId) || null,
    resultUrl: root.dataset.resultUrl,
    api: root.dataset.api,
  };
  const $ = (id) => document.getElementById(id);
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  const ACK_TIMEOUT_MS = 10000;
  const MAX_IN_FLIGHT = 20;
  const RETRY_MS = 3000;
  const FIRST_CONNECT_GIVE_UP_MS = 6000; // no websocket by then: use HTTP
  const FAILURES_BEFORE_HTTP = 2; // …or after this many failed tries (5 once it has worked: a network blip)
  const FAILURES_AFTER_CONNECTED = 5;
  const HTTP_MEMORY_MS = 30 * 60000; // the websocket failed on this tab lately: go straight to HTTP
  const HTTP_POLL_MS = 30000; // over HTTP there is no attempt_closed push: look now and then
  const RETRYABLE = new Set(["timeout", "offline", "rate_limited", "unavailable", "internal"]);
  const ANNOUNCE_AT = [[300, "left_5min"], [60, "left_1min"], [10, "left_10s"]];

  // ---------------------------------------------------------------- local storage (may be unavailable)
  const store = {
    get(key, fallback) {
      try {
        const raw = window.localStorage.getItem(key);
        return raw === null ? fallback : JSON.parse(raw);
      } catch (e) { return fallback; }
    },
    set(key, value) {
      try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode, full */ }
    },
    drop(key) {
      try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
    },
  };

  // ---------------------------------------------------------------- transports
  // Both answer call(event, payload) with the contract's acknowledgement {ok, ...} or {ok: false, error}.
  // A transport failure (no connection, no reply in time) is {ok: false, error: {code: "offline"|"timeout"}}.
  const offline = (code) => ({ ok: false, error: { code: code || "offline", message: "" } });

  function httpCall(event, data) {
    const routes = {
      attempt_start: () => ["POST", `/rounds/${data.round_id}/attempts`, {}],
      attempt_resume: () => ["GET", `/attempts/${data.attempt_id}`, null],
      answer: () => ["PUT", `/attempts/${data.attempt_id}/answers/${data.slot}`, { choice: data.choice, seq: data.seq }],
      attempt_submit: () => ["POST", `/attempts/${data.attempt_id}/submit`,
        data.prediction === undefined ? {} : { prediction: data.prediction }],
    };
    if (!routes[event]) return Promise.resolve(offline());
    const [method, path, body] = routes[event]();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), ACK_TIMEOUT_MS);
    return fetch(cfg.api + path, {
      method, credentials: "same-origin", signal: controller.signal,
      headers: body ? { "Content-Type": "application/json", Accept: "application/json" } : { Accept: "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    }).then((response) => response.json().catch(() => offline("unavailable"))) // a proxy's page: try again
      .catch(() => offline())
      .finally(() => clearTimeout(timer));
  }

  const link = {
    mode: "socket", // "socket" until the websocket proves unreachable, then "http" for good
    socket: null,
    everConnected: false,
    failures: 0,
    get up() { return this.mode === "http" || (this.socket !== null && this.socket.connected); },

    start() {
      let failedAt = 0;
      try { failedAt = Number(window.sessionStorage.getItem("olympiad.wsFailedAt")) || 0; } catch (e) { /* ignore */ }
      if (typeof window.io !== "function" || Date.now() - failedAt < HTTP_MEMORY_MS) { this.useHttp(); return; }
      const socket = window.io("/play", {
        transports: ["websocket"], reconnection: true, reconnectionDelay: 1000, reconnectionDelayMax: 5000,
        timeout: 5000,
      });
      this.socket = socket;
      socket.on("connect", () => {
        this.everConnected = true;
        this.failures = 0;
        showLink("online");
        onLinkUp();
      });
      socket.on("connect_error", () => this.failed());
      socket.on("disconnect", (reason) => {
        if (this.mode !== "socket") return;
        showLink("link_lost");
        refreshAllSaveStates();
        // Socket.IO reconnects by itself, except when the server hung up on purpose (a restart, a cap).
        if (reason === "io server disconnect") setTimeout(() => { if (this.socket) this.socket.connect(); }, RETRY_MS);
      });
      socket.on("attempt_closed", (payload) => onClosed(payload));
      socket.on("session_ended", () => { this.mode = "ended"; socket.off(); socket.close(); sessionOver(); });
      setTimeout(() => { if (!this.everConnected && this.mode === "socket") this.useHttp(); }, FIRST_CONNECT_GIVE_UP_MS);
    },

    failed() {
      this.failures += 1;
      if (this.mode !== "socket") return;
      showLink("link_lost");
      if (this.failures >= (this.everConnected ? FAILURES_AFTER_CONNECTED : FAILURES_BEFORE_HTTP)) this.useHttp();
    },

    useHttp() {
      if (this.mode === "http") return;
      this.mode = "http";
      if (this.socket) {
        this.socket.off();
        this.socket.close();
      }
      if (this.socket && !this.everConnected) { // the websocket never worked here: skip it on reloads a while
        try { window.sessionStorage.setItem("olympiad.wsFailedAt", String(Date.now())); } catch (e) { /* ignore */ }
      }
      this.socket = null;
      showLink("online_http");
      setInterval(() => { if (state.attempt) resync(); }, HTTP_POLL_MS);
      onLinkUp();
    },

    call(event, data) {
      if (this.mode === "http") return httpCall(event, data);
      if (!this.socket || !this.socket.connected) return Promise.resolve(offline());
      return new Promise((resolve) => {
        this.socket.timeout(ACK_TIMEOUT_MS).emit(event, data, (err, reply) => {
          resolve(err || !reply || typeof reply !== "object" ? offline("timeout") : reply);
        });
      });
    },
  };

  // ---------------------------------------------------------------- the clock
  // offset = server time - this device's time, from the reply with the shortest round trip. time_sync
  // replies win over the server_now of attempt replies, which are used only without them (over HTTP).
  const clock = {
    offset: null,
    rtt: Infinity,
    synced: false,
    now() { return Date.now() + (this.offset || 0); },
    sample(serverNow, sentAt, receivedAt, fromSync) {
      if (this.synced && !fromSync) return;
      const rtt = receivedAt - sentAt;
      if (fromSync && !this.synced) { this.synced = true; this.rtt = Infinity; }
      if (this.offset === null || rtt <= this.rtt) {
        this.rtt = rtt;
        this.offset = serverNow + rtt / 2 - receivedAt;
      }
    },
  };

  async function timeSync() {
    clock.synced = false; // a reconnect may be over another network: measure again
    for (let i = 0; i < 3; i += 1) {
      const sentAt = Date.now();
      const reply = await link.call("time_sync", {});
      if (!reply.ok) return;
      clock.sample(reply.server_now, sentAt, Date.now(), true);
    }
  }

  // ---------------------------------------------------------------- state
  const state = {
    attempt: null,
    choices: {}, // slot -> [labels] as shown
    saveState: {}, // slot -> "saved" | "saving" | "offline" | "error"
    errors: {}, // slot -> message
    pending: {}, // slot -> {choice, seq}: not acknowledged yet (mirrored in localStorage)
    inFlight: {}, // slot -> seq being sent
    lastSeq: 0,
    current: 0,
    view: store.get("olympiad.view", "one") === "all" ? "all" : "one",
    closing: false,
    ticking: null,
    announced: new Set(),
  };
  const localKey = () => `olympiad.attempt.${state.attempt.id}`;

  function saveLocal() {
    store.set(localKey(), { pending: state.pending, lastSeq: state.lastSeq, prediction: $("prediction").value });
  }

  function nextSeq() {
    // Server-clock milliseconds keep seqs increasing across reloads and even across phones.
    state.lastSeq = Math.max(state.lastSeq + 1, Math.floor(clock.now()));
    return state.lastSeq;
  }

  // ---------------------------------------------------------------- starting and resuming
  async function onLinkUp() {
    if (link.mode === "socket") await timeSync();
    if (state.attempt) {
      await resync();
    } else if (cfg.attemptId) {
      await load("attempt_resume", { attempt_id: cfg.attemptId });
    } else {
      $("start").disabled = false;
    }
  }

  async function load(event, data) {
    const sentAt = Date.now();
    const reply = await link.call(event, data);
    if (state.attempt) return; // a reconnect loaded it meanwhile
    if (!reply.ok) {
      const code = reply.error.code;
      if (code === "not_authenticated") { sessionOver(); return; }
      if (!RETRYABLE.has(code)) { // the round closed, no attempts left…: say so, nothing to retry
        $("intro-error").textContent = reply.error.message;
        $("start").hidden = true;
      } else if (event === "attempt_resume") {
        setTimeout(() => { if (!state.attempt && link.up) load(event, data); }, RETRY_MS);
      } else if (reply.error.retry_after) { // the server is full: wait as told, plus jitter, then start again
        const seconds = reply.error.retry_after + Math.random() * reply.error.retry_after;
        $("intro-error").textContent = T.in_line.replace("{seconds}", String(Math.ceil(seconds)));
        $("start").disabled = true;
        setTimeout(() => { if (!state.attempt && link.up) load(event, data); }, seconds * 1000);
      } else {
        $("intro-error").textContent = T.submit_offline;
        $("start").disabled = false;
      }
      return;
    }
    $("intro-error").textContent = "";
    clock.sample(reply.attempt.server_now, sentAt, Date.now(), false);
    begin(reply.attempt);
  }

  function begin(attempt) {
    state.attempt = attempt;
    cfg.attemptId = attempt.id;
    root.dataset.attemptId = String(attempt.id);
    if (attempt.status !== "in_progress") { finished(); return; }
    const local = store.get(localKey(), {});
    state.pending = local.pending || {};
    state.lastSeq = local.lastSeq || 0;
    if (local.prediction) $("prediction").value = local.prediction;
    merge(attempt.answers);
    const remaining = (attempt.deadline - clock.now()) / 1000;
    ANNOUNCE_AT.forEach(([seconds, key]) => { if (remaining <= seconds) state.announced.add(key); });
    render();
    $("intro").hidden = true;
    $("paper").hidden = false;
    $("play-bar").hidden = false;
    tick();
    flush();
  }

  // The server's answers, with this phone's unacknowledged ones on top (they are newer).
  function merge(serverAnswers) {
    state.choices = {};
    state.saveState = {};
    Object.keys(serverAnswers || {}).forEach((slot) => {
      state.choices[slot] = serverAnswers[slot];
      state.saveState[slot] = "saved";
    });
    Object.keys(state.pending).forEach((slot) => {
      state.choices[slot] = state.pending[slot].choice;
      state.saveState[slot] = link.up ? "saving" : "offline";
    });
  }

  // After a reconnect (or a poll over HTTP): the server's view, then send what it has not acknowledged.
  async function resync() {
    const sentAt = Date.now();
    const reply = await link.call("attempt_resume", { attempt_id: state.attempt.id });
    if (!reply.ok) {
      if (reply.error.code === "not_authenticated") sessionOver();
      return;
    }
    clock.sample(reply.attempt.server_now, sentAt, Date.now(), false);
    state.attempt.deadline = reply.attempt.deadline;
    if (reply.attempt.status !== "in_progress") { finished(); return; }
    merge(reply.attempt.answers);
    state.inFlight = {};
    renderAllChoices();
    flush();
    if (state.closing && clock.now() >= state.attempt.deadline) submit(true); // time ran out while offline
  }

  // ---------------------------------------------------------------- answering
  function choose(slot, choice) {
    if (state.closing) return;
    const seq = nextSeq();
    state.choices[slot] = choice;
    state.pending[slot] = { choice, seq };
    delete state.errors[slot];
    saveLocal();
    setSaveState(slot, link.up ? "saving" : "offline");
    renderProgress();
    send(slot);
  }

  async function send(slot) {
    const entry = state.pending[slot];
    if (!entry || state.inFlight[slot] === entry.seq || !link.up) return;
    if (Object.keys(state.inFlight).length >= MAX_IN_FLIGHT) return; // the retry loop picks it up
    state.inFlight[slot] = entry.seq;
    const reply = await link.call("answer", {
      attempt_id: state.attempt.id, slot: Number(slot), choice: entry.choice, seq: entry.seq,
    });
    if (state.inFlight[slot] === entry.seq) delete state.inFlight[slot];
    const now = state.pending[slot];
    if (reply.ok) {
      if (now && now.seq === entry.seq) {
        delete state.pending[slot];
        saveLocal();
        setSaveState(slot, "saved");
      }
      return;
    }
    const code = reply.error.code;
    if (RETRYABLE.has(code)) {
      if (now) setSaveState(slot, "offline");
    } else if (code === "not_authenticated") {
      sessionOver();
    } else if (code === "deadline_passed" || code === "attempt_closed") {
      resync(); // the attempt is over: the server says how it ended
    } else if (now && now.seq === entry.seq) {
      // refused for good (not a valid choice): keep the entrant's view honest
      delete state.pending[slot];
      saveLocal();
      state.errors[slot] = reply.error.message;
      setSaveState(slot, "error");
    }
  }

  function flush() {
    if (!state.attempt || !link.up) return;
    Object.keys(state.pending).forEach(send);
  }

  setInterval(flush, RETRY_MS);

  // ---------------------------------------------------------------- submitting and closing
  function unsavedCount() { return Object.keys(state.pending).length; }

  function predictionValue() {
    const raw = $("prediction").value.trim();
    if (raw === "" || !/^\d+$/.test(raw)) return undefined;
    return Number(raw);
  }

  async function submit(auto) {
    if (state.closing && !auto) return;
    state.closing = true;
    $("submit").disabled = true;
    $("submit-error").textContent = auto ? "" : T.submitting;
    // Answers still on their way first, for a few seconds: the server scores what it holds.
    for (let i = 0; i < 16 && unsavedCount() && link.up; i += 1) {
      flush();
      await sleep(500);
    }
    const data = { attempt_id: state.attempt.id };
    const prediction = predictionValue();
    if (prediction !== undefined) data.prediction = prediction;
    const reply = await link.call("attempt_submit", data);
    if (reply.ok || reply.error.code === "attempt_closed") { finished(); return; }
    if (reply.error.code === "not_authenticated") { sessionOver(); return; }
    if (auto) { // the server finalises at the deadline anyway; ask again (a reconnect asks too)
      setTimeout(() => { if (link.up) submit(true); }, RETRY_MS);
      return;
    }
    state.closing = false;
    $("submit").disabled = false;
    $("submit-error").textContent = RETRYABLE.has(reply.error.code) ? T.submit_offline : reply.error.message;
  }

  function onClosed(payload) {
    if (state.attempt && payload && payload.attempt_id === state.attempt.id) finished();
  }

  function finished() {
    state.closing = true;
    if (state.attempt) store.drop(localKey());
    window.location.assign(cfg.resultUrl.replace("{id}", String(cfg.attemptId)));
  }

  function sessionOver() {
    state.closing = true;
    const box = state.attempt ? $("submit-error") : $("intro-error");
    box.textContent = T.session_over;
    showLink("link_lost");
  }

  // ---------------------------------------------------------------- the countdown
  function tick() {
    clearTimeout(state.ticking);
    if (!state.attempt) return;
    const left = Math.max(0, state.attempt.deadline - clock.now());
    const seconds = Math.ceil(left / 1000);
    const m = Math.floor(seconds / 60);
    const s = seconds % 60;
    const clockBox = $("clock");
    clockBox.textContent = `${m}:${String(s).padStart(2, "0")}`;
    clockBox.dataset.level = seconds <= 60 ? "low" : "";
    ANNOUNCE_AT.forEach(([limit, key]) => {
      if (seconds <= limit && !state.announced.has(key)) {
        state.announced.add(key);
        $("announcer").textContent = T[key];
      }
    });
    if (left <= 0) {
      if (!state.closing) {
        $("announcer").textContent = T.time_up;
        $("submit-error").textContent = T.time_up;
        submit(true);
      }
      return;
    }
    state.ticking = setTimeout(tick, (left % 1000) + 20);
  }

  // ---------------------------------------------------------------- rendering
  function showLink(key) {
    const box = $("link-state");
    box.textContent = T[key];
    box.dataset.state = key;
  }

  function render() {
    const questions = state.attempt.questions;
    const list = $("questions");
    list.textContent = "";
    const nav = $("navigator");
    nav.textContent = "";
    questions.forEach((q, index) => {
      list.appendChild(renderQuestion(q, questions.length));
      const jump = document.createElement("button");
      jump.type = "button";
      jump.className = "jump";
      jump.textContent = String(index + 1);
      jump.dataset.slot = String(q.slot);
      jump.setAttribute("aria-label", fill(T.question_of, { n: index + 1, total: questions.length }));
      jump.addEventListener("click", () => goTo(index, true));
      nav.appendChild(jump);
    });
    const prediction = state.attempt.prediction;
    if (prediction && prediction !== "off") {
      $("prediction-box").hidden = false;
      $("prediction-label").textContent = T[`prediction_${prediction}`] || T.prediction_full_marks;
    }
    renderAllChoices();
    applyView();
  }

  function renderQuestion(q, total) {
    const box = document.createElement("fieldset");
    box.className = "question card";
    box.id = `q-${q.slot}`;
    box.dataset.slot = String(q.slot);
    const legend = document.createElement("legend");
    legend.className = "question-number";
    legend.textContent = fill(T.question_of, { n: q.slot + 1, total });
    box.appendChild(legend);
    const text = document.createElement("p");
    text.className = "question-text";
    text.textContent = q.text;
    box.appendChild(text);
    const hint = document.createElement("p");
    hint.className = "hint";
    hint.textContent = q.multiple ? T.choose_all : T.choose_one;
    box.appendChild(hint);
    const options = document.createElement("div");
    options.className = "choices";
    q.options.forEach((option) => {
      const label = document.createElement("label");
      label.className = "choice";
      const input = document.createElement("input");
      input.type = q.multiple ? "checkbox" : "radio";
      input.name = `q-${q.slot}`;
      input.value = option.key;
      input.addEventListener("change", () => {
        const picked = Array.from(box.querySelectorAll("input:checked")).map((el) => el.value).sort();
        choose(String(q.slot), picked);
      });
      const key = document.createElement("span");
      key.className = "choice-key";
      key.textContent = option.key;
      const optionText = document.createElement("span");
      optionText.className = "choice-text";
      optionText.textContent = option.text;
      label.append(input, key, optionText);
      options.appendChild(label);
    });
    box.appendChild(options);
    const foot = document.createElement("div");
    foot.className = "question-foot";
    const saveBox = document.createElement("p");
    saveBox.className = "save-state"; // shown, not announced: the connection line speaks for trouble
    const clear = document.createElement("button");
    clear.type = "button";
    clear.className = "linkbutton clear";
    clear.textContent = T.clear;
    clear.addEventListener("click", () => {
      box.querySelectorAll("input").forEach((el) => { el.checked = false; });
      choose(String(q.slot), []);
    });
    foot.append(saveBox, clear);
    box.appendChild(foot);
    return box;
  }

  function renderAllChoices() {
    state.attempt.questions.forEach((q) => {
      const chosen = new Set(state.choices[q.slot] || []);
      document.querySelectorAll(`#q-${q.slot} input`).forEach((el) => { el.checked = chosen.has(el.value); });
      renderSaveState(String(q.slot));
    });
    renderProgress();
  }

  function setSaveState(slot, value) {
    state.saveState[slot] = value;
    renderSaveState(slot);
    renderProgress();
  }

  function refreshAllSaveStates() {
    if (!state.attempt) return;
    Object.keys(state.pending).forEach((slot) => setSaveState(slot, link.up ? "saving" : "offline"));
  }

  function renderSaveState(slot) {
    const box = document.querySelector(`#q-${slot} .save-state`);
    if (!box) return;
    const value = state.saveState[slot] || "";
    const answered = (state.choices[slot] || []).length > 0;
    box.dataset.state = value;
    if (value === "error") box.textContent = fill(T.not_saved, { message: state.errors[slot] || "" });
    else box.textContent = value && (answered || value !== "saved") ? T[value] : "";
    const clear = document.querySelector(`#q-${slot} .clear`);
    if (clear) clear.hidden = !answered;
  }

  function renderProgress() {
    const questions = state.attempt.questions;
    const done = questions.filter((q) => (state.choices[q.slot] || []).length).length;
    $("progress-text").textContent = fill(T.answered, { done, total: questions.length });
    $("progress").max = questions.length;
    $("progress").value = done;
    document.querySelectorAll("#navigator .jump").forEach((el) => {
      el.dataset.answered = (state.choices[el.dataset.slot] || []).length ? "yes" : "no";
    });
    const unsaved = unsavedCount();
    $("submit-summary").textContent = fill(T.answered, { done, total: questions.length }) +
      (unsaved ? ` · ${fill(T.unsaved, { count: unsaved })}` : "");
  }

  function applyView() {
    document.querySelectorAll(".view-switch .chip").forEach((el) => {
      el.setAttribute("aria-pressed", String(el.dataset.view === state.view));
    });
    root.dataset.view = state.view;
    $("pager").hidden = state.view !== "one";
    goTo(state.current, false);
  }

  function goTo(index, focus) {
    const questions = state.attempt.questions;
    state.current = Math.max(0, Math.min(questions.length - 1, index));
    questions.forEach((q, i) => {
      $(`q-${q.slot}`).hidden = state.view === "one" && i !== state.current;
    });
    document.querySelectorAll("#navigator .jump").forEach((el, i) => {
      if (i === state.current && state.view === "one") el.setAttribute("aria-current", "step");
      else el.removeAttribute("aria-current");
    });
    $("prev").disabled = state.current === 0;
    $("next").disabled = state.current === questions.length - 1;
    if (focus) {
      const target = $(`q-${questions[state.current].slot}`);
      target.scrollIntoView({ block: "start", behavior: state.view === "all" ? "smooth" : "auto" });
      const first = target.querySelector("input");
      if (first) first.focus({ preventScroll: true });
    }
  }

  // ---------------------------------------------------------------- wiring
  $("start").addEventListener("click", () => {
    $("start").disabled = true;
    $("intro-error").textContent = T.starting;
    load("attempt_start", { round_id: cfg.roundId });
  });
  $("prev").addEventListener("click", () => goTo(state.current - 1, true));
  $("next").addEventListener("click", () => goTo(state.current + 1, true));
  document.querySelectorAll(".view-switch .chip").forEach((el) => {
    el.addEventListener("click", () => {
      state.view = el.dataset.view;
      store.set("olympiad.view", state.view);
      applyView();
    });
  });
  $("prediction").addEventListener("input", () => { if (state.attempt) saveLocal(); });
  $("submit").addEventListener("click", () => {
    $("submit-error").textContent = "";
    if (state.attempt.prediction !== "off" && predictionValue() === undefined) {
      $("submit-error").textContent = T.prediction_needed;
      $("prediction").focus();
      return;
    }
    const done = state.attempt.questions.filter((q) => (state.choices[q.slot] || []).length).length;
    $("confirm-text").textContent = fill(T.confirm, { done, total: state.attempt.questions.length });
    const dialog = $("confirm");
    if (typeof dialog.showModal === "function") dialog.showModal();
    else if (window.confirm($("confirm-text").textContent)) submit(false);
  });
  $("confirm-yes").addEventListener("click", () => { $("confirm").close(); submit(false); });
  $("confirm-no").addEventListener("click", () => $("confirm").close());
  window.addEventListener("online", () => { if (link.mode === "http") onLinkUp(); });
  // Phones throttle timers of pages in the background: catch up at once when the page is seen again.
  document.addEventListener("visibilitychange", () => { if (!document.hidden && state.attempt) tick(); });

  link.start();
})();
