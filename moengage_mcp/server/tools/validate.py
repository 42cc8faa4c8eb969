"""`validate_campaign`: publish-time validation of a draft, changing nothing."""

from __future__ import annotations

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel

from ...api import models as m
from ..args import CampaignArg
from ..registry import read_tool
from ..results import result
from ..workspace import Workspace


class ValidationOut(BaseModel):
    campaign_id: str
    valid: bool
    errors: list[m.ValidationIssue] | None = None


@read_tool(
    title="Validate campaign",
    summary="Publish-time validation of a draft without changing it; lists every failing field.",
    description="Run publish-time validation of a draft without changing it; lists every failing field.",
    args=CampaignArg,
    output=ValidationOut,
)
async def validate_campaign(ws: Workspace, args: CampaignArg, ctx: Context) -> CallToolResult:
    checked = await ws.api.validate_campaign(args.campaign_id)
    return result(
        ValidationOut(campaign_id=args.campaign_id, valid=checked.valid, errors=checked.errors or None)
    )


TOOLS = (validate_campaign,)
