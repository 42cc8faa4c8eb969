"""The audit log: a JSON line for every write attempt, whatever its outcome, in every write mode.

It is written ahead: a write's `attempt` line is on disk (fsync) before its request leaves, so a
process killed while MoEngage carries the write out still leaves its record, and a write whose
line cannot be written is not sent at all. The outcome follows in a second line with the same
`attempt` id. Refusals and declines are one line.

The file must hold up against whatever a model puts in arguments: lines are ASCII (U+2028 cannot
split one), argument values past a bound are kept as a prefix with their length and hash, the
arguments of a call refused before validation are kept by name only, and a failed append is cut
back so no torn line is left for the next entry to be glued onto. It is created 0600 in a 0700
folder and never opened through a symbolic link.

Every line of a request made by a signed-in user (OAuth) names them: `user` holds their `sub`, and
their `email` when the token has one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import logging
import os
import stat
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from ... import __version__

logger = logging.getLogger(__name__)

Decision = Literal["refused", "declined", "confirmed", "auto", "pending"]
"""refused: policy or pre-flight said no; declined: the user said no or cancelled; confirmed: the user
(or a valid confirmation token) said yes; auto: write mode auto; pending: a confirmation token was issued."""
Stage = Literal["attempt", "outcome"]

MAX_VALUE = 1000
"""Characters of one argument value (as JSON) kept in full; a longer one keeps a prefix, its length and hash."""
MAX_TEXT = 2000
"""Characters of an outcome kept."""
_FLAGS = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class AuditLog:
    """Appends audit entries to a JSONL file; the file is created (with its folder) on first write."""

    def __init__(self, path: Path, *, who: Callable[[], dict[str, Any] | None] | None = None) -> None:
        """`who`: the user of the request being handled, as a line names them (None: nobody signed in)."""
        self.path = path.expanduser()
        self._who = who
        self._lock = threading.Lock()

    def start(self, write_mode: str) -> str | None:
        """Append the server's start line for real (the disk may be full, where merely opening the file
        succeeds); why the log cannot be written, or None."""
        entry = {
            "time": _now(),
            "event": "start",
            "version": __version__,
            "pid": os.getpid(),
            "write_mode": write_mode,
        }
        try:
            self._append(_line(entry))
        except OSError as exc:
            return _reason(exc)
        return None

    def attempt(self, **entry: Any) -> str | None:
        """The write-ahead line of a write about to be sent; its id for the outcome line, or None when it
        could not be written (then the write must not be sent)."""
        attempt_id = uuid.uuid4().hex[:16]
        return (
            attempt_id
            if self.record(**entry, outcome="sending", stage="attempt", attempt=attempt_id)
            else None
        )

    def record(
        self,
        *,
        tool: str,
        campaign_id: str | None,
        arguments: dict[str, Any] | None,
        decision: Decision,
        outcome: str,
        request_id: str | None = None,
        stage: Stage = "outcome",
        attempt: str | None = None,
        by_name: bool = False,
    ) -> bool:
        """Append one entry; False (and an error in the server log) when the file cannot be written.

        `by_name`: the arguments were refused before validation, so only their names are kept."""
        entry: dict[str, Any] = {"time": _now()}
        if self._who is not None and (user := self._who()):
            entry["user"] = {name: _cut(str(value), 254) for name, value in user.items()}
        entry |= {
            "tool": tool,
            "campaign_id": campaign_id,
            "arguments": [_cut(name, 100) for name in sorted(arguments or {})[:50]]
            if by_name
            else _bounded(arguments or {}),
            "decision": decision,
            "outcome": _cut(outcome, MAX_TEXT),
            "request_id": request_id,
            "stage": stage,
        }
        if attempt:
            entry["attempt"] = attempt
        try:
            self._append(_line(entry))
        except OSError as exc:
            logger.error(
                "audit log %s cannot be written (%s): %s %s %s",
                self.path,
                _reason(exc),
                tool,
                decision,
                stage,
            )
            return False
        logger.info("audit: %s %s %s -> %s", tool, campaign_id, decision, _cut(outcome, 200))
        return True

    def _append(self, data: bytes) -> None:
        """Write `data` whole at the end of the file and fsync it, or leave the file as it was."""
        with self._lock:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.path, _FLAGS, 0o600)
            try:
                mode = os.fstat(fd).st_mode
                if not stat.S_ISREG(mode):  # /dev/null would swallow the record, /dev/full refuse it
                    raise OSError(errno.EINVAL, "not a regular file")
                if mode & 0o077:
                    os.fchmod(fd, 0o600)
                end = os.lseek(fd, 0, os.SEEK_END)
                if end and os.pread(fd, 1, end - 1) != b"\n":  # a line torn by an earlier crash
                    data = b"\n" + data
                try:
                    written = 0
                    while written < len(data):
                        written += os.write(fd, data[written:])
                    os.fsync(fd)
                except OSError:
                    with contextlib.suppress(OSError):  # the first failure is the one to report
                        os.ftruncate(fd, end)
                    raise
            finally:
                os.close(fd)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def _line(entry: dict[str, Any]) -> bytes:
    # ASCII only: U+2028 and friends in workspace text would split the line for some readers
    return (json.dumps(entry, ensure_ascii=True, default=str) + "\n").encode("ascii")


def _reason(exc: OSError) -> str:
    return str(exc.strerror or exc)


def _bounded(arguments: dict[str, Any]) -> dict[str, Any]:
    """Arguments as given, a confirmation token reduced to a fingerprint, long values to a prefix
    with their length and hash."""
    out: dict[str, Any] = {}
    for name, value in arguments.items():
        if name == "confirmation_token" and value:
            out[name] = f"sha256:{_digest(str(value))}"
            continue
        encoded = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        out[name] = (
            value
            if len(encoded) <= MAX_VALUE
            else _cut(encoded, 200) + f" [{len(encoded)} chars, sha256:{_digest(encoded)}]"
        )
    return out


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
