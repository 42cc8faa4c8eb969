"""One API rate-limit budget for all replicas: the rolling-window limiter of `api.ratelimit`, kept in Redis.

The semantics are the single-process limiter's (read its module doc): a request holds its place in
every window from its grant until its answer is back, and the window is measured from then. Redis
keeps, per workspace and endpoint family, the requests in flight (a sorted set scored by a lease
deadline) and the release times of finished ones (scored by time); one Lua script decides a grant
atomically on Redis's own clock, so replicas' clocks never have to agree.

Why not a rate-limit library (`limits`' moving window has a Redis storage): it counts a request
when it is granted, and cannot hold its place until the answer is back, which is what keeps a burst
split over replicas from earning a 429 (see `api.ratelimit`).

A replica that dies leaves its in-flight requests behind; their lease (renewed every few seconds
while the request runs) lapses and they count as ended then. When Redis cannot be reached, each
replica falls back to a local limiter at `fallback` of the limits (half by default: two replicas
then stay within the API's limit together), which has counted this replica's requests all along; it
tries Redis again after `retry_after` seconds and, once back, tells it what went out meanwhile.
"""

from __future__ import annotations

import functools
import logging
import math
import time
import uuid
from collections.abc import Mapping, Sequence

import anyio
from anyio.abc import ObjectReceiveStream, ObjectSendStream
from redis.asyncio import Redis
from redis.exceptions import RedisError

from ..api.ratelimit import LIMITS, MARGIN, RollingWindowLimiter, Slot, Window, scaled

logger = logging.getLogger(__name__)

SLOT_LEASE = 6.0
"""Seconds an in-flight request's place survives without renewal (a dead replica's places free after this)."""

POLL = 0.02
"""Seconds between looks at Redis while every place is taken (a release elsewhere cannot be awaited)."""

_ACQUIRE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local lease, margin, span = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES')
for i = 1, #dead, 2 do
  redis.call('ZADD', KEYS[2], dead[i + 1], dead[i])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - span)
local in_flight = redis.call('ZCARD', KEYS[1])
local ended = redis.call('ZCARD', KEYS[2])
local wait = 0
for i = 5, #ARGV, 2 do
  local room = tonumber(ARGV[i]) - in_flight
  if room <= 0 then
    return 'inf'
  end
  if ended >= room then
    local entry = redis.call('ZRANGE', KEYS[2], -room, -room, 'WITHSCORES')
    wait = math.max(wait, tonumber(entry[2]) + tonumber(ARGV[i + 1]) + margin - now)
  end
end
if wait > 0 then
  return tostring(wait)
end
redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
local keep = math.ceil((span + lease) * 1000)
redis.call('PEXPIRE', KEYS[1], keep)
redis.call('PEXPIRE', KEYS[2], keep)
return '0'
"""
"""KEYS: in-flight, ended. ARGV: slot id, lease, margin, longest window + margin, then count, seconds per window.
Returns '0' (granted), seconds to wait, or 'inf' (wait for a request in flight to end)."""

_RELEASE = """
local now_parts = redis.call('TIME')
local ended = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000 - tonumber(ARGV[2])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ended, ARGV[1])
return 1
"""
"""ARGV: slot id, seconds since its answer came back (measured by the replica: recording it in the
background takes a moment, which must not shift the window). Ended then, whether or not its lease had
lapsed meanwhile (an answer later than the lease moves the end later)."""

_REPLAY = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
for i = 3, #ARGV do
  redis.call('ZADD', KEYS[1], now - tonumber(ARGV[i]), ARGV[1] .. ':' .. i)
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""
"""KEYS: ended. ARGV: a batch id, how long to keep the key (ms), then the age in seconds of each request this replica ended while Redis
was out of reach: they were in the API's windows, so the shared budget must count them too."""

_RENEW = """
local now_parts = redis.call('TIME')
local deadline = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000 + tonumber(ARGV[1])
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', deadline, ARGV[i])
end
return 1
"""


class SharedLimiter:
    """A `Limiter` (see `api.ratelimit`) whose windows are shared through Redis by every replica."""

    def __init__(
        self,
        redis: Redis,
        key: str,
        windows: Sequence[Window],
        releases: ObjectSendStream[tuple[SharedLimiter, str, float]],
        *,
        fallback: float = 0.5,
        retry_after: float = 1.0,
        lease: float = SLOT_LEASE,
        margin: float = MARGIN,
    ) -> None:
        self._redis = redis
        self._keys = [f"{key}:in-flight", f"{key}:ended"]
        self._windows = tuple(windows)
        self._args = [lease, margin, max(seconds for _, seconds in self._windows) + margin]
        self._args += [value for window in self._windows for value in window]
        self._releases = releases
        self._local = RollingWindowLimiter(scaled(self._windows, fallback), margin=margin)
        self._retry_after = retry_after
        self._down_until = -math.inf
        self._down_since: float | None = None
        """When Redis was found out of reach (None while it is reachable)."""
        self._lock = anyio.Lock()
        self.held: set[str] = set()
        """Ids of this replica's requests in flight, whose leases the renewer keeps."""

    def delay(self) -> float:
        """This replica's own view of the wait (its local stand-by budget): the shared windows are only
        known by asking Redis, which `acquire` does."""
        return self._local.delay()

    @property
    def shared(self) -> bool:
        """False while Redis is out of reach and the local fallback budget is in use."""
        return time.monotonic() >= self._down_until

    async def acquire(self) -> Slot:
        """Wait until a request may be sent; this replica's callers are served in arrival order.

        The local fallback budget counts every request, wherever granted, so that it knows this
        replica's recent ones when it takes over; and what it granted alone is told to Redis when
        Redis is back, so that the shared budget knows them in turn."""
        async with self._lock:
            slot_id = uuid.uuid4().hex
            while self.shared:
                try:
                    if self._down_since is not None:
                        await self._replay()
                    answer = await self._redis.eval(_ACQUIRE, 2, *self._keys, slot_id, *self._args)
                except (RedisError, OSError):
                    self._down_until = time.monotonic() + self._retry_after
                    if self._down_since is None:
                        self._down_since = time.monotonic()
                        logger.warning(
                            "rate-limit budget: Redis unreachable; using the local fallback budget"
                        )
                    break
                if answer in (b"0", "0"):
                    self.held.add(slot_id)
                    mirror = self._local.record()
                    return Slot(functools.partial(self._released, slot_id, mirror))
                await anyio.sleep(POLL if answer in (b"inf", "inf") else float(answer))
        return await self._local.acquire()

    async def _replay(self) -> None:
        assert self._down_since is not None
        now = time.monotonic()
        ages = [f"{now - ended:.6f}" for ended in self._local.ended_since(self._down_since)]
        if ages:
            keep = math.ceil((self._args[2] + self._args[0]) * 1000)
            await self._redis.eval(_REPLAY, 1, self._keys[1], uuid.uuid4().hex, keep, *ages)
        self._down_since = None
        logger.warning("rate-limit budget: Redis reachable again; the shared budget is back in use")

    async def recover(self) -> None:
        """Once Redis is back, tell it at once what this replica granted alone, rather than at this
        replica's next request: another replica's requests could be granted first, on a shared budget
        that does not know these yet."""
        if self._down_since is None or not self.shared:
            return
        async with self._lock:
            if self._down_since is None:
                return
            try:
                await self._replay()
            except (RedisError, OSError):
                self._down_until = time.monotonic() + self._retry_after

    def _released(self, slot_id: str, mirror: Slot) -> None:
        mirror.release()
        self.held.discard(slot_id)
        self._releases.send_nowait((self, slot_id, time.monotonic()))

    async def record_release(self, slot_id: str, released: float) -> None:
        try:
            await self._redis.eval(_RELEASE, 2, *self._keys, slot_id, f"{time.monotonic() - released:.6f}")
        except (RedisError, OSError):  # its lease lapses and it counts as ended then
            logger.info("rate-limit budget: a release could not be recorded; its lease will end it")

    async def renew(self) -> None:
        if self.held:
            try:
                await self._redis.eval(_RENEW, 1, self._keys[0], self._args[0], *self.held)
            except (RedisError, OSError):
                logger.info("rate-limit budget: leases could not be renewed")


class SharedBudgets:
    """Every workspace's shared budget, and the background work its limiters need (recording
    releases, renewing leases): run `maintain` in a task group for as long as they are used."""

    def __init__(
        self, redis: Redis, prefix: str, limits: Mapping[str, Sequence[Window]] = LIMITS, **options: float
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._limits = limits
        self._options = options
        self._budgets: dict[str, dict[str, SharedLimiter]] = {}
        self._send: ObjectSendStream[tuple[SharedLimiter, str, float]]
        self._receive: ObjectReceiveStream[tuple[SharedLimiter, str, float]]
        self._send, self._receive = anyio.create_memory_object_stream(math.inf)

    def __call__(self, workspace: str) -> Mapping[str, SharedLimiter]:
        if workspace not in self._budgets:
            self._budgets[workspace] = {
                family: SharedLimiter(
                    self._redis,
                    f"{self._prefix}:budget:{{{workspace}:{family}}}",  # one hash slot per budget (Redis Cluster)
                    windows,
                    self._send,
                    **self._options,
                )
                for family, windows in self._limits.items()
            }
        return self._budgets[workspace]

    async def maintain(self) -> None:
        """Record releases as they come and renew the leases of requests in flight, until cancelled."""
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._record_releases)
            tg.start_soon(self._recover)
            lease = self._options.get("lease", SLOT_LEASE)
            while True:
                await anyio.sleep(lease / 3)
                for budget in self._budgets.values():
                    for limiter in budget.values():
                        await limiter.renew()

    async def _recover(self) -> None:
        """While a budget is on its fallback, look for Redis again as often as it may be retried."""
        while True:
            await anyio.sleep(self._options.get("retry_after", 1.0))
            for budget in self._budgets.values():
                for limiter in budget.values():
                    await limiter.recover()

    async def _record_releases(self) -> None:
        async for limiter, slot_id, released in self._receive:
            await limiter.record_release(slot_id, released)
