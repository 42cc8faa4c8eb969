"""V5 Idempotency-Key handling: replay the stored answer, refuse a reused key with another body.

Only answers below 500 (429 aside) are stored, so a retry after a server error or a rate limit
really runs again; an answer lost to an injected `after_processing` fault is stored too (the
change did happen), which is exactly the case a client's same-key retry exists for.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .envelopes import ApiError, detail

HEADER = "idempotency-key"
TTL = timedelta(hours=24)

_UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.IGNORECASE)


def is_uuid4(value: str) -> bool:
    return bool(_UUID4.match(value))


def fingerprint(body: Any) -> str:
    """Canonical JSON, so key order and whitespace do not make two bodies differ."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class StoredResponse:
    method: str
    path: str
    body_fingerprint: str
    status: int
    content: bytes
    media_type: str
    stored_at: datetime


def require_key(headers: dict[str, str]) -> str:
    """The request's key, or the 400 the API gives when it is missing or not a UUID v4."""
    key = headers.get(HEADER, "").strip()
    if not key:
        message = "Idempotency-Key header is required for this request."
    elif not is_uuid4(key):
        message = "Idempotency-Key must be a UUID version 4."
    else:
        return key
    raise ApiError(400, message, target="Idempotency-Key", details=[detail("Idempotency-Key", message)])


class IdempotencyStore:
    """Per-workspace key store with a 24 h lifetime in simulated time."""

    def __init__(self) -> None:
        self._entries: dict[str, StoredResponse] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()

    def lookup(
        self, key: str, method: str, path: str, body_fingerprint: str, now: datetime
    ) -> StoredResponse | None:
        """The stored answer to replay, None for a fresh key, 409 for a key reused differently."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if now - entry.stored_at >= TTL:
            del self._entries[key]
            return None
        if (entry.method, entry.path, entry.body_fingerprint) != (method, path, body_fingerprint):
            raise ApiError(409, "Idempotency-Key reused with a different request body.", code="BAD_REQUEST")
        return entry

    def store(self, key: str, entry: StoredResponse) -> None:
        if entry.status < 500 and entry.status != 429:  # a rate-limited request was not processed either
            self._entries[key] = entry
