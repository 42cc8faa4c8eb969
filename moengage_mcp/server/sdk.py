"""Where this server needs more from the SDK than its public surface offers.

`logging/setLevel` belongs to the 2025-11-25 protocol (2026-07-28 moved log opt-in into request
metadata). Clients of the older protocol send it after connecting and treat "method not found" as
a broken server, so the server accepts it. The server sends no log notifications of its own, so
there is nothing to filter by the level.

The SDK's extension framework refuses to bind spec methods and points at the low-level server's
`add_request_handler` for exactly this case; `MCPServer` offers no public way to reach that
server, so `_lowlevel_server` is one of the two private SDK names this package uses (the other:
`transports.py` sets the server's `_token_verifier` for OAuth sign-in).
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.types import EmptyResult, SetLevelRequestParams


def accept_set_level(server: MCPServer) -> None:
    async def set_level(ctx: Any, params: SetLevelRequestParams) -> EmptyResult:
        return EmptyResult()

    server._lowlevel_server.add_request_handler("logging/setLevel", SetLevelRequestParams, set_level)
