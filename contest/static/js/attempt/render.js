// Drawing the paper: the questions (from the page's <template>s), the navigator, save states, progress and the
// "one at a time" / "all on one page" view. It reads the page's state and never changes what was answered.

import { fill } from "./text.js";

const answeredIn = (choices, slot) => (choices[slot] || []).length > 0;

// A question's or an option's picture: its width and height keep the page from jumping while it loads, and it
// loads only when shown (one question at a time keeps the others' pictures off the phone's data).
export function picture(doc, image, className) {
  const img = doc.createElement("img");
  img.className = className;
  img.loading = "lazy";
  img.decoding = "async";
  img.width = image.width;
  img.height = image.height;
  img.alt = image.alt || "";
  img.src = image.url;
  return img;
}

export class Paper {
  // `state`: {attempt, choices, saveState, errors, current, view}; `unsaved()`: answers not acknowledged yet.
  constructor(doc, strings, state, unsaved) {
    this.doc = doc;
    this.T = strings;
    this.state = state;
    this.unsaved = unsaved;
  }

  $(id) { return this.doc.getElementById(id); }

  // `on.choose(slot, keys)` when an answer changes; `on.moved(index)` when another question is shown.
  build(on) {
    this.on = on;
    const questions = this.state.attempt.questions;
    const list = this.$("questions");
    list.textContent = "";
    const nav = this.$("navigator");
    nav.textContent = "";
    questions.forEach((q, index) => {
      list.appendChild(this.question(q, questions.length, on));
      const jump = this.$("jump-template").content.firstElementChild.cloneNode(true);
      jump.textContent = String(index + 1);
      jump.dataset.slot = String(q.slot);
      jump.setAttribute("aria-label", fill(this.T.question_of, { n: index + 1, total: questions.length }));
      jump.addEventListener("click", () => this.goTo(index, true));
      nav.appendChild(jump);
    });
    const prediction = this.state.attempt.prediction;
    if (prediction && prediction !== "off") {
      this.$("prediction-box").hidden = false;
      this.$("prediction-label").textContent = this.T[`prediction_${prediction}`] || this.T.prediction_full_marks;
    }
    this.allChoices();
    this.applyView();
  }

  question(q, total, on) {
    const box = this.$("question-template").content.firstElementChild.cloneNode(true);
    box.id = `q-${q.slot}`;
    box.dataset.slot = String(q.slot);
    box.querySelector(".question-number").textContent = fill(this.T.question_of, { n: q.slot + 1, total });
    box.querySelector(".question-text").textContent = q.text;
    if (q.image) box.querySelector(".question-text").after(picture(this.doc, q.image, "question-image"));
    box.querySelector(".hint").textContent = q.multiple ? this.T.choose_all : this.T.choose_one;
    const options = box.querySelector(".choices");
    q.options.forEach((option) => {
      const label = this.$("choice-template").content.firstElementChild.cloneNode(true);
      const input = label.querySelector("input");
      input.type = q.multiple ? "checkbox" : "radio";
      input.name = `q-${q.slot}`;
      input.value = option.key;
      input.addEventListener("change", () => {
        const picked = Array.from(box.querySelectorAll("input:checked")).map((el) => el.value).sort();
        on.choose(String(q.slot), picked);
      });
      label.querySelector(".choice-key").textContent = option.key;
      label.querySelector(".choice-text").textContent = option.text;
      if (option.image) label.querySelector(".choice-text").appendChild(picture(this.doc, option.image, "choice-image"));
      options.appendChild(label);
    });
    const clear = box.querySelector(".clear");
    clear.textContent = this.T.clear;
    clear.addEventListener("click", () => {
      box.querySelectorAll("input").forEach((el) => { el.checked = false; });
      on.choose(String(q.slot), []);
    });
    return box;
  }

  allChoices() {
    this.state.attempt.questions.forEach((q) => {
      const chosen = new Set(this.state.choices[q.slot] || []);
      this.doc.querySelectorAll(`#q-${q.slot} input`).forEach((el) => { el.checked = chosen.has(el.value); });
      this.saveState(String(q.slot));
    });
    this.progress();
  }

  saveState(slot) {
    const box = this.doc.querySelector(`#q-${slot} .save-state`);
    if (!box) return;
    const value = this.state.saveState[slot] || "";
    const answered = answeredIn(this.state.choices, slot);
    box.dataset.state = value;
    if (value === "error") box.textContent = fill(this.T.not_saved, { message: this.state.errors[slot] || "" });
    else box.textContent = value && (answered || value !== "saved") ? this.T[value] : "";
    const clear = this.doc.querySelector(`#q-${slot} .clear`);
    if (clear) clear.hidden = !answered;
  }

  answeredCount() {
    return this.state.attempt.questions.filter((q) => answeredIn(this.state.choices, q.slot)).length;
  }

  progress() {
    const total = this.state.attempt.questions.length;
    const done = this.answeredCount();
    this.$("progress-text").textContent = fill(this.T.answered, { done, total });
    this.$("progress").max = total;
    this.$("progress").value = done;
    this.doc.querySelectorAll("#navigator .jump").forEach((el) => {
      el.dataset.answered = answeredIn(this.state.choices, el.dataset.slot) ? "yes" : "no";
    });
    const unsaved = this.unsaved();
    this.$("submit-summary").textContent = fill(this.T.answered, { done, total }) +
      (unsaved ? ` · ${fill(this.T.unsaved, { count: unsaved })}` : "");
  }

  applyView() {
    this.doc.querySelectorAll(".view-switch .chip").forEach((el) => {
      el.setAttribute("aria-pressed", String(el.dataset.view === this.state.view));
    });
    this.$("play").dataset.view = this.state.view;
    this.$("pager").hidden = this.state.view !== "one";
    this.goTo(this.state.current, false);
  }

  goTo(index, focus) {
    const questions = this.state.attempt.questions;
    const one = this.state.view === "one";
    this.state.current = Math.max(0, Math.min(questions.length - 1, index));
    questions.forEach((q, i) => {
      this.$(`q-${q.slot}`).hidden = one && i !== this.state.current;
    });
    this.doc.querySelectorAll("#navigator .jump").forEach((el, i) => {
      if (i === this.state.current && one) el.setAttribute("aria-current", "step");
      else el.removeAttribute("aria-current");
    });
    this.$("prev").disabled = this.state.current === 0;
    this.$("next").disabled = this.state.current === questions.length - 1;
    if (this.on && this.on.moved) this.on.moved(this.state.current);
    if (focus) {
      const target = this.$(`q-${questions[this.state.current].slot}`);
      target.scrollIntoView({ block: "start", behavior: one ? "auto" : "smooth" });
      const first = target.querySelector("input");
      if (first) first.focus({ preventScroll: true });
    }
  }
}
