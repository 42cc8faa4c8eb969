"""`search_campaigns`: find campaigns by any filter V5 search knows, as compact rows."""

from __future__ import annotations

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from ...api import models as m
from ...api import pages_of
from ..args import Page
from ..core.text import minute, text
from ..filters import Filters
from ..listing import Continuation, page_of, walk
from ..registry import read_tool
from ..results import result
from ..workspace import Workspace


class SearchArgs(Filters, Page):
    pass


class CampaignRow(BaseModel):
    id: str
    campaign_id: str | None = Field(None, description="Stable across versions, if not id.")
    version: int | None = None
    name: str | None = None
    channel: str | None = None
    delivery_type: str | None = None
    status: str | None = None
    start: str | None = None
    created: str | None = None
    updated: str | None = None
    tags: list[str] | None = None
    team: str | None = None
    parent_id: str | None = None
    flow_id: str | None = None

    @classmethod
    def of(cls, c: m.Campaign) -> CampaignRow:
        return cls(
            id=c.id,
            campaign_id=c.campaign_id if c.campaign_id and c.campaign_id != c.id else None,
            version=c.version_number,
            name=c.name,
            channel=text(c.channel),
            delivery_type=text(c.campaign_delivery_type),
            status=text(c.status),
            start=minute(c.start_time),
            created=minute(c.created_at),
            updated=minute(c.updated_at),
            tags=c.basic_details.tags or None,
            team=c.basic_details.team,
            parent_id=c.parent_id,
            flow_id=c.flow_id,
        )


class SearchResult(Continuation):
    campaigns: list[CampaignRow]


@read_tool(
    title="Search campaigns",
    summary="Find campaigns by name, channel, status, delivery type, tags, creator, creation date or ids; compact rows.",
    description=(
        "Find campaigns by name, channel, status, delivery type, tags, creator, creation date or ids: "
        "compact rows, no content, times UTC. One in full: get_campaign; reachability: get_meta."
    ),
    args=SearchArgs,
    output=SearchResult,
)
async def search_campaigns(ws: Workspace, args: SearchArgs, ctx: Context) -> CallToolResult:
    got = await walk(pages_of(ws.api.search_campaigns, args.search_request()), args)
    rows, more = page_of(args, got, [CampaignRow.of(c) for c in got.items])
    return result(SearchResult(campaigns=rows, **more))


TOOLS = (search_campaigns,)
