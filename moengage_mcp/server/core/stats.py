"""Campaign stats for any number of campaigns and any date range.

The API answers at most 10 campaigns and 31 calendar days (end - start <= 30) per call and nests
its numbers per platform, locale and variation. Here the range is cut into consecutive windows,
the campaigns into batches, every count is summed back together, and the rates are recomputed
from the sums (a rate cannot be added): CTR = clicks / impressions, CVR = conversions / sent,
delivery rate = delivered / sent, as MoEngage defines them. A metric the API leaves out stays
None, so no rate is computed from a missing number. Conversions are one goal's (the campaign's
primary goal): goals overlap, so adding them would count one buyer several times.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, fields
from typing import Literal, TypeVar

import anyio

from ...api import MoEngageClient, MoEngageError, collect, pages_of
from ...api import models as m
from ...api.enums import AttributionType, MetricType
from ...api.errors import found_in

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


def _add(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else a + b


@dataclass
class Counts:
    """Additive counts of one cell (campaign × platform × locale × variation); None when absent."""

    attempted: int | None = None
    sent: int | None = None
    failed: int | None = None
    delivered: int | None = None
    impressions: int | None = None
    clicks: int | None = None
    conversions: int | None = None

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(_add(getattr(self, f.name), getattr(other, f.name)) for f in fields(self)))

    @classmethod
    def of(cls, leaf: m.VariationStats, goal: str | None) -> Counts:
        p = leaf.performance_stats or m.PerformanceStats()
        converted = leaf.conversion_goal_stats.get(goal) if goal else None
        conversions = converted.conversions if converted else None
        return cls(p.attempted, p.sent, p.failed, p.delivered, p.impression, p.click, conversions)


CellKey = tuple[str, str, str, str]
"""(campaign id, platform, locale, variation); aggregates use the API's all_locales / all_variations."""


def _leaves(response: m.StatsResponse) -> Iterator[tuple[CellKey, m.VariationStats]]:
    for campaign_id, entries in response.data.items():
        for entry in entries:
            for platform, by_platform in entry.platforms.items():
                for locale, by_locale in by_platform.locales.items():
                    for variation, leaf in by_locale.variations.items():
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
    if not several:
        return {}
    request = m.SearchRequest(campaign_fields=m.SearchFields(ids=several), include_archive_campaigns=True)
    found, _ = await attempt(collect(pages_of(api.search_campaigns, request), max_items=m.PAGE_SIZE * 20))
    goals: dict[str, str] = {}
    for doc in sorted(found.items if found else [], key=lambda c: c.version_number or 0):
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


def rate(numerator: int | None, denominator: int | None) -> float | None:
    return round(numerator * 100 / denominator, 2) if numerator is not None and denominator else None


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


STATS_TIME = 40.0
"""Seconds one tool call may spend on stats calls: the stats API's 100 calls a minute are shared by
every tool call, so a long plan must not hold a call open (or the budget) for minutes."""


class StatsIncomplete(Exception):
    """Not every planned stats call finished within STATS_TIME."""

    def __init__(self, done: int, planned: int) -> None:
        self.done, self.planned = done, planned
        super().__init__(
            f"only {done} of {planned} stats calls finished within {STATS_TIME:g} s (the stats API allows "
            "100 calls a minute, shared by every tool call): ask for fewer campaigns or a shorter range, "
            "or call again in a minute"
        )


async def fetch_stats(
    api: MoEngageClient,
    campaign_ids: list[str],
    start: dt.date,
    end: dt.date,
    attribution: AttributionType,
    metric: MetricType,
    on_progress: Callable[[int, int], Awaitable[None]] | None = None,
    time_limit: float = STATS_TIME,
) -> list[m.StatsResponse]:
    """Every (window × batch) call, concurrently; the client's limiter keeps them within 100/min.

    Raises:
        StatsIncomplete: some calls had not finished after `time_limit` seconds (they are abandoned:
            summing only some windows or batches would report numbers that are silently too low).
    """
    plan = [(w, b) for w in windows(start, end) for b in batches(campaign_ids)]
    responses: list[m.StatsResponse] = []

    async def one(window: tuple[dt.date, dt.date], batch: list[str]) -> None:
        request = m.StatsRequest(
            start_date=window[0],
            end_date=window[1],
            campaign_ids=batch,
            attribution_type=attribution,
            metric_type=metric,
            limit=m.STATS_PAGE_SIZE,
        )
        responses.append(await api.campaign_stats(request))
        if on_progress is not None:
            await on_progress(len(responses), len(plan))

    with anyio.move_on_after(time_limit):
        async with anyio.create_task_group() as tg:
            for window, batch in plan:
                tg.start_soon(one, window, batch)
    if len(responses) < len(plan):
        raise StatsIncomplete(len(responses), len(plan))
    return responses
