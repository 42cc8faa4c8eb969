"""The audit log: one JSON line per write attempt, whatever its outcome, in every write mode."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
from pathlib import Path
from typing import Any, Literal, TextIO

logger = logging.getLogger(__name__)

Decision = Literal["refused", "declined", "confirmed", "auto", "pending"]
"""refused: policy or pre-flight said no; declined: the user said no or cancelled; confirmed: the user
(or a valid confirmation token) said yes; auto: write mode auto; pending: a confirmation token was issued."""


class AuditLog:
    """Appends audit entries to a JSONL file; the file is created (with its folder) on first write."""

    def __init__(self, path: Path) -> None:
        self.path = path.expanduser()
        self._lock = threading.Lock()

    def record(
        self,
        *,
        tool: str,
        campaign_id: str | None,
        arguments: dict[str, Any],
        decision: Decision,
        outcome: str,
        request_id: str | None = None,
    ) -> bool:
        """Append one entry; False (and an error in the server log) when the file cannot be written."""
        entry = {
            "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
            "tool": tool,
            "campaign_id": campaign_id,
            "arguments": _redacted(arguments),
            "decision": decision,
            "outcome": outcome,
            "request_id": request_id,
        }
        # ASCII only: U+2028 and friends in workspace text would split the line for some readers
        line = json.dumps(entry, ensure_ascii=True, default=str)
        try:
            with self._lock, self._open() as file:
                file.write(line + "\n")
        except OSError as exc:
            logger.error(
                "audit log %s cannot be written (%s); entry: %s", self.path, exc.strerror or exc, line
            )
            return False
        logger.info("audit: %s %s %s -> %s", tool, campaign_id, decision, outcome)
        return True

    def check(self) -> str | None:
        """Why the log cannot be appended to right now, or None when it can."""
        try:
            with self._lock, self._open():
                pass
        except OSError as exc:
            return str(exc.strerror or exc)
        return None

    def _open(self) -> TextIO:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return self.path.open("a", encoding="utf-8")


def _redacted(arguments: dict[str, Any]) -> dict[str, Any]:
    """Arguments as given, with a confirmation token reduced to a short fingerprint."""
    token = arguments.get("confirmation_token")
    if not token:
        return {k: v for k, v in arguments.items() if k != "confirmation_token"}
    digest = hashlib.sha256(str(token).encode()).hexdigest()[:12]
    return {**arguments, "confirmation_token": f"sha256:{digest}"}
