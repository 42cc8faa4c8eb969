"""Demo-workspace inputs of the preview app, shared by the builder tests and the browser test."""

from __future__ import annotations

from typing import Any

from moengage_mcp.api import MoEngageClient
from moengage_mcp.api import models as m
from moengage_mcp.simulator.seed import DEMO_CAMPAIGN_IDS

RICH_PUSH: dict[str, Any] = {
    "content": {
        "push": {
            "android": {
                "template_type": "SIMPLE_IMAGE_CAROUSEL",
                "basic_details": {
                    "title": "{{UserAttribute['First Name']}}, new arrivals",
                    "message": "<b>Swipe</b> through this week's picks.",
                    "summary": "Winter edit",
                    "background_color_code": "#fdf1e6",
                    "carousel_content": {
                        "slider_transition": "MANUAL",
                        "slide_data": [
                            {
                                "image_url": f"https://cdn.brightcart.example/push/slide-{n}.jpg",
                                "image_click_action": "DEEPLINKING",
                                "image_click_action_value": f"https://www.brightcart.example/p/{n}",
                            }
                            for n in (1, 2, 3)
                        ],
                    },
                    "default_click_action": "DEEPLINKING",
                    "default_click_action_value": "https://www.brightcart.example/new",
                },
                "buttons": [
                    {
                        "btn_name": "Shop now",
                        "click_action_type": "DEEPLINKING",
                        "click_action_value": "https://www.brightcart.example/new",
                    },
                    {"btn_name": "Later", "click_action_type": "REMIND_LATER"},
                ],
            },
            "web": {
                "template_type": "BASIC",
                "basic_details": {
                    "title": "New arrivals are in",
                    "message": "Fresh picks for winter.",
                    "image_url": "https://cdn.brightcart.example/push/web-hero.jpg",
                    "redirect_url": "https://www.brightcart.example/new",
                },
                "buttons": [{"title": "View", "url": "https://www.brightcart.example/new"}],
            },
        }
    }
}
"""Inline push content with a carousel, buttons and images (the demo workspace has only basic push)."""


async def campaign(api: MoEngageClient, key: str) -> m.Campaign:
    return await api.get_campaign(DEMO_CAMPAIGN_IDS[key])


def source(campaign: m.Campaign) -> dict[str, Any]:
    """The content the preview endpoint is asked to render, as personalized_preview sends it."""
    assert campaign.campaign_content is not None
    return campaign.campaign_content.model_dump(mode="json", exclude_unset=True, exclude_none=True)


async def render(
    api: MoEngageClient, channel: str, content: dict[str, Any], user_id: str
) -> m.CampaignContent:
    """`content` rendered for `user_id` by the (simulated) preview endpoint."""
    request = m.PreviewRequest(
        channel=channel,
        user_identification=m.UserIdentification(type="USER_ATTRIBUTE_UNIQUE_ID", value=user_id),
        campaign_content=content,
    )
    return (await api.preview(request)).personalized_content
