"""Launch-readiness checks of one campaign: deterministic, read-only, each finding actionable.

`run_checks` is pure: it takes the campaign, the API's publish-time validation and the previews
rendered for sample users, and returns findings with a severity, the field they concern and how
to fix them. The tool layer fetches those inputs.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

from ...api import models as m
from ...api.enums import Channel, DeliveryType, Status
from .content import RenderedBlock, rendered_blocks, strings, urls_in

Severity = Literal["error", "warning", "info"]


class Finding(BaseModel):
    severity: Severity
    check: str
    field: str
    message: str
    fix: str
    change: dict[str, Any] | None = Field(None, description="The fix as update_campaign arguments (set).")


MAX_CHANGE = 1000
"""Characters a changed value may have to travel in a finding (a long email's HTML is fixed by hand)."""


def _set(edits: dict[str, Any]) -> dict[str, Any] | None:
    """Field edits (path -> value) in update_campaign's form, or None when a value is too long to carry."""
    if any(isinstance(value, str) and len(value) > MAX_CHANGE for value in edits.values()):
        return None
    return {"set": edits}


@dataclass
class QAInput:
    campaign: m.Campaign
    now: dt.datetime
    validation: m.ValidationResult | None = None
    previews: dict[str, list[RenderedBlock] | str] = field(default_factory=dict)
    """Rendered blocks per sample user, or the reason rendering failed."""
    with_event_attributes: bool = False
    """Whether the previews had trigger-event attributes to fill EventAttribute values with."""


Check = Callable[[QAInput], Iterator[Finding]]

_EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.S)
_EVENT = re.compile(r"EventAttribute|\bevent\.")
_PERSONAL = re.compile(rf"UserAttribute|\buser\.|{_EVENT.pattern}")
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENSION = set("^{}\\[~]|€")
"""Characters GSM-7 sends as an escape plus a code: two septets each."""


# --------------------------------------------------------------------------- helpers


def _content(c: m.Campaign) -> m.CampaignContent:
    return c.campaign_content or m.CampaignContent()


def _flat(c: m.Campaign) -> bool:
    return any(key in _content(c).content for key in ("push", "email", "sms"))


def _block_path(c: m.Campaign, block: m.ContentBlock | RenderedBlock) -> str:
    base = "campaign_content.content"
    return base if _flat(c) else f"{base}.{block.locale}.{block.variation}"


def expected_cells(c: m.Campaign) -> list[tuple[str, str]]:
    """Every (locale, variation) the campaign declares: default plus `locales`, × its variations."""
    content = _content(c)
    locales = ["default", *[loc for loc in content.locales if loc != "default"]]
    details = content.variation_details
    variations = ["variation_1"]
    if details and details.manual_distribution_percentage:
        variations = sorted(details.manual_distribution_percentage)
    elif details and (details.no_of_variations or 1) > 1:
        variations = [f"variation_{i}" for i in range(1, (details.no_of_variations or 1) + 1)]
    return [(loc, var) for loc in locales for var in variations]


def texts(c: m.Campaign) -> Iterator[tuple[str, str]]:
    """(field path, text) of every string in the message content."""
    return strings(_content(c).content, "campaign_content.content")


def links(c: m.Campaign) -> Iterator[tuple[str, list[str]]]:
    """(field path, URLs) a recipient can open (see `urls_in`)."""
    for path, value in texts(c):
        if urls := urls_in(path, value):
            yield path, urls


def _finding(
    severity: Severity, check: str, path: str, message: str, fix: str, change: dict[str, Any] | None = None
) -> Finding:
    return Finding(severity=severity, check=check, field=path, message=message, fix=fix, change=change)


# --------------------------------------------------------------------------- checks


def check_validation(qa: QAInput) -> Iterator[Finding]:
    if qa.validation is None:
        return
    for error in qa.validation.errors:
        yield _finding(
            "error",
            "publish_validation",
            error.field or "campaign",
            error.issue or "fails publish-time validation",
            "Fix it in MoEngage, then run validate_campaign again",
        )


def check_content_coverage(qa: QAInput) -> Iterator[Finding]:
    c = qa.campaign
    blocks = {(b.locale, b.variation): b for b in _content(c).blocks()}
    platforms = [str(p).lower() for p in c.basic_details.platforms]
    for locale, variation in expected_cells(c):
        block = blocks.get((locale, variation))
        where = f"campaign_content.content.{locale}.{variation}"
        if block is None:
            yield _finding(
                "error",
                "content_coverage",
                where,
                f"No content for locale {locale}, {variation}",
                "Add the missing content",
            )
            continue
        yield from _block_gaps(c, block, platforms)


def _block_gaps(c: m.Campaign, block: m.ContentBlock, platforms: list[str]) -> Iterator[Finding]:
    path = _block_path(c, block)
    fix = "Add the missing content"
    if c.channel is Channel.PUSH:
        present = block.push.platforms() if block.push else {}
        for platform in platforms:
            payload = present.get(platform)
            if payload and payload.custom_template_id:
                continue  # a custom template (template_type Custom) carries its own content
            details = payload.basic_details if payload else None
            if details is None:
                yield _finding(
                    "error",
                    "content_coverage",
                    f"{path}.push.{platform}",
                    f"{platform} is listed but has no content",
                    fix,
                )
            elif not (details.title and details.message):
                yield _finding(
                    "error",
                    "content_coverage",
                    f"{path}.push.{platform}.basic_details",
                    "Title or message is empty",
                    fix,
                )
    elif c.channel is Channel.EMAIL:
        email = block.email
        if email is None or not (email.html_content or email.custom_template_id):
            yield _finding("error", "content_coverage", f"{path}.email", "No HTML or template", fix)
        elif not email.subject and not email.custom_template_id:
            yield _finding("error", "content_coverage", f"{path}.email.subject", "Subject is empty", fix)
    elif c.channel is Channel.SMS and not _sms_content(block.sms):
        yield _finding("error", "content_coverage", f"{path}.sms.message", "SMS message is empty", fix)


def _sms_content(sms: m.SmsContent | None) -> bool:
    """A message, or the id of a template holding it (`template_id` or `custom_template_id`)."""
    return bool(sms and (sms.message or sms.template_id or sms.custom_template_id))


def check_rendering(qa: QAInput) -> Iterator[Finding]:
    """Personalised values that render empty or unresolved, with the sample users they fail for."""
    for user, rendered in qa.previews.items():
        if isinstance(rendered, str):
            yield _finding(
                "info",
                "personalization_render",
                "campaign_content",
                f"Could not render for {user}: {rendered}",
                "Check the sample user id",
            )
    sources = {
        _cell(b, name): v
        for b in rendered_blocks(_content(qa.campaign))
        for name, v in b.fields.items()
        if "{{" in v
    }
    renders = _renders(qa)
    for where, template in sources.items():
        blanks = {user: _blank_expressions(template, value) for user, value in renders.get(where, {}).items()}
        if finding := _blank_finding(where, blanks, qa.with_event_attributes):
            yield finding


def _blank_finding(where: str, blanks: dict[str, list[str]], with_event_attributes: bool) -> Finding | None:
    """A warning naming the users a value renders blank for; only info when nothing but event
    attributes came out blank and none were given, as those exist only at trigger time."""
    failing = [
        user
        for user, exprs in blanks.items()
        if any(with_event_attributes or not _EVENT.search(e) for e in exprs)
    ]
    if failing:
        message = f"A personalised value renders empty or unresolved for {', '.join(failing)}"
        fix = "Add a default (|default('...')) or make sure the attribute exists for these users"
        return _finding("warning", "personalization_render", where, message, fix)
    if event_only := [user for user, exprs in blanks.items() if exprs]:
        message = f"Event attributes render empty for {', '.join(event_only)}: filled at trigger time"
        fix = "Pass event_attributes to check them"
        return _finding("info", "personalization_render", where, message, fix)
    return None


def _renders(qa: QAInput) -> dict[str, dict[str, str]]:
    """Each rendered field's text per sample user that could be rendered."""
    out: dict[str, dict[str, str]] = {}
    for user, rendered in qa.previews.items():
        if isinstance(rendered, str):
            continue
        for b in rendered:
            for name, value in b.fields.items():
                out.setdefault(_cell(b, name), {})[user] = value
    return out


def _blank_expressions(template: str, rendered: str) -> list[str]:
    """The `{{ }}` expressions of `template` that came out empty: all of them when the text is
    empty or still templated.

    The literal text around the expressions must reappear in order; what sits between it is
    each expression's output. Templates with loops or conditions may not line up: then only an
    empty or still-templated result counts.
    """
    parts = _EXPRESSION.split(template)
    expressions = parts[1::2]
    if not rendered.strip() or "{{" in rendered:
        return expressions
    match = re.fullmatch("(.*?)".join(re.escape(part) for part in parts[::2]), rendered, re.S)
    return [e for e, out in zip(expressions, match.groups(), strict=True) if not out.strip()] if match else []


def _cell(block: RenderedBlock, name: str) -> str:
    return f"{block.locale}/{block.variation}{'/' + block.platform if block.platform else ''}.{name}"


def check_placeholder_defaults(qa: QAInput) -> Iterator[Finding]:
    for path, value in texts(qa.campaign):
        missing = sorted({e.strip() for e in _EXPRESSION.findall(value) if _undefaulted(e)})
        if missing:
            yield _finding(
                "warning",
                "placeholder_default",
                path,
                f"No default for {', '.join('{{' + e + '}}' for e in missing[:3])}: users without it are skipped",
                "Add |default('...') to each personalised value (the change suggests one: adjust its text)",
                _set({path: _EXPRESSION.sub(_with_default, value)}),
            )


def _undefaulted(expression: str) -> bool:
    return bool(_PERSONAL.search(expression)) and "default" not in expression


def _with_default(match: re.Match[str]) -> str:
    """`{{UserAttribute['First Name']}}` -> `{{UserAttribute['First Name']|default('there')}}`."""
    expression = match.group(1)
    if not _undefaulted(expression):
        return match.group(0)
    fallback = "there" if "name" in expression.lower() else ""
    return "{{" + expression.strip() + f"|default('{fallback}')" + "}}"


def check_links(qa: QAInput) -> Iterator[Finding]:
    c = qa.campaign
    for block in _content(c).blocks():
        path = _block_path(c, block)
        for platform, payload in (block.push.platforms() if block.push else {}).items():
            if payload.custom_template_id:
                continue  # the template defines what a tap does
            details = payload.basic_details or m.PushBasicDetails()
            if not details.click_target and (details.default_click_action or "NONE") != "NONE":
                yield _finding(
                    "warning",
                    "click_action",
                    f"{path}.push.{platform}.basic_details",
                    "Click action has no target",
                    "Set default_click_action_value",
                )
            elif not details.default_click_action and not details.click_target:
                yield _finding(
                    "warning",
                    "click_action",
                    f"{path}.push.{platform}.basic_details",
                    "No click action: a tap only opens the app",
                    "Set a deep link or URL as the click action",
                )
    values = dict(texts(c))
    for path, urls in links(c):
        insecure = [url for url in urls if url.startswith("http://")]
        if insecure:
            secured = values[path]
            for url in dict.fromkeys(insecure):
                secured = secured.replace(url, "https://" + url.removeprefix("http://"))
            yield _finding(
                "warning",
                "https_links",
                path,
                f"{len(insecure)} link(s) not https, e.g. {insecure[0][:60]}",
                "Use https:// links (check the site serves them)",
                _set({path: secured}),
            )


def check_utm(qa: QAInput) -> Iterator[Finding]:
    c = qa.campaign
    if c.channel not in (Channel.PUSH, Channel.EMAIL) or not any(links(c)):
        return
    utm = c.utm_params or {}
    missing = [k for k in ("utm_source", "utm_medium", "utm_campaign") if not utm.get(k)]
    if missing:
        proposed = {
            "utm_source": "moengage",
            "utm_medium": str(c.channel).lower(),
            "utm_campaign": _slug(c.name),
        }
        yield _finding(
            "warning",
            "utm_params",
            "utm_params",
            f"Missing {', '.join(missing)}",
            "Add UTM parameters so clicks are attributed",
            _set({f"utm_params.{key}": proposed[key] for key in missing}),
        )


def _slug(name: str | None) -> str:
    return re.sub(r"[^a-z0-9]+", "-", (name or "campaign").lower()).strip("-")[:60] or "campaign"


def check_schedule(qa: QAInput) -> Iterator[Finding]:
    c, s = qa.campaign, qa.campaign.scheduling_details
    if s is None:
        return
    start, expiry = s.start_utc, s.expiry_utc
    now = m.naive_utc(qa.now)
    if start is not None and c.status in (Status.DRAFT, Status.SCHEDULED) and start < now:
        severity: Severity = "error" if c.status is Status.DRAFT else "warning"
        yield _finding(
            severity,
            "schedule",
            "scheduling_details.start_time",
            f"Start {start:%Y-%m-%d %H:%M} UTC is in the past",
            "Move the start into the future",
        )
    if start is not None and expiry is not None and expiry <= start:
        yield _finding(
            "error",
            "schedule",
            "scheduling_details.expiry_time",
            "Expiry is not after the start",
            "Set the expiry after the start",
        )
    if c.campaign_delivery_type is DeliveryType.PERIODIC:
        yield from _periodic_gaps(s.periodic_details)


def _periodic_gaps(p: m.PeriodicDetails | None) -> Iterator[Finding]:
    path, fix = "scheduling_details.periodic_details", "Complete the periodic schedule"
    if p is None:
        yield _finding("error", "schedule", path, "Periodic campaign without periodic_details", fix)
        return
    missing = [name for name in ("sending_frequency", "repeat_frequency") if getattr(p, name) in (None, "")]
    frequency = (p.sending_frequency or "").upper()
    if frequency == "WEEKLY" and not p.repeat_on_days_of_week:
        missing.append("repeat_on_days_of_week")
    if frequency == "MONTHLY" and not (
        p.repeat_on_date_of_month or p.model_extra.get("repeat_on_days_of_week_for_month")
    ):
        missing.append("repeat_on_date_of_month")
    if missing:
        yield _finding("error", "schedule", path, f"Missing {', '.join(missing)}", fix)


def check_delivery_risks(qa: QAInput) -> Iterator[Finding]:
    c = qa.campaign
    controls = c.delivery_controls or m.DeliveryControls()
    if controls.bypass_dnd:
        yield _finding(
            "warning",
            "bypass_dnd",
            "delivery_controls.bypass_dnd",
            "Sends during users' Do Not Disturb hours",
            "Turn off unless the message is urgent",
            _set({"delivery_controls.bypass_dnd": False}),
        )
    if controls.ignore_frequency_capping:
        yield _finding(
            "warning",
            "frequency_capping",
            "delivery_controls.ignore_frequency_capping",
            "Ignores frequency capping",
            "Respect frequency capping unless transactional",
            _set({"delivery_controls.ignore_frequency_capping": False}),
        )
    if c.segmentation_details and c.segmentation_details.is_all_user_campaign:
        yield _finding(
            "warning",
            "all_users",
            "segmentation_details.is_all_user_campaign",
            "Targets all users",
            "Confirm the whole user base is intended, or add a segment",
        )
    group = c.control_group_details
    if group is not None and group.is_campaign_control_group_enabled is False:
        yield _finding(
            "info",
            "control_group",
            "control_group_details",
            "No campaign control group: uplift cannot be measured",
            "Enable a control group (e.g. 5-10%)",
            _set(
                {
                    "control_group_details.is_campaign_control_group_enabled": True,
                    "control_group_details.campaign_control_group_percentage": 5,
                }
            ),
        )


def check_email_template(qa: QAInput) -> Iterator[Finding]:
    c = qa.campaign
    for block in _content(c).blocks():
        if block.email and block.email.html_content and block.email.custom_template_id:
            yield _finding(
                "error",
                "email_template",
                f"{_block_path(c, block)}.email",
                "Both html_content and custom_template_id are set (mutually exclusive)",
                "Keep one of them",
            )


def sms_segments(text: str) -> tuple[int, str]:
    """Segments an SMS needs and its encoding: GSM-7 160 septets (153 per part), else UCS-2 70 (67)."""
    if all(ch in _GSM7 or ch in _GSM7_EXTENSION for ch in text):
        septets = len(text) + sum(ch in _GSM7_EXTENSION for ch in text)
        return (1 if septets <= 160 else math.ceil(septets / 153)), "GSM-7"
    return (1 if len(text) <= 70 else math.ceil(len(text) / 67)), "UCS-2"


def check_sms_length(qa: QAInput) -> Iterator[Finding]:
    c = qa.campaign
    if c.channel is not Channel.SMS:
        return
    renders = _renders(qa)
    for block in rendered_blocks(_content(c)):
        template = block.fields.get("message")
        if not template:
            continue
        text, what = _sms_text(template, renders.get(_cell(block, "message"), {}))
        parts, encoding = sms_segments(text)
        if parts > 1:
            yield _finding(
                "warning",
                "sms_segments",
                f"{_block_path(c, block)}.sms.message",
                f"{what} = {parts} {encoding} segments (billed each)",
                "Shorten to one segment (160 GSM-7 chars, ^{}[]~|€ and backslash count as two; 70 Unicode)",
            )


def _sms_text(template: str, renders: dict[str, str]) -> tuple[str, str]:
    """The text that is billed, and what it is: personalization changes the length, so the sample
    user's rendering with the most segments, else the template (an estimate if it is personalised)."""
    if renders:
        user, text = max(renders.items(), key=lambda item: (sms_segments(item[1])[0], len(item[1])))
        return text, f"{len(text)} chars as rendered for {user}"
    if "{{" in template or "{%" in template:
        return template, f"{len(template)} chars in the template (estimate: give sample_user_ids to render)"
    return template, f"{len(template)} chars"


CHECKS: tuple[Check, ...] = (
    check_validation,
    check_content_coverage,
    check_rendering,
    check_placeholder_defaults,
    check_links,
    check_utm,
    check_schedule,
    check_delivery_risks,
    check_email_template,
    check_sms_length,
)
CHECK_IDS = (
    "publish_validation",
    "content_coverage",
    "personalization_render",
    "placeholder_default",
    "click_action",
    "https_links",
    "utm_params",
    "schedule",
    "bypass_dnd",
    "frequency_capping",
    "all_users",
    "control_group",
    "email_template",
    "sms_segments",
)
_ORDER = {"error": 0, "warning": 1, "info": 2}


def run_checks(qa: QAInput) -> list[Finding]:
    """Every finding, errors first; a local finding on a field the API already reported is dropped."""
    findings = [f for check in CHECKS for f in check(qa)]
    reported = {f.field for f in findings if f.check == "publish_validation"}
    kept = [f for f in findings if f.check == "publish_validation" or f.field not in reported]
    return sorted(kept, key=lambda f: _ORDER[f.severity])
