"""Message content and standard components for the demo workspace (brand: Brightcart).

Factories keep `seed.py` a readable list of campaigns: each builds one documented shape
(push per platform, email, SMS, segmentation, controls, goals, UTM) with realistic values.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

SITE = "https://www.brightcart.example"
CDN = "https://cdn.brightcart.example"
FROM_ADDRESS = "hello@news.brightcart.example"
REPLY_TO = "support@brightcart.example"
SENDER = "Brightcart"

CONTENT_BLOCKS = {
    "footer": (
        '<p style="font-size:12px;color:#777">Brightcart Inc., 500 Market St, San Francisco, CA. '
        "You are receiving this because you joined Brightcart Rewards. "
        f'<a href="{SITE}/preferences">Manage preferences</a> | <a href="{SITE}/unsubscribe">Unsubscribe</a></p>'
    ),
    "loyalty_badge": "You are a {{UserAttribute['Loyalty Tier']|default('valued')}} member",
    "free_shipping": "Free shipping on orders over $50",
}


def push_platform(
    platform: str, title: str, message: str, url: str | None, *, click_action: str | None = "DEEPLINKING"
) -> dict[str, Any]:
    """One platform's push object; `url=None` leaves the click action out (a QA flaw)."""
    if platform == "WEB":
        details: dict[str, Any] = {"title": title, "message": message}
        if url:
            details["redirect_url"] = url
        return {"template_type": "BASIC", "basic_details": details}
    details = {"title": title, "message": message}
    if platform == "ANDROID":
        details["notification_channel"] = "promotions"
    if url and click_action:
        details["default_click_action"] = click_action
        details["default_click_action_value"] = url
    return {"template_type": "BASIC", "basic_details": details}


def push_payload(
    platforms: Iterable[str], title: str, message: str, url: str | None, **kw: Any
) -> dict[str, Any]:
    return {p.lower(): push_platform(p, title, message, url, **kw) for p in platforms}


def push_content(
    platforms: Iterable[str], title: str, message: str, url: str | None, **kw: Any
) -> dict[str, Any]:
    return {"content": {"push": push_payload(platforms, title, message, url, **kw)}}


def email_payload(
    subject: str, preview: str, html: str | None, *, template_id: str | None = None
) -> dict[str, Any]:
    email: dict[str, Any] = {
        "subject": subject,
        "preview_text": preview,
        "sender_name": SENDER,
        "from_address": FROM_ADDRESS,
        "reply_to_address": REPLY_TO,
    }
    if html is not None:
        email["html_content"] = html
        email["email_editor"] = "Froala Editor"
    if template_id is not None:
        email["custom_template_id"] = template_id
    return email


def email_content(subject: str, preview: str, html: str | None, **kw: Any) -> dict[str, Any]:
    return {"content": {"email": email_payload(subject, preview, html, **kw)}}


def sms_content(message: str, *, template_id: str | None = None) -> dict[str, Any]:
    sms: dict[str, Any] = {"message": message}
    if template_id:
        sms["template_id"] = template_id
    return {"content": {"sms": sms}}


def keyed(
    blocks: dict[str, dict[str, dict[str, Any]]], *, locales: list[str] | None = None, variations: int = 1
) -> dict[str, Any]:
    """Locale/variation keyed content: blocks[locale][variation] = {push|email|sms: ...}."""
    content_obj: dict[str, Any] = {"content": blocks}
    if locales:
        content_obj["locales"] = locales
    if variations > 1:
        share = 100 // variations
        split = {f"variation_{i}": share for i in range(1, variations + 1)}
        split["variation_1"] += 100 - share * variations
        content_obj["variation_details"] = {
            "distribution_type": "MANUAL",
            "no_of_variations": variations,
            "manual_distribution_percentage": split,
        }
    return content_obj


def simple_html(heading: str, lines: list[str], cta: str, url: str, *, greeting: str | None = None) -> str:
    greeting = greeting or "Hi {{UserAttribute['First Name']|default('there')}},"
    body = "".join(f"<p>{line}</p>" for line in lines)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>'
        f'{heading}</title></head><body style="font-family:Arial,sans-serif">'
        f"<h1>{heading}</h1><p>{greeting}</p>{body}"
        f'<p><a href="{url}" style="background:#ff5a1f;color:#fff;padding:12px 20px">{cta}</a></p>'
        "{{ContentBlock['footer']}}</body></html>"
    )


_ADJECTIVES = (
    "Cozy",
    "Classic",
    "Trail",
    "Urban",
    "Everyday",
    "Premium",
    "Vintage",
    "Lightweight",
    "Merino",
    "Waterproof",
)
_ITEMS = (
    ("Knit Sweater", "apparel"),
    ("Chelsea Boots", "shoes"),
    ("Wireless Earbuds", "electronics"),
    ("Scented Candle Set", "home"),
    ("Leather Wallet", "accessories"),
    ("Running Jacket", "sportswear"),
    ("Ceramic Mug Duo", "home"),
    ("Smart Watch", "electronics"),
    ("Wool Scarf", "accessories"),
    ("Puffer Vest", "apparel"),
    ("Espresso Maker", "kitchen"),
    ("Yoga Mat", "sportswear"),
)


def _product_block(rng: random.Random, index: int) -> str:
    adjective, (item, category) = rng.choice(_ADJECTIVES), rng.choice(_ITEMS)
    name = f"{adjective} {item}"
    slug = f"{adjective}-{item}".lower().replace(" ", "-")
    price = rng.randint(19, 249) + 0.99
    was = round(price * rng.uniform(1.15, 1.6), 2)
    link = f"{SITE}/p/{slug}-{index:03d}?utm_source=moengage&amp;utm_medium=email&amp;utm_campaign=holiday_gift_guide"
    return (
        '<tr><td class="product" style="padding:16px;border-bottom:1px solid #eee">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr>'
        f'<td width="160"><a href="{link}"><img src="{CDN}/img/{category}/{slug}-{index:03d}.jpg" '
        f'width="150" height="150" alt="{name}" style="display:block;border-radius:6px"></a></td>'
        f'<td style="padding-left:16px;vertical-align:top"><h3 style="margin:0 0 6px;font-size:18px">{name}</h3>'
        f'<p style="margin:0 0 6px;color:#555;font-size:14px">Hand-picked in {category} for '
        "{{UserAttribute['City']|default('your city')}} - a favourite with Brightcart members this season.</p>"
        f'<p style="margin:0 0 10px"><strong style="color:#d0342c">${price:.2f}</strong> '
        f'<s style="color:#999">${was:.2f}</s></p>'
        f'<a href="{link}" style="background:#ff5a1f;color:#fff;padding:8px 14px;text-decoration:none;border-radius:4px">Shop now</a>'
        "</td></tr></table></td></tr>"
    )


def newsletter_html(products: int = 41, seed: int = 2024) -> str:
    """The big gift-guide newsletter (~50 KB): many product blocks plus personalization."""
    rng = random.Random(seed)
    rows = "".join(_product_block(rng, i) for i in range(1, products + 1))
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>The Brightcart Holiday Gift Guide</title>"
        "<style>body{margin:0;background:#f6f6f6}.product h3{font-family:Georgia,serif}"
        "@media (max-width:600px){.product td{display:block;width:100%!important}}</style></head>"
        '<body><table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:640px;margin:0 auto;background:#fff">'
        f'<tr><td style="padding:24px;text-align:center"><img src="{CDN}/brand/logo.png" width="180" alt="Brightcart"></td></tr>'
        f'<tr><td><img src="{CDN}/campaigns/gift-guide/hero.jpg" width="640" alt="Holiday Gift Guide" style="display:block;width:100%"></td></tr>'
        "<tr><td style=\"padding:24px\"><h1 style=\"font-family:Georgia,serif\">Hi {{UserAttribute['First Name']|default('there')}}, "
        "your holiday gift guide is here</h1>"
        "<p>{{ContentBlock['loyalty_badge']}} - so you get early access to every deal below. "
        "{{ContentBlock['free_shipping']}}.</p></td></tr>"
        f"{rows}"
        f'<tr><td style="padding:24px;text-align:center"><a href="{SITE}/gift-guide?utm_source=moengage&amp;utm_medium=email&amp;utm_campaign=holiday_gift_guide" '
        'style="font-size:18px">See the full gift guide</a></td></tr>'
        "<tr><td style=\"padding:24px\">{{ContentBlock['footer']}}</td></tr>"
        "</table></body></html>"
    )


# ---------------------------------------------------------------- standard components


def segment(name: str, segment_id: str) -> dict[str, Any]:
    return {
        "included_filters": {
            "filter_operator": "and",
            "filters": [{"filter_type": "custom_segments", "name": name, "id": segment_id}],
        }
    }


def action_trigger(event: str, *, delay_hours: int | None = None) -> dict[str, Any]:
    trigger: dict[str, Any] = {
        "included_filters": {
            "filter_operator": "and",
            "filters": [
                {
                    "filter_type": "actions",
                    "action_name": event,
                    "execution": {"type": "atleast", "count": 1},
                    "executed": True,
                }
            ],
        },
        "trigger_delay_type": "ASAP",
    }
    if delay_hours:
        trigger.update(
            trigger_delay_type="DELAY",
            trigger_delay_value=str(delay_hours),
            trigger_delay_granularity="HOURS",
            trigger_relation="AFTER",
        )
    return trigger


def delivery_controls(channel: str, *, bypass_dnd: bool = False, ignore_fc: bool = False) -> dict[str, Any]:
    controls: dict[str, Any] = {
        "bypass_dnd": bypass_dnd,
        "ignore_frequency_capping": ignore_fc,
        "count_for_frequency_capping": not ignore_fc,
    }
    if channel == "EMAIL":
        controls["campaign_throttle_rpm"] = 2000
    return controls


def control_group(enabled: bool = True, percentage: int = 5) -> dict[str, Any]:
    group: dict[str, Any] = {
        "is_campaign_control_group_enabled": enabled,
        "is_global_control_group_enabled": True,
    }
    if enabled:
        group["campaign_control_group_percentage"] = percentage
    return group


def conversion_goals(event: str = "Purchase Completed") -> dict[str, Any]:
    return {
        "attribution_window_in_hours": 36,
        "goals": [
            {
                "goal_name": "Purchase",
                "goal_event_name": event,
                "is_primary_goal": True,
                "revenue_attribute": "order_value",
                "revenue_currency": "USD",
            },
            {"goal_name": "Add to Cart", "goal_event_name": "Added To Cart", "is_primary_goal": False},
        ],
    }


def utm(channel: str, slug: str) -> dict[str, Any]:
    return {"utm_source": "moengage", "utm_medium": channel.lower(), "utm_campaign": slug.replace("-", "_")}
