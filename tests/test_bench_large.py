"""The large-workspace benchmark's own logic: the minimal plan and the floor (`benchmarks/plan.py`) on a
small workspace counted by hand, and following `resume` handles (`benchmarks.large.follow`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from mcp import Client
from mcp.server.mcpserver import Context, MCPServer
from pydantic import BaseModel

from benchmarks import plan
from moengage_mcp.api.ratelimit import LIMITS
from moengage_mcp.simulator.timeutil import fmt_created, fmt_iso, fmt_iso_micro, fmt_sent

from .conftest import require

NOW = datetime(2025, 11, 20, 14, 30)
L = 0.05


def _doc(i: int, status: str, created_days: float, dtype: str = "ONE_TIME", **extra: Any) -> dict[str, Any]:
    cid = f"{i:024x}"
    doc = {
        "id": cid,
        "campaign_id": cid,
        "status": status,
        "channel": "PUSH",
        "campaign_delivery_type": dtype,
        "created_at": fmt_created(NOW - timedelta(days=created_days)),
    }
    if (start := extra.pop("start", None)) is not None:
        doc["scheduling_details"] = {"delivery_type": "AT_FIXED_TIME", "start_time": fmt_iso(start)}
    if (sent := extra.pop("sent", None)) is not None:
        doc["sent_time"] = fmt_sent(sent)
    return doc | extra


def _runs(count: int) -> list[dict[str, Any]]:
    return [
        {
            "campaign_id": f"{900 + i:024x}",
            "sent_time": fmt_iso_micro(NOW - timedelta(days=1 + i)),
            "status": "SENT",
        }
        for i in range(count)
    ]


@pytest.fixture
def workspace() -> tuple[dict[str, dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """31 sent (1-12 in the last 30 days), 3 scheduled (2 in the next 7 days), 1 archived, 1 draft, and
    4 parents: periodic with 200 runs, business-event with 16, a periodic draft and a paused periodic
    without runs; plus 3 children. Matching the report's search: 39 (not the archived, not the children)."""
    docs = [
        _doc(
            i,
            "SENT",
            i + 1,
            start=NOW - timedelta(days=2 if i <= 12 else 100),
            sent=NOW - timedelta(days=2 if i <= 12 else 100),
        )
        for i in range(1, 32)
    ]
    docs += [
        _doc(32, "SCHEDULED", 0.5, start=NOW + timedelta(days=1)),
        _doc(33, "SCHEDULED", 0.5, start=NOW + timedelta(days=3)),
    ]
    docs += [
        _doc(34, "SCHEDULED", 0.5, start=NOW + timedelta(days=20)),
        _doc(35, "ARCHIVED", 0.4, sent=NOW - timedelta(days=200)),
    ]
    docs += [_doc(36, "DRAFT", 0.6, start=NOW + timedelta(days=9))]
    docs += [
        _doc(37, "ACTIVE", 300, "PERIODIC", start=NOW - timedelta(days=200)),
        _doc(38, "ACTIVE", 301, "BUSINESS_EVENT_TRIGGERED", start=NOW - timedelta(days=17)),
        _doc(39, "DRAFT", 302, "PERIODIC"),
        _doc(40, "PAUSED", 303, "PERIODIC", start=NOW - timedelta(days=50)),
    ]
    docs += [_doc(41 + i, "SENT", 0.1, parent_id=f"{37:024x}") for i in range(3)]
    runs = {f"{37:024x}": _runs(200), f"{38:024x}": _runs(16)}
    return {doc["id"]: doc for doc in docs}, runs


def test_schedule_follows_every_rolling_window() -> None:
    standard = LIMITS["search"]
    assert [plan.schedule(k, standard) for k in (0, 1, 10, 11, 100, 101, 201)] == [0, 0, 0, 1, 9, 60, 120]
    assert [plan.schedule(k, LIMITS["stats"]) for k in (100, 101)] == [0, 60]


def test_pages_needed_to_see_what_is_wanted_and_whether_more_exists() -> None:
    assert [plan.pages(n, 1000) for n in (0, 14, 15, 39)] == [1, 1, 2, 3]
    assert [plan.pages(n, 500) for n in (499, 510, 5000)] == [34, 34, 34]


def test_rows_for_ids_take_one_request_each_or_the_listing_up_to_the_last() -> None:
    listing = [{"id": str(i)} for i in range(40)]
    assert plan.rows_for([], listing) == 0
    assert plan.rows_for(["0", "3"], listing) == 1  # both on page 1
    assert plan.rows_for(["0", "31"], listing) == 2  # two requests beat three pages
    assert plan.rows_for([str(i) for i in range(0, 40, 4)], listing) == 3
    assert plan.rows_for(["0", "1", "2", "absent"], listing) == 3  # to the short page, to know it is absent


def test_report_plan_counted_by_hand(workspace) -> None:
    campaigns, runs = workspace
    got = plan.report_plan(campaigns, runs, NOW, ranked=True, latency=L)
    # 39 matching -> 3 pages; the 2 starting soon are on page 1 of the scheduled listing; runs: 10 pages
    # (newest 150 of 200) + 2 (16 runs) + 1 (none, paused; the draft parent is not asked); stats:
    # 12 sent one-time + 2 parents with runs in the period = 14 -> 2 calls, one 31-day window.
    assert got.requests == {"search": 3, "meta": 1, "executions": 13, "stats": 2}
    assert got.total == 19
    # executions: 13 requests need 1 s of windows, after the first search page is back, plus their latency
    assert got.floor == pytest.approx(L + 1.0 + L)


def test_report_plan_covers_only_the_newest_max_campaigns(workspace) -> None:
    campaigns, runs = workspace
    got = plan.report_plan(campaigns, runs, NOW, max_campaigns=15, ranked=True, latency=L)
    # the newest 15: the 3 scheduled, the draft and sent 1-11; no parent among them
    assert got.requests == {"search": 2, "meta": 1, "executions": 0, "stats": 2}
    assert got.floor == pytest.approx(2 * L)


def test_search_and_meta_plans(workspace) -> None:
    campaigns, _ = workspace
    assert plan.search_plan(campaigns, 500).requests == {"search": 3}
    assert plan.search_plan(campaigns, 20).requests == {"search": 2}
    # V1 meta lists 37, newest first (not the drafts, the archived, the children): the oldest parent is last
    meta = plan.meta_plan(campaigns, [f"{i:024x}" for i in (1, 2, 3, 40)], latency=L)
    assert meta.requests == {"meta": 3}  # the listing's 3 pages beat 4 requests
    assert plan.meta_plan(campaigns, [f"{i:024x}" for i in (1, 40)]).requests == {"meta": 2}
    assert meta.floor == pytest.approx(L)  # no search first


class Part(BaseModel):
    part: int
    resume: str | None = None


@pytest.mark.anyio
async def test_follow_continues_every_resume_handle_with_the_same_arguments() -> None:
    from benchmarks.large import follow

    try:
        import anthropic_tokenizer  # noqa: F401 - follow counts each result's tokens
    except ImportError:
        require("anthropic-tokenizer (pip install -e '.[bench]')")

    server, seen = MCPServer("resumable"), []

    @server.tool()
    async def work(ctx: Context, size: int, resume: str | None = None) -> Part:
        seen.append((size, resume))
        await ctx.report_progress(1, None, "working")
        part = int(resume or 0) + 1
        return Part(part=part, resume=str(part) if part < 3 else None)

    calls = []
    async with Client(server) as client:
        last = await follow(client, "work", {"size": 5}, calls)
    assert seen == [(5, None), (5, "1"), (5, "2")]
    assert last.structured_content["part"] == 3
    assert len(calls) == 3 and all(len(c.progress) == 1 and c.tokens > 0 for c in calls)
