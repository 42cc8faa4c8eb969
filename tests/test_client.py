"""The API client against the simulator: models, headers, paging, retries, limits, errors, secrecy."""

from __future__ import annotations

import base64
import datetime as dt
import logging
import time

import anyio
import pytest

from moengage_mcp.api import (
    ApiDisabledError,
    AuthenticationError,
    ConflictError,
    InvalidRequestError,
    MalformedResponseError,
    MoEngageClient,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    TransportError,
    collect,
)
from moengage_mcp.api import models as m
from moengage_mcp.api.enums import Action, Channel, DeliveryType, Status, TestIdentifier
from moengage_mcp.simulator import DEMO_API_KEY, DEMO_WORKSPACE_ID, Simulator

from .conftest import make_client, serve

pytestmark = pytest.mark.anyio


def pick(sim: Simulator, **fields) -> str:
    """The id of the first demo campaign whose top-level fields equal `fields`."""
    for cid, doc in sim.campaigns.items():
        if all(doc.get(k) == v for k, v in fields.items()):
            return cid
    raise LookupError(fields)


def periodic_parent(sim: Simulator) -> str:
    return max(sim.executions, key=lambda pid: len(sim.executions[pid]))


def is_valid(sim: Simulator, cid: str) -> bool:
    """Whether the simulator's own publish rules accept the campaign."""
    from moengage_mcp.simulator.state import validate_campaign as rules

    return not rules(sim.campaigns[cid], sim.now())


def valid_draft(sim: Simulator, channel: str = "PUSH") -> str:
    return next(
        cid
        for cid, doc in sim.campaigns.items()
        if doc["status"] == "DRAFT" and doc["channel"] == channel and is_valid(sim, cid)
    )


def invalid_draft(sim: Simulator) -> str:
    return next(
        cid for cid, doc in sim.campaigns.items() if doc["status"] == "DRAFT" and not is_valid(sim, cid)
    )


# ---------------------------------------------------------------------- every endpoint round-trips


async def test_get_campaign_round_trips(client: MoEngageClient, sim: Simulator):
    cid = pick(sim, channel="EMAIL", status="ACTIVE")
    campaign = await client.get_campaign(cid)
    assert campaign.id == cid
    assert campaign.channel is Channel.EMAIL
    assert campaign.status is Status.ACTIVE
    assert campaign.name == sim.campaigns[cid]["basic_details"]["name"]
    assert isinstance(campaign.created_at, dt.datetime)
    assert campaign.campaign_content is not None and campaign.campaign_content.blocks()


async def test_search_round_trips_with_filters(client: MoEngageClient, sim: Simulator):
    fields = m.SearchFields(channels=[Channel.PUSH], status=[Status.SCHEDULED, Status.ACTIVE])
    campaigns = await client.search_campaigns(m.SearchRequest(campaign_fields=fields, limit=15, page=1))
    assert campaigns
    assert all(c.channel is Channel.PUSH and c.status in (Status.SCHEDULED, Status.ACTIVE) for c in campaigns)


async def test_search_by_delivery_type_uses_the_v5_key(client: MoEngageClient, sim: Simulator):
    fields = m.SearchFields(campaign_delivery_type=[DeliveryType.PERIODIC])
    campaigns = await client.search_campaigns(m.SearchRequest(campaign_fields=fields))
    assert campaigns and all(c.campaign_delivery_type is DeliveryType.PERIODIC for c in campaigns)


async def test_meta_round_trips_and_normalises_v1_statuses(client: MoEngageClient, sim: Simulator):
    rows = await client.get_meta(m.MetaRequest(campaign_fields=m.MetaFields(status=[Status.SCHEDULED])))
    assert rows and all(r.campaign_status is Status.SCHEDULED for r in rows)
    assert any(r.reachability_details and r.reachability_details.count for r in rows)
    raw = sim.requests[-1]
    assert raw.path == "/core-services/v1/campaigns/meta"


async def test_executions_round_trip(client: MoEngageClient, sim: Simulator):
    parent = periodic_parent(sim)
    page = await client.list_executions(parent, m.ExecutionsRequest(page=1, limit=15))
    assert page.total_instances == len(sim.executions[parent]) > 15
    assert len(page.executions) == 15
    assert all(
        (e.status is not None and not isinstance(e.status, str)) or e.status.isupper()
        for e in page.executions
    )


async def test_validate_round_trips(client: MoEngageClient, sim: Simulator):
    result = await client.validate_campaign(invalid_draft(sim))
    assert result.valid is False and result.errors and result.errors[0].field
    good = await client.validate_campaign(valid_draft(sim))
    assert good.valid is True and good.errors == []


async def test_publish_and_status_round_trip(client: MoEngageClient, sim: Simulator):
    draft = valid_draft(sim)
    accepted, reply = await client.publish_campaign(draft)
    assert accepted.id == draft and reply.idempotency_key
    assert sim.campaigns[draft]["status"] in ("ACTIVE", "SCHEDULED")
    periodic = pick(sim, campaign_delivery_type="PERIODIC", status="ACTIVE")
    transition, _ = await client.change_status(periodic, Action.PAUSE)
    assert transition.action is Action.PAUSE
    assert (await client.get_campaign(periodic)).status is Status.PAUSED


async def test_test_send_and_preview_round_trip(client: MoEngageClient, sim: Simulator):
    draft = valid_draft(sim)
    user = next(iter(sim.users))
    request = m.TestCampaignRequest(
        draft_id=draft,
        test_campaign_meta=m.TestCampaignMeta(
            identifier=TestIdentifier.USER_ATTRIBUTE_UNIQUE_ID, identifier_values=[user]
        ),
    )
    result, _ = await client.test_campaign(request)
    assert result.data and all(r.status is not None for r in result.data.values())
    content = sim.campaigns[draft]["campaign_content"]
    preview = await client.preview(
        m.PreviewRequest(
            channel=Channel.PUSH,
            user_identification=m.UserIdentification(type="USER_ATTRIBUTE_UNIQUE_ID", value=user),
            campaign_content=content,
        )
    )
    assert preview.personalized_content


async def test_stats_round_trip(client: MoEngageClient, sim: Simulator):
    cid = pick(sim, status="SENT", campaign_delivery_type="ONE_TIME")
    today = sim.now().date()
    stats = await client.campaign_stats(
        m.StatsRequest(start_date=today - dt.timedelta(days=30), end_date=today, campaign_ids=[cid])
    )
    assert stats.data, "a sent campaign has stats"


# ---------------------------------------------------------------------- headers per API generation


async def test_exact_headers_per_generation(sim: Simulator):
    async with make_client(sim) as client:
        cid = pick(sim, status="ACTIVE", channel="PUSH")
        await client.get_campaign(cid)
        await client.search_campaigns(m.SearchRequest())
        await client.get_meta(m.MetaRequest())
        await client.validate_campaign(cid)
    auth = "Basic " + base64.b64encode(f"{DEMO_WORKSPACE_ID}:{DEMO_API_KEY}".encode()).decode()
    get, search, meta, validate = sim.requests[-4:]
    for r in (get, search, meta, validate):
        assert r.headers["authorization"] == auth
    for r in (get, search, validate):  # V5
        assert r.headers["x-moe-tenant-id"] == DEMO_WORKSPACE_ID
        assert "moe-appkey" not in r.headers
    assert "x-moe-request-id" in get.headers and "idempotency-key" not in get.headers
    assert search.body["request_id"] == search.headers["x-moe-request-id"]
    assert search.headers["idempotency-key"] and "idempotency-key" not in validate.headers
    assert meta.headers["moe-appkey"] == DEMO_WORKSPACE_ID  # V1
    assert "x-moe-request-id" not in meta.headers and "x-moe-tenant-id" not in meta.headers
    assert meta.body["request_id"] and meta.body["limit"] == 15 and meta.body["page"] == 1


async def test_publish_body_is_the_status_alone(sim: Simulator):
    async with make_client(sim) as client:
        await client.publish_campaign(valid_draft(sim))
    patch = sim.writes()[-1]
    assert patch.body == {"status": "PUBLISH"}
    assert patch.headers["idempotency-key"]


# ---------------------------------------------------------------------- paging


async def test_collect_walks_pages_to_the_requested_count(sim: Simulator):
    async with make_client(sim) as client:
        request = m.SearchRequest(campaign_fields=m.SearchFields(status=list(Status)))

        async def fetch(page: int):
            return await client.search_campaigns(request.model_copy(update={"page": page})), None

        got = await collect(fetch, max_items=40)
        everything = await collect(fetch, max_items=1000)
    pages = [r.body["page"] for r in sim.requests if r.path == "/v5/campaigns/search"]
    assert len(got.items) == 40 and not got.exhausted
    assert sorted(pages[:3]) == [1, 2, 3]
    assert [c.id for c in got.items] == [c.id for c in everything.items[:40]]
    assert everything.exhausted and len({c.id for c in everything.items}) == len(everything.items) > 45


async def test_collect_uses_the_executions_total(sim: Simulator):
    parent = periodic_parent(sim)
    total = len(sim.executions[parent])
    async with make_client(sim) as client:

        async def fetch(page: int):
            p = await client.list_executions(parent, m.ExecutionsRequest(page=page))
            return p.executions, p.total_instances

        got = await collect(fetch, max_items=500, offset=5)
    assert got.exhausted and got.total == total and len(got.items) == total - 5
    calls = [r for r in sim.requests if r.path.endswith("/executions")]
    assert len(calls) == -(-total // 15)


# ---------------------------------------------------------------------- retries


async def test_429_with_retry_after_is_waited_and_retried(client: MoEngageClient, sim: Simulator):
    cid = pick(sim, status="ACTIVE")
    sim.faults.inject(rf"/v5/campaigns/{cid}$", status=429, retry_after=1, count=1)
    started = time.monotonic()
    campaign = await client.get_campaign(cid)
    assert campaign.id == cid and time.monotonic() - started >= 1.0
    assert [r.status for r in sim.requests][-2:] == [429, 200]


async def test_5xx_is_retried_for_reads(client: MoEngageClient, sim: Simulator):
    sim.faults.inject(r"/v5/campaigns/search$", status=503, count=2)
    assert await client.search_campaigns(m.SearchRequest())
    statuses = [r.status for r in sim.requests if r.path == "/v5/campaigns/search"]
    assert statuses == [503, 503, 200]
    keys = {r.headers["idempotency-key"] for r in sim.requests if r.path == "/v5/campaigns/search"}
    assert len(keys) == 1, "retries of one search reuse its idempotency key"


async def test_a_retried_write_keeps_one_idempotency_key_and_applies_once(
    client: MoEngageClient, sim: Simulator
):
    cid = pick(sim, campaign_delivery_type="PERIODIC", status="ACTIVE")
    sim.faults.inject(rf"/v5/campaigns/{cid}/status$", status=500, count=1, after_processing=True)
    sim.faults.inject(rf"/v5/campaigns/{cid}/status$", status=502, count=1)
    transition, reply = await client.change_status(cid, Action.PAUSE)
    writes = [r for r in sim.writes() if r.path.endswith("/status")]
    assert [r.status for r in writes] == [500, 502, 200]
    assert {r.headers["idempotency-key"] for r in writes} == {reply.idempotency_key}
    assert {r.headers["x-moe-request-id"] for r in writes} == {reply.request_id}
    assert transition.action is Action.PAUSE and sim.campaigns[cid]["status"] == "PAUSED"


async def test_a_write_that_keeps_failing_is_an_error_not_a_success(sim: Simulator):
    cid = pick(sim, campaign_delivery_type="PERIODIC", status="ACTIVE")
    sim.faults.inject(rf"/v5/campaigns/{cid}/status$", status=500, count=10)
    async with make_client(sim) as client:
        with pytest.raises(ServerError) as err:
            await client.change_status(cid, Action.PAUSE)
    assert "try again later" in str(err.value)
    assert sim.campaigns[cid]["status"] == "ACTIVE"
    assert len({r.headers["idempotency-key"] for r in sim.writes()}) == 1


async def test_timeouts_are_retried_then_reported(sim: Simulator):
    cid = pick(sim, status="ACTIVE")
    with serve(sim.app) as url:  # socket timeouts need a real connection
        sim.faults.inject(rf"/v5/campaigns/{cid}$", delay=1.0, count=1)
        async with make_client(sim, url, timeout=0.3) as client:
            assert (await client.get_campaign(cid)).id == cid
        sim.faults.inject(rf"/v5/campaigns/{cid}$", delay=1.0, count=10)
        async with make_client(
            sim, url, timeout=0.2, retry=RetryPolicy(attempts=2, base_delay=0.01)
        ) as client:
            with pytest.raises(TransportError, match="timed out"):
                await client.get_campaign(cid)


async def test_a_hung_server_cannot_outlast_the_deadline(sim: Simulator):
    cid = pick(sim, status="ACTIVE")
    sim.faults.inject(rf"/v5/campaigns/{cid}$", delay=30, count=10)
    async with make_client(sim, timeout=10, deadline=0.5) as client:
        started = time.monotonic()
        with pytest.raises(TransportError, match="did not complete"):
            await client.get_campaign(cid)
    assert time.monotonic() - started < 2


async def test_waiting_for_the_rate_limit_does_not_count_against_the_deadline(sim: Simulator):
    ids = list(sim.campaigns)[:6]
    async with make_client(sim, deadline=0.5, limits={"get": ((2, 0.4),)}) as client:
        started = time.monotonic()
        async with anyio.create_task_group() as tg:
            for cid in ids:  # the last pair may only start after 0.8 s, past the 0.5 s deadline
                tg.start_soon(client.get_campaign, cid)
    assert time.monotonic() - started >= 0.8
    assert len([r for r in sim.requests if r.status == 200]) == 6


@pytest.mark.parametrize("body", ["malformed", "truncated"])
async def test_bad_bodies_are_retried_then_reported(sim: Simulator, body: str):
    sim.faults.inject(r"/v5/campaigns/search$", status=200, body=body, count=1)
    async with make_client(sim) as client:
        assert await client.search_campaigns(m.SearchRequest())
        sim.faults.inject(r"/v5/campaigns/search$", status=200, body=body, count=10)
        with pytest.raises(MalformedResponseError, match="not JSON"):
            await client.search_campaigns(m.SearchRequest())


async def test_connection_resets_are_retried():
    sim = Simulator()
    with serve(sim.app) as url:
        sim.faults.inject(r"/v5/campaigns/search$", body="reset", count=1)
        async with make_client(sim, url) as client:
            assert await client.search_campaigns(m.SearchRequest())


# ---------------------------------------------------------------------- rate limiting


async def test_a_burst_of_30_reads_earns_no_429_and_runs_near_the_limit():
    sim = Simulator()
    with serve(sim.app) as url:
        async with make_client(sim, url) as client:
            ids = list(sim.campaigns)[:30]
            started = time.monotonic()
            async with anyio.create_task_group() as tg:
                for cid in ids:
                    tg.start_soon(client.get_campaign, cid)
            elapsed = time.monotonic() - started
    assert [r.status for r in sim.requests].count(429) == 0
    allowed = 2.0  # 10/s: requests 21-30 may start at t = 2 s at the earliest
    assert allowed <= elapsed + 0.05 and elapsed <= 1.5 * allowed, elapsed


# ---------------------------------------------------------------------- error mapping


async def test_401_says_what_to_check(sim: Simulator):
    async with make_client(sim, api_key="wrong-key") as client:
        with pytest.raises(AuthenticationError) as v5:
            await client.search_campaigns(m.SearchRequest())
        with pytest.raises(AuthenticationError) as v1:
            await client.get_meta(m.MetaRequest())
    for err in (v5.value, v1.value):
        assert err.status == 401 and "MOENGAGE_API_KEY" in str(err) and "MOENGAGE_DATA_CENTER" in str(err)


async def test_403_names_the_missing_scope(sim: Simulator):
    sim.add_key("view-only-key", scopes={"campaigns:view"})
    async with make_client(sim, api_key="view-only-key") as client:
        with pytest.raises(PermissionDeniedError) as err:
            await client.publish_campaign(valid_draft(sim))
    assert "campaigns:create_manage_publish" in str(err.value) and "API keys" in str(err.value)


async def test_404_409_422_and_400_map_to_their_types(client: MoEngageClient, sim: Simulator):
    with pytest.raises(NotFoundError, match="campaign id"):
        await client.get_campaign("0" * 24)
    active = pick(sim, status="ACTIVE", channel="PUSH")
    with pytest.raises(ConflictError, match="DRAFT"):
        await client.publish_campaign(active)
    one_time = pick(sim, campaign_delivery_type="ONE_TIME", status="SCHEDULED")
    with pytest.raises(InvalidRequestError) as err:
        await client.change_status(one_time, Action.PAUSE)
    assert err.value.status == 422 and "PAUSE" in str(err.value)
    with pytest.raises(InvalidRequestError) as err:
        await client.list_executions(one_time, m.ExecutionsRequest())
    assert err.value.status == 400


async def test_publish_validation_details_reach_the_caller(client: MoEngageClient, sim: Simulator):
    with pytest.raises(InvalidRequestError) as err:
        await client.publish_campaign(invalid_draft(sim))
    assert err.value.status == 422 and err.value.details and "." in err.value.details[0]


async def test_exhausted_429_says_when_to_retry(sim: Simulator):
    sim.faults.inject(r"/v5/campaigns/search$", status=429, retry_after=0.05, count=10)
    async with make_client(sim, retry=RetryPolicy(attempts=2)) as client:
        with pytest.raises(RateLimitedError, match=r"retry after 0.05 s"):
            await client.search_campaigns(m.SearchRequest())


async def test_api_disabled_and_stats_errors(client: MoEngageClient, sim: Simulator):
    sim.api_enabled = False
    with pytest.raises(ApiDisabledError, match="enable"):
        await client.get_meta(m.MetaRequest())
    sim.api_enabled = True
    sim.stats_enabled = False
    today = sim.now().date()
    with pytest.raises(ApiDisabledError, match=r"campaign stats are not available.*Forbidden Request"):
        await client.campaign_stats(m.StatsRequest(start_date=today, end_date=today))


async def test_bad_input_never_reaches_the_api(sim: Simulator):
    async with make_client(sim) as client:
        for bad in ("../../v5/campaigns/search", "123", "g" * 24, ""):
            with pytest.raises(ValueError, match="24 hexadecimal"):
                await client.get_campaign(bad)
    with pytest.raises(ValueError):
        m.SearchRequest(limit=16)
    with pytest.raises(ValueError):
        m.StatsRequest(start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 2, 1))
    with pytest.raises(ValueError):
        m.TestCampaignMeta(identifier="EMAIL", identifier_values=[f"u{i}@x.io" for i in range(11)])
    assert sim.requests == []


# ---------------------------------------------------------------------- secrecy


async def test_the_api_key_never_appears_in_errors_or_logs(sim: Simulator, caplog: pytest.LogCaptureFixture):
    secret = "sk-live-THIS-MUST-NEVER-LEAK-42"
    sim.add_key(secret, scopes={"campaigns:view"})
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    async with make_client(sim, api_key=secret, retry=RetryPolicy(attempts=2, base_delay=0.01)) as client:
        texts.append(repr(client))
        sim.faults.inject(".", status=500, count=2)
        for call in (
            lambda: client.search_campaigns(m.SearchRequest()),
            lambda: client.publish_campaign(valid_draft(sim)),
            lambda: client.get_campaign("f" * 24),
        ):
            try:
                await call()
            except Exception as exc:
                texts.append(str(exc))
                texts.append(repr(exc))
    texts += [record.getMessage() for record in caplog.records]
    encoded = base64.b64encode(f"{DEMO_WORKSPACE_ID}:{secret}".encode()).decode()
    assert len(texts) >= 7
    for text in texts:
        assert secret not in text and encoded not in text
