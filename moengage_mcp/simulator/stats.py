"""Deterministic campaign-stats numbers that add up exactly over days.

Every integer count is a pure function of (campaign, calendar day, platform, locale,
variation, metric type, attribution type). A range is the sum of its days and rates are
recomputed from summed counts, so stats fetched in 30-day windows or 10-campaign batches
and summed client-side equal a one-shot answer exactly. UNIQUE counts are TOTAL counts
scaled down, so UNIQUE <= TOTAL everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from . import content as cc
from .envelopes import ApiError
from .search import newest_first
from .state import is_child, schedule_start
from .timeutil import parse_date, parse_timestamp
from .views import stable_int

ATTRIBUTION_TYPES = ("VIEW_THROUGH", "CLICK_THROUGH", "IN_SESSION", "TOTAL_CONVERSIONS", "CLICK_CONVERSIONS")
METRIC_TYPES = ("TOTAL", "UNIQUE")
MAX_DAYS_APART = 30
MAX_CAMPAIGNS = 10

_ATTRIBUTION_SHARE = {
    "VIEW_THROUGH": 0.9,
    "CLICK_THROUGH": 0.5,
    "IN_SESSION": 0.3,
    "TOTAL_CONVERSIONS": 1.2,
    "CLICK_CONVERSIONS": 0.6,
}
_PLATFORM_WEIGHT = {"android": 0.55, "ios": 0.35, "web": 0.10}
_TRIGGERED = ("EVENT_TRIGGERED", "DEVICE_TRIGGERED", "LOCATION_TRIGGERED", "BROADCAST_LIVE_ACTIVITY")
_RUNNING = ("ACTIVE", "SENDING")

Counts = dict[str, Any]  # nested dicts of ints


@dataclass
class StatsQuery:
    request_id: str
    start: date
    end: date
    campaign_ids: list[str] | None
    attribution: str
    metric: str
    offset: int
    limit: int


# ---------------------------------------------------------------- request


def parse_stats_query(body: dict[str, Any]) -> StatsQuery:
    """Validate a stats request; problems are joined into the stats envelope's description."""
    problems: list[str] = []
    start, end = parse_date(body.get("start_date")), parse_date(body.get("end_date"))
    for key, value in (("start_date", start), ("end_date", end)):
        if value is None:
            problems.append(f"{key} - must be a date in YYYY-MM-DD format, got {body.get(key)!r}")
    if start and end and end < start:
        problems.append("end_date - end_date must not be before start_date")
    elif start and end and (end - start).days > MAX_DAYS_APART:
        problems.append(
            f"end_date - The days between start_date and end_date should not exceed {MAX_DAYS_APART} days"
        )
    ids = body.get("campaign_ids")
    if ids is not None and (not isinstance(ids, list) or not all(isinstance(i, str) for i in ids)):
        problems.append("campaign_ids - must be a list of campaign id strings")
    elif ids is not None and len(ids) > MAX_CAMPAIGNS:
        problems.append(
            f"campaign_ids - A maximum of {MAX_CAMPAIGNS} campaign ids is allowed per request, got {len(ids)}"
        )
    attribution = _enum(body, "attribution_type", ATTRIBUTION_TYPES, "VIEW_THROUGH", problems)
    metric = _enum(body, "metric_type", METRIC_TYPES, "TOTAL", problems)
    offset = _int(body, "offset", 0, 0, None, problems)
    limit = _int(body, "limit", MAX_CAMPAIGNS, 1, MAX_CAMPAIGNS, problems)
    if problems:
        raise ApiError(400, "; ".join(problems))
    assert start is not None and end is not None
    return StatsQuery(
        str(body.get("request_id")),
        start,
        end,
        list(dict.fromkeys(ids)) if ids else None,
        attribution,
        metric,
        offset,
        limit,
    )


def _enum(body: dict[str, Any], key: str, allowed: tuple[str, ...], default: str, problems: list[str]) -> str:
    value = body.get(key, default)
    if value not in allowed:
        problems.append(f"{key} - must be one of {', '.join(allowed)}, got {value!r}")
        return default
    return value


def _int(body: dict[str, Any], key: str, default: int, lo: int, hi: int | None, problems: list[str]) -> int:
    value = body.get(key, default)
    valid = (
        isinstance(value, int) and not isinstance(value, bool) and value >= lo and (hi is None or value <= hi)
    )
    if not valid:
        bounds = f"between {lo} and {hi}" if hi is not None else f">= {lo}"
        problems.append(f"{key} - must be an integer {bounds}, got {value!r}")
        return default
    return value


# ---------------------------------------------------------------- which days have stats


def sending_days(
    doc: dict[str, Any], executions: list[dict[str, Any]], today: date
) -> Callable[[date], bool]:
    """A predicate: did this campaign send on that day? (never for drafts, children, the future)."""
    status, dtype = doc.get("status"), doc.get("campaign_delivery_type")
    if status == "DRAFT" or is_child(doc):
        return lambda day: False
    if dtype in ("PERIODIC", "BUSINESS_EVENT_TRIGGERED"):
        days = {
            ts.date()
            for ts in (
                parse_timestamp(e.get("sent_time"))
                for e in executions
                if e.get("status") in ("SENT", "SENDING")
            )
            if ts is not None
        }
        return lambda day: day in days and day <= today
    start = schedule_start(doc)
    sent = parse_timestamp(doc.get("sent_time"))
    if dtype in _TRIGGERED:
        if start is None or start.date() > today:
            return lambda day: False
        stopped = parse_timestamp(doc.get("updated_at"))
        last = today if status in _RUNNING or stopped is None else min(today, stopped.date())
        first = start.date()
        return lambda day: first <= day <= last
    if sent is None and status in _RUNNING and start is not None:
        sent = start
    only = sent.date() if sent is not None and sent.date() <= today else None
    return lambda day: only is not None and day == only


def _days(start: date, end: date) -> Iterable[date]:
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


# ---------------------------------------------------------------- numbers


def dimensions(doc: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
    """(platforms lower-case, locales, variations) the campaign reports on."""
    channel = doc.get("channel", "")
    if channel == "PUSH":
        platforms = [str(p).lower() for p in (doc.get("basic_details") or {}).get("platforms") or ["ANDROID"]]
    else:
        platforms = [channel.lower()]
    content_obj = doc.get("campaign_content") if isinstance(doc.get("campaign_content"), dict) else {}
    return platforms, cc.expected_locales(content_obj), cc.expected_variations(content_obj)


def _frac(*parts: object) -> float:
    return (stable_int(*parts) % 1_000_000) / 1_000_000


def _goals(doc: dict[str, Any]) -> list[dict[str, Any]]:
    goals = (doc.get("conversion_goal_details") or {}).get("goals") or []
    return [g for g in goals if isinstance(g, dict) and g.get("goal_name")]


def day_counts(doc: dict[str, Any], day: date, cell: tuple[str, str, str], query: StatsQuery) -> Counts:
    """Counts of one campaign on one day for one (platform, locale, variation)."""
    cid, (platform, locale, variation) = doc["id"], cell
    platforms, locales, variations = dimensions(doc)
    seed = (cid, day.isoformat(), platform, locale, variation)
    weight = _PLATFORM_WEIGHT.get(platform, 1.0) / sum(_PLATFORM_WEIGHT.get(p, 1.0) for p in platforms)
    weight *= (
        (0.7 if locale == cc.DEFAULT_LOCALE else 0.3 / max(1, len(locales) - 1)) if len(locales) > 1 else 1.0
    )
    weight /= len(variations)
    volume = 300 + stable_int(cid, "volume") % 20_000
    attempted = math.floor(volume * weight * (0.5 + _frac(*seed, "attempted")))
    counts = _funnel_counts(doc.get("channel", ""), attempted, seed)
    share = _ATTRIBUTION_SHARE[query.attribution]
    clicks = counts["perf"]["click"] * share
    counts["goals"] = {g["goal_name"]: _goal_counts(g, clicks, seed) for g in _goals(doc)}
    counts["control"] = _control_counts(doc, attempted, share, seed)
    if query.metric == "UNIQUE":
        counts = _unique(counts, 0.7 + 0.25 * _frac(*seed, "unique"))
    return counts


def _goal_counts(goal: dict[str, Any], clicks: float, seed: tuple[object, ...]) -> Counts:
    """Conversions of one goal; revenue (whole cents, so sums stay exact) when it tracks an attribute."""
    name = goal["goal_name"]
    conversions = math.floor(clicks * (0.1 + 0.4 * _frac(*seed, name)))
    unique = math.floor(conversions * (0.75 + 0.2 * _frac(*seed, name, "u")))
    counts = {"conversions": conversions, "unique": unique}
    if goal.get("revenue_attribute"):
        counts["revenue_cents"] = conversions * (1500 + stable_int(*seed, name, "aov") % 8500)
    return counts


def _control_counts(doc: dict[str, Any], attempted: int, share: float, seed: tuple[object, ...]) -> Counts:
    """Users held out by the campaign's and the global control group, and how many converted anyway."""
    group = doc.get("control_group_details") or {}
    campaign_pct = group.get("campaign_control_group_percentage") or 5
    out: Counts = {}
    for key, enabled, pct in (
        ("campaign_control_group", group.get("is_campaign_control_group_enabled"), campaign_pct),
        ("global_control_group", group.get("is_global_control_group_enabled"), 2),
    ):
        if enabled is True:
            held = math.floor(attempted * pct / 100)
            goals = {
                g["goal_name"]: math.floor(held * share * 0.02 * _frac(*seed, key, g["goal_name"]))
                for g in _goals(doc)
            }
            out[key] = {"held": held, "goals": goals}
    return out


def _funnel_counts(channel: str, attempted: int, seed: tuple[object, ...]) -> Counts:
    """Monotone counts: attempted >= sent >= delivered >= impression >= click, and the delivery
    funnel and engagement fields of the channel (email: opens, bounces, unsubscribes, complaints)."""
    sent = math.floor(attempted * (0.9 + 0.09 * _frac(*seed, "sent")))
    delivered = math.floor(sent * (0.85 + 0.13 * _frac(*seed, "delivered")))
    impression = math.floor(delivered * (0.4 + 0.5 * _frac(*seed, "impression")))
    click = math.floor(impression * (0.02 + 0.13 * _frac(*seed, "click")))
    perf = {
        "attempted": attempted,
        "sent": sent,
        "failed": attempted - sent,
        "delivered": delivered,
        "impression": impression,
        "click": click,
    }
    spare = math.floor(attempted * 0.3 * _frac(*seed, "segment"))
    if channel == "EMAIL":
        bounced = math.floor((sent - delivered) * (0.5 + 0.5 * _frac(*seed, "bounced")))
        hard = math.floor(bounced * 0.6)
        perf.update(
            opened=impression,
            bounced=bounced,
            hard_bounce=hard,
            soft_bounce=bounced - hard,
            unsubscribe=math.floor(delivered * 0.004 * _frac(*seed, "unsubscribe")),
            complaint=math.floor(delivered * 0.001 * _frac(*seed, "complaint")),
        )
        funnel = {
            "total_user_in_segment": attempted + spare,
            "user_with_email": attempted + spare * 2 // 3,
            "user_with_email_after__h_b": attempted + spare // 2,
            "after_fc": attempted + spare // 3,
            "user_after_duplicate_removal": attempted + spare // 6,
            "after_personalization_removal": attempted,
            "sent": sent,
            "delivered": delivered,
        }
    else:
        perf["closed_click"] = math.floor((impression - click) * 0.2 * _frac(*seed, "closed"))
        funnel = {
            "reachable_users_in_segment": attempted + spare,
            "segment_after_uninstall": attempted + spare * 2 // 3,
            "after_fc": attempted + spare // 3,
            "users_after_dup": attempted,
            "user_devices": attempted + spare // 4,
            "active_device_token": attempted,
            "after_invalid_removal": attempted,
            "sent": sent,
            "impressions": impression,
        }
    failed = attempted - sent
    first = math.floor(failed * 0.6)
    second = math.floor((failed - first) * 0.7)
    reasons = (
        ("Hard Bounce", "Invalid Email")
        if channel == "EMAIL"
        else ("Invalid/Expired Token", "App Uninstalled")
    )
    failures = {reasons[0]: first, reasons[1]: second, "Other": failed - first - second}
    return {"perf": perf, "funnel": funnel, "failures": failures}


def _unique(counts: Counts, factor: float) -> Counts:
    """UNIQUE numbers: every TOTAL count scaled by one factor (floors keep the order)."""
    scaled = _map_ints(counts, lambda n: math.floor(n * factor))
    perf = scaled["perf"]
    perf["failed"] = perf["attempted"] - perf["sent"]
    failures = scaled["failures"]
    keys = list(failures)
    failures[keys[-1]] = perf["failed"] - sum(failures[k] for k in keys[:-1])
    return scaled


def _map_ints(value: Any, fn: Callable[[int], int]) -> Any:
    if isinstance(value, dict):
        return {k: _map_ints(v, fn) for k, v in value.items()}
    return fn(value)


def add_counts(total: Counts, more: Counts) -> Counts:
    """Element-wise sum of two nested count dicts (the additivity everything relies on)."""
    result = dict(total)
    for key, value in more.items():
        if isinstance(value, dict):
            result[key] = add_counts(result.get(key, {}), value)
        else:
            result[key] = result.get(key, 0) + value
    return result


# ---------------------------------------------------------------- rendering


def _rate(numerator: int, denominator: int) -> float:
    return round(numerator * 100 / denominator, 2) if denominator else 0.0


def render_leaf(counts: Counts, doc: dict[str, Any], query: StatsQuery) -> dict[str, Any]:
    perf = dict(counts.get("perf", {}))
    perf.update(
        ctr=_rate(perf.get("click", 0), perf.get("impression", 0)),
        delivery_rate=_rate(perf.get("delivered", 0), perf.get("sent", 0)),
        sent_rate=_rate(perf.get("sent", 0), perf.get("attempted", 0)),
        failure_rate=_rate(perf.get("failed", 0), perf.get("attempted", 0)),
    )
    if "opened" in perf:
        delivered = perf.get("delivered", 0)
        perf.update(
            open_rate=_rate(perf["opened"], delivered),
            ctor=_rate(perf.get("click", 0), perf["opened"]),
            unsub_rate=_rate(perf["unsubscribe"], delivered),
            bounce_rate=_rate(perf["bounced"], perf.get("sent", 0)),
            complaints_rate=_rate(perf["complaint"], delivered),
        )
    return {
        "performance_stats": perf,
        "conversion_goal_stats": _render_goals(counts.get("goals", {}), perf.get("sent", 0), doc, query),
        "delivery_funnel": dict(counts.get("funnel", {})),
        "failure_breakdown": dict(counts.get("failures", {})),
    }


def _render_goals(goals: Counts, sent: int, doc: dict[str, Any], query: StatsQuery) -> dict[str, Any]:
    """Goal stats; rates and averages from the summed counts, uplifts where a control group exists."""
    group = doc.get("control_group_details") or {}
    global_group = group.get("is_global_control_group_enabled") is True
    out = {}
    for name, c in goals.items():
        uplift = (stable_int(doc["id"], name, query.attribution, query.metric) % 4000 - 1000) / 100
        stats: dict[str, Any] = {
            "goal_name": name,
            "conversions": c["conversions"],
            "total": c["conversions"],
            "unique": c["unique"],
            "cvr": _rate(c["conversions"], sent),
            "uplift": round(uplift, 2) if group.get("is_campaign_control_group_enabled") is True else 0.0,
            "gcg_uplift": round(uplift / 2, 2) if global_group else 0.0,
        }
        if "revenue_cents" in c:
            revenue = c["revenue_cents"] / 100
            stats.update(
                revenue=revenue,
                average_order_value=round(revenue / c["conversions"], 2) if c["conversions"] else 0.0,
                average_revenue_per_user=round(revenue / c["unique"], 2) if c["unique"] else 0.0,
            )
        out[name] = stats
    return out


def _render_control(control: Counts) -> dict[str, Any]:
    """The control groups beside the variations, as in the published sample: conversions only."""
    reason = {
        "campaign_control_group": "user_removed_due_to_campaing_control_group",  # sic, the API's key
        "global_control_group": "user_removed_due_to_global_control_group",
    }
    return {
        key: {
            "conversion_goal_stats": {
                name: {"conversions": n, "cvr": _rate(n, c["held"]), "uplift": 0}
                for name, n in c["goals"].items()
            },
            "delivery_funnel": {"reachable_users_in_segment": 0},
            "failure_breakdown": {reason[key]: c["held"]},
        }
        for key, c in control.items()
    }


def campaign_stats(
    doc: dict[str, Any], executions: list[dict[str, Any]], query: StatsQuery, today: date
) -> list[dict[str, Any]]:
    """`[{"platforms": {...}}]` for the range, or [] when the campaign sent nothing in it."""
    sent_on = sending_days(doc, executions, today)
    days = [d for d in _days(query.start, query.end) if sent_on(d)]
    if not days:
        return []
    platforms, locales, variations = dimensions(doc)
    rendered: dict[str, Any] = {}
    for platform in platforms:
        cells: dict[tuple[str, str], Counts] = {}
        for locale in locales:
            for variation in variations:
                total: Counts = {}
                for day in days:
                    total = add_counts(total, day_counts(doc, day, (platform, locale, variation), query))
                cells[(locale, variation)] = total
        rendered[platform] = {"locales": _locale_tree(cells, locales, variations, doc, query)}
    return [{"platforms": rendered}]


def _locale_tree(
    cells: dict[tuple[str, str], Counts],
    locales: list[str],
    variations: list[str],
    doc: dict[str, Any],
    query: StatsQuery,
) -> dict[str, Any]:
    def variations_of(selected: list[str], with_control: bool = False) -> dict[str, Any]:
        per_variation = {v: _sum(cells[(loc, v)] for loc in selected) for v in variations}
        whole = _sum(per_variation.values())
        tree = {"all_variations": render_leaf(whole, doc, query)}
        tree.update({v: render_leaf(c, doc, query) for v, c in per_variation.items()})
        if with_control:
            tree.update(_render_control(whole.get("control", {})))
        return {"variations": tree}

    tree = {"all_locales": variations_of(locales, with_control=True)}
    tree.update({loc: variations_of([loc]) for loc in locales})
    return tree


def _sum(items: Iterable[Counts]) -> Counts:
    total: Counts = {}
    for item in items:
        total = add_counts(total, item)
    return total


def stats_response(
    campaigns: dict[str, dict[str, Any]],
    executions: dict[str, list[dict[str, Any]]],
    query: StatsQuery,
    now: datetime,
) -> dict[str, Any]:
    today = now.date()
    if query.campaign_ids is not None:
        by_any_id = {}
        for doc in campaigns.values():
            by_any_id.setdefault(doc.get("campaign_id"), doc)
            by_any_id[doc["id"]] = doc
        selected = [(cid, by_any_id[cid]) for cid in query.campaign_ids if cid in by_any_id]
    else:
        selected = [(doc["id"], doc) for doc in _campaigns_with_stats(campaigns, executions, query, today)]
    page = selected[query.offset : query.offset + query.limit]
    total = len(selected)
    return {
        "response_id": query.request_id,
        "total_campaigns": total,
        "current_page": query.offset // query.limit + 1,
        "total_pages": math.ceil(total / query.limit),
        "data": {cid: campaign_stats(doc, executions.get(doc["id"], []), query, today) for cid, doc in page},
    }


def _campaigns_with_stats(
    campaigns: dict[str, dict[str, Any]],
    executions: dict[str, list[dict[str, Any]]],
    query: StatsQuery,
    today: date,
) -> list[dict[str, Any]]:
    found = []
    for doc in campaigns.values():
        sent_on = sending_days(doc, executions.get(doc["id"], []), today)
        if any(sent_on(day) for day in _days(query.start, query.end)):
            found.append(doc)
    return newest_first(found)
