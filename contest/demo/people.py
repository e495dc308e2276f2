"""Deterministic demo entrants: plausible Vietnamese names, phones 0900000001…, birth dates. Pure code."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Thu", "Đức", "Quang", "Thanh", "Hải", "Gia", "Bảo", "Khánh")
GIVEN = ("An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hạnh", "Hiếu", "Hoa", "Huy", "Khoa", "Lan", "Linh",
         "Long", "Mai", "Minh", "Nam", "Ngân", "Phúc", "Quân", "Tâm", "Thảo", "Trang", "Tú", "Vy", "Yến")


@dataclass(frozen=True)
class DemoPerson:
    phone: str
    full_name: str
    birth_date: date


def demo_phone(number: int) -> str:
    return f"09{number:08d}"


def demo_people(count: int, rng: random.Random) -> list[DemoPerson]:
    """``count`` people with phones 0900000001, 0900000002, …; the same list for the same ``rng`` seed."""
    people = []
    for number in range(1, count + 1):
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        born = date(2005, 1, 1) + timedelta(days=rng.randrange(6 * 365))
        people.append(DemoPerson(demo_phone(number), name, born))
    return people
