"""The shared stores against a real redis-server: spend once, leased locks, run counts, cache
versions, the store's epoch, and what happens when Redis goes away. Races run in separate processes."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import pytest

from moengage_mcp.team.keys import SigningKeys
from moengage_mcp.team.redis_state import connect, redis_state
from moengage_mcp.team.shared import LeaseLost, LockBusy, SharedStateUnavailable, memory_state

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
KEYS = SigningKeys([b"k" * 32])


def racer(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.team.racer", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@asynccontextmanager
async def state_in(kind: str, url: str | None, **options):
    if kind == "memory":
        yield memory_state(KEYS)
    else:
        async with redis_state(url, KEYS, prefix=f"t-{uuid.uuid4().hex[:8]}", **options) as state:
            yield state


@pytest.fixture(params=["memory", "redis"])
def kind(request) -> str:
    return request.param


@pytest.fixture
def url(kind, request) -> str | None:
    return request.getfixturevalue("redis_server").url if kind == "redis" else None


# ---------------------------------------------------------------------- both implementations, one contract


async def test_a_key_is_spent_once(kind, url):
    async with state_in(kind, url) as state:
        assert await state.spent.spend("token-1", 60) is True
        assert await state.spent.spend("token-1", 60) is False
        assert await state.spent.spend("token-2", 60) is True


async def test_an_unsettled_identity_is_handed_out_once(kind, url):
    async with state_in(kind, url) as state:
        assert await state.unsettled.take("create:1") is None
        await state.unsettled.keep("create:1", "attempt-a")
        assert await state.unsettled.take("create:1") == "attempt-a"
        assert await state.unsettled.take("create:1") is None  # the repeat that took it is the one sent


async def test_whether_a_key_is_spent_is_told_without_spending_it(kind, url):
    async with state_in(kind, url) as state:
        assert await state.spent.spent("token-1") is False
        assert await state.spent.spent("token-1") is False  # asking spent nothing
        assert await state.spent.spend("token-1", 0.2) is True
        assert await state.spent.spent("token-1") is True
        await anyio.sleep(0.3)
        assert await state.spent.spent("token-1") is False  # its ttl is over


async def test_a_spent_key_can_be_spent_again_after_its_ttl(kind, url):
    async with state_in(kind, url) as state:
        assert await state.spent.spend("short", 0.2)
        await anyio.sleep(0.3)
        assert await state.spent.spend("short", 0.2)


async def test_run_counts_change_with_each_run(kind, url):
    async with state_in(kind, url) as state:
        before = await state.runs.count("pause:c1")
        assert await state.runs.count("pause:c1") == before
        await state.runs.increment("pause:c1")
        after = await state.runs.count("pause:c1")
        assert after != before and await state.runs.count("pause:c2") != after


async def test_a_bumped_cache_version_changes(kind, url):
    async with state_in(kind, url) as state:
        first = await state.versions.current("campaign:c1", "search")
        assert await state.versions.bump("campaign:c1") is True
        second = await state.versions.current("campaign:c1", "search")
        assert second[0] != first[0] and second[1] == first[1]


async def test_the_lock_admits_one_holder_at_a_time(kind, url):
    async with state_in(kind, url) as state:
        inside: list[int] = []
        overlaps = 0

        async def write(n: int) -> None:
            nonlocal overlaps
            async with state.locks.hold("campaign-1") as lease:
                inside.append(n)
                overlaps = max(overlaps, len(inside))
                await anyio.sleep(0.02)
                lease.ensure()
                inside.remove(n)

        async with anyio.create_task_group() as tg:
            for n in range(10):
                tg.start_soon(write, n)
        assert overlaps == 1


# ---------------------------------------------------------------------- across processes, on real Redis


async def test_racing_processes_spend_each_key_exactly_once(redis_server):
    names = [f"token-{i}" for i in range(300)]
    prefix = f"race-{uuid.uuid4().hex[:8]}"
    racers = [racer("spend", redis_server.url, prefix, "3", *names) for _ in range(3)]
    won = [set(p.communicate(timeout=30)[0].split()) for p in racers]
    assert all(p.returncode == 0 for p in racers)
    assert sorted(name for each in won for name in each) == sorted(names)  # every key won, and won once
    assert all(won), "a racer won nothing: they did not overlap, and the test proves nothing"


async def test_racing_processes_hold_the_lock_one_after_the_other_past_the_lease(redis_server):
    prefix = f"race-{uuid.uuid4().hex[:8]}"
    racers = [racer("critical", redis_server.url, prefix, "2", "campaign-1", "1.5") for _ in range(2)]
    for p in racers:
        _, err = p.communicate(timeout=30)
        assert p.returncode == 0, err
    trace = connect(redis_server.url)
    events = [e.decode().split() for e in await trace.lrange(f"{prefix}:trace", 0, -1)]
    await trace.aclose()
    # holding 1.5 s with a 0.6 s lease: only renewal keeps the second one out until the first exits
    assert [e[0] for e in events] == ["enter", "exit", "enter", "exit"]
    assert events[0][1] == events[1][1] != events[2][1] == events[3][1]


async def test_a_dead_holder_loses_the_lock_after_its_lease(redis_server):
    prefix = f"race-{uuid.uuid4().hex[:8]}"
    holder = racer("hold", redis_server.url, prefix, "campaign-1", "1.0")
    assert holder.stdout.readline().strip() == "held"
    async with redis_state(redis_server.url, KEYS, prefix=prefix, lock_wait=0.2) as state:
        with pytest.raises(LockBusy):  # alive: it keeps the lock past its lease by renewing it
            await anyio.sleep(1.2)
            async with state.locks.hold("campaign-1"):
                pass
        holder.kill()
        holder.wait(10)
        killed = time.monotonic()
    async with (
        redis_state(redis_server.url, KEYS, prefix=prefix, lock_wait=5) as state,
        state.locks.hold("campaign-1") as lease,
    ):
        waited = time.monotonic() - killed
        lease.ensure()
    assert 0.5 <= waited <= 1.0 + 0.5, waited  # held until its lease ran out, then free at once


async def test_a_holder_whose_lease_was_taken_over_learns_it_before_writing(redis_server):
    prefix = f"t-{uuid.uuid4().hex[:8]}"
    raw = connect(redis_server.url)
    async with (
        redis_state(redis_server.url, KEYS, prefix=prefix, lock_lease=0.6) as first,
        redis_state(redis_server.url, KEYS, prefix=prefix, lock_lease=0.6, lock_wait=2) as second,
        first.locks.hold("campaign-1") as first_lease,
    ):
        first_lease.ensure()
        await raw.delete(f"{prefix}:lock:campaign-1")  # its lease lapsed while its holder was stuck
        async with second.locks.hold("campaign-1"):
            await anyio.sleep(0.5)  # a renewal (every 0.2 s) finds the lock is someone else's
            with pytest.raises(LeaseLost):
                first_lease.ensure()
    await raw.aclose()


async def test_an_early_release_by_the_first_holder_leaves_the_second_holders_lock(redis_server):
    prefix = f"t-{uuid.uuid4().hex[:8]}"
    raw = connect(redis_server.url)
    async with (
        redis_state(redis_server.url, KEYS, prefix=prefix) as first,
        redis_state(redis_server.url, KEYS, prefix=prefix, lock_wait=2) as second,
    ):
        entered = anyio.Event()
        leave = anyio.Event()

        async def second_holder() -> None:
            async with second.locks.hold("campaign-1"):
                entered.set()
                await leave.wait()

        async with anyio.create_task_group() as tg:
            async with first.locks.hold("campaign-1"):
                await raw.delete(f"{prefix}:lock:campaign-1")  # lapsed
                tg.start_soon(second_holder)
                await entered.wait()
            still = await raw.get(f"{prefix}:lock:campaign-1")  # after the first one's release
            leave.set()
    assert still is not None
    await raw.aclose()


async def test_a_store_that_lost_its_data_has_a_new_epoch(redis_server):
    async with redis_state(redis_server.url, KEYS, prefix="epoch") as state:
        epoch = await state.spent.epoch()
        count = await state.runs.count("test:c1")
        assert await state.spent.epoch() == epoch
        raw = connect(redis_server.url)
        await raw.flushall()  # a restart without persistence
        await raw.aclose()
        assert await state.spent.epoch() != epoch
        assert await state.runs.count("test:c1") != count  # approvals bound to the old count do not match


# ---------------------------------------------------------------------- Redis gone


async def test_without_redis_writes_are_refused_and_cache_versions_are_unknown(redis_server):
    async with redis_state(redis_server.url, KEYS, prefix="down") as state:
        assert await state.spent.spend("before", 60)
        redis_server.kill()
        started = time.monotonic()
        for attempt in (
            state.spent.spend("after", 60),
            state.spent.epoch(),
            state.runs.count("x"),
            state.runs.increment("x"),
        ):
            with pytest.raises(SharedStateUnavailable) as refused:
                await attempt
            assert "MOENGAGE_MCP_REDIS_URL" in str(refused.value) and "127.0.0.1" not in str(refused.value)
        with pytest.raises(SharedStateUnavailable):
            async with state.locks.hold("campaign-1"):
                pytest.fail("a lock was granted without Redis")
        assert await state.versions.current("campaign:c1") is None  # unknown: reads skip the cache
        assert await state.versions.bump("campaign:c1") is False
        assert time.monotonic() - started < 10  # refused promptly, not after long retries


async def test_the_key_ring_signs_with_the_first_key_and_verifies_with_any():
    old, new = b"o" * 32, b"n" * 32
    before, during, after = SigningKeys([old]), SigningKeys([new, old]), SigningKeys([new])
    signed_before = before.sign("payload")
    assert during.verify("payload", signed_before)  # rotation: old tokens still verify
    assert during.sign("payload") == after.sign("payload")  # the new key signs
    assert not after.verify("payload", signed_before)  # until the old key is dropped
    assert not during.verify("other payload", signed_before)
