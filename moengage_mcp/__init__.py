"""moengage-mcp: an MCP server for MoEngage campaigns."""

__version__ = "0.1.0"
