"""Draft authoring: `POST /v5/campaigns` (DRAFT_CREATE) and component updates (DRAFT_PATCH).

What a create checks, from the Create Campaign reference and the V5 FAQ: the required fields
(`channel` PUSH or EMAIL, a `campaign_delivery_type` of that channel, `created_by` an email;
`connector` for EMAIL), that each component sent is a whole JSON object of that channel, the
rules stated as request-time failures (html_content XOR custom_template_id, `variation_N` keys,
the Android/iOS/Web template types, custom UTM keys) and the flag-gated features
(`campaign_audience_limit`, queuing). Everything else - names, platforms, content completeness,
audience, schedule, triggers - is publish-time validation (`state.validate_campaign`), so a
draft can be built up progressively. Updates run the same component checks plus the per-state
editability rules, and on a versioned workspace an update of a live campaign makes a new version.

`request_id` is the creation idempotency key: within an hour (PUSH) or a day (EMAIL) of a
successful creation the same request_id answers with the same draft (a different body is a 409).
Successful creations are limited to 5 a minute, 25 an hour and 100 a day, in simulated time so
tests can move past a window; calls (5/s, 25/min, 100/h) are limited by the `create` family.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from . import content as cc
from . import idempotency, state
from .envelopes import V5, ApiError, detail, rate_limited_error
from .fields import FieldErrors, get_str
from .timeutil import fmt_created, parse_timestamp

DELIVERY_TYPES = {
    "PUSH": (
        "ONE_TIME",
        "PERIODIC",
        "EVENT_TRIGGERED",
        "BUSINESS_EVENT_TRIGGERED",
        "DEVICE_TRIGGERED",
        "LOCATION_TRIGGERED",
    ),
    "EMAIL": ("ONE_TIME", "PERIODIC", "EVENT_TRIGGERED", "BUSINESS_EVENT_TRIGGERED"),
}
CREATE_FIELDS = frozenset(
    {"request_id", "channel", "campaign_delivery_type", "created_by", *state.COMPONENTS}
)
NOT_PART_OF = {"PUSH": ("connector",), "EMAIL": ("advanced",)}
"""`connector` is Email-only and `advanced` Push-only (the reference pages and the create schemas)."""
TEMPLATE_TYPES = {
    "android": (
        "BASIC",
        "STYLIZED_BASIC",
        "SIMPLE_IMAGE_CAROUSEL",
        "IMAGE_BANNER_WITH_TEXT",
        "TIMER",
        "TIMER_WITH_PROGRESS_BAR",
        "Custom",
    ),
    "ios": ("BASIC", "STYLIZED_BASIC", "SIMPLE_IMAGE_CAROUSEL", "Custom"),
    "web": ("BASIC",),
}
UTM_STANDARD = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
_VARIATION_KEY = re.compile(r"^variation_[1-9][0-9]*$")

AUDIENCE_LIMIT = "campaign_audience_limit"
QUEUING = "queuing"
"""Names of the flag-gated features in `Simulator.features` (off unless a test turns them on)."""

REQUEST_ID_WINDOWS = {"PUSH": timedelta(hours=1), "EMAIL": timedelta(days=1)}
CREATION_QUOTA = (
    (timedelta(minutes=1), 5, "minute"),
    (timedelta(hours=1), 25, "hour"),
    (timedelta(days=1), 100, "day"),
)

LOCKED_WHILE_LIVE = ("trigger_condition", "segmentation_details", "conversion_goal_details")
LIVE = ("ACTIVE", "PAUSED", "SENDING")
"""Published and running: edited like ACTIVE. The docs name ACTIVE only; PAUSED and SENDING campaigns have
sent already, so the same fields are locked."""
FROZEN = ("STOPPED", "ARCHIVED", "SENT", "RETIRED")
"""No field can change. The docs name STOPPED and ARCHIVED; a SENT campaign has nothing left to deliver and a
RETIRED one is an old version."""


# ---------------------------------------------------------------- the creation log


@dataclass(frozen=True)
class _Creation:
    campaign_id: str
    channel: str
    fingerprint: str
    at: datetime


@dataclass
class CreationLog:
    """Successful creations: their request_ids (for the reuse windows) and times (for the quota)."""

    by_request_id: dict[str, _Creation] = field(default_factory=dict)
    times: list[datetime] = field(default_factory=list)

    def earlier(self, request_id: str, fingerprint: str, now: datetime) -> str | None:
        """The draft an earlier creation with this request_id made, if still in its window."""
        found = self.by_request_id.get(request_id)
        if found is None or now - found.at >= REQUEST_ID_WINDOWS[found.channel]:
            return None
        if found.fingerprint != fingerprint:
            window = "1 hour" if found.channel == "PUSH" else "1 day"
            message = (
                f"request_id {request_id!r} already created campaign {found.campaign_id}; it cannot be "
                f"reused with another body within {window} of a successful creation. Use a new request_id."
            )
            raise ApiError(
                409, message, code="BAD_REQUEST", target="request_id", details=[detail("request_id", message)]
            )
        return found.campaign_id

    def refuse_if_full(self, now: datetime) -> None:
        """429 while any quota window already holds its number of successful creations."""
        for span, count, unit in CREATION_QUOTA:
            recent = sorted(t for t in self.times if now - t < span)
            if len(recent) >= count:
                wait = math.ceil((recent[-count] + span - now).total_seconds())
                err = rate_limited_error(V5, max(1, wait))
                err.message = f"Campaign creation limit reached: {count} campaigns per {unit}. {err.message}"
                raise err

    def record(self, request_id: str, doc: dict[str, Any], fingerprint: str, now: datetime) -> None:
        self.by_request_id[request_id] = _Creation(doc["id"], doc["channel"], fingerprint, now)
        self.times.append(now)


# ---------------------------------------------------------------- create


def create(sim: Any, body: dict[str, Any], request_id: str) -> dict[str, Any]:
    """A new DRAFT from a create body (already authenticated and admitted); the `data` of the 201."""
    channel = _check_create(body)
    components = {key: body[key] for key in state.COMPONENTS if key in body}
    check_components(channel, components, sim.features)
    now, fingerprint = sim.now(), idempotency.fingerprint(body)
    earlier = sim.creations.earlier(request_id, fingerprint, now)
    if earlier is not None:
        return {"id": earlier, "status": "DRAFT"}
    if sim.limiter.enforce:
        sim.creations.refuse_if_full(now)
    doc = {
        "status": "DRAFT",
        "channel": channel,
        "campaign_delivery_type": body["campaign_delivery_type"],
        "created_by": body["created_by"],
        "updated_by": body["created_by"],
        **copy.deepcopy(components),
    }
    doc = sim.campaigns[sim.add_campaign(doc)]
    sim.creations.record(request_id, doc, fingerprint, now)
    return {"id": doc["id"], "status": "DRAFT"}


def _check_create(body: dict[str, Any]) -> str:
    """The create body's own fields; returns the channel."""
    errs = FieldErrors(V5)
    channel = get_str(body, "channel", errs, required=True)
    kind = get_str(body, "campaign_delivery_type", errs, required=True)
    author = get_str(body, "created_by", errs, required=True)
    if channel is not None and channel not in DELIVERY_TYPES:
        errs.add(
            "channel",
            f"channel must be PUSH or EMAIL; {channel} campaigns cannot be created through the V5 API",
        )
    elif channel is not None and kind is not None and kind not in DELIVERY_TYPES[channel]:
        hint = (
            " BROADCAST_LIVE_ACTIVITY is not supported through the draft-based creation flow."
            if kind == "BROADCAST_LIVE_ACTIVITY"
            else ""
        )
        errs.add(
            "campaign_delivery_type",
            f"campaign_delivery_type must be one of {', '.join(DELIVERY_TYPES[channel])} "
            f"for {channel}.{hint}",
        )
    if author is not None and not state.is_email(author):
        errs.add("created_by", "created_by must be the email address of the user creating the campaign")
    if channel == "EMAIL" and "connector" not in body:
        errs.missing("connector")
    for key in sorted(set(body) - CREATE_FIELDS):
        hint = (
            ' Publish a draft with PATCH /v5/campaigns/{campaign_id} and {"status": "PUBLISH"}.'
            if key == "status"
            else ""
        )
        errs.add(key, f"{key} is not a field of the create request.{hint}")
    errs.raise_if_any()
    assert channel is not None
    return channel


# ---------------------------------------------------------------- component checks (create and update)


def check_components(channel: str, components: dict[str, Any], features: set[str]) -> None:
    """400 for a component that is not a whole object of this channel, for a flag-gated feature the
    workspace lacks (the documented envelope), or for a request-time rule a component breaks."""
    errs = FieldErrors(V5)
    for key, value in components.items():
        if key in NOT_PART_OF[channel]:
            errs.add(key, f"{key} is not part of a {channel} campaign")
        elif not isinstance(value, dict):
            errs.add(key, f"{key} must be a JSON object (the whole component)")
    errs.raise_if_any()
    _check_features(components, features)
    _check_content(channel, components.get("campaign_content"), errs)
    _check_connector(components.get("connector"), errs)
    _check_utm(components.get("utm_params"), errs)
    errs.raise_if_any()


def _check_features(components: dict[str, Any], features: set[str]) -> None:
    if "campaign_audience_limit" in components and AUDIENCE_LIMIT not in features:
        message = "Campaign Audience Limit feature is not enabled for this db"
        raise ApiError(
            400,
            message,
            target="campaign_audience_limit",
            details=[detail("campaign_audience_limit", message)],
        )
    controls = components.get("delivery_controls") or {}
    queued = [key for key in ("queuing_enabled", "queue_duration") if key in controls]
    if queued and QUEUING not in features:
        message = "Queuing is not enabled for this workspace; contact your MoEngage account team to enable it"
        raise ApiError(
            400,
            message,
            target=f"delivery_controls.{queued[0]}",
            details=[detail(f"delivery_controls.{key}", message) for key in queued],
        )


def _check_content(channel: str, content: dict[str, Any] | None, errs: FieldErrors) -> None:
    if content is None:
        return
    split = (content.get("variation_details") or {}).get("manual_distribution_percentage")
    for key in split if isinstance(split, dict) else ():
        if not _VARIATION_KEY.match(str(key)):
            errs.add(
                "campaign_content.variation_details.manual_distribution_percentage",
                f"variation key {key!r} must follow the variation_N format (variation_1, variation_2, ...)",
            )
    for block in cc.present_blocks(content, channel):
        if not isinstance(block.payload, dict):
            continue
        if channel == "EMAIL":
            _check_email(block, errs)
        else:
            _check_templates(block, errs)


def _check_email(block: cc.Block, errs: FieldErrors) -> None:
    sources = [key for key in ("html_content", "custom_template_id") if block.payload.get(key)]
    if len(sources) == 2:
        errs.add(
            f"{block.path}.custom_template_id", "custom_template_id and html_content are mutually exclusive"
        )


def _check_templates(block: cc.Block, errs: FieldErrors) -> None:
    for platform, allowed in TEMPLATE_TYPES.items():
        platform_content = block.payload.get(platform)
        given = platform_content.get("template_type") if isinstance(platform_content, dict) else None
        if given is not None and given not in allowed:
            errs.add(
                f"{block.path}.{platform}.template_type",
                f"template_type {given!r} is not supported for {platform}; allowed: {', '.join(allowed)}",
            )


def _check_connector(connector: dict[str, Any] | None, errs: FieldErrors) -> None:
    for key in ("connector_type", "connector_name") if connector is not None else ():
        if not isinstance(connector.get(key), str) or not connector[key].strip():
            errs.add(f"connector.{key}", f"connector.{key} is required")


def _check_utm(utm: dict[str, Any] | None, errs: FieldErrors) -> None:
    custom = sorted(set(utm or {}) - set(UTM_STANDARD))
    for key in custom:
        if not key.startswith("utm_"):
            errs.add(f"utm_params.{key}", "custom UTM keys must be prefixed with utm_")
    if len(custom) > 5:
        errs.add("utm_params", f"at most 5 custom UTM parameters are supported, got {len(custom)}")


# ---------------------------------------------------------------- update


def update(
    sim: Any, doc: dict[str, Any], components: dict[str, Any], actor: str, note: Any
) -> dict[str, Any]:
    """Replace whole components of `doc` where its state allows; on a versioned workspace a live
    campaign gets a new version document (same campaign_id, version_number + 1). Returns the
    document written."""
    if doc.get("channel") not in state.EDITABLE_CHANNELS:
        message = f"{doc.get('channel')} campaigns cannot be updated through the V5 API."
        raise ApiError(
            400, message, code="BAD_REQUEST", target="channel", details=[detail("channel", message)]
        )
    if note is not None and not isinstance(note, str):
        raise ApiError(
            400, target="version_note", details=[detail("version_note", "version_note must be a string")]
        )
    check_components(doc["channel"], components, sim.features)
    check_editable(doc, components)
    now = sim.now()
    if doc["status"] != "DRAFT" and sim.versioning:
        doc = _new_version(sim, doc, note, now, actor)
    doc.update(components)
    _stamp(doc, now, actor)
    return doc


def check_editable(doc: dict[str, Any], components: dict[str, Any]) -> None:
    """409 BAD_REQUEST when the campaign's state forbids changing one of `components`."""
    status = doc.get("status")
    if status == "DRAFT":
        return
    if status in FROZEN:
        message = f"Campaign is in {status} state and cannot be updated."
        raise ApiError(409, message, code="BAD_REQUEST", target="status", details=[])
    refused = [
        (key, f"{key} cannot be updated while the campaign is {status}")
        for key in LOCKED_WHILE_LIVE
        if status in LIVE and key in components
    ]
    if "scheduling_details" in components:
        refused += _schedule_changes(
            doc.get("scheduling_details") or {}, components["scheduling_details"], status
        )
    if refused:
        message = f"Campaign is {status}: {', '.join(target for target, _ in refused)} cannot be updated."
        raise ApiError(
            409, message, code="BAD_REQUEST", target=refused[0][0], details=[detail(t, m) for t, m in refused]
        )


def _schedule_changes(current: dict[str, Any], new: dict[str, Any], status: str) -> list[tuple[str, str]]:
    """The scheduling type never changes once published; the start neither while the campaign is live."""
    changes = []
    before, after = _scheduling_type(current), _scheduling_type(new)
    if before != after:
        changes.append(
            (
                "scheduling_details.delivery_type",
                f"the scheduling type cannot change from {before} to {after} while the campaign is {status}",
            )
        )
    start = parse_timestamp(current.get("start_time") or current.get("schedule_time"))
    if status in LIVE and parse_timestamp(new.get("start_time")) != start:
        changes.append(
            ("scheduling_details.start_time", f"the start date cannot change while the campaign is {status}")
        )
    return changes


def _scheduling_type(schedule: dict[str, Any]) -> Any:
    """GET answers a fixed-time schedule as delivery_type SCHEDULED with schedule_time (its resolved form)."""
    kind = schedule.get("delivery_type")
    return "AT_FIXED_TIME" if kind == "SCHEDULED" else kind


def _new_version(
    sim: Any, old: dict[str, Any], note: str | None, now: datetime, actor: str
) -> dict[str, Any]:
    """The next version of a live campaign; the one it replaces is RETIRED."""
    number = old.get("version_number") or 1
    new = copy.deepcopy(old)
    del new["id"]
    new.update(campaign_id=old.get("campaign_id") or old["id"], version_number=number + 1)
    if note:
        new["version_note"] = note
    old.update(version_number=number, status="RETIRED")
    _stamp(old, now, actor)
    return sim.campaigns[sim.add_campaign(new)]


def _stamp(doc: dict[str, Any], now: datetime, actor: str) -> None:
    doc["updated_at"] = fmt_created(now)
    doc["updated_by"] = actor
