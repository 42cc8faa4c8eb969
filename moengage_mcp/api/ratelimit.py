"""Client-side rate limiting at MoEngage's documented limits.

MoEngage counts requests per client in rolling windows (per second, minute and hour) and answers
429 past them. One limiter per endpoint family, shared by every concurrent caller, spaces requests
so a burst of agent calls queues here instead of earning 429s from the API.

The API counts a request when it *arrives*, which this side cannot see: only that it arrived
after it was sent and before its answer came back. So a request holds its place in every window
from the moment it is granted until its answer (or failure) is back, and the window is measured
from that later moment. Then no amount of network or event-loop delay can put more requests in
one of the API's windows than the limit: spacing by send times alone cannot promise that (a
request held up on its way lets the next batch overtake it in the API's window, which is how a
burst of 60 concurrent tool calls earned a 429).
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

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

MARGIN = 0.01
"""Seconds added to each window, for timer rounding (arrival bounds are exact; see the module doc)."""


@dataclass
class Slot:
    """One granted request; `release` it when its answer (or failure) is back.

    `release` is synchronous (the client calls it in `finally`, where waiting is not safe under
    cancellation): a limiter whose bookkeeping is remote records the release in the background,
    which only makes the window it starts later, never earlier."""

    on_release: Callable[[], None]
    released: bool = False

    def release(self) -> None:
        if not self.released:
            self.released = True
            self.on_release()


class Limiter(Protocol):
    """What the API client needs of a rate limiter: one `Slot` per request, granted in time."""

    async def acquire(self) -> Slot: ...


class RollingWindowLimiter:
    """At most `count` requests in any `seconds`-long window of the API's arrivals, for every window
    given: a request counts from its grant until `Slot.release`, and the window from the release."""

    def __init__(
        self, windows: Sequence[Window], *, margin: float = MARGIN, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._windows = tuple(windows)
        self._span = max(seconds for _, seconds in self._windows) + margin
        self._margin = margin
        self._clock = clock
        self._in_flight = 0
        self._ended: list[float] = []
        """Release times of finished requests still inside the longest window, ascending."""
        self._released = anyio.Event()
        self._lock = anyio.Lock()

    async def acquire(self) -> Slot:
        """Wait until a request may be sent; callers are served in arrival order."""
        async with self._lock:
            while True:
                wait = self._wait(self._clock())
                if wait == 0:
                    break
                if wait == float("inf"):  # as many requests in flight as a window allows: wait for one
                    await self._released.wait()
                else:
                    await anyio.sleep(wait)
            self._in_flight += 1
            return Slot(self._release)

    def record(self) -> Slot:
        """Count a request another limiter granted, without waiting: a local budget standing by for a
        shared one then knows, when it takes over, what this process already put in the API's windows."""
        self._in_flight += 1
        return Slot(self._release)

    def ended_since(self, moment: float) -> list[float]:
        """Release times (this limiter's clock) of requests that ended at or after `moment`."""
        return self._ended[bisect.bisect_left(self._ended, moment) :]

    def _release(self) -> None:
        self._in_flight -= 1
        now = self._clock()
        self._forget(now)  # here too: a limiter only recording (`record`) never waits, so never forgets there
        bisect.insort(self._ended, now)
        released, self._released = self._released, anyio.Event()
        released.set()

    def _wait(self, now: float) -> float:
        """0 if a request may go now, else seconds to wait (inf: until a request in flight ends)."""
        self._forget(now)
        wait = 0.0
        for count, seconds in self._windows:
            room = count - self._in_flight  # requests in flight may all land in any window
            if room <= 0:
                return float("inf")
            if len(self._ended) >= room:  # the room-th latest ending must leave the window first
                wait = max(wait, self._ended[-room] + seconds + self._margin - now)
        return max(wait, 0.0)

    def _forget(self, now: float) -> None:
        """Drop the releases that left the longest window."""
        cut = bisect.bisect_right(self._ended, now - self._span)
        if cut:
            del self._ended[:cut]


def limiters(limits: Mapping[str, Sequence[Window]] = LIMITS) -> dict[str, RollingWindowLimiter]:
    return {family: RollingWindowLimiter(windows) for family, windows in limits.items()}


def scaled(windows: Sequence[Window], fraction: float) -> tuple[Window, ...]:
    """`windows` with each count cut to `fraction` of it (at least 1): a budget for one of several sharers."""
    return tuple((max(1, int(count * fraction)), seconds) for count, seconds in windows)
