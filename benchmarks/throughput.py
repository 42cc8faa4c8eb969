"""Throughput at the API's limit: how close to MoEngage's documented 10 requests/s per endpoint
family the server gets without ever earning a 429.

The real `moengage-mcp` (its client-side limiter as shipped) runs over stdio against a loopback
simulator that enforces the documented limits. Two bursts through one MCP session:

  * 60 concurrent get_campaign calls (60 GET /v5/campaigns/{id});
  * one search_campaigns asking for 200 results (14 pages of POST /v5/campaigns/search).

Rates come from the simulator's recorded arrival times. "raw" is N / (t_last - t_first): the
limit admits a burst of 10 at once, so raw can exceed 10/s. "sustained" leaves that first burst
out: (N - 10) / (t_last - t_first). For the 14-page search, whose last four pages the limit
holds back a full second, the fraction of the limit is the limit's own schedule over the
achieved span: floor((N - 1) / 10) s / (t_last - t_first).

    python -m benchmarks.throughput
"""

from __future__ import annotations

import argparse
import copy
import re
import time
from dataclasses import dataclass

import anyio

from moengage_mcp.simulator import Simulator
from moengage_mcp.simulator.serving import serve_in_thread as serve

from .harness import OURS, ROOT, Row, audit_dir, server_env

LIMIT = 10.0
TARGET = 0.9


@dataclass
class Burst:
    label: str
    arrivals: list[float]
    throttled: int
    errors: int
    wall: float

    @property
    def n(self) -> int:
        return len(self.arrivals)

    @property
    def span(self) -> float:
        return self.arrivals[-1] - self.arrivals[0] if self.n > 1 else 0.0

    @property
    def raw_rate(self) -> float:
        return self.n / self.span if self.span else float("inf")

    @property
    def sustained_rate(self) -> float:
        return (self.n - LIMIT) / self.span if self.span and self.n > LIMIT else float("nan")

    @property
    def fraction(self) -> float:
        """The limit's minimum span for these N requests over the span achieved."""
        if self.n <= LIMIT or not self.span:
            return 1.0
        return ((self.n - 1) // int(LIMIT)) / self.span


def enlarge(sim: Simulator, at_least: int) -> None:
    """Top the workspace up with copies of sent campaigns until a search can return `at_least` rows."""
    top = [d for d in sim.campaigns.values() if not d.get("parent_id") and d["status"] not in ("ARCHIVED",)]
    sent = [d for d in top if d["status"] == "SENT"]
    for i in range(max(0, at_least - len(top))):
        doc = copy.deepcopy(sent[i % len(sent)])
        for key in ("id", "campaign_id"):
            doc.pop(key, None)
        doc["name"] = f"{doc.get('name', 'campaign')} (copy {i})"
        sim.add_campaign(doc)


def _burst(
    sim: Simulator, label: str, method: str, pattern: str, started: float, wall: float, errors: int
) -> Burst:
    rx = re.compile(pattern)
    hits = [r for r in sim.requests if r.method == method and rx.search(r.path) and r.time >= started]
    ok = sorted(r.time for r in hits if r.status != 429)
    return Burst(label, ok, sum(r.status == 429 for r in hits), errors, wall)


async def _run(env: dict[str, str], sim: Simulator, gets: int, results: int) -> list[Burst]:
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(command=OURS[0], args=list(OURS[1:]), env=env, cwd=str(ROOT))
    ids = [cid for cid, d in sim.campaigns.items() if not d.get("parent_id")][:gets]
    bursts = []
    async with Client(params) as client:
        await client.list_tools()
        errors = 0

        async def one(cid: str) -> None:
            nonlocal errors
            res = await client.call_tool("get_campaign", {"campaign_id": cid})
            errors += bool(res.is_error)

        started = time.monotonic()
        async with anyio.create_task_group() as tg:
            for cid in ids:
                tg.start_soon(one, cid)
        wall = time.monotonic() - started
        bursts.append(
            _burst(
                sim,
                f"{len(ids)} concurrent get_campaign",
                "GET",
                r"^/v5/campaigns/[0-9a-f]{24}$",
                started,
                wall,
                errors,
            )
        )

        await anyio.sleep(1.1)  # let the per-second window drain (the search family is separate anyway)
        started = time.monotonic()
        res = await client.call_tool("search_campaigns", {"max_results": results})
        wall = time.monotonic() - started
        said = res.structured_content or {} if not res.is_error else {}
        got = len(said.get("campaigns", []))
        cut = said.get("cut") == "size"  # fewer rows, said so: the result would not fit a model's context
        label = f"search_campaigns, {got} results" + (" (cut by size, with next_offset)" if cut else "")
        bursts.append(
            _burst(
                sim,
                label,
                "POST",
                r"^/v5/campaigns/search$",
                started,
                wall,
                int(res.is_error or (got < results and not cut)),
            )
        )
    return bursts


def measure(gets: int = 60, results: int = 200) -> list[Burst]:
    sim = Simulator()
    enlarge(sim, results + 30)  # a margin for campaigns the default search leaves out (flow nodes)
    with serve(sim.app) as url, audit_dir() as tmp:
        return anyio.run(_run, server_env(url, tmp), sim, gets, results)


def rows(bursts: list[Burst]) -> list[Row]:
    out = []
    for b in bursts:
        sustained = f"; sustained {b.sustained_rate:.2f}/s" if b.n > 2 * LIMIT else ""
        met = b.fraction >= TARGET and b.throttled == 0 and b.errors == 0
        out.append(
            Row(
                f"throughput at the limit: {b.label} ({b.n} requests, {b.throttled} x 429, {b.errors} errors)",
                f"raw {b.raw_rate:.2f}/s{sustained}; span {b.span:.2f} s",
                f"{LIMIT:g}/s documented",
                f"{b.fraction:.2f} of the limit",
                f">= {TARGET} of the limit, no 429",
                met,
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--gets", type=int, default=60)
    parser.add_argument("--results", type=int, default=200)
    args = parser.parse_args()
    for row in rows(measure(args.gets, args.results)):
        print(" | ".join(row.cells()))


if __name__ == "__main__":
    main()
