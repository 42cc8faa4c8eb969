"""`get_meta`: light metadata and reachability, by ids or by filters (V1 meta)."""

from __future__ import annotations

import anyio
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel

from ...api import MoEngageClient, pages_of
from ...api import models as m
from ..args import Page
from ..core.text import minute, text
from ..filters import MetaFilters
from ..listing import Continuation, continuation, walk
from ..registry import read_tool
from ..results import result
from ..workspace import Workspace


class MetaArgs(MetaFilters, Page):
    pass


class Reach(BaseModel):
    count: int | None = None
    updated: str | None = None


class MetaRowOut(BaseModel):
    id: str
    name: str | None = None
    channel: str | None = None
    platforms: list[str] | None = None
    delivery_type: str | None = None
    status: str | None = None
    start: str | None = None
    team: str | None = None
    tags: list[str] | None = None
    reachability: Reach | None = None
    parent_id: str | None = None
    children: int | None = None

    @classmethod
    def of(cls, r: m.MetaRow) -> MetaRowOut:
        reach = r.reachability_details
        return cls(
            id=r.campaign_id,
            name=r.campaign_name,
            channel=text(r.channel),
            platforms=[text(p) for p in r.platform] or None,
            delivery_type=text(r.campaign_delivery_type),
            status=text(r.campaign_status),
            start=minute(r.campaign_start_time),
            team=r.campaign_team,
            tags=r.campaign_tags or None,
            reachability=Reach(count=reach.count, updated=minute(reach.last_updated_time)) if reach else None,
            parent_id=r.parent_campaign_id,
            children=r.total_child_campaigns,
        )


class MetaResult(Continuation):
    campaigns: list[MetaRowOut]
    not_found: list[str] | None = None


@read_tool(
    title="Get campaign meta and reachability",
    summary="Light metadata plus reachability (estimated users) for scheduled and event-triggered campaigns.",
    description=(
        "Light metadata plus reachability (estimated users, refreshed daily) for scheduled one-time and "
        "event-triggered campaigns, by campaign_ids (one request each) or by filters."
    ),
    args=MetaArgs,
    output=MetaResult,
)
async def get_meta(ws: Workspace, args: MetaArgs, ctx: Context) -> CallToolResult:
    if args.campaign_ids:
        found = await _meta_by_ids(ws.api, args)
        rows = [MetaRowOut.of(row) for found_rows in found.values() for row in found_rows]
        missing = [cid for cid, found_rows in found.items() if not found_rows]
        return result(MetaResult(campaigns=rows, more=False, not_found=missing or None))
    got = await walk(ctx, pages_of(ws.api.get_meta, args.meta_request()), args)
    return result(MetaResult(campaigns=[MetaRowOut.of(r) for r in got.items], **continuation(args, got)))


async def _meta_by_ids(api: MoEngageClient, args: MetaArgs) -> dict[str, list[m.MetaRow]]:
    """V1 meta filters by one id at a time: ask for each id concurrently (the limiter paces them).
    Rows by the id asked for, in the order given (a versioned campaign answers with its stable id)."""
    ids = list(dict.fromkeys(args.campaign_ids or []))
    found: dict[str, list[m.MetaRow]] = {}

    async def one(campaign_id: str) -> None:
        found[campaign_id] = await api.get_meta(args.meta_request(campaign_id))

    async with anyio.create_task_group() as tg:
        for campaign_id in ids:
            tg.start_soon(one, campaign_id)
    return {cid: found[cid] for cid in ids}


TOOLS = (get_meta,)
