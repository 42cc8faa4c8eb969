"""`get_campaign_stats`: delivery and engagement numbers for any campaigns and date range."""

from __future__ import annotations

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult
from pydantic import BaseModel, Field, model_validator

from ...api import models as m
from ...api.enums import AttributionType, MetricType
from ..args import Args, Day
from ..core.stats import (
    MAX_STATS_CALLS,
    Breakdown,
    Counts,
    StatsIncomplete,
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
from ..registry import read_tool
from ..results import result
from ..workspace import Workspace

UNIQUE_SUMMED = "unique counts summed over platforms may count a user once per platform"


class StatsArgs(Args):
    campaign_ids: list[m.CampaignId] = Field(min_length=1, max_length=200)
    start_date: Day
    end_date: Day
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
        names = dict(zip(("campaign_id", "platform", "locale", "variation"), key, strict=False))
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
    no_data: list[str] | None = Field(
        None, description="Requested campaigns with nothing sent in the period."
    )
    note: str | None = None
    api_calls: int


@read_tool(
    title="Campaign stats",
    summary="Delivery and engagement numbers (sent, delivered, impressions, clicks, CTR, conversions) for any campaigns and dates.",
    description=(
        "Delivery and engagement numbers (attempted, sent, delivered, impressions, clicks, CTR, conversions, "
        "CVR, failed) for any campaigns and date range, per campaign, platform or variation. Conversions "
        "count one goal, the campaign's primary one. metric_type UNIQUE: at most 31 days."
    ),
    args=StatsArgs,
    output=StatsOut,
)
async def get_campaign_stats(ws: Workspace, args: StatsArgs, ctx: Context) -> CallToolResult:
    ids = list(dict.fromkeys(args.campaign_ids))

    async def progress(done: int, total: int) -> None:
        await ctx.report_progress(done, total, f"{done} of {total} stats calls")

    try:
        responses = await fetch_stats(
            ws.api, ids, args.start_date, args.end_date, args.attribution_type, args.metric_type, progress
        )
    except StatsIncomplete as exc:
        raise ToolError(f"Campaign stats incomplete, so none are shown: {exc}") from None
    listed = listed_goals(responses)
    goals = counted_goals(listed, await primary_goals(ws.api, listed))
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


TOOLS = (get_campaign_stats,)
