"""Reading `campaign_content` in either documented shape.

Content is flat (`content.push`) or keyed by locale then variation
(`content[locale][variation].push`). Validation, test sends and stats all need the same
view of it: which (locale, variation) blocks a campaign should have and which it has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CHANNEL_KEYS = {"PUSH": "push", "EMAIL": "email", "SMS": "sms", "WHATSAPP": "whatsapp"}
PUSH_PLATFORMS = ("ANDROID", "IOS", "WEB")
DEFAULT_LOCALE = "default"


@dataclass(frozen=True)
class Block:
    locale: str
    variation: str
    path: str  # dot path of the channel object, e.g. campaign_content.content.default.variation_1.push
    payload: Any  # the channel object (may be missing/None when the block is absent)


def channel_key(channel: str) -> str:
    return CHANNEL_KEYS.get(channel, channel.lower())


def expected_locales(campaign_content: dict[str, Any]) -> list[str]:
    extra = campaign_content.get("locales") or []
    return [DEFAULT_LOCALE] + [loc for loc in extra if isinstance(loc, str) and loc != DEFAULT_LOCALE]


def variation_count(campaign_content: dict[str, Any]) -> int:
    details = campaign_content.get("variation_details") or {}
    count = details.get("no_of_variations", 1) if isinstance(details, dict) else 1
    return count if isinstance(count, int) and not isinstance(count, bool) and count >= 1 else 1


def expected_variations(campaign_content: dict[str, Any]) -> list[str]:
    return [f"variation_{i}" for i in range(1, variation_count(campaign_content) + 1)]


def is_flat(content: dict[str, Any], channel: str) -> bool:
    return channel_key(channel) in content


def present_blocks(campaign_content: dict[str, Any] | None, channel: str) -> list[Block]:
    """The blocks the content actually carries, in document order."""
    content = (campaign_content or {}).get("content")
    if not isinstance(content, dict):
        return []
    key = channel_key(channel)
    if is_flat(content, channel):
        return [Block(DEFAULT_LOCALE, "variation_1", f"campaign_content.content.{key}", content[key])]
    blocks = []
    for locale, variations in content.items():
        if not isinstance(variations, dict):
            continue
        for variation, wrapper in variations.items():
            payload = wrapper.get(key) if isinstance(wrapper, dict) else None
            blocks.append(
                Block(locale, variation, f"campaign_content.content.{locale}.{variation}.{key}", payload)
            )
    return blocks


def push_platforms_in(payload: Any) -> list[str]:
    """Platforms a push channel object has content for, upper-case."""
    if not isinstance(payload, dict):
        return []
    return [p for p in PUSH_PLATFORMS if isinstance(payload.get(p.lower()), dict)]
