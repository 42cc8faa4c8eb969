"""The read cache shared by every tool: a QA flow reads each thing once, a search's rows serve later
reads, a write drops what it touched, and a write's pre-flight always reads fresh."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from moengage_mcp.simulator import DEMO_CAMPAIGN_IDS as D

from .conftest import make_client, mcp_client

pytestmark = pytest.mark.anyio


def signature(r) -> tuple:
    body = (
        {k: v for k, v in (r.body or {}).items() if k != "request_id"} if isinstance(r.body, dict) else r.body
    )
    return (r.method, r.path, json.dumps(body, sort_keys=True))


async def test_a_qa_flow_makes_no_repeated_request(sim, tmp_path):
    draft = D["valid_push_draft"]
    async with mcp_client(sim, tmp_path) as client:
        await client.call_tool("search_campaigns", {"statuses": ["DRAFT"], "channels": ["PUSH"]})
        await client.call_tool("get_campaign", {"campaign_id": draft})
        await client.call_tool("personalized_preview", {"campaign_id": draft, "user_id": "user-1001"})
        await client.call_tool("validate_campaign", {"campaign_id": draft})
        await client.call_tool("qa_campaign", {"campaign_id": draft, "sample_user_ids": ["user-1001"]})
    seen = [signature(r) for r in sim.requests]
    assert len(seen) == len(set(seen)), [s for s in seen if seen.count(s) > 1]
    assert not any(r.path == f"/v5/campaigns/{draft}" for r in sim.requests)  # the search's row served them


async def test_a_write_drops_what_it_touched_and_its_preflight_reads_fresh(sim, tmp_path):
    cid = D["periodic_most_executions"]
    async with mcp_client(sim, tmp_path, write_mode="auto") as client:
        before = (await client.call_tool("get_campaign", {"campaign_id": cid})).structured_content
        sim.campaigns[cid]["basic_details"]["name"] = "Renamed in the dashboard"  # changed behind the cache
        cached = (await client.call_tool("get_campaign", {"campaign_id": cid})).structured_content
        gets = sum(r.path == f"/v5/campaigns/{cid}" for r in sim.requests)
        paused = await client.call_tool("pause_campaign", {"campaign_id": cid})
        after = (await client.call_tool("get_campaign", {"campaign_id": cid})).structured_content
    assert cached == before and gets == 1  # a moment later: from the cache
    assert '"Renamed in the dashboard"' in paused.structured_content["summary"]  # pre-flight read fresh
    assert (
        after["campaign"]["status"] == "PAUSED"
        and after["campaign"]["basic_details"]["name"] == "Renamed in the dashboard"
    )


async def test_entries_expire(sim, tmp_path):
    async with make_client(sim, cache_ttl=0.05) as api:
        await api.get_campaign(D["valid_push_draft"])
        await api.get_campaign(D["valid_push_draft"])
        import anyio

        await anyio.sleep(0.1)
        await api.get_campaign(D["valid_push_draft"])
    assert sum(r.path == f"/v5/campaigns/{D['valid_push_draft']}" for r in sim.requests) == 2


async def test_stats_read_primary_goals_from_the_search_that_found_the_campaigns(sim, tmp_path):
    today = sim.now().date()
    async with mcp_client(sim, tmp_path) as client:
        found = await client.call_tool(
            "search_campaigns", {"statuses": ["SENT", "ACTIVE"], "max_results": 100}
        )
        ids = [r["id"] for r in found.structured_content["campaigns"]][:20]
        searches = sum(r.path == "/v5/campaigns/search" for r in sim.requests)
        await client.call_tool(
            "get_campaign_stats",
            {"campaign_ids": ids, "start_date": str(today - dt.timedelta(days=30)), "end_date": str(today)},
        )
    assert sum(r.path == "/v5/campaigns/search" for r in sim.requests) == searches


async def test_with_shared_versions_an_entry_is_served_only_while_no_replica_wrote_it():
    from moengage_mcp.api.cache import ReadCache
    from moengage_mcp.team.shared import MemoryCacheVersions

    versions = MemoryCacheVersions()  # what two replicas share (in Redis for real ones)
    mine, other = (ReadCache(30, versions=versions, namespace="W") for _ in range(2))
    key = ("get", "c1")
    mine.put(key, {"status": "ACTIVE"}, "c1", seen=await mine.seen("c1"))
    assert await mine.lookup(key) == {"status": "ACTIVE"}
    await other.invalidate("c2")  # another campaign: still served
    assert await mine.lookup(key) == {"status": "ACTIVE"}
    await other.invalidate("c1")
    assert await mine.lookup(key) is None and mine.get(key) is None  # stale, and dropped

    class Unreachable:
        async def current(self, *keys: str) -> None:
            return None

        async def bump(self, *keys: str) -> bool:
            return False

    blind = ReadCache(30, versions=Unreachable(), namespace="W")
    seen = await blind.seen("c1")
    blind.put(key, {"status": "ACTIVE"}, "c1", seen=seen)
    blind.put(("preview", "x"), {"html": "..."})  # depends on no campaign: kept
    assert seen is None and blind.get(key) is None and blind.get(("preview", "x")) == {"html": "..."}
