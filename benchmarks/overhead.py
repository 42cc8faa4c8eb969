"""Per-call overhead: `get_campaign` through an MCP stdio session vs the same GET made directly.

The server runs as a subprocess (`benchmarks/unpaced.py`: the CLI with its client-side pacing
widened, so no call waits for the rate limiter) against a loopback simulator whose rate limits
are off. Each round times one tools/call and one direct httpx GET of the same campaign from
the same simulator, alternately; the overhead of a round is the difference. The MCP side is
driven by a minimal JSON-RPC client (benchmarks/stdio.py) so the figure is the server's cost
plus the pipe, not a client library's; `--sdk` also times the Python SDK's own client.

    python -m benchmarks.overhead [--calls 300] [--sdk]
"""

from __future__ import annotations

import argparse
import time
import uuid
from dataclasses import dataclass, field

import httpx

from moengage_mcp.simulator import DEMO_API_KEY, DEMO_CAMPAIGN_IDS, DEMO_WORKSPACE_ID, Simulator
from moengage_mcp.simulator.serving import serve_in_thread as serve

from .harness import FLOOR, ROOT, UNPACED, Row, audit_dir, base_env, median, ms, percentile, server_env
from .stdio import StdioServer

TARGET_MS = 3.0
CAMPAIGN = DEMO_CAMPAIGN_IDS["active_one_time_push"]


@dataclass
class Overhead:
    mcp: list[float] = field(default_factory=list)
    direct: list[float] = field(default_factory=list)
    sdk: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    """Round trips of the floor server's no-op tool: what the SDK's stdio session costs by itself."""

    @property
    def diffs(self) -> list[float]:
        return [a - b for a, b in zip(self.mcp, self.direct, strict=False)]


def direct_get(http: httpx.Client, campaign_id: str) -> None:
    """The request our client sends for get_campaign, made with plain httpx (JSON parsed, as ours does)."""
    response = http.get(
        f"/v5/campaigns/{campaign_id}",
        headers={"X-MOE-Tenant-ID": DEMO_WORKSPACE_ID, "X-MOE-Request-Id": str(uuid.uuid4())},
    )
    response.raise_for_status()
    response.json()


def measure(calls: int = 300, warmup: int = 30, sdk: bool = False) -> Overhead:
    sim = Simulator(rate_limits=False)
    out = Overhead()
    arguments = {"campaign_id": CAMPAIGN}
    with serve(sim.app) as url, audit_dir() as tmp:
        env = server_env(url, tmp)
        with (
            StdioServer(UNPACED, env, cwd=ROOT) as server,
            httpx.Client(
                base_url=url, auth=(DEMO_WORKSPACE_ID, DEMO_API_KEY), headers={"Accept": "application/json"}
            ) as http,
        ):
            server.initialize()
            for _ in range(warmup):
                assert not server.call_tool("get_campaign", arguments).get("isError")
                direct_get(http, CAMPAIGN)
            for _ in range(calls):
                started = time.perf_counter()
                got = server.call_tool("get_campaign", arguments)
                middle = time.perf_counter()
                direct_get(http, CAMPAIGN)
                ended = time.perf_counter()
                assert not got.get("isError"), got
                out.mcp.append(middle - started)
                out.direct.append(ended - middle)
        with StdioServer(FLOOR, base_env(), cwd=ROOT) as floor:
            floor.initialize()
            for i in range(warmup + calls):
                started = time.perf_counter()
                floor.call_tool("ping", {"text": "x"})
                if i >= warmup:
                    out.floor.append(time.perf_counter() - started)
        if sdk:
            import anyio

            out.sdk = anyio.run(_sdk_calls, env, calls, warmup)
    return out


async def _sdk_calls(env: dict[str, str], calls: int, warmup: int) -> list[float]:
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(command=UNPACED[0], args=list(UNPACED[1:]), env=env, cwd=str(ROOT))
    times: list[float] = []
    async with Client(params) as client:
        for i in range(warmup + calls):
            started = time.perf_counter()
            res = await client.call_tool("get_campaign", {"campaign_id": CAMPAIGN})
            if i >= warmup:
                times.append(time.perf_counter() - started)
            assert not res.is_error
    return times


def rows(result: Overhead) -> list[Row]:
    diffs = result.diffs
    out = [
        Row(
            f"per-call overhead, get_campaign over stdio vs direct httpx GET: median ({len(diffs)} calls)",
            ms(median(diffs)),
            f"{ms(median(result.direct))} direct; {ms(median(result.mcp))} via MCP; "
            f"{ms(median(result.floor))} floor no-op tool",
            "",
            f"<= {TARGET_MS:g} ms",
            median(diffs) * 1000 <= TARGET_MS,
        ),
        Row("per-call overhead: p95", ms(percentile(diffs, 95)), "", "", "", None),
    ]
    if result.sdk:
        extra = [s - d for s, d in zip(result.sdk, result.direct, strict=False)]
        out.append(
            Row(
                "per-call overhead incl. the Python SDK client (mcp.Client): median / p95",
                f"{ms(median(extra))} / {ms(percentile(extra, 95))}",
                "",
                "",
                "",
                None,
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--sdk", action="store_true")
    args = parser.parse_args()
    result = measure(args.calls, sdk=args.sdk)
    for row in rows(result):
        print(" | ".join(row.cells()))


if __name__ == "__main__":
    main()
