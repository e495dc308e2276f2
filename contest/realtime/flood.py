"""Per-connection rate limiting for Socket.IO events: a token bucket per connection, in memory.

A real entrant sends an answer every few seconds; a burst allowance covers resending a batch of answers
kept offline. Anything faster is refused with ``rate_limited`` (the connection stays open).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    rate: float  # tokens added per second
    burst: float  # bucket size
    tokens: float = -1.0
    stamp: float = 0.0

    def take(self, now: float) -> bool:
        if self.tokens < 0:
            self.tokens, self.stamp = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@dataclass
class FloodGuard:
    rate: float = 10.0
    burst: float = 60.0
    buckets: dict[str, TokenBucket] = field(default_factory=dict)

    def allow(self, sid: str, now: float | None = None) -> bool:
        bucket = self.buckets.get(sid)
        if bucket is None:
            bucket = self.buckets[sid] = TokenBucket(self.rate, self.burst)
        return bucket.take(time.monotonic() if now is None else now)

    def forget(self, sid: str) -> None:
        self.buckets.pop(sid, None)


flood_guard = FloodGuard()
