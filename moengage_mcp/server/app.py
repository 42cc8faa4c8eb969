"""The MCP server: the tools this configuration lists, and the rules every call passes first."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS, GetPromptResult, InputRequiredResult
from mcp.types import Tool as MCPTool

from .. import __version__
from ..api import MoEngageClient
from ..settings import Settings, SettingsError, Toolset, WriteMode
from .policy.audit import AuditLog
from .policy.confirmation import ConfirmationTokens
from .policy.guard import AuditedToolError, WritePolicy
from .prompts import register_prompts
from .registry import Tool, all_tools, allowed_in, refusal
from .resources import preview_app, register_resources
from .results import DATA_NOTICE, compact_schema
from .sdk import accept_set_level
from .users import audit_user, granted
from .workspace import Workspaces

if TYPE_CHECKING:
    from ..team.shared import SharedState

INSTRUCTIONS = f"""\
Tools for one MoEngage workspace's campaigns (push, email, SMS). Start with search_campaigns or \
get_meta to find campaigns, then get_campaign, personalized_preview and validate_campaign to inspect \
one. Times are UTC. {DATA_NOTICE}"""


class MoEngageServer(MCPServer):
    """An `MCPServer` that lists compact schemas, lists each user only the tools their scopes grant,
    refuses hidden tools and unknown arguments by name, audits every failed write attempt its write
    policy could not audit itself (hidden tool, bad arguments, a failed pre-flight read), and answers
    a bad prompt request as the client's mistake."""

    def __init__(
        self,
        *args: Any,
        declared: dict[str, Tool],
        refused: dict[str, str],
        workspaces: Workspaces,
        audit: AuditLog,
        grant: Callable[[], frozenset[Toolset]] | None = None,
        **kwargs: Any,
    ) -> None:
        """`grant`: the toolsets the request being handled may use (default: all the server lists)."""
        super().__init__(*args, **kwargs)
        self.declared = declared
        self.refused = refused
        self.workspaces = workspaces
        self.audit = audit
        self.grant = grant or (lambda: frozenset(Toolset))
        self._listed: dict[frozenset[Toolset], list[MCPTool]] = {}

    async def list_tools(self) -> list[MCPTool]:
        """The SDK's listing with every schema compacted (see `compact_schema`) and only the tools of
        the toolsets granted to the request, built once per grant."""
        grant = self.grant()
        if grant not in self._listed:
            self._listed[grant] = [
                tool.model_copy(
                    update={
                        "input_schema": compact_schema(tool.input_schema),
                        "output_schema": compact_schema(tool.output_schema) if tool.output_schema else None,
                    }
                )
                for tool in await super().list_tools()
                if (declared := self.declared.get(tool.name)) is None or declared.toolset in grant
            ]
        return self._listed[grant]

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Context | None = None) -> Any:
        try:
            return await self._checked_call(name, arguments, context)
        except (ToolError, MCPError) as exc:  # MCPError: e.g. the client answered the question with an error
            tool = self.declared.get(name)
            if tool is not None and tool.writes and not isinstance(exc.__cause__, AuditedToolError):
                campaign_id = arguments.get("campaign_id")
                self.audit.record(
                    tool=name,
                    campaign_id=campaign_id if isinstance(campaign_id, str) else None,
                    arguments=arguments,
                    decision="refused",
                    outcome=str(exc),
                    by_name=True,
                )
            raise

    async def _checked_call(self, name: str, arguments: dict[str, Any], context: Context | None) -> Any:
        if name in self.refused:
            raise ToolError(self.refused[name])
        tool = self.declared.get(name)
        if tool is not None and tool.toolset not in self.grant():
            raise ToolError(
                f"{name} is not available to you: it needs the scope moengage:{tool.toolset.value}, which your "
                "access token does not grant. Ask your identity provider's administrators for it, then sign in again"
            )
        if tool is not None and (unknown := sorted(set(arguments) - set(tool.args.model_fields))):
            # the SDK ignores extra arguments; a misspelt filter must not silently widen a search
            raise ToolError(
                f"Error executing tool {name}: unknown argument(s) {', '.join(unknown)}; "
                f"valid arguments: {', '.join(tool.args.model_fields)}"
            )
        if tool is not None and self.workspaces.several:
            # listed because some workspace allows it; refused in one whose own settings do not
            for workspace in self.workspaces.named_in(arguments.get("workspace")):
                if why := refusal(tool, workspace.settings, workspace.name):
                    raise ToolError(why)
        return await super().call_tool(name, arguments, context)

    async def get_prompt(
        self, name: str, arguments: dict[str, Any] | None = None, context: Context | None = None
    ) -> GetPromptResult | InputRequiredResult:
        """An unknown prompt or a missing required argument is the client's mistake: -32602 naming what to
        send, not the SDK's -32603 internal error (and no traceback in the server's log)."""
        prompts = {prompt.name: prompt for prompt in await self.list_prompts()}
        prompt = prompts.get(name)
        if prompt is None:
            raise MCPError(
                INVALID_PARAMS, f"Unknown prompt: {name}; available prompts: {', '.join(sorted(prompts))}"
            )
        given = arguments or {}
        missing = [a.name for a in prompt.arguments or [] if a.required and a.name not in given]
        if missing:
            raise MCPError(INVALID_PARAMS, f"Prompt {name} needs argument(s): {', '.join(missing)}")
        return await super().get_prompt(name, arguments, context)


def create_server(
    settings: Settings,
    api: MoEngageClient | Workspaces,
    *,
    tokens: ConfirmationTokens | None = None,
    shared: SharedState | None = None,
) -> MoEngageServer:
    """Build the server for `settings`, talking to the API through `api` (owned by the caller): one
    client, or the workspaces of a workspaces file, each with its own client and settings.
    `shared`: what this process shares with other replicas (`moengage_mcp.team.shared`, opened by the
    caller): confirmation tokens' keys and spends, run counts, campaign locks; default: its own."""
    workspaces = (
        api
        if isinstance(api, Workspaces)
        else Workspaces.of({"default": api}, {"default": settings}, "default")
    )
    audit = AuditLog(settings.audit_log, who=functools.partial(audit_user, settings))
    modes = {ws.settings.write_mode for ws in workspaces.by_name.values()}
    if modes != {WriteMode.OFF} and (why := audit.start(",".join(sorted(m.value for m in modes)))):
        raise SettingsError(f"MOENGAGE_MCP_AUDIT_LOG: cannot append to {audit.path} ({why})")
    declared = {tool.name: tool for tool in all_tools()}
    if workspaces.several:
        declared = {name: tool.for_workspaces(workspaces) for name, tool in declared.items()}
    refused = _refused(declared, workspaces)
    server = MoEngageServer(
        "moengage-mcp",
        title="MoEngage Campaigns",
        version=__version__,
        instructions=instructions(workspaces),
        website_url="https://github.com/moengage-mcp/moengage-mcp",
        extensions=[preview_app()],
        log_level="WARNING",  # the SDK calls logging.basicConfig with this; the CLI configures logging first
        declared=declared,
        refused=refused,
        workspaces=workspaces,
        audit=audit,
        grant=functools.partial(granted, settings),
    )
    if shared is None:
        policy = WritePolicy(audit, tokens or ConfirmationTokens())
    else:
        tokens = tokens or ConfirmationTokens(keys=shared.keys, spent=shared.spent)
        policy = WritePolicy(audit, tokens, runs=shared.runs, locks=shared.locks, unsettled=shared.unsettled)
    for name, tool in declared.items():
        if name not in refused:
            fn = tool.bind(workspaces, policy)
            server.add_tool(
                fn,
                name=name,
                title=tool.title,
                description=tool.description,
                annotations=tool.annotations,
                meta=tool.meta,
            )
    register_resources(server, workspaces)
    register_prompts(server)
    accept_set_level(server)
    return server


def _refused(declared: dict[str, Tool], workspaces: Workspaces) -> dict[str, str]:
    """The tools no workspace allows, each with why (naming the setting of the default workspace)."""
    default = workspaces.by_name[workspaces.default]
    several = workspaces.default if workspaces.several else None
    return {
        name: refusal(tool, default.settings, several) or f"{name} is disabled in every workspace"
        for name, tool in declared.items()
        if not allowed_in(tool, workspaces)
    }


def instructions(workspaces: Workspaces) -> str:
    """What the model reads first; with several workspaces, which there are and which tools use by default."""
    if not workspaces.several:
        return INSTRUCTIONS
    names = ", ".join(workspaces.by_name)
    return (
        f"{INSTRUCTIONS} Workspaces: {names}. Every tool takes workspace (default {workspaces.default}); "
        'search_campaigns and campaign_report also take a list of workspaces or "*" for all.'
    )
