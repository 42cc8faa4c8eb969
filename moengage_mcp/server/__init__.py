"""The MCP server: tools, resources and prompts over the MoEngage API client."""

from .app import MoEngageServer, create_server

__all__ = ["MoEngageServer", "create_server"]
