"""The floor: the smallest useful MCP server from the same `mcp` version, one tool, over stdio.

Start-up and memory of moengage-mcp are measured against this (`python benchmarks/floor_server.py`).
"""

from mcp.server.mcpserver import MCPServer

server = MCPServer("floor")


@server.tool(description="Answer pong.")
def ping(text: str = "") -> str:
    return "pong " + text


if __name__ == "__main__":
    server.run()
