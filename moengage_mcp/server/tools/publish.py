"""`publish_campaign`: a valid draft goes live or waits for its start."""

from __future__ import annotations

import datetime as dt

from ...api.lifecycle import publish_problem, publish_target
from ...settings import Toolset
from ..core.text import minute, text
from ..policy.preflight import Preflight, describe, fingerprint, reach_line
from ..policy.writes import CONFIRMATION, CampaignWriteArgs, WriteResult, read_back
from ..registry import WriteTool, write_annotations
from ..results import data_block
from ..workspace import Workspace


async def preflight(ws: Workspace, args: CampaignWriteArgs) -> Preflight:
    campaign = await ws.api.get_campaign(args.campaign_id)
    problem = publish_problem(campaign)
    if problem is None:
        checked = await ws.api.validate_campaign(campaign.id)
        if not checked.valid:
            issues = "; ".join(f"{e.field}: {e.issue}" for e in checked.errors[:10])
            problem = (
                f"The draft fails publish-time validation ({data_block(issues)}). Fix it and validate again"
            )
    target = publish_target(campaign, dt.datetime.now(dt.timezone.utc))
    lines = [f"Publish {describe(campaign)}.", f"Status: {text(campaign.status)} -> {target.value}."]
    if problem is None:
        start = minute(campaign.start_time)
        lines.append(f"Validation passed. Starts: {start + ' UTC' if start else 'as soon as published'}.")
        if reach := await reach_line(ws.api, campaign):
            lines.append(reach)
    return Preflight(args, "\n".join(lines), fingerprint(campaign), campaign, problem, target)


async def execute(ws: Workspace, pre: Preflight) -> WriteResult:
    assert pre.campaign is not None
    _, reply = await ws.api.publish_campaign(pre.campaign.id)
    return await read_back(ws.api, pre, reply.request_id, "PUBLISH")


TOOLS = (
    WriteTool(
        name="publish_campaign",
        title="Publish campaign",
        summary="Publish a valid draft push or email campaign, after your confirmation.",
        description="Publish a DRAFT push or email campaign after publish-time validation passes; it goes live "
        "(ACTIVE) or waits for its start (SCHEDULED)." + CONFIRMATION,
        toolset=Toolset.SEND,
        args=CampaignWriteArgs,
        output=WriteResult,
        annotations=write_annotations(destructive=True, idempotent=True),
        preflight=preflight,
        execute=execute,
    ),
)
