"""The simulator's draft authoring, over raw HTTP: what `POST /v5/campaigns` checks (DRAFT_CREATE)
and leaves to publish, the request_id windows, the creation limits, the per-state editability of
component updates, and versioning. Expectations come from the Create/Update Campaign references,
the V5 FAQ and the published request examples (tests/data/v5_authoring_examples.json)."""

from __future__ import annotations

import copy
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from moengage_mcp.simulator import DEMO_CAMPAIGN_IDS as IDS
from moengage_mcp.simulator import Simulator
from moengage_mcp.simulator.authoring import AUDIENCE_LIMIT, QUEUING
from moengage_mcp.simulator.ratelimit import RateLimiter
from moengage_mcp.simulator.seed import oid

from .test_components import EXAMPLES, fill
from .test_simulator import NOW, Api, targets, v5_error

pytestmark = pytest.mark.anyio
CONNECTOR = {"connector_type": "SENDGRID", "connector_name": "SendgridPrimary"}
PUSH_CONTENT = {
    "content": {
        "push": {"android": {"template_type": "BASIC", "basic_details": {"title": "Hi", "message": "There"}}}
    }
}


class Ticks:
    """A monotonic clock that moves 40 s per reading, so the calls limit (real time) never fills."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 40.0
        return self.now


@pytest.fixture
def sim() -> Simulator:
    sim = Simulator(now=NOW)
    sim.limiter = RateLimiter(monotonic=Ticks())
    return sim


def push(**fields: Any) -> dict[str, Any]:
    return {
        "channel": "PUSH",
        "campaign_delivery_type": "ONE_TIME",
        "created_by": "maker@brightcart.example",
        **fields,
    }


def email(**fields: Any) -> dict[str, Any]:
    return {
        "channel": "EMAIL",
        "campaign_delivery_type": "ONE_TIME",
        "created_by": "maker@brightcart.example",
        "connector": CONNECTOR,
        **fields,
    }


async def create(
    api: Api, body: dict[str, Any], *, request_id: str | None = None, idem: str | bool = True
) -> httpx.Response:
    rid = request_id or str(uuid.uuid4())
    return await api.v5("POST", "/v5/campaigns", {"request_id": rid, **body}, rid=rid, idem=idem)


def drafts(sim: Simulator) -> list[dict[str, Any]]:
    return [d for d in sim.campaigns.values() if d["created_by"] == "maker@brightcart.example"]


# ---------------------------------------------------------------------- create


async def test_create_answers_201_with_the_draft_id_and_stores_a_draft(sim: Simulator) -> None:
    async with Api(sim) as api:
        r = await create(
            api,
            push(
                basic_details={"name": "Friday drop", "platforms": ["ANDROID"]}, campaign_content=PUSH_CONTENT
            ),
            request_id="c-1",
        )
        assert r.status_code == 201, r.text
        body = r.json()
        assert (
            body["response_id"] == "c-1"
            and body["type"] == "campaign"
            and set(body["data"]) == {"id", "status"}
        )
        assert body["data"]["status"] == "DRAFT"
        got = (await api.get(body["data"]["id"])).json()["data"]
        assert got["id"] == got["campaign_id"] == body["data"]["id"] and got["status"] == "DRAFT"
        assert got["created_by"] == got["updated_by"] == "maker@brightcart.example" and got[
            "created_at"
        ] == NOW.strftime("%Y-%m-%d %H:%M:%S.%f")
        assert got["campaign_content"] == PUSH_CONTENT and got["basic_details"]["name"] == "Friday drop"
        found = (
            await api.search(
                {"limit": 15, "page": 1, "campaign_fields": {"status": ["DRAFT"], "name": "Friday drop"}}
            )
        ).json()["data"]["campaigns"]
        assert [c["id"] for c in found] == [got["id"]]
        assert [w.path for w in sim.writes()][-1] == "/v5/campaigns"


async def test_a_create_leaves_completeness_to_publish(sim: Simulator) -> None:
    """Only channel, delivery type and author are required: the rest is publish-time validation."""
    async with Api(sim) as api:
        r = await create(api, push(campaign_delivery_type="EVENT_TRIGGERED"))
        assert r.status_code == 201, r.text
        draft = r.json()["data"]["id"]
        checked = (await api.validate(draft)).json()["data"]
        fields = {issue["field"] for issue in checked["errors"]}
        assert (
            checked["valid"] is False
            and {"basic_details.name", "campaign_content", "segmentation_details", "trigger_condition"}
            <= fields
        )
        assert (await api.patch(draft, {"status": "PUBLISH"})).status_code == 422


@pytest.mark.parametrize("name", sorted(EXAMPLES["create"]))
async def test_every_published_create_example_is_accepted(sim: Simulator, name: str) -> None:
    async with Api(sim) as api:
        r = await create(api, fill({k: v for k, v in EXAMPLES["create"][name].items() if k != "request_id"}))
        assert r.status_code == 201, r.text
        stored = sim.campaigns[r.json()["data"]["id"]]
        assert stored["channel"] == EXAMPLES["create"][name]["channel"] and stored["status"] == "DRAFT"


REFUSALS: list[tuple[dict[str, Any], str, str]] = [
    ({}, "channel", "channel is required"),
    (
        {"channel": "SMS", "campaign_delivery_type": "ONE_TIME", "created_by": "a@b.co"},
        "channel",
        "SMS campaigns cannot be created through the V5 API",
    ),
    (
        push(campaign_delivery_type="BROADCAST_LIVE_ACTIVITY"),
        "campaign_delivery_type",
        "BROADCAST_LIVE_ACTIVITY is not supported through the draft-based creation flow",
    ),
    (
        email(campaign_delivery_type="DEVICE_TRIGGERED"),
        "campaign_delivery_type",
        "must be one of ONE_TIME, PERIODIC, EVENT_TRIGGERED, BUSINESS_EVENT_TRIGGERED for EMAIL",
    ),
    (push(created_by="Maker"), "created_by", "must be the email address"),
    ({k: v for k, v in email().items() if k != "connector"}, "connector", "connector is required"),
    (
        email(connector={"connector_type": "SENDGRID"}),
        "connector.connector_name",
        "connector.connector_name is required",
    ),
    (push(status="PUBLISH"), "status", "Publish a draft with PATCH"),
    (push(priority="high"), "priority", "priority is not a field of the create request"),
    (push(connector=CONNECTOR), "connector", "connector is not part of a PUSH campaign"),
    (email(advanced={}), "advanced", "advanced is not part of a EMAIL campaign"),
    (push(basic_details="Friday"), "basic_details", "must be a JSON object (the whole component)"),
    (
        email(campaign_content={"content": {"email": {"html_content": "<p>", "custom_template_id": "t1"}}}),
        "campaign_content.content.email.custom_template_id",
        "mutually exclusive",
    ),
    (
        push(campaign_content={"content": {"push": {"android": {"template_type": "CUSTOM"}}}}),
        "campaign_content.content.push.android.template_type",
        "not supported for android",
    ),
    (
        push(campaign_content={"content": {"push": {"ios": {"template_type": "TIMER"}}}}),
        "campaign_content.content.push.ios.template_type",
        "not supported for ios",
    ),
    (
        push(
            campaign_content={
                "variation_details": {
                    "distribution_type": "MANUAL",
                    "manual_distribution_percentage": {"var_1": 100},
                },
                "content": {},
            }
        ),
        "campaign_content.variation_details.manual_distribution_percentage",
        "variation_N format",
    ),
    (
        push(utm_params={"utm_source": "s", "utm_medium": "m", "campaign_source": "x"}),
        "utm_params.campaign_source",
        "prefixed with utm_",
    ),
    (
        push(utm_params={"utm_source": "s", **{f"utm_c{i}": "x" for i in range(6)}}),
        "utm_params",
        "at most 5 custom UTM parameters",
    ),
]


@pytest.mark.parametrize(("body", "target", "message"), REFUSALS, ids=[r[2][:50] for r in REFUSALS])
async def test_create_refusals_name_the_field(
    sim: Simulator, body: dict[str, Any], target: str, message: str
) -> None:
    async with Api(sim) as api:
        before = len(sim.campaigns)
        r = await create(api, body)
        error = v5_error(r)
        assert r.status_code == 400 and error["code"] == "VALIDATION_FAILED", r.text
        assert target in targets(error) and any(message in d["message"] for d in error["details"]), error
        assert len(sim.campaigns) == before


async def test_create_reports_every_missing_field_at_once(sim: Simulator) -> None:
    async with Api(sim) as api:
        error = v5_error(await create(api, {}))
        assert targets(error) == {"channel", "campaign_delivery_type", "created_by"}


async def test_flag_gated_features_answer_the_documented_400_until_enabled(sim: Simulator) -> None:
    limit = {"is_campaign_audience_limit_enabled": True, "limit": 1000}
    queue = {"queuing_enabled": True, "queue_duration": 12}
    async with Api(sim) as api:
        error = v5_error(await create(api, push(campaign_audience_limit=limit)))
        assert error == {
            "code": "VALIDATION_FAILED",
            "message": "Campaign Audience Limit feature is not enabled for this db",
            "target": "campaign_audience_limit",
            "request_id": error["request_id"],
            "details": [
                {
                    "target": "campaign_audience_limit",
                    "message": "Campaign Audience Limit feature is not enabled for this db",
                }
            ],
        }
        error = v5_error(await create(api, push(delivery_controls=queue)))
        assert targets(error) == {"delivery_controls.queuing_enabled", "delivery_controls.queue_duration"}
        sim.features |= {AUDIENCE_LIMIT, QUEUING}
        r = await create(api, push(campaign_audience_limit=limit, delivery_controls=queue))
        assert (
            r.status_code == 201 and sim.campaigns[r.json()["data"]["id"]]["campaign_audience_limit"] == limit
        )


# ---------------------------------------------------------------------- request_id windows


@pytest.mark.parametrize(
    ("body", "window"),
    [(push(), timedelta(hours=1)), (email(), timedelta(days=1))],
    ids=["push-1h", "email-1d"],
)
async def test_a_request_id_reused_within_its_window_gives_the_same_draft(
    sim: Simulator, body: dict[str, Any], window: timedelta
) -> None:
    async with Api(sim) as api:
        first = (await create(api, body, request_id="once")).json()["data"]["id"]
        sim.advance(window - timedelta(seconds=1))
        again = await create(
            api, body, request_id="once"
        )  # a fresh Idempotency-Key: the request_id alone dedupes
        assert again.status_code == 201 and again.json()["data"] == {"id": first, "status": "DRAFT"}
        assert len(drafts(sim)) == 1
        conflict = await create(api, {**body, "basic_details": {"name": "other"}}, request_id="once")
        error = v5_error(conflict)
        assert (
            conflict.status_code == 409 and error["code"] == "BAD_REQUEST" and error["target"] == "request_id"
        )
        assert first in error["message"]
        sim.advance(timedelta(seconds=1))
        later = await create(api, body, request_id="once")
        assert later.status_code == 201 and later.json()["data"]["id"] != first and len(drafts(sim)) == 2


async def test_a_failed_creation_does_not_use_up_its_request_id(sim: Simulator) -> None:
    async with Api(sim) as api:
        assert (await create(api, push(created_by="Maker"), request_id="fix-me")).status_code == 400
        assert (await create(api, push(), request_id="fix-me")).status_code == 201
        assert len(drafts(sim)) == 1


async def test_a_lost_create_answer_retried_with_the_same_key_is_replayed(sim: Simulator) -> None:
    sim.faults.inject(r"^/v5/campaigns$", method="POST", status=502, after_processing=True)
    key = str(uuid.uuid4())
    async with Api(sim) as api:
        assert (await create(api, push(), request_id="lost", idem=key)).status_code == 502
        r = await create(api, push(), request_id="lost", idem=key)
        assert r.status_code == 201 and r.headers["Idempotent-Replayed"] == "true"
        assert len(drafts(sim)) == 1 and r.json()["data"]["id"] == drafts(sim)[0]["id"]


# ---------------------------------------------------------------------- creation limits


async def test_successful_creations_are_limited_to_5_a_minute(sim: Simulator) -> None:
    async with Api(sim) as api:
        for _ in range(5):
            assert (await create(api, push())).status_code == 201
        key = str(uuid.uuid4())
        r = await create(api, push(), request_id="sixth", idem=key)
        error = v5_error(r)
        assert r.status_code == 429 and error["code"] == "RATE_LIMITED" and r.headers["Retry-After"] == "60"
        assert (
            error["message"]
            == "Campaign creation limit reached: 5 campaigns per minute. Rate limit exceeded. Retry after 60 seconds."
        )
        sim.advance(59)
        assert (await create(api, push(), request_id="sixth", idem=key)).headers["Retry-After"] == "1"
        sim.advance(1)
        r = await create(api, push(), request_id="sixth", idem=key)  # the 429 was not stored for replay
        assert r.status_code == 201 and "Idempotent-Replayed" not in r.headers and len(drafts(sim)) == 6


async def test_failed_creations_do_not_count_towards_the_creation_limit(sim: Simulator) -> None:
    async with Api(sim) as api:
        for _ in range(8):
            assert (await create(api, push(created_by="nobody"))).status_code == 400
        for _ in range(5):
            assert (await create(api, push())).status_code == 201


async def test_the_hourly_and_daily_creation_limits(sim: Simulator) -> None:
    async with Api(sim) as api:
        for n in range(25):
            assert (await create(api, push())).status_code == 201, n
            sim.advance(13)  # five a minute at most
        r = await create(api, push())
        assert r.status_code == 429 and "25 campaigns per hour" in v5_error(r)["message"]
        assert int(r.headers["Retry-After"]) == 3600 - 25 * 13
        sim.advance(3600)
        for n in range(75):
            sim.advance(150)  # 24 an hour, under the hourly limit
            assert (await create(api, push())).status_code == 201, n
        r = await create(api, push())
        assert r.status_code == 429 and "100 campaigns per day" in v5_error(r)["message"]
        assert int(r.headers["Retry-After"]) == 86400 - (25 * 13 + 3600 + 75 * 150)
        sim.reset_rate_limits()
        sim.limiter.enforce = False
        assert (await create(api, push())).status_code == 201  # limits off: the quota is not enforced either


async def test_calls_are_limited_to_5_a_second_failures_included() -> None:
    sim = Simulator(now=NOW)  # real monotonic time for the calls limit
    async with Api(sim) as api:
        codes = [(await create(api, push(created_by="nobody"))).status_code for _ in range(6)]
        assert codes == [400] * 5 + [429]
        assert sim.requests[-1].status == 429 and not drafts(sim)


# ---------------------------------------------------------------------- editability of live campaigns


def live(sim: Simulator, status: str, dtype: str = "ONE_TIME", **changes: Any) -> str:
    """A copy of a valid push draft in `status` (versioning off unless the test turns it on)."""
    doc = copy.deepcopy(sim.campaigns[IDS["valid_push_draft"]])
    for key in ("id", "campaign_id"):
        doc.pop(key)
    doc.update(
        status=status,
        campaign_delivery_type=dtype,
        trigger_condition={"included_filters": {"filters": []}},
        **changes,
    )
    return sim.add_campaign(doc)


SEGMENT = {"is_all_user_campaign": True}


@pytest.mark.parametrize("status", ["ACTIVE", "PAUSED", "SENDING"])
async def test_live_campaigns_cannot_change_trigger_audience_goals_or_schedule_start(
    sim: Simulator, status: str
) -> None:
    sim.versioning = False
    cid = live(sim, status, "EVENT_TRIGGERED")
    before = copy.deepcopy(sim.campaigns[cid])
    body = {
        "trigger_condition": {"trigger_delay_type": "ASAP"},
        "segmentation_details": SEGMENT,
        "conversion_goal_details": {"goals": []},
        "scheduling_details": {"delivery_type": "ASAP"},
    }
    async with Api(sim) as api:
        r = await api.patch(cid, {**body, "updated_by": "editor@brightcart.example"})
        error = v5_error(r)
        assert r.status_code == 409 and error["code"] == "BAD_REQUEST"
        assert targets(error) == {
            "trigger_condition",
            "segmentation_details",
            "conversion_goal_details",
            "scheduling_details.delivery_type",
            "scheduling_details.start_time",
        }
        assert error["message"].startswith(f"Campaign is {status}: trigger_condition, segmentation_details")
        assert sim.campaigns[cid] == before
        schedule = copy.deepcopy(before["scheduling_details"])
        schedule["expiry_time"] = "2026-12-31T00:00:00"
        content = {
            "content": {
                "push": {
                    "android": {
                        "template_type": "BASIC",
                        "basic_details": {"title": "New", "message": "Words"},
                    }
                }
            }
        }
        ok = await api.patch(
            cid,
            {
                "scheduling_details": schedule,
                "campaign_content": content,
                "basic_details": {**before["basic_details"], "platforms": ["ANDROID"]},
                "updated_by": "editor@brightcart.example",
            },
        )
        assert ok.status_code == 200 and ok.json()["data"] == {"id": cid}, ok.text
        doc = sim.campaigns[cid]
        assert (
            doc["campaign_content"] == content
            and doc["scheduling_details"]["expiry_time"] == "2026-12-31T00:00:00"
        )
        assert doc["updated_by"] == "editor@brightcart.example" and doc["status"] == status
        moved = {**schedule, "start_time": "2026-12-01T09:00:00"}
        assert targets(v5_error(await api.patch(cid, {"scheduling_details": moved}))) == {
            "scheduling_details.start_time"
        }


async def test_scheduled_campaigns_can_change_everything_but_the_scheduling_type(sim: Simulator) -> None:
    sim.versioning = False
    cid = IDS[
        "scheduled_push_this_week"
    ]  # stored in GET's resolved form: delivery_type SCHEDULED, schedule_time
    schedule = sim.campaigns[cid]["scheduling_details"]
    async with Api(sim) as api:
        later = {"delivery_type": "AT_FIXED_TIME", "start_time": "2025-11-23T10:00:00"}
        r = await api.patch(
            cid,
            {
                "scheduling_details": later,
                "segmentation_details": SEGMENT,
                "updated_by": "ed@brightcart.example",
            },
        )
        assert r.status_code == 200, r.text
        assert (
            sim.campaigns[cid]["scheduling_details"] == later
            and sim.campaigns[cid]["segmentation_details"] == SEGMENT
        )
        r = await api.patch(cid, {"scheduling_details": {"delivery_type": "ASAP"}})
        error = v5_error(r)
        assert r.status_code == 409 and targets(error) == {"scheduling_details.delivery_type"}
        assert "cannot change from AT_FIXED_TIME to ASAP" in error["details"][0]["message"]
        assert schedule["delivery_type"] == "SCHEDULED"


@pytest.mark.parametrize("status", ["STOPPED", "ARCHIVED", "SENT", "RETIRED"])
async def test_finished_campaigns_cannot_be_updated_at_all(sim: Simulator, status: str) -> None:
    cid = live(sim, status)
    async with Api(sim) as api:
        r = await api.patch(cid, {"utm_params": {"utm_source": "s", "utm_medium": "m"}})
        assert r.status_code == 409 and v5_error(r) == {
            "code": "BAD_REQUEST",
            "message": f"Campaign is in {status} state and cannot be updated.",
            "target": "status",
            "details": [],
            "request_id": "req-1",
        }


async def test_drafts_can_change_anything_and_an_update_without_author_is_the_credentials(
    sim: Simulator,
) -> None:
    cid = IDS["valid_push_draft"]
    async with Api(sim) as api:
        r = await api.patch(
            cid,
            {
                "segmentation_details": SEGMENT,
                "trigger_condition": {},
                "scheduling_details": {"delivery_type": "ASAP"},
            },
        )
        assert r.status_code == 200 and r.json()["data"] == {"id": cid}
        assert (
            sim.campaigns[cid]["updated_by"] == "api-credential@moengage.example"
            and "version_number" not in sim.campaigns[cid]
        )


async def test_updates_run_the_create_component_checks(sim: Simulator) -> None:
    async with Api(sim) as api:
        r = await api.patch(
            IDS["valid_email_draft"],
            {"campaign_content": {"content": {"email": {"html_content": "x", "custom_template_id": "t"}}}},
        )
        assert r.status_code == 400 and "campaign_content.content.email.custom_template_id" in targets(
            v5_error(r)
        )
        r = await api.patch(IDS["valid_push_draft"], {"connector": CONNECTOR})
        assert r.status_code == 400 and targets(v5_error(r)) == {"connector"}
        r = await api.patch(
            IDS["valid_push_draft"],
            {"campaign_audience_limit": {"is_campaign_audience_limit_enabled": False}},
        )
        assert (
            r.status_code == 400
            and v5_error(r)["message"] == "Campaign Audience Limit feature is not enabled for this db"
        )
        r = await api.patch(
            IDS["valid_push_draft"], {"utm_params": {"utm_source": "s", "utm_medium": "m"}, "version_note": 3}
        )
        assert r.status_code == 400 and targets(v5_error(r)) == {"version_note"}


PATCH_ON = {  # (channel, delivery type) of the campaign each published example updates
    "push_update_trigger_condition": ("PUSH", "EVENT_TRIGGERED"),
    "push_update_delivery_controls": ("PUSH", "LOCATION_TRIGGERED"),
    "push_update_basic_details_geofences": ("PUSH", "LOCATION_TRIGGERED"),
    "push_update_campaign_audience_limit": ("PUSH", "PERIODIC"),
    "email_update_campaign_audience_limit": ("EMAIL", "PERIODIC"),
}


@pytest.mark.parametrize("name", sorted(set(EXAMPLES["patch"]) - {"publish_campaign"}))
async def test_every_published_update_example_is_accepted_on_a_draft(sim: Simulator, name: str) -> None:
    sim.features.add(AUDIENCE_LIMIT)
    channel, kind = PATCH_ON.get(name, ("EMAIL" if name.startswith("email") else "PUSH", "ONE_TIME"))
    async with Api(sim) as api:
        made = await create(api, (email if channel == "EMAIL" else push)(campaign_delivery_type=kind))
        cid = made.json()["data"]["id"]
        body = fill(EXAMPLES["patch"][name], campaign_delivery_type=kind)
        body.pop("request_id")
        r = await api.patch(cid, body)
        assert r.status_code == 200, r.text
        assert all(
            sim.campaigns[cid][key] == value
            for key, value in body.items()
            if key not in ("updated_by", "channel", "campaign_delivery_type")
        )


# ---------------------------------------------------------------------- versioning


async def test_updating_a_live_campaign_on_a_versioned_workspace_makes_a_new_version(sim: Simulator) -> None:
    cid = live(sim, "ACTIVE", "EVENT_TRIGGERED")
    old = sim.campaigns[cid]
    content = {
        "content": {
            "push": {
                "android": {"template_type": "BASIC", "basic_details": {"title": "v2", "message": "text"}}
            }
        }
    }
    async with Api(sim) as api:
        r = await api.patch(
            cid,
            {"campaign_content": content, "updated_by": "ed@brightcart.example", "version_note": "new title"},
        )
        assert r.status_code == 200
        new_id = r.json()["data"]["id"]
        assert new_id != cid
        new = (await api.get(new_id)).json()["data"]
        assert new["campaign_id"] == cid and new["version_number"] == 2 and new["status"] == "ACTIVE"
        assert (
            new["campaign_content"] == content
            and new["version_note"] == "new title"
            and new["updated_by"] == "ed@brightcart.example"
        )
        assert (
            old["status"] == "RETIRED" and old["version_number"] == 1 and old["campaign_content"] != content
        )
        assert (
            await api.patch(cid, {"campaign_content": content})
        ).status_code == 409  # only the latest version is edited
        both = {"limit": 15, "page": 1, "campaign_fields": {"ids": [cid], "status": ["ACTIVE", "RETIRED"]}}
        assert {c["id"] for c in (await api.search(both)).json()["data"]["campaigns"]} == {cid, new_id}
        latest = {**both, "campaign_fields": {**both["campaign_fields"], "version_number": 2}}
        assert [c["id"] for c in (await api.search(latest)).json()["data"]["campaigns"]] == [new_id]


async def test_the_seeded_version_2_campaign_becomes_version_3_under_the_same_campaign_id(
    sim: Simulator,
) -> None:
    cid = IDS["versioned"]
    async with Api(sim) as api:
        r = await api.patch(
            cid,
            {
                "utm_params": {"utm_source": "email", "utm_medium": "lifecycle"},
                "updated_by": "ed@brightcart.example",
            },
        )
        new = sim.campaigns[r.json()["data"]["id"]]
        assert (
            new["version_number"] == 3
            and new["campaign_id"] == oid("welcome-email-1") == sim.campaigns[cid]["campaign_id"]
        )
        assert sim.campaigns[cid]["status"] == "RETIRED" and "version_note" not in new


async def test_without_versioning_and_for_drafts_updates_are_in_place(sim: Simulator) -> None:
    utm = {"utm_source": "s", "utm_medium": "m"}
    async with Api(sim) as api:
        r = await api.patch(
            IDS["valid_email_draft"], {"utm_params": utm, "version_note": "ignored for drafts"}
        )
        assert r.json()["data"]["id"] == IDS["valid_email_draft"]
        sim.versioning = False
        cid = live(sim, "ACTIVE")
        count = len(sim.campaigns)
        r = await api.patch(cid, {"utm_params": utm})
        assert (
            r.json()["data"]["id"] == cid
            and len(sim.campaigns) == count
            and "version_number" not in sim.campaigns[cid]
        )
