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

import functools
import importlib
import pkgutil
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, ToolAnnotations
from pydantic import BaseModel

from ..api import MoEngageError
from ..api.errors import found_in
from ..api.ratelimit import CALLER, Caller, DeadlineReached
from ..settings import Settings, Toolset, WriteMode
from .args import Args, flat_signature
from .budget import deadline, heartbeat
from .results import data_block
from .workspace import Workspace

if TYPE_CHECKING:
    from .policy.guard import WritePolicy
    from .policy.preflight import Preflight
    from .policy.writes import WriteResult

READ = ToolAnnotations(read_only_hint=True, open_world_hint=True)

Body = Callable[[Workspace, Any, Context], Awaitable[CallToolResult]]
"""A read tool's body: the workspace, the validated arguments and the request context."""


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

    def bind(self, workspace: Workspace, policy: WritePolicy) -> Callable[..., Awaitable[Any]]:
        """The function the SDK registers for this tool."""
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class ReadTool(Tool):
    body: Body
    toolset: Toolset = Toolset.READ
    annotations: ToolAnnotations = field(default_factory=lambda: READ)

    def bind(self, workspace: Workspace, policy: WritePolicy) -> Callable[..., Awaitable[Any]]:
        """Flat arguments in, the body run on `workspace`, API errors converted."""

        async def call(args: Args, ctx: Context) -> CallToolResult:
            with tool_errors(), calling(Caller(who=caller_of(ctx), until=deadline())):
                async with heartbeat(ctx):
                    return await self.body(workspace, args, ctx)

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

    def bind(self, workspace: Workspace, policy: WritePolicy) -> Callable[..., Awaitable[Any]]:
        """Pre-flight and approval as the SDK's resolvers, then the write: all under `policy`."""
        return policy.sdk_function(self, workspace)


def read_tool(
    *,
    title: str,
    summary: str,
    description: str,
    args: type[Args],
    output: type[BaseModel],
    meta: dict[str, Any] | None = None,
) -> Callable[[Body], ReadTool]:
    """Declare the decorated body as a read tool of the same name."""

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


def refusal(tool: Tool, settings: Settings) -> str | None:
    """Why `settings` hide `tool`, naming the setting that would show it; None when it is listed."""
    if tool.writes and settings.write_mode is WriteMode.OFF:
        return (
            f"{tool.name} is disabled: write tools are off (MOENGAGE_MCP_WRITE_MODE=off). "
            "Set MOENGAGE_MCP_WRITE_MODE=confirm to enable them with confirmation."
        )
    if tool.toolset not in settings.toolsets:
        return (
            f"{tool.name} is disabled: its toolset '{tool.toolset.value}' is not in MOENGAGE_MCP_TOOLSETS "
            f"({','.join(sorted(t.value for t in settings.toolsets))}). Add it to enable the tool."
        )
    return None


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
