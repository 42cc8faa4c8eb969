"""`create_campaign`, `update_campaign`, `duplicate_campaign`: guarded draft authoring.

Components are the V5 ones, validated against models of MoEngage's published schemas before any
request (the schemas are resources, `moengage://reference/{component}`, not inlined here). An
update is refused up front where the campaign's state forbids the component. What a person
approves is the request that is sent: the summary is built from it. A create derives its
`request_id` (MoEngage's creation idempotency key) from the attempt, so a repeat of a create whose
answer was lost lands on the draft already made.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any, Literal

from pydantic import Field

from ...api import models as m
from ...api.component_names import COMPONENT_NAMES, PushDeliveryType
from ...api.enums import Channel, Platform
from ...api.lifecycle import WRITABLE_CHANNELS
from ...settings import Toolset
from ..args import Text
from ..core.authoring import EditError, apply_edits, change_lines, draft_lines
from ..core.text import quoted, text
from ..policy.preflight import Preflight, describe, fingerprint
from ..policy.writes import CONFIRMATION, WriteArgs, WriteResult, read_back
from ..registry import WriteTool, write_annotations
from ..users import signed_in
from ..workspace import Workspace

ComponentName = Literal[COMPONENT_NAMES]  # type: ignore[valid-type]
Components = dict[ComponentName, dict[str, Any]]
REFERENCE = "Component schemas: resource moengage://reference/{component}."
AUTHOR_SETTING = "MOENGAGE_MCP_AUTHOR_EMAIL"


class CreateArgs(WriteArgs):
    channel: Literal[Channel.PUSH, Channel.EMAIL]
    delivery_type: PushDeliveryType
    name: Text
    platforms: list[Platform] | None = Field(None, description="PUSH.")
    components: Components | None = Field(None, description="Whole V5 components (EMAIL needs connector).")


class UpdateArgs(WriteArgs):
    campaign_id: m.CampaignId
    components: Components | None = Field(None, description="Whole components to replace.")
    set: dict[str, Any] | None = Field(
        None, description="Field edits: dotted path (from a component) -> value."
    )
    version_note: Text | None = None


class DuplicateArgs(WriteArgs):
    campaign_id: m.CampaignId = Field(description="The campaign to copy.")
    name: Text
    components: Components | None = Field(None, description="Components to replace in the copy.")
    set: dict[str, Any] | None = Field(None, description="Field edits in the copy, as in update_campaign.")


def _author(ws: Workspace) -> str | None:
    """The MoEngage user a draft names as its author: the signed-in user's email (OAuth), else the setting's."""
    user = signed_in(ws.settings)
    return user.email if user is not None and user.email else ws.settings.author_email


def _refused(args: WriteArgs, summary: str, problem: str, campaign: m.Campaign | None = None) -> Preflight:
    return Preflight(args, summary, fingerprint(campaign, problem), campaign, problem)


def _parse(kind: str, body: dict[str, Any]) -> tuple[Any, str | None]:
    """The request model for `body`, or the fields that are wrong (the models load on first use)."""
    from ...api.components import InvalidRequest, parse_create, parse_update

    try:
        return (parse_create if kind == "create" else parse_update)(body), None
    except InvalidRequest as exc:
        return None, "Invalid components: " + "; ".join(exc.problems[:20])


async def _creation(
    ws: Workspace, args: WriteArgs, what: str, body: dict[str, Any], source: m.Campaign | None
) -> Preflight:
    """The pre-flight of a new draft (`create_campaign`, `duplicate_campaign`)."""
    lines = [what, f"Created by: {quoted(body['created_by'])}."]
    request, problem = _parse("create", body)
    components = {name: value for name, value in body.items() if name in COMPONENT_NAMES}
    lines += draft_lines(components)
    problem = problem or ws.api.creation_refusal()
    state = fingerprint(source, request.body() if request else body)
    return Preflight(args, "\n".join(lines), state, source, problem, request=request)


async def create_preflight(ws: Workspace, args: CreateArgs) -> Preflight:
    author = _author(ws)
    what = f"Create a new DRAFT: {args.channel.value}, {args.delivery_type} campaign {quoted(args.name)}."
    if author is None:
        return _refused(
            args, what, f"Draft tools need {AUTHOR_SETTING} (the MoEngage user sent as created_by)"
        )
    components = dict(args.components or {})
    basic = {**components.get("basic_details", {}), "name": args.name}
    if args.platforms:
        basic["platforms"] = [p.value for p in args.platforms]
    body = {
        "channel": args.channel.value,
        "campaign_delivery_type": args.delivery_type,
        "created_by": author,
        **components,
        "basic_details": basic,
    }
    return await _creation(ws, args, what, body, None)


async def duplicate_preflight(ws: Workspace, args: DuplicateArgs) -> Preflight:
    source = await ws.api.get_campaign(args.campaign_id)
    what = f"Create a new DRAFT {quoted(args.name)}, a copy of {describe(source)}."
    author = _author(ws)
    if author is None:
        return _refused(
            args, what, f"Draft tools need {AUTHOR_SETTING} (the MoEngage user sent as created_by)", source
        )
    if source.channel not in WRITABLE_CHANNELS:
        return _refused(
            args,
            what,
            f"Only PUSH and EMAIL campaigns can be copied; this one is {text(source.channel)}",
            source,
        )
    from ...api.components import draft_components

    copied = draft_components(source)
    try:
        components = apply_edits(
            copied, {**copied, **(args.components or {})}, args.set or {}, COMPONENT_NAMES
        )
    except EditError as exc:
        return _refused(args, what, str(exc), source)
    components["basic_details"] = {**components.get("basic_details", {}), "name": args.name}
    body = {
        "channel": text(source.channel),
        "campaign_delivery_type": text(source.campaign_delivery_type),
        "created_by": author,
        **components,
    }
    return await _creation(ws, args, what, body, source)


async def create_execute(ws: Workspace, pre: Preflight) -> WriteResult:
    assert pre.attempt_key is not None
    request = pre.request.model_copy(
        update={"request_id": str(uuid.uuid5(uuid.NAMESPACE_URL, pre.attempt_key))}
    )
    created, reply = await ws.api.create_campaign(request)
    return WriteResult(
        status="done",
        campaign_id=created.id,
        status_after=text(created.status) or "DRAFT",
        request_id=reply.request_id,
        note="A new draft: preview, qa_campaign and validate_campaign it before publish_campaign.",
    )


async def update_preflight(ws: Workspace, args: UpdateArgs) -> Preflight:
    campaign = await ws.api.get_campaign(args.campaign_id)
    what = f"Update {describe(campaign)}, status {text(campaign.status)}."
    author = _author(ws)
    if author is None:
        return _refused(
            args, what, f"Draft tools need {AUTHOR_SETTING} (the MoEngage user sent as updated_by)", campaign
        )
    if not (args.components or args.set):
        return _refused(args, what, "Give components or set: there is nothing to update", campaign)
    from ...api.components import draft_components

    current = draft_components(campaign)  # the request form, so a diff shows only real changes
    try:
        components = apply_edits(current, dict(args.components or {}), args.set or {}, COMPONENT_NAMES)
    except EditError as exc:
        return _refused(args, what, str(exc), campaign)
    body = {
        "channel": text(campaign.channel),
        "campaign_delivery_type": text(campaign.campaign_delivery_type),
        "updated_by": author,
        "version_note": args.version_note,
        **components,
    }
    request, problem = _parse("update", {k: v for k, v in body.items() if v is not None})
    if request is not None and problem is None:
        from ...api.editability import update_problems

        if refusals := update_problems(campaign, request):
            problem = f"The campaign's state forbids this update: {'; '.join(refusals)}"
    lines = [
        what,
        f"Updated by: {quoted(author)}.",
        "Changes (before -> after):",
        *change_lines(current, components),
    ]
    if campaign.status is not m.Status.DRAFT:
        lines.append(
            f"The campaign is {text(campaign.status)}: the change applies to what it sends from now on "
            "(MoEngage makes a new version where the workspace has versioning on)."
        )
    state = fingerprint(campaign, request.body() if request else body)
    return Preflight(args, "\n".join(lines), state, campaign, problem, campaign.status, request)


async def update_execute(ws: Workspace, pre: Preflight) -> WriteResult:
    assert pre.campaign is not None
    accepted, reply = await ws.api.update_campaign(pre.campaign.id, pre.request)
    if accepted.id and accepted.id != pre.campaign.id:  # a new version of a live campaign
        version = dataclasses.replace(pre, campaign=pre.campaign.model_copy(update={"id": accepted.id}))
        done = await read_back(ws.api, version, reply.request_id, "update")
        note = f"MoEngage made version {accepted.id} of the campaign; the earlier one is retired."
        return done.model_copy(update={"note": " ".join(filter(None, (done.note, note)))})
    return await read_back(ws.api, pre, reply.request_id, "update")


def _tool(
    name: str,
    title: str,
    summary: str,
    description: str,
    args: type[WriteArgs],
    preflight: Any,
    execute: Any,
    *,
    destructive: bool,
    idempotent: bool,
) -> WriteTool:
    return WriteTool(
        name=name,
        title=title,
        summary=summary,
        description=f"{description} {REFERENCE}{CONFIRMATION}",
        toolset=Toolset.DRAFT,
        args=args,
        output=WriteResult,
        annotations=write_annotations(destructive=destructive, idempotent=idempotent),
        preflight=preflight,
        execute=execute,
    )


TOOLS = (
    _tool(
        "create_campaign",
        "Create campaign draft",
        "Create a PUSH or EMAIL draft from a name, delivery type and any components, after your confirmation.",
        "Create a PUSH or EMAIL DRAFT: name, delivery type, platforms and any V5 components. Nothing is sent "
        "to users; then preview, qa_campaign, validate_campaign, publish_campaign.",
        CreateArgs,
        create_preflight,
        create_execute,
        destructive=False,
        idempotent=False,
    ),
    _tool(
        "update_campaign",
        "Update campaign",
        "Change components of a campaign (whole components or single fields), refused where its state forbids it.",
        "Replace whole components or set single fields (as qa_campaign's fixes give them) of a campaign; "
        "refused up front where its status forbids that component.",
        UpdateArgs,
        update_preflight,
        update_execute,
        destructive=True,
        idempotent=True,
    ),
    _tool(
        "duplicate_campaign",
        "Duplicate campaign",
        "Copy a PUSH or EMAIL campaign into a new draft with a new name and optional changes, after your confirmation.",
        "Copy a PUSH or EMAIL campaign's components into a new DRAFT with a new name, optionally replacing "
        "components or setting fields.",
        DuplicateArgs,
        duplicate_preflight,
        create_execute,
        destructive=False,
        idempotent=False,
    ),
)
