"""`campaign_report`: the whole picture of a workspace (or a filtered part) in one answer."""

from __future__ import annotations

import datetime as dt

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult
from pydantic import Field

from ..args import Day, Text
from ..budget import progress
from ..core.report import Metric, ReportJob, ReportOut, ReportQuery, markdown
from ..filters import Filters
from ..jobs import arguments_key
from ..registry import read_tool
from ..results import result
from ..workspace import Workspace


class ReportArgs(Filters):
    next_days: int = Field(7, ge=1, le=90, description="Window for 'scheduled next'.")
    rank_by: Metric | None = Field(None, description="Also rank performers by this metric.")
    stats_from: Day | None = Field(None, description="Default: 30 days before stats_to.")
    stats_to: Day | None = Field(None, description="Default: today.")
    top: int = Field(3, ge=1, le=10)
    max_campaigns: int = Field(1000, ge=1, le=5000)
    resume: Text | None = Field(None, description="From a partial answer: continue it.")

    def query(self, today: dt.date) -> ReportQuery:
        """The report's query; the stats period defaults to the 30 days up to `today`."""
        end = self.stats_to or today
        start = self.stats_from or end - dt.timedelta(days=30)
        if start > end:
            raise ToolError(f"stats_from ({start}) must not be after stats_to ({end})")
        return ReportQuery(
            search=self.search_request(),
            max_campaigns=self.max_campaigns,
            next_days=self.next_days,
            start=start,
            end=end,
            rank_by=self.rank_by,
            top=self.top,
        )


@read_tool(
    title="Campaign report",
    summary="Workspace report: counts by status, channel and delivery type, what goes out next, failed periodic runs, top performers.",
    description=(
        "Report over every campaign matching the filters: counts by status x channel x delivery type, what "
        "is scheduled to start next with reach (not recurring runs of active campaigns), periodic campaigns "
        "with failed or stuck runs, optionally top and bottom performers (rank_by) among at most 100 "
        "campaigns that may have sent in the stats period (the text says if some were left out). The text "
        "is a markdown summary to show as is."
    ),
    args=ReportArgs,
    output=ReportOut,
)
async def campaign_report(ws: Workspace, args: ReportArgs, ctx: Context) -> CallToolResult:
    key = arguments_key("campaign_report", args.model_dump(mode="json"))
    if args.resume:
        job: ReportJob = ws.jobs.take(args.resume, key)
    else:
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        job = ReportJob(args.query(now.date()), now)
    await job.advance(ws.api, lambda said: progress().update(said))
    out = job.report()
    if not job.done:
        out.partial, out.pending, out.resume = True, job.pending(), ws.jobs.keep(key, job)
    return result(out, body=markdown(out, job.query))


TOOLS = (campaign_report,)
