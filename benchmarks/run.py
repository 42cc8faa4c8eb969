"""Every benchmark, side by side, in one run: start-up, per-call overhead, throughput at the API's
limit, memory, tokens, load and large workspaces. Writes the results table to benchmarks/RESULTS.md.

    python -m benchmarks.run                 # full run (a few minutes), writes benchmarks/RESULTS.md
    python -m benchmarks.run --smoke         # every benchmark with tiny counts, for CI; writes nothing
    python -m benchmarks.run --only startup,memory

--smoke checks that every benchmark still runs; it asserts nothing about timing and exits
non-zero only when a benchmark itself breaks. Token figures need the `[bench]` extra; the
comparison with MoEngage's server creates .tools/moengage-mcp-server on the first full run.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from . import large, load, memory, overhead, startup, throughput, tokens_side
from .harness import ROOT, Row

RESULTS = ROOT / "benchmarks" / "RESULTS.md"


def benchmarks(smoke: bool) -> dict[str, Callable[[], list[Row]]]:
    if smoke:
        return {
            "startup": lambda: startup.rows(startup.measure(runs=2)),
            "overhead": lambda: overhead.rows(overhead.measure(calls=20, warmup=5)),
            "throughput": lambda: throughput.rows(throughput.measure(gets=15, results=30)),
            "memory": lambda: memory.rows(memory.measure(calls=40)),
            "tokens": lambda: tokens_side.rows(tokens_side.measure(create_venv=False)),
            "load": lambda: load.rows(load.measure(calls=60, sessions=5)),
            "large": lambda: large.rows(large.measure(sizes=(60,))),
        }
    return {
        "startup": lambda: startup.rows(startup.measure(runs=15)),
        "overhead": lambda: overhead.rows(overhead.measure(calls=300, sdk=True)),
        "throughput": lambda: throughput.rows(throughput.measure()),
        "memory": lambda: memory.rows(memory.measure(calls=1000)),
        "tokens": lambda: tokens_side.rows(tokens_side.measure()),
        "load": lambda: load.rows(load.measure(calls=500, sessions=20)),
        "large": lambda: large.rows(large.measure()),
    }


def machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("mcp", "pydantic", "httpx"))
    return f"{os.cpu_count()} CPUs ({cpu or platform.machine()}), {platform.system()} {platform.release()}, Python {platform.python_version()}, {versions}"


def table(rows: list[Row]) -> str:
    head = ["measure", "ours", "baseline / floor", "ratio", "target", "met?"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = [c.replace("|", "\\|") for c in row.cells()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


NOTES = """\
How each figure is made (`python -m benchmarks.<name> --help` for the details of each):

- **start-up** (`benchmarks/startup.py`): a fresh process per run, spawn to the answer of
  tools/list after the initialize handshake, over stdio; median of the runs, alternating with the
  floor, a one-tool `MCPServer` from the same `mcp` (`benchmarks/floor_server.py`). Ours starts as
  `python -m moengage_mcp` with credentials set and an API base URL nothing listens on (start-up
  makes no request). Ours pauses cyclic GC during start-up (`moengage_mcp/cli.py`); the floor, as a
  plain `MCPServer` script, does not.
- **per-call overhead** (`benchmarks/overhead.py`): `get_campaign` through an MCP stdio session
  minus the same GET made directly with httpx, against one loopback simulator with its rate limits
  off, in alternating rounds; the MCP side is a minimal JSON-RPC client, so the figure is the
  server plus the pipe. The server runs as `benchmarks/unpaced.py` (the same CLI with the
  client-side limiter widened: at MoEngage's 100/min a sequential benchmark would measure the
  pacing). The line with the SDK client adds what `mcp.Client` itself costs.
- **throughput** (`benchmarks/throughput.py`): the real CLI over stdio, a simulator enforcing the
  documented limits; rates from the simulator's arrival times. raw = N / span; sustained leaves
  out the first burst of 10: (N - 10) / span; the fraction is the limit's own minimum span for N
  requests, floor((N - 1) / 10) s, over the span achieved.
- **memory** (`benchmarks/memory.py`): VmRSS from /proc after tools/list, after 500 and after
  1,000 calls cycling through every read tool, a confirm-mode write and a 404 (the floor: 1,000
  calls of its tool).
- **tokens** (`benchmarks/tokens_side.py`, `benchmarks/tokens.py`): each tools/list entry as
  compact JSON through the public Claude tokenizer (`anthropic-tokenizer`), ours and MoEngage's
  `moengage-mcp-server` 0.1.2 (in its own venv under `.tools/`, `mcp<2`, dummy credentials, no
  network); results are the text block the model reads, on the demo workspace.
- **load** (`benchmarks/load.py`): `moengage-mcp --transport streamable-http` as a subprocess,
  20 `mcp.Client` sessions sharing 500 calls over six endpoint families, simulator enforcing the
  documented limits.

- **large workspaces** (`benchmarks/large.py`, `benchmarks/plan.py`, `benchmarks/virtual.py`):
  generated workspaces of 500, 2,000 and 5,000 campaigns (`Simulator(workspace_size=n)`, ~10%
  periodic or business-event parents with 20-200 runs each), rate limits on and the client's real
  limits, everything in one process on a trio loop whose clock jumps whenever all tasks wait
  (virtual seconds; 50 ms of latency per request; CPU time is not counted). A call handing back a
  `resume` handle is continued until done, each call counted. Requests are compared with the
  fewest the scenario truly needs (computed from the simulator's store), wall time with the least
  the documented per-family limits allow for those (the floor); silences are the longest stretch
  of a call without a progress notification; RSS includes the simulator.

Reliability checks that are tests rather than benchmarks: `tests/test_fuzz.py` (hostile input,
schema-driven property-based fuzzing of every tool) and `tests/test_faults.py` (API faults through
the tools).
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true", help="tiny counts, for CI; writes no file")
    parser.add_argument(
        "--only", help="comma list of: startup, overhead, throughput, memory, tokens, load, large"
    )
    parser.add_argument(
        "--output",
        type=Path,
        help=f"where to write the table (default {RESULTS.relative_to(ROOT)}; none with --smoke)",
    )
    args = parser.parse_args(argv)
    chosen = benchmarks(args.smoke)
    if args.only:
        wanted = [name.strip() for name in args.only.split(",")]
        unknown = sorted(set(wanted) - set(chosen))
        if unknown:
            parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
        chosen = {name: chosen[name] for name in wanted}
    rows: list[Row] = []
    broken: list[str] = []
    started = time.monotonic()
    for name, run in chosen.items():
        print(f"== {name}", file=sys.stderr, flush=True)
        t0 = time.monotonic()
        try:
            got = run()
        except Exception:
            traceback.print_exc()
            broken.append(name)
            rows.append(Row(f"{name}: did not run", "error"))
            continue
        rows.extend(got)
        print(f"   {time.monotonic() - t0:.1f} s", file=sys.stderr, flush=True)
    command = (
        "python -m benchmarks.run"
        + (" --smoke" if args.smoke else "")
        + (f" --only {args.only}" if args.only else "")
    )
    report = (
        f"# Benchmarks\n\nMeasured side by side in one run of `{command}` on "
        f"{dt.date.today().isoformat()}, {time.monotonic() - started:.0f} s.\n\nMachine: {machine()}.\n\n"
        f"{table(rows)}\n\n{NOTES}"
    )
    print(report)
    output = args.output or (None if args.smoke else RESULTS)
    if output is not None and not broken:
        output.write_text(report)
        print(f"wrote {output}", file=sys.stderr)
    if broken:
        print(f"broken: {', '.join(broken)}", file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
