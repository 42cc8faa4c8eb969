"""The confirmation policy every write tool runs under.

Every call runs its tool's pre-flight first and refuses what the rules forbid. Then, in `confirm`
mode, a client that can elicit asks its user (one boolean field, the summary as message); any
other client gets a `confirmation_required` result with a single-use token bound to this exact
call. `auto` mode skips the question. One write request follows (the tool's `execute`), retried
only with its idempotency key, and the campaign is read back so the reported status is the one
actually reached.

What is approved is a state: the campaign as pre-flight saw it and how many times this exact action
has run. Its fingerprint is in the question (a 2026-07-28 client's recorded answer only counts for
the same question, so a replayed or stale answer asks again) and in the token; and under a lock per
campaign the state is read once more right before the write, so a concurrent or repeated call
cannot slip a second write, or a forbidden one, past its approval. The state also names the
signed-in user (OAuth `sub`), so an approval or a token shown to one user authorises no other.

Run counts and campaign locks are `moengage_mcp.team.shared` ones: in this process by default, in
Redis for replicas (MOENGAGE_MCP_REDIS_URL), where the lock has a lease a dead replica cannot keep
and a holder checks it still holds the lease right before writing. When the shared state cannot
prove a write runs once (`SharedStateError`: unreachable, lock lost or busy) the write is refused
with a message saying so, and nothing is sent; reads do not use it.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Annotated, Any

from mcp.server.mcpserver import (
    AcceptedElicitation,
    CancelledElicitation,
    Context,
    DeclinedElicitation,
    Elicit,
    ElicitationResult,
    Resolve,
)
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult
from pydantic import BaseModel, Field, StrictBool

from ...api import MoEngageError, OutcomeUnknownError
from ...api.ratelimit import Caller
from ...settings import WriteMode
from ...team.shared import (
    Locks,
    MemoryLocks,
    MemoryRunCounter,
    MemoryUnsettled,
    RunCounter,
    SharedStateError,
    Unsettled,
)
from ..args import Args, flat_signature
from ..core.text import text
from ..registry import WriteTool, calling, tool_errors
from ..results import named, result
from ..users import signed_in
from ..workspace import Workspace, Workspaces
from .audit import AuditLog, Decision
from .confirmation import Binding, ConfirmationTokens, TokenError
from .preflight import Preflight, fingerprint
from .writes import WriteResult

logger = logging.getLogger(__name__)

URGENT = Caller(urgent=True)
"""A write's requests (pre-flight, the write, its read-back) go before every read waiting for the API."""


class AuditedToolError(ToolError):
    """A tool error whose audit line is already written."""


class Confirm(BaseModel):
    confirm: StrictBool = Field(description="Yes: go ahead. No: cancel; nothing is sent.")


class Route(str, Enum):
    """What the approval resolver decided when it did not ask the user."""

    AUTO = "auto"
    TOKEN = "token"
    REFUSE = "refuse"


def _can_elicit(ctx: Context) -> bool:
    """Form elicitation declared (a bare `elicitation: {}` predates modes and means form)."""
    caps = ctx.client_capabilities
    elicitation = caps.elicitation if caps is not None else None
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


class WritePolicy:
    """Applies the confirmation policy to every write tool's calls."""

    def __init__(
        self,
        audit: AuditLog,
        tokens: ConfirmationTokens,
        *,
        runs: RunCounter | None = None,
        locks: Locks | None = None,
        unsettled: Unsettled | None = None,
    ) -> None:
        """`runs`, `locks`, `unsettled`: shared with other replicas (`moengage_mcp.team.shared`); default:
        this process's."""
        self.audit = audit
        self.tokens = tokens
        self._runs = runs or MemoryRunCounter()
        """How many times each exact action (workspace, tool, campaign, arguments) has been carried out."""
        self._locks = locks or MemoryLocks()
        """One write at a time per campaign."""
        self._unsettled = unsettled or MemoryUnsettled()
        """Attempt identities of actions whose last outcome is unknown (the answer was lost)."""

    def sdk_function(self, tool: WriteTool, workspaces: Workspaces) -> Callable[..., Awaitable[Any]]:
        """The function the SDK registers for `tool`: pre-flight and approval as resolvers, then the write.
        With several workspaces, the summary a person approves starts with the workspace's name."""

        async def current(args: Args) -> Preflight:
            workspace = workspaces.pick(args)
            with tool_errors(), calling(URGENT):
                pre = await self._counted(tool, workspace, await tool.preflight(workspace, args))
            if workspaces.several:
                pre = dataclasses.replace(pre, summary=f"Workspace {workspace.name}: {pre.summary}")
            return pre

        async def checked_body(args: Args, ctx: Context) -> Preflight:
            try:
                return await current(args)
            except SharedStateError as exc:  # the run count cannot be read: nothing can be approved
                raise ToolError(f"{_unprovable(exc)}. Nothing was sent.") from None

        checked = flat_signature(
            tool.args, checked_body, extra={"ctx": Context}, returns=Preflight, name=f"{tool.name}_preflight"
        )
        approval = _approval(checked, workspaces)

        async def body(args: Args, pre: Preflight, answer: ElicitationResult[Confirm]) -> CallToolResult:
            workspace = workspaces.pick(args)
            try:
                out = await self._decide_and_run(tool, workspace, args, pre, answer, current)
            except SharedStateError as exc:  # before the write's attempt line (after it, refused there)
                reason = _unprovable(exc)
                self.audit.record(
                    tool=tool.name,
                    campaign_id=pre.campaign_id,
                    arguments=args.model_dump(mode="json", exclude_none=True),
                    decision="refused",
                    outcome=reason,
                )
                raise AuditedToolError(f"{reason}. Nothing was sent.") from None
            return named(out, workspace.name) if workspaces.several else out

        extra = {
            "pre": Annotated[Preflight, Resolve(checked)],
            "answer": Annotated[ElicitationResult[Confirm], Resolve(approval)],
        }
        return flat_signature(
            tool.args, body, extra=extra, returns=Annotated[CallToolResult, tool.output], name=tool.name
        )

    async def _counted(self, tool: WriteTool, workspace: Workspace, pre: Preflight) -> Preflight:
        """`pre` with the number of earlier runs of this exact action, and the user it is shown to,
        folded into its state."""
        runs = await self._runs.count(_action_key(tool, workspace, pre))
        user = signed_in(workspace.settings)
        who = () if user is None else (user.subject,)
        return dataclasses.replace(pre, state=fingerprint(None, pre.state, runs, *who))

    async def _decide_and_run(
        self,
        tool: WriteTool,
        workspace: Workspace,
        args: Args,
        pre: Preflight,
        answer: ElicitationResult[Confirm],
        preflight: Callable[[Args], Awaitable[Preflight]],
    ) -> CallToolResult:
        arguments = args.model_dump(mode="json", exclude_none=True)
        audit = functools.partial(
            self.audit.record, tool=tool.name, campaign_id=pre.campaign_id, arguments=arguments
        )

        def refuse(reason: str) -> AuditedToolError:
            audit(decision="refused", outcome=reason)
            return AuditedToolError(f"{reason}. Nothing was sent.")

        if pre.problem:
            raise refuse(pre.problem)
        data = answer.data if isinstance(answer, AcceptedElicitation) else None
        if isinstance(answer, CancelledElicitation):
            audit(decision="declined", outcome="cancelled by the user")
            return result(WriteResult(status="cancelled", summary=pre.summary, note="Nothing was sent."))
        if isinstance(answer, DeclinedElicitation) or (isinstance(data, Confirm) and not data.confirm):
            audit(decision="declined", outcome="declined by the user")
            return result(WriteResult(status="declined", summary=pre.summary, note="Nothing was sent."))
        decision: Decision
        if data is Route.AUTO:
            decision = "auto"
        elif data is Route.TOKEN:
            token = getattr(args, "confirmation_token", None)
            user = signed_in(workspace.settings)
            binding = Binding(
                tool.name, pre.campaign_id, pre.arguments, pre.state, user.subject if user else None
            )
            if not token:
                minted, expires = await self.tokens.issue(binding)
                audit(decision="pending", outcome="confirmation_required")
                return result(
                    WriteResult(
                        status="confirmation_required",
                        summary=pre.summary,
                        confirmation_token=minted,
                        expires_at=expires.isoformat(),
                        note="Show the summary to the user; call again with confirmation_token only if they agree.",
                    )
                )
            try:
                await self.tokens.spend(token, binding)
            except TokenError as exc:
                raise refuse(str(exc)) from None
            decision = "confirmed"
        elif isinstance(data, Confirm):
            decision = "confirmed"
        else:
            raise refuse("Unexpected confirmation outcome")
        key = _action_key(tool, workspace, pre)
        lock = f"{workspace.api.workspace_id}:{pre.campaign_id}" if pre.campaign_id else key
        async with self._locks.hold(lock) as lease:
            # the user may have taken minutes, and another call may have written meanwhile
            fresh = await preflight(args)
            if fresh.problem or fresh.state != pre.state:
                raise refuse(
                    fresh.problem
                    or "The campaign changed, or this action already ran, since the summary was made; "
                    "call again for a new summary"
                )
            lease.ensure()
            attempt = self.audit.attempt(
                tool=tool.name, campaign_id=pre.campaign_id, arguments=arguments, decision=decision
            )
            if attempt is None:  # every write is on record before its request leaves
                raise AuditedToolError(
                    f"The audit log (MOENGAGE_MCP_AUDIT_LOG, {self.audit.path}) cannot be written, so nothing is "
                    "sent: every write is on record before its request leaves. Free space or fix the file, then "
                    "call again"
                )
            try:
                await self._runs.increment(key)
                # a call repeating an action whose outcome stayed unknown (on any replica) sends under that
                # attempt's identity, so MoEngage recognises the repeat (a create's request_id) instead of
                # acting twice
                identity = await self._unsettled.take(key) or attempt
                lease.ensure()  # right before the write: a holder whose lease lapsed must not send
            except SharedStateError as exc:
                reason = _unprovable(exc)
                audit(decision=decision, outcome=f"refused: {reason}", attempt=attempt)
                raise AuditedToolError(f"{reason}. Nothing was sent.") from None
            pre = dataclasses.replace(pre, attempt_key=identity)
            try:
                return await self._execute(
                    tool, workspace, pre, decision, functools.partial(audit, attempt=attempt)
                )
            except AuditedToolError as exc:
                if isinstance(exc.__cause__, OutcomeUnknownError):
                    await self._keep_unsettled(key, identity)
                raise

    async def _keep_unsettled(self, key: str, identity: str) -> None:
        try:
            await self._unsettled.keep(key, identity)
        except SharedStateError:  # the error the caller sees already says the outcome is unknown
            logger.warning(
                "the identity of a write whose outcome is unknown could not be kept: a repeat "
                "may be sent as a new request"
            )

    async def _execute(
        self,
        tool: WriteTool,
        workspace: Workspace,
        pre: Preflight,
        decision: Decision,
        audit: Callable[..., Any],
    ) -> CallToolResult:
        try:
            with calling(URGENT):
                out = await tool.execute(workspace, pre)
        except MoEngageError as exc:
            observed = await _observed(tool, workspace, pre, exc)
            audit(decision=decision, outcome=f"failed: {exc}", request_id=exc.request_id)
            raise AuditedToolError(f"{tool.name} failed: {exc}. {observed}") from exc
        except BaseException:  # cancelled (client gone, timed out) or a bug: the request may have been sent
            audit(decision=decision, outcome="interrupted: the write may or may not have been carried out")
            raise
        outcome = f"{out.status}: {out.note or out.status_after or ''}".strip()
        if not audit(decision=decision, outcome=outcome, request_id=out.request_id):
            warning = "Warning: this write's audit line could not be written (see the server log)."
            out.note = f"{out.note} {warning}" if out.note else warning
        return result(out.model_copy(update={"summary": pre.summary}))


def _approval(
    checked: Callable[..., Awaitable[Preflight]], workspaces: Workspaces
) -> Callable[..., Awaitable[Any]]:
    """The resolver that decides how a pre-flighted call is approved: refused, auto, a token, or the user."""

    async def approval(ctx: Context, pre: Preflight) -> Elicit[Confirm] | Route:
        if pre.problem:
            return Route.REFUSE
        if workspaces.pick(pre.args).settings.write_mode is WriteMode.AUTO:
            return Route.AUTO
        if _can_elicit(ctx):
            return Elicit(f"{pre.summary}\nGo ahead? (confirmation ref {pre.state[:8]})", Confirm)
        return Route.TOKEN

    # real objects, not this module's postponed strings: the SDK reads them, and `checked` is local
    approval.__annotations__ = {
        "ctx": Context,
        "pre": Annotated[Preflight, Resolve(checked)],
        "return": Elicit[Confirm] | Route,
    }
    return approval


async def _observed(tool: WriteTool, workspace: Workspace, pre: Preflight, error: MoEngageError) -> str:
    """After a failed write, what the campaign looks like now (the write may or may not have applied)."""
    if not tool.reads_back:  # a test send leaves no trace on the campaign to read back
        if isinstance(error, OutcomeUnknownError):
            return "The test may or may not have gone out: ask the recipients before sending it again."
        return "Nothing was sent."
    if pre.campaign is None:  # a create
        if isinstance(error, OutcomeUnknownError):
            return (
                "The draft may or may not have been created. Call again with the same arguments: the repeat "
                "carries the same creation id, so MoEngage answers with the draft it made instead of a second one."
            )
        return "Nothing was created."
    try:
        now = await workspace.api.get_campaign(pre.campaign.id)
    except MoEngageError:
        return "The campaign's current status could not be read; check it with get_campaign."
    return f"The campaign's status now reads {text(now.status)} (it was {text(pre.campaign.status)})."


def _action_key(tool: WriteTool, workspace: Workspace, pre: Preflight) -> str:
    """One exact action: the workspace, the tool, its campaign and its arguments (not the campaign's state)."""
    return fingerprint(None, workspace.api.workspace_id, tool.name, pre.campaign_id, pre.arguments)


def _unprovable(exc: SharedStateError) -> str:
    """Why a write the shared state cannot prove runs once is refused (the message is fit for the user)."""
    return str(exc).rstrip(". ")
