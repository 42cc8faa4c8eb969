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
from typing import Literal

from pydantic import BaseModel

from ..api import models as m
from ..api.enums import Channel, DeliveryType, Status
from .content import rendered_blocks
from .schemas import RenderedBlock

Severity = Literal["error", "warning", "info"]


class Finding(BaseModel):
    severity: Severity
    check: str
    field: str
    message: str
    fix: str


@dataclass
class QAInput:
    campaign: m.Campaign
    now: dt.datetime
    validation: m.ValidationResult | None = None
    previews: dict[str, list[RenderedBlock] | str] = field(default_factory=dict)
    """Rendered blocks per sample user, or the reason rendering failed."""


Check = Callable[[QAInput], Iterator[Finding]]

_EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.S)
_PERSONAL = re.compile(r"UserAttribute|EventAttribute|\buser\.|\bevent\.")
_HTTP_URL = re.compile(r"""http://[^\s"'<>)]+""")
_ANY_URL = re.compile(r"""https?://[^\s"'<>)]+""")
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)


# --------------------------------------------------------------------------- helpers


def _content(c: m.Campaign) -> m.CampaignContent:
    return c.campaign_content or m.CampaignContent()


def _flat(c: m.Campaign) -> bool:
    return any(key in _content(c).content for key in ("push", "email", "sms"))


def _block_path(c: m.Campaign, block: m.ContentBlock) -> str:
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

    def walk(value: object, path: str) -> Iterator[tuple[str, str]]:
        if isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from walk(item, f"{path}[{i}]")
        elif isinstance(value, str):
            yield path, value

    yield from walk(_content(c).content, "campaign_content.content")


def _finding(severity: Severity, check: str, path: str, message: str, fix: str) -> Finding:
    return Finding(severity=severity, check=check, field=path, message=message, fix=fix)


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
                "error", "content_coverage", where, f"No content for locale {locale}, {variation}", "Add the missing content"
            )
            continue
        yield from _block_gaps(c, block, platforms)


def _block_gaps(c: m.Campaign, block: m.ContentBlock, platforms: list[str]) -> Iterator[Finding]:
    path = _block_path(c, block)
    fix = "Add the missing content"
    if c.channel is Channel.PUSH:
        present = block.push.platforms() if block.push else {}
        for platform in platforms:
            details = present[platform].basic_details if platform in present else None
            if details is None:
                yield _finding("error", "content_coverage", f"{path}.push.{platform}", f"{platform} is listed but has no content", fix)
            elif not (details.title and details.message):
                yield _finding("error", "content_coverage", f"{path}.push.{platform}.basic_details", "Title or message is empty", fix)
    elif c.channel is Channel.EMAIL:
        email = block.email
        if email is None or not (email.html_content or email.custom_template_id):
            yield _finding("error", "content_coverage", f"{path}.email", "No HTML or template", fix)
        elif not email.subject and not email.custom_template_id:
            yield _finding("error", "content_coverage", f"{path}.email.subject", "Subject is empty", fix)
    elif c.channel is Channel.SMS and not (block.sms and (block.sms.message or block.sms.template_id)):
        yield _finding("error", "content_coverage", f"{path}.sms.message", "SMS message is empty", fix)


def check_rendering(qa: QAInput) -> Iterator[Finding]:
    """Personalised values that render empty or unresolved, with the sample users they fail for."""
    sources = {_cell(b, name): v for b in rendered_blocks(_content(qa.campaign)) for name, v in b.fields.items() if "{{" in v}
    failures: dict[str, list[str]] = {}
    for user, rendered in qa.previews.items():
        if isinstance(rendered, str):
            yield _finding("info", "personalization_render", "campaign_content", f"Could not render for {user}: {rendered}", "Check the sample user id")
            continue
        for b in rendered:
            for name, value in b.fields.items():
                where = _cell(b, name)
                if where in sources and _renders_blank(sources[where], value):
                    failures.setdefault(where, []).append(user)
    for where, users in failures.items():
        yield _finding(
            "warning",
            "personalization_render",
            where,
            f"A personalised value renders empty or unresolved for {', '.join(users)}",
            "Add a default (|default('...')) or make sure the attribute exists for these users",
        )


def _renders_blank(template: str, rendered: str) -> bool:
    """Whether any `{{ }}` expression of `template` came out empty (or the text is unresolved).

    The literal text around the expressions must reappear in order; what sits between it is
    each expression's output. Templates with loops or conditions may not line up: then only an
    empty or still-templated result counts.
    """
    if not rendered.strip() or "{{" in rendered:
        return True
    literals = _EXPRESSION.split(template)[::2]
    pattern = "(.*?)".join(re.escape(part) for part in literals)
    match = re.fullmatch(pattern, rendered, re.S)
    return bool(match) and any(not group.strip() for group in match.groups())


def _cell(block: RenderedBlock, name: str) -> str:
    return f"{block.locale}/{block.variation}{'/' + block.platform if block.platform else ''}.{name}"


def check_placeholder_defaults(qa: QAInput) -> Iterator[Finding]:
    for path, value in texts(qa.campaign):
        missing = sorted({e.strip() for e in _EXPRESSION.findall(value) if _PERSONAL.search(e) and "default" not in e})
        if missing:
            yield _finding(
                "warning",
                "placeholder_default",
                path,
                f"No default for {', '.join('{{' + e + '}}' for e in missing[:3])}: users without it are skipped",
                "Add |default('...') to each personalised value",
            )


def check_links(qa: QAInput) -> Iterator[Finding]:
    c = qa.campaign
    for block in _content(c).blocks():
        path = _block_path(c, block)
        for platform, payload in (block.push.platforms() if block.push else {}).items():
            details = payload.basic_details or m.PushBasicDetails()
            if not details.click_target and (details.default_click_action or "NONE") != "NONE":
                yield _finding("warning", "click_action", f"{path}.push.{platform}.basic_details", "Click action has no target", "Set default_click_action_value")
            elif not details.default_click_action and not details.click_target:
                yield _finding("warning", "click_action", f"{path}.push.{platform}.basic_details", "No click action: a tap only opens the app", "Set a deep link or URL as the click action")
    for path, value in texts(c):
        insecure = _HTTP_URL.findall(value)
        if insecure:
            yield _finding(
                "warning",
                "https_links",
                path,
                f"{len(insecure)} link(s) not https, e.g. {insecure[0][:60]}",
                "Use https:// links",
            )


def check_utm(qa: QAInput) -> Iterator[Finding]:
    c = qa.campaign
    if c.channel not in (Channel.PUSH, Channel.EMAIL) or not any(_ANY_URL.search(v) for _, v in texts(c)):
        return
    utm = c.utm_params or {}
    missing = [k for k in ("utm_source", "utm_medium", "utm_campaign") if not utm.get(k)]
    if missing:
        yield _finding("warning", "utm_params", "utm_params", f"Missing {', '.join(missing)}", "Add UTM parameters so clicks are attributed")


def check_schedule(qa: QAInput) -> Iterator[Finding]:
    c, s = qa.campaign, qa.campaign.scheduling_details
    if s is None:
        return
    start, expiry = s.start_time or s.schedule_time, s.expiry_time
    now = qa.now.replace(tzinfo=None)
    if isinstance(start, dt.datetime) and c.status in (Status.DRAFT, Status.SCHEDULED) and start.replace(tzinfo=None) < now:
        severity: Severity = "error" if c.status is Status.DRAFT else "warning"
        yield _finding(severity, "schedule", "scheduling_details.start_time", f"Start {start:%Y-%m-%d %H:%M} is in the past", "Move the start into the future")
    if isinstance(start, dt.datetime) and isinstance(expiry, dt.datetime) and expiry <= start:
        yield _finding("error", "schedule", "scheduling_details.expiry_time", "Expiry is not after the start", "Set the expiry after the start")
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
    if frequency == "MONTHLY" and not (p.repeat_on_date_of_month or p.model_extra.get("repeat_on_days_of_week_for_month")):
        missing.append("repeat_on_date_of_month")
    if missing:
        yield _finding("error", "schedule", path, f"Missing {', '.join(missing)}", fix)


def check_delivery_risks(qa: QAInput) -> Iterator[Finding]:
    c = qa.campaign
    controls = c.delivery_controls or m.DeliveryControls()
    if controls.bypass_dnd:
        yield _finding("warning", "bypass_dnd", "delivery_controls.bypass_dnd", "Sends during users' Do Not Disturb hours", "Turn off unless the message is urgent")
    if controls.ignore_frequency_capping:
        yield _finding("warning", "frequency_capping", "delivery_controls.ignore_frequency_capping", "Ignores frequency capping", "Respect frequency capping unless transactional")
    if c.segmentation_details and c.segmentation_details.is_all_user_campaign:
        yield _finding("warning", "all_users", "segmentation_details.is_all_user_campaign", "Targets all users", "Confirm the whole user base is intended, or add a segment")
    group = c.control_group_details
    if group is not None and group.is_campaign_control_group_enabled is False:
        yield _finding("info", "control_group", "control_group_details", "No campaign control group: uplift cannot be measured", "Enable a control group (e.g. 5-10%)")


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
    """Segments an SMS needs and its encoding: GSM-7 160 (153 per part), else UCS-2 70 (67)."""
    if all(ch in _GSM7 for ch in text):
        return (1 if len(text) <= 160 else math.ceil(len(text) / 153)), "GSM-7"
    return (1 if len(text) <= 70 else math.ceil(len(text) / 67)), "UCS-2"


def check_sms_length(qa: QAInput) -> Iterator[Finding]:
    c = qa.campaign
    for block in _content(c).blocks():
        message = block.sms.message if block.sms else None
        if message and (parts := sms_segments(message))[0] > 1:
            yield _finding(
                "warning",
                "sms_segments",
                f"{_block_path(c, block)}.sms.message",
                f"{len(message)} chars = {parts[0]} {parts[1]} segments (billed each)",
                "Shorten to one segment (160 GSM-7 / 70 Unicode chars)",
            )


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
