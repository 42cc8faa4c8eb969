"""The real parts of a team deployment, started on loopback for a test: redis-server, moengage-mcp
replicas as subprocesses, and nginx balancing them round-robin (`team` puts them together).

Each part runs as its own process from its real binary, on free loopback ports, with its files in
the test's temporary directory; `kill` ends one the hard way (SIGKILL), as a crash would.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from moengage_mcp.simulator import DEMO_API_KEY, DEMO_WORKSPACE_ID

from .issuer import Issuer
from .simulator_process import SimulatorView

SECRET = "team-test-secret-0123456789abcdef0123456789"
"""MOENGAGE_MCP_SECRET shared by the replicas of a test."""

ROOT = Path(__file__).resolve().parents[2]
"""The checkout, where `python -m tests.team...` finds the test helpers."""

REQUIRE = os.environ.get("MOENGAGE_TEST_REQUIRE_ALL") == "1"


def binary(name: str) -> str:
    """The path of `name`, or skip the test (fail it where MOENGAGE_TEST_REQUIRE_ALL=1)."""
    found = shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if Path(p).exists()), None
    )
    if found is None:
        reason = f"{name} is not installed (scripts/team_stack.sh installs it)"
        if REQUIRE:
            pytest.fail(f"{reason}, and MOENGAGE_TEST_REQUIRE_ALL=1")
        pytest.skip(reason)
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s: {log.read_text()[-2000:]}")


class Process:
    """A subprocess with its output in a log file."""

    def __init__(
        self, name: str, args: list[str], port: int, directory: Path, env: dict[str, str] | None = None
    ):
        self.name = name
        self.args = args
        self.port = port
        self.env = env
        self.log = directory / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> Process:
        return self.launch().ready()

    def launch(self) -> Process:
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                self.args, stdout=out, stderr=subprocess.STDOUT, env=self.env, cwd=ROOT
            )
        return self

    def ready(self) -> Process:
        assert self.process is not None
        wait_for_port(self.port, self.process, self.log)
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, as if the machine had died."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


class RedisServer(Process):
    """A fresh redis-server on a free loopback port, persisting nothing (a restart loses everything)."""

    def __init__(self, directory: Path) -> None:
        port = free_port()
        args = [
            binary("redis-server"),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        super().__init__(
            f"redis-{port}",
            [*args, "--dir", str(directory), "--maxmemory-policy", "noeviction"],
            port,
            directory,
        )

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def replica(
    directory: Path,
    index: int,
    base_url: str,
    port: int | None = None,
    log_level: str = "WARNING",
    **settings: str,
) -> Process:
    """`moengage-mcp --transport streamable-http --stateless` on `port` (default: a free one), against the
    API at `base_url` (launched: call `ready` before using it)."""
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOENGAGE_")}
    env |= {
        "MOENGAGE_BASE_URL": base_url,
        "MOENGAGE_WORKSPACE_ID": DEMO_WORKSPACE_ID,
        "MOENGAGE_API_KEY": DEMO_API_KEY,
        "MOENGAGE_MCP_AUDIT_LOG": str(directory / f"audit-{index}.jsonl"),
        **settings,
    }
    args = [sys.executable, "-m", "moengage_mcp", "--transport", "streamable-http", "--stateless"]
    args += ["--port", str(port), "--log-level", log_level]
    return Process(f"replica-{index}", args, port, directory, env).launch()


NGINX_CONF = """\
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format upstream '$request_method $uri $status $upstream_addr';
    access_log {dir}/nginx-access.log upstream;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream moengage_mcp {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://moengage_mcp;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header Connection "";
            proxy_buffering off;
            proxy_read_timeout 120s;
        }}
    }}
}}
"""
"""Round-robin (nginx's default) over the replicas; the same shape as the README's sample."""


def nginx(directory: Path, port: int, upstreams: list[int]) -> Process:
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in upstreams)
    conf = directory / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=directory, port=port, servers=servers))
    args = [binary("nginx"), "-p", str(directory), "-c", str(conf), "-e", str(directory / "nginx-error.log")]
    return Process("nginx", [*args, "-g", "daemon off;"], port, directory).start()


def upstreams_used(directory: Path) -> dict[str, int]:
    """How many requests nginx sent to each replica (from its access log)."""
    counts: dict[str, int] = {}
    path = directory / "nginx-access.log"
    for line in path.read_text().splitlines() if path.exists() else []:
        upstream = line.rsplit(" ", 1)[-1]
        counts[upstream] = counts.get(upstream, 0) + 1
    return counts


@dataclass
class Team:
    url: str
    """What clients reach: nginx, or the only replica."""
    public_url: str
    directory: Path
    replicas: list[Process]
    sim: SimulatorView

    def client(self, token: str) -> Client:
        """An MCP client through the load balancer, signed in with `token`."""
        return self._client(self.url, token)

    def replica_client(self, index: int, token: str) -> Client:
        """An MCP client of one replica, past the load balancer: to say which replica does what."""
        return self._client(f"http://127.0.0.1:{self.replicas[index].port}", token)

    @staticmethod
    def _client(url: str, token: str) -> Client:
        http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
        return Client(streamable_http_client(f"{url}/mcp", http_client=http))


@contextmanager
def team(
    directory: Path,
    sim: SimulatorView,
    issuer: Issuer,
    *,
    replicas: int,
    redis: RedisServer | None,
    log_level: str = "WARNING",
) -> Iterator[Team]:
    """`replicas` servers (behind nginx when more than one), with shared state in `redis` if given."""
    lb_port = free_port()
    public = f"http://127.0.0.1:{lb_port}/mcp"
    settings = {
        "MOENGAGE_MCP_AUTH": "oauth",
        "MOENGAGE_MCP_OAUTH_ISSUER": issuer.url,
        "MOENGAGE_MCP_PUBLIC_URL": public,
        "MOENGAGE_MCP_SECRET": SECRET,
    }
    if redis is not None:
        settings["MOENGAGE_MCP_REDIS_URL"] = redis.url
    url = f"http://127.0.0.1:{lb_port}"  # one replica is reached directly, on this port
    ports = [lb_port] if replicas == 1 else [free_port() for _ in range(replicas)]
    servers = [replica(directory, n, sim.url, port, log_level, **settings) for n, port in enumerate(ports)]
    processes = list(servers)
    try:
        for server in servers:
            server.ready()
        if replicas > 1:
            processes.append(nginx(directory, lb_port, ports))
        yield Team(url, public, directory, servers, sim)
    finally:
        for process in reversed(processes):
            process.stop()
