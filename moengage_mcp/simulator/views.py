"""Renderings of stored campaigns as the API answers: V5 campaign documents, meta rows (V1 and
V5), execution rows.

The store keeps what was written, in V5 spellings. V5 GET and search answer `scheduling_details`
in its resolved response form (campaigns-v5.yaml, CampaignDetailsResponse); V1 answers in title
case ("Active", "Scheduled") and its own names (BUSINESS_TRIGGERED), which clients must normalise.
"""

from __future__ import annotations

import copy
import hashlib
from datetime import datetime, timedelta
from typing import Any

from .search import v1_value
from .state import schedule_start
from .timeutil import fmt_iso, fmt_iso_micro, parse_timestamp

_REACHABLE = {
    "ONE_TIME": ("SCHEDULED",),
    "EVENT_TRIGGERED": ("ACTIVE", "SCHEDULED"),
    "BUSINESS_EVENT_TRIGGERED": ("ACTIVE", "SCHEDULED"),
}


def title_case(status: str) -> str:
    return status.replace("_", " ").title() if status else status


def stable_int(*parts: object) -> int:
    """A deterministic integer from its parts (the same in every process and run)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()
    return int(digest[:12], 16)


def reachability(doc: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    """Estimated audience, cached daily: same count per campaign, refreshed in the last 24 h."""
    if doc.get("status") not in _REACHABLE.get(doc.get("campaign_delivery_type", ""), ()):
        return None
    key = doc.get("id")
    refreshed = now - timedelta(seconds=60 + stable_int(key, "reach-time") % 86_000)
    return {
        "count": 2_500 + stable_int(key, "reach") % 247_500,
        "last_updated_time": fmt_iso_micro(refreshed),
    }


def v5_campaign(doc: dict[str, Any]) -> dict[str, Any]:
    """A copy of the stored campaign as V5 GET and search answer it."""
    out = copy.deepcopy(doc)
    sched = out.get("scheduling_details")
    if isinstance(sched, dict) and out.get("status") != "DRAFT":
        out["scheduling_details"] = resolved_schedule(sched, out.get("campaign_delivery_type"))
    return out


def resolved_schedule(sched: dict[str, Any], delivery_type: Any) -> dict[str, Any]:
    """The documented response form of a published campaign's schedule, beside what was written:
    `time_zone` always; a fixed-time one-time campaign reads `delivery_type: SCHEDULED` with its
    `schedule_time`; a periodic one `delivery_type: PERIODIC` with `frequency` and the time of day
    as `schedule_time` (the two forms of the GET examples). A draft reads as written."""
    out = {**sched, "time_zone": sched.get("time_zone") or "UTC"}
    start = parse_timestamp(sched.get("start_time"))
    if delivery_type == "PERIODIC":
        periodic = sched.get("periodic_details") if isinstance(sched.get("periodic_details"), dict) else {}
        out.update(delivery_type="PERIODIC", frequency=periodic.get("sending_frequency"))
        if start is not None:
            out["schedule_time"] = start.strftime("%H:%M:%S")
    elif delivery_type == "ONE_TIME" and sched.get("delivery_type") == "AT_FIXED_TIME" and start is not None:
        out.update(delivery_type="SCHEDULED", schedule_time=fmt_iso(start))
    return {key: value for key, value in out.items() if value is not None}


def meta_row(
    doc: dict[str, Any], executions: list[dict[str, Any]] | None, now: datetime, *, v1: bool
) -> dict[str, Any]:
    """A meta row; V1's spells statuses in title case and names as V1 does, and leaves out
    reachability it has not got (V5 sends null)."""
    basic = doc.get("basic_details") or {}
    start = schedule_start(doc) or parse_timestamp(doc.get("sent_time"))
    status, dtype = doc.get("status", ""), doc.get("campaign_delivery_type")
    row: dict[str, Any] = {
        "campaign_id": doc.get("campaign_id") or doc.get("id"),
        "channel": doc.get("channel"),
        "platform": list(basic.get("platforms") or []) if doc.get("channel") == "PUSH" else [],
        "created_by": doc.get("created_by"),
        "campaign_delivery_type": v1_value(dtype) if v1 else dtype,
        "campaign_name": basic.get("name"),
        "campaign_team": basic.get("team"),
        "campaign_tags": list(basic.get("tags") or []),
        "campaign_status": title_case(v1_value(status)) if v1 else status,
    }
    row = {key: value for key, value in row.items() if value is not None}  # strings when present, never null
    if start is not None:  # a string when present, never null (both files)
        row["campaign_start_time"] = fmt_iso(start)
    if "version_number" in doc:
        row["version_number"] = doc["version_number"]
    if doc.get("parent_id"):
        row["parent_campaign_id"] = doc["parent_id"]
    if doc.get("campaign_delivery_type") == "PERIODIC" and not doc.get("parent_id"):
        row["total_child_campaigns"] = len(executions or [])
    if not v1 and status == "DRAFT" and doc.get("rejection_comment"):
        row["rejection_comment"] = doc["rejection_comment"]
    reach = reachability(doc, now)
    if reach is not None or not v1:
        row["reachability_details"] = reach
    return row


def execution_rows(executions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Newest first, V1 title-case statuses."""
    ordered = sorted(
        executions, key=lambda e: parse_timestamp(e.get("sent_time")) or datetime.min, reverse=True
    )
    return [
        {
            "campaign_id": e["campaign_id"],
            "sent_time": e["sent_time"],
            "status": title_case(e.get("status", "")),
        }
        for e in ordered
    ]
