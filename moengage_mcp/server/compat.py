"""Protocol behaviour clients rely on that the SDK's defaults get wrong or leave out.

`logging/setLevel` belongs to the 2025-11-25 protocol (2026-07-28 moved log opt-in into request
metadata). Clients of the older protocol send it after connecting and treat "method not found"
as a broken server, so the server accepts it. The requested level is kept per server; the
server sends no log notifications of its own, so it has nothing further to filter.

`prompts/get` for a prompt that does not exist, or without a required argument, is the client's
mistake: it gets `-32602 Invalid params` naming what to send, not the SDK's `-32603 Internal
error` (and no traceback in the server's log).
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS, EmptyResult, GetPromptRequestParams, SetLevelRequestParams


def register_compat(server: MCPServer) -> None:
    async def set_level(ctx: Any, params: SetLevelRequestParams) -> EmptyResult:
        server.client_log_level = params.level  # type: ignore[attr-defined]
        return EmptyResult()

    lowlevel = server._lowlevel_server  # noqa: SLF001 - the SDK offers no public hook
    lowlevel.add_request_handler("logging/setLevel", SetLevelRequestParams, set_level)

    get_prompt = lowlevel._request_handlers["prompts/get"].handler  # noqa: SLF001

    async def checked_get_prompt(ctx: Any, params: GetPromptRequestParams) -> Any:
        prompts = server._prompt_manager  # noqa: SLF001
        prompt = prompts.get_prompt(params.name)
        if prompt is None:
            known = ", ".join(sorted(p.name for p in prompts.list_prompts()))
            raise MCPError(INVALID_PARAMS, f"Unknown prompt: {params.name}; available prompts: {known}")
        given = params.arguments or {}
        missing = [a.name for a in prompt.arguments or [] if a.required and a.name not in given]
        if missing:
            raise MCPError(INVALID_PARAMS, f"Prompt {params.name} needs argument(s): {', '.join(missing)}")
        return await get_prompt(ctx, params)

    lowlevel.add_request_handler("prompts/get", GetPromptRequestParams, checked_get_prompt)
