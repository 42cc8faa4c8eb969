"""Protocol features older clients still expect of a server.

`logging/setLevel` belongs to the 2025-11-25 protocol (2026-07-28 moved log opt-in into request
metadata). Clients of the older protocol send it after connecting and treat "method not found"
as a broken server, so the server accepts it. The requested level is kept per server; the
server sends no log notifications of its own, so it has nothing further to filter.
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.types import EmptyResult, SetLevelRequestParams


def register_compat(server: MCPServer) -> None:
    async def set_level(ctx: Any, params: SetLevelRequestParams) -> EmptyResult:
        server.client_log_level = params.level  # type: ignore[attr-defined]
        return EmptyResult()

    server._lowlevel_server.add_request_handler("logging/setLevel", SetLevelRequestParams, set_level)  # noqa: SLF001
