"""Campaign filtering for V5 search, V1 meta and V5 meta, with the documented visibility rules.

The three endpoints filter the same store but differ (a `Dialect` each, from MoEngage's published
files) in field names (`ids`/`campaign_delivery_type` in V5 search, `id`/`delivery_type` in both
metas), the values they accept (V1 meta has no DRAFT or SENDING and spells BUSINESS_TRIGGERED; V5
search has no BROADCAST_LIVE_ACTIVITY), date formats and how archived campaigns are admitted.
A field name of the other dialect matches nothing instead of being ignored: a client that sends
the wrong one sees an empty page rather than silently unfiltered results.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .envelopes import V1, V5
from .fields import FieldErrors, get_bool, get_int, get_object, get_str, get_str_list, is_int
from .state import is_child
from .timeutil import parse_date, parse_date_or_datetime, parse_timestamp

CHANNELS = ("PUSH", "EMAIL", "SMS", "WHATSAPP", "FACEBOOK", "GOOGLE ADS", "CONNECTORS")
DELIVERY_TYPES = (
    "ONE_TIME",
    "PERIODIC",
    "EVENT_TRIGGERED",
    "BUSINESS_EVENT_TRIGGERED",
    "DEVICE_TRIGGERED",
    "LOCATION_TRIGGERED",
    "BROADCAST_LIVE_ACTIVITY",
)
STATUSES = ("DRAFT", "ACTIVE", "SCHEDULED", "PAUSED", "SENT", "SENDING", "STOPPED", "ARCHIVED", "RETIRED")
V1_STATUSES = ("SCHEDULED", "ACTIVE", "PAUSED", "SENT", "STOPPED", "RETIRED", "ARCHIVED")
V1_NAMES = {"BUSINESS_EVENT_TRIGGERED": "BUSINESS_TRIGGERED", "SENDING": "ACTIVE"}
"""V5 value -> the V1 value for it: V1 spells one delivery type otherwise, and has no SENDING
status (its meta lists none), so a campaign that is sending reads as active there."""


def v1_value(value: Any) -> Any:
    return V1_NAMES.get(value, value)


MAX_LIMIT = 15


@dataclass(frozen=True)
class Dialect:
    """One endpoint's filter body, as its published file describes it."""

    generation: str
    ids_key: str  # "ids" (a list) or "id" (one string)
    delivery_key: str
    delivery_types: tuple[str, ...]  # accepted values, in the endpoint's own spelling
    statuses: tuple[str, ...]
    delivery_is_list: bool = True
    iso_dates: bool = True  # ISO date-times; else YYYY-MM-DD
    archive_flag: bool = False  # archived campaigns only with include_archive_campaigns
    foreign_keys: tuple[str, ...] = field(default=())


SEARCH_DELIVERY_TYPES = DELIVERY_TYPES[:-1]
"""Neither V5 search nor V5 meta lists BROADCAST_LIVE_ACTIVITY."""
V5_SEARCH = Dialect(
    V5,
    "ids",
    "campaign_delivery_type",
    SEARCH_DELIVERY_TYPES,
    STATUSES,
    archive_flag=True,
    foreign_keys=("delivery_type", "id"),
)
V1_META = Dialect(
    V1,
    "id",
    "delivery_type",
    ("ONE_TIME", "PERIODIC", "EVENT_TRIGGERED", "BUSINESS_TRIGGERED"),
    V1_STATUSES,
    iso_dates=False,
    foreign_keys=("campaign_delivery_type", "ids"),
)
V5_META = Dialect(
    V5,
    "id",
    "delivery_type",
    SEARCH_DELIVERY_TYPES,
    STATUSES,
    delivery_is_list=False,
    foreign_keys=("campaign_delivery_type", "ids"),
)


@dataclass
class Query:
    dialect: Dialect = V5_SEARCH
    limit: int = 1
    page: int = 1
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


def parse_query(body: dict[str, Any], dialect: Dialect) -> Query:
    """Validate a search or meta body; all field problems are reported together."""
    errs = FieldErrors(dialect.generation)
    query = Query(dialect=dialect)
    query.limit = get_int(body, "limit", errs, lo=1, hi=MAX_LIMIT) or 1
    query.page = get_int(body, "page", errs, lo=1) or 1
    query.include_children = get_bool(body, "include_child_campaigns", errs)
    if dialect.archive_flag:
        query.include_archived = get_bool(body, "include_archive_campaigns", errs)
    fields = get_object(body, "campaign_fields", errs)
    if fields is not None:
        _parse_fields(fields, query, errs)
    errs.raise_if_any()
    return query


def _parse_fields(fields: dict[str, Any], query: Query, errs: FieldErrors) -> None:
    dialect = query.dialect
    prefix = "campaign_fields."
    if dialect.ids_key == "ids":
        query.ids = get_str_list(fields, "ids", errs, target=prefix + "ids")
    else:
        single = get_str(fields, "id", errs, target=prefix + "id")
        query.ids = {single} if single else None
    query.delivery_types = _delivery_types(fields, dialect, errs)
    v1 = dialect.generation == V1
    query.statuses = get_str_list(
        fields, "status", errs, target=prefix + "status", allowed=dialect.statuses, normalise=v1
    )
    if dialect is V5_SEARCH:
        version = fields.get("version_number")
        if version is not None and not is_int(version):
            errs.add(prefix + "version_number", f"{prefix}version_number must be an integer")
        query.version_number = version if is_int(version) else None
    query.channels = get_str_list(fields, "channels", errs, target=prefix + "channels", allowed=CHANNELS)
    query.created_by = get_str_list(fields, "created_by", errs, target=prefix + "created_by")
    query.tags = get_str_list(fields, "tags", errs, target=prefix + "tags")
    query.name = get_str(fields, "name", errs, target=prefix + "name")
    _parse_created(fields, query, errs)
    query.matches_nothing = any(key in fields for key in dialect.foreign_keys)


def _delivery_types(fields: dict[str, Any], dialect: Dialect, errs: FieldErrors) -> set[str] | None:
    """The delivery-type filter in store (V5) spelling; V5 meta takes one value, the others a list."""
    key, target = dialect.delivery_key, "campaign_fields." + dialect.delivery_key
    if dialect.delivery_is_list:
        wanted = get_str_list(fields, key, errs, target=target, allowed=dialect.delivery_types)
    else:
        one = get_str(fields, key, errs, target=target)
        if one is not None and one not in dialect.delivery_types:
            errs.add(target, f"{target} must be one of {', '.join(dialect.delivery_types)}, got {one!r}")
        wanted = {one} if one in dialect.delivery_types else None
    if wanted is None or dialect.generation != V1:
        return wanted
    return {v5 for v5 in DELIVERY_TYPES if v1_value(v5) in wanted}


def _parse_created(fields: dict[str, Any], query: Query, errs: FieldErrors) -> None:
    target = "campaign_fields.created_date"
    created = get_object(fields, "created_date", errs, target=target)
    if created is None:
        return
    for key in ("from_date", "to_date"):
        raw = created.get(key)
        end = key == "to_date"
        if not query.dialect.iso_dates:
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
        admitted = query.include_archived if query.dialect.archive_flag else "ARCHIVED" in statuses
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
        _any(query.statuses, (_status(doc, query.dialect),)),
        _any(query.tags, basic.get("tags") or ()),
        query.name is None or query.name.lower() in str(basic.get("name", "")).lower(),
        query.version_number is None or doc.get("version_number", 1) == query.version_number,
        query.created_from is None or (created is not None and created >= query.created_from),
        query.created_to is None or (created is not None and created <= query.created_to),
    )
    return all(checks)


def _status(doc: dict[str, Any], dialect: Dialect) -> Any:
    status = doc.get("status")
    return v1_value(status) if dialect.generation == V1 else status


def newest_first(docs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """created_at descending, then id, so pages are stable."""
    ordered = sorted(docs, key=lambda d: d.get("id", ""))
    return sorted(ordered, key=lambda d: parse_timestamp(d.get("created_at")) or datetime.min, reverse=True)


def run(campaigns: Iterable[dict[str, Any]], query: Query) -> list[dict[str, Any]]:
    """The requested page of matching campaigns."""
    found = newest_first(d for d in campaigns if matches(d, query))
    start = (query.page - 1) * query.limit
    return found[start : start + query.limit]
