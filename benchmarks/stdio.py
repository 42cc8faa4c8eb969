"""A minimal MCP client over a subprocess's stdio: raw JSON-RPC lines, no SDK in the way.

Used where the benchmark needs the server process itself (its pid for RSS, the instant it was
spawned) or must not add client-side cost: start-up, memory, per-call overhead.
"""

from __future__ import annotations

import itertools
import json
import os
import selectors
import subprocess
import time
from collections.abc import Mapping, Sequence
from typing import Any

PROTOCOL = "2025-11-25"  # the initialize handshake every current MCP host speaks


class ProtocolError(RuntimeError):
    pass


class StdioServer:
    """Spawn `argv` and speak MCP to it; `spawned_at` is `time.perf_counter()` just before the spawn."""

    def __init__(
        self,
        argv: Sequence[str],
        env: Mapping[str, str] | None = None,
        *,
        stderr: Any = subprocess.DEVNULL,
        cwd: str | os.PathLike[str] | None = None,
    ) -> None:
        self._ids = itertools.count(1)
        self._buffer = b""
        self.spawned_at = time.perf_counter()
        self.proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=dict(env) if env else None,
            cwd=cwd,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._out = self.proc.stdout
        os.set_blocking(self._out.fileno(), False)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._out, selectors.EVENT_READ)

    # ------------------------------------------------------------------ wire

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message, separators=(",", ":")).encode() + b"\n")
        self.proc.stdin.flush()

    def receive(self, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not self._selector.select(left):
                raise ProtocolError(f"no message within {timeout} s (exit code {self.proc.poll()})")
            chunk = self._out.read(65536)
            if not chunk:
                raise ProtocolError(f"the server closed stdout (exit code {self.proc.poll()})")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)

    def request_id(self) -> int:
        return next(self._ids)

    def request(
        self, method: str, params: dict[str, Any] | None = None, timeout: float = 30.0
    ) -> dict[str, Any]:
        """Send one request and return its result (notifications in between are skipped)."""
        rid = self.request_id()
        self.send(
            {
                "jsonrpc": "2.0",
                "id": rid,
                "method": method,
                **({"params": params} if params is not None else {}),
            }
        )
        while True:
            message = self.receive(timeout)
            if message.get("id") == rid and "method" not in message:
                if "error" in message:
                    raise ProtocolError(f"{method}: {message['error']}")
                return message["result"]

    def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        self.send({"jsonrpc": "2.0", "method": method, **({"params": params} if params is not None else {})})

    # ------------------------------------------------------------------ MCP

    def initialize(self) -> dict[str, Any]:
        result = self.request(
            "initialize",
            {
                "protocolVersion": PROTOCOL,
                "capabilities": {},
                "clientInfo": {"name": "bench", "version": "0"},
            },
        )
        self.notify("notifications/initialized")
        return result

    def list_tools(self) -> list[dict[str, Any]]:
        return self.request("tools/list", {})["tools"]

    def call_tool(self, name: str, arguments: dict[str, Any], timeout: float = 60.0) -> dict[str, Any]:
        return self.request("tools/call", {"name": name, "arguments": arguments}, timeout)

    # ------------------------------------------------------------------ process

    def rss_kib(self) -> int:
        """Resident set size of the server process, from /proc."""
        with open(f"/proc/{self.proc.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise ProtocolError("no VmRSS in /proc status")

    def close(self) -> None:
        self._selector.close()
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self._out.close()

    def __enter__(self) -> StdioServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
