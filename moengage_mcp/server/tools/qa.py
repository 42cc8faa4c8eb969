"""`qa_campaign`: launch-readiness findings, each with its severity, field and fix; never sends."""

from __future__ import annotations

import datetime as dt

import anyio
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from ...api import MoEngageClient, MoEngageError
from ...api import models as m
from ...api.enums import PreviewIdentifier, Status
from ...api.lifecycle import WRITABLE_CHANNELS
from ..args import Args, UserId
from ..core.content import PREVIEW_CHANNELS, RenderedBlock, preview_request, raw_content, rendered_blocks
from ..core.qa_checks import Finding, QAInput, run_checks
from ..core.text import text
from ..registry import read_tool
from ..results import result
from ..workspace import Workspace


class QAArgs(Args):
    campaign_id: m.CampaignId
    sample_user_ids: list[UserId] = Field(
        [], max_length=5, description="Users to render personalization for."
    )
    user_id_type: PreviewIdentifier = PreviewIdentifier.USER_ATTRIBUTE_UNIQUE_ID
    event_attributes: dict[str, str] | None = Field(
        None, description="Trigger event's attributes to render with."
    )


class QAOut(BaseModel):
    campaign_id: str
    name: str | None = None
    channel: str | None = None
    status: str | None = None
    ready: bool = Field(description="True when no finding is an error.")
    errors: int
    warnings: int
    findings: list[Finding]


@read_tool(
    title="QA campaign",
    summary="Launch-readiness check of one campaign: validation, missing content, personalization, links, schedule, delivery risks.",
    description=(
        "Launch-readiness check of one campaign: publish-time validation, missing content per platform/"
        "locale/variation, personalization (rendered for sample_user_ids, with event_attributes if "
        "given), links, UTM, schedule, delivery risks, email template and SMS length. Each finding says "
        "how to fix it. Never sends anything."
    ),
    args=QAArgs,
    output=QAOut,
)
async def qa_campaign(ws: Workspace, args: QAArgs, ctx: Context) -> CallToolResult:
    campaign = await ws.api.get_campaign(args.campaign_id)
    validation = None
    if campaign.status is Status.DRAFT and campaign.channel in WRITABLE_CHANNELS:
        validation = await ws.api.validate_campaign(campaign.id)
    previews = await _previews(ws.api, campaign, args)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    findings = run_checks(QAInput(campaign, now, validation, previews, bool(args.event_attributes)))
    errors = sum(f.severity == "error" for f in findings)
    out = QAOut(
        campaign_id=campaign.id,
        name=campaign.name,
        channel=text(campaign.channel),
        status=text(campaign.status),
        ready=errors == 0,
        errors=errors,
        warnings=sum(f.severity == "warning" for f in findings),
        findings=findings,
    )
    return result(out)


async def _previews(
    api: MoEngageClient, campaign: m.Campaign, args: QAArgs
) -> dict[str, list[RenderedBlock] | str]:
    """Render the campaign for each sample user; a user that cannot be rendered is reported, not fatal."""
    content = raw_content(campaign)
    if not args.sample_user_ids or campaign.channel not in PREVIEW_CHANNELS or content is None:
        return {}
    out: dict[str, list[RenderedBlock] | str] = {}

    async def render(user: str) -> None:
        request = preview_request(campaign.channel, content, user, args.user_id_type, args.event_attributes)
        try:
            rendered = await api.preview(request)
        except MoEngageError as exc:
            out[user] = exc.message
            return
        out[user] = rendered_blocks(m.CampaignContent.model_validate(rendered.personalized_content))

    async with anyio.create_task_group() as tg:
        for user in dict.fromkeys(args.sample_user_ids):
            tg.start_soon(render, user)
    return out


TOOLS = (qa_campaign,)
