// Countdowns on the home page and the contest pages: each <time data-countdown datetime="…Z"> keeps its plain
// date and time (what a page without JavaScript shows) and gains "in 2 d 03:04:05" beside it, once a second.
// Words come from the element (data-in, data-days, data-done) so the page's language is used.

/** The whole days, hours, minutes and seconds from `now` to `target` (milliseconds); `done` once it has passed. */
export function remaining(target, now) {
  const left = Math.max(0, Math.floor((target - now) / 1000));
  return {
    done: target <= now,
    days: Math.floor(left / 86_400),
    hours: Math.floor((left % 86_400) / 3_600),
    minutes: Math.floor((left % 3_600) / 60),
    seconds: left % 60,
  };
}

const two = (n) => String(n).padStart(2, "0");

/** "2 ngày 03:04:05" (`days` names the unit: "%(n)s ngày"), "03:04:05" under a day; `done` once passed. */
export function label(parts, { days = "%(n)s d", done = "" } = {}) {
  if (parts.done) return done;
  const clock = `${two(parts.hours)}:${two(parts.minutes)}:${two(parts.seconds)}`;
  return parts.days > 0 ? `${days.replace("%(n)s", String(parts.days))} ${clock}` : clock;
}

/** Start every countdown under `root`; returns a function that stops them. */
export function start(root, now = () => Date.now(), every = (fn) => setInterval(fn, 1000)) {
  const doc = root.ownerDocument || root;
  const items = [...root.querySelectorAll("time[data-countdown]")].map((time) => {
    const out = doc.createElement("span");
    out.className = "countdown";
    time.after(out);
    return { target: Date.parse(time.getAttribute("datetime")), time, out };
  });
  const tick = () => {
    for (const { target, time, out } of items) {
      const parts = remaining(target, now());
      const text = label(parts, { days: time.dataset.days, done: time.dataset.done });
      out.textContent = parts.done ? ` (${text})` : ` (${(time.dataset.in || "%(left)s").replace("%(left)s", text)})`;
    }
  };
  tick();
  const timer = every(tick);
  return () => clearInterval(timer);
}

if (typeof document !== "undefined") {
  start(document);
}
