"""`pause_campaign`, `resume_campaign`, `stop_campaign`: the documented lifecycle actions."""

from __future__ import annotations

from ...api.enums import Action
from ...api.lifecycle import TRANSITIONS, transition_problem
from ...settings import Toolset
from ..core.text import text
from ..policy.preflight import Preflight, describe, fingerprint, reach_line
from ..policy.writes import CONFIRMATION, CampaignWriteArgs, WriteResult, read_back
from ..registry import WriteTool, write_annotations
from ..workspace import Workspace


def lifecycle_tool(action: Action, summary: str, description: str, *, destructive: bool) -> WriteTool:
    """The tool that applies `action` through `PATCH /v5/campaigns/{id}/status`."""

    async def preflight(ws: Workspace, args: CampaignWriteArgs) -> Preflight:
        campaign = await ws.api.get_campaign(args.campaign_id)
        problem = transition_problem(campaign, action)
        target = TRANSITIONS[action].to_status
        lines = [
            f"{action.value.title()} {describe(campaign)}.",
            f"Status: {text(campaign.status)} -> {target.value}.",
        ]
        if not problem and (reach := await reach_line(ws.api, campaign)):
            lines.append(reach)
        if action is Action.STOP:
            lines.append("A stopped campaign cannot be resumed.")
        return Preflight(args, "\n".join(lines), fingerprint(campaign), campaign, problem, target)

    async def execute(ws: Workspace, pre: Preflight) -> WriteResult:
        assert pre.campaign is not None
        _, reply = await ws.api.change_status(pre.campaign.id, action)
        return await read_back(ws.api, pre, reply.request_id, action.value)

    return WriteTool(
        name=f"{action.value.lower()}_campaign",
        title=f"{action.value.title()} campaign",
        summary=summary,
        description=description + CONFIRMATION,
        toolset=Toolset.LIFECYCLE,
        args=CampaignWriteArgs,
        output=WriteResult,
        annotations=write_annotations(destructive=destructive, idempotent=True),
        preflight=preflight,
        execute=execute,
    )


TOOLS = (
    lifecycle_tool(
        Action.PAUSE,
        "Pause a running periodic or event-triggered campaign, after your confirmation.",
        "Pause a running PERIODIC or EVENT_TRIGGERED campaign; resume_campaign undoes it.",
        destructive=False,
    ),
    lifecycle_tool(
        Action.RESUME,
        "Resume a paused periodic or event-triggered campaign, after your confirmation.",
        "Resume a PAUSED PERIODIC or EVENT_TRIGGERED campaign.",
        destructive=False,
    ),
    lifecycle_tool(
        Action.STOP,
        "Stop a one-time campaign for good, after your confirmation.",
        "Stop a ONE_TIME campaign for good (scheduled, active, sending or paused).",
        destructive=True,
    ),
)
