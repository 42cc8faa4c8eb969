"""`search_campaigns`: find campaigns by any filter V5 search knows, as compact rows."""

from __future__ import annotations

from collections.abc import Sequence

import anyio
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from ...api import models as m
from ...api import pages_of
from ...api.paging import Collected
from ..args import Page
from ..core.text import minute, text
from ..filters import Filters
from ..listing import MAX_RESULT_CHARS, Continuation, page_of, walk
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


class SpanRow(CampaignRow):
    workspace: str


class SpanResult(BaseModel):
    """A search over several workspaces: `offset` and `max_results` apply to each of them."""

    campaigns: list[SpanRow]
    more: bool
    next_offsets: dict[str, int] | None = None
    """Per workspace with more: call again for that workspace with this offset."""


async def search_span(wss: Sequence[Workspace], args: SearchArgs, ctx: Context) -> CallToolResult:
    """The same search in every workspace at once (each on its own API budget); rows name their workspace,
    and each workspace gets an equal share of the result's size."""
    found: dict[str, SearchResult] = {}

    async def search(ws: Workspace) -> None:
        got = await walk(pages_of(ws.api.search_campaigns, args.search_request()), args)
        found[ws.name] = _page(args, got, MAX_RESULT_CHARS // len(wss))

    async with anyio.create_task_group() as tg:
        for ws in wss:
            tg.start_soon(search, ws)
    rows = [SpanRow(**row.model_dump(), workspace=ws.name) for ws in wss for row in found[ws.name].campaigns]
    offsets = {ws.name: found[ws.name].next_offset for ws in wss if found[ws.name].next_offset is not None}
    return result(SpanResult(campaigns=rows, more=bool(offsets), next_offsets=offsets or None))


def _page(args: SearchArgs, got: Collected[m.Campaign], budget: int = MAX_RESULT_CHARS) -> SearchResult:
    rows, more = page_of(args, got, [CampaignRow.of(c) for c in got.items], budget)
    return SearchResult(campaigns=rows, **more)


@read_tool(
    title="Search campaigns",
    summary="Find campaigns by name, channel, status, delivery type, tags, creator, creation date or ids; compact rows.",
    description=(
        "Find campaigns by name, channel, status, delivery type, tags, creator, creation date or ids: "
        "compact rows, no content, times UTC. One in full: get_campaign; reachability: get_meta."
    ),
    args=SearchArgs,
    output=SearchResult,
    span=search_span,
)
async def search_campaigns(ws: Workspace, args: SearchArgs, ctx: Context) -> CallToolResult:
    got = await walk(pages_of(ws.api.search_campaigns, args.search_request()), args)
    return result(_page(args, got))


TOOLS = (search_campaigns,)
