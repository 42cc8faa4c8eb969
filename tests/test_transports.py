"""The server over its real transports: stdio subprocess, streamable HTTP and SSE on loopback, and the CLI."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import httpx
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from moengage_mcp.server import create_server
from moengage_mcp.simulator import DEMO_API_KEY, DEMO_CAMPAIGN_IDS, DEMO_WORKSPACE_ID, Simulator
from moengage_mcp.transports import TransportConfigError, http_app

from .conftest import make_client, serve, server_settings

pytestmark = pytest.mark.anyio

TOKEN = "t0ken-for-tests-0123456789"


def env_for(url: str, **extra: str) -> dict[str, str]:
    """A subprocess environment pointing the server at a loopback simulator."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MOENGAGE_")}
    return clean | {
        "MOENGAGE_WORKSPACE_ID": DEMO_WORKSPACE_ID,
        "MOENGAGE_API_KEY": DEMO_API_KEY,
        "MOENGAGE_BASE_URL": url,
        **extra,
    }


async def exercise_every_tool(client: Client, sim: Simulator | None = None) -> None:
    """Call each read tool, and one guarded write down to its confirmation token, over `client`."""
    tools = {t.name for t in (await client.list_tools()).tools}
    assert {"search_campaigns", "get_campaign", "pause_campaign", "test_campaign"} <= tools
    found = await client.call_tool("search_campaigns", {"max_results": 20})
    assert not found.is_error and len(found.structured_content["campaigns"]) == 20
    cid = found.structured_content["campaigns"][0]["id"]
    got = await client.call_tool("get_campaign", {"campaign_id": cid})
    assert got.structured_content["campaign"]["id"] == cid
    runs = await client.call_tool(
        "list_executions", {"campaign_id": DEMO_CAMPAIGN_IDS["periodic_most_executions"]}
    )
    assert runs.structured_content["total_instances"] > 15
    live = DEMO_CAMPAIGN_IDS["scheduled_push_this_week"]  # V1 meta documents no drafts (campaigns-v1.yaml)
    meta = await client.call_tool("get_meta", {"campaign_ids": [live]})
    assert meta.structured_content["campaigns"][0]["id"] == live
    draft = DEMO_CAMPAIGN_IDS["valid_push_draft"]
    preview = await client.call_tool("personalized_preview", {"campaign_id": draft, "user_id": "user-1001"})
    assert preview.structured_content["blocks"]
    valid = await client.call_tool("validate_campaign", {"campaign_id": draft})
    assert valid.structured_content["valid"] is True
    ask = await client.call_tool(
        "pause_campaign", {"campaign_id": DEMO_CAMPAIGN_IDS["periodic_most_executions"]}
    )
    assert ask.structured_content["status"] == "confirmation_required"
    if sim is not None:
        assert any(
            r.path == "/v5/campaigns/search" for r in sim.requests
        )  # get_campaign: from the search's rows
        assert sim.writes() == []


async def test_stdio_subprocess_against_a_loopback_simulator(tmp_path):
    sim = Simulator()
    with serve(sim.app) as url:
        params = StdioServerParameters(
            command=sys.executable,
            args=["-m", "moengage_mcp"],
            env=env_for(url, MOENGAGE_MCP_AUDIT_LOG=str(tmp_path / "audit.jsonl")),
        )
        async with Client(params) as client:
            await exercise_every_tool(client, sim)
            res = await client.call_tool("pause_campaign", {"campaign_id": "0" * 24})
            assert res.is_error and "404" in res.content[0].text


async def test_demo_answers_a_search_over_stdio(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOENGAGE_")}
    env["MOENGAGE_MCP_AUDIT_LOG"] = str(tmp_path / "audit.jsonl")
    params = StdioServerParameters(command=sys.executable, args=["-m", "moengage_mcp", "--demo"], env=env)
    async with Client(params, mode="legacy") as client:
        await exercise_every_tool(client)


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_streamable_http_on_loopback(sim, tmp_path, mode):
    settings = server_settings(tmp_path)
    async with make_client(sim) as api:
        with serve(http_app(create_server(settings, api), "streamable-http", "127.0.0.1", settings)) as url:
            async with Client(f"{url}/mcp", mode=mode) as client:
                await exercise_every_tool(client, sim)


async def test_sse_on_loopback(sim, tmp_path):
    settings = server_settings(tmp_path)
    async with make_client(sim) as api:
        with serve(http_app(create_server(settings, api), "sse", "127.0.0.1", settings)) as url:
            async with Client(sse_client(f"{url}/sse"), mode="legacy") as client:
                await exercise_every_tool(client, sim)


async def test_bearer_token_is_required_when_set(sim, tmp_path):
    settings = server_settings(tmp_path, bearer_token=TOKEN)
    async with make_client(sim) as api:
        with serve(http_app(create_server(settings, api), "streamable-http", "127.0.0.1", settings)) as url:
            async with httpx.AsyncClient() as raw:
                denied = await raw.post(f"{url}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
            assert denied.status_code == 401 and "bearer" in denied.headers["www-authenticate"].lower()
            authed = create_mcp_http_client(headers={"Authorization": f"Bearer {TOKEN}"})
            async with Client(streamable_http_client(f"{url}/mcp", http_client=authed)) as client:
                await exercise_every_tool(client, sim)


async def test_dns_rebinding_protection_rejects_foreign_hosts(sim, tmp_path):
    settings = server_settings(tmp_path)
    async with make_client(sim) as api:
        with serve(http_app(create_server(settings, api), "streamable-http", "127.0.0.1", settings)) as url:
            async with httpx.AsyncClient() as raw:
                evil = await raw.post(
                    f"{url}/mcp",
                    json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                    headers={"Host": "evil.example.com", "Accept": "application/json, text/event-stream"},
                )
    assert evil.status_code in (403, 421)


def test_binding_beyond_loopback_needs_a_token_and_allowed_hosts(tmp_path):
    server = create_server(server_settings(tmp_path), make_client(Simulator()))
    with pytest.raises(TransportConfigError, match="MOENGAGE_MCP_BEARER_TOKEN"):
        http_app(server, "streamable-http", "0.0.0.0", server_settings(tmp_path))
    with pytest.raises(TransportConfigError, match="MOENGAGE_MCP_ALLOWED_HOSTS"):
        http_app(server, "streamable-http", "0.0.0.0", server_settings(tmp_path, bearer_token=TOKEN))
    http_app(
        server,
        "sse",
        "0.0.0.0",
        server_settings(tmp_path, bearer_token=TOKEN, allowed_hosts="mcp.example.com:*"),
    )


# ---------------------------------------------------------------------- command line


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("MOENGAGE_")}
    return subprocess.run(
        [sys.executable, "-m", "moengage_mcp", *args],
        env=base | (env or {}),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_help_explains_the_settings():
    out = run_cli("--help")
    assert out.returncode == 0
    for needle in ("--demo", "check", "MOENGAGE_WORKSPACE_ID", "MOENGAGE_MCP_WRITE_MODE", "--transport"):
        assert needle in out.stdout


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({}, "MOENGAGE_WORKSPACE_ID is required"),
        (
            {"MOENGAGE_WORKSPACE_ID": "W", "MOENGAGE_API_KEY": "k", "MOENGAGE_MCP_WRITE_MODE": "yolo"},
            "MOENGAGE_MCP_WRITE_MODE",
        ),
        (
            {"MOENGAGE_WORKSPACE_ID": "W", "MOENGAGE_API_KEY": "k", "MOENGAGE_DATA_CENTER": "9"},
            "MOENGAGE_DATA_CENTER",
        ),
        (
            {"MOENGAGE_WORKSPACE_ID": "W", "MOENGAGE_API_KEY": "k", "MOENGAGE_MCP_TOOLSET": "read"},
            "unknown setting",
        ),
    ],
)
def test_bad_settings_stop_with_one_line_naming_the_setting(env, needle):
    out = run_cli(env=env)
    assert out.returncode == 2 and needle in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_check_reports_success_and_failure():
    sim = Simulator()
    with serve(sim.app) as url:
        ok = run_cli("check", env=env_for(url))
        bad = run_cli("check", env=env_for(url) | {"MOENGAGE_API_KEY": "sk-wrong-secret-value"})
    assert ok.returncode == 0 and ok.stdout.startswith("OK:")
    assert bad.returncode == 1 and "401" in bad.stderr and "MOENGAGE_API_KEY" in bad.stderr
    assert "sk-wrong-secret-value" not in bad.stderr + bad.stdout


def test_check_works_on_the_demo_workspace():
    out = run_cli("check", "--demo")
    assert out.returncode == 0 and "OK:" in out.stdout


def test_http_beyond_loopback_without_token_is_refused():
    out = run_cli("--demo", "--transport", "streamable-http", "--host", "0.0.0.0", "--port", "0")
    assert out.returncode == 2 and "MOENGAGE_MCP_BEARER_TOKEN" in out.stderr


# ---------------------------------------------------------------------- what a client may hold open


@contextmanager
def http_server(tmp_path, **settings: str):
    """`moengage-mcp --demo --transport streamable-http` in a subprocess on a free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOENGAGE_")}
    env |= {"MOENGAGE_MCP_AUDIT_LOG": str(tmp_path / "audit.jsonl"), **settings}
    cmd = [
        sys.executable,
        "-m",
        "moengage_mcp",
        "--demo",
        "--transport",
        "streamable-http",
        "--port",
        str(port),
    ]
    server = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        yield port
    finally:
        server.kill()
        server.wait(10)


def closed_after(sock: socket.socket, limit: float) -> float:
    """Seconds until the peer closes `sock` (or `limit` when it has not)."""
    started = time.monotonic()
    sock.settimeout(limit)
    try:
        while sock.recv(1024):
            pass
    except TimeoutError:
        return limit
    return time.monotonic() - started


INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def test_a_connection_that_never_finishes_its_headers_is_closed(tmp_path):
    with http_server(tmp_path, MOENGAGE_MCP_HTTP_TIMEOUT="1") as port:
        with socket.create_connection(("127.0.0.1", port)) as half_open:
            half_open.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            took = closed_after(half_open, 10)
    assert took < 3, f"a half-open connection was held for {took:.1f} s"


def test_a_body_that_never_arrives_is_answered_408(tmp_path):
    with http_server(tmp_path, MOENGAGE_MCP_HTTP_TIMEOUT="1") as port:
        with socket.create_connection(("127.0.0.1", port)) as slow:
            slow.sendall(
                b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"
            )
            slow.settimeout(10)
            started = time.monotonic()
            answer = slow.recv(4096)
    assert answer.startswith(b"HTTP/1.1 408") and time.monotonic() - started < 3


def test_connections_beyond_the_limit_are_refused(tmp_path):
    with http_server(tmp_path, MOENGAGE_MCP_HTTP_MAX_CONNECTIONS="3", MOENGAGE_MCP_HTTP_TIMEOUT="20") as port:
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        try:
            time.sleep(0.3)
            over = httpx.post(
                f"http://127.0.0.1:{port}/mcp", json=INITIALIZE, headers=MCP_HEADERS, timeout=10
            )
        finally:
            for sock in idle:
                sock.close()
        time.sleep(0.3)
        after = httpx.post(f"http://127.0.0.1:{port}/mcp", json=INITIALIZE, headers=MCP_HEADERS, timeout=10)
    assert over.status_code == 503 and after.status_code == 200


def test_one_client_holds_a_bounded_number_of_sessions(tmp_path):
    with http_server(tmp_path, MOENGAGE_MCP_SESSIONS_PER_CLIENT="3") as port:
        url = f"http://127.0.0.1:{port}/mcp"
        with httpx.Client(timeout=10) as http:
            opened = [http.post(url, json=INITIALIZE, headers=MCP_HEADERS) for _ in range(3)]
            refused = http.post(url, json=INITIALIZE, headers=MCP_HEADERS)
            session = opened[0].headers["mcp-session-id"]
            ended = http.delete(
                url, headers={**MCP_HEADERS, "mcp-session-id": session, "mcp-protocol-version": "2025-11-25"}
            )
            again = http.post(url, json=INITIALIZE, headers=MCP_HEADERS)
    assert [r.status_code for r in opened] == [200, 200, 200]
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "MOENGAGE_MCP_SESSIONS_PER_CLIENT" in refused.json()["error_description"]
    assert ended.status_code in (200, 204) and again.status_code == 200


def test_the_http_limits_are_settings_with_one_line_errors():
    for var, bad in (
        ("MOENGAGE_MCP_HTTP_TIMEOUT", "0"),
        ("MOENGAGE_MCP_SESSIONS_PER_CLIENT", "x"),
        ("MOENGAGE_MCP_SESSION_IDLE_TIMEOUT", "1"),
    ):
        out = run_cli("--demo", env={var: bad})
        assert out.returncode == 2 and var in out.stderr and len(out.stderr.strip().splitlines()) == 1
