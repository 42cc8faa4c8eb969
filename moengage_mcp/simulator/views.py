"""V1 renderings of stored campaigns: meta rows, execution rows, title-case statuses.

The store keeps V5 upper-case statuses; V1 answers in title case ("Active", "Scheduled"),
which clients must normalise.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

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
    return {"count": 2_500 + stable_int(key, "reach") % 247_500, "last_updated_time": fmt_iso_micro(refreshed)}


def meta_row(doc: dict[str, Any], executions: list[dict[str, Any]] | None, now: datetime) -> dict[str, Any]:
    basic = doc.get("basic_details") or {}
    start = schedule_start(doc) or parse_timestamp(doc.get("sent_time"))
    row: dict[str, Any] = {
        "campaign_id": doc.get("campaign_id") or doc.get("id"),
        "channel": doc.get("channel"),
        "platform": list(basic.get("platforms") or []) if doc.get("channel") == "PUSH" else [],
        "created_by": doc.get("created_by"),
        "campaign_delivery_type": doc.get("campaign_delivery_type"),
        "campaign_name": basic.get("name"),
        "campaign_team": basic.get("team"),
        "campaign_tags": list(basic.get("tags") or []),
        "campaign_status": title_case(doc.get("status", "")),
        "campaign_start_time": fmt_iso(start) if start else None,
    }
    if "version_number" in doc:
        row["version_number"] = doc["version_number"]
    if doc.get("parent_id"):
        row["parent_campaign_id"] = doc["parent_id"]
    if doc.get("campaign_delivery_type") == "PERIODIC" and not doc.get("parent_id"):
        row["total_child_campaigns"] = len(executions or [])
    reach = reachability(doc, now)
    if reach is not None:
        row["reachability_details"] = reach
    return row


def execution_rows(executions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Newest first, V1 title-case statuses."""
    ordered = sorted(executions, key=lambda e: parse_timestamp(e.get("sent_time")) or datetime.min, reverse=True)
    return [
        {"campaign_id": e["campaign_id"], "sent_time": e["sent_time"], "status": title_case(e.get("status", ""))}
        for e in ordered
    ]
