"""`test_campaign`: a test send of a saved campaign or of inline content to 1-10 test recipients."""

from __future__ import annotations

import re
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
from ...settings import Settings, Toolset, WriteMode
from ..args import Args, UserId
from ..core.content import sent_lines
from ..core.text import quoted, text
from ..policy.preflight import Preflight, describe, fingerprint
from ..policy.writes import CONFIRMATION, TestSendOut, WriteArgs, WriteResult
from ..registry import WriteTool, write_annotations
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
    user_attributes: dict[str, str] | None = Field(
        None, max_length=50, description="Values the test renders with."
    )
    event_attributes: dict[str, str] | None = Field(None, max_length=50)


class TestSendArgs(WriteArgs, _TestSend):
    __test__ = False  # not a pytest test class

    @model_validator(mode="after")
    def _one_source(self) -> TestSendArgs:
        if (self.campaign_id is None) == (self.campaign_content is None):
            raise ValueError("give campaign_id or campaign_content with channel (exactly one)")
        if self.campaign_content is not None and self.channel is None:
            raise ValueError("inline campaign_content needs channel")
        return self


_PLAIN = re.compile(r"[!-~]+")
"""Printable ASCII without spaces: no character that can pass for another."""
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_EMAIL_IDENTIFIERS = (TestIdentifier.EMAIL, TestIdentifier.USER_ATTRIBUTE_USER_EMAIL)


async def preflight(ws: Workspace, args: TestSendArgs) -> Preflight:
    """A test send: a saved campaign (draft mode for drafts, its content inline otherwise) or inline
    content. The summary quotes every recipient on a line of its own and shows what each locale,
    variation and platform sends, with every link in full."""
    campaign = await ws.api.get_campaign(args.campaign_id) if args.campaign_id else None
    channel = (
        Channel(campaign.channel) if campaign and campaign.channel in WRITABLE_CHANNELS else args.channel
    )
    problem = _problem(campaign, channel, args, ws.settings)
    what = describe(campaign) if campaign else f"inline {text(channel)} content"
    lines = [
        f"Send a TEST of {what}.",
        f"To {len(args.recipients)} recipient(s), identified by {args.identifier.value}:",
        *(f"- {quoted(recipient, 256)}" for recipient in args.recipients),
    ]
    narrowed = [
        (name, value) for name in ("platform", "locale_name", "variation") if (value := getattr(args, name))
    ]
    if narrowed:
        lines.append(
            "Only " + ", ".join(f"{name} {quoted(text(value) or '', 64)}" for name, value in narrowed) + "."
        )
    for kind in ("user_attributes", "event_attributes"):
        if values := getattr(args, kind):
            shown = ", ".join(f"{quoted(k, 60)}: {quoted(v, 80)}" for k, v in values.items())
            lines.append(f"Rendered with these {kind.replace('_', ' ')}: {shown}.")
    if campaign and campaign.status is not Status.DRAFT:
        lines.append(
            f"The campaign is {text(campaign.status)}: its saved content is sent inline; it is not changed."
        )
    content = _content(campaign, args)
    platform = args.platform.value if args.platform else None
    lines += [
        "What is sent:",
        *sent_lines(content, platform=platform, locale=args.locale_name, variation=args.variation),
    ]
    state = fingerprint(campaign, args.campaign_content)
    return Preflight(args, "\n".join(lines), state, campaign, problem)


def _content(campaign: m.Campaign | None, args: TestSendArgs) -> m.CampaignContent:
    if campaign is not None:
        return campaign.campaign_content or m.CampaignContent()
    return m.CampaignContent.model_validate(args.campaign_content or {})


def _problem(
    campaign: m.Campaign | None, channel: Channel | None, args: TestSendArgs, settings: Settings
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
    return _recipient_problem(args, settings)


def _recipient_problem(args: TestSendArgs, settings: Settings) -> str | None:
    """With an allowlist, only its exact values; without one, a person must see each recipient
    (never in write mode auto), and each must be plain enough that what they see is what is sent."""
    allowlist = settings.test_recipients
    if allowlist is not None:
        if outside := [r for r in args.recipients if r not in allowlist]:
            return (
                f"Recipients not in MOENGAGE_MCP_TEST_RECIPIENTS: {', '.join(quoted(r, 80) for r in outside)}. "
                "Test sends may only go to the allowlisted test users"
            )
        return None
    if settings.write_mode is WriteMode.AUTO:
        return (
            "In write mode auto nobody reviews test recipients, so test sends need MOENGAGE_MCP_TEST_RECIPIENTS "
            "(the test users they may go to)"
        )
    for recipient in args.recipients:
        if not _PLAIN.fullmatch(recipient):
            return (
                f"Recipient {quoted(recipient, 80)} holds spaces, invisible or non-ASCII characters, which can pass "
                "for others in the question you would approve; write it plainly, or allow it in "
                "MOENGAGE_MCP_TEST_RECIPIENTS"
            )
        if args.identifier in _EMAIL_IDENTIFIERS and not _EMAIL.fullmatch(recipient):
            return f"Recipient {quoted(recipient, 80)} is not an email address"
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
    personal = None
    if args.user_attributes or args.event_attributes:
        personal = m.PersonalizationDetails(
            user_attributes=args.user_attributes, event_attributes=args.event_attributes
        )
    if campaign is not None and campaign.status is Status.DRAFT:
        return m.TestCampaignRequest(
            draft_id=campaign.id, test_campaign_meta=meta, personalization_details=personal
        )
    # inline mode: `platform` belongs to draft mode only, so the content itself is narrowed to it
    inline = meta.model_copy(update={"platform": None})
    if campaign is not None:
        dumped = campaign.model_dump(mode="json", exclude_unset=True, exclude_none=True)
        channel, content = campaign.channel, dumped.get("campaign_content")
        basic, connector = dumped.get("basic_details"), dumped.get("connector")
    else:
        channel, content, basic, connector = (
            args.channel,
            args.campaign_content,
            args.basic_details,
            args.connector,
        )
    return m.TestCampaignRequest(
        channel=channel,
        campaign_content=only_platform(content, args.platform),
        basic_details=basic,
        connector=connector,
        test_campaign_meta=inline,
        personalization_details=personal,
    )


def only_platform(content: dict[str, Any] | None, platform: Platform | None) -> dict[str, Any] | None:
    """`content` with the push content of every platform but `platform` left out (None: all of it)."""
    if content is None or platform is None:
        return content
    others = {p.value.lower() for p in Platform} - {platform.value.lower()}

    def prune(value: Any) -> Any:
        if isinstance(value, dict):
            if "push" in value and isinstance(value["push"], dict):
                value = {**value, "push": {k: v for k, v in value["push"].items() if k not in others}}
            return {k: prune(v) for k, v in value.items()}
        return value

    return prune(content)


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
