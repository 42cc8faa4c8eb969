"""The preview app in tool results: which tools it is bound to, and the view a result carries.

A tool declared with `meta=PREVIEW_TOOL_META` lists `_meta.ui.resourceUri` (the MCP Apps binding the
SDK's `Apps.tool` stamps); the app itself is served by `resources.preview_app()`. Its results carry
the view only for a client that negotiated the Apps extension (`client_supports_apps`): every other
client gets exactly the text and structured content it got before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from mcp.server.apps import client_supports_apps
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult

from ..apps import PREVIEW_URI, PreviewView, preview_meta

PREVIEW_TOOL_META: dict[str, Any] = {"ui": {"resourceUri": PREVIEW_URI}}
logger = logging.getLogger(__name__)


def with_preview(res: CallToolResult, ctx: Context, view: Callable[[], PreviewView]) -> CallToolResult:
    """`res` with `view()` in its `_meta` when the client renders MCP Apps; `res` unchanged otherwise.

    `view` builds from what the tool already fetched, never calling the API. A view that cannot be
    built costs the picture, not the answer: the result goes out without it (the app says so)."""
    if res.is_error or not client_supports_apps(ctx):
        return res
    try:
        entry = preview_meta(view())
    except Exception:
        logger.exception("the preview view could not be built; the result goes without it")
        return res
    return res.model_copy(update={"meta": {**(res.meta or {}), **entry}})
