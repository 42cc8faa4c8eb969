"""The tool results the preview app is shown in the browser test: the one place they come from.

Each is a real `get_campaign` or `personalized_preview` call through an MCP client session on the
demo workspace, as the host forwards it to the app (content, structuredContent, _meta). Until the
tools attach the view model themselves, `_meta[META_KEY]` is added here, built with the app's
builders from the same data through the API client; once they do, `with_view` goes and the
result's own `_meta` is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mcp.types import CallToolResult

from moengage_mcp.api import MoEngageClient
from moengage_mcp.api import models as m
from moengage_mcp.apps import campaign_view, personalized_view, preview_meta
from moengage_mcp.simulator import Simulator
from moengage_mcp.simulator.seed import DEMO_CAMPAIGN_IDS

from ..conftest import make_client, mcp_client
from .demo import RICH_PUSH, render, source


@dataclass
class ToolCall:
    """A tool call as a host hands it to the view: its arguments and its result."""

    name: str
    arguments: dict[str, Any]
    result: dict[str, Any]


CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "long_email": ("get_campaign", {"campaign_id": DEMO_CAMPAIGN_IDS["largest_email"]}),
    "push_android_ios": ("get_campaign", {"campaign_id": DEMO_CAMPAIGN_IDS["scheduled_push_this_week"]}),
    "two_locales": ("get_campaign", {"campaign_id": DEMO_CAMPAIGN_IDS["valid_multilocale_draft"]}),
    "personalized_push": (
        "personalized_preview",
        {"campaign_id": DEMO_CAMPAIGN_IDS["flaw_no_default_past_start"], "user_id": "user-1005"},
    ),
    "personalized_email": (
        "personalized_preview",
        {"campaign_id": DEMO_CAMPAIGN_IDS["flaw_unknown_attribute_http_all_users"], "user_id": "user-1005"},
    ),
    "rich_push": (
        "personalized_preview",
        {"campaign_content": RICH_PUSH, "channel": "PUSH", "user_id": "user-1002"},
    ),
}


async def tool_calls(sim: Simulator, tmp_path) -> dict[str, ToolCall]:
    """Every case of `CASES`, called for real and carrying the preview view."""
    calls: dict[str, ToolCall] = {}
    async with mcp_client(sim, tmp_path) as client, make_client(sim) as api:
        for case, (tool, arguments) in CASES.items():
            result: CallToolResult = await client.call_tool(tool, arguments)
            assert not result.is_error, result.content
            forwarded = result.model_dump(mode="json", by_alias=True, exclude_none=True)
            calls[case] = ToolCall(tool, arguments, await with_view(api, tool, arguments, forwarded))
    return calls


async def with_view(
    api: MoEngageClient, tool: str, arguments: dict[str, Any], result: dict[str, Any]
) -> dict[str, Any]:
    """`result` with the preview view in its `_meta`, as the tool layer is to attach it."""
    if tool == "get_campaign":
        view = campaign_view(await api.get_campaign(arguments["campaign_id"]))
    else:
        campaign = await api.get_campaign(arguments["campaign_id"]) if "campaign_id" in arguments else None
        content = source(campaign) if campaign else arguments["campaign_content"]
        channel = str(campaign.channel) if campaign else arguments["channel"]
        view = personalized_view(
            channel,
            await render(api, channel, content, arguments["user_id"]),
            user_id=arguments["user_id"],
            user_id_type="USER_ATTRIBUTE_UNIQUE_ID",
            template=m.CampaignContent.model_validate(content),
            platforms=campaign.basic_details.platforms if campaign else (),
            campaign=campaign,
        )
    return {**result, "_meta": {**result.get("_meta", {}), **preview_meta(view)}}
