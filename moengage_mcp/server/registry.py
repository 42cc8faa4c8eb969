"""The tool registry: every tool declared once.

A `ReadTool` or `WriteTool` names the tool, its toolset, its argument and output models, its
annotations and what it runs: a read tool's body, or a write tool's pre-flight and execute steps
(the write policy in `policy/guard.py` runs everything between them). Everything else derives
from these declarations: which tools a configuration lists and why a hidden one is refused
(`refusal`), the unknown-argument check, manifest.json's `tools[]` and the README's tool table
(`scripts/tool_docs.py` writes both from here), and the tests' expectations.

Tool modules live in `moengage_mcp.server.tools`; each exports `TOOLS`, a tuple of declarations,
so a new tool is one new module there.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import pkgutil
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, Field, WithJsonSchema, create_model

from ..api import MoEngageError
from ..api.errors import found_in
from ..api.ratelimit import CALLER, Caller, DeadlineReached
from ..settings import Settings, Toolset, WriteMode
from .args import Args, flat_signature
from .budget import deadline, heartbeat
from .results import data_block, named
from .workspace import ALL, Workspace, Workspaces

if TYPE_CHECKING:
    from .policy.guard import WritePolicy
    from .policy.preflight import Preflight
    from .policy.writes import WriteResult

READ = ToolAnnotations(read_only_hint=True, open_world_hint=True)

Body = Callable[[Workspace, Any, Context], Awaitable[CallToolResult]]
"""A read tool's body: the workspace, the validated arguments and the request context."""
Span = Callable[[Sequence[Workspace], Any, Context], Awaitable[CallToolResult]]
"""A read tool's answer over several workspaces at once, each row or section naming its workspace."""


@dataclass(frozen=True, kw_only=True)
class Tool:
    name: str
    title: str
    description: str
    """What the model reads: when to use the tool, and which tool to use instead."""
    summary: str
    """One line for people (the README's tool table, manifest.json)."""
    toolset: Toolset
    args: type[Args]
    output: type[BaseModel]
    annotations: ToolAnnotations
    meta: dict[str, Any] | None = None
    """The tool's `_meta` in tools/list, e.g. the MCP App its results are shown in (`_meta.ui`)."""

    @property
    def writes(self) -> bool:
        return self.toolset is not Toolset.READ

    @property
    def spans(self) -> bool:
        """Whether one call may act on several workspaces (`workspace: [..]` or `*`)."""
        return False

    def bind(self, workspaces: Workspaces, policy: WritePolicy) -> Callable[..., Awaitable[Any]]:
        """The function the SDK registers for this tool."""
        raise NotImplementedError

    def for_workspaces(self, workspaces: Workspaces) -> Tool:
        """This tool as a server of several workspaces lists it: with a `workspace` argument (omitted, the
        default, which the server's instructions name) and results that name their workspace. The schema
        offers the workspaces whose settings allow the tool; any configured name is accepted, so a call
        naming another is refused with the setting that would allow it."""
        names = list(workspaces.by_name)
        one = Literal.__getitem__(tuple(names))  # type: ignore[attr-defined]
        schema: dict[str, Any] = {"enum": allowed_in(self, workspaces) or names}
        kind: Any = Annotated[one, WithJsonSchema(schema)]
        if self.spans:
            every = Literal.__getitem__((*names, ALL))  # type: ignore[attr-defined]
            spanned = {"anyOf": [{"enum": [*schema["enum"], ALL]}, {"items": schema}]}
            kind = Annotated[every | list[one], WithJsonSchema(spanned)]  # type: ignore[valid-type]
        # the default is named in the server's instructions, once, rather than in every schema
        unshown = Field(workspaces.default, json_schema_extra=lambda field: field.pop("default", None))
        args = create_model(self.args.__name__, __base__=self.args, workspace=(kind, unshown))
        output = create_model(self.output.__name__, __base__=self.output, workspace=(str | None, None))
        return dataclasses.replace(self, args=args, output=output)


@dataclass(frozen=True, kw_only=True)
class ReadTool(Tool):
    body: Body
    toolset: Toolset = Toolset.READ
    annotations: ToolAnnotations = field(default_factory=lambda: READ)

    span: Span | None = None

    @property
    def spans(self) -> bool:
        return self.span is not None

    def bind(self, workspaces: Workspaces, policy: WritePolicy) -> Callable[..., Awaitable[Any]]:
        """Flat arguments in, the body run on the chosen workspace (or the span over several), API errors
        converted, the result naming its workspace when the server has several."""

        async def call(args: Args, ctx: Context) -> CallToolResult:
            with tool_errors(), calling(Caller(who=caller_of(ctx), until=deadline())):
                async with heartbeat(ctx):
                    chosen, asked = workspaces.chosen(args), getattr(args, "workspace", None)
                    if self.span is not None and (asked == ALL or isinstance(asked, list)):
                        return await self.span(chosen, args, ctx)
                    out = await self.body(chosen[0], args, ctx)
                    return named(out, chosen[0].name) if workspaces.several else out

        returns = Annotated[CallToolResult, self.output]
        return flat_signature(self.args, call, extra={"ctx": Context}, returns=returns, name=self.name)


@dataclass(frozen=True, kw_only=True)
class WriteTool(Tool):
    preflight: Callable[[Workspace, Any], Awaitable[Preflight]]
    """Read what the action touches; refuse what the rules forbid; summarise the rest for a person."""
    execute: Callable[[Workspace, Preflight], Awaitable[WriteResult]]
    """Send the one write request of an approved pre-flight and report what it reached."""
    reads_back: bool = True
    """Whether a failed write can be checked by reading the campaign again (a test send leaves no trace)."""

    def bind(self, workspaces: Workspaces, policy: WritePolicy) -> Callable[..., Awaitable[Any]]:
        """Pre-flight and approval as the SDK's resolvers, then the write: all under `policy`."""
        return policy.sdk_function(self, workspaces)


def read_tool(
    *,
    title: str,
    summary: str,
    description: str,
    args: type[Args],
    output: type[BaseModel],
    meta: dict[str, Any] | None = None,
    span: Span | None = None,
) -> Callable[[Body], ReadTool]:
    """Declare the decorated body as a read tool of the same name (`span`: its answer over several
    workspaces)."""

    def declare(body: Body) -> ReadTool:
        return ReadTool(
            name=body.__name__,
            title=title,
            summary=summary,
            description=description,
            args=args,
            output=output,
            meta=meta,
            body=body,
            span=span,
        )

    return declare


def write_annotations(*, destructive: bool, idempotent: bool) -> ToolAnnotations:
    return ToolAnnotations(
        read_only_hint=False, destructive_hint=destructive, idempotent_hint=idempotent, open_world_hint=True
    )


@functools.cache
def all_tools() -> tuple[Tool, ...]:
    """Every tool the server has: toolsets in their settings order, then by name."""
    from . import tools

    found = [
        tool
        for info in pkgutil.iter_modules(tools.__path__)
        for tool in importlib.import_module(f"{tools.__name__}.{info.name}").TOOLS
    ]
    names = [tool.name for tool in found]
    if len(names) != len(set(names)):
        raise RuntimeError(f"a tool name is declared twice: {sorted(n for n in names if names.count(n) > 1)}")
    order = list(Toolset)
    return tuple(sorted(found, key=lambda tool: (order.index(tool.toolset), tool.name)))


def refusal(tool: Tool, settings: Settings, workspace: str | None = None) -> str | None:
    """Why `settings` hide `tool`, naming the setting that would show it; None when it is listed.
    `workspace`: the settings are that workspace's, from the workspaces file."""

    def setting(name: str, value: str) -> str:
        if workspace is None:
            return f"MOENGAGE_{'MCP_' + name.upper()}={value}"
        return f'{name} = "{value}" in [workspaces.{workspace}] of MOENGAGE_MCP_WORKSPACES_FILE'

    where = f" in workspace {workspace}" if workspace is not None else ""
    if tool.writes and settings.write_mode is WriteMode.OFF:
        return (
            f"{tool.name} is disabled{where}: write tools are off ({setting('write_mode', 'off')}). "
            f"Set {setting('write_mode', 'confirm')} to enable them with confirmation."
        )
    if tool.toolset not in settings.toolsets:
        listed = ",".join(sorted(t.value for t in settings.toolsets))
        return (
            f"{tool.name} is disabled{where}: its toolset '{tool.toolset.value}' is not in "
            f"{setting('toolsets', listed)}. Add it to enable the tool."
        )
    return None


def allowed_in(tool: Tool, workspaces: Workspaces) -> list[str]:
    """The workspaces whose settings allow `tool`, in configured order."""
    return [name for name, ws in workspaces.by_name.items() if refusal(tool, ws.settings) is None]


def caller_of(ctx: Context) -> str:
    """Whom a call's API requests are counted for in the rate limiter's fair shares: its session."""
    return f"session:{id(ctx.session):x}"


@contextmanager
def calling(caller: Caller) -> Iterator[None]:
    """Count the API requests made inside for `caller` (the limiter reads `CALLER`)."""
    token = CALLER.set(caller)
    try:
        yield
    finally:
        CALLER.reset(token)


@contextmanager
def tool_errors() -> Iterator[None]:
    """Turn an API error (also one inside a task group's exception group) into a tool error carrying
    its advice: the one place expected failures become what the model reads. What the API said is
    delimited as workspace data: its validation messages echo campaign text back."""
    try:
        yield
    except ToolError:
        raise
    except Exception as exc:
        cause = found_in(exc, (MoEngageError, ToolError, DeadlineReached))
        if isinstance(cause, DeadlineReached):
            raise ToolError(
                "Out of time: the API's rate limits, shared by every tool call, did not let this call finish "
                "in time. Ask for less, or call again in a minute"
            ) from cause
        if cause is None:
            raise
        said = cause.render(data_block) if isinstance(cause, MoEngageError) else str(cause)
        raise ToolError(said) from cause
