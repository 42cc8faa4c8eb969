"""Campaign stats for any number of campaigns and any date range.

The API answers at most 10 campaigns and 31 calendar days (end - start <= 30) per call and nests
its numbers per platform, locale and variation. Here the range is cut into consecutive windows,
the campaigns into batches, every count is summed back together, and the rates are recomputed
from the sums (a rate cannot be added): CTR = clicks / impressions, CVR = conversions / sent,
delivery rate = delivered / sent, open rate = opens / delivered, CTOR = clicks / opens, as MoEngage
defines them. A metric the API leaves out stays None, so no rate is computed from a missing number
and each channel shows what it has (opens and bounces for email, impressions for push).
Conversions are one goal's (the campaign's primary goal): goals overlap, so adding them would count
one buyer several times. Figures that cannot be added at all (uplift against the control groups,
revenue per converted user) are shown only for a cell the API answered once, never for a sum.
The control groups' own cells are not sends and are left out of every sum.

Without campaign ids the API answers for every campaign with stats in the period, ten a page:
each window's first page says how many pages there are, and the rest follow.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any, Literal, TypeVar

import anyio
import anyio.abc

from ...api import MoEngageClient, MoEngageError, collect, pages_of
from ...api import models as m
from ...api.enums import AttributionType, MetricType
from ...api.errors import found_in
from ...api.ratelimit import DeadlineReached

if sys.version_info < (3, 11):  # pragma: no cover
    from exceptiongroup import BaseExceptionGroup

T = TypeVar("T")
Breakdown = Literal["campaign", "platform", "variation"]
ALL_LOCALES, ALL_VARIATIONS = "all_locales", "all_variations"
MAX_STATS_CALLS = 300
"""Three minutes of the stats API's 100 calls/minute: beyond that, ask for a narrower question."""


def windows(start: dt.date, end: dt.date, days: int = m.STATS_MAX_DAYS) -> list[tuple[dt.date, dt.date]]:
    """Consecutive inclusive windows covering start..end, each with end - start <= `days`."""
    out = []
    while start <= end:
        stop = min(end, start + dt.timedelta(days=days))
        out.append((start, stop))
        start = stop + dt.timedelta(days=1)
    return out


def batches(ids: list[str], size: int = m.STATS_MAX_CAMPAIGNS) -> list[list[str]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _add(a: Any, b: Any) -> Any:
    """A sum where a missing side leaves the other; mappings add key by key."""
    if a is None or b is None:
        return b if a is None else a
    if isinstance(a, dict):
        return {key: _add(a.get(key), b.get(key)) for key in {**a, **b}}
    return a + b


@dataclass
class Counts:
    """Additive counts of one cell (campaign × platform × locale × variation); None when absent.
    `once` holds the API's own figures that cannot be added, kept only while `cells` is 1."""

    attempted: int | None = None
    sent: int | None = None
    failed: int | None = None
    delivered: int | None = None
    impressions: int | None = None
    clicks: int | None = None
    closed: int | None = None
    opens: int | None = None
    reads: int | None = None
    bounces: int | None = None
    hard_bounces: int | None = None
    soft_bounces: int | None = None
    unsubscribes: int | None = None
    complaints: int | None = None
    conversions: int | None = None
    revenue: float | None = None
    funnel: dict[str, int] | None = None
    failures: dict[str, int] | None = None
    cells: int = 0
    once: dict[str, float] = field(default_factory=dict)

    def __add__(self, other: Counts) -> Counts:
        added = {
            f.name: _add(getattr(self, f.name), getattr(other, f.name))
            for f in fields(self)
            if f.name != "once"
        }
        once = (self.once or other.once) if added["cells"] == 1 else {}
        return Counts(**added, once=once)

    @classmethod
    def of(cls, leaf: m.VariationStats, goal: str | None) -> Counts:
        p = leaf.performance_stats or m.PerformanceStats()
        converted = leaf.conversion_goal_stats.get(goal) if goal else None
        funnel = leaf.delivery_funnel.model_dump(exclude_none=True) if leaf.delivery_funnel else None
        once = {
            name: value
            for name, value in (
                ("uplift", converted.uplift if converted else None),
                ("gcg_uplift", converted.gcg_uplift if converted else None),
                ("arpu", converted.average_revenue_per_user if converted else None),
            )
            if value is not None
        }
        return cls(
            attempted=p.attempted,
            sent=p.sent,
            failed=p.failed,
            delivered=p.delivered,
            impressions=p.impression,
            clicks=p.click,
            closed=p.closed_click,
            opens=p.opened,
            reads=p.read,
            bounces=p.bounced,
            hard_bounces=p.hard_bounce,
            soft_bounces=p.soft_bounce,
            unsubscribes=p.unsubscribe,
            complaints=p.complaint,
            conversions=converted.conversions if converted else None,
            revenue=converted.revenue if converted else None,
            funnel=funnel or None,
            failures=dict(leaf.failure_breakdown) or None,
            cells=1,
            once=once,
        )


CellKey = tuple[str, str, str, str]
"""(campaign id, platform, locale, variation); aggregates use the API's all_locales / all_variations."""


CONTROL_GROUPS = ("campaign_control_group", "global_control_group")
"""Cells of the users held back (their conversions, that uplift is measured against): not sends."""


def _leaves(response: m.StatsResponse) -> Iterator[tuple[CellKey, m.VariationStats]]:
    for campaign_id, entries in response.data.items():
        for entry in entries:
            for platform, by_platform in entry.platforms.items():
                for locale, by_locale in by_platform.locales.items():
                    for variation, leaf in by_locale.variations.items():
                        if variation not in CONTROL_GROUPS:
                            yield (campaign_id, platform, locale, variation), leaf


def listed_goals(responses: list[m.StatsResponse]) -> dict[str, list[str]]:
    """Goal names per campaign, in the order the API lists them."""
    listed: dict[str, dict[str, None]] = {}
    for response in responses:
        for (campaign_id, *_), leaf in _leaves(response):
            listed.setdefault(campaign_id, {}).update(dict.fromkeys(leaf.conversion_goal_stats))
    return {cid: list(names) for cid, names in listed.items()}


def counted_goals(listed: dict[str, list[str]], primary: dict[str, str]) -> dict[str, str]:
    """The one goal each campaign's conversions count, the same in every window and cell: its
    primary goal when known and reported, else the first goal the API lists."""
    return {
        cid: primary[cid] if primary.get(cid) in names else names[0] for cid, names in listed.items() if names
    }


def primary_goal(campaign: m.Campaign) -> str | None:
    goals = campaign.conversion_goal_details.goals if campaign.conversion_goal_details else []
    return next((goal.goal_name for goal in goals if goal.is_primary_goal), None)


async def primary_goals(api: MoEngageClient, listed: dict[str, list[str]]) -> dict[str, str]:
    """Primary goals of the campaigns that report several goals: the stats do not mark the primary
    one, the campaign documents do. Best effort: without them the first listed goal counts."""
    several = sorted(cid for cid, names in listed.items() if len(names) > 1)
    known = [doc for cid in several if (doc := api.cached_campaign(cid)) is not None]  # e.g. from a search
    missing = sorted(set(several) - {doc.id for doc in known})
    docs = list(known)
    if missing:
        request = m.SearchRequest(campaign_fields=m.SearchFields(ids=missing), include_archive_campaigns=True)
        found, _ = await attempt(collect(pages_of(api.search_campaigns, request), max_items=m.PAGE_SIZE * 20))
        docs += found.items if found else []
    goals: dict[str, str] = {}
    for doc in sorted(docs, key=lambda c: c.version_number or 0):
        if goal := primary_goal(doc):
            goals.update({doc.id: goal, doc.campaign_id or doc.id: goal})
    return goals


def merge(responses: list[m.StatsResponse], goals: dict[str, str]) -> dict[CellKey, Counts]:
    total: dict[CellKey, Counts] = {}
    for response in responses:
        for key, leaf in _leaves(response):
            total[key] = total.get(key, Counts()) + Counts.of(leaf, goals.get(key[0]))
    return total


def rows(merged: dict[CellKey, Counts], breakdown: Breakdown) -> dict[tuple[str, ...], Counts]:
    """Sum the merged cells to the requested level, never counting an aggregate and its parts twice.

    Per variation, a platform the API reports only as a whole (the documented sample's shape) keeps
    its aggregate cell, so its numbers are not lost.
    """
    detailed = {key[:2] for key in merged if _finest(key)}
    out: dict[tuple[str, ...], Counts] = {}
    for key, counts in merged.items():
        aggregate = key[2] == ALL_LOCALES and key[3] == ALL_VARIATIONS
        if breakdown == "variation":
            if not (_finest(key) or (aggregate and key[:2] not in detailed)):
                continue
            row: tuple[str, ...] = key
        elif not aggregate:
            continue
        else:
            row = key[:2] if breakdown == "platform" else key[:1]
        out[row] = out.get(row, Counts()) + counts
    return out


def _finest(key: CellKey) -> bool:
    return key[2] != ALL_LOCALES and key[3] != ALL_VARIATIONS


def rate(numerator: float | None, denominator: float | None) -> float | None:
    return round(numerator * 100 / denominator, 2) if numerator is not None and denominator else None


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    return round(numerator / denominator, 2) if numerator is not None and denominator else None


async def attempt(work: Awaitable[T]) -> tuple[T | None, str | None]:
    """(result, None), or (None, why) when the API refused: one failed part must not sink a whole
    answer. Looks inside task-group exception groups, which wrap even a single error."""
    try:
        return await work, None
    except MoEngageError as exc:
        return None, exc.message
    except StatsIncomplete as exc:
        return None, str(exc)
    except BaseExceptionGroup as group:
        api_errors, others = group.split(MoEngageError)
        first = found_in(api_errors, MoEngageError)
        if others is not None or first is None:
            raise
        return None, first.message


class StatsIncomplete(Exception):
    """The question would take more stats calls than one answer may spend (MAX_STATS_CALLS)."""

    def __init__(self, planned: int) -> None:
        self.planned = planned
        super().__init__(
            f"the period's stats take {planned} calls, more than {MAX_STATS_CALLS}: name campaign_ids or "
            "ask for a shorter range"
        )


OnProgress = Callable[[int, int], Awaitable[None]]
"""Stats calls made so far, of those planned."""


@dataclass(frozen=True)
class StatsCall:
    window: tuple[dt.date, dt.date]
    batch: tuple[str, ...] | None
    """None: every campaign with stats (workspace-wide), a page at `offset`."""
    offset: int | None = None


@dataclass
class StatsJob:
    """The stats calls one question needs, those answered and those still to make. A call whose
    time runs out (`DeadlineReached`) leaves the rest pending for the call that resumes the job, so no
    stats call is made twice. Without campaign ids each window's first page says how many pages
    follow (they are planned then)."""

    attribution: AttributionType
    metric: MetricType
    pending: list[StatsCall]
    responses: list[m.StatsResponse] = field(default_factory=list)
    planned: int = 0

    @classmethod
    def plan(
        cls,
        campaign_ids: list[str] | None,
        start: dt.date,
        end: dt.date,
        attribution: AttributionType,
        metric: MetricType,
    ) -> StatsJob:
        calls = [
            StatsCall(window, tuple(batch) if campaign_ids is not None else None, None if campaign_ids else 0)
            for window in windows(start, end)
            for batch in (batches(campaign_ids) if campaign_ids is not None else [[]])
        ]
        return cls(attribution, metric, calls, planned=len(calls))

    @property
    def done(self) -> bool:
        return not self.pending

    async def advance(self, api: MoEngageClient, on_progress: OnProgress | None = None) -> None:
        """Make the pending calls, concurrently (the client's limiter keeps them within 100/min), until
        they are done or the caller's time runs out."""
        async with anyio.create_task_group() as tg:
            for call in list(self.pending):
                tg.start_soon(self._make, api, call, tg, on_progress)

    async def _make(
        self, api: MoEngageClient, call: StatsCall, tg: anyio.abc.TaskGroup, on_progress: OnProgress | None
    ) -> None:
        request = m.StatsRequest(
            start_date=call.window[0],
            end_date=call.window[1],
            campaign_ids=list(call.batch) if call.batch is not None else None,
            attribution_type=self.attribution,
            metric_type=self.metric,
            offset=call.offset,
            limit=m.STATS_PAGE_SIZE,
        )
        try:
            response = await api.campaign_stats(request)
        except DeadlineReached:
            return  # stays pending, for the call that resumes the job
        self.pending.remove(call)
        self.responses.append(response)
        if call.batch is None and call.offset == 0:
            more = [
                StatsCall(call.window, None, page * m.STATS_PAGE_SIZE)
                for page in range(1, response.total_pages or 1)
            ]
            self.planned += len(more)
            if self.planned > MAX_STATS_CALLS:
                raise StatsIncomplete(self.planned)
            self.pending += more
            for following in more:
                tg.start_soon(self._make, api, following, tg, on_progress)
        if on_progress is not None:
            await on_progress(len(self.responses), self.planned)
