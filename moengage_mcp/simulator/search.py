"""Campaign filtering for V5 search and V1 meta, with the documented visibility rules.

Both endpoints filter the same store but differ in field names (`ids`/`campaign_delivery_type`
in V5, `id`/`delivery_type` in V1), date formats and how archived campaigns are admitted.
A field name of the other generation matches nothing instead of being ignored: a client that
sends the wrong one sees an empty page rather than silently unfiltered results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from .envelopes import V1, V5
from .fields import FieldErrors, get_bool, get_int, get_object, get_str, get_str_list, is_int
from .state import is_child
from .timeutil import parse_date, parse_date_or_datetime, parse_timestamp

CHANNELS = ("PUSH", "EMAIL", "SMS", "WHATSAPP", "FACEBOOK", "GOOGLE ADS", "CONNECTORS")
DELIVERY_TYPES = (
    "ONE_TIME", "PERIODIC", "EVENT_TRIGGERED", "BUSINESS_EVENT_TRIGGERED",
    "DEVICE_TRIGGERED", "LOCATION_TRIGGERED", "BROADCAST_LIVE_ACTIVITY",
)
STATUSES = ("DRAFT", "ACTIVE", "SCHEDULED", "PAUSED", "SENT", "SENDING", "STOPPED", "ARCHIVED", "RETIRED")
MAX_LIMIT = 15

# field names that belong to the other generation: present -> no match
_FOREIGN_KEYS = {V5: ("delivery_type", "id"), V1: ("campaign_delivery_type", "ids")}


@dataclass
class Query:
    limit: int = 1
    page: int = 1
    generation: str = V5
    include_children: bool = False
    include_archived: bool = False
    ids: set[str] | None = None
    channels: set[str] | None = None
    created_by: set[str] | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    delivery_types: set[str] | None = None
    name: str | None = None
    statuses: set[str] | None = None
    tags: set[str] | None = None
    version_number: int | None = None
    matches_nothing: bool = False


def parse_query(body: dict[str, Any], generation: str) -> Query:
    """Validate a V5 search or V1 meta body; all field problems are reported together."""
    errs = FieldErrors(generation)
    query = Query(generation=generation)
    query.limit = get_int(body, "limit", errs, lo=1, hi=MAX_LIMIT) or 1
    query.page = get_int(body, "page", errs, lo=1) or 1
    query.include_children = get_bool(body, "include_child_campaigns", errs)
    if generation == V5:
        query.include_archived = get_bool(body, "include_archive_campaigns", errs)
    fields = get_object(body, "campaign_fields", errs)
    if fields is not None:
        _parse_fields(fields, query, errs)
    errs.raise_if_any()
    return query


def _parse_fields(fields: dict[str, Any], query: Query, errs: FieldErrors) -> None:
    generation = query.generation
    prefix = "campaign_fields."
    if generation == V5:
        query.ids = get_str_list(fields, "ids", errs, target=prefix + "ids")
        query.delivery_types = get_str_list(fields, "campaign_delivery_type", errs, target=prefix + "campaign_delivery_type", allowed=DELIVERY_TYPES)
        query.statuses = get_str_list(fields, "status", errs, target=prefix + "status", allowed=STATUSES)
        version = fields.get("version_number")
        if version is not None and not is_int(version):
            errs.add(prefix + "version_number", f"{prefix}version_number must be an integer")
        query.version_number = version if is_int(version) else None
    else:
        single = get_str(fields, "id", errs, target=prefix + "id")
        query.ids = {single} if single else None
        query.delivery_types = get_str_list(fields, "delivery_type", errs, target=prefix + "delivery_type", allowed=DELIVERY_TYPES)
        query.statuses = get_str_list(fields, "status", errs, target=prefix + "status", allowed=STATUSES, normalise=True)
    query.channels = get_str_list(fields, "channels", errs, target=prefix + "channels", allowed=CHANNELS)
    query.created_by = get_str_list(fields, "created_by", errs, target=prefix + "created_by")
    query.tags = get_str_list(fields, "tags", errs, target=prefix + "tags")
    query.name = get_str(fields, "name", errs, target=prefix + "name")
    _parse_created(fields, query, errs)
    query.matches_nothing = any(key in fields for key in _FOREIGN_KEYS[generation])


def _parse_created(fields: dict[str, Any], query: Query, errs: FieldErrors) -> None:
    target = "campaign_fields.created_date"
    created = get_object(fields, "created_date", errs, target=target)
    if created is None:
        return
    for key in ("from_date", "to_date"):
        raw = created.get(key)
        end = key == "to_date"
        if query.generation == V1:
            day = parse_date(raw)
            bound = parse_date_or_datetime(raw, end_of_day=end) if day else None
            expected = "a date YYYY-MM-DD"
        else:
            bound = parse_date_or_datetime(raw, end_of_day=end)
            expected = "an ISO 8601 date or date-time"
        if raw is None:
            errs.missing(f"{target}.{key}")
        elif bound is None:
            errs.add(f"{target}.{key}", f"{target}.{key} must be {expected}, got {raw!r}")
        elif end:
            query.created_to = bound
        else:
            query.created_from = bound


def _visible(doc: dict[str, Any], query: Query) -> bool:
    """Drafts, archived campaigns and children only appear when asked for explicitly."""
    status = doc.get("status")
    statuses = query.statuses or set()
    if status == "DRAFT" and "DRAFT" not in statuses:
        return False
    if status == "ARCHIVED":
        admitted = query.include_archived if query.generation == V5 else "ARCHIVED" in statuses
        if not admitted:
            return False
    return query.include_children or not is_child(doc)


def _any(wanted: set[str] | None, values: Iterable[Any]) -> bool:
    return wanted is None or any(v in wanted for v in values)


def matches(doc: dict[str, Any], query: Query) -> bool:
    if query.matches_nothing or not _visible(doc, query):
        return False
    basic = doc.get("basic_details") or {}
    created = parse_timestamp(doc.get("created_at"))
    checks = (
        _any(query.ids, (doc.get("id"), doc.get("campaign_id"))),
        _any(query.channels, (doc.get("channel"),)),
        _any(query.created_by, (doc.get("created_by"),)),
        _any(query.delivery_types, (doc.get("campaign_delivery_type"),)),
        _any(query.statuses, (doc.get("status"),)),
        _any(query.tags, basic.get("tags") or ()),
        query.name is None or query.name.lower() in str(basic.get("name", "")).lower(),
        query.version_number is None or doc.get("version_number", 1) == query.version_number,
        query.created_from is None or (created is not None and created >= query.created_from),
        query.created_to is None or (created is not None and created <= query.created_to),
    )
    return all(checks)


def newest_first(docs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """created_at descending, then id, so pages are stable."""
    ordered = sorted(docs, key=lambda d: d.get("id", ""))
    return sorted(ordered, key=lambda d: parse_timestamp(d.get("created_at")) or datetime.min, reverse=True)


def run(campaigns: Iterable[dict[str, Any]], query: Query) -> list[dict[str, Any]]:
    """The requested page of matching campaigns."""
    found = newest_first(d for d in campaigns if matches(d, query))
    start = (query.page - 1) * query.limit
    return found[start : start + query.limit]
