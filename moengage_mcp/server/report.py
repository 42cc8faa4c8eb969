"""`campaign_report`: the whole picture of a workspace (or a filtered part) in one answer.

Counts by status × channel × delivery type, what is scheduled next with its reach, periodic
campaigns whose runs failed or got stuck, and optionally the best and worst performers. All
paging, joining and judging happens here, so the model gets a short, correct answer.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Literal

import anyio
from pydantic import BaseModel, Field

from ..api import MoEngageClient, collect, pages_of
from ..api import models as m
from ..api.enums import AttributionType, DeliveryType, ExecutionStatus, MetricType, Status
from .schemas import Filters, minute, text
from .stats import Counts, fetch_stats, merge, rate, rows

Metric = Literal["ctr", "cvr", "clicks", "conversions", "sent", "delivery_rate"]
STUCK_AFTER = dt.timedelta(hours=6)
"""A run still `Sending` this long after its send time is reported as stuck."""
RUN_LIMIT = 150
"""Runs inspected per periodic campaign (the newest)."""
STATS_LIMIT = 100
"""Campaigns ranked by performance at most (10 stats calls per 30-day window)."""
PARENT_TYPES = (DeliveryType.PERIODIC, DeliveryType.BUSINESS_EVENT_TRIGGERED)
NOT_SENDING = (Status.DRAFT, Status.SCHEDULED)


class ReportArgs(Filters):
    next_days: int = Field(7, ge=1, le=90, description="Window for 'scheduled next'.")
    rank_by: Metric | None = Field(None, description="Also rank performers by this metric.")
    stats_from: dt.date | None = Field(None, description="Default: 30 days ago.")
    stats_to: dt.date | None = Field(None, description="Default: today.")
    top: int = Field(3, ge=1, le=10)
    max_campaigns: int = Field(1000, ge=1, le=5000)


class CountRow(BaseModel):
    status: str
    channel: str
    delivery_type: str
    n: int


class Upcoming(BaseModel):
    id: str
    name: str | None = None
    channel: str | None = None
    start: str | None = None
    reach: int | None = None


class RunProblems(BaseModel):
    id: str
    name: str | None = None
    runs: int
    failed: int
    stuck: int
    last_failed: str | None = None


class Performer(BaseModel):
    id: str
    name: str | None = None
    sent: int
    value: float | None = None


class Performers(BaseModel):
    metric: str
    period: str
    top: list[Performer]
    bottom: list[Performer]


class ReportOut(BaseModel):
    total: int
    truncated: bool = False
    counts: list[CountRow]
    scheduled_next: list[Upcoming]
    periodic_checked: int
    periodic_problems: list[RunProblems]
    performers: Performers | None = None


Progress = Callable[[str], Awaitable[None]]


async def build_report(api: MoEngageClient, args: ReportArgs, now: dt.datetime, progress: Progress) -> ReportOut:
    campaigns, truncated = await _all_campaigns(api, args)
    await progress(f"{len(campaigns)} campaigns found")
    counts = Counter((text(c.status), text(c.channel), text(c.campaign_delivery_type)) for c in campaigns)
    count_rows = [CountRow(status=s or "?", channel=ch or "?", delivery_type=d or "?", n=n) for (s, ch, d), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    upcoming = await _scheduled_next(api, campaigns, args, now)
    parents = [c for c in campaigns if c.campaign_delivery_type in PARENT_TYPES and c.status is not Status.DRAFT]
    problems = await _run_problems(api, parents, now)
    await progress("executions checked")
    performers = await _performers(api, campaigns, args, now) if args.rank_by else None
    return ReportOut(
        total=len(campaigns),
        truncated=truncated,
        counts=count_rows,
        scheduled_next=upcoming,
        periodic_checked=len(parents),
        periodic_problems=problems,
        performers=performers,
    )


async def _all_campaigns(api: MoEngageClient, args: ReportArgs) -> tuple[list[m.Campaign], bool]:
    got = await collect(pages_of(api.search_campaigns, args.search_request()), max_items=args.max_campaigns)
    return got.items, not got.exhausted


async def _scheduled_next(
    api: MoEngageClient, campaigns: list[m.Campaign], args: ReportArgs, now: dt.datetime
) -> list[Upcoming]:
    horizon = now + dt.timedelta(days=args.next_days)
    soon = sorted(
        (c for c in campaigns if c.status is Status.SCHEDULED and c.start_time and now <= c.start_time <= horizon),
        key=lambda c: c.start_time or now,
    )
    if not soon:
        return []
    request = m.MetaRequest(campaign_fields=m.MetaFields(status=[Status.SCHEDULED]))

    meta_rows = await collect(pages_of(api.get_meta, request), max_items=m.PAGE_SIZE * 20)
    meta = {row.campaign_id: row for row in meta_rows.items}
    return [
        Upcoming(
            id=c.id,
            name=c.name,
            channel=text(c.channel),
            start=minute(c.start_time),
            reach=(r.reachability_details.count if (r := meta.get(c.id)) and r.reachability_details else None),
        )
        for c in soon
    ]


async def _run_problems(api: MoEngageClient, parents: list[m.Campaign], now: dt.datetime) -> list[RunProblems]:
    found: dict[str, RunProblems] = {}

    async def inspect(parent: m.Campaign) -> None:
        async def fetch(page: int) -> tuple[list[m.Execution], int | None]:
            got = await api.list_executions(parent.id, m.ExecutionsRequest(page=page))
            return got.executions, got.total_instances

        runs = await collect(fetch, max_items=RUN_LIMIT)
        failed = [r for r in runs.items if r.status is ExecutionStatus.FAILED]
        stuck = [r for r in runs.items if r.status is ExecutionStatus.SENDING and _older(r.sent_time, now, STUCK_AFTER)]
        if failed or stuck:
            latest = max((r.sent_time for r in failed if isinstance(r.sent_time, dt.datetime)), default=None)
            found[parent.id] = RunProblems(
                id=parent.id,
                name=parent.name,
                runs=runs.total or len(runs.items),
                failed=len(failed),
                stuck=len(stuck),
                last_failed=minute(latest),
            )

    async with anyio.create_task_group() as tg:
        for parent in parents:
            tg.start_soon(inspect, parent)
    return [found[p.id] for p in parents if p.id in found]


def _older(when: object, now: dt.datetime, age: dt.timedelta) -> bool:
    return isinstance(when, dt.datetime) and when.replace(tzinfo=None) < now.replace(tzinfo=None) - age


def metric_value(counts: Counts, metric: Metric) -> float | None:
    values: dict[str, float | None] = {
        "ctr": rate(counts.clicks, counts.impressions),
        "cvr": rate(counts.conversions, counts.sent),
        "delivery_rate": rate(counts.delivered, counts.sent),
        "clicks": counts.clicks,
        "conversions": counts.conversions,
        "sent": counts.sent,
    }
    return values[metric]


async def _performers(api: MoEngageClient, campaigns: list[m.Campaign], args: ReportArgs, now: dt.datetime) -> Performers:
    assert args.rank_by is not None
    end = args.stats_to or now.date()
    start = args.stats_from or end - dt.timedelta(days=30)
    names = {c.id: c.name for c in campaigns if c.status not in NOT_SENDING}
    ids = list(names)[:STATS_LIMIT]
    merged = rows(merge(await fetch_stats(api, ids, start, end, AttributionType.VIEW_THROUGH, MetricType.TOTAL)), "campaign")
    ranked = sorted(
        (
            Performer(id=key[0], name=names.get(key[0]), sent=c.sent, value=metric_value(c, args.rank_by))
            for key, c in merged.items()
            if c.sent
        ),
        key=lambda p: (p.value is None, -(p.value or 0)),
    )
    valued = [p for p in ranked if p.value is not None]
    return Performers(
        metric=args.rank_by,
        period=f"{start}..{end}",
        top=valued[: args.top],
        bottom=list(reversed(valued[-args.top :])) if len(valued) > args.top else [],
    )


def markdown(out: ReportOut, args: ReportArgs) -> str:
    lines = [f"**{out.total} campaigns**" + (" (more exist: raise max_campaigns)" if out.truncated else "")]
    lines += ["", "| status | channel | type | n |", "|---|---|---|---:|"]
    lines += [f"| {r.status} | {r.channel} | {r.delivery_type} | {r.n} |" for r in out.counts]
    lines += ["", f"**Scheduled in the next {args.next_days} days** ({len(out.scheduled_next)})"]
    if out.scheduled_next:
        lines += ["| start UTC | campaign | channel | reach |", "|---|---|---|---:|"]
        lines += [f"| {u.start} | {_cell(u.name)} | {u.channel} | {_num(u.reach)} |" for u in out.scheduled_next]
    lines += ["", f"**Periodic runs** ({out.periodic_checked} campaigns checked, {len(out.periodic_problems)} with problems)"]
    if out.periodic_problems:
        lines += ["| campaign | runs | failed | stuck | last failure |", "|---|---:|---:|---:|---|"]
        lines += [f"| {_cell(p.name)} | {p.runs} | {p.failed} | {p.stuck} | {p.last_failed or ''} |" for p in out.periodic_problems]
    if out.performers:
        p = out.performers
        lines += ["", f"**By {p.metric}, {p.period}**", "| rank | campaign | sent | value |", "|---|---|---:|---:|"]
        lines += [f"| top {i} | {_cell(x.name)} | {_num(x.sent)} | {x.value} |" for i, x in enumerate(p.top, 1)]
        lines += [f"| bottom {i} | {_cell(x.name)} | {_num(x.sent)} | {x.value} |" for i, x in enumerate(p.bottom, 1)]
    return "\n".join(lines)


def _cell(value: str | None) -> str:
    return (value or "").replace("|", "/").replace("\n", " ")[:60]


def _num(value: int | None) -> str:
    return f"{value:,}" if value is not None else "n/a"

