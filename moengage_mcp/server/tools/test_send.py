"""`test_campaign`: a test send of a saved campaign or of inline content to 1-10 test recipients."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from ...api import models as m
from ...api.enums import (
    EMAIL_TEST_IDENTIFIERS,
    PUSH_TEST_IDENTIFIERS,
    Channel,
    Platform,
    Status,
    TestIdentifier,
)
from ...api.lifecycle import WRITABLE_CHANNELS
from ...settings import Toolset
from ..args import Args, UserId
from ..policy.preflight import Preflight, describe, fingerprint
from ..policy.writes import CONFIRMATION, TestSendOut, WriteArgs, WriteResult
from ..registry import WriteTool, write_annotations
from ..results import text
from ..workspace import Workspace


class _TestSend(Args):
    campaign_id: m.CampaignId | None = Field(None, description="A saved campaign (drafts use draft mode)...")
    channel: Literal[Channel.PUSH, Channel.EMAIL] | None = Field(None, description="...or inline content:")
    campaign_content: dict[str, Any] | None = None
    basic_details: dict[str, Any] | None = Field(None, description="Inline EMAIL needs it and connector.")
    connector: dict[str, Any] | None = None
    identifier: TestIdentifier = Field(description="How recipients are identified.")
    recipients: list[UserId] = Field(min_length=1, max_length=m.TEST_MAX_RECIPIENTS)
    platform: Platform | None = None
    locale_name: str | None = Field(None, max_length=64)
    variation: str | None = Field(None, max_length=64)


class TestSendArgs(WriteArgs, _TestSend):
    __test__ = False  # not a pytest test class

    @model_validator(mode="after")
    def _one_source(self) -> TestSendArgs:
        if (self.campaign_id is None) == (self.campaign_content is None):
            raise ValueError("give campaign_id or campaign_content with channel (exactly one)")
        if self.campaign_content is not None and self.channel is None:
            raise ValueError("inline campaign_content needs channel")
        return self


async def preflight(ws: Workspace, args: TestSendArgs) -> Preflight:
    """A test send: a saved campaign (draft mode for drafts, its content inline otherwise) or inline content."""
    campaign = await ws.api.get_campaign(args.campaign_id) if args.campaign_id else None
    channel = (
        Channel(campaign.channel) if campaign and campaign.channel in WRITABLE_CHANNELS else args.channel
    )
    problem = _problem(campaign, channel, args, ws.settings.test_recipients)
    what = describe(campaign) if campaign else f"inline {channel} content"
    narrowed = ", ".join(
        f"{name} {text(value)}"
        for name in ("platform", "locale_name", "variation")
        if (value := getattr(args, name))
    )
    lines = [
        f"Send a TEST of {what} to {len(args.recipients)} recipient(s) by {args.identifier.value}: {', '.join(args.recipients)}."
        + (f" Only {narrowed}." if narrowed else "")
    ]
    if campaign and campaign.status is not Status.DRAFT:
        lines.append(
            f"The campaign is {text(campaign.status)}: its saved content is sent inline; it is not changed."
        )
    state = fingerprint(campaign, args.campaign_content)
    return Preflight(args, "\n".join(lines), state, campaign, problem)


def _problem(
    campaign: m.Campaign | None, channel: Channel | None, args: TestSendArgs, allowlist: frozenset[str] | None
) -> str | None:
    if campaign is not None and campaign.channel not in WRITABLE_CHANNELS:
        return f"Test sends support PUSH and EMAIL campaigns; this one is {text(campaign.channel)}"
    if campaign is not None and not (campaign.campaign_content and campaign.campaign_content.content):
        return "The campaign has no content to test"
    allowed = PUSH_TEST_IDENTIFIERS if channel == Channel.PUSH else EMAIL_TEST_IDENTIFIERS
    if args.identifier not in allowed:
        return (
            f"{args.identifier.value} is not a {text(channel)} test identifier; "
            f"use one of {', '.join(sorted(i.value for i in allowed))}"
        )
    if allowlist is not None and (outside := [r for r in args.recipients if r not in allowlist]):
        return (
            f"Recipients not in MOENGAGE_MCP_TEST_RECIPIENTS: {', '.join(outside)}. "
            "Test sends may only go to the allowlisted test users"
        )
    return None


def send_request(pre: Preflight) -> m.TestCampaignRequest:
    """The API request for a pre-flighted test send."""
    args = pre.args
    assert isinstance(args, TestSendArgs)
    meta = m.TestCampaignMeta(
        identifier=args.identifier,
        identifier_values=args.recipients,
        platform=args.platform,
        locale_name=args.locale_name,
        variation=args.variation,
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
        channel=args.channel,
        campaign_content=args.campaign_content,
        basic_details=args.basic_details,
        connector=args.connector,
        test_campaign_meta=meta,
    )


async def execute(ws: Workspace, pre: Preflight) -> WriteResult:
    sent, reply = await ws.api.test_campaign(send_request(pre))
    sends = {
        k: TestSendOut(status=text(v.status) or "UNKNOWN", failure_reason=v.failure_reason)
        for k, v in sent.data.items()
    }
    failed = [k for k, v in sends.items() if v.status != "SENT"]
    status = (
        "accepted"
        if not sends
        else "failed"
        if len(failed) == len(sends)
        else "partial"
        if failed
        else "done"
    )
    if not sends:
        note = "MoEngage accepted the test but reported no per-recipient result; check the test devices."
    else:
        note = f"{len(failed)} of {len(sends)} test sends failed." if failed else (sent.message or None)
    return WriteResult(
        status=status, campaign_id=pre.campaign_id, request_id=reply.request_id, sends=sends, note=note
    )


TOOLS = (
    WriteTool(
        name="test_campaign",
        title="Test-send campaign",
        summary="Test-send a saved campaign or inline content to 1-10 test recipients, after your confirmation.",
        description="Send a test of a saved campaign (campaign_id) or of inline content to 1-10 test recipients; "
        "the campaign itself is not changed." + CONFIRMATION,
        toolset=Toolset.SEND,
        args=TestSendArgs,
        output=WriteResult,
        annotations=write_annotations(destructive=False, idempotent=False),
        preflight=preflight,
        execute=execute,
        reads_back=False,
    ),
)
