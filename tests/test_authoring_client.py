"""The API client's authoring calls against the simulator (in process and over loopback HTTP):
create exactly once, component updates, the creation limits enforced client-side, and the
client's editability verdicts agreeing with the simulator's."""

from __future__ import annotations

import copy
import datetime as dt
import subprocess
import sys
import uuid
from typing import Any

import pytest

from moengage_mcp.api import (
    ConflictError,
    InvalidRequestError,
    MoEngageClient,
    RetryPolicy,
    ServerError,
)
from moengage_mcp.api.components import draft_components, parse_create, parse_update
from moengage_mcp.api.editability import update_problems
from moengage_mcp.api.errors import CreationLimitError, RateLimitedError
from moengage_mcp.api.models import Campaign
from moengage_mcp.api.quota import CreationQuota
from moengage_mcp.api.ratelimit import LIMITS
from moengage_mcp.simulator import DEMO_CAMPAIGN_IDS as IDS
from moengage_mcp.simulator import Simulator

from .conftest import make_client

pytestmark = pytest.mark.anyio
NOW = dt.datetime(2025, 11, 20, 14, 30)
AUTHOR = "agent@brightcart.example"


def push_draft(**components: Any) -> Any:
    return parse_create(
        {
            "channel": "PUSH",
            "campaign_delivery_type": "ONE_TIME",
            "created_by": AUTHOR,
            "basic_details": {"name": "Friday drop", "platforms": ["ANDROID"]},
            **components,
        }
    )


def creates(sim: Simulator) -> list:
    return [r for r in sim.requests if r.method == "POST" and r.path == "/v5/campaigns"]


def made(sim: Simulator) -> list[dict[str, Any]]:
    return [d for d in sim.campaigns.values() if d.get("created_by") == AUTHOR]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ---------------------------------------------------------------------- create and update


async def test_create_makes_a_draft_and_carries_one_request_id_everywhere(
    client: MoEngageClient, sim: Simulator
) -> None:
    created, reply = await client.create_campaign(push_draft())
    assert created.status == "DRAFT" and reply.payload["data"] == {"id": created.id, "status": "DRAFT"}
    draft = await client.get_campaign(created.id)
    assert draft.status == "DRAFT" and draft.name == "Friday drop" and draft.created_by == AUTHOR
    (sent,) = creates(sim)
    assert sent.body["request_id"] == sent.headers["x-moe-request-id"] == reply.request_id
    assert (
        uuid.UUID(sent.headers["idempotency-key"]).version == 4
        and sent.headers["idempotency-key"] == reply.idempotency_key
    )
    assert "demo-api-key" not in str(reply) and sent.status == 201


async def test_update_replaces_components_and_records_the_author(
    client: MoEngageClient, sim: Simulator
) -> None:
    created, _ = await client.create_campaign(push_draft())
    request = parse_update(
        {
            "channel": "PUSH",
            "campaign_delivery_type": "ONE_TIME",
            "updated_by": "editor@brightcart.example",
            "segmentation_details": {"is_all_user_campaign": True},
            "scheduling_details": {"delivery_type": "ASAP"},
        }
    )
    accepted, reply = await client.update_campaign(created.id, request)
    assert accepted.id == created.id
    doc = sim.campaigns[created.id]
    assert (
        doc["segmentation_details"] == {"is_all_user_campaign": True}
        and doc["updated_by"] == "editor@brightcart.example"
    )
    sent = sim.requests[-1]
    assert (
        sent.method == "PATCH" and "status" not in sent.body and sent.body["request_id"] == reply.request_id
    )


async def test_a_caller_request_id_makes_repeated_creates_one_draft(
    client: MoEngageClient, sim: Simulator
) -> None:
    request = push_draft(request_id="tool-call-7f3a")
    first, _ = await client.create_campaign(request)
    again, reply = await client.create_campaign(
        request
    )  # e.g. the tool retried after losing the first answer
    assert again.id == first.id and len(made(sim)) == 1 and reply.request_id == "tool-call-7f3a"
    keys = {r.headers["idempotency-key"] for r in creates(sim)}
    assert len(keys) == 1 and all(r.body["request_id"] == "tool-call-7f3a" for r in creates(sim))
    other, _ = await client.create_campaign(push_draft(request_id="tool-call-other"))
    assert other.id != first.id and len(made(sim)) == 2


@pytest.mark.parametrize(
    "fault", [{"status": 502}, {"status": 500}, {"body": "reset"}, {"body": "truncated"}], ids=str
)
async def test_a_lost_create_answer_is_retried_into_exactly_one_draft(
    client: MoEngageClient, sim: Simulator, fault: dict[str, Any]
) -> None:
    sim.faults.inject(r"^/v5/campaigns$", method="POST", after_processing=True, **fault)
    created, _ = await client.create_campaign(push_draft())
    assert [d["id"] for d in made(sim)] == [created.id]
    first, retry = creates(sim)
    assert first.fault and retry.replayed
    assert first.body == retry.body and first.headers["idempotency-key"] == retry.headers["idempotency-key"]


async def test_a_create_whose_answers_are_all_lost_is_safe_to_call_again(sim: Simulator) -> None:
    sim.faults.inject(r"^/v5/campaigns$", method="POST", status=503, count=10, after_processing=True)
    request = push_draft(request_id="lost-everything")
    async with make_client(sim) as client:
        with pytest.raises(ServerError):
            await client.create_campaign(request)
        sim.faults.clear()
        created, _ = await client.create_campaign(request)
    assert [d["id"] for d in made(sim)] == [created.id] and len(creates(sim)) == 5


async def test_requests_that_are_not_the_typed_models_are_refused_before_sending(
    client: MoEngageClient, sim: Simulator
) -> None:
    with pytest.raises(TypeError, match="parse_create"):
        await client.create_campaign({"channel": "PUSH"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="parse_update"):
        await client.update_campaign(IDS["valid_push_draft"], push_draft())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="24 hexadecimal"):
        await client.update_campaign(
            "../search",
            parse_update(
                {
                    "channel": "PUSH",
                    "campaign_delivery_type": "ONE_TIME",
                    "updated_by": AUTHOR,
                    "utm_params": {"utm_source": "s", "utm_medium": "m"},
                }
            ),
        )
    assert sim.requests == []


async def test_an_api_refusal_surfaces_as_a_typed_error(client: MoEngageClient, sim: Simulator) -> None:
    with pytest.raises(InvalidRequestError, match="Campaign Audience Limit feature is not enabled"):
        await client.create_campaign(
            push_draft(campaign_audience_limit={"is_campaign_audience_limit_enabled": True, "limit": 10})
        )
    stopped = next(
        key for key, d in sim.campaigns.items() if d["status"] == "STOPPED" and d["channel"] == "PUSH"
    )
    request = parse_update(
        {
            "channel": "PUSH",
            "campaign_delivery_type": sim.campaigns[stopped]["campaign_delivery_type"],
            "updated_by": AUTHOR,
            "utm_params": {"utm_source": "s", "utm_medium": "m"},
        }
    )
    with pytest.raises(ConflictError, match="STOPPED state and cannot be updated"):
        await client.update_campaign(stopped, request)


# ---------------------------------------------------------------------- creation limits, client-side


def test_the_creation_quota_counts_successes_in_rolling_windows() -> None:
    clock = FakeClock()
    quota = CreationQuota(clock=clock)
    for _ in range(5):
        quota.reserve().settle(True)
    with pytest.raises(CreationLimitError, match="5 successful creations per minute") as caught:
        quota.reserve()
    assert caught.value.retry_after == 60
    clock.now += 60
    for _ in range(3):
        refused = quota.reserve()
        refused.settle(False)  # the API said no: nothing was created
    refused.settle(True)  # a reservation settles once
    for _ in range(4):  # 5 + 20: 25 successes within the hour
        for _ in range(5):
            quota.reserve().settle(True)
        clock.now += 60
    with pytest.raises(CreationLimitError, match="25 successful creations per hour") as caught:
        quota.reserve()
    assert caught.value.retry_after == 3300  # when the first five leave the hour


def test_the_daily_creation_limit_and_creations_in_flight() -> None:
    clock = FakeClock()
    quota = CreationQuota(clock=clock)
    for _ in range(100):
        quota.reserve().settle(True)
        clock.now += 3600 / 25 + 1  # never 25 within an hour
    with pytest.raises(CreationLimitError, match="100 successful creations per day") as caught:
        quota.reserve()
    assert caught.value.retry_after == 86400 - 100 * 145  # when the first one leaves the day
    clock.now += caught.value.retry_after
    in_flight = quota.reserve()  # the one free slot
    with pytest.raises(CreationLimitError):  # a creation in flight may succeed: it holds its slot
        quota.reserve()
    in_flight.settle(False)
    quota.reserve()


async def test_the_sixth_creation_in_a_minute_is_refused_before_any_request(sim: Simulator) -> None:
    sim = Simulator(now=NOW)
    clock = FakeClock()
    async with make_client(sim, creations=CreationQuota(clock=clock)) as client:
        for _ in range(5):
            await client.create_campaign(push_draft())
        with pytest.raises(CreationLimitError) as caught:
            await client.create_campaign(push_draft())
        error = caught.value
        assert len(creates(sim)) == 5 and error.retry_after == 60
        assert abs((error.retry_at - dt.datetime.now(dt.timezone.utc)).total_seconds() - 60) < 5
        assert "possible again at" in str(error) and str(error.retry_at.year) in str(error)
        clock.now += 60
        sim.advance(60)
        await client.create_campaign(push_draft())
    assert len(made(sim)) == 6


async def test_refused_creates_do_not_count_and_lost_ones_do(sim: Simulator) -> None:
    clock = FakeClock()
    quota = CreationQuota(((2, 60.0),), clock=clock)
    async with make_client(sim, creations=quota) as client:
        for _ in range(3):
            with pytest.raises(InvalidRequestError):  # the simulator refuses: no creation counted
                await client.create_campaign(
                    push_draft(campaign_audience_limit={"is_campaign_audience_limit_enabled": False})
                )
        sim.faults.inject(r"^/v5/campaigns$", method="POST", status=503, count=10)
        with pytest.raises(ServerError):  # unknown outcome: counted
            await client.create_campaign(push_draft())
        sim.faults.clear()
        await client.create_campaign(push_draft())
        with pytest.raises(CreationLimitError):
            await client.create_campaign(push_draft())


async def test_the_apis_creation_429_becomes_a_creation_limit_error(sim: Simulator) -> None:
    sim = Simulator(now=NOW)
    sim.creations.times.extend([NOW - dt.timedelta(seconds=30)] * 5)  # another client used this minute up
    retry = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02, max_retry_after=0.5)
    async with make_client(sim, retry=retry) as client:
        with pytest.raises(CreationLimitError) as caught:
            await client.create_campaign(push_draft())
    assert isinstance(caught.value, RateLimitedError) and caught.value.retry_after == 30
    assert "the API refused the create" in str(caught.value) and "5 campaigns per minute" in str(caught.value)


async def test_create_calls_are_paced_so_the_calls_limit_is_never_hit() -> None:
    sim = Simulator(now=NOW)  # the calls limit runs on real time
    refused = push_draft(
        campaign_audience_limit={"is_campaign_audience_limit_enabled": False}
    )  # 400s: calls, not creations
    async with make_client(sim) as client:
        for _ in range(7):
            with pytest.raises(InvalidRequestError):
                await client.create_campaign(refused)
    statuses = [r.status for r in creates(sim)]
    assert statuses == [400] * 7
    assert creates(sim)[5].time - creates(sim)[0].time >= 1.0


async def test_a_long_wait_for_the_calls_limit_is_refused_instead_of_queued(sim: Simulator) -> None:
    refused = push_draft(campaign_audience_limit={"is_campaign_audience_limit_enabled": False})
    async with make_client(sim, limits={**LIMITS, "create": ((2, 60.0),)}) as client:
        for _ in range(2):
            with pytest.raises(InvalidRequestError):
                await client.create_campaign(refused)
        with pytest.raises(CreationLimitError, match="create calls") as caught:
            await client.create_campaign(push_draft())
    assert 55 < caught.value.retry_after <= 61 and len(creates(sim)) == 2


# ---------------------------------------------------------------------- editability: client verdicts agree with the simulator

UPDATES = {
    "utm_params": {"utm_source": "s", "utm_medium": "m"},
    "segmentation_details": {"is_all_user_campaign": True},
    "trigger_condition": {"trigger_delay_type": "ASAP"},
    "conversion_goal_details": {"goals": []},
    "campaign_content": {
        "content": {
            "push": {"android": {"template_type": "BASIC", "basic_details": {"title": "t", "message": "m"}}}
        }
    },
    "scheduling_details": {"delivery_type": "ASAP"},
}


@pytest.mark.parametrize(
    "status", ["DRAFT", "SCHEDULED", "ACTIVE", "PAUSED", "SENDING", "SENT", "STOPPED", "ARCHIVED", "RETIRED"]
)
@pytest.mark.parametrize("component", sorted(UPDATES))
async def test_the_client_refuses_up_front_exactly_what_the_api_refuses(
    sim: Simulator, status: str, component: str
) -> None:
    sim.versioning = False
    doc = copy.deepcopy(sim.campaigns[IDS["active_event_push"]])
    for key in ("id", "campaign_id"):
        doc.pop(key)
    doc["status"] = status
    cid = sim.add_campaign(doc)
    request = parse_update(
        {
            "channel": "PUSH",
            "campaign_delivery_type": "EVENT_TRIGGERED",
            "updated_by": AUTHOR,
            component: UPDATES[component],
        }
    )
    async with make_client(sim) as client:
        verdict = update_problems(await client.get_campaign(cid), request)
        try:
            await client.update_campaign(cid, request)
        except ConflictError as exc:
            refused_by_api = str(exc)
        else:
            refused_by_api = None
    assert bool(verdict) == bool(refused_by_api), (verdict, refused_by_api)
    if verdict:
        assert status in verdict[0]


async def test_client_verdicts_name_identity_and_unchanged_schedules() -> None:
    sim = Simulator(now=NOW)
    campaign = Campaign.model_validate(
        sim.campaigns[IDS["scheduled_push_this_week"]]
    )  # delivery_type SCHEDULED, schedule_time
    same = parse_update(
        {
            "channel": "PUSH",
            "campaign_delivery_type": "ONE_TIME",
            "updated_by": AUTHOR,
            "scheduling_details": {"delivery_type": "AT_FIXED_TIME", "start_time": "2025-11-22T09:00:00"},
        }
    )
    assert update_problems(campaign, same) == []
    wrong = parse_update(
        {
            "channel": "EMAIL",
            "campaign_delivery_type": "PERIODIC",
            "updated_by": AUTHOR,
            "utm_params": {"utm_source": "s", "utm_medium": "m"},
        }
    )
    problems = update_problems(campaign, wrong)
    assert problems == [
        "channel EMAIL does not match the campaign's PUSH",
        "campaign_delivery_type PERIODIC does not match the campaign's ONE_TIME",
    ]
    sms = Campaign.model_validate(sim.campaigns[IDS["sms_draft"]])
    assert "only PUSH and EMAIL" in update_problems(sms, same)[0]
    active = Campaign.model_validate({**sim.campaigns[IDS["active_one_time_push"]]})
    moved = parse_update(
        {
            "channel": "PUSH",
            "campaign_delivery_type": "ONE_TIME",
            "updated_by": AUTHOR,
            "scheduling_details": {"delivery_type": "AT_FIXED_TIME", "start_time": "2030-01-01T00:00:00"},
        }
    )
    assert any("scheduling start" in p for p in update_problems(active, moved))


async def test_a_versioned_update_answers_with_the_new_version(
    client: MoEngageClient, sim: Simulator
) -> None:
    cid = IDS["active_event_push"]
    request = parse_update(
        {
            "channel": "PUSH",
            "campaign_delivery_type": "EVENT_TRIGGERED",
            "updated_by": AUTHOR,
            "utm_params": {"utm_source": "push", "utm_medium": "cart"},
            "version_note": "tracking",
        }
    )
    accepted, _ = await client.update_campaign(cid, request)
    assert accepted.id != cid
    new, old = await client.get_campaign(accepted.id), await client.get_campaign(cid)
    assert new.campaign_id == old.campaign_id == cid and new.version_number == 2 and old.status == "RETIRED"


# ---------------------------------------------------------------------- duplicating: GET documents back into create requests


async def test_a_campaign_read_back_duplicates_into_a_draft_with_the_same_components(
    client: MoEngageClient, sim: Simulator
) -> None:
    source = copy.deepcopy(sim.campaigns[IDS["scheduled_push_this_week"]])
    assert source["scheduling_details"]["delivery_type"] == "SCHEDULED"  # GET's resolved form
    components = draft_components(await client.get_campaign(source["id"]))
    assert components["scheduling_details"] == {
        "delivery_type": "AT_FIXED_TIME",
        "start_time": source["scheduling_details"]["schedule_time"],
    }
    components["basic_details"]["name"] = "Black Friday Early Access (copy)"
    request = parse_create(
        {"channel": "PUSH", "campaign_delivery_type": "ONE_TIME", "created_by": AUTHOR, **components}
    )
    created, _ = await client.create_campaign(request)
    copy_doc = sim.campaigns[created.id]
    for name in (
        "campaign_content",
        "segmentation_details",
        "utm_params",
        "conversion_goal_details",
        "delivery_controls",
    ):
        assert copy_doc[name] == source[name], name
    assert copy_doc["basic_details"]["name"].endswith("(copy)") and copy_doc["status"] == "DRAFT"


def test_every_demo_campaign_that_the_api_can_create_can_be_duplicated() -> None:
    sim = Simulator(now=NOW)
    flawed = {
        IDS["invalid_email_draft"],
        IDS["flaw_expiry_before_start"],
    }  # seeded to break publish-time rules
    sources = [
        d
        for d in sim.campaigns.values()
        if d["channel"] in ("PUSH", "EMAIL")
        and not d.get("parent_id")
        and d["campaign_delivery_type"] != "BROADCAST_LIVE_ACTIVITY"
        and d["id"] not in flawed
    ]
    for doc in sources:
        request = parse_create(
            {
                "channel": doc["channel"],
                "campaign_delivery_type": doc["campaign_delivery_type"],
                "created_by": AUTHOR,
                **draft_components(doc),
            }
        )
        assert set(request.components()) == set(draft_components(doc)), doc["id"]
    assert len(sources) > 50


def test_the_client_loads_the_component_models_only_when_authoring() -> None:
    """About 90 ms of class creation (pydantic, even with deferred builds): not paid at start-up."""
    code = "import sys, moengage_mcp.api.client; print('moengage_mcp.api.components' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
