"""The `shared` interfaces over Redis, for replicas behind a load balancer.

Every key lives under one prefix. What must be exact is one atomic command or Lua script (a spend is
`SET NX`, a lock release compares its holder's token before deleting). Any Redis failure on the
write path raises `SharedStateUnavailable`; cache versions answer "unknown" instead, so reads go on.

Run Redis with `maxmemory-policy noeviction`: an evicted spent token or lock would be a second write.
A Redis that restarts without its data gets a new epoch (see `SpendOnce.epoch`), which voids every
token and approval minted before.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from ..api.ratelimit import LIMITS, Window
from .budget import SharedBudgets
from .keys import SigningKeys
from .shared import LeaseLost, LockBusy, SharedState, SharedStateUnavailable

logger = logging.getLogger(__name__)

PREFIX = "moengage-mcp"
LOCK_LEASE = 10.0
"""Seconds a campaign lock outlives its holder's last renewal (renewed every third of it)."""
LOCK_WAIT = 60.0
"""Seconds a write waits for another write to the same campaign before giving up."""
COUNT_TTL = 86_400.0
"""Seconds a run count is kept after its last change: far beyond any token's or approval's life."""

_EPOCH = """
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  redis.call('SET', KEYS[1], ARGV[1])
  epoch = ARGV[1]
end
if KEYS[2] then
  return epoch .. ':' .. (redis.call('GET', KEYS[2]) or '0')
end
return epoch
"""
"""The epoch (made if the store has none: it is new, or lost its data), with a run count when KEYS[2] is given."""

_RENEW_LOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

_RELEASE_LOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

_FAILURES = (RedisError, OSError)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class RedisSpendOnce:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    async def spend(self, key: str, ttl: float) -> bool:
        try:
            return bool(
                await self._redis.set(
                    f"{self._prefix}:spent:{key}", b"1", nx=True, px=max(1, int(ttl * 1000))
                )
            )
        except _FAILURES:
            raise SharedStateUnavailable("spending a confirmation") from None

    async def spent(self, key: str) -> bool:
        try:
            return bool(await self._redis.exists(f"{self._prefix}:spent:{key}"))
        except _FAILURES:
            raise SharedStateUnavailable("checking a confirmation") from None

    async def epoch(self) -> str:
        try:
            return _text(await self._redis.eval(_EPOCH, 1, f"{self._prefix}:epoch", secrets.token_hex(8)))
        except _FAILURES:
            raise SharedStateUnavailable("reading the store's epoch") from None


class RedisRunCounter:
    def __init__(self, redis: Redis, prefix: str, ttl: float = COUNT_TTL) -> None:
        self._redis = redis
        self._prefix = prefix
        self._ttl_ms = int(ttl * 1000)

    async def count(self, key: str) -> str:
        keys = (f"{self._prefix}:epoch", f"{self._prefix}:runs:{key}")
        try:
            return _text(await self._redis.eval(_EPOCH, 2, *keys, secrets.token_hex(8)))
        except _FAILURES:
            raise SharedStateUnavailable("reading how often this action ran") from None

    async def increment(self, key: str) -> None:
        name = f"{self._prefix}:runs:{key}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                await pipe.incr(name).pexpire(name, self._ttl_ms).execute()
        except _FAILURES:
            raise SharedStateUnavailable("counting this action's run") from None


class RedisUnsettled:
    def __init__(self, redis: Redis, prefix: str, ttl: float = COUNT_TTL) -> None:
        self._redis = redis
        self._prefix = prefix
        self._ttl_ms = int(ttl * 1000)

    async def keep(self, key: str, identity: str) -> None:
        try:
            await self._redis.set(f"{self._prefix}:unsettled:{key}", identity, px=self._ttl_ms)
        except _FAILURES:
            raise SharedStateUnavailable("keeping the identity of a write whose outcome is unknown") from None

    async def take(self, key: str) -> str | None:
        try:
            found = await self._redis.getdel(f"{self._prefix}:unsettled:{key}")
        except _FAILURES:
            raise SharedStateUnavailable("reading whether this action's last outcome is unknown") from None
        return None if found is None else _text(found)


class RedisCacheVersions:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    async def current(self, *keys: str) -> tuple[str, ...] | None:
        try:
            values = await self._redis.mget([f"{self._prefix}:version:{key}" for key in keys])
        except _FAILURES:
            return None
        return tuple(_text(value) if value is not None else "0" for value in values)

    async def bump(self, *keys: str) -> bool:
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                for key in keys:
                    pipe.incr(f"{self._prefix}:version:{key}")
                await pipe.execute()
        except _FAILURES:
            logger.warning(
                "cache invalidation could not reach Redis; other replicas' caches expire on their own"
            )
            return False
        return True


@dataclass(eq=False)
class RedisLease:
    """A held lock: valid while renewals keep succeeding."""

    key: str
    token: str
    lease: float
    valid_until: float
    lost: bool = False

    def ensure(self) -> None:
        """Raise `LeaseLost` unless a third of the lease is certainly left (renewals come every third)."""
        if self.lost or time.monotonic() > self.valid_until - self.lease / 3:
            raise LeaseLost(
                "the campaign's write lock was lost (the shared store was unreachable); nothing is sent"
            )


class RedisLocks:
    """Per-name locks with a lease: `SET NX PX` to take, renewed by `maintain`, released by token compare."""

    def __init__(
        self, redis: Redis, prefix: str, *, lease: float = LOCK_LEASE, wait: float = LOCK_WAIT
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self.lease = lease
        self._wait = wait
        self._held: set[RedisLease] = set()

    @asynccontextmanager
    async def hold(self, name: str) -> AsyncIterator[RedisLease]:
        held = await self._take(f"{self._prefix}:lock:{name}")
        self._held.add(held)
        try:
            yield held
        finally:
            self._held.discard(held)
            with anyio.CancelScope(shield=True):
                try:
                    await self._redis.eval(_RELEASE_LOCK, 1, held.key, held.token)
                except _FAILURES:
                    logger.warning("a campaign lock could not be released; its lease ends it")

    async def _take(self, key: str) -> RedisLease:
        token = secrets.token_hex(16)
        give_up = time.monotonic() + self._wait
        pause = 0.01
        while True:
            started = time.monotonic()
            try:
                taken = await self._redis.set(key, token, nx=True, px=int(self.lease * 1000))
            except _FAILURES:
                raise SharedStateUnavailable("taking the campaign's write lock") from None
            if taken:
                return RedisLease(key, token, self.lease, started + self.lease)
            if started > give_up:
                raise LockBusy(
                    f"another write to this campaign has been running for over {self._wait:g} s; try later"
                )
            await anyio.sleep(pause)
            pause = min(pause * 2, 0.2)

    async def maintain(self) -> None:
        """Renew every held lease each third of a lease, until cancelled; a refused renewal marks it lost."""
        while True:
            await anyio.sleep(self.lease / 3)
            for held in list(self._held):
                started = time.monotonic()
                try:
                    renewed = await self._redis.eval(
                        _RENEW_LOCK, 1, held.key, held.token, int(self.lease * 1000)
                    )
                except _FAILURES:
                    continue  # `ensure` refuses once the lease may have lapsed
                if renewed:
                    held.valid_until = started + self.lease
                else:
                    held.lost = True


def connect(url: str, *, timeout: float = 1.0) -> Redis:
    """A client that fails fast (one reconnect, `timeout` seconds): a write must be refused quickly, not hang."""
    return Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), retries=1)
    )


@asynccontextmanager
async def redis_state(
    url: str,
    keys: SigningKeys,
    *,
    prefix: str = PREFIX,
    limits: Mapping[str, Sequence[Window]] = LIMITS,
    lock_lease: float = LOCK_LEASE,
    lock_wait: float = LOCK_WAIT,
    **budget_options: float,
) -> AsyncIterator[SharedState]:
    """The shared state in Redis at `url`, with its background work (leases, releases) running."""
    redis = connect(url)
    budgets = SharedBudgets(redis, prefix, limits, **budget_options)
    locks = RedisLocks(redis, prefix, lease=lock_lease, wait=lock_wait)
    try:
        await redis.ping()
    except _FAILURES:
        logger.warning("MOENGAGE_MCP_REDIS_URL cannot be reached now: writes are refused until it can")
    failed: Exception | None = None
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(budgets.maintain)
            tg.start_soon(locks.maintain)
            try:
                yield SharedState(
                    budget=budgets,
                    spent=RedisSpendOnce(redis, prefix),
                    locks=locks,
                    runs=RedisRunCounter(redis, prefix),
                    versions=RedisCacheVersions(redis, prefix),
                    keys=keys,
                    unsettled=RedisUnsettled(redis, prefix),
                )
            except Exception as exc:
                failed = exc
            finally:
                tg.cancel_scope.cancel()
    finally:
        await redis.aclose()
    if failed is not None:
        raise failed
