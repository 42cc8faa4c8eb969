"""`campaign_report`: the whole picture of a workspace (or a filtered part) in one answer.

Counts by status × channel × delivery type, what is scheduled next with its reach, periodic
campaigns whose runs failed or got stuck, and optionally the best and worst performers. All
paging, joining and judging happens here, so the model gets a short, correct answer. A part the
API refuses (runs of a UI-created campaign, stats disabled, meta) is reported as unavailable, and
the rest still comes back.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

import anyio
from pydantic import BaseModel

from ...api import MoEngageClient, collect, pages_of
from ...api import models as m
from ...api.enums import AttributionType, DeliveryType, ExecutionStatus, MetricType, Status
from .stats import (
    MAX_STATS_CALLS,
    Counts,
    attempt,
    counted_goals,
    fetch_stats,
    listed_goals,
    merge,
    primary_goal,
    rate,
    rows,
    windows,
)
from .text import minute, printable, text

Metric = Literal["ctr", "cvr", "clicks", "conversions", "sent", "delivery_rate"]
STUCK_AFTER = dt.timedelta(hours=6)
"""A run still `Sending` this long after its send time is reported as stuck."""
RUN_LIMIT = 150
"""Runs inspected per periodic campaign (the newest)."""
STATS_LIMIT = 100
"""Campaigns ranked by performance at most (10 stats calls per 31-day window); fewer when a long
period would need more than MAX_STATS_CALLS calls."""
PARENT_TYPES = (DeliveryType.PERIODIC, DeliveryType.BUSINESS_EVENT_TRIGGERED)
NOT_SENDING = (Status.DRAFT, Status.SCHEDULED)
SLACK = dt.timedelta(days=1)
"""Send times and stats dates need not share a time zone: a day either side is still 'in the period'."""


@dataclass(frozen=True)
class ReportQuery:
    """What to report on: the campaigns `search` finds (at most `max_campaigns`), what starts in the
    next `next_days`, and, with `rank_by`, the `top` best and worst performers from `start` to `end`."""

    search: m.SearchRequest
    max_campaigns: int
    next_days: int
    start: dt.date
    end: dt.date
    rank_by: Metric | None = None
    top: int = 3


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


class Unavailable(BaseModel):
    id: str
    name: str | None = None
    reason: str | None = None


class Performer(BaseModel):
    id: str
    name: str | None = None
    sent: int
    value: float | None = None


class Performers(BaseModel):
    metric: str
    period: str
    checked: int
    left_out: int
    unavailable: str | None = None
    top: list[Performer]
    bottom: list[Performer]


class ReportOut(BaseModel):
    total: int
    truncated: bool = False
    counts: list[CountRow]
    scheduled_next: list[Upcoming]
    reach_unavailable: str | None = None
    periodic_checked: int
    periodic_problems: list[RunProblems]
    executions_unavailable: list[Unavailable] | None = None
    performers: Performers | None = None


Progress = Callable[[str], Awaitable[None]]


async def build_report(
    api: MoEngageClient, args: ReportQuery, now: dt.datetime, progress: Progress
) -> ReportOut:
    campaigns, truncated = await _all_campaigns(api, args)
    await progress(f"{len(campaigns)} campaigns found")
    counts = Counter((text(c.status), text(c.channel), text(c.campaign_delivery_type)) for c in campaigns)
    count_rows = [
        CountRow(status=s or "?", channel=ch or "?", delivery_type=d or "?", n=n)
        for (s, ch, d), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    upcoming, reach_unavailable = await _scheduled_next(api, campaigns, args, now)
    parents = [
        c for c in campaigns if c.campaign_delivery_type in PARENT_TYPES and c.status is not Status.DRAFT
    ]
    problems, unavailable = await _run_problems(api, parents, now)
    await progress("executions checked")
    return ReportOut(
        total=len(campaigns),
        truncated=truncated,
        counts=count_rows,
        scheduled_next=upcoming,
        reach_unavailable=reach_unavailable,
        periodic_checked=len(parents),
        periodic_problems=problems,
        executions_unavailable=unavailable or None,
        performers=await _performers(api, campaigns, args) if args.rank_by else None,
    )


def stable_id(c: m.Campaign) -> str:
    """The id every version of a campaign shares (meta and stats key on it); search rows are versions."""
    return c.campaign_id or c.id


async def _all_campaigns(api: MoEngageClient, args: ReportQuery) -> tuple[list[m.Campaign], bool]:
    """The matching campaigns, newest version only: search returns every version's document."""
    got = await collect(pages_of(api.search_campaigns, args.search), max_items=args.max_campaigns)
    newest = {stable_id(c): c for c in sorted(got.items, key=lambda c: c.version_number or 0)}
    return [c for c in got.items if newest[stable_id(c)] is c], not got.exhausted


async def _scheduled_next(
    api: MoEngageClient, campaigns: list[m.Campaign], args: ReportQuery, now: dt.datetime
) -> tuple[list[Upcoming], str | None]:
    """Campaigns scheduled to start soon with their reach, and why reach is missing if meta failed."""
    horizon = now + dt.timedelta(days=args.next_days)
    soon = sorted(
        (
            c
            for c in campaigns
            if c.status is Status.SCHEDULED and c.start_time and now <= c.start_time <= horizon
        ),
        key=lambda c: c.start_time or now,
    )
    if not soon:
        return [], None
    request = m.MetaRequest(campaign_fields=m.MetaFields(status=[Status.SCHEDULED]))
    got, error = await attempt(collect(pages_of(api.get_meta, request), max_items=m.PAGE_SIZE * 20))
    meta = {
        row.campaign_id: row for row in sorted(got.items if got else [], key=lambda r: r.version_number or 0)
    }
    upcoming = [
        Upcoming(
            id=c.id,
            name=c.name,
            channel=text(c.channel),
            start=minute(c.start_time),
            reach=(
                r.reachability_details.count
                if (r := meta.get(stable_id(c))) and r.reachability_details
                else None
            ),
        )
        for c in soon
    ]
    return upcoming, error


async def _run_problems(
    api: MoEngageClient, parents: list[m.Campaign], now: dt.datetime
) -> tuple[list[RunProblems], list[Unavailable]]:
    """Parents with failed or stuck runs, and those whose runs the API would not list (it lists
    only API-created campaigns'): one refusal must not sink the report."""
    found: dict[str, RunProblems | Unavailable] = {}

    async def inspect(parent: m.Campaign) -> None:
        got, error = await attempt(_newest_runs(api, parent.id))
        if got is None:
            found[parent.id] = Unavailable(id=parent.id, name=parent.name, reason=error)
            return
        runs, total = got
        failed = [r for r in runs if r.status is ExecutionStatus.FAILED]
        stuck = [
            r for r in runs if r.status is ExecutionStatus.SENDING and _older(r.sent_time, now, STUCK_AFTER)
        ]
        if failed or stuck:
            latest = max((r.sent_time for r in failed if isinstance(r.sent_time, dt.datetime)), default=None)
            found[parent.id] = RunProblems(
                id=parent.id,
                name=parent.name,
                runs=total,
                failed=len(failed),
                stuck=len(stuck),
                last_failed=minute(latest),
            )

    async with anyio.create_task_group() as tg:
        for parent in parents:
            tg.start_soon(inspect, parent)
    listed = [found[p.id] for p in parents if p.id in found]
    return [x for x in listed if isinstance(x, RunProblems)], [
        x for x in listed if isinstance(x, Unavailable)
    ]


async def _newest_runs(api: MoEngageClient, parent_id: str) -> tuple[list[m.Execution], int]:
    """The newest RUN_LIMIT runs, newest first, and the total. The API promises no order (its sample
    is oldest-first, other answers newest-first): page 1 shows which end holds the newest runs."""
    first = await api.list_executions(parent_id, m.ExecutionsRequest(page=1))
    total = max(first.total_instances or 0, len(first.executions))
    last = -(-total // m.PAGE_SIZE)
    times = [_naive(r.sent_time) for r in first.executions]
    if times and times[0] < times[-1]:
        pages = range(max(2, (total - RUN_LIMIT) // m.PAGE_SIZE + 1), last + 1)
    else:
        pages = range(2, min(last, -(-RUN_LIMIT // m.PAGE_SIZE)) + 1)
    runs = list(first.executions)

    async def fetch(page: int) -> None:
        runs.extend((await api.list_executions(parent_id, m.ExecutionsRequest(page=page))).executions)

    async with anyio.create_task_group() as tg:
        for page in pages:
            tg.start_soon(fetch, page)
    return sorted(runs, key=lambda r: _naive(r.sent_time), reverse=True)[:RUN_LIMIT], total


def _naive(when: object) -> dt.datetime:
    """A comparable UTC time; unknown times sort as the oldest."""
    return m.naive_utc(when) if isinstance(when, dt.datetime) else dt.datetime.min


def _older(when: object, now: dt.datetime, age: dt.timedelta) -> bool:
    return isinstance(when, dt.datetime) and _naive(when) < m.naive_utc(now) - age


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


def _may_have_sent(c: m.Campaign, start: dt.date, end: dt.date) -> bool:
    """Whether the search row allows stats in start..end: not a draft or scheduled, started by the
    end, and a one-time campaign sent within the period. Filtering first spends the stats calls
    on campaigns that can rank, not on the newest-created ones."""
    began = c.start_time
    if c.status in NOT_SENDING or (began and began.date() > end + SLACK):
        return False
    sent = c.sent_time if c.campaign_delivery_type is DeliveryType.ONE_TIME else None
    return not isinstance(sent, dt.datetime) or start - SLACK <= sent.date() <= end + SLACK


async def _performers(api: MoEngageClient, campaigns: list[m.Campaign], args: ReportQuery) -> Performers:
    """Top and bottom (never the same campaign) among those that may have sent in the period, at
    most STATS_LIMIT and MAX_STATS_CALLS calls; the rest are counted in `left_out`."""
    assert args.rank_by is not None
    start, end = args.start, args.end
    eligible = [c for c in campaigns if _may_have_sent(c, start, end)]
    limit = min(STATS_LIMIT, MAX_STATS_CALLS // len(windows(start, end)) * m.STATS_MAX_CAMPAIGNS)
    chosen = {stable_id(c): c for c in eligible[:limit]}
    period, left_out = f"{start}..{end}", len(eligible) - len(chosen)
    out = Performers(
        metric=args.rank_by, period=period, checked=len(chosen), left_out=left_out, top=[], bottom=[]
    )
    stats = fetch_stats(api, list(chosen), start, end, AttributionType.VIEW_THROUGH, MetricType.TOTAL)
    responses, out.unavailable = await attempt(stats)
    if responses is None:
        return out
    primary = {cid: goal for cid, c in chosen.items() if (goal := primary_goal(c))}
    merged = rows(merge(responses, counted_goals(listed_goals(responses), primary)), "campaign")
    ranked = [
        Performer(id=chosen[key[0]].id, name=chosen[key[0]].name, sent=c.sent, value=value)
        for key, c in merged.items()
        if c.sent and key[0] in chosen and (value := metric_value(c, args.rank_by)) is not None
    ]
    ranked.sort(key=lambda p: -(p.value or 0))
    out.top, out.bottom = ranked[: args.top], ranked[args.top :][-args.top :][::-1]
    return out


def markdown(out: ReportOut, args: ReportQuery) -> str:
    lines = [f"**{out.total} campaigns**" + (" (more exist: raise max_campaigns)" if out.truncated else "")]
    lines += ["", "| status | channel | type | n |", "|---|---|---|---:|"]
    lines += [f"| {r.status} | {r.channel} | {r.delivery_type} | {r.n} |" for r in out.counts]
    soon = f"**Scheduled to start in the next {args.next_days} days** ({len(out.scheduled_next)}"
    lines += ["", soon + "; recurring runs of active periodic/event campaigns not listed)"]
    if out.scheduled_next:
        lines += ["| start UTC | campaign | channel | reach |", "|---|---|---|---:|"]
        lines += [
            f"| {u.start} | {_cell(u.name)} | {u.channel} | {_num(u.reach)} |" for u in out.scheduled_next
        ]
    if out.reach_unavailable:
        lines.append(f"Reach unavailable: {_cell(out.reach_unavailable, 160)}")
    lines += [
        "",
        f"**Periodic runs** ({out.periodic_checked} campaigns checked, {len(out.periodic_problems)} with problems)",
    ]
    if out.periodic_problems:
        lines += ["| campaign | runs | failed | stuck | last failure |", "|---|---:|---:|---:|---|"]
        lines += [
            f"| {_cell(p.name)} | {p.runs} | {p.failed} | {p.stuck} | {p.last_failed or ''} |"
            for p in out.periodic_problems
        ]
    if gone := out.executions_unavailable:
        names = ", ".join(_cell(u.name or u.id) for u in gone[:5]) + (" …" if len(gone) > 5 else "")
        lines.append(f"Executions unavailable for {len(gone)} ({_cell(gone[0].reason, 160)}): {names}")
    if out.performers:
        lines += ["", *_performer_lines(out.performers)]
    return "\n".join(lines)


def _performer_lines(p: Performers) -> list[str]:
    lines = [f"**By {p.metric}, {p.period}** ({p.checked} campaigns checked)"]
    if p.unavailable:
        return [*lines, f"Unavailable: {_cell(p.unavailable, 160)}"]
    if p.left_out:
        lines.append(
            f"{p.left_out} more that may have sent were not checked (limit): narrow the filters or period"
        )
    if p.top:
        lines += ["| rank | campaign | sent | value |", "|---|---|---:|---:|"]
        lines += [
            f"| top {i} | {_cell(x.name)} | {_num(x.sent)} | {x.value} |" for i, x in enumerate(p.top, 1)
        ]
        lines += [
            f"| bottom {i} | {_cell(x.name)} | {_num(x.sent)} | {x.value} |"
            for i, x in enumerate(p.bottom, 1)
        ]
    return lines


def _cell(value: str | None, width: int = 60) -> str:
    """Workspace text fit for one markdown table cell: printable, no column bar, at most `width` long."""
    return printable(value or "").replace("|", "/")[:width]


def _num(value: int | None) -> str:
    return f"{value:,}" if value is not None else "n/a"
