"""A population of entrants for the fair-play signals (issue 14, part 5): human-like entrants and bot farms, as the
attempts, answers, devices, addresses and registrations the database would hold. Pure: ``rng`` comes in.

Humans (``bench.pacing.human_delay``) sit in schools of 15 to 35 behind one address each; a third of the schools
registered their class together within a few minutes; 2 in 100 share a phone with a sibling; a fifth take a second
attempt, a little better on average. Farms of 20 to 60 accounts run from one address, registered in a burst, on
a handful of cloned emulator device ids, and play in one of three styles:

* ``script``: answers the key with a uniform random delay (``bench.pacing.farm_delay``);
* ``replay``: one recorded run replayed by every account (the same answers, the same timings);
* ``careful``: human-like delays, but the farm's address, burst and cloned devices give it away.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from bench import pacing
from contest.fairplay.signals import AnswerFact

T0 = 1_780_000_000.0  # epoch seconds of the round's opening
QUESTIONS = 20


@dataclass
class SimAttempt:
    attempt_id: int
    user_id: int
    started_at: float
    duration_s: float
    score: int
    answers: list[AnswerFact]
    device: str
    address: str
    bot: bool
    papers: list[tuple[int, int]] = field(default_factory=list)  # (question id, chars) per slot


@dataclass
class Population:
    attempts: list[SimAttempt]
    registrations: list[tuple[int, str, float]]  # (user id, address, epoch seconds)
    bank: dict[int, int]  # question id -> characters


def bank(rng: random.Random, size: int = 300) -> dict[int, int]:
    return {question: rng.randint(60, 320) for question in range(1, size + 1)}


class Builder:
    def __init__(self, rng: random.Random, questions: dict[int, int]):
        self.rng, self.questions = rng, questions
        self.attempts: list[SimAttempt] = []
        self.registrations: list[tuple[int, str, float]] = []
        self.next_user = 1
        self.next_attempt = 1

    def user(self, address: str, registered_at: float) -> int:
        user_id = self.next_user
        self.next_user += 1
        self.registrations.append((user_id, address, registered_at))
        return user_id

    def paper(self) -> list[tuple[int, int]]:
        drawn = self.rng.sample(sorted(self.questions), QUESTIONS)
        return [(question, self.questions[question]) for question in drawn]

    def attempt(self, user_id: int, start: float, delays: list[float], correct: list[bool], paper, *, device: str,
                address: str, bot: bool, choices: list[str] | None = None) -> SimAttempt:
        at, answers = start, []
        for slot, ((question, chars), wait) in enumerate(zip(paper, delays, strict=True)):
            at += wait
            choice = choices[slot] if choices else ("B" if correct[slot] else self.rng.choice("ACD"))
            answers.append(AnswerFact(question, chars, choice, at))
        made = SimAttempt(self.next_attempt, user_id, start, at - start + self.rng.uniform(2, 20), sum(correct),
                          answers, device, address, bot, paper)
        self.next_attempt += 1
        self.attempts.append(made)
        return made


def humans(builder: Builder, count: int) -> None:
    rng = builder.rng
    made = 0
    school = 0
    while made < count:
        school += 1
        size = min(count - made, rng.randint(15, 35))
        address = f"10.{school // 250}.{school % 250}.1"
        together = rng.random() < 1 / 3
        class_time = T0 - rng.uniform(86400, 30 * 86400)
        for _ in range(size):
            registered = class_time + rng.uniform(0, 480) if together else T0 - rng.uniform(3600, 60 * 86400)
            user_id = builder.user(address, registered)
            device = f"h{user_id}" if rng.random() > 0.02 or user_id == 1 else f"h{user_id - 1}"  # a sibling's phone
            ability = rng.betavariate(4, 3)
            speed = pacing.reading_speed(rng)
            tries = 2 if rng.random() < 0.2 else 1
            start = T0 + rng.uniform(0, 5 * 86400)
            for number in range(tries):
                paper = builder.paper()
                skill = min(0.98, ability + (rng.gauss(0.1, 0.15) if number else 0.0))
                delays = [pacing.human_delay(rng, chars, speed) for _q, chars in paper]
                correct = [rng.random() < skill for _ in paper]
                builder.attempt(user_id, start, delays, correct, paper, device=device, address=address, bot=False)
                start += rng.uniform(3600, 2 * 86400)
            made += 1


def farms(builder: Builder, count: int) -> None:
    rng = builder.rng
    made = 0
    farm = 0
    styles = ("script", "replay", "careful")
    while made < count:
        farm += 1
        size = min(count - made, rng.randint(20, 60))
        style = styles[farm % len(styles)]
        address = f"203.0.{farm}.{rng.randint(2, 250)}"
        burst = T0 - rng.uniform(3600, 10 * 86400)
        devices = [f"farm{farm}-emu{n}" for n in range(rng.randint(2, 6))]
        recorded_paper = builder.paper()
        recorded = [pacing.farm_delay(rng) for _ in recorded_paper]
        start = T0 + rng.uniform(0, 5 * 86400)
        for n in range(size):
            user_id = builder.user(address, burst + n * rng.uniform(5, 20))
            device = devices[n % len(devices)]
            if style == "replay":
                paper, delays = recorded_paper, recorded
            else:
                paper = builder.paper()
                speed = pacing.reading_speed(rng)
                delays = [pacing.farm_delay(rng) if style == "script" else pacing.human_delay(rng, chars, speed)
                          for _q, chars in paper]
            correct = [True] * len(paper) if style != "careful" else [rng.random() < 0.9 for _ in paper]
            builder.attempt(user_id, start + n * rng.uniform(20, 90), delays, correct, paper, device=device,
                            address=address, bot=True)
            made += 1


def population(rng: random.Random, *, humans_count: int, bots: int, bank_size: int = 300) -> Population:
    """``humans_count`` human-like entrants and about ``bots`` farm accounts, shuffled into one population."""
    builder = Builder(rng, bank(rng, bank_size))
    humans(builder, humans_count)
    farms(builder, bots)
    return Population(builder.attempts, builder.registrations, builder.questions)


def precision_recall(flagged: set[int], bots: set[int], everyone: int) -> tuple[float, float]:
    """Over attempts: precision (flagged attempts that are bots) and recall (bot attempts flagged)."""
    true = len(flagged & bots)
    precision = true / len(flagged) if flagged else 1.0
    recall = true / len(bots) if bots else 1.0
    return precision, recall


def log_normal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))
