"""The MCP server: which tools exist for this configuration, and how failures reach the model."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.shared.exceptions import MCPError

from .. import __version__
from ..api import MoEngageClient, MoEngageError
from ..api.errors import found_in
from ..settings import Settings, SettingsError, Toolset, WriteMode
from .analysis_tools import register_analysis_tools
from .audit import AuditLog
from .compat import register_compat
from .prompts import register_prompts
from .read_tools import register_read_tools
from .resources import register_resources
from .results import DATA_NOTICE, compact_schema
from .tokens import ConfirmationTokens
from .write_tools import AuditedToolError, WriteGuard

INSTRUCTIONS = f"""\
Tools for one MoEngage workspace's campaigns (push, email, SMS). Start with search_campaigns or \
get_meta to find campaigns, then get_campaign, personalized_preview and validate_campaign to inspect \
one. Times are UTC. {DATA_NOTICE}"""

TOOLSETS: dict[Toolset, tuple[str, ...]] = {
    Toolset.READ: (
        "search_campaigns",
        "get_campaign",
        "list_executions",
        "get_meta",
        "personalized_preview",
        "validate_campaign",
        "get_campaign_stats",
        "campaign_report",
        "qa_campaign",
    ),
    Toolset.LIFECYCLE: ("pause_campaign", "resume_campaign", "stop_campaign"),
    Toolset.SEND: ("publish_campaign", "test_campaign"),
}
WRITE_TOOLSETS = (Toolset.LIFECYCLE, Toolset.SEND)
WRITE_TOOLS = frozenset(name for toolset in WRITE_TOOLSETS for name in TOOLSETS[toolset])


class MoEngageServer(MCPServer):
    """An `MCPServer` that refuses hidden tools by name, turns API errors into tool errors, and
    audits every failed write attempt the write tools could not audit themselves (hidden tool,
    bad arguments, a failed pre-flight read)."""

    def __init__(self, *args: Any, refused: dict[str, str], audit: AuditLog, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refused = refused
        self.audit = audit

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Context | None = None) -> Any:
        try:
            return await self._call(name, arguments, context)
        except (ToolError, MCPError) as exc:  # MCPError: e.g. the client answered the question with an error
            if name in WRITE_TOOLS and not isinstance(exc.__cause__, AuditedToolError):
                campaign_id = arguments.get("campaign_id")
                self.audit.record(
                    tool=name,
                    campaign_id=campaign_id if isinstance(campaign_id, str) else None,
                    arguments=arguments,
                    decision="refused",
                    outcome=str(exc),
                )
            raise

    async def _call(self, name: str, arguments: dict[str, Any], context: Context | None) -> Any:
        if name in self.refused:
            raise ToolError(self.refused[name])
        tool = self._tool_manager.get_tool(name)
        known = tool.parameters.get("properties", {}) if tool is not None else {}
        if tool is not None and (unknown := sorted(set(arguments) - set(known))):
            # the SDK ignores extra arguments; a misspelt filter must not silently widen a search
            raise ToolError(
                f"Error executing tool {name}: unknown argument(s) {', '.join(unknown)}; "
                f"valid arguments: {', '.join(known)}"
            )
        try:
            return await super().call_tool(name, arguments, context)
        except UnexpectedToolError as exc:
            cause = found_in(exc.__cause__, (MoEngageError, ToolError))
            if cause is not None:
                raise ToolError(f"Error executing tool {name}: {cause}") from cause
            raise


def refusals(settings: Settings) -> dict[str, str]:
    """Why each tool this configuration hides is hidden, naming the setting that would show it."""
    reasons: dict[str, str] = {}
    for toolset, names in TOOLSETS.items():
        for name in names:
            if toolset in WRITE_TOOLSETS and settings.write_mode is WriteMode.OFF:
                reasons[name] = (
                    f"{name} is disabled: write tools are off (MOENGAGE_MCP_WRITE_MODE=off). "
                    "Set MOENGAGE_MCP_WRITE_MODE=confirm to enable them with confirmation."
                )
            elif toolset not in settings.toolsets:
                reasons[name] = (
                    f"{name} is disabled: its toolset '{toolset.value}' is not in MOENGAGE_MCP_TOOLSETS "
                    f"({','.join(sorted(t.value for t in settings.toolsets))}). Add it to enable the tool."
                )
    return reasons


def create_server(
    settings: Settings, api: MoEngageClient, *, tokens: ConfirmationTokens | None = None
) -> MoEngageServer:
    """Build the server for `settings`, talking to the API through `api` (owned by the caller)."""
    refused = refusals(settings)
    audit = AuditLog(settings.audit_log)
    if settings.write_mode is not WriteMode.OFF and (why := audit.check()):
        raise SettingsError(f"MOENGAGE_MCP_AUDIT_LOG: cannot append to {audit.path} ({why})")
    server = MoEngageServer(
        "moengage-mcp",
        title="MoEngage Campaigns",
        version=__version__,
        instructions=INSTRUCTIONS,
        website_url="https://github.com/moengage-mcp/moengage-mcp",
        log_level="WARNING",  # the SDK calls logging.basicConfig with this; the CLI configures logging first
        refused=refused,
        audit=audit,
    )
    if Toolset.READ in settings.toolsets:
        register_read_tools(server, api)
        register_analysis_tools(server, api)
    WriteGuard(api, settings, audit, tokens or ConfirmationTokens()).register(server)
    register_resources(server, api, settings)
    register_prompts(server)
    register_compat(server)
    _compact_schemas(server)
    return server


def _compact_schemas(server: MCPServer) -> None:
    """Shrink every tool's input and output schema in place (see `compact_schema`)."""
    for tool in server._tool_manager.list_tools():  # noqa: SLF001 - the SDK offers no public hook
        tool.parameters = compact_schema(tool.parameters)
        if tool.fn_metadata.output_schema is not None:
            tool.fn_metadata.output_schema = compact_schema(tool.fn_metadata.output_schema)
