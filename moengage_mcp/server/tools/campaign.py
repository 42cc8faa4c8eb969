"""`get_campaign`: one campaign in full, long fields shortened unless asked for whole."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from ...api import models as m
from ...apps import campaign_view
from ..args import CampaignArg
from ..core.content import ShortenedField, shorten, shorten_to_fit
from ..listing import MAX_RESULT_CHARS
from ..previews import PREVIEW_TOOL_META, with_preview
from ..registry import read_tool
from ..results import result, result_size
from ..workspace import Workspace


class GetCampaignArgs(CampaignArg):
    full: bool = Field(False, description="Return long fields (email HTML) whole.")


class CampaignDetail(BaseModel):
    campaign: dict[str, Any]
    shortened: list[ShortenedField] | None = Field(
        None, description="Fields cut short; with full=true only if too large (the resource has them whole)."
    )


def campaign_dict(campaign: m.Campaign) -> dict[str, Any]:
    """The campaign as the API sent it (unknown fields included), without empty values."""
    return campaign.model_dump(mode="json", exclude_unset=True, exclude_none=True)


@read_tool(
    title="Get campaign",
    summary="One campaign in full: content per platform, locale and variation, audience, schedule, delivery controls, goals.",
    description=(
        "One campaign in full: content per platform/locale/variation, audience, schedule, delivery "
        "controls, goals. Long fields (email HTML) are shortened unless full=true."
    ),
    args=GetCampaignArgs,
    output=CampaignDetail,
    meta=PREVIEW_TOOL_META,
)
async def get_campaign(ws: Workspace, args: GetCampaignArgs, ctx: Context) -> CallToolResult:
    campaign = await ws.api.get_campaign(args.campaign_id)
    data = campaign_dict(campaign)
    data, cut = shorten_to_fit(data, MAX_RESULT_CHARS, result_size) if args.full else shorten(data)
    return with_preview(
        result(CampaignDetail(campaign=data, shortened=cut or None)), ctx, lambda: campaign_view(campaign)
    )


TOOLS = (get_campaign,)
