"""Campaign lifecycle: publish-time validation, publishing, component updates, status actions.

`validate_campaign` is the single DRAFT_PUBLISH validator: the validate endpoint reports its
findings and publishing refuses with them, so the two can never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from . import content as cc
from .envelopes import ApiError, detail
from .timeutil import fmt_created, parse_timestamp

Issue = dict[str, str]  # {"field": dot path, "issue": text}

COMPONENTS = (
    "basic_details",
    "campaign_content",
    "scheduling_details",
    "segmentation_details",
    "delivery_controls",
    "utm_params",
    "trigger_condition",
    "control_group_details",
    "conversion_goal_details",
    "connector",
    "advanced",
    "campaign_audience_limit",
)
EDITABLE_CHANNELS = ("PUSH", "EMAIL")
ACTIONS = ("STOP", "PAUSE", "RESUME")

# action -> (delivery types, source statuses, resulting status)
TRANSITIONS: dict[str, tuple[frozenset[str], frozenset[str], str]] = {
    "STOP": (frozenset({"ONE_TIME"}), frozenset({"ACTIVE", "SCHEDULED", "PAUSED", "SENDING"}), "STOPPED"),
    "PAUSE": (
        frozenset({"PERIODIC", "EVENT_TRIGGERED"}),
        frozenset({"ACTIVE", "SCHEDULED", "SENDING"}),
        "PAUSED",
    ),
    "RESUME": (frozenset({"PERIODIC", "EVENT_TRIGGERED"}), frozenset({"PAUSED"}), "ACTIVE"),
}

TRIGGERED_TYPES = ("EVENT_TRIGGERED", "DEVICE_TRIGGERED", "LOCATION_TRIGGERED")
_TIMED_DELIVERY = ("AT_FIXED_TIME", "SEND_IN_BTS", "SEND_IN_USER_TIMEZONE")
_DELIVERY_TYPES = ("ASAP", *_TIMED_DELIVERY)
_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# ---------------------------------------------------------------- helpers on documents


def schedule_start(doc: dict[str, Any]) -> datetime | None:
    """Start of the schedule, from the request shape (`start_time`) or the GET shape (`schedule_time`)."""
    sched = doc.get("scheduling_details")
    if not isinstance(sched, dict):
        return None
    return parse_timestamp(sched.get("start_time")) or parse_timestamp(sched.get("schedule_time"))


def is_child(doc: dict[str, Any]) -> bool:
    """Periodic children and flow nodes are hidden from searches unless asked for."""
    return bool(doc.get("parent_id") or doc.get("flow_id"))


def is_email(value: Any) -> bool:
    return isinstance(value, str) and bool(_EMAIL.match(value))


def _blank(value: Any) -> bool:
    return not isinstance(value, str) or not value.strip()


def _obj(doc: dict[str, Any], key: str) -> dict[str, Any]:
    value = doc.get(key)
    return value if isinstance(value, dict) else {}


# ---------------------------------------------------------------- validation (DRAFT_PUBLISH)


def validate_campaign(doc: dict[str, Any], now: datetime) -> list[Issue]:
    """Every publish-time problem of a campaign, as {field, issue} with root-relative dot paths."""
    issues: list[Issue] = []
    checks: tuple[Callable[[dict[str, Any], datetime, list[Issue]], None], ...] = (
        _check_basics,
        _check_content,
        _check_connector,
        _check_segmentation,
        _check_scheduling,
        _check_trigger,
        _check_controls,
    )
    for check in checks:
        check(doc, now, issues)
    return issues


def _add(issues: list[Issue], field: str, issue: str) -> None:
    issues.append({"field": field, "issue": issue})


def _check_basics(doc: dict[str, Any], now: datetime, issues: list[Issue]) -> None:
    basic = _obj(doc, "basic_details")
    dtype = doc.get("campaign_delivery_type")
    if _blank(basic.get("name")):
        _add(issues, "basic_details.name", "name is required")
    if doc.get("channel") == "PUSH" and not basic.get("platforms"):
        _add(issues, "basic_details.platforms", "at least one platform is required")
    if dtype == "BUSINESS_EVENT_TRIGGERED" and _blank(basic.get("business_event")):
        _add(
            issues,
            "basic_details.business_event",
            "business_event is required for BUSINESS_EVENT_TRIGGERED campaigns",
        )
    if dtype == "LOCATION_TRIGGERED" and not isinstance(basic.get("geofences"), dict):
        _add(issues, "basic_details.geofences", "geofences is required for LOCATION_TRIGGERED campaigns")
    if dtype == "BROADCAST_LIVE_ACTIVITY" and doc.get("status") == "DRAFT":
        _add(
            issues,
            "campaign_delivery_type",
            "BROADCAST_LIVE_ACTIVITY is not supported through the draft flow",
        )
    if (
        doc.get("channel") == "EMAIL"
        and basic.get("content_type") == "PROMOTIONAL"
        and _blank(basic.get("subscription_category"))
    ):
        _add(
            issues,
            "basic_details.subscription_category",
            "subscription_category is required for PROMOTIONAL emails",
        )


def _check_content(doc: dict[str, Any], now: datetime, issues: list[Issue]) -> None:
    content_obj = doc.get("campaign_content")
    content = content_obj.get("content") if isinstance(content_obj, dict) else None
    if not isinstance(content, dict) or not content:
        _add(issues, "campaign_content", "campaign_content is required for publish")
        return
    channel = doc.get("channel", "")
    _check_variation_split(content_obj, issues)
    for block in _expected_blocks(content_obj, content, channel, issues):
        if channel == "PUSH":
            _check_push_block(block, _obj(doc, "basic_details").get("platforms") or [], issues)
        elif channel == "EMAIL":
            _check_email_block(block, issues)


def _expected_blocks(
    content_obj: dict[str, Any], content: dict[str, Any], channel: str, issues: list[Issue]
) -> list[cc.Block]:
    """The blocks the configured locales x variations require, reporting missing/extra ones."""
    locales, variations = cc.expected_locales(content_obj), cc.expected_variations(content_obj)
    present = {(b.locale, b.variation): b for b in cc.present_blocks(content_obj, channel)}
    if cc.is_flat(content, channel):
        if len(locales) > 1 or len(variations) > 1:
            _add(
                issues,
                "campaign_content.content",
                "content must be keyed by locale and variation when locales or variations are configured",
            )
        return list(present.values())
    blocks = []
    key = cc.channel_key(channel)
    for locale in locales:
        if not isinstance(content.get(locale), dict):
            _add(issues, f"campaign_content.content.{locale}", f"content for locale {locale} is missing")
            continue
        for variation in variations:
            block = present.get((locale, variation))
            if block is None or not isinstance(block.payload, dict):
                _add(
                    issues,
                    f"campaign_content.content.{locale}.{variation}.{key}",
                    f"content for {locale} / {variation} is missing",
                )
            else:
                blocks.append(block)
    for locale in content:
        if locale not in locales:
            _add(
                issues,
                f"campaign_content.content.{locale}",
                f"locale {locale} is not listed in campaign_content.locales",
            )
    return blocks


def _check_variation_split(content_obj: dict[str, Any], issues: list[Issue]) -> None:
    details = content_obj.get("variation_details")
    if not isinstance(details, dict) or details.get("distribution_type") != "MANUAL":
        return
    split = details.get("manual_distribution_percentage")
    values = list(split.values()) if isinstance(split, dict) else []
    if not values or sum(v for v in values if isinstance(v, (int, float))) != 100:
        _add(
            issues,
            "campaign_content.variation_details.manual_distribution_percentage",
            "manual_distribution_percentage values must sum to 100",
        )


def _check_push_block(block: cc.Block, platforms: list[Any], issues: list[Issue]) -> None:
    payload = block.payload if isinstance(block.payload, dict) else {}
    for platform in platforms:
        name = str(platform).lower()
        path = f"{block.path}.{name}"
        platform_content = payload.get(name)
        if not isinstance(platform_content, dict):
            _add(
                issues,
                path,
                f"{name} content is required because {str(platform).upper()} is a target platform",
            )
            continue
        if platform_content.get("template_type") == "Custom":
            if _blank(platform_content.get("custom_template_id")):
                _add(
                    issues,
                    f"{path}.custom_template_id",
                    "custom_template_id is required when template_type is Custom",
                )
            continue
        details = platform_content.get("basic_details")
        details = details if isinstance(details, dict) else {}
        for key in ("title", "message"):
            if _blank(details.get(key)):
                _add(issues, f"{path}.basic_details.{key}", f"{key} is required")


def _check_email_block(block: cc.Block, issues: list[Issue]) -> None:
    email = block.payload if isinstance(block.payload, dict) else {}
    has_html, has_template = (
        not _blank(email.get("html_content")),
        not _blank(email.get("custom_template_id")),
    )
    if has_html and has_template:
        _add(
            issues, f"{block.path}.html_content", "html_content and custom_template_id are mutually exclusive"
        )
    elif not has_html and not has_template:
        _add(issues, f"{block.path}.html_content", "html_content or custom_template_id is required")
    if has_template:
        return
    for key in ("subject", "sender_name", "from_address"):
        if _blank(email.get(key)):
            _add(issues, f"{block.path}.{key}", f"{key} is required")
    if not _blank(email.get("from_address")) and not is_email(email.get("from_address")):
        _add(issues, f"{block.path}.from_address", "from_address must be a valid email address")


def _check_connector(doc: dict[str, Any], now: datetime, issues: list[Issue]) -> None:
    if doc.get("channel") != "EMAIL":
        return
    connector = doc.get("connector")
    if not isinstance(connector, dict):
        _add(issues, "connector", "connector is required for EMAIL campaigns")
        return
    for key in ("connector_type", "connector_name"):
        if _blank(connector.get(key)):
            _add(issues, f"connector.{key}", f"{key} is required")


def _check_segmentation(doc: dict[str, Any], now: datetime, issues: list[Issue]) -> None:
    seg = doc.get("segmentation_details")
    if not isinstance(seg, dict):
        _add(issues, "segmentation_details", "segmentation_details is required for publish")
        return
    included = seg.get("included_filters")
    has_filters = isinstance(included, dict) and bool(included.get("filters"))
    if not has_filters and seg.get("is_all_user_campaign") is not True:
        _add(
            issues,
            "segmentation_details.included_filters",
            "included_filters is required unless is_all_user_campaign is true",
        )


def _check_scheduling(doc: dict[str, Any], now: datetime, issues: list[Issue]) -> None:
    sched = doc.get("scheduling_details")
    if not isinstance(sched, dict):
        _add(issues, "scheduling_details", "scheduling_details is required for publish")
        return
    delivery = sched.get("delivery_type")
    if delivery == "SCHEDULED" and doc.get("status") != "DRAFT":
        delivery = "AT_FIXED_TIME"  # the normalised GET form (schedule_time) of a published campaign
    elif delivery not in _DELIVERY_TYPES:
        _add(
            issues,
            "scheduling_details.delivery_type",
            f"delivery_type must be one of {', '.join(_DELIVERY_TYPES)}",
        )
    start, expiry = schedule_start(doc), parse_timestamp(sched.get("expiry_time"))
    if delivery in _TIMED_DELIVERY and start is None:
        _add(issues, "scheduling_details.start_time", f"start_time is required for {delivery}")
    if start is not None and doc.get("status") == "DRAFT" and start <= now:
        _add(issues, "scheduling_details.start_time", "start_time must be in the future")
    if sched.get("expiry_time") is not None and expiry is None:
        _add(issues, "scheduling_details.expiry_time", "expiry_time must be an ISO 8601 date-time")
    if start is not None and expiry is not None and expiry <= start:
        _add(issues, "scheduling_details.expiry_time", "expiry_time must be after start_time")
    if delivery == "SEND_IN_BTS" and not isinstance(sched.get("bts_details"), dict):
        _add(issues, "scheduling_details.bts_details", "bts_details is required for SEND_IN_BTS")
    if delivery == "SEND_IN_USER_TIMEZONE" and not isinstance(sched.get("user_timezone_details"), dict):
        _add(
            issues,
            "scheduling_details.user_timezone_details",
            "user_timezone_details is required for SEND_IN_USER_TIMEZONE",
        )
    if doc.get("campaign_delivery_type") == "PERIODIC":
        _check_periodic(sched, issues)


def _check_periodic(sched: dict[str, Any], issues: list[Issue]) -> None:
    if sched.get("delivery_type") != "AT_FIXED_TIME":
        _add(issues, "scheduling_details.delivery_type", "PERIODIC campaigns use delivery_type AT_FIXED_TIME")
    periodic = sched.get("periodic_details")
    if not isinstance(periodic, dict):
        _add(
            issues,
            "scheduling_details.periodic_details",
            "periodic_details is required for PERIODIC campaigns",
        )
        return
    if periodic.get("sending_frequency") not in _FREQUENCIES:
        _add(
            issues,
            "scheduling_details.periodic_details.sending_frequency",
            "sending_frequency must be DAILY, WEEKLY or MONTHLY",
        )
    repeat = periodic.get("repeat_frequency")
    if not isinstance(repeat, int) or isinstance(repeat, bool) or repeat < 1:
        _add(
            issues,
            "scheduling_details.periodic_details.repeat_frequency",
            "repeat_frequency is required (an integer >= 1)",
        )


def _check_trigger(doc: dict[str, Any], now: datetime, issues: list[Issue]) -> None:
    if doc.get("campaign_delivery_type") not in TRIGGERED_TYPES:
        return
    trigger = doc.get("trigger_condition")
    if not isinstance(trigger, dict) or not isinstance(trigger.get("included_filters"), dict):
        _add(
            issues,
            "trigger_condition",
            f"trigger_condition is required for {doc.get('campaign_delivery_type')} campaigns",
        )
        return
    if trigger.get("trigger_delay_type") == "DELAY":
        for key in ("trigger_delay_value", "trigger_delay_granularity", "trigger_relation"):
            if trigger.get(key) in (None, ""):
                _add(
                    issues, f"trigger_condition.{key}", f"{key} is required when trigger_delay_type is DELAY"
                )
    if doc.get("channel") == "PUSH" and doc.get("campaign_delivery_type") == "EVENT_TRIGGERED":
        if not isinstance(_obj(doc, "delivery_controls").get("bypass_dnd"), bool):
            _add(
                issues,
                "delivery_controls.bypass_dnd",
                "bypass_dnd is required for push event-triggered campaigns",
            )


def _check_controls(doc: dict[str, Any], now: datetime, issues: list[Issue]) -> None:
    group = _obj(doc, "control_group_details")
    if group.get("is_campaign_control_group_enabled") is True:
        pct = group.get("campaign_control_group_percentage")
        if not isinstance(pct, int) or isinstance(pct, bool) or not 0 <= pct <= 100:
            _add(
                issues,
                "control_group_details.campaign_control_group_percentage",
                "campaign_control_group_percentage (0-100) is required when the control group is enabled",
            )
    utm = doc.get("utm_params")
    if isinstance(utm, dict) and utm:
        for key in ("utm_source", "utm_medium"):
            if _blank(utm.get(key)):
                _add(issues, f"utm_params.{key}", f"{key} is required when UTM parameters are used")


# ---------------------------------------------------------------- writes


def _require_draft(doc: dict[str, Any]) -> None:
    if doc.get("status") != "DRAFT":
        raise ApiError(409, "Campaign is not in DRAFT state and cannot be patched.", code="BAD_REQUEST")


def _require_editable_channel(doc: dict[str, Any]) -> None:
    if doc.get("channel") not in EDITABLE_CHANNELS:
        message = f"{doc.get('channel')} campaigns cannot be updated through the V5 API."
        raise ApiError(
            400, message, code="BAD_REQUEST", target="channel", details=[detail("channel", message)]
        )


def _touch(doc: dict[str, Any], now: datetime, actor: str) -> None:
    doc["updated_at"] = fmt_created(now)
    doc["updated_by"] = actor


def publish(doc: dict[str, Any], now: datetime, actor: str) -> None:
    """DRAFT -> SCHEDULED (future start) or ACTIVE, after publish-time validation."""
    _require_editable_channel(doc)
    _require_draft(doc)
    issues = validate_campaign(doc, now)
    if issues:
        raise ApiError(
            422,
            "Draft cannot be published; validation failed.",
            details=[detail(i["field"], i["issue"]) for i in issues],
        )
    start = schedule_start(doc)
    doc["status"] = "SCHEDULED" if start is not None and start > now else "ACTIVE"
    _touch(doc, now, actor)


def apply_action(doc: dict[str, Any], action: str, now: datetime, actor: str) -> None:
    """STOP / PAUSE / RESUME per the documented state machine; anything else is a 422."""
    channel, dtype, status = doc.get("channel"), doc.get("campaign_delivery_type"), doc.get("status")
    if channel not in EDITABLE_CHANNELS:
        raise ApiError(422, f"Action {action} is not supported for {channel} campaigns.")
    types, sources, result = TRANSITIONS[action]
    if dtype not in types:
        raise ApiError(422, f"Action {action} is not valid for a {dtype} campaign.")
    if status not in sources:
        raise ApiError(422, f"Action {action} is not valid for a campaign in {status} state.")
    doc["status"] = result
    _touch(doc, now, actor)
