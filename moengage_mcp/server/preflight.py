"""Pre-flight of every write: read what the action would touch, refuse what the rules forbid,
and describe the rest in a summary a person can approve or decline.

The summary names the campaign's last update, so an approval (or a confirmation token) given for
one state of the campaign cannot be spent on another.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ..api import MoEngageClient, MoEngageError
from ..api import models as m
from ..api.enums import EMAIL_TEST_IDENTIFIERS, PUSH_TEST_IDENTIFIERS, Action, Channel, Status
from ..api.lifecycle import TRANSITIONS, WRITABLE_CHANNELS, publish_problem, publish_target, transition_problem
from .schemas import minute, text


@dataclass
class Preflight:
    tool: str
    arguments: dict[str, Any]
    """The call's arguments (JSON types), without the confirmation token."""
    summary: str
    state: str
    """Fingerprint of the campaign state the summary describes."""
    campaign: m.Campaign | None = None
    problem: str | None = None
    expected: Status | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def campaign_id(self) -> str | None:
        return self.campaign.id if self.campaign else self.arguments.get("campaign_id")


def fingerprint(campaign: m.Campaign | None, *extra: Any) -> str:
    parts = [campaign.id, str(campaign.status), str(campaign.updated_at), campaign.version_number] if campaign else []
    canonical = json.dumps([*parts, *extra], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def printable(value: str) -> str:
    """`value` without control, format (bidi, zero-width) or line/paragraph separator characters, so a
    campaign name cannot add lines to, or reorder, the summary a person approves."""
    return "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in value if unicodedata.category(c) != "Cf")


def describe(campaign: m.Campaign) -> str:
    name = json.dumps(printable(campaign.name or "(unnamed)")[:120], ensure_ascii=False)
    updated = minute(campaign.updated_at) or "unknown"
    return (
        f"campaign {name} (id {campaign.id}; {text(campaign.channel)}, {text(campaign.campaign_delivery_type)}, "
        f"last updated {updated} UTC)"
    )


async def reach_line(api: MoEngageClient, campaign: m.Campaign) -> str | None:
    """'Reach: about N users' from meta, when MoEngage has an estimate; never blocks a write."""
    request = m.MetaRequest(campaign_fields=m.MetaFields(id=campaign.id, status=list(Status)), limit=1)
    try:
        rows = await api.get_meta(request)
    except MoEngageError:
        return None
    reach = rows[0].reachability_details if rows else None
    if reach is None or reach.count is None:
        return None
    return f"Reach: about {reach.count:,} users (MoEngage estimate of {minute(reach.last_updated_time)} UTC)."


async def lifecycle_preflight(api: MoEngageClient, tool: str, action: Action, arguments: dict[str, Any]) -> Preflight:
    campaign = await api.get_campaign(arguments["campaign_id"])
    problem = transition_problem(campaign, action)
    target = TRANSITIONS[action].to_status
    lines = [f"{action.value.title()} {describe(campaign)}.", f"Status: {text(campaign.status)} -> {target.value}."]
    if not problem and (reach := await reach_line(api, campaign)):
        lines.append(reach)
    if action is Action.STOP:
        lines.append("A stopped campaign cannot be resumed.")
    return Preflight(tool, arguments, "\n".join(lines), fingerprint(campaign), campaign, problem, target)


async def publish_preflight(api: MoEngageClient, tool: str, arguments: dict[str, Any], now: dt.datetime) -> Preflight:
    campaign = await api.get_campaign(arguments["campaign_id"])
    problem = publish_problem(campaign)
    details: dict[str, Any] = {}
    if problem is None:
        checked = await api.validate_campaign(campaign.id)
        if not checked.valid:
            details["validation_errors"] = [e.model_dump(exclude_none=True) for e in checked.errors]
            issues = "; ".join(f"{e.field}: {e.issue}" for e in checked.errors[:10])
            problem = f"The draft fails publish-time validation ({issues}). Fix it and validate again"
    target = publish_target(campaign, now)
    lines = [f"Publish {describe(campaign)}.", f"Status: {text(campaign.status)} -> {target.value}."]
    if problem is None:
        start = minute(campaign.start_time)
        lines.append(f"Validation passed. Starts: {start + ' UTC' if start else 'as soon as published'}.")
        if reach := await reach_line(api, campaign):
            lines.append(reach)
    return Preflight(tool, arguments, "\n".join(lines), fingerprint(campaign), campaign, problem, target, details)


async def test_preflight(
    api: MoEngageClient, tool: str, arguments: dict[str, Any], allowlist: frozenset[str] | None
) -> Preflight:
    """A test send: a saved campaign (draft mode for drafts, its content inline otherwise) or inline content."""
    campaign = await api.get_campaign(arguments["campaign_id"]) if arguments.get("campaign_id") else None
    channel = Channel(campaign.channel) if campaign and campaign.channel in WRITABLE_CHANNELS else arguments.get("channel")
    recipients: list[str] = arguments["recipients"]
    problem = _test_problem(campaign, channel, arguments["identifier"], recipients, allowlist)
    what = describe(campaign) if campaign else f"inline {channel} content"
    narrowed = ", ".join(f"{k} {arguments[k]}" for k in ("platform", "locale_name", "variation") if arguments.get(k))
    lines = [
        f"Send a TEST of {what} to {len(recipients)} recipient(s) by {arguments['identifier']}: {', '.join(recipients)}."
        + (f" Only {narrowed}." if narrowed else "")
    ]
    if campaign and campaign.status is not Status.DRAFT:
        lines.append(f"The campaign is {text(campaign.status)}: its saved content is sent inline; it is not changed.")
    state = fingerprint(campaign, arguments.get("campaign_content"))
    return Preflight(tool, arguments, "\n".join(lines), state, campaign, problem)


def _test_problem(
    campaign: m.Campaign | None,
    channel: Channel | str | None,
    identifier: str,
    recipients: list[str],
    allowlist: frozenset[str] | None,
) -> str | None:
    if campaign is not None and campaign.channel not in WRITABLE_CHANNELS:
        return f"Test sends support PUSH and EMAIL campaigns; this one is {text(campaign.channel)}"
    if campaign is not None and not (campaign.campaign_content and campaign.campaign_content.content):
        return "The campaign has no content to test"
    allowed = PUSH_TEST_IDENTIFIERS if channel == Channel.PUSH else EMAIL_TEST_IDENTIFIERS
    if identifier not in {i.value for i in allowed}:
        return f"{identifier} is not a {channel} test identifier; use one of {', '.join(sorted(i.value for i in allowed))}"
    if allowlist is not None and (outside := [r for r in recipients if r not in allowlist]):
        return (
            f"Recipients not in MOENGAGE_MCP_TEST_RECIPIENTS: {', '.join(outside)}. "
            "Test sends may only go to the allowlisted test users"
        )
    return None


def test_request(pre: Preflight) -> m.TestCampaignRequest:
    """The API request for a pre-flighted test send."""
    a = pre.arguments
    meta = m.TestCampaignMeta(
        identifier=a["identifier"],
        identifier_values=a["recipients"],
        platform=a.get("platform"),
        locale_name=a.get("locale_name"),
        variation=a.get("variation"),
    )
    campaign = pre.campaign
    if campaign is not None and campaign.status is Status.DRAFT:
        return m.TestCampaignRequest(draft_id=campaign.id, test_campaign_meta=meta)
    if campaign is not None:
        dumped = campaign.model_dump(mode="json", exclude_unset=True, exclude_none=True)
        return m.TestCampaignRequest(
            channel=campaign.channel,
            campaign_content=dumped.get("campaign_content"),
            basic_details=dumped.get("basic_details"),
            connector=dumped.get("connector"),
            test_campaign_meta=meta,
        )
    return m.TestCampaignRequest(
        channel=a["channel"],
        campaign_content=a["campaign_content"],
        basic_details=a.get("basic_details"),
        connector=a.get("connector"),
        test_campaign_meta=meta,
    )
