"""Reporting and QA tools through a real MCP session: every QA check fires and passes, report counts
match a brute-force count of the simulator's data, and stats windows merge exactly at the boundaries."""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter

import pytest

from moengage_mcp.api import models as m
from moengage_mcp.server.core.qa_checks import CHECK_IDS, sms_segments
from moengage_mcp.server.core.report import RUN_LIMIT
from moengage_mcp.server.core.stats import windows
from moengage_mcp.simulator import DEMO_CAMPAIGN_IDS as D
from moengage_mcp.simulator import Simulator, views
from moengage_mcp.simulator import stats as sim_stats

from .conftest import make_client, mcp_client

pytestmark = pytest.mark.anyio

USERS = ["user-1001", "user-1005"]  # user-1005 has no First Name


def variant(sim: Simulator, role: str, **changes) -> str:
    """A copy of a demo campaign with top-level components replaced (a new id)."""
    doc = copy.deepcopy(sim.campaigns[D[role]])
    for key in ("id", "campaign_id"):
        doc.pop(key, None)
    doc.update(changes)
    return sim.add_campaign(doc)


def past_start(sim: Simulator) -> str:
    doc = sim.campaigns[D["scheduled_push_this_week"]]
    scheduling = {**doc["scheduling_details"], "start_time": "2020-01-01T10:00:00"}
    scheduling.pop("schedule_time", None)
    return variant(sim, "scheduled_push_this_week", scheduling_details=scheduling)


def no_click_action(sim: Simulator) -> str:
    doc = copy.deepcopy(sim.campaigns[D["valid_push_draft"]])
    for platform in doc["campaign_content"]["content"]["push"].values():
        platform["basic_details"].pop("default_click_action", None)
        platform["basic_details"].pop("default_click_action_value", None)
        platform["basic_details"].pop("redirect_url", None)
    return variant(sim, "valid_push_draft", campaign_content=doc["campaign_content"])


TRIGGERS = {
    "publish_validation": lambda sim: D["invalid_push_draft"],
    "content_coverage": lambda sim: D["flaw_locale_missing"],
    "personalization_render": lambda sim: D["flaw_no_default_past_start"],
    "placeholder_default": lambda sim: D["flaw_no_default_past_start"],
    "click_action": no_click_action,
    "https_links": lambda sim: D["flaw_http_no_utm"],
    "utm_params": lambda sim: D["flaw_http_no_utm"],
    "schedule": past_start,
    "bypass_dnd": lambda sim: D["flaw_bypass_dnd_ignore_fc"],
    "frequency_capping": lambda sim: D["flaw_bypass_dnd_ignore_fc"],
    "all_users": lambda sim: D["flaw_unknown_attribute_http_all_users"],
    "control_group": lambda sim: D["flaw_control_group_disabled"],
    "email_template": lambda sim: D["invalid_email_draft"],
    "sms_segments": lambda sim: D["flaw_sms_too_long"],
}
CLEAN = ("valid_push_draft", "valid_email_draft", "valid_multilocale_draft", "sms_draft")


async def qa(client, campaign_id: str) -> dict:
    res = await client.call_tool("qa_campaign", {"campaign_id": campaign_id, "sample_user_ids": USERS})
    assert not res.is_error, res.content[0].text
    return res.structured_content


def test_every_check_has_a_trigger():
    assert set(TRIGGERS) == set(CHECK_IDS)


@pytest.mark.parametrize("check", CHECK_IDS)
async def test_each_qa_check_fires_on_a_flawed_campaign_and_passes_clean_ones(sim, tmp_path, check):
    flawed = TRIGGERS[check](sim)
    async with mcp_client(sim, tmp_path) as client:
        found = await qa(client, flawed)
        clean = [await qa(client, D[role]) for role in CLEAN]
    hits = [f for f in found["findings"] if f["check"] == check]
    assert hits, found
    assert all(f["field"] and f["message"] and f["fix"] for f in hits)
    for report in clean:
        assert report["ready"] and not report["findings"], report
    assert not sim.writes() and not sim.test_sends


async def test_qa_validation_errors_make_a_campaign_not_ready(sim, tmp_path):
    async with mcp_client(sim, tmp_path) as client:
        out = await qa(client, D["invalid_push_draft"])
    assert out["ready"] is False and out["errors"] >= 3
    assert [f["severity"] for f in out["findings"]] == sorted(
        (f["severity"] for f in out["findings"]), key=["error", "warning", "info"].index
    )


async def test_qa_reports_a_sample_user_it_cannot_render(sim, tmp_path):
    async with mcp_client(sim, tmp_path) as client:
        res = await client.call_tool(
            "qa_campaign", {"campaign_id": D["valid_push_draft"], "sample_user_ids": ["nobody-here"]}
        )
    [finding] = res.structured_content["findings"]
    assert finding["severity"] == "info" and "nobody-here" in finding["message"]


def test_sms_segments_follow_gsm7_and_ucs2():
    assert sms_segments("a" * 160) == (1, "GSM-7")
    assert sms_segments("a" * 161) == (2, "GSM-7")
    assert sms_segments("ü" * 160) == (1, "GSM-7")
    assert sms_segments("😀" * 70) == (1, "UCS-2")
    assert sms_segments("ł" * 71) == (2, "UCS-2")


# ---------------------------------------------------------------------- campaign_report


def visible(doc: dict) -> bool:
    return doc["status"] != "ARCHIVED" and not doc.get("parent_id") and not doc.get("flow_id")


async def test_report_counts_match_a_brute_force_count(sim, tmp_path):
    async with mcp_client(sim, tmp_path) as client:
        res = await client.call_tool("campaign_report", {})
    out = res.structured_content
    expected = Counter(
        (d["status"], d["channel"], d["campaign_delivery_type"]) for d in sim.campaigns.values() if visible(d)
    )
    got = Counter({(r["status"], r["channel"], r["delivery_type"]): r["n"] for r in out["counts"]})
    assert got == expected and out["total"] == sum(expected.values())
    text = res.content[0].text
    assert f"**{out['total']} campaigns**" in text and "| status | channel | type | n |" in text


async def test_report_filters_apply_to_every_section(sim, tmp_path):
    async with mcp_client(sim, tmp_path) as client:
        out = (await client.call_tool("campaign_report", {"channels": ["SMS"]})).structured_content
    expected = sum(1 for d in sim.campaigns.values() if visible(d) and d["channel"] == "SMS")
    assert out["total"] == expected and {r["channel"] for r in out["counts"]} == {"SMS"}
    assert all(u["channel"] == "SMS" for u in out["scheduled_next"])


async def test_report_lists_what_is_scheduled_next_with_reach(sim, tmp_path):
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    expected = set()
    for cid, doc in sim.campaigns.items():
        s = doc.get("scheduling_details") or {}
        start = s.get("start_time") or s.get("schedule_time")
        if visible(doc) and doc["status"] == "SCHEDULED" and start:
            if now <= dt.datetime.fromisoformat(start) <= now + dt.timedelta(days=7):
                expected.add(cid)
    async with mcp_client(sim, tmp_path) as client:
        res = await client.call_tool("campaign_report", {})
    out = res.structured_content
    upcoming = out["scheduled_next"]
    assert {u["id"] for u in upcoming} == expected and expected
    assert [u["start"] for u in upcoming] == sorted(u["start"] for u in upcoming)
    one_time = [u for u in upcoming if sim.campaigns[u["id"]]["campaign_delivery_type"] == "ONE_TIME"]
    assert one_time and all(u["reach"] for u in one_time)
    text = res.content[0].text
    assert "recurring runs of active periodic/event campaigns not listed" in text


async def test_report_flags_failed_and_stuck_runs(sim, tmp_path):
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    expected = {}
    for parent, runs in sim.executions.items():
        doc = sim.campaigns[parent]
        if not visible(doc) or doc["status"] == "DRAFT":
            continue
        failed = sum(r["status"].upper() == "FAILED" for r in runs)
        stuck = sum(
            r["status"].upper() == "SENDING"
            and dt.datetime.fromisoformat(r["sent_time"]) < now - dt.timedelta(hours=6)
            for r in runs
        )
        if failed or stuck:
            expected[parent] = (len(runs), failed, stuck)
    async with mcp_client(sim, tmp_path) as client:
        out = (await client.call_tool("campaign_report", {})).structured_content
    got = {p["id"]: (p["runs"], p["failed"], p["stuck"]) for p in out["periodic_problems"]}
    assert got == expected and any(stuck for _, _, stuck in got.values())


async def test_report_ranks_performers(sim, tmp_path):
    async with mcp_client(sim, tmp_path) as client:
        out = (await client.call_tool("campaign_report", {"rank_by": "ctr", "top": 2})).structured_content
    p = out["performers"]
    assert p["metric"] == "ctr" and len(p["top"]) == 2 and len(p["bottom"]) == 2
    values = [x["value"] for x in p["top"]] + [x["value"] for x in reversed(p["bottom"])]
    assert values == sorted(values, reverse=True)
    assert not {x["id"] for x in p["top"]} & {x["id"] for x in p["bottom"]}


def imported_long_ago(sim: Simulator, n: int) -> list[str]:
    """n one-time campaigns created now that sent 200 days ago: nothing to rank in a recent period."""
    long_ago = (sim.now() - dt.timedelta(days=200)).strftime("%Y-%m-%d %H:%M:%S.%f")
    ids = []
    for i in range(n):
        doc = copy.deepcopy(sim.campaigns[D["active_one_time_push"]])
        for key in ("id", "campaign_id"):
            doc.pop(key, None)
        doc.update(status="SENT", sent_time=long_ago)
        doc["basic_details"]["name"] = f"Imported {i}"
        ids.append(sim.add_campaign(doc))
    return ids


def stats_ids(sim: Simulator, since: int = 0) -> set[str]:
    return {
        cid
        for r in sim.requests[since:]
        if r.path.endswith("/campaign-stats")
        for cid in r.body["campaign_ids"]
    }


async def test_report_ranks_campaigns_that_sent_in_the_period_top_and_bottom_apart(sim, tmp_path):
    imported = imported_long_ago(sim, 100)
    today = sim.now().date()
    async with mcp_client(sim, tmp_path) as client:
        sms = await client.call_tool(
            "campaign_report",
            {"channels": ["SMS"], "rank_by": "ctr", "stats_from": str(today - dt.timedelta(300))},
        )
        before = len(sim.requests)
        ranked = (await client.call_tool("campaign_report", {"rank_by": "sent"})).structured_content[
            "performers"
        ]
        asked = stats_ids(sim, before)
        before = len(sim.requests)
        backwards = await client.call_tool(
            "campaign_report",
            {"rank_by": "ctr", "stats_from": str(today), "stats_to": str(today - dt.timedelta(10))},
        )
    p = sms.structured_content["performers"]
    assert p["top"] and p["bottom"] and not {x["id"] for x in p["top"]} & {x["id"] for x in p["bottom"]}
    assert len(p["top"]) + len(p["bottom"]) == len({x["id"] for x in p["top"] + p["bottom"]})
    assert asked and not asked & {i for cid in imported for i in (cid, sim.campaigns[cid].get("campaign_id"))}
    assert ranked["checked"] == len(asked) and ranked["left_out"] == 0 and ranked["top"]
    assert backwards.is_error and "stats_from" in backwards.content[0].text and len(sim.requests) == before


async def test_report_caps_its_stats_calls_and_says_what_was_left_out(sim, tmp_path, monkeypatch):
    monkeypatch.setattr("moengage_mcp.server.core.report.MAX_STATS_CALLS", 4)
    today = sim.now().date()
    args = {"rank_by": "sent", "stats_from": str(today - dt.timedelta(days=62)), "stats_to": str(today)}
    async with mcp_client(sim, tmp_path) as client:
        res = await client.call_tool("campaign_report", args)
    p = res.structured_content["performers"]
    calls = [r for r in sim.requests if r.path.endswith("/campaign-stats")]
    assert len(windows(today - dt.timedelta(days=62), today)) == 3 and len(calls) == 3
    assert p["checked"] == 10 and p["left_out"] > 0
    assert f"{p['left_out']} more that may have sent were not checked" in res.content[0].text


async def test_report_survives_a_part_the_api_refuses(sim, tmp_path):
    parent = D["periodic_weekly_email"]  # runs are listed only for API-created campaigns
    sim.faults.inject(rf"/core-services/v1/campaigns/{parent}/executions$", status=400, count=1)
    sim.faults.inject(r"/core-services/v1/campaigns/meta$", status=400, count=1)
    async with mcp_client(sim, tmp_path) as client:
        res = await client.call_tool("campaign_report", {})
        sim.stats_enabled = False
        ranked = await client.call_tool("campaign_report", {"rank_by": "ctr"})
    out, text = res.structured_content, res.content[0].text
    assert not res.is_error and [u["id"] for u in out["executions_unavailable"]] == [parent]
    assert out["periodic_problems"] and parent not in {p["id"] for p in out["periodic_problems"]}
    assert (
        out["reach_unavailable"]
        and out["scheduled_next"]
        and not any("reach" in u for u in out["scheduled_next"])
    )
    assert "Executions unavailable for 1" in text and "Reach unavailable" in text
    p = ranked.structured_content["performers"]
    assert not ranked.is_error and "not available" in p["unavailable"] and not p["top"]
    assert "Unavailable: campaign stats are not available" in ranked.content[0].text
    assert any(q["id"] == parent for q in ranked.structured_content["periodic_problems"])


async def test_report_counts_each_campaign_once_and_joins_meta_on_the_stable_id(sim, tmp_path):
    v2 = sim.campaigns[D["versioned"]]
    v1 = copy.deepcopy(v2)
    v1.update(id=v2["campaign_id"], version_number=1)  # the campaign's first document
    sim.add_campaign(v1)
    scheduled = copy.deepcopy(sim.campaigns[D["scheduled_push_this_week"]])
    scheduled.update(id="a" * 24, campaign_id="b" * 24, version_number=2)
    scheduled["basic_details"]["name"] = "Versioned Scheduled Push"
    sim.add_campaign(scheduled)
    async with mcp_client(sim, tmp_path) as client:
        welcome = await client.call_tool(
            "campaign_report", {"name": v2["basic_details"]["name"], "rank_by": "sent"}
        )
        versioned = await client.call_tool("campaign_report", {"name": "Versioned Scheduled"})
    out = welcome.structured_content
    assert out["total"] == 1 and [r["n"] for r in out["counts"]] == [1]
    assert [x["id"] for x in out["performers"]["top"]] == [v2["id"]] and not out["performers"]["bottom"]
    [upcoming] = versioned.structured_content["scheduled_next"]
    assert upcoming["id"] == "a" * 24 and upcoming["reach"]


@pytest.mark.parametrize("oldest_first", [False, True])
async def test_report_inspects_the_newest_runs_whatever_the_page_order(
    sim, tmp_path, monkeypatch, oldest_first
):
    parent = D["periodic_most_executions"]
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    runs = [
        {
            "campaign_id": f"{i:024x}",
            "sent_time": (now - dt.timedelta(days=i + 1)).isoformat(),
            "status": "SENT",
        }
        for i in range(200)
    ]
    runs[0]["status"] = runs[-1]["status"] = "FAILED"  # the newest run, and one older than the newest 150
    sim.executions[parent] = runs
    if oldest_first:  # the documented sample's order; the simulator pages newest first
        newest_first = views.execution_rows
        monkeypatch.setattr(views, "execution_rows", lambda executions: newest_first(executions)[::-1])
    async with mcp_client(sim, tmp_path) as client:
        out = (await client.call_tool("campaign_report", {})).structured_content
    [problem] = [p for p in out["periodic_problems"] if p["id"] == parent]
    assert (problem["runs"], problem["failed"]) == (200, 1)
    assert problem["last_failed"] == runs[0]["sent_time"][:16].replace("T", " ")
    pages = [r for r in sim.requests if r.path.endswith(f"/{parent}/executions")]
    assert len(pages) <= 2 + RUN_LIMIT // m.PAGE_SIZE


# ---------------------------------------------------------------------- get_campaign_stats


def test_windows_cover_the_range_exactly():
    start = dt.date(2026, 1, 1)
    for days in (0, 29, 30, 31, 61, 62, 365):
        end = start + dt.timedelta(days=days)
        parts = windows(start, end)
        assert parts[0][0] == start and parts[-1][1] == end
        assert all((b - a).days <= 30 for a, b in parts)
        assert all(parts[i + 1][0] == parts[i][1] + dt.timedelta(days=1) for i in range(len(parts) - 1))
    assert len(windows(start, start + dt.timedelta(days=30))) == 1
    assert len(windows(start, start + dt.timedelta(days=31))) == 2


async def _daily_truth(
    sim: Simulator, ids: list[str], start: dt.date, end: dt.date
) -> dict[str, dict[str, int]]:
    """Brute force: one API call per day and per campaign, summed per campaign (the simulator
    enforces no limits here, so neither does this client: 341 calls at 100/min would take minutes)."""
    totals: dict[str, dict[str, int]] = {}
    async with make_client(sim, limits={"stats": ((10_000, 1.0),)}) as api:
        day = start
        while day <= end:
            for cid in ids:
                res = await api.campaign_stats(
                    m.StatsRequest(start_date=day, end_date=day, campaign_ids=[cid])
                )
                for entry in res.data.get(cid, []):
                    for plat in entry.platforms.values():
                        perf = plat.locales["all_locales"].variations["all_variations"].performance_stats
                        t = totals.setdefault(cid, Counter())
                        t.update(
                            sent=perf.sent or 0, clicks=perf.click or 0, impressions=perf.impression or 0
                        )
            day += dt.timedelta(days=1)
    return totals


@pytest.mark.parametrize(("n_campaigns", "days"), [(10, 30), (11, 31)])
async def test_stats_split_and_merge_exactly_at_the_boundaries(tmp_path, n_campaigns, days):
    sim = Simulator(rate_limits=False)
    sent = [cid for cid, d in sim.campaigns.items() if d["status"] in ("SENT", "ACTIVE") and visible(d)]
    ids = sent[:n_campaigns]
    end = sim.now().date()
    start = end - dt.timedelta(days=days)
    async with mcp_client(sim, tmp_path) as client:
        res = await client.call_tool(
            "get_campaign_stats",
            {"campaign_ids": ids, "start_date": str(start), "end_date": str(end)},
        )
    out = res.structured_content
    calls = [r for r in sim.requests if r.path.endswith("/campaign-stats")]
    assert out["api_calls"] == len(calls) == len(windows(start, end)) * -(-n_campaigns // 10)
    assert all(len(r.body["campaign_ids"]) <= 10 for r in calls)
    truth = await _daily_truth(sim, ids, start, end)
    rows = {r["campaign_id"]: r for r in out["rows"]}
    assert set(rows) == set(truth)
    for cid, t in truth.items():
        assert (rows[cid]["sent"], rows[cid]["clicks"], rows[cid]["impressions"]) == (
            t["sent"],
            t["clicks"],
            t["impressions"],
        )
        assert rows[cid]["ctr"] == round(t["clicks"] * 100 / t["impressions"], 2)


async def test_stats_breakdowns_add_up(tmp_path):
    sim = Simulator(rate_limits=False)
    cid = D["valid_multilocale_draft"]
    sent = D["periodic_most_executions"]
    end = sim.now().date()
    args = {"campaign_ids": [sent], "start_date": str(end - dt.timedelta(days=60)), "end_date": str(end)}
    async with mcp_client(sim, tmp_path) as client:
        per = {}
        for breakdown in ("campaign", "platform", "variation"):
            res = await client.call_tool("get_campaign_stats", {**args, "breakdown": breakdown})
            per[breakdown] = res.structured_content["rows"]
        none = await client.call_tool("get_campaign_stats", {**args, "campaign_ids": [cid]})
    total = per["campaign"][0]["sent"]
    assert total == sum(r["sent"] for r in per["platform"]) == sum(r["sent"] for r in per["variation"])
    assert all(r["platform"] for r in per["platform"]) and all(r["variation"] for r in per["variation"])
    assert none.structured_content["no_data"] == [cid] and none.structured_content["rows"] == []


async def test_stats_errors_are_clear_tool_errors(sim, tmp_path):
    today = sim.now().date()
    args = {"campaign_ids": [D["active_event_push"]], "start_date": str(today), "end_date": str(today)}
    sim.stats_enabled = False
    async with mcp_client(sim, tmp_path) as client:
        disabled = await client.call_tool("get_campaign_stats", args)
        huge = await client.call_tool(
            "get_campaign_stats",
            {**args, "campaign_ids": [f"{i:024x}" for i in range(200)], "start_date": "2020-01-01"},
        )
        backwards = await client.call_tool("get_campaign_stats", {**args, "start_date": "2030-01-01"})
    assert disabled.is_error and "campaign stats are not available" in disabled.content[0].text
    assert huge.is_error and "stats calls" in huge.content[0].text
    assert backwards.is_error and "start_date" in backwards.content[0].text
    assert sum(r.path.endswith("/campaign-stats") for r in sim.requests) == 1


async def stats_of(client, args: dict, **changes) -> dict:
    res = await client.call_tool("get_campaign_stats", {**args, **changes})
    assert not res.is_error, res.content[0].text
    return res.structured_content


async def test_stats_count_the_primary_goal_only(tmp_path):
    sim = Simulator(rate_limits=False)
    cid = D["periodic_most_executions"]
    end = sim.now().date()
    start = end - dt.timedelta(days=10)
    args = {"campaign_ids": [cid], "start_date": str(start), "end_date": str(end)}
    async with make_client(sim) as api:
        raw = await api.campaign_stats(m.StatsRequest(start_date=start, end_date=end, campaign_ids=[cid]))
    per_goal: Counter[str] = Counter()
    for entry in raw.data[cid]:
        for plat in entry.platforms.values():
            aggregate = plat.locales["all_locales"].variations["all_variations"]
            per_goal.update({goal: g.conversions for goal, g in aggregate.conversion_goal_stats.items()})
    assert set(per_goal) == {"Purchase", "Add to Cart"}  # primary first, then a secondary goal
    async with mcp_client(sim, tmp_path) as client:
        [first] = (await stats_of(client, args))["rows"]
    for goal in sim.campaigns[cid]["conversion_goal_details"]["goals"]:
        goal["is_primary_goal"] = goal["goal_name"] == "Add to Cart"
    async with mcp_client(sim, tmp_path) as client:  # a new server: nothing cached from before the change
        [second] = (await stats_of(client, args))["rows"]
    assert (first["goal"], first["conversions"]) == ("Purchase", per_goal["Purchase"])
    assert (second["goal"], second["conversions"]) == ("Add to Cart", per_goal["Add to Cart"])
    assert second["cvr"] == round(per_goal["Add to Cart"] * 100 / second["sent"], 2)


async def test_stats_never_add_unique_counts_across_windows_and_flag_platform_sums(tmp_path):
    sim = Simulator(rate_limits=False)
    end = sim.now().date()
    args = {  # a push campaign on android and ios
        "campaign_ids": [D["periodic_most_executions"]],
        "start_date": str(end - dt.timedelta(days=30)),
        "end_date": str(end),
        "metric_type": "UNIQUE",
    }
    async with mcp_client(sim, tmp_path) as client:
        longer = await client.call_tool(
            "get_campaign_stats", {**args, "start_date": str(end - dt.timedelta(days=61))}
        )
        calls = sum(r.path.endswith("/campaign-stats") for r in sim.requests)
        summed = await stats_of(client, args)
        per_platform = await stats_of(client, args, breakdown="platform")
        total = await stats_of(client, args, metric_type="TOTAL")
    refusal = longer.content[0].text
    assert longer.is_error and "TOTAL" in refusal and "31 days" in refusal and calls == 0
    assert "once per platform" in summed["note"] and len(per_platform["rows"]) == 2
    assert "note" not in per_platform and "note" not in total


DOC_LEAF = {
    "performance_stats": {"attempted": 2, "sent": 2, "failed": 0, "impression": 2, "click": 4, "ctr": 200},
    "conversion_goal_stats": {"Goal 1": {"conversions": 1, "cvr": 50, "uplift": 0}},
    "failure_breakdown": {},
}
CONTROL = {
    "conversion_goal_stats": {"Goal 1": {"conversions": 3, "cvr": 0, "uplift": 0}},
    "failure_breakdown": {},
}


def documented_shape(doc, executions, query, today):
    """The API reference's sample: only the aggregate cell, plus control groups, and no `delivered`."""
    cells = {"all_variations": DOC_LEAF, "campaign_control_group": CONTROL, "global_control_group": CONTROL}
    return [{"platforms": {"android": {"locales": {"all_locales": {"variations": cells}}}}}]


async def test_stats_read_the_documented_response_shape(sim, tmp_path, monkeypatch):
    monkeypatch.setattr(sim_stats, "campaign_stats", documented_shape)
    today = sim.now().date()
    start = today - dt.timedelta(days=5)
    args = {"campaign_ids": [D["active_one_time_push"]], "start_date": str(start), "end_date": str(today)}
    async with mcp_client(sim, tmp_path) as client:
        per_variation = await stats_of(client, args, breakdown="variation")
        [whole] = (await stats_of(client, args))["rows"]
        by_rate = (await client.call_tool("campaign_report", {"rank_by": "delivery_rate"})).structured_content
        by_ctr = (await client.call_tool("campaign_report", {"rank_by": "ctr"})).structured_content
    [row] = per_variation["rows"]
    assert (row["locale"], row["variation"], row["sent"], row["conversions"]) == (
        "all_locales",
        "all_variations",
        2,
        1,
    )
    assert "no_data" not in per_variation
    assert (whole["sent"], whole["clicks"], whole["conversions"], whole["cvr"]) == (2, 4, 1, 50.0)
    assert "delivered" not in whole and "delivered" not in row
    assert by_rate["performers"]["checked"] and not by_rate["performers"]["top"]
    assert by_ctr["performers"]["top"] and all(x["value"] == 200.0 for x in by_ctr["performers"]["top"])


DEMO_PERIODIC = D["periodic_most_executions"]


def with_stats(sim: Simulator, days: int = 30) -> list[dict]:
    """The campaigns the simulator has stats for in the last `days` days."""
    today = sim.now().date()
    query = sim_stats.StatsQuery(
        "x", today - dt.timedelta(days=days), today, None, "VIEW_THROUGH", "TOTAL", 0, 10
    )
    return sim_stats._campaigns_with_stats(sim.campaigns, sim.executions, query, today)


async def test_stats_answer_email_engagement_for_email_and_impressions_for_push(sim, tmp_path):
    today = sim.now().date()
    sent = with_stats(sim)
    email = next(d["id"] for d in sent if d["channel"] == "EMAIL")
    push = next(d["id"] for d in sent if d["channel"] == "PUSH")
    args = {
        "campaign_ids": [email, push],
        "start_date": str(today - dt.timedelta(days=30)),
        "end_date": str(today),
    }
    async with mcp_client(sim, tmp_path) as client:
        res = await client.call_tool(
            "get_campaign_stats",
            {**args, "metrics": ["delivery", "engagement", "email", "revenue", "uplift"]},
        )
    rows = {r["campaign_id"]: r for r in res.structured_content["rows"]}
    e, p = rows[email], rows[push]
    assert {
        "opens",
        "open_rate",
        "ctor",
        "bounces",
        "hard_bounces",
        "unsubscribes",
        "complaints",
        "unsub_rate",
    } <= set(e)
    assert e["open_rate"] == round(e["opens"] * 100 / e["delivered"], 2)
    assert e["bounces"] == e["hard_bounces"] + e["soft_bounces"]
    assert {"impressions", "clicks", "ctr"} <= set(p) and "opens" not in p and "bounces" not in p
    assert "revenue" in e and "aov" in e


async def test_workspace_wide_stats_page_through_every_campaign(sim, tmp_path):
    today = sim.now().date()
    args = {"start_date": str(today - dt.timedelta(days=45)), "end_date": str(today), "max_results": 500}
    async with mcp_client(sim, tmp_path) as client:
        res = await client.call_tool("get_campaign_stats", args)
    out = res.structured_content
    expected = set()
    for start, end in windows(today - dt.timedelta(days=45), today):
        query = sim_stats.StatsQuery("x", start, end, None, "VIEW_THROUGH", "TOTAL", 0, 10)
        expected |= {
            d["id"] for d in sim_stats._campaigns_with_stats(sim.campaigns, sim.executions, query, today)
        }
    assert out["campaigns"] == len(expected) and {r["campaign_id"] for r in out["rows"]} == expected
    calls = [r for r in sim.requests if r.path.endswith("/campaign-stats")]
    assert len(calls) == out["api_calls"] and all("campaign_ids" not in r.body for r in calls)
    sents = [r["sent"] for r in out["rows"]]
    assert sents == sorted(sents, reverse=True) and out["more"] is False


async def test_control_groups_are_not_variations_and_uplift_is_never_summed(sim, tmp_path):
    today = sim.now().date()
    daily = sim.campaigns[DEMO_PERIODIC]
    assert daily["campaign_delivery_type"] == "PERIODIC"
    cid = daily["id"]  # it sends daily: both 31-day windows have its stats
    one = {"campaign_ids": [cid], "start_date": str(today - dt.timedelta(days=30)), "end_date": str(today)}
    two = {**one, "start_date": str(today - dt.timedelta(days=61))}
    async with mcp_client(sim, tmp_path) as client:
        per_variation = await client.call_tool(
            "get_campaign_stats", {**one, "breakdown": "variation", "metrics": ["uplift"]}
        )
        windowed = await client.call_tool("get_campaign_stats", {**two, "metrics": ["uplift"]})
    variations = {r.get("variation") for r in per_variation.structured_content["rows"]}
    assert not variations & {"campaign_control_group", "global_control_group"}
    assert all("uplift" not in r for r in windowed.structured_content["rows"])  # two windows: not addable
