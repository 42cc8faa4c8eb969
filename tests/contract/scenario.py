"""A broad run of every tool, built from the demo workspace: the traffic the contract test judges.

Reads go first, then writes in an order that keeps each one meaningful (test sends of drafts
before those drafts are published). Some calls are meant to fail (an unknown id, runs of a
one-time campaign, validation of an SMS campaign) so error answers are judged too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

from moengage_mcp.api import MoEngageClient, MoEngageError
from moengage_mcp.api import models as m
from moengage_mcp.simulator import DEMO_CAMPAIGN_IDS as D
from moengage_mcp.simulator import DEMO_USERS, Simulator

Call = tuple[str, dict[str, Any]]
UNKNOWN_ID = "f" * 24
USERS = list(DEMO_USERS)[:3]
PUSH_CONTENT = {
    "content": {
        "push": {
            "android": {
                "template_type": "BASIC",
                "basic_details": {"title": "Hi {{UserAttribute['First Name']}}", "message": "Sale"},
            },
            "ios": {"template_type": "BASIC", "basic_details": {"title": "Hi", "message": "Sale"}},
        }
    }
}
EMAIL_CONTENT = {
    "content": {
        "email": {
            "subject": "Hello {{UserAttribute['First Name']|default('there')}}",
            "sender_name": "Brightcart",
            "from_address": "news@brightcart.example",
            "html_content": "<p>Deals</p>",
        }
    }
}


def top_level(sim: Simulator) -> list[str]:
    return sorted(cid for cid, doc in sim.campaigns.items() if not doc.get("parent_id"))


def searches() -> Iterator[Call]:
    yield "search_campaigns", {"max_results": 500}
    yield "search_campaigns", {"max_results": 500, "include_child_campaigns": True, "include_archived": True}
    yield "search_campaigns", {"campaign_ids": [D["versioned"]], "version_number": 2}
    for channel in ("PUSH", "EMAIL", "SMS", "WHATSAPP"):
        yield "search_campaigns", {"channels": [channel], "max_results": 100}
    for status in (
        "DRAFT",
        "SCHEDULED",
        "ACTIVE",
        "SENDING",
        "PAUSED",
        "SENT",
        "STOPPED",
        "ARCHIVED",
        "RETIRED",
    ):
        yield "search_campaigns", {"statuses": [status], "max_results": 100}
    for dtype in (
        "ONE_TIME",
        "PERIODIC",
        "EVENT_TRIGGERED",
        "BUSINESS_EVENT_TRIGGERED",
        "DEVICE_TRIGGERED",
        "LOCATION_TRIGGERED",
    ):
        yield "search_campaigns", {"delivery_types": [dtype], "max_results": 100}
    today = dt.date.today()
    yield (
        "search_campaigns",
        {"created_from": str(today - dt.timedelta(days=30)), "created_to": str(today), "name": "sale"},
    )
    yield "search_campaigns", {"tags": ["promotional"], "created_by": ["priya.sharma@brightcart.example"]}
    yield "search_campaigns", {"campaign_ids": [D["versioned"], D["valid_push_draft"], UNKNOWN_ID]}


def metas() -> Iterator[Call]:
    yield "get_meta", {"max_results": 200}
    yield "get_meta", {"max_results": 200, "include_child_campaigns": True}
    for status in ("SCHEDULED", "ACTIVE", "PAUSED", "SENT", "STOPPED", "ARCHIVED", "RETIRED"):
        yield "get_meta", {"statuses": [status], "max_results": 100}
    for dtype in ("ONE_TIME", "PERIODIC", "EVENT_TRIGGERED", "BUSINESS_EVENT_TRIGGERED"):
        yield "get_meta", {"delivery_types": [dtype], "max_results": 100}
    yield "get_meta", {"channels": ["SMS", "EMAIL"], "tags": ["promotional"], "name": "a"}
    yield (
        "get_meta",
        {
            "campaign_ids": [
                D[k]
                for k in (
                    "scheduled_push_this_week",
                    "active_event_push",
                    "versioned",
                    "business_event_parent",
                )
            ]
            + [UNKNOWN_ID]
        },
    )


def reads(sim: Simulator) -> Iterator[Call]:
    yield from searches()
    for cid in top_level(sim):
        yield "get_campaign", {"campaign_id": cid, "full": True}
    yield "get_campaign", {"campaign_id": UNKNOWN_ID}
    for parent in sim.executions:
        yield "list_executions", {"campaign_id": parent, "max_results": 100}
    yield "list_executions", {"campaign_id": D["active_one_time_push"]}
    yield from metas()
    for role in (
        "valid_push_draft",
        "valid_email_draft",
        "scheduled_sms_this_week",
        "valid_multilocale_draft",
    ):
        yield "personalized_preview", {"campaign_id": D[role], "user_id": USERS[0]}
    yield (
        "personalized_preview",
        {
            "campaign_content": PUSH_CONTENT,
            "channel": "PUSH",
            "user_id": "ben@example.com",
            "user_id_type": "EMAIL",
        },
    )
    yield (
        "personalized_preview",
        {"campaign_content": EMAIL_CONTENT, "channel": "EMAIL", "user_id": "nobody-at-all"},
    )
    for cid in top_level(sim):
        if sim.campaigns[cid]["status"] == "DRAFT":
            yield "validate_campaign", {"campaign_id": cid}
    yield "validate_campaign", {"campaign_id": D["scheduled_sms_this_week"]}
    yield from analysis(sim)


def analysis(sim: Simulator) -> Iterator[Call]:
    today = dt.date.today()
    sent = [cid for cid in top_level(sim) if sim.campaigns[cid]["status"] not in ("DRAFT",)]
    yield (
        "get_campaign_stats",
        {"campaign_ids": sent[:25], "start_date": str(today - dt.timedelta(days=90)), "end_date": str(today)},
    )
    for attribution in ("CLICK_THROUGH", "IN_SESSION", "TOTAL_CONVERSIONS", "CLICK_CONVERSIONS"):
        yield (
            "get_campaign_stats",
            {
                "campaign_ids": sent[25:35],
                "start_date": str(today - dt.timedelta(days=20)),
                "end_date": str(today),
                "attribution_type": attribution,
                "metric_type": "UNIQUE",
                "breakdown": "variation",
            },
        )
    yield (
        "get_campaign_stats",
        {
            "campaign_ids": [D["periodic_most_executions"], UNKNOWN_ID],
            "start_date": str(today - dt.timedelta(days=10)),
            "end_date": str(today),
            "breakdown": "platform",
        },
    )
    yield "campaign_report", {"rank_by": "ctr"}
    yield "campaign_report", {"channels": ["EMAIL"], "rank_by": "cvr", "next_days": 30}
    for role in (
        "valid_push_draft",
        "invalid_email_draft",
        "flaw_locale_missing",
        "scheduled_sms_this_week",
        "periodic_weekly_email",
    ):
        yield "qa_campaign", {"campaign_id": D[role], "sample_user_ids": USERS}


def send(identifier: str, recipients: list[str], **source: Any) -> Call:
    return "test_campaign", {"identifier": identifier, "recipients": recipients, **source}


def test_sends() -> Iterator[Call]:
    """Draft mode (narrowed by platform, locale and variation too), saved live campaigns (sent inline)
    and inline content of both channels."""
    yield send("USER_ATTRIBUTE_UNIQUE_ID", USERS[:2], campaign_id=D["valid_push_draft"])
    yield send(
        "USER_ATTRIBUTE_UNIQUE_ID",
        USERS[:1],
        campaign_id=D["valid_push_draft"],
        user_attributes={"First Name": "Tess"},
    )
    yield send("PUSH_ID", ["fcm-token-ana-1001"], campaign_id=D["valid_push_draft"], platform="ANDROID")
    multi = D["valid_multilocale_draft"]
    yield send(
        "USER_ATTRIBUTE_UNIQUE_ID", USERS[:1], campaign_id=multi, locale_name="es-ES", variation="variation_1"
    )
    yield send("EMAIL", ["ana@example.com", "qa@example.com"], campaign_id=D["valid_email_draft"])
    yield send("USER_ATTRIBUTE_UNIQUE_ID", USERS[:1], campaign_id=D["scheduled_push_this_week"])
    yield send("EMAIL", ["ben@example.com"], campaign_id=D["scheduled_email_this_week"])
    yield send("USER_ATTRIBUTE_UNIQUE_ID", ["nobody-at-all"], channel="PUSH", campaign_content=PUSH_CONTENT)
    basic = {
        "name": "Inline test",
        "content_type": "TRANSACTIONAL",
        "user_attribute_identifier": "Email (Standard)",
    }
    connector = {"connector_type": "SENDGRID", "connector_name": "SendgridPrimary"}
    email = {
        "channel": "EMAIL",
        "campaign_content": EMAIL_CONTENT,
        "basic_details": basic,
        "connector": connector,
    }
    yield send("EMAIL", ["qa@example.com"], **email)


def test_recipients() -> list[str]:
    """Every recipient the test sends name: the allowlist write mode auto needs."""
    return sorted({recipient for _, args in test_sends() for recipient in args["recipients"]})


def drafts() -> Iterator[Call]:
    """New drafts of both channels (rich push content, an email with its connector), a component update
    and field edits of a draft and of a live campaign, duplicates, and an update its state refuses."""
    schedule = {"delivery_type": "AT_FIXED_TIME", "start_time": "2099-01-01T09:00:00"}
    yield (
        "create_campaign",
        {
            "channel": "PUSH",
            "delivery_type": "ONE_TIME",
            "name": "Contract push draft",
            "platforms": ["ANDROID", "IOS"],
            "components": {
                "campaign_content": PUSH_CONTENT,
                "segmentation_details": {"is_all_user_campaign": True},
                "scheduling_details": schedule,
                "utm_params": {"utm_source": "moengage", "utm_medium": "push", "utm_campaign": "contract"},
            },
        },
    )
    connector = {"connector_type": "SENDGRID", "connector_name": "SendgridPrimary"}
    yield (
        "create_campaign",
        {
            "channel": "EMAIL",
            "delivery_type": "PERIODIC",
            "name": "Contract email draft",
            "components": {
                "connector": connector,
                "campaign_content": EMAIL_CONTENT,
                "scheduling_details": {
                    **schedule,
                    "periodic_details": {"sending_frequency": "DAILY", "repeat_frequency": 1},
                },
            },
        },
    )
    draft = D["valid_push_draft"]
    yield "update_campaign", {"campaign_id": draft, "set": {"basic_details.name": "Renamed by contract"}}
    yield (
        "update_campaign",
        {"campaign_id": draft, "components": {"segmentation_details": {"is_all_user_campaign": True}}},
    )
    yield (
        "update_campaign",
        {"campaign_id": D["active_event_push"], "set": {"delivery_controls.bypass_dnd": False}},
    )
    yield (
        "update_campaign",
        {
            "campaign_id": D["active_event_push"],
            "components": {"segmentation_details": {"is_all_user_campaign": True}},
        },
    )
    yield "duplicate_campaign", {"campaign_id": D["valid_email_draft"], "name": "Copy of January sale"}
    yield (
        "duplicate_campaign",
        {
            "campaign_id": D["scheduled_push_this_week"],
            "name": "Copy",
            "set": {"scheduling_details.start_time": "2099-02-01T09:00:00"},
        },
    )


def writes() -> Iterator[Call]:
    yield from drafts()
    yield from test_sends()
    for role in ("valid_push_draft", "valid_email_draft", "valid_multilocale_draft", "invalid_push_draft"):
        yield "publish_campaign", {"campaign_id": D[role]}
    for role in ("periodic_most_executions", "active_event_push", "periodic_weekly_email"):
        yield "pause_campaign", {"campaign_id": D[role]}
        yield "resume_campaign", {"campaign_id": D[role]}
    yield "resume_campaign", {"campaign_id": D["periodic_paused"]}
    for role in ("active_one_time_push", "scheduled_push_this_week", "scheduled_email_this_week"):
        yield "stop_campaign", {"campaign_id": D[role]}
    yield "pause_campaign", {"campaign_id": D["scheduled_sms_this_week"]}  # refused before any write


def calls(sim: Simulator) -> list[Call]:
    return [*reads(sim), *writes()]


async def client_only(api: MoEngageClient, sim: Simulator) -> None:
    """Client methods no tool calls yet (V5 meta, workspace-wide stats, the report download), driven
    directly so their traffic is judged too."""
    for fields in (
        m.MetaV5Fields(status=["DRAFT"]),
        m.MetaV5Fields(delivery_type="PERIODIC"),
        m.MetaV5Fields(id=D["versioned"]),
    ):
        await api.get_meta_v5(m.MetaV5Request(campaign_fields=fields, include_child_campaigns=True))
    today = sim.now().date()
    first = await api.campaign_stats(
        m.StatsRequest(start_date=today - dt.timedelta(days=30), end_date=today, limit=10)
    )
    for page in range(1, first.total_pages or 1):
        await api.campaign_stats(
            m.StatsRequest(
                start_date=today - dt.timedelta(days=30), end_date=today, offset=page * 10, limit=10
            )
        )
    for name in sorted(sim.reports)[-2:]:
        await api.download_report(name)
    with contextlib.suppress(MoEngageError):
        await api.download_report(min(sim.reports))  # expired: a documented 400
