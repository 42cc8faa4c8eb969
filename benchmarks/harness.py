"""Shared plumbing of the side-by-side benchmarks: processes, loopback servers, statistics, result rows."""

from __future__ import annotations

import os
import socket
import statistics
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

OURS = (PY, "-m", "moengage_mcp")
"""Our server exactly as `moengage-mcp` runs it."""
UNPACED = (PY, "-m", "benchmarks.unpaced")
"""Our server with its client-side rate limiter widened (see benchmarks/unpaced.py)."""
FLOOR = (PY, str(ROOT / "benchmarks" / "floor_server.py"))
"""A one-tool MCPServer from the same mcp version."""

DEAD_URL = "http://127.0.0.1:9"
"""An API base URL nothing listens on (the discard port): start-up never calls the API."""


def base_env() -> dict[str, str]:
    """This environment without any MOENGAGE_* setting (so a developer's own settings never leak in)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("MOENGAGE_")}


def server_env(base_url: str, audit_dir: str, **extra: str) -> dict[str, str]:
    """Environment for our server talking to `base_url` with the simulator's credentials."""
    from moengage_mcp.simulator import DEMO_API_KEY, DEMO_WORKSPACE_ID

    return base_env() | {
        "MOENGAGE_WORKSPACE_ID": DEMO_WORKSPACE_ID,
        "MOENGAGE_API_KEY": DEMO_API_KEY,
        "MOENGAGE_BASE_URL": base_url,
        "MOENGAGE_MCP_AUDIT_LOG": str(Path(audit_dir) / "audit.jsonl"),
        "PYTHONPATH": str(ROOT),
        **extra,
    }


@contextmanager
def audit_dir() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="moengage-bench-") as tmp:
        yield tmp


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    """Resident set size of a process, from /proc."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0..100), linear between closest ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Row:
    """One line of the results table."""

    measure: str
    ours: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""

    def cells(self) -> list[str]:
        met = "" if self.met is None else ("yes" if self.met else "**no**")
        if self.met is False and self.note:
            met += f" ({self.note})"
        return [self.measure, self.ours, self.baseline, self.ratio, self.target, met]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def mib(kib: float) -> str:
    return f"{kib / 1024:.1f} MiB"


def env_with(env: Mapping[str, str], **extra: str) -> dict[str, str]:
    return {**env, **extra}
