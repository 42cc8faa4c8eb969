"""Campaign content as the model reads it: long fields shortened, messages flattened per block,
and the one way a campaign's content becomes a personalization preview request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from ...api import models as m
from ...api.enums import Channel, PreviewIdentifier

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
