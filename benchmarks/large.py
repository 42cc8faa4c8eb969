"""Large workspaces (issue 16): the budgets every tool keeps (SPEC "Budgets every tool keeps") on
generated workspaces of 500, 2,000 and 5,000 campaigns, in virtual time.

Each size is a `Simulator(workspace_size=n)` (`moengage_mcp/simulator/scaled.py`: ~10% periodic or
business-event parents with 20-200 runs each) enforcing the documented rate limits, reached by the
server through its real API client and limits, and the server by a real `mcp.Client` in memory,
all on one trio loop with a virtual clock and 50 ms per request (`benchmarks/virtual.py` says how,
and what that leaves out). Scenarios, each on a fresh server and MCP session after every rate-limit
window has drained:

- `campaign_report` with default arguments, and with `rank_by: "ctr"`;
- `search_campaigns` with `max_results: 500`;
- `get_meta` with 100 `campaign_ids` (spread evenly over the campaigns V1 meta lists);
- a QA flow on one push draft: search drafts -> get -> preview -> validate -> qa_campaign.

A call whose structured content carries a `resume` handle (a string) is continued with the same
arguments plus `{"resume": handle}` until one comes back without (`follow`); every such call
counts. Per scenario: the longest single call and the longest silence without a progress
notification (start to first, between two, last to end), in virtual seconds; the number of calls;
API requests made (429s apart) against the minimal plan, and virtual wall time against its floor
(`benchmarks/plan.py`); exact repeats (same method, path and body but for its request id); the
largest result in tokens (its text blocks, `count_tokens`); the process's peak RSS during the
scenario (VmHWM after a reset; it includes the simulator and its workspace).

    python -m benchmarks.large                 # 500, 2,000 and 5,000 campaigns
    python -m benchmarks.large --sizes 60      # what --smoke runs
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import anyio
from mcp import Client
from mcp.types import CallToolResult, TextContent

from moengage_mcp.simulator import DEMO_USERS, Simulator, routes, search

from . import plan
from .common import count_tokens, demo_session
from .harness import Row
from .virtual import LATENCY, run_virtual

SIZES = (500, 2000, 5000)
CALL_LIMIT = 50.0
PROGRESS_EVERY = 5.0
TOKEN_LIMIT = 20_000
WALL_RATIO = 1.15
REQUEST_RATIO = 1.2
DRAIN = 3600.0 + 1.0
"""Virtual seconds between scenarios: the longest documented window, so none starts in another's."""
QA_USER = next(iter(DEMO_USERS))


@dataclass
class Call:
    """One tools/call: when it started and ended and when progress came, in virtual seconds."""

    tool: str
    start: float
    end: float = 0.0
    progress: list[float] = field(default_factory=list)
    tokens: int = 0
    error: bool = False
    result: CallToolResult | None = field(default=None, repr=False)

    @property
    def silences(self) -> tuple[float, float, float]:
        """Seconds from the start to the first progress, the longest between two, from the last to the end
        (without progress: the whole call, 0, 0)."""
        if not self.progress:
            return self.end - self.start, 0.0, 0.0
        gaps = [b - a for a, b in itertools.pairwise(self.progress)]
        return self.progress[0] - self.start, max(gaps, default=0.0), self.end - self.progress[-1]

    @property
    def longest_silence(self) -> float:
        return max(self.silences)


@dataclass
class Measured:
    size: int
    scenario: str
    calls: list[Call]
    families: dict[str, int]
    """API requests answered (429s apart), per endpoint family."""
    throttled: int
    repeated: int
    wall: float
    real: float
    peak_rss_kib: int
    more: bool
    """The last result says more exists than it covers (`truncated` or `more`)."""
    plan: plan.Plan | None
    """None where no minimal plan is defined (the QA flow: its target is no repeat)."""
    targets_cost: bool
    """campaign_report: wall and requests are held to the floor and the plan."""

    @property
    def requests(self) -> int:
        return sum(self.families.values())

    @property
    def long_call(self) -> Call:
        return max(self.calls, key=lambda c: c.end - c.start)

    @property
    def longest_call(self) -> float:
        return self.long_call.end - self.long_call.start

    @property
    def silent_call(self) -> Call:
        return max(self.calls, key=lambda c: c.longest_silence)

    @property
    def longest_silence(self) -> float:
        return self.silent_call.longest_silence

    @property
    def tokens(self) -> int:
        return max(c.tokens for c in self.calls)

    @property
    def failures(self) -> list[str]:
        """Each budget this scenario misses."""
        missed = []
        missed += [f"{c.tool} failed" for c in self.calls if c.error]
        if self.throttled:
            missed.append(f"{self.throttled} x 429")
        if self.longest_call > CALL_LIMIT:
            missed.append(f"call > {CALL_LIMIT:g} s")
        if self.longest_silence > PROGRESS_EVERY:
            missed.append(f"silence > {PROGRESS_EVERY:g} s")
        if self.tokens > TOKEN_LIMIT:
            missed.append(f"result > {TOKEN_LIMIT:,} tokens")
        if self.repeated:
            missed.append("repeated requests")
        if self.targets_cost and self.plan is not None:
            if self.wall > WALL_RATIO * self.plan.floor:
                missed.append(f"wall > {WALL_RATIO}x floor")
            if self.requests > REQUEST_RATIO * self.plan.total:
                missed.append(f"requests > {REQUEST_RATIO}x plan")
        return missed


async def follow(client: Client, tool: str, args: dict[str, Any], calls: list[Call]) -> CallToolResult:
    """Call `tool`, and again with `resume` while the result hands one back; each call is recorded."""
    arguments = dict(args)
    while True:
        call = Call(tool, anyio.current_time())
        calls.append(call)

        async def progress(done: float, total: float | None, message: str | None, call: Call = call) -> None:
            call.progress.append(anyio.current_time())

        res = await client.call_tool(tool, arguments, progress_callback=progress)
        call.end, call.result = anyio.current_time(), res
        call.error = bool(res.is_error)
        call.tokens = count_tokens("".join(b.text for b in res.content if isinstance(b, TextContent)))
        handle = (res.structured_content or {}).get("resume")
        if res.is_error or not isinstance(handle, str):
            return res
        arguments = {**args, "resume": handle}


async def qa_flow(client: Client, sim: Simulator, calls: list[Call]) -> CallToolResult:
    """What a QA agent does with one draft: find it, read it, render it, validate it, QA it."""
    found = await follow(
        client, "search_campaigns", {"statuses": ["DRAFT"], "channels": ["PUSH"], "max_results": 15}, calls
    )
    draft = {"campaign_id": (found.structured_content or {})["campaigns"][0]["id"]}
    await follow(client, "get_campaign", draft, calls)
    await follow(client, "personalized_preview", {**draft, "user_id": QA_USER}, calls)
    await follow(client, "validate_campaign", draft, calls)
    return await follow(client, "qa_campaign", {**draft, "sample_user_ids": [QA_USER]}, calls)


def meta_ids(sim: Simulator, count: int = 100) -> list[str]:
    """`count` campaigns spread evenly over those V1 meta lists (so no short listing holds them all)."""
    listed = plan.listing(sim.campaigns, search.V1_META)
    step = max(1, len(listed) // count)
    return [doc["id"] for doc in listed[::step][:count]]


@dataclass(frozen=True)
class Scenario:
    name: str
    run: Callable[[Client, Simulator, list[Call]], Awaitable[CallToolResult]]
    plan: Callable[[Simulator, float], plan.Plan | None]
    """The minimal plan on this workspace, for a latency."""
    targets_cost: bool = False


def one_tool(
    tool: str, args: dict[str, Any]
) -> Callable[[Client, Simulator, list[Call]], Awaitable[CallToolResult]]:
    return lambda client, sim, calls: follow(client, tool, args, calls)


SCENARIOS = (
    Scenario(
        "campaign_report",
        one_tool("campaign_report", {}),
        lambda sim, latency: plan.report_plan(sim.campaigns, sim.executions, sim.now(), latency=latency),
        targets_cost=True,
    ),
    Scenario(
        "campaign_report rank_by=ctr",
        one_tool("campaign_report", {"rank_by": "ctr"}),
        lambda sim, latency: plan.report_plan(
            sim.campaigns, sim.executions, sim.now(), ranked=True, latency=latency
        ),
        targets_cost=True,
    ),
    Scenario(
        "search_campaigns max_results=500",
        one_tool("search_campaigns", {"max_results": 500}),
        lambda sim, latency: plan.search_plan(sim.campaigns, 500, latency),
    ),
    Scenario(
        "get_meta, 100 campaign_ids",
        lambda client, sim, calls: follow(client, "get_meta", {"campaign_ids": meta_ids(sim)}, calls),
        lambda sim, latency: plan.meta_plan(sim.campaigns, meta_ids(sim), latency),
    ),
    Scenario("QA flow on one draft", qa_flow, lambda sim, latency: None),
)


def repeats(sim: Simulator) -> int:
    """Requests that exactly repeat an earlier one: method, path and body but for its request id (a retry
    after a 429 is counted among the 429s instead)."""
    seen: set[tuple[str, str, str]] = set()
    repeated = 0
    for r in (r for r in sim.requests if r.status != 429):
        body = {k: v for k, v in r.body.items() if k != "request_id"} if isinstance(r.body, dict) else r.body
        key = (r.method, r.path, json.dumps(body, sort_keys=True))
        repeated += key in seen
        seen.add(key)
    return repeated


def reset_peak_rss() -> None:
    """Start VmHWM afresh (Linux: writing 5 to clear_refs); where that is refused, it stays the process's peak."""
    with suppress(OSError), open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def peak_rss_kib() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


@dataclass
class Size:
    """One workspace size: what was generated, how long that and the whole run took (real s), the scenarios."""

    campaigns: int
    runs: int
    """Runs of the parents, each a child campaign besides the `campaigns`."""
    build: float
    real: float
    scenarios: list[Measured]


async def _size(n: int, latency: float) -> Size:
    began = time.perf_counter()
    sim = Simulator(workspace_size=n, monotonic=anyio.current_time)
    build = time.perf_counter() - began
    out = []
    for scenario in SCENARIOS:
        await anyio.sleep(DRAIN)
        sim.requests.clear()
        minimal = scenario.plan(sim, latency)
        reset_peak_rss()
        calls: list[Call] = []
        real = time.perf_counter()
        async with demo_session(sim, latency=latency) as (client, _):
            started = anyio.current_time()
            last = await scenario.run(client, sim, calls)
            wall = anyio.current_time() - started
        said = last.structured_content or {}
        out.append(
            Measured(
                n,
                scenario.name,
                calls,
                families=dict(
                    Counter(routes.match(r.method, r.path)[0].family for r in sim.requests if r.status != 429)
                ),
                throttled=sum(r.status == 429 for r in sim.requests),
                repeated=repeats(sim),
                wall=wall,
                real=time.perf_counter() - real,
                peak_rss_kib=peak_rss_kib(),
                more=bool(said.get("truncated") or said.get("more")),
                plan=minimal,
                targets_cost=scenario.targets_cost,
            )
        )
    runs = sum(len(rows) for rows in sim.executions.values())
    return Size(n, runs, build, time.perf_counter() - began, out)


def measure(sizes: tuple[int, ...] = SIZES, latency: float = LATENCY) -> list[Size]:
    return [run_virtual(_size, n, latency) for n in sizes]


def _ratio(ours: float, floor: float) -> str:
    return f"{ours / floor:.2f}x" if floor else "n/a"


def rows(sizes: list[Size]) -> list[Row]:
    out = []
    for size in sizes:
        out.append(
            Row(
                f"large workspace, {size.campaigns:,} campaigns: generated workspace and run",
                f"{size.campaigns:,} campaigns + {size.runs:,} runs (child campaigns); built in {size.build:.1f} s, "
                f"all scenarios in {size.real:.1f} s real",
            )
        )
        out += [_row(m) for m in size.scenarios]
    return out


def _row(m: Measured) -> Row:
    first, between, tail = m.silent_call.silences
    ours = (
        f"{len(m.calls)} call(s), longest {m.longest_call:.1f} s ({m.long_call.tool}); longest silence "
        f"{m.longest_silence:.1f} s ({m.silent_call.tool}: start-first {first:.1f}, between {between:.1f}, "
        f"last-end {tail:.1f}); {m.requests} requests ({_families(m.families)}), "
        f"{m.repeated} repeated, {m.throttled} x 429; wall {m.wall:.1f} s; largest result {m.tokens:,} tokens"
        f"{' (says more exist)' if m.more else ''}; peak RSS {m.peak_rss_kib / 1024:.0f} MiB; {m.real:.1f} s real"
    )
    baseline = ratio = ""
    if m.plan is not None:
        baseline = f"plan {m.plan.total} requests ({_families(m.plan.requests)}); floor {m.plan.floor:.1f} s"
        ratio = f"requests {_ratio(m.requests, m.plan.total)}; wall {_ratio(m.wall, m.plan.floor)}"
    target = f"calls <= {CALL_LIMIT:g} s, progress every {PROGRESS_EVERY:g} s, <= {TOKEN_LIMIT:,} tokens"
    if m.targets_cost:
        target += f", wall <= {WALL_RATIO}x floor, requests <= {REQUEST_RATIO}x plan"
    if m.plan is None:
        target += ", no repeated request"
    missed = m.failures
    measure = f"large workspace, {m.size:,} campaigns: {m.scenario}"
    return Row(measure, ours, baseline, ratio, target, not missed, note="; ".join(missed))


def _families(requests: dict[str, int]) -> str:
    return ", ".join(f"{family} {k}" for family, k in requests.items() if k)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma list of workspace sizes")
    parser.add_argument("--latency", type=float, default=LATENCY, help="virtual seconds per API request")
    args = parser.parse_args()
    for row in rows(measure(tuple(int(s) for s in args.sizes.split(",")), args.latency)):
        print(" | ".join(row.cells()))


if __name__ == "__main__":
    main()
