"""What a just-finalised attempt hands on: to the entrant as the result, to the boards as the placement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Closed:
    """A finalised attempt as written. Plain values, taken before the commit: after it every column of the ORM
    object is expired, and each read would load the row again (one more query a submit, at 200 submits a second
    in a round's last minute)."""

    id: int
    user_id: int
    round_id: int
    score: int
    max_score: int
    duration_ms: int
    finished_at: datetime
