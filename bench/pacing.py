"""How long simulated entrants take over each question: the load harness's fixed cadence, a scripted bot farm and
human-like entrants (issue 14, part 5). Pure: ``rng`` comes in.

* ``human``: a reading speed per person (about 14 characters a second, 7 to 25), each question read at that speed
  with a log-normal spread, plus orienting and deciding (log-normal, median 2 s); now and then (1 in 8) a guess
  after 1 to 4 s without reading it all. Reading and decision times are right-skewed, which a log-normal follows
  (the usual model of reading-time and response-time data).
* ``farm``: what public bot tools do "to avoid detection": a random delay drawn uniformly from a fixed range
  (1.5 to 3.5 s), whatever the question.
* ``fixed``: the harness's load cadence (``think_s``), as before.
"""

from __future__ import annotations

import math
import random

PACES = ("fixed", "farm", "human")
FARM_DELAY_S = (1.5, 3.5)


def reading_speed(rng: random.Random) -> float:
    """A person's reading speed in characters a second."""
    return min(25.0, max(7.0, rng.gauss(14.0, 3.5)))


def human_delay(rng: random.Random, chars: int, speed: float) -> float:
    if rng.random() < 1 / 8:
        return rng.uniform(1.0, 4.0)  # a guess
    reading = chars / speed * math.exp(rng.gauss(0.0, 0.3))
    return 0.6 + reading + math.exp(rng.gauss(math.log(2.0), 0.6))


def farm_delay(rng: random.Random) -> float:
    return rng.uniform(*FARM_DELAY_S)


def delay(pace: str, rng: random.Random, *, chars: int, think_s: float, speed: float) -> float:
    """Seconds before the next answer, for one question of ``chars`` characters."""
    if pace == "human":
        return human_delay(rng, chars, speed)
    if pace == "farm":
        return farm_delay(rng)
    return think_s


def question_chars(question: dict) -> int:
    """What there is to read in a question of the ``attempt`` object (docs/contract.md): its text and options."""
    return len(question.get("text", "")) + sum(len(option.get("text", "")) for option in question.get("options", ()))
