"""`POST /v5/campaigns/test`: draft or inline test sends, answered per platform x locale x variation.

The answer's keys (`ANDROID_default_variation_1`, `EMAIL_es-ES_variation_2`) come from the
content actually tested, narrowed by `platform` / `locale_name` / `variation`, so a client
that assumes a single key breaks here first.
"""

from __future__ import annotations

import copy
from typing import Any

from . import content as cc
from .envelopes import V5, ApiError, detail
from .fields import FieldErrors, get_object, get_str
from .seed import IDENTIFIER_ATTRIBUTES, SEGMENTS
from .state import is_email

PUSH_IDENTIFIERS = (
    "USER_ATTRIBUTE_UNIQUE_ID",
    "USER_ATTRIBUTE_USER_EMAIL",
    "USER_ATTRIBUTE_USER_MOBILE",
    "MOE_GAID",
    "ADVERTISING_IDENTIFIER",
    "PUSH_ID",
    "CUSTOM_SEGMENT",
)
EMAIL_IDENTIFIERS = ("EMAIL", "ID", "MOBILE_NUMBER", "CUSTOM_SEGMENT")
_IDENTIFIERS = {"PUSH": PUSH_IDENTIFIERS, "EMAIL": EMAIL_IDENTIFIERS}
MAX_RECIPIENTS = 10


def find_user(users: dict[str, dict[str, Any]], identifier: str, value: str) -> dict[str, Any] | None:
    """The user whose `identifier`-type attribute is `value` (users are keyed by every identifier)."""
    user = users.get(value)
    if user is None:
        return None
    attribute = IDENTIFIER_ATTRIBUTES.get(identifier)
    if attribute and attribute in user and user[attribute] != value:
        return None
    return user


def _bad(target: str, message: str) -> ApiError:
    return ApiError(400, message, target=target, details=[detail(target, message)])


def _parse_meta(body: dict[str, Any]) -> dict[str, Any]:
    errs = FieldErrors(V5)
    meta = get_object(body, "test_campaign_meta", errs, required=True) or {}
    parsed: dict[str, Any] = {
        "identifier": get_str(meta, "identifier", errs, target="test_campaign_meta.identifier", required=True)
    }
    values = meta.get("identifier_values")
    valid_values = (
        isinstance(values, list)
        and 1 <= len(values) <= MAX_RECIPIENTS
        and all(isinstance(v, str) and v.strip() for v in values)
    )
    if not valid_values:
        errs.add(
            "test_campaign_meta.identifier_values",
            f"test_campaign_meta.identifier_values must be a list of 1 to {MAX_RECIPIENTS} non-empty strings",
        )
    parsed["identifier_values"] = values if valid_values else []
    for key in ("variation", "locale_name", "platform"):
        parsed[key] = get_str(meta, key, errs, target=f"test_campaign_meta.{key}")
    if parsed["platform"] is not None and parsed["platform"] not in cc.PUSH_PLATFORMS:
        errs.add("test_campaign_meta.platform", "test_campaign_meta.platform must be ANDROID, IOS or WEB")
    errs.raise_if_any()
    return parsed


def _source(sim: Any, body: dict[str, Any]) -> tuple[str, str, dict[str, Any], str | None]:
    """(mode, channel, campaign_content, draft_id) from draft mode or inline mode."""
    draft_id, inline = body.get("draft_id"), body.get("campaign_content")
    if (draft_id is None) == (inline is None):
        raise _bad(
            "draft_id",
            "Pass either draft_id (draft mode) or channel + campaign_content (inline mode), not both or neither.",
        )
    if draft_id is not None:
        return _draft_source(sim, body, draft_id)
    channel = body.get("channel")
    if channel not in _IDENTIFIERS:
        raise _bad("channel", "channel must be PUSH or EMAIL in inline mode")
    if not isinstance(inline, dict) or not isinstance(inline.get("content"), dict):
        raise _bad("campaign_content", "campaign_content must be an object with a content object")
    if channel == "EMAIL":
        for key in ("basic_details", "connector"):
            if not isinstance(body.get(key), dict):
                raise _bad(key, f"{key} is required for EMAIL inline test sends")
    return "inline", channel, inline, None


def _draft_source(
    sim: Any, body: dict[str, Any], draft_id: Any
) -> tuple[str, str, dict[str, Any], str | None]:
    doc = sim.find_campaign(draft_id, target="draft_id")
    if doc.get("status") != "DRAFT":
        raise ApiError(
            422, f"Campaign {draft_id} is in {doc.get('status')} state; draft mode needs a DRAFT campaign."
        )
    channel = doc.get("channel")
    if channel not in _IDENTIFIERS:
        raise _bad("draft_id", f"Test sends support PUSH and EMAIL campaigns, not {channel}.")
    if body.get("channel") not in (None, channel):
        raise _bad("channel", f"channel {body.get('channel')} does not match the draft's channel {channel}")
    return "draft", channel, doc.get("campaign_content") or {}, draft_id


def _result_keys(channel: str, campaign_content: dict[str, Any], meta: dict[str, Any]) -> list[str]:
    keys = []
    for block in cc.present_blocks(campaign_content, channel):
        platforms = cc.push_platforms_in(block.payload) if channel == "PUSH" else ["EMAIL"]
        for platform in platforms:
            if meta["platform"] not in (None, platform) or meta["locale_name"] not in (None, block.locale):
                continue
            if meta["variation"] in (None, block.variation):
                keys.append(f"{platform}_{block.locale}_{block.variation}")
    if not keys:
        raise _bad(
            "test_campaign_meta", "No content matches the requested platform / locale_name / variation."
        )
    return keys


def _recipient_outcome(
    users: dict[str, dict[str, Any]], identifier: str, values: list[str]
) -> dict[str, str]:
    """SENT when any recipient resolves; otherwise FAILED with the first recipient's reason."""
    reasons = []
    for value in values:
        if identifier == "CUSTOM_SEGMENT":
            ok, reason = value in SEGMENTS, "Custom segment not found"
        elif identifier == "EMAIL":  # documented: non-users still receive it, unpersonalised
            ok, reason = is_email(value), "Invalid email address"
        else:
            ok = find_user(users, identifier, value) is not None
            reason = {
                "PUSH_ID": "Invalid push token",
                "MOE_GAID": "No device found for advertising identifier",
                "ADVERTISING_IDENTIFIER": "No device found for advertising identifier",
            }.get(identifier, "User not found")
        if ok:
            return {"status": "SENT"}
        reasons.append(reason)
    return {"status": "FAILED", "failure_reason": reasons[0]}


def run_test_send(sim: Any, body: dict[str, Any]) -> dict[str, Any]:
    meta = _parse_meta(body)
    mode, channel, campaign_content, draft_id = _source(sim, body)
    if meta["identifier"] not in _IDENTIFIERS[channel]:
        raise _bad(
            "test_campaign_meta.identifier",
            f"identifier for {channel} must be one of {', '.join(_IDENTIFIERS[channel])}",
        )
    outcome = _recipient_outcome(sim.users, meta["identifier"], meta["identifier_values"])
    results = {key: dict(outcome) for key in _result_keys(channel, campaign_content, meta)}
    sim.test_sends.append(
        {
            "mode": mode,
            "draft_id": draft_id,
            "channel": channel,
            "identifier": meta["identifier"],
            "identifier_values": list(meta["identifier_values"]),
            "variation": meta["variation"],
            "locale_name": meta["locale_name"],
            "platform": meta["platform"],
            "results": copy.deepcopy(results),
            "time": sim.now().isoformat(),
        }
    )
    return {"data": results, "message": "Test campaign processed"}
