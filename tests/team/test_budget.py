"""The shared API budget on a real redis-server: two clients standing in for two replicas (each with
its own connection and background work), one simulator process over loopback HTTP enforcing the API's
limits."""

from __future__ import annotations

import time
import uuid
from contextlib import AsyncExitStack

import anyio
import pytest

from moengage_mcp.api import MoEngageClient
from moengage_mcp.simulator import DEMO_API_KEY, DEMO_WORKSPACE_ID
from moengage_mcp.team.keys import SigningKeys
from moengage_mcp.team.redis_state import redis_state
from moengage_mcp.team.shared import memory_state

from ..conftest import FAST_RETRY

pytestmark = pytest.mark.anyio

KEYS = SigningKeys([b"k" * 32])


async def replicas(
    stack: AsyncExitStack, url: str, count: int, redis_url: str | None, **options: float
) -> list[MoEngageClient]:
    """`count` API clients, each with its own state (in Redis when `redis_url` is given)."""
    prefix = f"budget-{uuid.uuid4().hex[:8]}"
    clients = []
    for _ in range(count):
        if redis_url:
            state = await stack.enter_async_context(redis_state(redis_url, KEYS, prefix=prefix, **options))
        else:
            state = memory_state(KEYS)
        client = MoEngageClient(
            DEMO_WORKSPACE_ID, DEMO_API_KEY, url, retry=FAST_RETRY, budget=state.budget(DEMO_WORKSPACE_ID)
        )
        clients.append(await stack.enter_async_context(client))
    return clients


async def burst(clients: list[MoEngageClient], ids: list[str]) -> float:
    started = time.monotonic()
    async with anyio.create_task_group() as tg:
        for n, cid in enumerate(ids):
            tg.start_soon(clients[n % len(clients)].get_campaign, cid)
    return time.monotonic() - started


async def test_two_replicas_sharing_the_budget_earn_no_429_and_run_near_the_limit(simulator, redis_server):
    sim, url = simulator, simulator.url
    async with AsyncExitStack() as stack:
        clients = await replicas(stack, url, 2, redis_server.url)
        elapsed = await burst(clients, list(sim.campaigns)[:60])
    statuses = sim.statuses()
    assert statuses.count(429) == 0 and statuses.count(200) == 60
    rate = sim.sustained_rate()
    print(f"two replicas, shared budget: {elapsed:.2f} s, {rate:.2f}/s sustained, 0 x 429")
    assert 9.0 <= rate <= 10.0, rate


async def test_two_replicas_each_on_its_own_budget_earn_429s(simulator):
    """What the shared budget is for: the same burst on two separate budgets goes over the API's limit."""
    sim, url = simulator, simulator.url
    async with AsyncExitStack() as stack:
        clients = await replicas(stack, url, 2, None)
        await burst(clients, list(sim.campaigns)[:60])
    rejected = sim.statuses().count(429)
    print(f"two replicas, separate budgets: {rejected} x 429")
    assert rejected > 0


async def test_a_dead_replicas_requests_in_flight_free_their_places_after_the_lease(redis_server):
    """A replica that dies mid-request never releases: its places must come back after their lease."""
    prefix = f"budget-{uuid.uuid4().hex[:8]}"
    async with redis_state(redis_server.url, KEYS, prefix=prefix, lease=1.0) as doomed:
        limiter = doomed.budget(DEMO_WORKSPACE_ID)["get"]
        for _ in range(10):
            await limiter.acquire()  # granted, never released: the replica "dies" with these in flight
        limiter.held.clear()  # and its renewals stop with it
    async with redis_state(redis_server.url, KEYS, prefix=prefix, lease=1.0) as survivor:
        started = time.monotonic()
        slot = await survivor.budget(DEMO_WORKSPACE_ID)["get"].acquire()
        waited = time.monotonic() - started
        slot.release()
    # the lease (1 s), then the 1-s window counted from the lease's end
    assert 1.5 <= waited <= 3.0, waited


async def test_with_redis_gone_reads_go_on_at_half_the_limit_per_replica(simulator, redis_server):
    sim, url = simulator, simulator.url
    async with AsyncExitStack() as stack:
        clients = await replicas(stack, url, 2, redis_server.url)
        ids = list(sim.campaigns)[:60]
        async with anyio.create_task_group() as tg:  # any failed read fails the test
            tg.start_soon(burst, clients, ids[:30])
            await anyio.sleep(1.5)
            redis_server.kill()  # mid-run: 10 to 20 of the 30 reads are still to come
        during = sim.statuses()
        await anyio.sleep(1.1)  # out of the API's 1-s window of the reads above
        sim.clear()
        elapsed = await burst(clients, ids[30:])
    after = sim.statuses()
    print(
        f"redis killed mid-run: {during.count(200)} reads done, {during.count(429)} x 429 at the switch; "
        f"then 30 reads on two fallback budgets in {elapsed:.2f} s, {after.count(429)} x 429"
    )
    assert during.count(200) == 30
    assert after.count(200) == 30 and after.count(429) == 0, after
    # two replicas at 5/s each: the last 10 of 30 reads go 2 s after the first 10, not before
    assert elapsed >= 2.0


async def test_what_went_out_while_redis_was_gone_counts_when_it_is_back(simulator, redis_server):
    sim = simulator
    async with AsyncExitStack() as stack:
        clients = await replicas(stack, sim.url, 2, redis_server.url, retry_after=0.1)
        ids = list(sim.campaigns)
        redis_server.kill()
        await burst(clients, ids[:10])  # 5 each, at once, on the fallback budgets
        redis_server.start()  # back, empty: it knows nothing of those 10
        # past retry_after, and time for each replica's fallback to find Redis and tell it what it sent
        # (still well inside the API's one-second window, where an untold budget would earn 429s)
        await anyio.sleep(0.4)
        sim.clear()
        await burst(clients, ids[10:30])
    got = sim.statuses()
    print(f"after Redis came back: {got.count(429)} x 429")
    assert got.count(200) == 20 and got.count(429) == 0, got


async def test_a_replica_tells_redis_what_it_sent_alone_before_another_replica_asks(simulator, redis_server):
    """Replica 0 sends alone while Redis is gone, then stays quiet; replica 1's burst right after Redis is
    back must already find replica 0's requests in the shared windows."""
    sim = simulator
    async with AsyncExitStack() as stack:
        clients = await replicas(stack, sim.url, 2, redis_server.url, retry_after=0.1)
        ids = list(sim.campaigns)
        redis_server.kill()
        await burst(clients[:1], ids[:5])  # replica 0's fallback budget: half of 10/s
        redis_server.start()
        await anyio.sleep(0.4)
        await burst(clients[1:], ids[5:15])  # replica 1 alone: 5 more may go in this second, not 10
    got = sim.statuses()
    print(f"replica 1 after Redis came back: {got.count(429)} x 429")
    assert got.count(200) == 15 and got.count(429) == 0, got


def test_a_standby_budget_that_only_records_forgets_what_left_its_windows():
    """The fallback counts every shared grant for hours on end: it must not keep them all."""
    from moengage_mcp.api.ratelimit import RollingWindowLimiter

    now = [0.0]
    standby = RollingWindowLimiter(((10, 1.0),), margin=0.0, clock=lambda: now[0])
    for step in range(1000):
        now[0] = step * 0.25
        standby.record().release()
    assert standby.ended_since(-1.0) == [249.0, 249.25, 249.5, 249.75]  # the last second's
