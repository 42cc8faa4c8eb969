"""Start-up: spawn -> `tools/list` answered over stdio, ours beside the one-tool floor server.

Each run spawns a fresh process, does the initialize handshake a host does, asks for
tools/list and stops the clock at the answer. Runs alternate between the two servers so drift
on the machine affects both alike; the first run of each is a discarded warm-up (bytecode
caches, page cache).

    python -m benchmarks.startup [--runs 15]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

from .harness import DEAD_URL, FLOOR, OURS, ROOT, Row, audit_dir, base_env, median, ms, server_env
from .stdio import StdioServer

TARGET = 1.15


@dataclass
class Startup:
    ours: list[float]
    floor: list[float]
    tools: int

    @property
    def ratio(self) -> float:
        return median(self.ours) / median(self.floor)


def time_to_tools(argv: tuple[str, ...], env: dict[str, str]) -> tuple[float, int]:
    with StdioServer(argv, env, cwd=ROOT) as server:
        server.initialize()
        tools = server.list_tools()
        elapsed = time.perf_counter() - server.spawned_at
    return elapsed, len(tools)


def measure(runs: int = 15) -> Startup:
    with audit_dir() as tmp:
        ours_env = server_env(DEAD_URL, tmp)
        floor_env = base_env()
        time_to_tools(OURS, ours_env)
        time_to_tools(FLOOR, floor_env)
        ours: list[float] = []
        floor: list[float] = []
        tools = 0
        for _ in range(runs):
            elapsed, tools = time_to_tools(OURS, ours_env)
            ours.append(elapsed)
            floor.append(time_to_tools(FLOOR, floor_env)[0])
    return Startup(ours, floor, tools)


def rows(result: Startup) -> list[Row]:
    return [
        Row(
            f"start-up: spawn -> tools/list over stdio ({result.tools} tools; median of {len(result.ours)})",
            ms(median(result.ours)),
            ms(median(result.floor)) + " (floor)",
            f"{result.ratio:.2f}x",
            f"<= {TARGET}x floor",
            result.ratio <= TARGET,
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    result = measure(args.runs)
    print(f"ours  median {ms(median(result.ours))}  runs {[round(t * 1000) for t in result.ours]}")
    print(f"floor median {ms(median(result.floor))}  runs {[round(t * 1000) for t in result.floor]}")
    print(f"ratio {result.ratio:.3f} (target <= {TARGET})")


if __name__ == "__main__":
    main()
