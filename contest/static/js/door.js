// Solves the form's proof of work (templates/fairplay/_pow.html) when it is sent, then sends it.
import { solve } from "./pow.js";

const challengeInput = document.querySelector('input[name="pow_challenge"]');
if (challengeInput) {
  const form = challengeInput.form;
  const solution = form.querySelector('input[name="pow_solution"]');
  const status = form.querySelector(".pow-state");
  let solving = null;
  const start = () => {
    if (!solving) solving = solve(challengeInput.value, Number(challengeInput.dataset.bits));
    return solving;
  };
  start(); // begin at once: usually done before the entrant has typed their password
  form.addEventListener("submit", async (event) => {
    if (solution.value) return;
    event.preventDefault();
    if (status) { status.hidden = false; status.textContent = status.dataset.working; }
    solution.value = await start();
    form.submit();
  });
}
