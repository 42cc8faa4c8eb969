"""The budgets every tool keeps (SPEC "Budgets every tool keeps"), on generated workspaces in virtual
time (`benchmarks/virtual.py`): a long report or stats question comes back in parts of at most 50 s,
with progress at least every 5 s, and its `resume` handles continue it to exactly the answer one
unhurried call gives, without a request made twice; a handle works once, for its own call only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import anyio
import pytest

from benchmarks.common import demo_session
from benchmarks.large import Call, follow, repeats
from benchmarks.virtual import LATENCY
from moengage_mcp.server import budget
from moengage_mcp.server.listing import MAX_RESULT_CHARS
from moengage_mcp.simulator import Simulator

from .conftest import virtual

PART_FIELDS = ("partial", "pending", "resume")
NOW = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
"""One instant the workspaces of a question and of its oracle are both generated at (their run times
are relative to it): a run a minute later must not tell them apart."""


async def _parts(size: int, tool: str, args: dict[str, Any]) -> tuple[list[Call], list[str]]:
    """`tool` followed through its resume handles on a fresh workspace of `size`; the calls and the
    requests the simulator answered (method and path)."""
    sim = Simulator(workspace_size=size, monotonic=anyio.current_time, now=NOW)
    calls: list[Call] = []
    async with demo_session(sim, latency=LATENCY) as (client, _):
        await follow(client, tool, args, calls)
    assert repeats(sim) == 0
    answered = [r for r in sim.requests if r.status != 429]
    return calls, sorted(f"{r.method} {r.path} {_without_request_id(r.body)}" for r in answered)


def _without_request_id(body: Any) -> Any:
    return {k: v for k, v in body.items() if k != "request_id"} if isinstance(body, dict) else body


def _whole(
    size: int, tool: str, args: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> tuple[Call, list[str]]:
    """The same question answered by one call with all the time it needs: the oracle for the parts."""
    with monkeypatch.context() as patched:
        patched.setattr(budget, "CALL_TIME", 100_000.0)
        calls, requests = virtual(_parts, size, tool, args)
    assert len(calls) == 1
    return calls[0], requests


def _answer(call: Call) -> dict[str, Any]:
    assert call.result is not None and not call.result.is_error
    said = dict(call.result.structured_content or {})
    for name in PART_FIELDS:
        said.pop(name, None)
    return said


def _kept_the_budgets(calls: list[Call]) -> None:
    for call in calls:
        assert call.end - call.start <= 50, call.tool
        assert call.longest_silence <= 5, call.silences


def test_a_long_report_comes_back_in_parts_that_resume_to_the_whole(monkeypatch) -> None:
    calls, requests = virtual(_parts, 300, "campaign_report", {"rank_by": "ctr"})
    whole, whole_requests = _whole(300, "campaign_report", {"rank_by": "ctr"}, monkeypatch)
    assert len(calls) >= 2
    _kept_the_budgets(calls)
    for part in calls[:-1]:
        assert part.result is not None
        said = part.result.structured_content or {}
        assert said["partial"] is True and said["resume"] and "periodic campaigns checked" in said["pending"]
        assert "**Partial report**" in part.result.content[0].text
    final = calls[-1].result
    assert final is not None and "resume" not in (final.structured_content or {})
    assert _answer(calls[-1]) == _answer(whole)
    assert requests == whole_requests  # the same requests, spread over the parts: none made twice


def test_stats_beyond_a_minute_of_calls_resume_to_the_whole(monkeypatch) -> None:
    ids = [doc["id"] for doc in list(Simulator(workspace_size=300).campaigns.values())[:200]]
    args = {
        "campaign_ids": ids,
        "start_date": "2025-05-01",
        "end_date": "2025-10-27",
    }  # 6 windows x 20 batches
    calls, requests = virtual(_parts, 300, "get_campaign_stats", args)
    whole, whole_requests = _whole(300, "get_campaign_stats", args, monkeypatch)
    assert len(calls) == 2  # 120 calls: 100 in the first minute, the rest after it
    _kept_the_budgets(calls)
    first = calls[0].result.structured_content
    assert first["rows"] == [] and first["more"] and "100 of 120 stats calls" in first["note"]
    assert _answer(calls[-1]) == _answer(whole)
    assert sum("/campaign-stats " in request for request in requests) == 120
    assert requests == whole_requests


async def _misused() -> list[str]:
    """A partial report's handle used with other arguments, then rightly, then again."""
    sim = Simulator(workspace_size=300, monotonic=anyio.current_time)
    async with demo_session(sim, latency=LATENCY) as (client, _):
        first = await client.call_tool("campaign_report", {})
        handle = first.structured_content["resume"]
        other = await client.call_tool("campaign_report", {"next_days": 8, "resume": handle})
        right = await client.call_tool("campaign_report", {"resume": handle})
        again = await client.call_tool("campaign_report", {"resume": handle})
        unknown = await client.call_tool("campaign_report", {"resume": "made-up"})
    assert not right.is_error and right.structured_content["total"] >= first.structured_content["total"]
    return [r.content[0].text for r in (other, again, unknown) if r.is_error]


def test_a_resume_handle_works_once_and_only_for_its_own_call() -> None:
    other, again, unknown = virtual(_misused)
    assert "belongs to another call" in other
    assert "unknown or expired" in again and "unknown or expired" in unknown


async def _meta_out_of_time() -> dict[str, Any]:
    """get_meta by 100 ids right after something spent the minute's meta requests."""
    sim = Simulator(workspace_size=2000, monotonic=anyio.current_time)
    ids = [doc["id"] for doc in list(sim.campaigns.values()) if doc.get("status") == "SCHEDULED"][:100]
    async with demo_session(sim, latency=LATENCY) as (client, _):
        await client.call_tool("get_meta", {"campaign_ids": ids[:60]})
        got = await client.call_tool("get_meta", {"campaign_ids": ids})
    assert not got.is_error
    return got.structured_content


def test_meta_ids_the_time_did_not_reach_are_named_not_dropped() -> None:
    said = virtual(_meta_out_of_time)
    assert said["cut"] == "time" and said["more"] is True and said["not_checked"]
    answered = {row["id"] for row in said["campaigns"]} | set(said.get("not_found") or [])
    assert len(answered) + len(said["not_checked"]) == 100 and not answered & set(said["not_checked"])


async def _search_in_pieces() -> tuple[list[Any], list[Any], list[Any]]:
    sim = Simulator(workspace_size=2000, monotonic=anyio.current_time)
    async with demo_session(sim, latency=LATENCY) as (client, _):
        first = await client.call_tool("search_campaigns", {"max_results": 500})
        kept = first.structured_content["next_offset"]
        rest = await client.call_tool("search_campaigns", {"max_results": 500, "offset": kept})
        seam = await client.call_tool("search_campaigns", {"max_results": 2, "offset": kept - 1})
    assert len(first.content[0].text) <= MAX_RESULT_CHARS + 500  # the data block's tags
    assert first.structured_content["cut"] == "size" and first.structured_content["more"] is True
    return [first.structured_content, rest.structured_content, seam.structured_content]


def test_a_list_too_large_for_the_context_is_cut_by_size_and_continues_at_the_cut() -> None:
    first, rest, seam = virtual(_search_in_pieces)
    ids = [row["id"] for row in first["campaigns"]]
    more = [row["id"] for row in rest["campaigns"]]
    assert len(ids) == first["next_offset"] < 500 and not set(ids) & set(more)
    assert [row["id"] for row in seam["campaigns"]] == [ids[-1], more[0]]
