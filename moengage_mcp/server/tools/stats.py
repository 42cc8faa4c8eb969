"""`get_campaign_stats`: delivery and engagement numbers for any campaigns and date range."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult
from pydantic import BaseModel, Field, model_validator

from ...api import models as m
from ...api.enums import AttributionType, MetricType
from ...api.errors import found_in
from ..args import MAX_RESULTS, Args, Day, Text
from ..budget import progress
from ..core.stats import (
    MAX_STATS_CALLS,
    Breakdown,
    Counts,
    StatsIncomplete,
    StatsJob,
    batches,
    counted_goals,
    listed_goals,
    merge,
    primary_goals,
    rate,
    ratio,
    rows,
    windows,
)
from ..jobs import arguments_key
from ..listing import fitting
from ..registry import read_tool
from ..results import result
from ..workspace import Workspace

if sys.version_info < (3, 11):  # pragma: no cover
    from exceptiongroup import BaseExceptionGroup

UNIQUE_SUMMED = "unique counts summed over platforms may count a user once per platform"


Group = Literal["delivery", "engagement", "email", "conversions", "revenue", "uplift", "funnel", "failures"]
DEFAULT_GROUPS: tuple[Group, ...] = ("delivery", "engagement", "email", "conversions")
GROUPS: dict[str, tuple[str, ...]] = {
    "delivery": ("attempted", "sent", "delivered", "delivery_rate", "failed"),
    "engagement": (
        "impressions",
        "clicks",
        "ctr",
        "closed",
        "opens",
        "open_rate",
        "ctor",
        "reads",
        "read_rate",
    ),
    "email": (
        "bounces",
        "hard_bounces",
        "soft_bounces",
        "bounce_rate",
        "unsubscribes",
        "unsub_rate",
        "complaints",
        "complaint_rate",
    ),
    "conversions": ("conversions", "goal", "cvr"),
    "revenue": ("revenue", "aov", "arpu"),
    "uplift": ("uplift", "gcg_uplift"),
    "funnel": ("funnel",),
    "failures": ("failures",),
}
"""Each metric group and the row fields it shows (a field the API left out for the channel stays out)."""


class StatsArgs(Args):
    campaign_ids: list[m.CampaignId] | None = Field(
        None, min_length=1, max_length=200, description="Default: every campaign with stats in the period."
    )
    start_date: Day
    end_date: Day
    attribution_type: AttributionType = AttributionType.VIEW_THROUGH
    metric_type: MetricType = MetricType.TOTAL
    breakdown: Breakdown = Field("campaign", description="Rows per campaign, per platform, or per variation.")
    metrics: list[Group] | None = Field(
        None, description="Default: delivery, engagement, email, conversions."
    )
    max_results: int = Field(50, ge=1, le=MAX_RESULTS, description="Rows, most sent first.")
    resume: Text | None = Field(None, description="From a partial answer: continue it.")

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
        calls = periods * len(batches(list(dict.fromkeys(self.campaign_ids or [""]))))
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
    delivery_rate: float | None = None
    failed: int | None = None
    impressions: int | None = None
    clicks: int | None = None
    ctr: float | None = None
    closed: int | None = None
    opens: int | None = None
    open_rate: float | None = None
    ctor: float | None = None
    reads: int | None = None
    read_rate: float | None = None
    bounces: int | None = None
    hard_bounces: int | None = None
    soft_bounces: int | None = None
    bounce_rate: float | None = None
    unsubscribes: int | None = None
    unsub_rate: float | None = None
    complaints: int | None = None
    complaint_rate: float | None = None
    conversions: int | None = None
    goal: str | None = Field(None, description="The conversion goal counted: the primary one when known.")
    cvr: float | None = None
    revenue: float | None = None
    aov: float | None = None
    arpu: float | None = None
    uplift: float | None = Field(None, description="Against the campaign control group, % (one window only).")
    gcg_uplift: float | None = None
    funnel: dict[str, int] | None = None
    failures: dict[str, int] | None = None

    @classmethod
    def of(cls, key: tuple[str, ...], c: Counts, goal: str | None, shown: set[str]) -> StatsRow:
        names = dict(zip(("campaign_id", "platform", "locale", "variation"), key, strict=False))
        values: dict[str, Any] = {
            "attempted": c.attempted,
            "sent": c.sent,
            "delivered": c.delivered,
            "delivery_rate": rate(c.delivered, c.sent),
            "failed": c.failed,
            "impressions": c.impressions,
            "clicks": c.clicks,
            "ctr": rate(c.clicks, c.impressions),
            "closed": c.closed,
            "opens": c.opens,
            "open_rate": rate(c.opens, c.delivered),
            "ctor": rate(c.clicks, c.opens),
            "reads": c.reads,
            "read_rate": rate(c.reads, c.delivered),
            "bounces": c.bounces,
            "hard_bounces": c.hard_bounces,
            "soft_bounces": c.soft_bounces,
            "bounce_rate": rate(c.bounces, c.sent),
            "unsubscribes": c.unsubscribes,
            "unsub_rate": rate(c.unsubscribes, c.delivered),
            "complaints": c.complaints,
            "complaint_rate": rate(c.complaints, c.delivered),
            "conversions": c.conversions,
            "goal": goal if c.conversions is not None else None,
            "cvr": rate(c.conversions, c.sent),
            "revenue": round(c.revenue, 2) if c.revenue is not None else None,
            "aov": ratio(c.revenue, c.conversions),
            "arpu": c.once.get("arpu"),
            "uplift": c.once.get("uplift"),
            "gcg_uplift": c.once.get("gcg_uplift"),
            "funnel": c.funnel,
            "failures": c.failures,
        }
        return cls(**names, **{name: value for name, value in values.items() if name in shown})


class StatsOut(BaseModel):
    period: str
    rows: list[StatsRow]
    campaigns: int = Field(description="Campaigns with stats in the period.")
    more: bool = Field(description="True when rows were left out (max_results or size) or work remains.")
    cut: Literal["size"] | None = None
    resume: str | None = Field(
        None, description="Call again with the same arguments plus resume to continue."
    )
    no_data: list[str] | None = Field(
        None, description="Requested campaigns with nothing sent in the period."
    )
    note: str | None = None
    api_calls: int


@read_tool(
    title="Campaign stats",
    summary="Delivery, engagement (push impressions and clicks; email opens, bounces, unsubscribes), conversions and revenue for any campaigns and dates.",
    description=(
        "Numbers for any campaigns (default: every campaign with stats) and date range, per campaign, "
        "platform or variation, most sent first. metrics picks groups: delivery, engagement (push "
        "impressions/clicks, email opens/CTOR), email (bounces, unsubscribes, complaints), conversions "
        "(primary goal), revenue, uplift, funnel, failures. UNIQUE: at most 31 days."
    ),
    args=StatsArgs,
    output=StatsOut,
)
async def get_campaign_stats(ws: Workspace, args: StatsArgs, ctx: Context) -> CallToolResult:
    ids = list(dict.fromkeys(args.campaign_ids)) if args.campaign_ids else None
    key = arguments_key(args)
    job = ws.jobs.take(args.resume, key) if args.resume else None
    if job is None:
        job = StatsJob.plan(ids, args.start_date, args.end_date, args.attribution_type, args.metric_type)

    async def on_progress(done: int, total: int) -> None:
        await progress().report(f"{done} of {total} stats calls", done, total)

    with stats_errors():
        await job.advance(ws.api, on_progress)
    period = f"{args.start_date}..{args.end_date}"
    if not job.done:  # out of time: keep what is fetched, nothing is summed from a part
        handle = ws.jobs.keep(key, job)
        done = f"{len(job.responses)} of {job.planned} stats calls made"
        note = f"Partial: {done}; call again with resume to continue (no call is made twice)"
        out = StatsOut(
            period=period,
            rows=[],
            campaigns=0,
            more=True,
            resume=handle,
            note=note,
            api_calls=len(job.responses),
        )
        return result(out)
    responses = job.responses
    listed = listed_goals(responses)
    goals = counted_goals(listed, await primary_goals(ws.api, listed))
    cells = merge(responses, goals)
    merged = rows(cells, args.breakdown)
    found = {key[0] for key in merged}
    ordered = sorted(merged.items(), key=lambda item: (-(item[1].sent or 0), item[0]))
    shown = {name for group in args.metrics or DEFAULT_GROUPS for name in GROUPS[group]}
    listed_rows = [
        StatsRow.of(key, counts, goals.get(key[0]), shown) for key, counts in ordered[: args.max_results]
    ]
    kept = listed_rows[: fitting(listed_rows)]
    platforms_summed = args.breakdown == "campaign" and len({key[:2] for key in cells}) > len(found)
    out = StatsOut(
        period=period,
        rows=kept,
        campaigns=len(found),
        more=len(ordered) > len(kept),
        cut="size" if len(kept) < len(listed_rows) else None,
        no_data=[cid for cid in ids or [] if cid not in found] or None,
        note=UNIQUE_SUMMED if args.metric_type is MetricType.UNIQUE and platforms_summed else None,
        api_calls=len(responses),
    )
    return result(out)


@contextmanager
def stats_errors() -> Iterator[None]:
    """A plan too long to try is the caller's to narrow: a tool error saying how."""
    try:
        yield
    except (StatsIncomplete, BaseExceptionGroup) as exc:
        if (too_long := found_in(exc, StatsIncomplete)) is None:
            raise
        raise ToolError(f"Campaign stats not fetched: {too_long}") from None


TOOLS = (get_campaign_stats,)
