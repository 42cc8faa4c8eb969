"""The read toolset: search, inspect, preview and validate campaigns. Nothing here changes state."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, ToolAnnotations

from ..api import Collected, MoEngageClient, collect, pages_of
from ..api import models as m
from ..api.enums import Channel
from .content import rendered_blocks, shorten, unresolved_fields
from .results import result
from .schemas import (
    CampaignArg,
    CampaignDetail,
    CampaignRow,
    ExecutionRow,
    ExecutionsArgs,
    ExecutionsResult,
    GetCampaignArgs,
    MetaArgs,
    MetaResult,
    MetaRowOut,
    Page,
    PreviewArgs,
    PreviewOut,
    RenderedBlock,
    SearchArgs,
    SearchResult,
    ShortenedField,
    ValidationOut,
    minute,
    text,
)
from .toolargs import flat_args

T = TypeVar("T")

READ = ToolAnnotations(read_only_hint=True, open_world_hint=True)
PREVIEW_CHANNELS = (Channel.PUSH, Channel.EMAIL, Channel.SMS)


async def walk(ctx: Context, fetch: Callable[[int], Awaitable[tuple[list[T], int | None]]], page: Page) -> Collected[T]:
    """Collect `page.max_results` rows from `page.offset`, reporting progress when it spans pages."""
    spans_pages = page.offset % m.PAGE_SIZE + page.max_results > m.PAGE_SIZE

    async def progress(done: int, target: int | None) -> None:
        await ctx.report_progress(done, target, f"{done} rows fetched")

    return await collect(fetch, max_items=page.max_results, offset=page.offset, on_page=progress if spans_pages else None)


def continuation(page: Page, got: Collected[Any]) -> dict[str, Any]:
    more = not got.exhausted
    return {"more": more, "next_offset": page.offset + len(got.items) if more else None}


def campaign_dict(campaign: m.Campaign) -> dict[str, Any]:
    """The campaign as the API sent it (unknown fields included), without empty values."""
    return campaign.model_dump(mode="json", exclude_unset=True, exclude_none=True)


def register_read_tools(server: MCPServer, api: MoEngageClient) -> None:
    @server.tool(
        title="Search campaigns",
        annotations=READ,
        description=(
            "Find campaigns by name, channel, status, delivery type, tags, creator, creation date or ids. "
            "Returns compact rows without content (times UTC); use get_campaign for one campaign in full "
            "and get_meta for reachability."
        ),
    )
    @flat_args(SearchArgs)
    async def search_campaigns(args: SearchArgs, ctx: Context) -> Annotated[CallToolResult, SearchResult]:
        got = await walk(ctx, pages_of(api.search_campaigns, args.search_request()), args)
        return result(SearchResult(campaigns=[CampaignRow.of(c) for c in got.items], **continuation(args, got)))

    @server.tool(
        title="Get campaign",
        annotations=READ,
        description=(
            "One campaign in full: content per platform/locale/variation, audience, schedule, delivery "
            "controls, goals. Long fields (email HTML) are shortened unless full=true."
        ),
    )
    @flat_args(GetCampaignArgs)
    async def get_campaign(args: GetCampaignArgs) -> Annotated[CallToolResult, CampaignDetail]:
        data = campaign_dict(await api.get_campaign(args.campaign_id))
        cut: list[ShortenedField] = []
        if not args.full:
            data, cut = shorten(data)
        return result(CampaignDetail(campaign=data, shortened=cut or None))

    @server.tool(
        title="List executions",
        annotations=READ,
        description=(
            "Runs of a periodic or business-event-triggered campaign (its child campaigns) with sent time and "
            "status, in the API's order (not guaranteed newest first), and total_instances. For failed or stuck "
            "recent runs across campaigns, campaign_report checks the newest runs for you."
        ),
    )
    @flat_args(ExecutionsArgs)
    async def list_executions(args: ExecutionsArgs, ctx: Context) -> Annotated[CallToolResult, ExecutionsResult]:
        async def fetch(page: int) -> tuple[list[m.Execution], int | None]:
            got = await api.list_executions(args.campaign_id, m.ExecutionsRequest(page=page))
            return got.executions, got.total_instances

        got = await walk(ctx, fetch, args)
        rows = [ExecutionRow(campaign_id=e.campaign_id, sent=minute(e.sent_time), status=text(e.status)) for e in got.items]
        return result(ExecutionsResult(total_instances=got.total, executions=rows, **continuation(args, got)))

    @server.tool(
        title="Get campaign meta and reachability",
        annotations=READ,
        description=(
            "Light metadata plus reachability (estimated users, refreshed daily) for scheduled one-time and "
            "event-triggered campaigns, by campaign_ids (one request each) or by filters."
        ),
    )
    @flat_args(MetaArgs)
    async def get_meta(args: MetaArgs, ctx: Context) -> Annotated[CallToolResult, MetaResult]:
        if args.campaign_ids:
            found = await _meta_by_ids(api, args)
            rows = [MetaRowOut.of(row) for found_rows in found.values() for row in found_rows]
            missing = [cid for cid, found_rows in found.items() if not found_rows]
            return result(MetaResult(campaigns=rows, more=False, not_found=missing or None))
        got = await walk(ctx, pages_of(api.get_meta, args.meta_request()), args)
        return result(MetaResult(campaigns=[MetaRowOut.of(r) for r in got.items], **continuation(args, got)))

    @server.tool(
        title="Personalized preview",
        annotations=READ,
        description=(
            "Render content for one user to check personalization: a saved campaign (campaign_id) or inline "
            "campaign_content with channel. Lists fields left empty or unresolved. Never sends anything."
        ),
    )
    @flat_args(PreviewArgs)
    async def personalized_preview(args: PreviewArgs) -> Annotated[CallToolResult, PreviewOut]:
        channel, content = await _preview_source(api, args)
        rendered = await api.preview(
            m.PreviewRequest(
                channel=channel,
                user_identification=m.UserIdentification(type=args.user_id_type, value=args.user_id),
                campaign_content=content,
                event_attributes=args.event_attributes,
            )
        )
        blocks = rendered_blocks(m.CampaignContent.model_validate(rendered.personalized_content))
        unresolved = unresolved_fields(blocks)
        cut: list[ShortenedField] = []
        if not args.full:
            blocks, cut = _shorten_blocks(blocks)
        out = PreviewOut(
            channel=channel.value, user_id=args.user_id, blocks=blocks, unresolved=unresolved or None, shortened=cut or None
        )
        return result(out)

    @server.tool(
        title="Validate campaign",
        annotations=READ,
        description="Run publish-time validation of a draft without changing it; lists every failing field.",
    )
    @flat_args(CampaignArg)
    async def validate_campaign(args: CampaignArg) -> Annotated[CallToolResult, ValidationOut]:
        checked = await api.validate_campaign(args.campaign_id)
        return result(ValidationOut(campaign_id=args.campaign_id, valid=checked.valid, errors=checked.errors or None))


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


async def _preview_source(api: MoEngageClient, args: PreviewArgs) -> tuple[Channel, dict[str, Any]]:
    """The channel and content to render: the saved campaign's, or the inline ones."""
    if args.campaign_id is None:
        assert args.channel is not None and args.campaign_content is not None  # checked by PreviewArgs
        return args.channel, args.campaign_content
    campaign = await api.get_campaign(args.campaign_id)
    if campaign.channel not in PREVIEW_CHANNELS:
        raise ToolError(f"Preview supports PUSH, EMAIL and SMS campaigns; this one is {text(campaign.channel)}")
    if campaign.campaign_content is None or not campaign.campaign_content.content:
        raise ToolError("This campaign has no content yet, so there is nothing to preview")
    raw = campaign.campaign_content.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    return Channel(campaign.channel), raw


def _shorten_blocks(blocks: list[RenderedBlock]) -> tuple[list[RenderedBlock], list[ShortenedField]]:
    short, cut = shorten([b.model_dump() for b in blocks])
    for field in cut:
        field.path = "blocks" + (field.path if field.path.startswith("[") else f".{field.path}")
    return [RenderedBlock.model_validate(b) for b in short], cut
