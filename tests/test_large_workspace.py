"""Generated workspaces of any size (`Simulator(workspace_size=n)`), and virtual time keeping to the
simulator's rate limits: the two parts `benchmarks/large.py` stands on."""

from __future__ import annotations

from collections import Counter
from contextlib import suppress
from datetime import datetime, timedelta

import anyio
import pytest

from moengage_mcp.api import MoEngageError
from moengage_mcp.api import models as m
from moengage_mcp.api.ratelimit import LIMITS
from moengage_mcp.simulator import Simulator, search
from moengage_mcp.simulator.scaled import MIX, RUNS, scaled_workspace
from moengage_mcp.simulator.state import is_child, schedule_start
from moengage_mcp.simulator.timeutil import parse_timestamp

from .conftest import asgi, make_client, virtual

NOW = datetime(2025, 11, 20, 14, 30)
PARENTS = ("PERIODIC", "BUSINESS_EVENT_TRIGGERED")


def top_level(campaigns: dict) -> list[dict]:
    return [doc for doc in campaigns.values() if not is_child(doc)]


def test_a_size_builds_the_same_workspace_every_time_and_another_size_another() -> None:
    first, again = scaled_workspace(300, NOW), scaled_workspace(300, NOW)
    assert first.campaigns == again.campaigns and first.executions == again.executions
    assert scaled_workspace(301, NOW).campaigns != first.campaigns


@pytest.mark.parametrize("n", [1, 7, 60, 1000])
def test_n_campaigns_in_the_documented_mix(n: int) -> None:
    campaigns = top_level(scaled_workspace(n, NOW).campaigns)
    assert len(campaigns) == n
    kinds = Counter((doc["campaign_delivery_type"], doc["status"]) for doc in campaigns)
    for dtype, status, per_mille in MIX:  # largest remainders: within one of the exact share
        assert abs(kinds[dtype, status] - n * per_mille / 1000) < 1


def test_a_thousand_campaigns_look_like_a_real_workspace() -> None:
    ws = scaled_workspace(1000, NOW)
    campaigns = top_level(ws.campaigns)
    assert Counter(doc["channel"] for doc in campaigns).keys() == {"PUSH", "EMAIL", "SMS"}
    parents = [doc for doc in campaigns if doc["campaign_delivery_type"] in PARENTS]
    assert len(parents) == 100
    assert all(RUNS[0] <= len(ws.executions[doc["id"]]) <= RUNS[1] for doc in parents)
    runs = [run for doc in parents for run in ws.executions[doc["id"]]]
    assert {run["status"] for run in runs} == {"SENT", "FAILED", "SENDING", "SCHEDULED"}
    stuck = [
        run
        for run in runs
        if run["status"] == "SENDING" and parse_timestamp(run["sent_time"]) < NOW - timedelta(hours=6)
    ]
    assert stuck
    soon = [
        doc
        for doc in campaigns
        if doc["status"] == "SCHEDULED" and NOW <= schedule_start(doc) <= NOW + timedelta(days=7)
    ]
    assert 0 < len(soon) < 80
    children = [doc for doc in ws.campaigns.values() if is_child(doc)]
    assert len(children) == len(runs) and {doc["parent_id"] for doc in children} == {p["id"] for p in parents}
    visible = [doc for doc in ws.campaigns.values() if search.matches(doc, search.Query(statuses=None))]
    assert not any(is_child(doc) for doc in visible)  # children stay hidden from a default search


def test_children_share_their_parents_components_but_not_their_own_fields() -> None:
    ws = scaled_workspace(60, NOW)
    child = next(doc for doc in ws.campaigns.values() if is_child(doc))
    parent = ws.campaigns[child["parent_id"]]
    assert child["campaign_content"] is parent["campaign_content"]
    assert child["basic_details"] is not parent["basic_details"]
    assert child["basic_details"]["name"].startswith(parent["basic_details"]["name"] + " | ")


def test_five_thousand_campaigns_build() -> None:
    sim = Simulator(workspace_size=5000)  # about two seconds; the benchmark reports the time
    campaigns = top_level(sim.campaigns)
    assert len(campaigns) == 5000
    assert sum(doc["campaign_delivery_type"] in PARENTS for doc in campaigns) == 500


@pytest.mark.anyio
async def test_the_api_serves_a_generated_workspace() -> None:
    sim = Simulator(workspace_size=60)
    parent = next(doc for doc in top_level(sim.campaigns) if doc["campaign_delivery_type"] in PARENTS)
    async with make_client(sim) as api:
        page = await api.list_executions(parent["id"], m.ExecutionsRequest(page=1))
        found = await api.search_campaigns(m.SearchRequest(page=1))
    assert page.total_instances == len(sim.executions[parent["id"]]) and len(page.executions) == 15
    assert len(found) == 15


async def _burst(limits) -> tuple[float, list[int]]:
    """120 concurrent gets through 50 ms of latency, paced by `limits`; virtual seconds and the statuses."""
    from benchmarks.virtual import Delayed

    sim = Simulator(workspace_size=60, monotonic=anyio.current_time)
    ids = [doc["id"] for doc in top_level(sim.campaigns)][:40] * 3
    async with make_client(sim, transport=Delayed(asgi(sim)), limits=limits) as api:

        async def get(campaign_id: str) -> None:
            with suppress(MoEngageError):
                await api.get_campaign(campaign_id)

        started = anyio.current_time()
        async with anyio.create_task_group() as tg:
            for campaign_id in ids:
                tg.start_soon(get, campaign_id)
        return anyio.current_time() - started, [r.status for r in sim.requests]


def test_in_virtual_time_the_client_keeps_to_the_limits_the_simulator_enforces() -> None:
    elapsed, statuses = virtual(_burst, LIMITS)
    assert statuses == [200] * 120
    assert elapsed >= 11  # 120 requests at 10/s: the simulator's window, not the CPU, set the pace


def test_in_virtual_time_a_client_faster_than_the_limits_earns_429s() -> None:
    _, statuses = virtual(_burst, {**LIMITS, "get": ((1000, 1.0),)})
    assert 429 in statuses  # so the benchmark's count of 429s would show a client overstepping
