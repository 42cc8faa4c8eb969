"""Campaign stats for any number of campaigns and any date range.

The API answers at most 10 campaigns and 31 calendar days (end - start <= 30) per call and nests
its numbers per platform, locale and variation. Here the range is cut into consecutive windows,
the campaigns into batches, every count is summed back together, and the rates are recomputed
from the sums (a rate cannot be added): CTR = clicks / impressions, CVR = conversions / sent,
delivery rate = delivered / sent, as MoEngage defines them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, fields
from typing import Literal

import anyio

from ..api import MoEngageClient
from ..api import models as m
from ..api.enums import AttributionType, MetricType

Breakdown = Literal["campaign", "platform", "variation"]
ALL_LOCALES, ALL_VARIATIONS = "all_locales", "all_variations"


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


@dataclass
class Counts:
    """Additive counts of one cell (campaign × platform × locale × variation)."""

    attempted: int = 0
    sent: int = 0
    failed: int = 0
    delivered: int = 0
    impressions: int = 0
    clicks: int = 0
    conversions: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @classmethod
    def of(cls, leaf: m.VariationStats) -> Counts:
        p = leaf.performance_stats or m.PerformanceStats()
        conversions = sum(goal.conversions or 0 for goal in leaf.conversion_goal_stats.values())
        return cls(
            p.attempted or 0, p.sent or 0, p.failed or 0, p.delivered or 0, p.impression or 0, p.click or 0, conversions
        )


CellKey = tuple[str, str, str, str]
"""(campaign id, platform, locale, variation); aggregates use the API's all_locales / all_variations."""


def cells(response: m.StatsResponse) -> Iterator[tuple[CellKey, Counts]]:
    for campaign_id, entries in response.data.items():
        for entry in entries:
            for platform, by_platform in entry.platforms.items():
                for locale, by_locale in by_platform.locales.items():
                    for variation, leaf in by_locale.variations.items():
                        yield (campaign_id, platform, locale, variation), Counts.of(leaf)


def merge(responses: list[m.StatsResponse]) -> dict[CellKey, Counts]:
    total: dict[CellKey, Counts] = {}
    for response in responses:
        for key, counts in cells(response):
            total[key] = total.get(key, Counts()) + counts
    return total


def rows(merged: dict[CellKey, Counts], breakdown: Breakdown) -> dict[tuple[str, ...], Counts]:
    """Sum the merged cells to the requested level, never counting an aggregate and its parts twice."""
    out: dict[tuple[str, ...], Counts] = {}
    for (campaign_id, platform, locale, variation), counts in merged.items():
        aggregate = locale == ALL_LOCALES and variation == ALL_VARIATIONS
        if breakdown == "variation":
            if locale == ALL_LOCALES or variation == ALL_VARIATIONS:
                continue
            key: tuple[str, ...] = (campaign_id, platform, locale, variation)
        elif not aggregate:
            continue
        else:
            key = (campaign_id, platform) if breakdown == "platform" else (campaign_id,)
        out[key] = out.get(key, Counts()) + counts
    return out


def rate(numerator: int, denominator: int) -> float | None:
    return round(numerator * 100 / denominator, 2) if denominator else None


async def fetch_stats(
    api: MoEngageClient,
    campaign_ids: list[str],
    start: dt.date,
    end: dt.date,
    attribution: AttributionType,
    metric: MetricType,
    on_progress: Callable[[int, int], Awaitable[None]] | None = None,
) -> list[m.StatsResponse]:
    """Every (window × batch) call, concurrently; the client's limiter keeps them within 100/min."""
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

    async with anyio.create_task_group() as tg:
        for window, batch in plan:
            tg.start_soon(one, window, batch)
    return responses
