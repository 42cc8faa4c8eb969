"""A short-lived cache of reads, shared by every tool of one workspace.

A QA flow reads one draft through four tools (get, preview, validate, QA) and a QA pass over the
drafts a search found reads again documents the search already returned. Answers are kept for a
few seconds (MOENGAGE_MCP_CACHE_TTL), keyed by what was asked; a search's rows, which are whole
campaign documents, fill the cache of `get`. Any write to a campaign drops what it touches, and a
write's own reads (its pre-flight, its read-back) never use the cache: they are marked urgent
(`ratelimit.CALLER`) and always go to the API, filling the cache on the way.

Entries hold the API's JSON, not parsed models, so no caller can change what the next one reads.
"""

from __future__ import annotations

import copy
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from .ratelimit import CALLER

Key = tuple[Hashable, ...]


class ReadCache:
    def __init__(self, ttl: float, *, clock: Callable[[], float] = time.monotonic, size: int = 5000) -> None:
        self.ttl = ttl
        self._clock = clock
        self._size = size
        self._entries: OrderedDict[Key, tuple[float, Any, frozenset[str]]] = OrderedDict()
        self.hits = 0

    def get(self, key: Key) -> Any | None:
        """A copy of the fresh value for `key`, or None (always None for a write's reads)."""
        if self.ttl <= 0 or CALLER.get().urgent:
            return None
        found = self._entries.get(key)
        if found is None:
            return None
        stored, value, _ = found
        if self._clock() - stored >= self.ttl:
            del self._entries[key]
            return None
        self.hits += 1
        return copy.deepcopy(value)

    def put(self, key: Key, value: Any, *campaigns: str) -> None:
        """Keep `value` (JSON) for `key`; `campaigns` are the ids whose writes make it stale."""
        if self.ttl <= 0:
            return
        self._entries[key] = (self._clock(), copy.deepcopy(value), frozenset(campaigns))
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def drop(self, campaign_id: str) -> None:
        """Forget everything a write to `campaign_id` may have changed."""
        for key in [key for key, (_, _, ids) in self._entries.items() if campaign_id in ids]:
            del self._entries[key]
