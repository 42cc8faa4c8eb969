"""Load: 500 mixed tool calls from 20 concurrent MCP sessions over streamable HTTP.

`moengage-mcp --transport streamable-http` runs as a subprocess (limiter as shipped) against a
loopback simulator enforcing MoEngage's documented limits: 10/s and 100/min per endpoint family,
10,000/min for previews. The mix is spread over six families so that no standard family needs
more than 100 requests in the run (each would otherwise wait for its minute window), which makes
it a ten-second run at the API's pace. Passes when no call fails, the API answered no 429, and
the server's RSS after the run stays within a bound of its RSS before it.

    python -m benchmarks.load [--calls 500 --sessions 20]
"""

from __future__ import annotations

import argparse
import itertools
import socket
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import anyio

from moengage_mcp.simulator import DEMO_CAMPAIGN_IDS, DEMO_USERS, Simulator
from moengage_mcp.simulator.serving import serve_in_thread as serve

from .harness import OURS, ROOT, Row, audit_dir, free_port, mib, rss_kib, server_env

GROWTH_LIMIT_MIB = 25
SHARES = {  # calls per 500; each standard family stays under 100 requests
    "get_campaign": 90,
    "search_campaigns": 80,
    "get_meta": 80,
    "list_executions": 80,
    "validate_campaign": 80,
    "personalized_preview": 90,
}


@dataclass
class Load:
    calls: int
    sessions: int
    wall: float = 0.0
    failures: list[str] = field(default_factory=list)
    throttled: int = 0
    api_requests: int = 0
    rss: dict[str, int] = field(default_factory=dict)
    by_tool: Counter = field(default_factory=Counter)

    @property
    def growth_kib(self) -> int:
        return self.rss["after"] - self.rss["before"]


def plan(sim: Simulator, calls: int) -> list[tuple[str, dict[str, Any]]]:
    ids = [cid for cid, d in sim.campaigns.items() if not d.get("parent_id")]
    draft = DEMO_CAMPAIGN_IDS["valid_push_draft"]
    content = sim.campaigns[draft]["campaign_content"]
    users = list(DEMO_USERS)
    makers = {
        "get_campaign": lambda i: {"campaign_id": ids[i % len(ids)]},
        "search_campaigns": lambda i: {"channels": [["PUSH"], ["EMAIL"], ["SMS"]][i % 3]},
        "get_meta": lambda i: {"statuses": ["SCHEDULED"]},
        "list_executions": lambda i: {"campaign_id": DEMO_CAMPAIGN_IDS["periodic_most_executions"]},
        "validate_campaign": lambda i: {
            "campaign_id": [draft, DEMO_CAMPAIGN_IDS["invalid_push_draft"]][i % 2]
        },
        "personalized_preview": lambda i: {
            "user_id": users[i % len(users)],
            "channel": "PUSH",
            "campaign_content": content,
        },
    }
    total = sum(SHARES.values())
    counts = {tool: max(1, round(share * calls / total)) for tool, share in SHARES.items()}
    pools = {tool: [(tool, makers[tool](i)) for i in range(n)] for tool, n in counts.items()}
    mixed = [call for group in itertools.zip_longest(*pools.values()) for call in group if call is not None]
    return mixed[:calls]


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the server did not start listening")


async def _drive(url: str, calls: list[tuple[str, dict[str, Any]]], sessions: int, result: Load) -> None:
    from mcp import Client

    shares = [calls[i::sessions] for i in range(sessions)]

    async def session(share: list[tuple[str, dict[str, Any]]]) -> None:
        async with Client(url) as client:
            for name, arguments in share:
                try:
                    res = await client.call_tool(name, arguments)
                except Exception as exc:  # a protocol or transport failure counts as a failure
                    result.failures.append(f"{name}: {type(exc).__name__}: {exc}")
                    continue
                result.by_tool[name] += 1
                if res.is_error:
                    result.failures.append(f"{name}: {res.content[0].text[:200]}")

    async with anyio.create_task_group() as tg:
        for share in shares:
            tg.start_soon(session, share)


async def _warm(url: str) -> None:
    from mcp import Client

    async with Client(url) as client:
        await client.list_tools()


def measure(calls: int = 500, sessions: int = 20) -> Load:
    sim = Simulator()
    result = Load(calls, sessions)
    work = plan(sim, calls)
    port = free_port()
    with serve(sim.app) as api_url, audit_dir() as tmp:
        argv = [*OURS, "--transport", "streamable-http", "--host", "127.0.0.1", "--port", str(port)]
        proc = subprocess.Popen(
            argv, env=server_env(api_url, tmp), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            _wait_for_port(port, proc)
            url = f"http://127.0.0.1:{port}/mcp"
            anyio.run(_warm, url)
            result.rss["before"] = rss_kib(proc.pid)
            started = time.monotonic()
            anyio.run(_drive, url, work, sessions, result)
            result.wall = time.monotonic() - started
            result.rss["after"] = rss_kib(proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
    result.throttled = sum(r.status == 429 for r in sim.requests)
    result.api_requests = len(sim.requests)
    return result


def rows(r: Load) -> list[Row]:
    ok = not r.failures and r.throttled == 0
    growth_mib = r.growth_kib / 1024
    return [
        Row(
            f"load: {r.calls} mixed calls, {r.sessions} concurrent sessions, streamable HTTP",
            f"{len(r.failures)} failed, {r.throttled} x 429; {r.calls / r.wall:.1f} calls/s over {r.wall:.1f} s "
            f"({r.api_requests} API requests)",
            "",
            "",
            "0 failures, 0 x 429",
            ok,
        ),
        Row(
            "load: server RSS before -> after the run",
            f"{mib(r.rss['before'])} -> {mib(r.rss['after'])} ({growth_mib:+.1f} MiB)",
            "",
            "",
            f"growth <= {GROWTH_LIMIT_MIB} MiB",
            growth_mib <= GROWTH_LIMIT_MIB,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--sessions", type=int, default=20)
    args = parser.parse_args()
    result = measure(args.calls, args.sessions)
    for row in rows(result):
        print(" | ".join(row.cells()))
    for failure in result.failures[:10]:
        print("  failure:", failure)
    print("  calls by tool:", dict(result.by_tool))


if __name__ == "__main__":
    main()
