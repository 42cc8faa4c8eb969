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

Waiting requests are not served in arrival order alone: a write and its pre-flight reads
(`Caller.urgent`) go before reads, and among the rest the caller (a session) with the fewest
requests granted in the last minute goes first, so one session's hundred-id lookup cannot hold
another session's single call, let alone an emergency stop, for minutes.
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict, deque
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
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
    "report": STANDARD,  # no documented limit: the campaigns API's standard one
    "create": ((5, 1.0), (25, 60.0), (100, 3600.0)),
}
"""Documented limits per endpoint family (API_NOTES.md; create: the Create Campaign reference, which also
limits successful creations, see quota.py)."""

MARGIN = 0.01
"""Seconds added to each window, for timer rounding (arrival bounds are exact; see the module doc)."""
FAIR_WINDOW = 60.0
"""Seconds of grants counted when choosing which caller goes next."""


@dataclass(frozen=True)
class Caller:
    """Who a request is for: `who` names the session (fair shares), `urgent` marks a write's requests,
    and `until` (on `anyio.current_time()`'s clock) is when the caller stops waiting: a request not yet
    granted by then is not sent at all (`DeadlineReached`), so a long job can stop in time and
    continue later without a request lost in between."""

    who: str = ""
    urgent: bool = False
    until: float | None = None


class DeadlineReached(Exception):
    """A request was not sent: its caller's time (`Caller.until`) ran out while it waited its turn.
    Not an API error: nothing reached the API."""


CALLER: ContextVar[Caller] = ContextVar("moengage_mcp_caller", default=Caller())  # noqa: B039 - frozen
"""The caller of the requests made in this context (set where a tool call starts)."""


@dataclass
class _Ticket:
    caller: Caller
    seq: int


@dataclass
class _Shares:
    """Grants per caller in the last FAIR_WINDOW seconds."""

    clock: Callable[[], float]
    grants: defaultdict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def of(self, who: str, now: float) -> int:
        times = self.grants.get(who)
        if times is None:
            return 0
        while times and times[0] < now - FAIR_WINDOW:
            times.popleft()
        if not times:
            del self.grants[who]
            return 0
        return len(times)

    def add(self, who: str) -> None:
        self.grants[who].append(self.clock())


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
    """What the API client needs of a rate limiter: one `Slot` per request, granted in time, and an
    estimate of the wait, so a caller can refuse rather than queue for minutes."""

    async def acquire(self) -> Slot: ...

    def delay(self) -> float: ...


class RollingWindowLimiter:
    """At most `count` requests in any `seconds`-long window of the API's arrivals, for every window
    given: a request counts from its grant until `Slot.release`, and the window from the release."""

    def __init__(
        self,
        windows: Sequence[Window],
        *,
        margin: float = MARGIN,
        clock: Callable[[], float] = anyio.current_time,
    ) -> None:
        """`clock`: the event loop's (under asyncio that is `time.monotonic`), so that a loop whose clock is
        virtual (the large-workspace benchmark runs under trio's MockClock) paces by the same time it sleeps by."""
        self._windows = tuple(windows)
        self._span = max(seconds for _, seconds in self._windows) + margin
        self._margin = margin
        self._clock = clock
        self._in_flight = 0
        self._ended: list[float] = []
        """Release times of finished requests still inside the longest window, ascending."""
        self._changed = anyio.Event()
        """Set (and replaced) whenever a request is granted or released or a waiter comes or goes."""
        self._waiting: list[_Ticket] = []
        self._seq = itertools.count()
        self._shares = _Shares(clock)

    async def acquire(self) -> Slot:
        """Wait until a request may be sent: urgent callers first, then the caller with the fewest
        recent grants, then arrival order (see the module doc). The caller is `CALLER`'s value."""
        ticket = _Ticket(CALLER.get(), next(self._seq))
        self._waiting.append(ticket)
        self._notify()
        try:
            while True:
                changed = self._changed
                if self._next() is ticket:
                    wait = self._wait(self._clock())
                    if wait == 0:
                        break
                    with anyio.move_on_after(wait):  # inf: until a request in flight ends
                        await changed.wait()
                else:
                    await changed.wait()
        finally:
            self._waiting.remove(ticket)
            self._notify()
        self._in_flight += 1
        self._shares.add(ticket.caller.who)
        return Slot(self._release)

    def record(self) -> Slot:
        """Count a request another limiter granted, without waiting: a local budget standing by for a
        shared one then knows, when it takes over, what this process already put in the API's windows."""
        self._in_flight += 1
        return Slot(self._release)

    def ended_since(self, moment: float) -> list[float]:
        """Release times (this limiter's clock) of requests that ended at or after `moment`."""
        return self._ended[bisect.bisect_left(self._ended, moment) :]

    def _next(self) -> _Ticket:
        now = self._clock()  # once, not per waiter: every waiter asks this at every change
        return min(
            self._waiting, key=lambda t: (not t.caller.urgent, self._shares.of(t.caller.who, now), t.seq)
        )

    def _notify(self) -> None:
        changed, self._changed = self._changed, anyio.Event()
        changed.set()

    def _release(self) -> None:
        self._in_flight -= 1
        now = self._clock()
        self._forget(now)  # here too: a limiter only recording (`record`) never waits, so never forgets there
        bisect.insort(self._ended, now)
        self._notify()

    def delay(self) -> float:
        """Seconds before a request could be granted now (inf: when a request in flight ends), so a caller
        can refuse instead of queueing for minutes."""
        return self._wait(self._clock())

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
