"""The tool results the preview app is shown in the browser test: the one place they come from.

Each is a real `get_campaign` or `personalized_preview` call through an MCP client session that
declares the MCP Apps extension, on the demo workspace, as the host forwards it to the app
(content, structuredContent, and the view in `_meta[META_KEY]` that the tool attached).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from mcp import Client
from mcp.client.extension import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from mcp.types import CallToolResult

from moengage_mcp.simulator import Simulator
from moengage_mcp.simulator.seed import DEMO_CAMPAIGN_IDS

from ..conftest import mcp_client
from .demo import RICH_PUSH

APPS = advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})
"""The Apps extension as a host that renders MCP Apps declares it."""


@asynccontextmanager
async def apps_client(sim: Simulator, tmp_path, **kwargs: Any) -> AsyncIterator[Client]:
    """`mcp_client` for a client that declared the Apps extension."""
    async with mcp_client(sim, tmp_path, client_kwargs={"extensions": [APPS]}, **kwargs) as client:
        yield client


def forwarded(result: CallToolResult) -> dict[str, Any]:
    """A tool result as the host forwards it to the app (`ui/notifications/tool-result`)."""
    return result.model_dump(mode="json", by_alias=True, exclude_none=True)


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
    """Every case of `CASES`, called for real by a client with the Apps extension."""
    calls: dict[str, ToolCall] = {}
    async with apps_client(sim, tmp_path) as client:
        for case, (tool, arguments) in CASES.items():
            result = await client.call_tool(tool, arguments)
            assert not result.is_error, result.content
            calls[case] = ToolCall(tool, arguments, forwarded(result))
    return calls
