"""What replicas share, as interfaces with the single-process implementation behind them.

The write path needs four things to stay correct when several replicas serve one workspace:
- `SpendOnce`: a confirmation token (or an approval) is accepted once, by whichever replica sees it;
- `Locks`: one write at a time per campaign, under a lease a dead replica cannot keep;
- `RunCounter`: how many times an exact action has run, folded into the state an approval binds;
- `CacheVersions`: a version per cached thing, bumped by a write, so every replica's read cache
  notices (a version read is cheaper and cannot be missed the way a broadcast message can).
plus the API rate-limit budget (`moengage_mcp.api.ratelimit.Limiter` per endpoint family).

`memory_state()` gives today's behaviour (one process); `moengage_mcp.team.redis_state` the
same interfaces over Redis. When the shared store is unreachable, the write path's calls raise
`SharedStateUnavailable` (a write must then be refused: it cannot be proven single), while reads
keep going on a local budget. It, `LockBusy` and `LeaseLost` are `SharedStateError`s: the one type
the write path turns into a refusal.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

import anyio

from ..api.ratelimit import LIMITS, Limiter, Window, limiters
from ..settings import Settings, SettingsError
from .keys import SigningKeys


class SharedStateError(RuntimeError):
    """A write cannot be proven to run once across replicas: refuse it; the message says why and is
    fit for the user (it names no URL, key or token)."""


class SharedStateUnavailable(SharedStateError):
    """The shared store (MOENGAGE_MCP_REDIS_URL) cannot be reached: refuse the write, say so."""

    def __init__(self, what: str = "") -> None:
        super().__init__(
            "the shared state of the server's replicas (MOENGAGE_MCP_REDIS_URL) cannot be reached"
            + (f" ({what})" if what else "")
            + ", so no write can be proven to run only once and none is sent; reads still work. Try again shortly"
        )


class LockBusy(SharedStateError):
    """Another write to the same campaign held its lock for longer than a caller waits."""


class LeaseLost(SharedStateError):
    """The lock's lease ran out (or was taken over) while held: the holder must not write."""


class Lease(Protocol):
    def ensure(self) -> None:
        """Raise `LeaseLost` unless the lock is certainly still held; call it right before writing."""


class Locks(Protocol):
    def hold(self, name: str) -> AbstractAsyncContextManager[Lease]:
        """Hold the lock `name` for the body (waiting for it), renewed while held, released only by its holder."""


class SpendOnce(Protocol):
    async def spend(self, key: str, ttl: float) -> bool:
        """True the first time `key` is spent (it stays spent for `ttl` seconds), False every time after."""

    async def spent(self, key: str) -> bool:
        """Whether `key` is spent now (to tell a replay from a mismatch without spending anything)."""

    async def epoch(self) -> str:
        """Names the store's current life. A token records it when minted and is refused in a later one:
        a store that restarted without its data has forgotten which tokens were spent."""


class RunCounter(Protocol):
    async def count(self, key: str) -> str:
        """How many times `key` has run, as an opaque marker that also changes if the store lost its data."""

    async def increment(self, key: str) -> None: ...


class Unsettled(Protocol):
    """Attempt identities of actions whose outcome stayed unknown (the answer was lost): a repeat of the
    action, on any replica, sends under the same identity, so MoEngage recognises it (a create's
    request_id) instead of acting twice."""

    async def keep(self, key: str, identity: str) -> None: ...

    async def take(self, key: str) -> str | None:
        """The identity kept for `key`, forgotten as it is handed out; None if there is none."""


class CacheVersions(Protocol):
    async def current(self, *keys: str) -> tuple[str, ...] | None:
        """Each key's version, or None when unknown (the store is unreachable): do not serve from cache."""

    async def bump(self, *keys: str) -> bool:
        """Invalidate `keys` everywhere; False if that could not be told to the other replicas."""


@dataclass
class SharedState:
    """Everything replicas share, for one server process (see the module doc)."""

    budget: Callable[[str], Mapping[str, Limiter]]
    """The rate-limit budget of a workspace: a limiter per endpoint family."""
    spent: SpendOnce
    locks: Locks
    runs: RunCounter
    versions: CacheVersions
    keys: SigningKeys
    unsettled: Unsettled = field(default_factory=lambda: MemoryUnsettled())
    """Confirmation-token signing keys (from MOENGAGE_MCP_SECRET)."""


class _Held:
    def ensure(self) -> None:
        """A process-local lock cannot be lost while its holder runs."""


class MemoryLocks:
    """A lock per name, in process (today's `defaultdict(anyio.Lock)`)."""

    def __init__(self) -> None:
        self._locks: defaultdict[str, anyio.Lock] = defaultdict(anyio.Lock)

    @asynccontextmanager
    async def hold(self, name: str) -> AsyncIterator[Lease]:
        async with self._locks[name]:
            yield _Held()


class MemorySpendOnce:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._spent: dict[str, float] = {}
        self._epoch = secrets.token_hex(8)

    async def epoch(self) -> str:
        return self._epoch

    async def spend(self, key: str, ttl: float) -> bool:
        now = self._clock()
        self._spent = {k: until for k, until in self._spent.items() if until > now}
        if key in self._spent:
            return False
        self._spent[key] = now + ttl
        return True

    async def spent(self, key: str) -> bool:
        return self._spent.get(key, -float("inf")) > self._clock()


class MemoryRunCounter:
    def __init__(self) -> None:
        self._runs: Counter[str] = Counter()

    async def count(self, key: str) -> str:
        return str(self._runs[key])

    async def increment(self, key: str) -> None:
        self._runs[key] += 1


class MemoryUnsettled:
    def __init__(self) -> None:
        self._identities: dict[str, str] = {}

    async def keep(self, key: str, identity: str) -> None:
        self._identities[key] = identity

    async def take(self, key: str) -> str | None:
        return self._identities.pop(key, None)


class MemoryCacheVersions:
    def __init__(self) -> None:
        self._versions: Counter[str] = Counter()

    async def current(self, *keys: str) -> tuple[str, ...]:
        return tuple(str(self._versions[key]) for key in keys)

    async def bump(self, *keys: str) -> bool:
        self._versions.update(keys)
        return True


def memory_state(keys: SigningKeys, limits: Mapping[str, Sequence[Window]] = LIMITS) -> SharedState:
    """One process's state: what the server did before replicas (per-workspace budgets made on first use)."""
    budgets: dict[str, Mapping[str, Limiter]] = {}

    def budget(workspace: str) -> Mapping[str, Limiter]:
        if workspace not in budgets:
            budgets[workspace] = limiters(limits)
        return budgets[workspace]

    return SharedState(
        budget=budget,
        spent=MemorySpendOnce(),
        locks=MemoryLocks(),
        runs=MemoryRunCounter(),
        versions=MemoryCacheVersions(),
        keys=keys,
    )


@asynccontextmanager
async def open_shared_state(settings: Settings) -> AsyncIterator[SharedState]:
    """The state for `settings`: in Redis with MOENGAGE_MCP_REDIS_URL, else in this process."""
    keys = SigningKeys.for_settings(settings)
    if settings.redis_url is None:
        yield memory_state(keys)
        return
    try:
        from .redis_state import redis_state
    except ImportError:
        raise SettingsError(
            "MOENGAGE_MCP_REDIS_URL needs the team extra: pip install 'moengage-mcp[team]'"
        ) from None
    async with redis_state(settings.redis_url.get_secret_value(), keys) as state:
        yield state
