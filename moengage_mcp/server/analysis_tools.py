"""Reporting and QA tools: stats over any range, a workspace report, and launch-readiness checks.

All three are reads: they fetch, join and judge server-side so the model gets a short, correct
answer instead of raw pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.types import CallToolResult
from pydantic import BaseModel, Field, StringConstraints, model_validator

from ..api import MoEngageClient, MoEngageError
from ..api import models as m
from ..api.enums import AttributionType, MetricType, PreviewIdentifier, Status
from ..api.lifecycle import WRITABLE_CHANNELS
from .content import rendered_blocks
from .qa import Finding, QAInput, run_checks
from .read_tools import PREVIEW_CHANNELS, READ
from .report import ReportArgs, ReportOut, build_report, markdown
from .results import result
from .schemas import Args, RenderedBlock, text
from .stats import (
    MAX_STATS_CALLS,
    Breakdown,
    Counts,
    batches,
    counted_goals,
    fetch_stats,
    listed_goals,
    merge,
    primary_goals,
    rate,
    rows,
    windows,
)
from .toolargs import flat_args

UNIQUE_SUMMED = "unique counts summed over platforms may count a user once per platform"


class StatsArgs(Args):
    campaign_ids: list[m.CampaignId] = Field(min_length=1, max_length=200)
    start_date: dt.date
    end_date: dt.date
    attribution_type: AttributionType = AttributionType.VIEW_THROUGH
    metric_type: MetricType = MetricType.TOTAL
    breakdown: Breakdown = Field("campaign", description="Rows per campaign, per platform, or per variation.")

    @model_validator(mode="after")
    def _bounded(self) -> StatsArgs:
        if self.start_date > self.end_date:
            raise ValueError("start_date must not be after end_date")
        periods = len(windows(self.start_date, self.end_date))
        if self.metric_type is MetricType.UNIQUE and periods > 1:
            raise ValueError(
                "UNIQUE counts cannot be added across the API's 31-day windows (a user would count once per "
                "window): use metric_type TOTAL, or a range of at most 31 days"
            )
        calls = periods * len(batches(list(dict.fromkeys(self.campaign_ids))))
        if calls > MAX_STATS_CALLS:
            raise ValueError(
                f"this needs {calls} stats calls (the API takes 10 campaigns x 31 days per call, 100 calls/min); "
                f"ask for fewer campaigns or a shorter range (at most {MAX_STATS_CALLS} calls)"
            )
        return self


class StatsRow(BaseModel):
    campaign_id: str
    platform: str | None = None
    locale: str | None = None
    variation: str | None = None
    attempted: int | None = None
    sent: int | None = None
    delivered: int | None = None
    impressions: int | None = None
    clicks: int | None = None
    ctr: float | None = None
    conversions: int | None = None
    goal: str | None = Field(None, description="The conversion goal counted: the primary one when known.")
    cvr: float | None = None
    failed: int | None = None

    @classmethod
    def of(cls, key: tuple[str, ...], c: Counts, goal: str | None) -> StatsRow:
        names = dict(zip(("campaign_id", "platform", "locale", "variation"), key))
        return cls(
            **names,
            attempted=c.attempted,
            sent=c.sent,
            delivered=c.delivered,
            impressions=c.impressions,
            clicks=c.clicks,
            ctr=rate(c.clicks, c.impressions),
            conversions=c.conversions,
            goal=goal if c.conversions is not None else None,
            cvr=rate(c.conversions, c.sent),
            failed=c.failed,
        )


class StatsOut(BaseModel):
    period: str
    rows: list[StatsRow]
    no_data: list[str] | None = Field(None, description="Requested campaigns with nothing sent in the period.")
    note: str | None = None
    api_calls: int


class QAArgs(Args):
    campaign_id: m.CampaignId
    sample_user_ids: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]] = Field(
        [], max_length=5, description="Users to render personalization for."
    )
    user_id_type: PreviewIdentifier = PreviewIdentifier.USER_ATTRIBUTE_UNIQUE_ID
    event_attributes: dict[str, str] | None = Field(None, description="Trigger event's attributes to render with.")


class QAOut(BaseModel):
    campaign_id: str
    name: str | None = None
    channel: str | None = None
    status: str | None = None
    ready: bool = Field(description="True when no finding is an error.")
    errors: int
    warnings: int
    findings: list[Finding]


def register_analysis_tools(server: MCPServer, api: MoEngageClient) -> None:
    @server.tool(
        title="Campaign stats",
        annotations=READ,
        description=(
            "Delivery and engagement numbers (attempted, sent, delivered, impressions, clicks, CTR, conversions, "
            "CVR, failed) for any campaigns and date range, per campaign, platform or variation. Conversions "
            "count one goal, the campaign's primary one. metric_type UNIQUE: at most 31 days."
        ),
    )
    @flat_args(StatsArgs)
    async def get_campaign_stats(args: StatsArgs, ctx: Context) -> Annotated[CallToolResult, StatsOut]:
        ids = list(dict.fromkeys(args.campaign_ids))

        async def progress(done: int, total: int) -> None:
            await ctx.report_progress(done, total, f"{done} of {total} stats calls")

        responses = await fetch_stats(
            api, ids, args.start_date, args.end_date, args.attribution_type, args.metric_type, progress
        )
        listed = listed_goals(responses)
        goals = counted_goals(listed, await primary_goals(api, listed))
        cells = merge(responses, goals)
        merged = rows(cells, args.breakdown)
        found = {key[0] for key in merged}
        platforms_summed = args.breakdown == "campaign" and len({key[:2] for key in cells}) > len(found)
        out = StatsOut(
            period=f"{args.start_date}..{args.end_date}",
            rows=[StatsRow.of(key, counts, goals.get(key[0])) for key, counts in sorted(merged.items())],
            no_data=[cid for cid in ids if cid not in found] or None,
            note=UNIQUE_SUMMED if args.metric_type is MetricType.UNIQUE and platforms_summed else None,
            api_calls=len(responses),
        )
        return result(out)

    @server.tool(
        title="Campaign report",
        annotations=READ,
        description=(
            "Report over every campaign matching the filters: counts by status x channel x delivery type, what "
            "is scheduled to start next with reach (not recurring runs of active campaigns), periodic campaigns "
            "with failed or stuck runs, optionally top and bottom performers (rank_by) among at most 100 "
            "campaigns that may have sent in the stats period (the text says if some were left out). The text "
            "is a markdown summary to show as is."
        ),
    )
    @flat_args(ReportArgs)
    async def campaign_report(args: ReportArgs, ctx: Context) -> Annotated[CallToolResult, ReportOut]:
        steps = iter(range(1, 10))

        async def progress(message: str) -> None:
            await ctx.report_progress(next(steps), None, message)

        out = await build_report(api, args, _utc_now(), progress)
        return result(out, body=markdown(out, args))

    @server.tool(
        title="QA campaign",
        annotations=READ,
        description=(
            "Launch-readiness check of one campaign: publish-time validation, missing content per platform/"
            "locale/variation, personalization (rendered for sample_user_ids, with event_attributes if "
            "given), links, UTM, schedule, delivery risks, email template and SMS length. Each finding says "
            "how to fix it. Never sends anything."
        ),
    )
    @flat_args(QAArgs)
    async def qa_campaign(args: QAArgs) -> Annotated[CallToolResult, QAOut]:
        campaign = await api.get_campaign(args.campaign_id)
        validation = None
        if campaign.status is Status.DRAFT and campaign.channel in WRITABLE_CHANNELS:
            validation = await api.validate_campaign(campaign.id)
        previews = await _previews(api, campaign, args)
        findings = run_checks(QAInput(campaign, _utc_now(), validation, previews, bool(args.event_attributes)))
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


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


async def _previews(api: MoEngageClient, campaign: m.Campaign, args: QAArgs) -> dict[str, list[RenderedBlock] | str]:
    """Render the campaign for each sample user; a user that cannot be rendered is reported, not fatal."""
    content = campaign.campaign_content
    if not args.sample_user_ids or campaign.channel not in PREVIEW_CHANNELS or not (content and content.content):
        return {}
    raw = content.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    out: dict[str, list[RenderedBlock] | str] = {}

    async def render(user: str) -> None:
        request = m.PreviewRequest(
            channel=campaign.channel,
            user_identification=m.UserIdentification(type=args.user_id_type, value=user),
            campaign_content=raw,
            event_attributes=args.event_attributes,
        )
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

