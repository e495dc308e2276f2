// The attempt page: takes a round over Socket.IO (/play), or over the HTTP API when the websocket cannot connect.
// Native ES modules, no build step: the parts are in ./attempt/ (transport, answer queue, timer, rendering), and
// this module holds the page's state and wires them to its buttons. The server's clock is the only clock.

import { AnswerQueue, answerOutcome, answerPayload, attemptKey, keeper, mergeAnswers, predictionValue,
  submitPayload } from "./attempt/answers.js";
import { deviceId } from "./attempt/device.js";
import { Paper } from "./attempt/render.js";
import { RETRY_MS, inLineSeconds, retryable } from "./attempt/retry.js";
import { fill } from "./attempt/text.js";
import { PendingSubmit, currentKey, keptQuestion, submitOutcome, waitingMessage } from "./attempt/submitting.js";
import { Clock, countdown, dueAnnouncements } from "./attempt/timer.js";
import { Link } from "./attempt/transport.js";

const SUBMIT_WAIT_STEPS = 16; // answers still on their way get 16 × 500 ms before the submit goes
const SUBMIT_WAIT_MS = 500;

const root = document.getElementById("play");
if (root) start(root);

function start(root) {
  const T = JSON.parse(document.getElementById("play-strings").textContent);
  const cfg = {
    roundId: Number(root.dataset.roundId),
    attemptId: Number(root.dataset.attemptId) || null,
    resultUrl: root.dataset.resultUrl,
  };
  const $ = (id) => document.getElementById(id);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const store = keeper(() => window.localStorage);
  let storage = null;
  try { storage = window.localStorage; } catch (e) { /* refused: a device id for this page only */ }
  const device = deviceId(storage, (n) => window.crypto.getRandomValues(new Uint8Array(n)));
  const tab = keeper(() => window.sessionStorage); // this tab's place in the paper, for a reload
  const clock = new Clock();
  const queue = new AnswerQueue();
  const state = {
    attempt: null,
    choices: {}, // slot -> [labels] as shown
    saveState: {}, // slot -> "saved" | "saving" | "offline" | "error"
    errors: {}, // slot -> message
    current: 0,
    view: store.get("olympiad.view", "one") === "all" ? "all" : "one",
    closing: false,
    ticking: null,
    announced: new Set(),
    takenOver: false, // another device has the attempt now: this page sends nothing more
    paused: false, // the organisers paused the round: the clock is stopped, nothing is submitted
    pendingSubmit: null, // a PendingSubmit once the attempt is known
  };
  const paper = new Paper(document, T, state, () => queue.size);
  const link = new Link(root.dataset.api, {
    show: showLink,
    up: onLinkUp,
    lost: refreshAllSaveStates,
    closed: (payload) => { if (state.attempt && payload && payload.attempt_id === state.attempt.id) finished(); },
    ended: sessionOver,
    takenOver: (payload) => { if (state.attempt && payload && payload.attempt_id === state.attempt.id) takenOver(); },
    paused: (payload) => { if (state.attempt && payload && payload.round_id === cfg.roundId) setPaused(true); },
    resumed: (payload) => {
      if (!state.attempt || !payload || payload.round_id !== cfg.roundId) return;
      setPaused(false);
      resync(); // the new deadline and every answer kept meanwhile
    },
    deadline: (payload) => {
      if (!state.attempt || !payload || payload.attempt_id !== state.attempt.id) return;
      state.attempt.deadline = payload.deadline;
      tick();
    },
    poll: () => { if (state.attempt) resync(); },
  }, device);

  const saveLocal = () => store.set(attemptKey(state.attempt.id), queue.kept($("prediction").value));
  const pendingState = () => (link.up ? "saving" : "offline");

  function showLink(key) {
    const box = $("link-state");
    box.textContent = T[key];
    box.dataset.state = key;
    // The line under the buttons never contradicts this one: "cannot reach the server" goes once it is reached,
    // and a waiting submit says what it is waiting for.
    const up = key === "online" || key === "online_http";
    ["intro-error", "submit-error"].forEach((id) => {
      const el = $(id);
      if (up && el.dataset.reason === "offline") say(id, "");
    });
    if (state.pendingSubmit && state.pendingSubmit.waiting) say("submit-error", T[waitingMessage(up)], "waiting");
  }

  // A message under the intro or the submit button; `reason` "offline" or "waiting" marks one the link may change.
  function say(id, text, reason) {
    const el = $(id);
    el.textContent = text;
    el.dataset.reason = reason || "";
  }

  function setSaveState(slot, value) {
    state.saveState[slot] = value;
    paper.saveState(slot);
    paper.progress();
  }

  function refreshAllSaveStates() {
    if (!state.attempt) return;
    queue.slots().forEach((slot) => setSaveState(slot, pendingState()));
  }

  // ------------------------------------------------------------ starting and resuming
  async function timeSync() {
    clock.synced = false; // a reconnect may be over another network: measure again
    for (let i = 0; i < 3; i += 1) {
      const sentAt = Date.now();
      const reply = await link.call("time_sync", {});
      if (!reply.ok) return;
      clock.sample(reply.server_now, sentAt, Date.now(), true);
    }
  }

  async function onLinkUp() {
    if (state.takenOver) return;
    if (link.mode === "socket") await timeSync();
    if (state.attempt) {
      await resync();
    } else if (cfg.attemptId) {
      await load("attempt_resume", { attempt_id: cfg.attemptId, device_id: device });
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
      if (code === "round_paused") { // nothing to do but wait: Start works again once it is resumed
        say("intro-error", reply.error.message);
        $("start").disabled = false;
        return;
      }
      if (!retryable(code)) { // the round closed, no attempts left…: say so, nothing to retry
        $("intro-error").textContent = reply.error.message;
        $("start").hidden = true;
      } else if (event === "attempt_resume") {
        setTimeout(() => { if (!state.attempt && link.up) load(event, data); }, RETRY_MS);
      } else if (reply.error.retry_after) { // the server is full: wait as told, plus jitter, then start again
        const seconds = inLineSeconds(reply.error.retry_after, Math.random);
        $("intro-error").textContent = fill(T.in_line, { seconds: Math.ceil(seconds) });
        $("start").disabled = true;
        setTimeout(() => { if (!state.attempt && link.up) load(event, data); }, seconds * 1000);
      } else {
        say("intro-error", T.submit_offline, "offline");
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
    const kept = store.get(attemptKey(attempt.id), {});
    queue.restore(kept);
    if (kept.prediction) $("prediction").value = kept.prediction;
    Object.assign(state, mergeAnswers(attempt.answers, queue.pending, pendingState()));
    dueAnnouncements((attempt.deadline - clock.now()) / 1000, state.announced); // passed already: not announced
    state.current = keptQuestion(tab, attempt.id, attempt.questions.length);
    state.pendingSubmit = new PendingSubmit(store, attempt.id);
    paper.build({ choose, moved: (index) => tab.set(currentKey(attempt.id), index) });
    $("intro").hidden = true;
    $("paper").hidden = false;
    $("play-bar").hidden = false;
    state.paused = Boolean(attempt.paused);
    state.pausedAt = attempt.paused_at || null;
    showPaused();
    tick();
    flush();
    retryPendingSubmit();
  }

  // A submit that did not reach the server goes again, once, now that the link is up (a second submit is a no-op).
  function retryPendingSubmit() {
    if (!state.attempt || !link.up || !state.pendingSubmit || !state.pendingSubmit.take()) return;
    submit("retry");
  }

  // After a reconnect (or a poll over HTTP): the server's view, then send what it has not acknowledged. It does not
  // take the attempt back from another device (takeover: false): only opening the page again does.
  async function resync() {
    if (state.takenOver) return;
    const sentAt = Date.now();
    const reply = await link.call("attempt_resume", { attempt_id: state.attempt.id, device_id: device, takeover: false });
    if (!reply.ok) {
      if (reply.error.code === "not_authenticated") sessionOver();
      if (reply.error.code === "attempt_taken_over") takenOver();
      return;
    }
    clock.sample(reply.attempt.server_now, sentAt, Date.now(), false);
    state.attempt.deadline = reply.attempt.deadline;
    if (reply.attempt.status !== "in_progress") { finished(); return; }
    state.pausedAt = reply.attempt.paused_at || null;
    if (Boolean(reply.attempt.paused) !== state.paused) setPaused(Boolean(reply.attempt.paused)); // a poll over HTTP
    Object.assign(state, mergeAnswers(reply.attempt.answers, queue.pending, pendingState()));
    queue.resetInFlight();
    paper.allChoices();
    flush();
    if (state.pendingSubmit && state.pendingSubmit.waiting) retryPendingSubmit();
    else if (state.closing && clock.now() >= state.attempt.deadline) submit("auto"); // time ran out while offline
  }

  // ------------------------------------------------------------ answering
  function choose(slot, choice) {
    if (state.closing) return;
    queue.put(slot, choice, clock.now());
    state.choices[slot] = choice;
    delete state.errors[slot];
    saveLocal();
    setSaveState(slot, pendingState());
    send(slot);
  }

  async function send(slot) {
    if (!link.up || state.takenOver) return;
    const entry = queue.take(slot);
    if (!entry) return;
    const reply = await link.call("answer", answerPayload(state.attempt.id, slot, entry));
    const now = queue.settle(slot, entry);
    switch (answerOutcome(reply)) {
      case "saved":
        if (queue.forget(slot, entry)) {
          saveLocal();
          setSaveState(slot, "saved");
        }
        break;
      case "retry":
        if (now) setSaveState(slot, "offline");
        break;
      case "session":
        sessionOver();
        break;
      case "taken_over":
        takenOver();
        break;
      case "closed":
        resync(); // the attempt is over: the server says how it ended
        break;
      default: // refused for good (not a valid choice): keep the entrant's view honest
        if (queue.forget(slot, entry)) {
          saveLocal();
          state.errors[slot] = reply.error.message;
          setSaveState(slot, "error");
        }
    }
  }

  function flush() {
    if (!state.attempt || !link.up || state.takenOver) return;
    queue.slots().forEach(send);
  }

  setInterval(flush, RETRY_MS);

  // ------------------------------------------------------------ submitting and closing
  // `how`: "manual" (the entrant confirmed), "auto" (the time is up), "retry" (a waiting submit, the link back).
  async function submit(how) {
    const auto = how === "auto";
    if ((state.closing && how === "manual") || state.takenOver) return;
    state.closing = true;
    $("submit").disabled = true;
    say("submit-error", auto ? "" : T.submitting);
    // Answers still on their way first, for a few seconds: the server scores what it holds.
    for (let i = 0; i < SUBMIT_WAIT_STEPS && queue.size && link.up; i += 1) {
      flush();
      await sleep(SUBMIT_WAIT_MS);
    }
    const reply = await link.call("attempt_submit",
      submitPayload(state.attempt.id, predictionValue($("prediction").value)));
    const outcome = submitOutcome(reply);
    if (outcome === "done") { state.pendingSubmit.clear(); finished(); return; }
    if (outcome === "session") { sessionOver(); return; }
    if (outcome === "paused") { // the round was paused meanwhile: nothing was submitted; again after the resume
      state.closing = false;
      say("submit-error", reply.error.message);
      showPaused();
      return;
    }
    if (auto) { // the server finalises at the deadline anyway; ask again (a reconnect asks too)
      setTimeout(() => { if (link.up) submit("auto"); }, RETRY_MS);
      return;
    }
    if (outcome === "wait") { // nothing was done: it goes again by itself, once the link is back (or soon)
      state.pendingSubmit.queue();
      say("submit-error", T[waitingMessage(link.up)], "waiting");
      // Connected but not answered (busy, slow): once more after a while, as long as the server asks if it says.
      const wait = reply.error.retry_after ? inLineSeconds(reply.error.retry_after, Math.random) * 1000 : 2 * RETRY_MS;
      if (link.up) setTimeout(retryPendingSubmit, wait);
      return;
    }
    state.closing = false;
    $("submit").disabled = false;
    say("submit-error", reply.error.message);
  }

  function finished() {
    state.closing = true;
    if (state.attempt) {
      store.drop(attemptKey(state.attempt.id));
      tab.drop(currentKey(state.attempt.id));
    }
    window.location.assign(cfg.resultUrl.replace("{id}", String(cfg.attemptId)));
  }

  // Another device took the attempt over: say so and send nothing more (answers stay kept on this phone).
  function takenOver() {
    state.takenOver = true;
    state.closing = true;
    $("submit").disabled = true;
    $("taken-over").hidden = false;
    $("taken-over-text").textContent = T.taken_over;
  }

  function sessionOver() {
    state.closing = true;
    const box = state.attempt ? $("submit-error") : $("intro-error");
    box.textContent = T.session_over;
    showLink("link_lost");
  }

  // ------------------------------------------------------------ the pause
  // The organisers paused the round (round_paused, or `paused` in the attempt): the banner shows, the clock stops
  // where it is and submitting waits; answers chosen meanwhile are kept and sent once it is resumed.
  function setPaused(on) {
    state.paused = on;
    showPaused();
    if (on) $("announcer").textContent = T.paused;
    else { say("submit-error", ""); state.pausedAt = null; }
    tick();
  }

  function showPaused() {
    $("paused").hidden = !state.paused;
    $("submit").disabled = state.paused || state.closing || state.takenOver;
    $("play-bar").dataset.paused = state.paused ? "true" : "";
  }

  // ------------------------------------------------------------ the countdown
  function tick() {
    clearTimeout(state.ticking);
    if (!state.attempt) return;
    if (state.paused) { // stopped where it was (at `paused_at` when the server said): the resume moves the deadline
      if (state.pausedLeft === undefined) state.pausedLeft = state.attempt.deadline - (state.pausedAt || clock.now());
      const frozen = countdown(clock.now() + state.pausedLeft, clock.now());
      $("clock").textContent = frozen.text;
      return;
    }
    state.pausedLeft = undefined;
    const shown = countdown(state.attempt.deadline, clock.now());
    const clockBox = $("clock");
    clockBox.textContent = shown.text;
    clockBox.dataset.level = shown.low ? "low" : "";
    const due = dueAnnouncements(shown.seconds, state.announced);
    if (due.length) $("announcer").textContent = T[due[due.length - 1]];
    if (shown.left <= 0) {
      if (!state.closing) {
        $("announcer").textContent = T.time_up;
        $("submit-error").textContent = T.time_up;
        submit("auto");
      }
      return;
    }
    state.ticking = setTimeout(tick, shown.nextTickMs);
  }

  // ------------------------------------------------------------ wiring
  $("start").addEventListener("click", () => {
    $("start").disabled = true;
    $("intro-error").textContent = T.starting;
    load("attempt_start", { round_id: cfg.roundId, device_id: device });
  });
  $("prev").addEventListener("click", () => paper.goTo(state.current - 1, true));
  $("next").addEventListener("click", () => paper.goTo(state.current + 1, true));
  document.querySelectorAll(".view-switch .chip").forEach((el) => {
    el.addEventListener("click", () => {
      state.view = el.dataset.view;
      store.set("olympiad.view", state.view);
      paper.applyView();
    });
  });
  $("prediction").addEventListener("input", () => { if (state.attempt) saveLocal(); });
  $("submit").addEventListener("click", () => {
    $("submit-error").textContent = "";
    if (state.attempt.prediction !== "off" && predictionValue($("prediction").value) === undefined) {
      $("submit-error").textContent = T.prediction_needed;
      $("prediction").focus();
      return;
    }
    $("confirm-text").textContent = fill(T.confirm, { done: paper.answeredCount(), total: state.attempt.questions.length });
    const dialog = $("confirm");
    if (typeof dialog.showModal === "function") dialog.showModal();
    else if (window.confirm($("confirm-text").textContent)) submit("manual");
  });
  $("confirm-yes").addEventListener("click", () => { $("confirm").close(); submit("manual"); });
  $("confirm-no").addEventListener("click", () => $("confirm").close());
  window.addEventListener("online", () => { if (link.mode === "http") onLinkUp(); });
  // Phones throttle timers of pages in the background: catch up at once when the page is seen again.
  document.addEventListener("visibilitychange", () => { if (!document.hidden && state.attempt) tick(); });

  link.start();
}
