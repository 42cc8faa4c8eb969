"""Two `moengage-mcp --stateless` replicas behind a real nginx (round-robin), signing users in with
OAuth against a loopback issuer, sharing one Redis, all calling ONE simulator over loopback HTTP
that enforces the API's documented rate limits across both. Clients are real MCP clients."""

from __future__ import annotations

import time
from contextlib import AsyncExitStack

import anyio
import httpx
import pytest

from moengage_mcp.simulator import DEMO_API_KEY

from .stack import SECRET, Team, team, upstreams_used

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


async def get_campaigns(team: Team, token: str, ids: list[str], clients: int = 4) -> list:
    """Each id's `get_campaign` tool call, all at once, over `clients` MCP client connections."""
    results: list = []
    async with AsyncExitStack() as stack:
        sessions = [await stack.enter_async_context(team.client(token)) for _ in range(clients)]
        async with anyio.create_task_group() as tg:

            async def call(n: int, cid: str) -> None:
                results.append(await sessions[n % clients].call_tool("get_campaign", {"campaign_id": cid}))

            for n, cid in enumerate(ids):
                tg.start_soon(call, n, cid)
    return results


# ---------------------------------------------------------------------- signing in


async def test_sign_in_through_the_load_balancer(tmp_path, simulator, issuer, redis_server):
    with team(tmp_path, simulator, issuer, replicas=2, redis=redis_server, log_level="INFO") as running:
        await sign_in(running, issuer)


async def sign_in(team: Team, issuer) -> None:
    metadata_url = f"{team.public_url.removesuffix('/mcp')}/.well-known/oauth-protected-resource/mcp"
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    headers = {"Accept": "application/json, text/event-stream"}
    async with httpx.AsyncClient() as raw:
        refused = {"no token": await raw.post(f"{team.url}/mcp", json=ping, headers=headers)}
        for kind, token in issuer.bad_tokens(team.public_url).items():
            refused[kind] = await raw.post(
                f"{team.url}/mcp", json=ping, headers=headers | {"Authorization": f"Bearer {token}"}
            )
        metadata = await raw.get(metadata_url)
    for kind, answer in refused.items():
        assert answer.status_code == 401, kind
        assert f'resource_metadata="{metadata_url}"' in answer.headers["www-authenticate"], kind
    assert metadata.status_code == 200 and metadata.json()["authorization_servers"] == [issuer.url]

    token = issuer.token(team.public_url, scope="moengage:read moengage:lifecycle")
    async with team.client(token) as client:
        for _ in range(4):  # round-robin: both replicas answer
            tools = {t.name for t in (await client.list_tools()).tools}
            assert {"search_campaigns", "get_campaign"} <= tools
    used = upstreams_used(team.directory)
    assert len([u for u in used if u != "-"]) == 2, used
    print("sign-in refusals through nginx:", {kind: a.status_code for kind, a in refused.items()})

    secrets = [SECRET, DEMO_API_KEY, token, *issuer.bad_tokens(team.public_url).values()]
    for server in team.replicas:
        log = server.log.read_text()
        assert "token refused" in log  # round-robin: each replica refused some of them
        assert not [s for s in secrets if s in log], f"a secret is in {server.log.name}"


# ---------------------------------------------------------------------- one API budget


async def test_60_concurrent_reads_over_two_replicas_earn_no_429_and_run_near_the_limit(two_replicas, issuer):
    team = two_replicas
    token = issuer.token(team.public_url, scope="moengage:read")
    team.sim.clear()
    started = time.monotonic()
    results = await get_campaigns(team, token, list(team.sim.campaigns)[:60])
    elapsed = time.monotonic() - started
    assert len(results) == 60 and not [r for r in results if r.is_error]
    got = team.sim.statuses()
    rate = team.sim.sustained_rate()
    used = {u: n for u, n in upstreams_used(team.directory).items() if u != "-"}
    print(
        f"two replicas + Redis via nginx: {elapsed:.2f} s, {60 / elapsed:.2f} calls/s, {rate:.2f}/s sustained, "
        f"{got.count(429)} x 429, {used}"
    )
    assert got.count(429) == 0 and got.count(200) == 60
    # the target is 0.9 of the limit (9.0/s; measured 8.3-9.6/s, see the README); the floor here
    # leaves room for a loaded CI machine, and still fails a budget that serialised the replicas (5/s)
    assert rate >= 8.0, rate
    assert len(used) == 2 and min(used.values()) >= 20, used  # the calls really were split


async def test_without_redis_two_replicas_go_over_the_limit(tmp_path, simulator, issuer):
    """The figure the shared budget improves on: each replica keeps its own budget of 10/s."""
    sim = simulator
    with team(tmp_path, sim, issuer, replicas=2, redis=None) as running:
        token = issuer.token(running.public_url, scope="moengage:read")
        started = time.monotonic()
        results = await get_campaigns(running, token, list(sim.campaigns)[:60])
        elapsed = time.monotonic() - started
    got = sim.statuses()
    print(
        f"two replicas, no Redis, via nginx: {elapsed:.2f} s, {len(results) / elapsed:.2f} calls/s, "
        f"{got.count(429)} x 429 (retried), {len(results)} calls answered"
    )
    assert got.count(429) > 0


async def test_one_replica_alone(tmp_path, simulator, issuer):
    sim = simulator
    with team(tmp_path, sim, issuer, replicas=1, redis=None) as running:
        token = issuer.token(running.public_url, scope="moengage:read")
        started = time.monotonic()
        results = await get_campaigns(running, token, list(sim.campaigns)[:60])
        elapsed = time.monotonic() - started
    got = sim.statuses()
    rate = sim.sustained_rate()
    print(
        f"one replica: {elapsed:.2f} s, {60 / elapsed:.2f} calls/s, {rate:.2f}/s sustained, {got.count(429)} x 429"
    )
    assert not [r for r in results if r.is_error] and got.count(429) == 0 and rate >= 9.0


# ---------------------------------------------------------------------- Redis gone


async def test_redis_killed_mid_run_reads_continue(two_replicas, issuer, redis_server):
    team = two_replicas
    token = issuer.token(team.public_url, scope="moengage:read")
    results: list = []
    async with anyio.create_task_group() as tg:

        async def run() -> None:
            results.extend(await get_campaigns(team, token, list(team.sim.campaigns)[:40]))

        tg.start_soon(run)
        await anyio.sleep(1.5)
        redis_server.kill()
    assert len(results) == 40 and not [r for r in results if r.is_error]
    # after it: still answering, each replica on its local half budget
    more = await get_campaigns(team, token, list(team.sim.campaigns)[40:50], clients=2)
    assert not [r for r in more if r.is_error]
    logs = "".join(server.log.read_text() for server in team.replicas)
    assert "Redis unreachable; using the local fallback budget" in logs
    print(
        f"Redis killed mid-run: {len(results) + len(more)} reads answered, {team.sim.statuses().count(429)} x 429"
    )
