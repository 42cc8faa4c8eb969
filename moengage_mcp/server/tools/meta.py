"""`get_meta`: light metadata and reachability, by ids or by filters (V1 meta)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Literal

import anyio
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from ...api import MoEngageClient, pages_of
from ...api import models as m
from ...api.ratelimit import DeadlineReached
from ..args import Page
from ..core.text import minute, text
from ..filters import MetaFilters
from ..listing import Continuation, page_of, walk
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
    not_checked: list[str] | None = None
    answered_by: list[Literal["v1_meta", "v5_meta"]] = Field(description="V5 meta answers for drafts.")


@read_tool(
    title="Get campaign meta and reachability",
    summary="Light metadata plus reachability (estimated users) for scheduled and event-triggered campaigns.",
    description=(
        "Light metadata plus reachability (estimated users, refreshed daily) for scheduled one-time and "
        "event-triggered campaigns, by campaign_ids or by filters."
    ),
    args=MetaArgs,
    output=MetaResult,
)
async def get_meta(ws: Workspace, args: MetaArgs, ctx: Context) -> CallToolResult:
    if args.campaign_ids:
        return result(await _by_ids(ws.api, args))
    if args.needs_v5_meta:
        got = await walk(pages_of(ws.api.get_meta_v5, args.meta_v5_request()), args)
        source = "v5_meta"
    else:
        got = await walk(pages_of(ws.api.get_meta, args.meta_request()), args)
        source = "v1_meta"
    rows, more = page_of(args, got, [MetaRowOut.of(r) for r in got.items])
    return result(MetaResult(campaigns=rows, answered_by=[source], **more))


async def _by_ids(api: MoEngageClient, args: MetaArgs) -> MetaResult:
    """V1 meta for the ids, then V5 meta for those V1 has no row for (drafts, sending campaigns).
    Rows in the order of the ids asked for (a versioned campaign answers with its stable id). Ids
    a call's time did not reach are listed in `not_checked`."""
    ids = list(dict.fromkeys(args.campaign_ids or []))
    found, listed_all = await _listed(api, args, ids) if len(ids) > m.PAGE_SIZE else ({}, False)
    sources = ["v1_meta"]
    if v1_left := [cid for cid in ids if cid not in found and not listed_all]:
        found |= await _each(v1_left, lambda cid: api.get_meta(args.meta_request(cid)))
    if missing := [cid for cid in ids if found.get(cid) == [] or (listed_all and cid not in found)]:
        found = {cid: rows for cid, rows in found.items() if cid not in missing}
        found |= await _each(missing, lambda cid: api.get_meta_v5(args.meta_v5_request(cid)))
        sources.append("v5_meta")
    rows = [MetaRowOut.of(row) for cid in ids for row in found.get(cid, ())]
    not_found = [cid for cid in ids if found.get(cid) == []]
    not_checked = [cid for cid in ids if cid not in found]
    return MetaResult(
        campaigns=rows,
        more=bool(not_checked),
        cut="time" if not_checked else None,
        not_found=not_found or None,
        not_checked=not_checked or None,
        answered_by=sources,
    )


async def _listed(
    api: MoEngageClient, args: MetaArgs, ids: list[str]
) -> tuple[dict[str, list[m.MetaRow]], bool]:
    """Many ids: the rows V1 meta's listing holds for them, walked page by page while it pays (the
    pages so far found more ids than their number), and whether the listing was walked to its end.
    After the first page, the walk and the lookups left after it never cost more than one request per
    id: V1 meta allows 100 a minute, the most ids a call takes, so one more would wait a minute."""
    wanted, found = set(ids), dict[str, list[m.MetaRow]]()
    request = args.meta_request(any_status=True)
    page = 0
    with suppress(DeadlineReached):
        while wanted - found.keys() and (page == 0 or len(found) > page):
            page += 1
            rows = await api.get_meta(request.model_copy(update={"page": page}))
            for row in rows:
                if row.campaign_id in wanted:
                    found.setdefault(row.campaign_id, []).append(row)
            if len(rows) < m.PAGE_SIZE:
                return found, True
    return found, False


async def _each(
    ids: list[str], lookup: Callable[[str], Awaitable[list[m.MetaRow]]]
) -> dict[str, list[m.MetaRow]]:
    """Each id looked up at once (the limiter paces them); an id the call's time does not reach is
    left out."""
    found: dict[str, list[m.MetaRow]] = {}

    async def one(campaign_id: str) -> None:
        with suppress(DeadlineReached):
            found[campaign_id] = await lookup(campaign_id)

    async with anyio.create_task_group() as tg:
        for campaign_id in ids:
            tg.start_soon(one, campaign_id)
    return found


TOOLS = (get_meta,)
