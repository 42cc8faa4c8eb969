"""`campaign_report`: the whole picture of a workspace (or a filtered part) in one answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import anyio
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
from ..results import dump, result
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


async def report_span(wss: Sequence[Workspace], args: ReportArgs, ctx: Context) -> CallToolResult:
    """One report over several workspaces, advanced at once (each on its own API budget): the text has a
    section per workspace; the structured content adds them up, each row naming its workspace."""
    jobs = await _advanced(wss[0], wss, args)
    outs = {name: job.report() for name, job in jobs.items()}
    lines: list[str] = []
    if resume := _kept(wss[0], args, jobs):
        pending = "; ".join(f"{name}: {job.pending()}" for name, job in jobs.items() if not job.done)
        lines = [
            f"**Partial report** ({pending}): call again with resume to finish; nothing is fetched twice.",
            "",
        ]
    for name, out in outs.items():
        lines += [f"## Workspace {name}", "", markdown(out, jobs[name].query), ""]
    combined = _combined(outs) | ({"partial": True, "pending": pending, "resume": resume} if resume else {})
    return result(combined, body="\n".join(lines).rstrip())


async def _advanced(home: Workspace, wss: Sequence[Workspace], args: ReportArgs) -> dict[str, ReportJob]:
    """The report's job per workspace, new or (with `resume`) taken from `home`, advanced at once."""
    if args.resume:
        jobs: dict[str, ReportJob] = home.jobs.take(args.resume, _key(args))
    else:
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        jobs = {ws.name: ReportJob(args.query(now.date()), now) for ws in wss}
    async with anyio.create_task_group() as tg:
        for ws in wss:
            tg.start_soon(jobs[ws.name].advance, ws.api, lambda said: progress().update(said))
    return jobs


def _kept(home: Workspace, args: ReportArgs, jobs: dict[str, ReportJob]) -> str | None:
    """The resume handle of jobs not done yet, kept in `home`; None when all are done."""
    return None if all(job.done for job in jobs.values()) else home.jobs.keep(_key(args), jobs)


def _key(args: ReportArgs) -> str:
    return arguments_key(args)


_ADDED = ("total", "scheduled_more", "periodic_checked", "problems_more", "runs_capped")
_COUNTED = ("total", "periodic_checked")
_TAGGED = ("counts", "scheduled_next", "periodic_problems", "executions_unavailable")


def _combined(outs: dict[str, ReportOut]) -> dict[str, Any]:
    """The reports of several workspaces as one: counts added, rows tagged with their workspace (what
    goes out next in start order), performers by workspace."""
    each = {name: dump(out) for name, out in outs.items()}
    added = {key: sum(d.get(key) or 0 for d in each.values()) for key in _ADDED}
    combined: dict[str, Any] = {key: n for key, n in added.items() if n or key in _COUNTED}
    combined["truncated"] = any(d.get("truncated") for d in each.values())
    for key in _TAGGED:
        combined[key] = [{**row, "workspace": name} for name, d in each.items() for row in d.get(key) or []]
    combined["scheduled_next"].sort(key=lambda row: row.get("start") or "")
    if performers := {name: d["performers"] for name, d in each.items() if d.get("performers")}:
        combined["performers_by_workspace"] = performers
    return combined


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
    span=report_span,
)
async def campaign_report(ws: Workspace, args: ReportArgs, ctx: Context) -> CallToolResult:
    jobs = await _advanced(ws, [ws], args)
    out = jobs[ws.name].report()
    if resume := _kept(ws, args, jobs):
        out.partial, out.pending, out.resume = True, jobs[ws.name].pending(), resume
    return result(out, body=markdown(out, jobs[ws.name].query))


TOOLS = (campaign_report,)
