"""Time formats of the MoEngage API and the simulator's clock.

The API mixes formats: `created_at` is "YYYY-MM-DD HH:MM:SS.ffffff", schedule and execution
times are ISO 8601 without a zone, all UTC. Everything here is naive UTC so that comparisons
never mix aware and naive datetimes.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def fmt_created(dt: datetime) -> str:
    """`created_at` / `updated_at` style: "2024-07-04 08:00:54.847000"."""
    return dt.strftime("%Y-%m-%d %H:%M:%S.%f")


def fmt_sent(dt: datetime) -> str:
    """Campaign `sent_time` style from the V5 reference: "2024-07-04 20:32:00"."""
    return dt.strftime("%Y-%m-%d %H:%M:%S")


def fmt_iso(dt: datetime) -> str:
    """Schedule style: "2024-11-28T12:00:00" (no zone, UTC)."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S")


def fmt_iso_micro(dt: datetime) -> str:
    """Execution / reachability style: "2024-06-24T14:30:18.908000"."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%f")


def parse_date(value: object) -> date | None:
    """Strict YYYY-MM-DD (V1 and stats dates); None when it is anything else."""
    if not isinstance(value, str) or not _DATE_ONLY.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_timestamp(value: object) -> datetime | None:
    """Any timestamp the API itself emits (ISO with T or space, optional fraction or zone).

    Returns naive UTC, or None when the value is not a timestamp.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    text = re.sub(r"\.(\d{1,6})\d*", lambda m: "." + m.group(1).ljust(6, "0"), text, count=1)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def parse_date_or_datetime(value: object, *, end_of_day: bool) -> datetime | None:
    """A search bound: a bare date covers the whole day (inclusive)."""
    day = parse_date(value)
    if day is not None:
        base = datetime(day.year, day.month, day.day)
        return base + timedelta(days=1, microseconds=-1) if end_of_day else base
    return parse_timestamp(value)


class Clock:
    """Simulated UTC time: real time, or a fixed instant, plus an offset tests can advance."""

    def __init__(self, fixed: datetime | None = None) -> None:
        if fixed is not None and fixed.tzinfo is not None:
            fixed = fixed.astimezone(timezone.utc).replace(tzinfo=None)
        self._fixed = fixed
        self._offset = timedelta(0)

    def now(self) -> datetime:
        base = self._fixed if self._fixed is not None else datetime.now(timezone.utc).replace(tzinfo=None)
        return base + self._offset

    def advance(self, delta: timedelta | float) -> None:
        """Move simulated time forward (seconds or a timedelta); rate limits are unaffected."""
        self._offset += delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
