"""Memory: resident set size (VmRSS from /proc) of the server process after start-up and after
1,000 tool calls, beside the one-tool floor server after the same number of calls of its tool.

Ours runs as `benchmarks/unpaced.py` (the CLI with client-side pacing widened, so 1,000 calls
take seconds rather than the ten minutes MoEngage's 100/min limits would impose) against a
loopback simulator with its limits off. The calls cycle through every read tool and a write
tool in confirm mode (a confirmation token each time). Growth is RSS after 1,000 calls minus
RSS after 500: a leak grows it with every call, noise does not.

    python -m benchmarks.memory [--calls 1000]
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass

from moengage_mcp.simulator import DEMO_CAMPAIGN_IDS, DEMO_USERS, Simulator
from moengage_mcp.simulator.serving import serve_in_thread as serve

from .harness import FLOOR, ROOT, UNPACED, Row, audit_dir, base_env, mib, server_env
from .stdio import StdioServer

TARGET = 1.2
GROWTH_LIMIT_KIB = 1024
"""Growth between call 500 and call 1,000 we still call noise (allocator arenas, caches warming)."""


@dataclass
class Memory:
    calls: int
    ours: tuple[int, int, int]
    """RSS in KiB after start-up, after calls/2 calls, after `calls` calls."""
    floor: tuple[int, int, int]

    @property
    def startup_ratio(self) -> float:
        return self.ours[0] / self.floor[0]

    @property
    def loaded_ratio(self) -> float:
        return self.ours[2] / self.floor[2]

    @property
    def growth(self) -> int:
        return self.ours[2] - self.ours[1]


def mixed_calls(sim: Simulator) -> itertools.cycle:
    ids = [cid for cid, d in sim.campaigns.items() if not d.get("parent_id")]
    draft = DEMO_CAMPAIGN_IDS["valid_push_draft"]
    user = next(iter(DEMO_USERS))
    calls = [
        *[("get_campaign", {"campaign_id": cid}) for cid in ids[:8]],
        ("get_campaign", {"campaign_id": DEMO_CAMPAIGN_IDS["largest_email"]}),
        ("search_campaigns", {"max_results": 30}),
        ("search_campaigns", {"channels": ["EMAIL"], "statuses": ["SENT"]}),
        ("get_meta", {"statuses": ["SCHEDULED"]}),
        (
            "list_executions",
            {"campaign_id": DEMO_CAMPAIGN_IDS["periodic_most_executions"], "max_results": 30},
        ),
        ("validate_campaign", {"campaign_id": draft}),
        ("personalized_preview", {"campaign_id": draft, "user_id": user}),
        ("pause_campaign", {"campaign_id": DEMO_CAMPAIGN_IDS["periodic_most_executions"]}),
        ("get_campaign", {"campaign_id": "0" * 24}),  # a 404: the error path too
    ]
    return itertools.cycle(calls)


def _run(server: StdioServer, calls: int, next_call) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    server.initialize()
    server.list_tools()
    at_start = server.rss_kib()
    half = 0
    for i in range(1, calls + 1):
        name, arguments = next_call()
        server.call_tool(name, arguments)
        if i == calls // 2:
            half = server.rss_kib()
    return at_start, half, server.rss_kib()


def measure(calls: int = 1000) -> Memory:
    with StdioServer(FLOOR, base_env(), cwd=ROOT) as floor:
        floor_rss = _run(floor, calls, lambda: ("ping", {"text": "x"}))
    sim = Simulator(rate_limits=False)
    with serve(sim.app) as url, audit_dir() as tmp:
        with StdioServer(UNPACED, server_env(url, tmp), cwd=ROOT) as ours:
            cycle = mixed_calls(sim)
            ours_rss = _run(ours, calls, lambda: next(cycle))
    return Memory(calls, ours_rss, floor_rss)


def rows(m: Memory) -> list[Row]:
    return [
        Row(
            "memory: RSS after start-up (tools/list answered)",
            mib(m.ours[0]),
            mib(m.floor[0]) + " (floor)",
            f"{m.startup_ratio:.2f}x",
            f"<= {TARGET}x floor",
            m.startup_ratio <= TARGET,
        ),
        Row(
            f"memory: RSS after {m.calls} calls (mixed tools; floor: its no-op tool)",
            mib(m.ours[2]),
            mib(m.floor[2]) + " (floor)",
            f"{m.loaded_ratio:.2f}x",
            f"<= {TARGET}x floor",
            m.loaded_ratio <= TARGET,
        ),
        Row(
            f"memory: growth from call {m.calls // 2} to call {m.calls}",
            f"{m.growth / 1024:+.2f} MiB",
            f"{(m.floor[2] - m.floor[1]) / 1024:+.2f} MiB (floor)",
            "",
            f"<= {GROWTH_LIMIT_KIB // 1024} MiB (noise)",
            m.growth <= GROWTH_LIMIT_KIB,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    result = measure(args.calls)
    print(f"ours  KiB start {result.ours[0]}  half {result.ours[1]}  end {result.ours[2]}")
    print(f"floor KiB start {result.floor[0]}  half {result.floor[1]}  end {result.floor[2]}")
    for row in rows(result):
        print(" | ".join(row.cells()))


if __name__ == "__main__":
    main()
