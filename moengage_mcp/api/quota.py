"""The documented campaign-creation quota: 5 successful creations a minute, 25 an hour, 100 a day.

MoEngage counts successful creations apart from calls ("Campaign Creation Limits" in the Create
Campaign reference: "the system maintains a stricter quota for actual successful creations", in
rolling windows). Counting them here lets the client refuse a create it knows will be refused,
and say when creating is possible again, without spending a call. A creation whose outcome is
unknown (a lost answer, a timeout) counts as a success: the API may well have counted it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .errors import CreationLimitError
from .ratelimit import Window

CREATION_LIMITS: tuple[Window, ...] = ((5, 60.0), (25, 3600.0), (100, 86400.0))
_UNITS = {1.0: "second", 60.0: "minute", 3600.0: "hour", 86400.0: "day"}


def per(window: Window, what: str) -> str:
    """`(25, 3600.0)` -> "25 {what} per hour"."""
    count, seconds = window
    return f"{count} {what} per {_UNITS.get(seconds, f'{seconds:g} s')}"


def limit_error(wait: float, what: str) -> CreationLimitError:
    """The error for a create refused for `wait` seconds because `what` is used up."""
    retry_at = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=wait)
    return CreationLimitError(
        f"the campaign creation limit is reached: {what}", retry_at=retry_at, retry_after=wait
    )


@dataclass
class Reservation:
    """A creation on its way; `settle` it with whether it (maybe) created a campaign."""

    quota: CreationQuota
    settled: bool = False

    def settle(self, created: bool) -> None:
        if not self.settled:
            self.settled = True
            self.quota._settle(created)


class CreationQuota:
    """Successful creations in rolling windows; creations in flight count as successes until settled."""

    def __init__(
        self, windows: Sequence[Window] = CREATION_LIMITS, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._windows = tuple(windows)
        self._clock = clock
        self._done: list[float] = []
        self._pending = 0

    def reserve(self) -> Reservation:
        """Room for one more creation, or CreationLimitError saying when there will be."""
        if (refusal := self.blocked()) is not None:
            raise refusal
        self._pending += 1
        return Reservation(self)

    def blocked(self) -> CreationLimitError | None:
        """The error a creation now would meet, or None when there is room."""
        now = self._clock()
        wait, window = max((self._wait(window, now), window) for window in self._windows)
        return limit_error(wait, per(window, "successful creations")) if wait > 0 else None

    def _wait(self, window: Window, now: float) -> float:
        count, seconds = window
        times = self._done[bisect.bisect_right(self._done, now - seconds) :] + [now] * self._pending
        over = len(times) - (count - 1)  # this many must leave the window first
        return times[over - 1] + seconds - now if over > 0 else 0.0

    def _settle(self, created: bool) -> None:
        self._pending -= 1
        if created:
            bisect.insort(self._done, self._clock())
        horizon = self._clock() - max(seconds for _, seconds in self._windows)
        del self._done[: bisect.bisect_right(self._done, horizon)]
