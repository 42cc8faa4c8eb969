"""Guarded writes: publish, pause, resume, stop and test sends under the confirmation policy.

Every call runs pre-flight reads first and refuses what the rules forbid. Then, in `confirm` mode,
a client that can elicit asks its user (one boolean field, the summary as message); any other
client gets a `confirmation_required` result with a single-use token bound to this exact call.
`auto` mode skips the question. One write request follows, retried only with its idempotency
key, and the campaign is read back so the reported status is the one actually reached.

What is approved is a state: the campaign as pre-flight saw it and how many times this exact action
has run. Its fingerprint is in the question (a 2026-07-28 client's recorded answer only counts for
the same question, so a replayed or stale answer asks again) and in the token; and under a lock per
campaign the state is read once more right before the write, so a concurrent or repeated call
cannot slip a second write, or a forbidden one, past its approval.

(No `from __future__ import annotations` here: the SDK reads the resolver annotations, which name
closures, at registration time.)
"""

import dataclasses
import datetime as dt
import functools
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Annotated, Any, Literal, Optional, Union

import anyio
from mcp.server.mcpserver import (
    AcceptedElicitation,
    CancelledElicitation,
    Context,
    DeclinedElicitation,
    Elicit,
    ElicitationResult,
    MCPServer,
    Resolve,
)
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, Field, StrictBool, StringConstraints, model_validator

from ..api import MalformedResponseError, MoEngageClient, MoEngageError, ServerError, TransportError
from ..api import models as m
from ..api.enums import Action, Channel, Platform, TestIdentifier
from ..settings import Settings, Toolset, WriteMode
from .audit import AuditLog, Decision
from .preflight import Preflight, fingerprint, lifecycle_preflight, publish_preflight, test_preflight, test_request
from .results import result
from .schemas import Args, text
from .tokens import Binding, ConfirmationTokens, TokenError
from .toolargs import flat_args

CONFIRMATION = (
    " Asks the user to confirm. If the result has status confirmation_required, show its summary to the user "
    "and call again with the same arguments plus confirmation_token only after they agree."
)


_OUTCOME_UNKNOWN = (ServerError, TransportError, MalformedResponseError)
"""Failures after which a request may have been carried out (the answer, not the request, was lost)."""


class AuditedToolError(ToolError):
    """A tool error whose audit line is already written."""


class Confirm(BaseModel):
    confirm: StrictBool = Field(description="Yes: go ahead. No: cancel; nothing is sent.")


class Route(str, Enum):
    """What the approval resolver decided when it did not ask the user."""

    AUTO = "auto"
    TOKEN = "token"
    REFUSE = "refuse"


Token = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class CampaignWriteArgs(Args):
    campaign_id: m.CampaignId
    confirmation_token: Optional[Token] = Field(None, description="From a confirmation_required result.")


class TestSendArgs(Args):
    campaign_id: Optional[m.CampaignId] = Field(None, description="A saved campaign (drafts use draft mode)...")
    channel: Optional[Literal[Channel.PUSH, Channel.EMAIL]] = Field(None, description="...or inline content:")
    campaign_content: Optional[dict[str, Any]] = None
    basic_details: Optional[dict[str, Any]] = Field(None, description="Inline EMAIL needs it and connector.")
    connector: Optional[dict[str, Any]] = None
    identifier: TestIdentifier = Field(description="How recipients are identified.")
    recipients: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]] = Field(
        min_length=1, max_length=m.TEST_MAX_RECIPIENTS
    )
    platform: Optional[Platform] = None
    locale_name: Optional[str] = Field(None, max_length=64)
    variation: Optional[str] = Field(None, max_length=64)
    confirmation_token: Optional[Token] = Field(None, description="From a confirmation_required result.")

    @model_validator(mode="after")
    def _one_source(self) -> "TestSendArgs":
        if (self.campaign_id is None) == (self.campaign_content is None):
            raise ValueError("give campaign_id or campaign_content with channel (exactly one)")
        if self.campaign_content is not None and self.channel is None:
            raise ValueError("inline campaign_content needs channel")
        return self


class TestSendOut(BaseModel):
    status: str
    failure_reason: Optional[str] = None


class WriteResult(BaseModel):
    status: Literal["done", "accepted", "partial", "failed", "confirmation_required", "declined", "cancelled"]
    summary: Optional[str] = None
    confirmation_token: Optional[str] = None
    expires_at: Optional[str] = None
    campaign_id: Optional[str] = None
    status_before: Optional[str] = None
    status_after: Optional[str] = None
    request_id: Optional[str] = None
    sends: Optional[dict[str, TestSendOut]] = None
    note: Optional[str] = None


def _can_elicit(ctx: Context) -> bool:
    """Form elicitation declared (a bare `elicitation: {}` predates modes and means form)."""
    caps = ctx.client_capabilities
    elicitation = caps.elicitation if caps is not None else None
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


def _annotations(destructive: bool, idempotent: bool) -> ToolAnnotations:
    return ToolAnnotations(
        read_only_hint=False, destructive_hint=destructive, idempotent_hint=idempotent, open_world_hint=True
    )


class WriteGuard:
    """Registers the write tools and applies the confirmation policy to each call."""

    def __init__(self, api: MoEngageClient, settings: Settings, audit: AuditLog, tokens: ConfirmationTokens) -> None:
        self.api = api
        self.settings = settings
        self.audit = audit
        self.tokens = tokens
        self._runs: Counter[str] = Counter()
        """How many times each exact action (tool, campaign, arguments) has been carried out."""
        self._locks: defaultdict[str, anyio.Lock] = defaultdict(anyio.Lock)

    def register(self, server: MCPServer) -> None:
        if self.settings.write_mode is WriteMode.OFF:
            return
        if Toolset.LIFECYCLE in self.settings.toolsets:
            self._lifecycle_tools(server)
        if Toolset.SEND in self.settings.toolsets:
            self._send_tools(server)

    def _lifecycle_tools(self, server: MCPServer) -> None:
        texts = {
            Action.PAUSE: ("Pause a running PERIODIC or EVENT_TRIGGERED campaign; resume_campaign undoes it.", False),
            Action.RESUME: ("Resume a PAUSED PERIODIC or EVENT_TRIGGERED campaign.", False),
            Action.STOP: ("Stop a ONE_TIME campaign for good (scheduled, active, sending or paused).", True),
        }
        for action, (description, destructive) in texts.items():
            name = f"{action.value.lower()}_campaign"

            async def preflight(args: CampaignWriteArgs, name: str = name, action: Action = action) -> Preflight:
                return await lifecycle_preflight(self.api, name, action, _arguments(args))

            self._add(
                server,
                name,
                f"{action.value.title()} campaign",
                description + CONFIRMATION,
                _annotations(destructive, idempotent=True),
                CampaignWriteArgs,
                preflight,
                functools.partial(self._change_status, action),
            )

    def _send_tools(self, server: MCPServer) -> None:
        async def publish(args: CampaignWriteArgs) -> Preflight:
            now = dt.datetime.now(dt.timezone.utc)
            return await publish_preflight(self.api, "publish_campaign", _arguments(args), now)

        async def test(args: TestSendArgs) -> Preflight:
            return await test_preflight(self.api, "test_campaign", _arguments(args), self.settings.test_recipients)

        self._add(
            server,
            "publish_campaign",
            "Publish campaign",
            "Publish a DRAFT push or email campaign after publish-time validation passes; it goes live "
            "(ACTIVE) or waits for its start (SCHEDULED)." + CONFIRMATION,
            _annotations(destructive=True, idempotent=True),
            CampaignWriteArgs,
            publish,
            self._publish,
        )
        self._add(
            server,
            "test_campaign",
            "Test-send campaign",
            "Send a test of a saved campaign (campaign_id) or of inline content to 1-10 test recipients; "
            "the campaign itself is not changed." + CONFIRMATION,
            _annotations(destructive=False, idempotent=False),
            TestSendArgs,
            test,
            self._test_send,
        )

    def _add(
        self,
        server: MCPServer,
        name: str,
        title: str,
        description: str,
        annotations: ToolAnnotations,
        model: type[Args],
        preflight: Callable[[Any], Awaitable[Preflight]],
        execute: Callable[[Preflight], Awaitable[WriteResult]],
    ) -> None:
        async def current(args: Any) -> Preflight:
            return self._counted(await preflight(args))

        @flat_args(model)
        async def checked(args: model, ctx: Context) -> Preflight:  # type: ignore[valid-type]
            return await current(args)

        async def approval(ctx: Context, pre: Annotated[Preflight, Resolve(checked)]) -> Union[Elicit[Confirm], Route]:
            if pre.problem:
                return Route.REFUSE
            if self.settings.write_mode is WriteMode.AUTO:
                return Route.AUTO
            if _can_elicit(ctx):
                return Elicit(f"{pre.summary}\nGo ahead? (confirmation ref {pre.state[:8]})", Confirm)
            return Route.TOKEN

        @flat_args(model)
        async def tool(
            args: model,  # type: ignore[valid-type]
            pre: Annotated[Preflight, Resolve(checked)],
            answer: Annotated[ElicitationResult[Confirm], Resolve(approval)],
        ) -> Annotated[CallToolResult, WriteResult]:
            return await self._decide_and_run(args, pre, answer, current, execute)

        server.add_tool(tool, name=name, title=title, description=description, annotations=annotations)

    def _counted(self, pre: Preflight) -> Preflight:
        """`pre` with the number of earlier runs of this exact action folded into its state."""
        return dataclasses.replace(pre, state=fingerprint(None, pre.state, self._runs[_action_key(pre)]))

    async def _decide_and_run(
        self,
        args: Args,
        pre: Preflight,
        answer: ElicitationResult[Confirm],
        preflight: Callable[[Any], Awaitable[Preflight]],
        execute: Callable[[Preflight], Awaitable[WriteResult]],
    ) -> CallToolResult:
        audit = functools.partial(
            self.audit.record, tool=pre.tool, campaign_id=pre.campaign_id, arguments=args.model_dump(mode="json", exclude_none=True)
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
            binding = Binding(pre.tool, pre.campaign_id, pre.arguments, pre.state)
            if not token:
                minted, expires = self.tokens.mint(binding)
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
                self.tokens.redeem(token, binding)
            except TokenError as exc:
                raise refuse(str(exc)) from None
            decision = "confirmed"
        elif isinstance(data, Confirm):
            decision = "confirmed"
        else:
            raise refuse("Unexpected confirmation outcome")
        key = _action_key(pre)
        async with self._locks[pre.campaign_id or key]:
            # the user may have taken minutes, and another call may have written meanwhile
            fresh = await preflight(args)
            if fresh.problem or fresh.state != pre.state:
                raise refuse(
                    fresh.problem
                    or "The campaign changed, or this action already ran, since the summary was made; "
                    "call again for a new summary"
                )
            if why := self.audit.check():
                raise refuse(f"The audit log (MOENGAGE_MCP_AUDIT_LOG) cannot be written ({why}), so nothing is sent")
            self._runs[key] += 1
            return await self._execute(pre, decision, audit, execute)

    async def _execute(
        self,
        pre: Preflight,
        decision: Decision,
        audit: Callable[..., Any],
        execute: Callable[[Preflight], Awaitable[WriteResult]],
    ) -> CallToolResult:
        try:
            out = await execute(pre)
        except MoEngageError as exc:
            observed = await self._observed(pre, exc)
            audit(decision=decision, outcome=f"failed: {exc}", request_id=exc.request_id)
            raise AuditedToolError(f"{pre.tool} failed: {exc}. {observed}") from None
        except BaseException:  # cancelled (client gone, timed out) or a bug: the request may have been sent
            audit(decision=decision, outcome="interrupted: the write may or may not have been carried out")
            raise
        written = audit(decision=decision, outcome=f"{out.status}: {out.note or out.status_after or ''}".strip(), request_id=out.request_id)
        if not written:
            warning = "Warning: this write's audit line could not be written (see the server log)."
            out.note = f"{out.note} {warning}" if out.note else warning
        return result(out.model_copy(update={"summary": pre.summary}))

    async def _observed(self, pre: Preflight, error: MoEngageError) -> str:
        """After a failed write, what the campaign looks like now (the write may or may not have applied)."""
        if pre.tool == "test_campaign":  # a test send leaves no trace on the campaign to read back
            if isinstance(error, _OUTCOME_UNKNOWN):
                return "The test may or may not have gone out: ask the recipients before sending it again."
            return "Nothing was sent."
        if pre.campaign is None:
            return "Nothing is known to have been sent."
        try:
            now = await self.api.get_campaign(pre.campaign.id)
        except MoEngageError:
            return "The campaign's current status could not be read; check it with get_campaign."
        return f"The campaign's status now reads {text(now.status)} (it was {text(pre.campaign.status)})."

    async def _read_back(self, pre: Preflight, request_id: str, verb: str) -> WriteResult:
        assert pre.campaign is not None
        try:
            after = (await self.api.get_campaign(pre.campaign.id)).status
        except MoEngageError as exc:  # the write was accepted: a failed read-back must not report it as failed
            return WriteResult(
                status="accepted",
                campaign_id=pre.campaign.id,
                status_before=text(pre.campaign.status),
                request_id=request_id,
                note=f"MoEngage accepted the {verb}, but reading the campaign back failed ({exc}); "
                "check its status with get_campaign before doing anything else.",
            )
        reached = after == pre.expected
        return WriteResult(
            status="done" if reached else "accepted",
            campaign_id=pre.campaign.id,
            status_before=text(pre.campaign.status),
            status_after=text(after),
            request_id=request_id,
            note=None
            if reached
            else f"MoEngage accepted the {verb} but the campaign reads {text(after)}, not {text(pre.expected)}; "
            "check again shortly with get_campaign.",
        )

    async def _change_status(self, action: Action, pre: Preflight) -> WriteResult:
        assert pre.campaign is not None
        _, reply = await self.api.change_status(pre.campaign.id, action)
        return await self._read_back(pre, reply.request_id, action.value)

    async def _publish(self, pre: Preflight) -> WriteResult:
        assert pre.campaign is not None
        _, reply = await self.api.publish_campaign(pre.campaign.id)
        return await self._read_back(pre, reply.request_id, "PUBLISH")

    async def _test_send(self, pre: Preflight) -> WriteResult:
        sent, reply = await self.api.test_campaign(test_request(pre))
        sends = {k: TestSendOut(status=text(v.status) or "UNKNOWN", failure_reason=v.failure_reason) for k, v in sent.data.items()}
        failed = [k for k, v in sends.items() if v.status != "SENT"]
        status = "accepted" if not sends else "failed" if len(failed) == len(sends) else "partial" if failed else "done"
        if not sends:
            note = "MoEngage accepted the test but reported no per-recipient result; check the test devices."
        else:
            note = f"{len(failed)} of {len(sends)} test sends failed." if failed else (sent.message or None)
        return WriteResult(status=status, campaign_id=pre.campaign_id, request_id=reply.request_id, sends=sends, note=note)


def _action_key(pre: Preflight) -> str:
    """One exact action: the tool, its campaign and its arguments (not the campaign's state)."""
    return fingerprint(None, pre.tool, pre.campaign_id, pre.arguments)


def _arguments(args: Args) -> dict[str, Any]:
    """The call's arguments as JSON values, without the confirmation token (it is not part of what is confirmed)."""
    return args.model_dump(mode="json", exclude={"confirmation_token"}, exclude_none=True)
