"""`get_meta`: light metadata and reachability, by ids or by filters (V1 meta)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

import anyio
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel, Field

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
    answered_by: list[Literal["v1_meta", "v5_meta"]] = Field(description="V5 meta answers for drafts.")


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
        return result(await _by_ids(ws.api, args))
    if args.needs_v5_meta:
        got = await walk(ctx, pages_of(ws.api.get_meta_v5, args.meta_v5_request()), args)
        source = "v5_meta"
    else:
        got = await walk(ctx, pages_of(ws.api.get_meta, args.meta_request()), args)
        source = "v1_meta"
    rows = [MetaRowOut.of(r) for r in got.items]
    return result(MetaResult(campaigns=rows, answered_by=[source], **continuation(args, got)))


async def _by_ids(api: MoEngageClient, args: MetaArgs) -> MetaResult:
    """Each id through V1 meta, concurrently (the limiter paces them); the ids V1 meta has no row for
    (drafts, sending campaigns) through V5 meta. Rows in the order of the ids asked for (a versioned
    campaign answers with its stable id)."""
    ids = list(dict.fromkeys(args.campaign_ids or []))
    found = await _each(ids, lambda cid: api.get_meta(args.meta_request(cid)))
    sources = ["v1_meta"]
    if missing := [cid for cid in ids if not found[cid]]:
        found |= await _each(missing, lambda cid: api.get_meta_v5(args.meta_v5_request(cid)))
        sources.append("v5_meta")
    rows = [MetaRowOut.of(row) for cid in ids for row in found[cid]]
    not_found = [cid for cid in ids if not found[cid]]
    return MetaResult(campaigns=rows, more=False, not_found=not_found or None, answered_by=sources)


async def _each(
    ids: list[str], lookup: Callable[[str], Awaitable[list[m.MetaRow]]]
) -> dict[str, list[m.MetaRow]]:
    found: dict[str, list[m.MetaRow]] = {}

    async def one(campaign_id: str) -> None:
        found[campaign_id] = await lookup(campaign_id)

    async with anyio.create_task_group() as tg:
        for campaign_id in ids:
            tg.start_soon(one, campaign_id)
    return found


TOOLS = (get_meta,)
