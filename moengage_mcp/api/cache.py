"""A short-lived cache of reads, shared by every tool of one workspace.

A QA flow reads one draft through four tools (get, preview, validate, QA) and a QA pass over the
drafts a search found reads again documents the search already returned. Answers are kept for a
few seconds (MOENGAGE_MCP_CACHE_TTL), keyed by what was asked; a search's rows, which are whole
campaign documents, fill the cache of `get`. Any write to a campaign drops what it touches, and a
write's own reads (its pre-flight, its read-back) never use the cache: they are marked urgent
(`ratelimit.CALLER`) and always go to the API, filling the cache on the way.

Entries hold the API's JSON, not parsed models, so no caller can change what the next one reads.

Replicas (`moengage_mcp.team`) each keep their own cache and share a version per campaign
(`CacheVersions`, in Redis): a write bumps the versions of what it touched, and an entry is served
only while the versions it was read under are still current, so a write on one replica makes every
other replica's entries for that campaign stale at once. The versions are read before the API is
asked (what is read is at least as new as them); a search's rows, whose ids are known only from the
answer, are versioned right after it. When the versions cannot be read (Redis unreachable) nothing
that depends on them is served from the cache or kept in it.
"""

from __future__ import annotations

import copy
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import TYPE_CHECKING, Any

import anyio

from .ratelimit import CALLER

if TYPE_CHECKING:
    from ..team.shared import CacheVersions

Key = tuple[Hashable, ...]
Seen = Mapping[str, str]
"""The shared version of each campaign an entry depends on, as read when it was fetched."""

BUMP_WAIT = 3.0
"""Seconds a write waits to tell the other replicas what it touched (their entries expire anyway)."""


class ReadCache:
    def __init__(
        self,
        ttl: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        size: int = 5000,
        versions: CacheVersions | None = None,
        namespace: str = "",
    ) -> None:
        """`versions`: the campaign versions shared with other replicas, under `namespace` (the workspace)."""
        self.ttl = ttl
        self._clock = clock
        self._size = size
        self._versions = versions
        self._namespace = namespace
        self._entries: OrderedDict[Key, tuple[float, Any, frozenset[str], Seen]] = OrderedDict()
        self.hits = 0

    def get(self, key: Key) -> Any | None:
        """A copy of the fresh value for `key`, or None (always None for a write's reads)."""
        found = self._fresh(key)
        if found is None:
            return None
        self.hits += 1
        return copy.deepcopy(found[1])

    async def lookup(self, key: Key) -> Any | None:
        """`get`, and only while no replica has written what the entry depends on since it was read."""
        found = self._fresh(key)
        if found is None:
            return None
        seen = found[3]
        if seen and dict(seen) != await self.seen(*seen):
            if self._entries.get(key) is found:
                del self._entries[key]
            return None
        self.hits += 1
        return copy.deepcopy(found[1])

    def _fresh(self, key: Key) -> tuple[float, Any, frozenset[str], Seen] | None:
        if self.ttl <= 0 or CALLER.get().urgent:
            return None
        found = self._entries.get(key)
        if found is None:
            return None
        if self._clock() - found[0] >= self.ttl:
            del self._entries[key]
            return None
        return found

    async def seen(self, *campaigns: str) -> Seen | None:
        """The shared versions of `campaigns` now (read them before asking the API for what they
        version); {} without shared versions, None when they cannot be read."""
        if self._versions is None or self.ttl <= 0 or not campaigns:
            return {}
        current = await self._versions.current(*(self._name(c) for c in campaigns))
        return None if current is None else dict(zip(campaigns, current, strict=True))

    def put(self, key: Key, value: Any, *campaigns: str, seen: Seen | None = None) -> None:
        """Keep `value` (JSON) for `key`; `campaigns` are the ids whose writes make it stale, and `seen`
        their shared versions (from `seen`), without which an entry that has any is not kept."""
        if self.ttl <= 0:
            return
        versions: Seen = {}
        if self._versions is not None and campaigns:
            if seen is None or not set(campaigns) <= set(seen):
                return
            versions = {c: seen[c] for c in campaigns}
        self._entries[key] = (self._clock(), copy.deepcopy(value), frozenset(campaigns), versions)
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def drop(self, campaign_id: str) -> None:
        """Forget everything a write to `campaign_id` may have changed."""
        for key in [key for key, (_, _, ids, _) in self._entries.items() if campaign_id in ids]:
            del self._entries[key]

    async def invalidate(self, campaign_id: str) -> None:
        """After a write to `campaign_id`: `drop`, and tell the other replicas (even when cancelled)."""
        self.drop(campaign_id)
        if self._versions is not None:
            with anyio.CancelScope(shield=True), anyio.move_on_after(BUMP_WAIT):
                await self._versions.bump(self._name(campaign_id))

    def _name(self, campaign_id: str) -> str:
        return f"{self._namespace}:campaign:{campaign_id}"
