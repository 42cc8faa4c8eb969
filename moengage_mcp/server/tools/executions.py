"""`list_executions`: the runs of a periodic or business-event-triggered campaign."""

from __future__ import annotations

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel

from ...api import models as m
from ..args import CampaignArg, Page
from ..core.text import minute, text
from ..listing import Continuation, page_of, walk
from ..registry import read_tool
from ..results import result
from ..workspace import Workspace


class ExecutionsArgs(CampaignArg, Page):
    pass


class ExecutionRow(BaseModel):
    campaign_id: str
    sent: str | None = None
    status: str | None = None


class ExecutionsResult(Continuation):
    total_instances: int | None = None
    executions: list[ExecutionRow]


@read_tool(
    title="List executions",
    summary="Runs of a periodic or business-event-triggered campaign with sent time, status and total_instances.",
    description=(
        "Runs (child campaigns) of a periodic or business-event-triggered campaign: sent time, status, "
        "total_instances. API order, not always newest first; campaign_report finds failed or stuck runs "
        "across campaigns."
    ),
    args=ExecutionsArgs,
    output=ExecutionsResult,
)
async def list_executions(ws: Workspace, args: ExecutionsArgs, ctx: Context) -> CallToolResult:
    async def fetch(page: int) -> tuple[list[m.Execution], int | None]:
        got = await ws.api.list_executions(args.campaign_id, m.ExecutionsRequest(page=page))
        return got.executions, got.total_instances

    got = await walk(fetch, args)
    rows = [
        ExecutionRow(campaign_id=e.campaign_id, sent=minute(e.sent_time), status=text(e.status))
        for e in got.items
    ]
    rows, more = page_of(args, got, rows)
    return result(ExecutionsResult(total_instances=got.total, executions=rows, **more))


TOOLS = (list_executions,)
