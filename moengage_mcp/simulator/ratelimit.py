"""Rolling-window rate limits per API key and endpoint family, as documented.

Monotonic time is used even when the simulated clock is fixed: rate limiting is about how fast a
client actually calls, which a frozen business clock must not hide. Real time by default; a virtual
event loop's clock (`anyio.current_time`) when the client runs on one, so both sides keep one time.
"""

from __future__ import annotations

import math
import time
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

_STANDARD = ((1.0, 10), (60.0, 100), (3600.0, 6000))

# family -> ((window seconds, max requests), ...)
LIMITS: dict[str, tuple[tuple[float, int], ...]] = {
    "get": _STANDARD,
    "search": _STANDARD,
    "meta": _STANDARD,
    "executions": _STANDARD,
    "update": _STANDARD,
    "validate": _STANDARD,
    "status": _STANDARD,
    "test": ((1.0, 10), (60.0, 100)),
    "preview": ((60.0, 10_000),),
    "stats": ((60.0, 100),),
    "report": _STANDARD,  # undocumented: the standard limits
    "create": ((1.0, 5), (60.0, 25), (3600.0, 100)),  # calls; successful creations: authoring.CREATION_QUOTA
}


@dataclass
class Decision:
    allowed: bool
    headers: dict[str, str]
    retry_after: int = 0


@dataclass
class _Bucket:
    hits: list[float] = field(default_factory=list)

    def count_since(self, start: float) -> int:
        return len(self.hits) - bisect_right(self.hits, start)

    def oldest_since(self, start: float) -> float | None:
        index = bisect_right(self.hits, start)
        return self.hits[index] if index < len(self.hits) else None

    def prune(self, before: float) -> None:
        index = bisect_right(self.hits, before)
        if index:
            del self.hits[:index]


class RateLimiter:
    """Counts accepted requests; a rejected (429) request does not count."""

    def __init__(self, *, enforce: bool = True, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.enforce = enforce
        self._monotonic = monotonic
        self._buckets: dict[tuple[str, str], _Bucket] = {}

    def reset(self) -> None:
        self._buckets.clear()

    def hit(self, key: str, family: str) -> Decision:
        """Admit or refuse one request; admitted requests are recorded."""
        windows = LIMITS[family]
        now = self._monotonic()
        bucket = self._bucket(key, family, now)
        waits = [
            self._wait(bucket, now, seconds)
            for seconds, limit in windows
            if bucket.count_since(now - seconds) >= limit
        ]
        if waits and self.enforce:
            return Decision(False, self._headers(bucket, now, windows), max(waits))
        bucket.hits.append(now)
        return Decision(True, self._headers(bucket, now, windows))

    def peek(self, key: str, family: str) -> dict[str, str]:
        """Headers for a response that did not reach the limiter (e.g. a 401)."""
        now = self._monotonic()
        return self._headers(self._bucket(key, family, now), now, LIMITS[family])

    def _bucket(self, key: str, family: str, now: float) -> _Bucket:
        bucket = self._buckets.setdefault((key, family), _Bucket())
        bucket.prune(now - max(seconds for seconds, _ in LIMITS[family]))
        return bucket

    @staticmethod
    def _wait(bucket: _Bucket, now: float, seconds: float) -> int:
        oldest = bucket.oldest_since(now - seconds)
        remaining = (oldest + seconds - now) if oldest is not None else seconds
        return max(1, math.ceil(remaining))

    def _headers(self, bucket: _Bucket, now: float, windows: tuple[tuple[float, int], ...]) -> dict[str, str]:
        """x-ratelimit-* for the tightest window: the one with the fewest requests left."""
        seconds, limit = min(windows, key=lambda w: (w[1] - bucket.count_since(now - w[0]), w[0]))
        remaining = max(0, limit - bucket.count_since(now - seconds))
        return {
            "x-ratelimit-limit": str(limit),
            "x-ratelimit-remaining": str(remaining),
            "x-ratelimit-reset": str(self._wait(bucket, now, seconds)),
        }
