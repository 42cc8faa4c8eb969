"""Fixtures of the team-server tests: a real redis-server, a loopback OAuth issuer, a loopback simulator."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from .issuer import Issuer
from .simulator_process import SimulatorView
from .stack import Process, RedisServer, Team, free_port, team


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
def simulator(tmp_path) -> Iterator[SimulatorView]:
    """ONE simulator (rate limits on) in its own process over loopback HTTP, for every replica."""
    port = free_port()
    process = Process(
        "simulator", [sys.executable, "-m", "tests.team.simulator_process", str(port)], port, tmp_path
    )
    process.start()
    yield SimulatorView(f"http://127.0.0.1:{port}")
    process.stop()


@pytest.fixture
def two_replicas(tmp_path, simulator, issuer, redis_server) -> Iterator[Team]:
    """Two replicas sharing `redis_server`, behind nginx, calling `simulator`, signing in with `issuer`."""
    with team(tmp_path, simulator, issuer, replicas=2, redis=redis_server) as running:
        yield running
