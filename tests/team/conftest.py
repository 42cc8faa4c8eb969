"""Fixtures of the team-server tests: a real redis-server, a loopback OAuth issuer, a loopback simulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from moengage_mcp.simulator import Simulator
from moengage_mcp.simulator.serving import serve_in_thread

from .issuer import Issuer
from .stack import RedisServer


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with Issuer().serving() as running:
        yield running


@pytest.fixture
def served_sim() -> Iterator[tuple[Simulator, str]]:
    """The simulator (rate limits on) over loopback HTTP, and its URL: one API for every replica."""
    sim = Simulator()
    with serve_in_thread(sim.app) as url:
        yield sim, url
