"""Shared fixtures: a fresh simulator per test, reached in process or over loopback HTTP."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from mcp import Client

from moengage_mcp.api import MoEngageClient, RetryPolicy
from moengage_mcp.server import create_server
from moengage_mcp.settings import Settings, load_settings
from moengage_mcp.simulator import DEMO_API_KEY, DEMO_WORKSPACE_ID, Simulator
from moengage_mcp.simulator.serving import serve_in_thread as serve

FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)


def require(reason: str) -> None:
    """A test needs a real part this machine lacks: skip it here, but fail in CI (MOENGAGE_TEST_REQUIRE_ALL=1),
    where `.ci/run` provides every part."""
    if os.environ.get("MOENGAGE_TEST_REQUIRE_ALL") == "1":
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


def virtual(main, *args):
    """`main(*args)` in virtual time (benchmarks/virtual.py): minutes of rate-limit waits in a moment."""
    try:
        import trio  # noqa: F401 - the virtual clock
    except ImportError:
        require("trio (pip install -e '.[bench]')")
    from benchmarks.virtual import run_virtual

    return run_virtual(main, *args)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sim() -> Simulator:
    return Simulator()


def asgi(sim: Simulator) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=sim.app, raise_app_exceptions=False)


def make_client(
    sim: Simulator, base_url: str | None = None, *, api_key: str = DEMO_API_KEY, **kwargs
) -> MoEngageClient:
    """A client for `sim`: over loopback HTTP when `base_url` is given, else in process."""
    kwargs.setdefault("retry", FAST_RETRY)
    kwargs.setdefault("cache_ttl", 30.0)  # as the server runs by default (MOENGAGE_MCP_CACHE_TTL)
    kwargs.setdefault("transport", None if base_url else asgi(sim))
    return MoEngageClient(DEMO_WORKSPACE_ID, api_key, base_url or "http://simulator", **kwargs)


@pytest.fixture(params=["in-process", "loopback-http"])
async def client(request, sim: Simulator) -> AsyncIterator[MoEngageClient]:
    """The API client against the simulator, both in process and over real loopback HTTP."""
    if request.param == "in-process":
        async with make_client(sim) as c:
            yield c
    else:
        with serve(sim.app) as url:
            async with make_client(sim, url) as c:
                yield c


def server_settings(tmp_path, **overrides) -> Settings:
    """Settings for a server that talks to the simulator (credentials are the simulator's)."""
    env = {"MOENGAGE_WORKSPACE_ID": DEMO_WORKSPACE_ID, "MOENGAGE_API_KEY": DEMO_API_KEY}
    overrides.setdefault("audit_log", str(tmp_path / "audit.jsonl"))
    return load_settings(env, **overrides)


@asynccontextmanager
async def mcp_client(
    sim: Simulator, tmp_path, *, api: MoEngageClient | None = None, client_kwargs=None, **overrides
):
    """A real MCP client session (in memory) with a server built for `overrides`, on `sim`."""
    settings = server_settings(tmp_path, **overrides)
    async with api or make_client(sim) as live:
        server = create_server(settings, live)
        async with Client(server, **(client_kwargs or {})) as client:
            yield client


def audit_entries(tmp_path) -> list[dict]:
    """Every line of the audit log (start lines, write-ahead attempts and outcomes)."""
    path = tmp_path / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def audit_lines(tmp_path) -> list[dict]:
    """The audit log's outcome lines: one per write attempt, whatever became of it."""
    return [entry for entry in audit_entries(tmp_path) if entry.get("stage") == "outcome"]


def audit_attempts(tmp_path) -> list[dict]:
    """The write-ahead lines, each written before a write request left."""
    return [entry for entry in audit_entries(tmp_path) if entry.get("stage") == "attempt"]
