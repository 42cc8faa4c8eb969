"""`personalized_preview`: content rendered for one user, saved or inline; never sends."""

from __future__ import annotations

from typing import Any, Literal

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult
from pydantic import BaseModel, Field, model_validator

from ...api import MoEngageClient
from ...api import models as m
from ...api.enums import Channel, PreviewIdentifier
from ...apps import PreviewView, personalized_view
from ..args import Args, UserId
from ..core.content import (
    PREVIEW_CHANNELS,
    RenderedBlock,
    ShortenedField,
    preview_request,
    raw_content,
    rendered_blocks,
    shorten,
    shorten_to_fit,
    unresolved_fields,
)
from ..core.text import text
from ..listing import MAX_RESULT_CHARS
from ..previews import PREVIEW_TOOL_META, with_preview
from ..registry import read_tool
from ..results import result, result_size
from ..workspace import Workspace


class PreviewArgs(Args):
    user_id: UserId = Field(description="The user to render for.")
    user_id_type: PreviewIdentifier = PreviewIdentifier.USER_ATTRIBUTE_UNIQUE_ID
    campaign_id: m.CampaignId | None = None
    campaign_content: dict[str, Any] | None = None
    channel: Literal[Channel.PUSH, Channel.EMAIL, Channel.SMS] | None = None
    event_attributes: dict[str, str] | None = None
    full: bool = Field(False, description="Return long fields whole.")

    @model_validator(mode="after")
    def _one_source(self) -> PreviewArgs:
        if (self.campaign_id is None) == (self.campaign_content is None):
            raise ValueError("give campaign_id or campaign_content (exactly one)")
        if self.campaign_content is not None and self.channel is None:
            raise ValueError("inline campaign_content needs channel")
        return self


class PreviewOut(BaseModel):
    channel: str
    user_id: str
    blocks: list[RenderedBlock]
    unresolved: list[str] | None = Field(
        None, description="Fields empty or still holding {{...}} after rendering."
    )
    shortened: list[ShortenedField] | None = None


@read_tool(
    title="Personalized preview",
    summary="Render a campaign's content for one user and list fields left empty or unresolved; never sends.",
    description=(
        "Render content for one user to check personalization: a saved campaign (campaign_id) or inline "
        "campaign_content with channel. Lists fields left empty or unresolved. Never sends anything."
    ),
    args=PreviewArgs,
    output=PreviewOut,
    meta=PREVIEW_TOOL_META,
)
async def personalized_preview(ws: Workspace, args: PreviewArgs, ctx: Context) -> CallToolResult:
    campaign, channel, content = await _preview_source(ws.api, args)
    rendered = await ws.api.preview(
        preview_request(channel, content, args.user_id, args.user_id_type, args.event_attributes)
    )
    personalized = m.CampaignContent.model_validate(rendered.personalized_content)
    blocks = rendered_blocks(personalized)
    unresolved = unresolved_fields(blocks)
    blocks, cut = _shorten_blocks(blocks, whole=args.full)
    out = PreviewOut(
        channel=channel.value,
        user_id=args.user_id,
        blocks=blocks,
        unresolved=unresolved or None,
        shortened=cut or None,
    )

    def view() -> PreviewView:
        return personalized_view(
            channel,
            personalized,
            user_id=args.user_id,
            user_id_type=args.user_id_type,
            template=campaign.campaign_content if campaign else m.CampaignContent.model_validate(content),
            platforms=campaign.basic_details.platforms if campaign else (),
            campaign=campaign,
        )

    return with_preview(result(out), ctx, view)


async def _preview_source(
    api: MoEngageClient, args: PreviewArgs
) -> tuple[m.Campaign | None, Channel, dict[str, Any]]:
    """The campaign (None for inline content), the channel and the content to render."""
    if args.campaign_id is None:
        assert args.channel is not None and args.campaign_content is not None  # checked by PreviewArgs
        return None, args.channel, args.campaign_content
    campaign = await api.get_campaign(args.campaign_id)
    if campaign.channel not in PREVIEW_CHANNELS:
        raise ToolError(
            f"Preview supports PUSH, EMAIL and SMS campaigns; this one is {text(campaign.channel)}"
        )
    content = raw_content(campaign)
    if content is None:
        raise ToolError("This campaign has no content yet, so there is nothing to preview")
    return campaign, Channel(campaign.channel), content


def _shorten_blocks(
    blocks: list[RenderedBlock], *, whole: bool
) -> tuple[list[RenderedBlock], list[ShortenedField]]:
    """Long fields shortened, or with `whole` kept as long as the result's size allows."""
    dumped = [b.model_dump() for b in blocks]
    short, cut = shorten_to_fit(dumped, MAX_RESULT_CHARS, result_size) if whole else shorten(dumped)
    for field in cut:
        field.path = "blocks" + (field.path if field.path.startswith("[") else f".{field.path}")
    return [RenderedBlock.model_validate(b) for b in short], cut


TOOLS = (personalized_preview,)
