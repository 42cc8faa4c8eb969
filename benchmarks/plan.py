"""The fewest API requests a large-workspace scenario truly needs, and the floor: the least time
MoEngage's documented rate limits allow for them.

The benchmark may know the truth, so a plan is computed from the simulator's store itself
(`sim.campaigns`, `sim.executions`) with the simulator's own filters (`simulator.search`), never from
what the server did. Pages hold 15 rows (the API's cap). Search and meta give no total: a full
page does not prove the end, so seeing `want` rows and knowing whether more exist takes
`min(n // 15 + 1, ceil((want + 1) / 15))` pages of a listing of n rows (`pages`).

`campaign_report` (default filters: every status but ARCHIVED, no children; the newest
`max_campaigns`, 1,000 by default) needs:

- search: `pages(n_matching, max_campaigns)`;
- meta, only when a matching campaign is SCHEDULED to start in the next `next_days`: the reach of
  those campaigns, either one V1 meta request per campaign (V1 meta filters by one id) or the pages
  of the V1 meta listing of SCHEDULED campaigns up to the page holding the last of them, whichever
  is fewer (`rows_for`);
- executions: for each periodic or business-event parent that is not a draft, the pages holding its
  newest min(total, 150) runs (the report's contract: the newest 150). The simulator lists runs
  newest first, so those are pages 1 .. ceil(min(total, 150) / 15), and page 1, which is needed
  anyway, tells the total; a parent without runs still costs that one page;
- stats, with `rank_by`: the campaigns that truly sent in the stats period (the simulator's own
  `sending_days`), at most 100 (the report's contract), 10 per call, one call per 31-day window
  of the period.

`search_campaigns(max_results=500)` needs `pages(n_matching, 500)`; `get_meta` by 100 ids needs
`rows_for` those ids in the V1 meta listing (one request each, or the listing's pages).

The floor. Each endpoint family has its own documented windows (`moengage_mcp.api.ratelimit.LIMITS`:
10/s, 100/min, 6,000/h for most; stats 100/min), counted in rolling windows of the API's arrival
times, so family f can take its k requests no faster than `schedule`: the i-th arrival no earlier
than the (i - c)-th plus w for every window (c requests per w seconds). Each request takes
`latency` from send to answer (arriving halfway). Families run concurrently; the one dependency
counted is that nothing but search can start before the first search page is back (every other
request needs a campaign id or a decision from search rows). So

    floor = max(schedule(k_search) + latency,  latency + schedule(k_f) + latency  for every other f)

It is a lower bound, not a schedule: the rest of the search is taken to overlap with the other
families, and a parent's later pages with its first, because at these sizes the minute windows
dominate (a second page waits 50 ms for its first; the 101st request of a family waits a minute).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from moengage_mcp.api.ratelimit import LIMITS, Window
from moengage_mcp.simulator import search
from moengage_mcp.simulator.state import schedule_start
from moengage_mcp.simulator.stats import sending_days

from .virtual import LATENCY

PAGE = 15
RUNS_INSPECTED = 150
"""campaign_report inspects the newest 150 runs of each parent (its contract)."""
RANKED_AT_MOST = 100
"""campaign_report ranks at most 100 campaigns (its description)."""
STATS_PER_CALL = 10
STATS_WINDOW_DAYS = 31
PARENTS = ("PERIODIC", "BUSINESS_EVENT_TRIGGERED")

Docs = Mapping[str, dict[str, Any]]
Runs = Mapping[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class Plan:
    """Requests per endpoint family, and the least time the documented limits allow for them."""

    requests: dict[str, int] = field(default_factory=dict)
    latency: float = LATENCY

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    @property
    def floor(self) -> float:
        """Seconds (see the module doc)."""
        if not self.total:
            return 0.0
        first = self.latency if self.requests.get("search") else 0.0
        return max(
            (0.0 if family == "search" else first) + schedule(k, LIMITS[family]) + self.latency
            for family, k in self.requests.items()
            if k
        )


def schedule(k: int, windows: Sequence[Window]) -> float:
    """Seconds from the first of k arrivals to the last, as fast as the rolling `windows` allow."""
    times: list[float] = []
    for i in range(k):
        times.append(max([0.0] + [times[i - count] + seconds for count, seconds in windows if i >= count]))
    return times[-1] if times else 0.0


def pages(n: int, want: int) -> int:
    """Pages of a 15-row listing of `n` rows needed to see `want` rows and know whether more exist."""
    return min(n // PAGE + 1, math.ceil((want + 1) / PAGE))


def rows_for(ids: Iterable[str], listing: list[dict[str, Any]]) -> int:
    """Fewest requests for the rows of `ids`: one each, or the listing's pages up to the last of them
    (to its short page if one is missing)."""
    wanted = set(ids)
    if not wanted:
        return 0
    where = {doc["id"]: i for i, doc in enumerate(listing)}
    last = max(where.get(cid, len(listing)) for cid in wanted)
    return min(len(wanted), last // PAGE + 1)


def listing(
    campaigns: Docs, dialect: search.Dialect, statuses: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """What an endpoint of `dialect` lists with only a status filter, in its order (newest first)."""
    query = search.Query(dialect=dialect, statuses=set(statuses) if statuses is not None else None)
    return search.newest_first(doc for doc in campaigns.values() if search.matches(doc, query))


def report_matching(campaigns: Docs) -> list[dict[str, Any]]:
    """What campaign_report's default search finds: every status but ARCHIVED, no children."""
    return listing(campaigns, search.V5_SEARCH, set(search.STATUSES) - {"ARCHIVED"})


def report_plan(
    campaigns: Docs,
    executions: Runs,
    now: datetime,
    *,
    max_campaigns: int = 1000,
    next_days: int = 7,
    ranked: bool = False,
    stats_days: int = 30,
    latency: float = LATENCY,
) -> Plan:
    """campaign_report's minimal plan (see the module doc); `ranked`: with rank_by."""
    matching = report_matching(campaigns)
    seen = matching[:max_campaigns]
    requests = {"search": pages(len(matching), max_campaigns)}
    soon = [
        doc["id"]
        for doc in seen
        if doc.get("status") == "SCHEDULED"
        and (start := schedule_start(doc)) is not None
        and now <= start <= now + timedelta(days=next_days)
    ]
    requests["meta"] = rows_for(soon, listing(campaigns, search.V1_META, ["SCHEDULED"]))
    requests["executions"] = sum(
        max(1, math.ceil(min(len(executions.get(doc["id"], [])), RUNS_INSPECTED) / PAGE))
        for doc in seen
        if doc.get("campaign_delivery_type") in PARENTS and doc.get("status") != "DRAFT"
    )
    if ranked:
        end = now.date()
        start = end - timedelta(days=stats_days)
        senders = [doc for doc in seen if _sent_between(doc, executions, start, end)]
        windows = math.ceil(((end - start).days + 1) / STATS_WINDOW_DAYS)
        requests["stats"] = math.ceil(min(len(senders), RANKED_AT_MOST) / STATS_PER_CALL) * windows
    return Plan(requests, latency)


def search_plan(campaigns: Docs, max_results: int, latency: float = LATENCY) -> Plan:
    """search_campaigns with default filters (as campaign_report's) and `max_results`."""
    return Plan({"search": pages(len(report_matching(campaigns)), max_results)}, latency)


def meta_plan(campaigns: Docs, ids: Iterable[str], latency: float = LATENCY) -> Plan:
    """get_meta by `ids` (campaigns V1 meta lists)."""
    return Plan({"meta": rows_for(ids, listing(campaigns, search.V1_META))}, latency)


def _sent_between(doc: dict[str, Any], executions: Runs, start: date, end: date) -> bool:
    sent_on = sending_days(doc, executions.get(doc["id"], []), end)
    return any(sent_on(start + timedelta(days=d)) for d in range((end - start).days + 1))
