"""The client-side rate limiter shares each endpoint family's budget fairly: writes and their
pre-flight go first, a session with a long queue does not hold another session's single call, and a
write's optional reach lookup gives up after a deadline. Unit checks on the limiter, then real MCP
sessions against the simulator enforcing MoEngage's limits."""

from __future__ import annotations

import time

import anyio
import pytest

from moengage_mcp.api.ratelimit import CALLER, Caller, RollingWindowLimiter
from moengage_mcp.server.policy.preflight import REACH_WAIT

from .conftest import make_client, mcp_client
from .test_write_policy import find

pytestmark = pytest.mark.anyio


async def grant_order(limiter: RollingWindowLimiter, callers: list[Caller]) -> list[int]:
    """Queue one request per caller (in this order) behind a full window; the order they are granted in."""
    blocker = [await limiter.acquire() for _ in range(2)]  # the window allows 2: it is full
    order: list[int] = []

    async def one(i: int, caller: Caller) -> None:
        CALLER.set(caller)
        slot = await limiter.acquire()
        order.append(i)
        slot.release()

    async with anyio.create_task_group() as tg:
        for i, caller in enumerate(callers):
            tg.start_soon(one, i, caller)
            await anyio.sleep(0.001)  # arrival order is the list's order
        for slot in blocker:
            slot.release()
    return order


async def test_urgent_requests_are_granted_before_every_waiting_read():
    limiter = RollingWindowLimiter([(2, 0.05)], margin=0.0)
    callers = [Caller("a"), Caller("a"), Caller("b"), Caller(urgent=True)]
    order = await grant_order(limiter, callers)
    assert order[0] == 3


async def test_a_caller_with_fewer_recent_grants_goes_before_a_long_queue():
    limiter = RollingWindowLimiter([(2, 0.05)], margin=0.0)
    for _ in range(4):  # caller a has used the budget lately
        CALLER.set(Caller("a"))
        (await limiter.acquire()).release()
        await anyio.sleep(0.03)
    order = await grant_order(limiter, [Caller("a"), Caller("a"), Caller("a"), Caller("b")])
    assert order.index(3) == 0


async def test_a_cancelled_waiter_leaves_the_queue():
    limiter = RollingWindowLimiter([(1, 0.05)], margin=0.0)
    held = await limiter.acquire()
    with anyio.move_on_after(0.02):
        await limiter.acquire()
    held.release()
    with anyio.fail_after(1):
        (await limiter.acquire()).release()


async def test_one_sessions_long_lookups_do_not_hold_another_sessions_pause(sim, tmp_path):
    """Two get_meta calls of 100 ids each queue 200 meta requests (20 s at the API's 10/s); a pause in
    another session needs meta for its reach line, and used to wait for all of them."""
    ids = [cid for cid, doc in sim.campaigns.items() if not doc.get("parent_id")][:100]
    triggered = find(
        sim, campaign_delivery_type="EVENT_TRIGGERED", status="ACTIVE", channel="PUSH"
    )  # it has a reach
    async with (
        make_client(sim) as api,
        mcp_client(sim, tmp_path, api=api) as reader,
        mcp_client(sim, tmp_path, api=api, write_mode="auto") as writer,
        anyio.create_task_group() as tg,
    ):
        for _ in range(2):
            tg.start_soon(reader.call_tool, "get_meta", {"campaign_ids": ids})
        await anyio.sleep(1.0)  # the lookups hold the meta queue
        started = time.monotonic()
        paused = await writer.call_tool("pause_campaign", {"campaign_id": triggered})
        took = time.monotonic() - started
        pending = sum(1 for r in sim.requests if r.path.endswith("/campaigns/meta")) < 200
        tg.cancel_scope.cancel()
    assert paused.structured_content["status"] == "done", paused.content[0].text
    assert pending, "the lookups should still be running"
    assert took < 5, f"the pause took {took:.1f} s behind another session's reads"
    assert "Reach: about" in paused.structured_content["summary"]


async def test_a_single_read_is_not_held_behind_another_sessions_long_queue(sim, tmp_path):
    ids = [cid for cid, doc in sim.campaigns.items() if not doc.get("parent_id")][:100]
    one = ids[0]
    async with make_client(sim) as api:
        async with mcp_client(sim, tmp_path, api=api) as busy, mcp_client(sim, tmp_path, api=api) as other:
            async with anyio.create_task_group() as tg:
                tg.start_soon(busy.call_tool, "get_meta", {"campaign_ids": ids})
                await anyio.sleep(1.0)
                started = time.monotonic()
                res = await other.call_tool("get_meta", {"campaign_ids": [one]})
                took = time.monotonic() - started
                tg.cancel_scope.cancel()
    assert not res.is_error and took < 2, f"one lookup waited {took:.1f} s"


async def test_a_summary_does_not_wait_long_for_reach(sim, tmp_path):
    cid = find(sim, campaign_delivery_type="EVENT_TRIGGERED", status="ACTIVE", channel="PUSH")
    sim.faults.inject(
        r"/core-services/v1/campaigns/meta$",
        status=200,
        count=10,
        delay=REACH_WAIT + 5,
        after_processing=True,
    )
    async with mcp_client(sim, tmp_path) as client:
        started = time.monotonic()
        res = await client.call_tool("pause_campaign", {"campaign_id": cid})
        took = time.monotonic() - started
    summary = res.structured_content["summary"]
    assert "Reach: unknown" in summary and took < REACH_WAIT + 3
