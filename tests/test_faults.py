"""API faults seen through the MCP tools: what a model gets when MoEngage misbehaves.

Client-level retry mechanics are in test_client.py and the basic write retries in
test_write_policy.py; these cover the tool level and the gaps: a fault in the middle of a page
walk, every read tool failing clearly after bounded attempts, 429 storms, hung and resetting
servers, bodies that are not what the API documents, writes whose answers are lost in every way
the simulator can lose them, a read-back that fails after a write went through, and requests
delayed on their way to the API (the rate limiter must count them from their answer).
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import anyio
import httpx
import pytest

from moengage_mcp.api import MoEngageClient, RetryPolicy
from moengage_mcp.api.ratelimit import RollingWindowLimiter
from moengage_mcp.simulator import DEMO_API_KEY, DEMO_CAMPAIGN_IDS, DEMO_USERS, DEMO_WORKSPACE_ID, Simulator

from .conftest import audit_lines, make_client, mcp_client, serve

pytestmark = pytest.mark.anyio

RETRY = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02, max_retry_after=2.0)
"""Three attempts, quick back-off, and Retry-After honoured up to 2 s."""

USER = next(iter(DEMO_USERS))
ACTIVE_PERIODIC = DEMO_CAMPAIGN_IDS["periodic_most_executions"]
DRAFT = DEMO_CAMPAIGN_IDS["valid_push_draft"]

READ_CALLS: list[tuple[str, dict[str, Any], str]] = [
    ("get_campaign", {"campaign_id": ACTIVE_PERIODIC}, r"^/v5/campaigns/[0-9a-f]{24}$"),
    ("search_campaigns", {"max_results": 40}, r"^/v5/campaigns/search$"),
    ("list_executions", {"campaign_id": ACTIVE_PERIODIC, "max_results": 40}, r"/executions$"),
    ("get_meta", {"statuses": ["SCHEDULED"]}, r"/campaigns/meta$"),
    ("validate_campaign", {"campaign_id": DRAFT}, r"/validate$"),
    (
        "personalized_preview",
        {"campaign_id": DRAFT, "user_id": USER},
        r"^/v5/(personalization/preview|campaigns/[0-9a-f]{24})$",
    ),
]


def through(app, **kwargs: Any) -> MoEngageClient:
    """An API client whose requests pass through `app` (a wrapper around the simulator) in process."""
    kwargs.setdefault("retry", RETRY)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return MoEngageClient(DEMO_WORKSPACE_ID, DEMO_API_KEY, "http://simulator", transport=transport, **kwargs)


def text_of(res) -> str:
    return res.content[0].text


def hits(sim: Simulator, pattern: str, method: str | None = None) -> list:
    rx = re.compile(pattern)
    return [r for r in sim.requests if rx.search(r.path) and (method is None or r.method == method)]


def assert_clear_tool_error(res, *needles: str) -> None:
    """A tool error (not a protocol error) that names the problem, never a bare crash message."""
    assert res.is_error, res
    text = text_of(res)
    assert "MoEngage API" in text, text
    for needle in needles:
        assert needle in text, (needle, text)
    assert "Traceback" not in text and DEMO_API_KEY not in text


# ---------------------------------------------------------------------- reads


async def test_a_5xx_burst_in_the_middle_of_a_page_walk_is_retried_and_the_walk_completes(sim, tmp_path):
    first_page = {"done": False}

    async def app(scope, receive, send):  # arm the burst once the first page has gone through
        await sim.app(scope, receive, send)
        if scope["type"] == "http" and scope["path"].endswith("/search") and not first_page["done"]:
            first_page["done"] = True
            sim.faults.inject(r"^/v5/campaigns/search$", status=503, count=2)

    async with mcp_client(sim, tmp_path, api=through(app)) as client:
        res = await client.call_tool("search_campaigns", {"max_results": 45})
    assert not res.is_error and len(res.structured_content["campaigns"]) == 45
    statuses = [r.status for r in hits(sim, r"/search$")]
    assert statuses.count(503) == 2 and statuses.count(200) == 3


@pytest.mark.parametrize(("tool", "arguments", "path"), READ_CALLS, ids=[c[0] for c in READ_CALLS])
async def test_every_read_tool_fails_clearly_after_bounded_attempts(sim, tmp_path, tool, arguments, path):
    sim.faults.inject(path, status=503, count=1000)
    async with mcp_client(sim, tmp_path, api=make_client(sim, retry=RETRY)) as client:
        res = await client.call_tool(tool, arguments)
        assert_clear_tool_error(res, "503", "try again later")
        sim.faults.clear()
        again = await client.call_tool(tool, arguments)  # the session is still usable
    assert not again.is_error
    failed = [r for r in sim.requests if r.status == 503]
    assert 0 < len(failed) <= RETRY.attempts * 2, "each request is tried at most `attempts` times"
    assert sim.writes() == []


async def test_a_429_storm_with_retry_after_is_waited_out(sim, tmp_path):
    sim.faults.inject(r"^/v5/campaigns/[0-9a-f]{24}$", status=429, retry_after=0.2, count=2)
    async with mcp_client(sim, tmp_path, api=make_client(sim, retry=RETRY)) as client:
        started = time.monotonic()
        res = await client.call_tool("get_campaign", {"campaign_id": ACTIVE_PERIODIC})
        elapsed = time.monotonic() - started
    assert not res.is_error and res.structured_content["campaign"]["id"] == ACTIVE_PERIODIC
    assert [r.status for r in sim.requests] == [429, 429, 200]
    assert elapsed >= 0.4, "each Retry-After was honoured"


async def test_a_429_storm_that_outlasts_the_retries_says_when_to_retry(sim, tmp_path):
    sim.faults.inject(r"/search$", status=429, retry_after=0.05, count=1000)
    async with mcp_client(sim, tmp_path, api=make_client(sim, retry=RETRY)) as client:
        res = await client.call_tool("search_campaigns", {})
    assert_clear_tool_error(res, "429", "rate limit", "retry after 0.05 s")
    assert len(sim.requests) == RETRY.attempts


async def test_a_retry_after_beyond_the_cap_fails_at_once_instead_of_hanging(sim, tmp_path):
    sim.faults.inject(r"/search$", status=429, retry_after=3600, count=1000)
    async with mcp_client(sim, tmp_path, api=make_client(sim, retry=RETRY)) as client:
        with anyio.fail_after(5):
            res = await client.call_tool("search_campaigns", {})
    assert_clear_tool_error(res, "retry after 3600 s")
    assert len(sim.requests) == 1


@pytest.mark.parametrize(("tool", "arguments", "path"), READ_CALLS[:3], ids=[c[0] for c in READ_CALLS[:3]])
async def test_a_hung_api_cannot_hold_a_tool_call_past_its_deadline(sim, tmp_path, tool, arguments, path):
    sim.faults.inject(path, delay=30, count=1000)
    api = make_client(sim, timeout=10, deadline=0.5, retry=RETRY)
    async with mcp_client(sim, tmp_path, api=api) as client:
        started = time.monotonic()
        with anyio.fail_after(10):
            res = await client.call_tool(tool, arguments)
        elapsed = time.monotonic() - started
    assert_clear_tool_error(res, "did not complete within 0.5 s")
    assert elapsed < 2.0, elapsed


async def test_socket_timeouts_are_retried_then_reported(tmp_path):
    sim = Simulator()
    with serve(sim.app) as url:
        sim.faults.inject(r"^/v5/campaigns/[0-9a-f]{24}$", delay=2, count=1000)
        api = make_client(sim, url, timeout=0.2, retry=RETRY)
        async with mcp_client(sim, tmp_path, api=api) as client:
            res = await client.call_tool("get_campaign", {"campaign_id": ACTIVE_PERIODIC})
    assert_clear_tool_error(res, "timed out", "Check network access")
    assert len(sim.requests) == RETRY.attempts


async def test_connection_resets_fail_clearly_and_transient_ones_are_retried(tmp_path):
    sim = Simulator()
    with serve(sim.app) as url:
        async with mcp_client(sim, tmp_path, api=make_client(sim, url, retry=RETRY)) as client:
            sim.faults.inject(r"/search$", body="reset", count=1)
            ok = await client.call_tool("search_campaigns", {})
            sim.faults.inject(r"/search$", body="reset", count=1000)
            res = await client.call_tool("search_campaigns", {})
    assert not ok.is_error and ok.structured_content["campaigns"]
    assert_clear_tool_error(res, "Check network access")


@pytest.mark.parametrize("body", ["malformed", "truncated"])
async def test_bodies_that_are_not_json_fail_clearly(sim, tmp_path, body):
    sim.faults.inject(r"^/v5/campaigns/[0-9a-f]{24}$", status=200, body=body, count=1000)
    async with mcp_client(sim, tmp_path, api=make_client(sim, retry=RETRY)) as client:
        res = await client.call_tool("get_campaign", {"campaign_id": ACTIVE_PERIODIC})
    assert_clear_tool_error(res, "not JSON")


WEIRD_BODIES = [
    ("get_campaign", {"campaign_id": ACTIVE_PERIODIC}, r"^/v5/campaigns/[0-9a-f]{24}$", []),
    ("get_campaign", {"campaign_id": ACTIVE_PERIODIC}, r"^/v5/campaigns/[0-9a-f]{24}$", {"data": "campaign"}),
    ("get_campaign", {"campaign_id": ACTIVE_PERIODIC}, r"^/v5/campaigns/[0-9a-f]{24}$", {"data": {"id": 7}}),
    ("get_campaign", {"campaign_id": ACTIVE_PERIODIC}, r"^/v5/campaigns/[0-9a-f]{24}$", {"data": None}),
    ("search_campaigns", {}, r"/search$", {"data": {"campaigns": "none"}}),
    ("search_campaigns", {}, r"/search$", {"data": {"campaigns": [{"name": "no id"}]}}),
    ("list_executions", {"campaign_id": ACTIVE_PERIODIC}, r"/executions$", {"executions": 5}),
    ("get_meta", {}, r"/meta$", {"data": 5}),
    ("validate_campaign", {"campaign_id": DRAFT}, r"/validate$", {"data": {"valid": "maybe"}}),
    (
        "personalized_preview",
        {"campaign_id": DRAFT, "user_id": USER},
        r"/preview$",
        {"data": {"personalized_content": 3}},
    ),
    (
        "personalized_preview",
        {"campaign_id": DRAFT, "user_id": USER},
        r"/preview$",
        {"data": {"personalized_content": {"content": 5}}},
    ),
    (
        "qa_campaign",
        {"campaign_id": DRAFT, "sample_user_ids": [USER]},
        r"/preview$",
        {"data": {"personalized_content": {"content": 5}}},
    ),
    (
        "get_campaign",
        {"campaign_id": ACTIVE_PERIODIC},
        r"^/v5/campaigns/[0-9a-f]{24}$",
        {"data": {"id": ACTIVE_PERIODIC, "campaign_content": {"content": []}}},
    ),
    (
        "get_campaign_stats",
        {"campaign_ids": [ACTIVE_PERIODIC], "start_date": "2026-01-01", "end_date": "2026-01-10"},
        r"/campaign-stats$",
        {"data": {"x": 5}},
    ),
]


@pytest.mark.parametrize(("tool", "arguments", "path", "payload"), WEIRD_BODIES)
async def test_json_that_is_not_the_documented_shape_fails_clearly(
    sim, tmp_path, tool, arguments, path, payload
):
    """Valid JSON of the wrong shape: a clear tool error, never a crash or a half-parsed result."""
    rx = re.compile(path)

    async def app(scope, receive, send):
        if scope["type"] != "http" or not rx.search(scope["path"]):
            await sim.app(scope, receive, send)
            return
        body = json.dumps(payload).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async with mcp_client(sim, tmp_path, api=through(app)) as client:
        res = await client.call_tool(tool, arguments)
        if tool == "qa_campaign":  # a sample user that cannot be rendered is a finding of the QA, not fatal
            assert not res.is_error and "unexpected response shape" in text_of(res)
        else:
            assert_clear_tool_error(res)
            assert "unexpected response shape" in text_of(res) or "no `data` object" in text_of(res)
        assert not (await client.call_tool("search_campaigns", {})).is_error or tool == "search_campaigns"


# ---------------------------------------------------------------------- writes


@pytest.mark.parametrize("fault", ["reset", "timeout", "502"])
async def test_a_write_whose_answer_is_lost_is_replayed_not_repeated(tmp_path, fault):
    sim = Simulator()
    path = rf"^/v5/campaigns/{ACTIVE_PERIODIC}/status$"
    if fault == "reset":
        sim.faults.inject(path, body="reset", count=1, after_processing=True)
    elif fault == "timeout":
        sim.faults.inject(path, delay=1.0, count=1, after_processing=True)
    else:
        sim.faults.inject(path, status=502, count=1, after_processing=True)
    with serve(sim.app) as url:
        api = make_client(sim, url, timeout=0.3, retry=RETRY)
        async with mcp_client(sim, tmp_path, api=api, write_mode="auto") as client:
            res = await client.call_tool("pause_campaign", {"campaign_id": ACTIVE_PERIODIC})
    assert not res.is_error and res.structured_content["status"] == "done"
    assert res.structured_content["status_after"] == "PAUSED"
    writes = [r for r in sim.writes() if r.path.endswith("/status")]
    assert len(writes) == 2 and writes[1].replayed, "the retry was answered from the idempotency store"
    assert len({w.headers["idempotency-key"] for w in writes}) == 1
    assert audit_lines(tmp_path)[-1]["outcome"].startswith("done")


async def test_a_write_applied_but_never_answered_is_reported_as_failed_with_the_state_it_left(sim, tmp_path):
    sim.faults.inject(rf"/{ACTIVE_PERIODIC}/status$", status=503, count=1000, after_processing=True)
    async with mcp_client(sim, tmp_path, api=make_client(sim, retry=RETRY), write_mode="auto") as client:
        res = await client.call_tool("pause_campaign", {"campaign_id": ACTIVE_PERIODIC})
    text = text_of(res)
    assert res.is_error and "failed" in text and "now reads PAUSED" in text, (
        "never a success, and honest about state"
    )
    writes = [r for r in sim.writes() if r.path.endswith("/status")]
    assert len(writes) == RETRY.attempts and sum(not w.replayed for w in writes) == 1
    assert len({w.headers["idempotency-key"] for w in writes}) == 1
    assert sim.campaigns[ACTIVE_PERIODIC]["status"] == "PAUSED"


async def test_a_failed_read_back_does_not_turn_an_applied_write_into_a_failure(sim, tmp_path):
    """Finding: the PATCH went through, the GET after it failed, and the tool said "failed"."""

    async def app(scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "PATCH":  # every read after the write fails
            sim.faults.inject(rf"^/v5/campaigns/{ACTIVE_PERIODIC}$", method="GET", status=503, count=1000)
        await sim.app(scope, receive, send)

    async with mcp_client(sim, tmp_path, api=through(app), write_mode="auto") as client:
        res = await client.call_tool("pause_campaign", {"campaign_id": ACTIVE_PERIODIC})
    out = res.structured_content
    assert not res.is_error and out["status"] == "accepted" and "status_after" not in out
    assert "get_campaign" in out["note"] and "503" in out["note"]
    [write] = [r for r in sim.writes() if r.path.endswith("/status")]
    assert out["request_id"] == write.headers["x-moe-request-id"], (
        "the write's own request id, not the read's"
    )
    line = audit_lines(tmp_path)[-1]
    assert line["outcome"].startswith("accepted") and line["request_id"] == out["request_id"]


async def test_a_hung_write_fails_within_its_deadline_and_says_what_it_left(sim, tmp_path):
    sim.faults.inject(rf"/{ACTIVE_PERIODIC}/status$", delay=30, count=1000)
    api = make_client(sim, timeout=10, deadline=0.5, retry=RETRY)
    async with mcp_client(sim, tmp_path, api=api, write_mode="auto") as client:
        started = time.monotonic()
        res = await client.call_tool("pause_campaign", {"campaign_id": ACTIVE_PERIODIC})
        elapsed = time.monotonic() - started
    assert (
        res.is_error
        and "did not complete within 0.5 s" in text_of(res)
        and "now reads ACTIVE" in text_of(res)
    )
    assert elapsed < 3.0
    assert sim.campaigns[ACTIVE_PERIODIC]["status"] == "ACTIVE"


async def test_a_429_storm_on_a_write_is_retried_with_its_one_key(sim, tmp_path):
    sim.faults.inject(rf"/{ACTIVE_PERIODIC}/status$", status=429, retry_after=0.1, count=2)
    async with mcp_client(sim, tmp_path, api=make_client(sim, retry=RETRY), write_mode="auto") as client:
        res = await client.call_tool("pause_campaign", {"campaign_id": ACTIVE_PERIODIC})
    assert res.structured_content["status"] == "done"
    writes = [r for r in sim.writes() if r.path.endswith("/status")]
    assert [w.status for w in writes] == [429, 429, 200] and len(
        {w.headers["idempotency-key"] for w in writes}
    ) == 1


async def test_a_lost_test_send_answer_sends_once(sim, tmp_path):
    sim.faults.inject(r"^/v5/campaigns/test$", status=502, count=1, after_processing=True)
    args = {"campaign_id": DRAFT, "identifier": "USER_ATTRIBUTE_UNIQUE_ID", "recipients": [USER]}
    auto = {"write_mode": "auto", "test_recipients": USER}
    async with mcp_client(sim, tmp_path, api=make_client(sim, retry=RETRY), **auto) as client:
        res = await client.call_tool("test_campaign", args)
    assert res.structured_content["status"] == "done"
    assert len(sim.test_sends) == 1
    tests = [r for r in sim.writes() if r.path.endswith("/test")]
    assert [t.status for t in tests] == [502, 200] and tests[1].replayed


async def test_a_failed_test_send_does_not_claim_to_know_what_was_sent(sim, tmp_path):
    sim.faults.inject(r"^/v5/campaigns/test$", status=503, count=1000, after_processing=True)
    args = {"campaign_id": DRAFT, "identifier": "USER_ATTRIBUTE_UNIQUE_ID", "recipients": [USER]}
    auto = {"write_mode": "auto", "test_recipients": USER}
    async with mcp_client(sim, tmp_path, api=make_client(sim, retry=RETRY), **auto) as client:
        res = await client.call_tool("test_campaign", args)
    text = text_of(res)
    assert res.is_error and "failed" in text and "may or may not" in text
    assert "status now reads" not in text, "a test send does not change the campaign's status"
    assert len(sim.test_sends) == 1


async def test_a_failed_preflight_read_refuses_the_write(sim, tmp_path):
    sim.faults.inject(rf"^/v5/campaigns/{ACTIVE_PERIODIC}$", status=503, count=1000)
    async with mcp_client(sim, tmp_path, api=make_client(sim, retry=RETRY), write_mode="auto") as client:
        res = await client.call_tool("pause_campaign", {"campaign_id": ACTIVE_PERIODIC})
    assert_clear_tool_error(res, "503")
    assert sim.writes() == []
    assert audit_lines(tmp_path)[-1]["decision"] == "refused"


# ---------------------------------------------------------------------- rate limiting


async def test_requests_delayed_on_their_way_earn_no_429(sim, tmp_path):
    """Finding: the limiter spaced requests by send time, so a first batch held up on its way let
    the next batch arrive inside the same one-second window of the API (a 429 in the benchmark)."""
    delayed = {"n": 0}

    async def app(scope, receive, send):
        if scope["type"] == "http" and delayed["n"] < 10:
            delayed["n"] += 1
            await anyio.sleep(0.3)  # network latency on the way in: the API counts it from here
        await sim.app(scope, receive, send)

    ids = [cid for cid, d in sim.campaigns.items() if not d.get("parent_id")][:20]
    api = through(app, retry=RetryPolicy(attempts=1))  # a 429 would surface as an error
    errors: list[str] = []
    async with mcp_client(sim, tmp_path, api=api) as client:

        async def one(cid: str) -> None:
            res = await client.call_tool("get_campaign", {"campaign_id": cid})
            if res.is_error:
                errors.append(text_of(res))

        async with anyio.create_task_group() as tg:
            for cid in ids:
                tg.start_soon(one, cid)
    assert errors == [] and [r.status for r in sim.requests].count(429) == 0


async def test_the_limiter_counts_a_request_until_its_answer_is_back():
    limiter = RollingWindowLimiter([(2, 0.2)], margin=0.0)
    started = time.monotonic()
    first, second = await limiter.acquire(), await limiter.acquire()
    await anyio.sleep(0.1)  # answers take 0.1 s
    first.release()
    second.release()
    await limiter.acquire()
    assert time.monotonic() - started >= 0.3 - 0.005, "the window runs from the answers, not the sends"


async def test_requests_in_flight_hold_their_place_until_released():
    limiter = RollingWindowLimiter([(2, 0.05)], margin=0.0)
    slots = [await limiter.acquire(), await limiter.acquire()]
    got: list[float] = []

    async def third() -> None:
        await limiter.acquire()
        got.append(time.monotonic())

    async with anyio.create_task_group() as tg:
        tg.start_soon(third)
        await anyio.sleep(0.3)  # far longer than the window: still blocked by the two in flight
        assert got == []
        released = time.monotonic()
        slots[0].release()
        slots[0].release()  # releasing twice is harmless
    assert got and got[0] - released >= 0.05 - 0.005
