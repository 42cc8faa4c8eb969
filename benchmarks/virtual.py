"""Virtual time: a benchmark that would wait 30 real minutes on MoEngage's rate limits runs in seconds.

Everything runs in one process on one event loop: the MCP client (`mcp.Client(server)`, in memory),
the server, its API client and the simulator (`httpx.ASGITransport`). The loop is trio's with
`trio.testing.MockClock(autojump_threshold=0)`: whenever every task is waiting, the clock jumps to
the next deadline at once. So waiting costs no real time, and computing costs no virtual time.

That is faithful only when every clock in the path is the loop's: the client's rate limiter
(`RollingWindowLimiter`, clock `anyio.current_time` by default), its retries and time-outs
(`anyio.sleep`, `anyio.fail_after`), the server's and the simulator's rate limiter
(`Simulator(monotonic=anyio.current_time)`), which also stamps each request's arrival. The simulator
then enforces the documented limits in the same time the client paces by, so a client that
overstepped them would earn 429s, which the benchmark counts. What it does not model: CPU time
(parsing, rendering, tokenizing take none, so a server slow to compute looks as fast as the API
allows), and the network beyond a fixed latency per request (`Delayed`), half before the request
reaches the simulator and half after its answer, so that concurrency pays off as it does against
the real API. Business time (the simulator's `now`, the server's `datetime.now`) stays real: the
report's "next 7 days" does not move while virtual minutes pass.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
import httpx

T = TypeVar("T")

LATENCY = 0.05
"""Seconds from sending a request to its answer, besides the simulator's own (virtual: none)."""


class Delayed(httpx.AsyncBaseTransport):
    """`inner` with `latency` seconds added to every request, half each way."""

    def __init__(self, inner: httpx.AsyncBaseTransport, latency: float = LATENCY) -> None:
        self._inner, self._half = inner, latency / 2

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await anyio.sleep(self._half)
        response = await self._inner.handle_async_request(request)
        await anyio.sleep(self._half)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def run_virtual(main: Callable[..., Awaitable[T]], *args: Any) -> T:
    """`main(*args)` on a trio loop whose clock jumps whenever all tasks wait (`pip install -e '.[bench]'`)."""
    from trio.testing import MockClock

    return anyio.run(main, *args, backend="trio", backend_options={"clock": MockClock(autojump_threshold=0)})
