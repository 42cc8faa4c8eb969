"""Client-side rate limiting at MoEngage's documented limits.

MoEngage counts requests per client in rolling windows (per second, minute and hour) and answers
429 past them. One limiter per endpoint family, shared by every concurrent caller, spaces requests
so a burst of agent calls queues here instead of earning 429s from the API.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence

import anyio

Window = tuple[int, float]
"""(requests allowed, window length in seconds)."""

STANDARD: tuple[Window, ...] = ((10, 1.0), (100, 60.0), (6000, 3600.0))

LIMITS: Mapping[str, tuple[Window, ...]] = {
    "get": STANDARD,
    "search": STANDARD,
    "meta": STANDARD,
    "executions": STANDARD,
    "update": STANDARD,
    "validate": STANDARD,
    "status": STANDARD,
    "test": ((10, 1.0), (100, 60.0)),
    "preview": ((10_000, 60.0),),
    "stats": ((100, 60.0),),
}
"""Documented limits per endpoint family (API_NOTES.md)."""

MARGIN = 0.05
"""Seconds added to each window: the API counts arrivals, and a request may arrive later than the
one `limit` places before it left; the margin absorbs that jitter."""


class RollingWindowLimiter:
    """Grants at most `count` acquisitions in any `seconds`-long window, for every window given."""

    def __init__(
        self, windows: Sequence[Window], *, margin: float = MARGIN, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._windows = tuple(windows)
        self._span = max(seconds for _, seconds in self._windows) + margin
        self._margin = margin
        self._clock = clock
        self._granted: deque[float] = deque()
        self._lock = anyio.Lock()

    async def acquire(self) -> None:
        """Wait until a request may be sent; callers are served in arrival order."""
        async with self._lock:
            while (wait := self._wait(self._clock())) > 0:
                await anyio.sleep(wait)
            self._granted.append(self._clock())

    def _wait(self, now: float) -> float:
        while self._granted and self._granted[0] <= now - self._span:
            self._granted.popleft()
        wait = 0.0
        for count, seconds in self._windows:
            if len(self._granted) >= count:
                wait = max(wait, self._granted[-count] + seconds + self._margin - now)
        return wait


def limiters(limits: Mapping[str, Sequence[Window]] = LIMITS) -> dict[str, RollingWindowLimiter]:
    return {family: RollingWindowLimiter(windows) for family, windows in limits.items()}
