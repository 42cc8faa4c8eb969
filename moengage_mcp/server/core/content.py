"""Campaign content as the model reads it: long fields shortened, messages flattened per block,
and the one way a campaign's content becomes a personalization preview request."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel

from ...api import models as m
from ...api.enums import Channel, PreviewIdentifier
from .text import quoted

LONG_FIELD = 1200
"""Characters kept of a long field (email HTML) unless the caller asks for it whole."""
PREVIEW_CHANNELS = (Channel.PUSH, Channel.EMAIL, Channel.SMS)
"""The channels `POST /v5/personalization/preview` renders."""


class ShortenedField(BaseModel):
    path: str
    chars: int


class RenderedBlock(BaseModel):
    locale: str
    variation: str
    platform: str | None = None
    fields: dict[str, str]


_URL = re.compile(r"""https?://[^\s"'<>)]+""")
_HTML_LINK = re.compile(r"""\b(?i:href|src)\s*=\s*["']?(https?://[^\s"'<>]+)""")
_TAG = re.compile(r"<[^>]*>")
_INVISIBLE = re.compile(r"<(style|script|head)\b.*?</\1\s*>", re.S | re.I)


def strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(field path, text) of every string inside `value`."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from strings(item, f"{path}[{i}]")
    elif isinstance(value, str):
        yield path, value


def urls_in(path: str, text: str) -> list[str]:
    """The URLs a recipient can open in a field: in HTML only href/src values, so the DOCTYPE and
    xmlns namespace URLs (w3.org) are not links; in other text every bare URL."""
    return (_HTML_LINK if path.endswith("html_content") else _URL).findall(text)


def shorten(data: Any, limit: int = LONG_FIELD) -> tuple[Any, list[ShortenedField]]:
    """Copy `data` with every string longer than `limit` cut, and list what was cut."""
    cut: list[ShortenedField] = []

    def walk(value: Any, path: str) -> Any:
        if isinstance(value, dict):
            return {k: walk(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, f"{path}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, str) and len(value) > limit:
            cut.append(ShortenedField(path=path, chars=len(value)))
            return value[:limit] + f"…[{len(value) - limit} more chars]"
        return value

    return walk(data, ""), cut


def shorten_to_fit(data: Any, budget: int, size: Callable[[Any], int]) -> tuple[Any, list[ShortenedField]]:
    """`data` whole if its `size` is within `budget`, else with its long strings cut to the longest
    length that fits (at least a hundred characters each): even a campaign asked for whole must not
    take more of a model's context than any result may."""
    if size(data) <= budget:
        return data, []
    lo, hi = 100, max((len(text) for _, text in strings(data, "")), default=100)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if size(shorten(data, mid)[0]) <= budget else (lo, mid - 1)
    return shorten(data, lo)


_PUSH_FIELDS = (
    "title",
    "message",
    "summary",
    "image_url",
    "default_click_action",
    "default_click_action_value",
)
_EMAIL_FIELDS = ("subject", "preview_text", "sender_name", "from_address", "reply_to_address", "html_content")


def rendered_blocks(content: m.CampaignContent) -> list[RenderedBlock]:
    """One block per locale × variation × platform with the fields a reader checks."""
    return [
        RenderedBlock(locale=b.locale, variation=b.variation, platform=platform, fields=fields)
        for b in content.blocks()
        for platform, fields in _messages(b)
    ]


def _messages(block: m.ContentBlock) -> Iterator[tuple[str | None, dict[str, str]]]:
    if block.push:
        for platform, payload in block.push.platforms().items():
            details = payload.basic_details or m.PushBasicDetails()
            yield platform, _strings(details, _PUSH_FIELDS)
    if block.email:
        yield None, _strings(block.email, _EMAIL_FIELDS)
    if block.sms:
        yield None, _strings(block.sms, ("message",))


def _strings(model: m.ApiModel, names: tuple[str, ...]) -> dict[str, str]:
    return {name: value for name in names if isinstance(value := getattr(model, name, None), str)}


def unresolved_fields(blocks: list[RenderedBlock]) -> list[str]:
    """Rendered fields that came out empty or still hold `{{ ... }}`."""
    return [
        f"{b.locale}/{b.variation}{'/' + b.platform if b.platform else ''}.{name}"
        for b in blocks
        for name, value in b.fields.items()
        if not value.strip() or "{{" in value
    ]


def raw_content(campaign: m.Campaign) -> dict[str, Any] | None:
    """The campaign's `campaign_content` as the API sent it, or None when it has no content."""
    if campaign.campaign_content is None or not campaign.campaign_content.content:
        return None
    return campaign.campaign_content.model_dump(mode="json", exclude_unset=True, exclude_none=True)


def preview_request(
    channel: Channel,
    content: dict[str, Any],
    user_id: str,
    user_id_type: PreviewIdentifier,
    event_attributes: dict[str, str] | None,
) -> m.PreviewRequest:
    """The request that renders `content` for one user."""
    return m.PreviewRequest(
        channel=channel,
        user_identification=m.UserIdentification(type=user_id_type, value=user_id),
        campaign_content=content,
        event_attributes=event_attributes,
    )


def sent_lines(
    content: m.CampaignContent,
    *,
    platform: str | None = None,
    locale: str | None = None,
    variation: str | None = None,
) -> list[str]:
    """What a send of `content` puts in front of people, one line per locale / variation / platform
    (narrowed like a test send), then every link it holds in full: the text a person approves."""
    lines: list[str] = []
    for block in content.blocks():
        if (locale and block.locale != locale) or (variation and block.variation != variation):
            continue
        for where, shown, payload in _shown(block, platform):
            lines.append(f"- {block.locale} / {block.variation}{where}: {shown}")
            found = dict.fromkeys(url for path, text in strings(payload, "") for url in urls_in(path, text))
            lines += [f"  link {quoted(url, 2000)}" for url in found]
    return lines


def _shown(block: m.ContentBlock, platform: str | None) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(where, the fields shown, the payload whose links count) of each message in `block`."""
    if block.push:
        for name, payload in block.push.platforms().items():
            if platform is None or name == platform.lower():
                d = payload.basic_details or m.PushBasicDetails()
                fields = [
                    ("title", d.title),
                    ("message", d.message),
                    ("summary", d.summary),
                    ("image", d.image_url),
                ]
                yield f" / {name}", _fields(fields), payload.model_dump(mode="json", exclude_none=True)
    if block.email:
        e = block.email
        sender = " ".join(x for x in (e.sender_name, f"<{e.from_address}>" if e.from_address else None) if x)
        fields = [
            ("subject", e.subject),
            ("preheader", e.preview_text),
            ("from", sender or None),
            ("reply-to", e.reply_to_address),
            ("template", e.custom_template_id),
            ("text", html_text(e.html_content or "")),
        ]
        yield " / email", _fields(fields), e.model_dump(mode="json", exclude_none=True)
    if block.sms:
        yield " / sms", _fields([("message", block.sms.message), ("template", block.sms.template_id)]), {}


def _fields(fields: list[tuple[str, str | None]]) -> str:
    return ", ".join(f"{name} {quoted(value, 160)}" for name, value in fields if value) or "(empty)"


def html_text(markup: str) -> str:
    """The text an email's HTML shows (no tags, styles or scripts; entities decoded; spaces folded)."""
    return " ".join(html.unescape(_TAG.sub(" ", _INVISIBLE.sub(" ", markup))).split())
