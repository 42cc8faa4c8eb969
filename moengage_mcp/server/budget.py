"""The time every tool call keeps, and the progress it reports while it works.

MCP clients built on the TypeScript SDK give up on a request after 60 s. So a tool call stops
starting API requests CALL_TIME seconds after it began (`Caller.until`: a request still waiting for
its turn then is not sent at all), and a tool that can resume returns what it has with a handle
to continue (`jobs.py`). While it works, a heartbeat reports progress at least every
HEARTBEAT seconds, with a message saying what is being done, even while requests wait for the
API's rate limits.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import anyio
from mcp.server.mcpserver import Context

if sys.version_info < (3, 11):  # pragma: no cover
    from exceptiongroup import BaseExceptionGroup

CALL_TIME = 42.0
"""Seconds after its start a call starts no more requests: those in flight then come back within
the request timeout of a few seconds, so the call answers well inside 50 s."""
HEARTBEAT = 4.0


@dataclass
class Progress:
    """What a call reports: done of total (total None: unknown) and what it is doing. MCP wants each
    notification's progress above the last, so a beat while nothing finished adds a hair."""

    done: float = 0
    total: float | None = None
    message: str = "working"
    ctx: Context | None = None
    sent: float = -1

    def update(self, message: str, done: float | None = None, total: float | None = None) -> None:
        self.message = message
        if done is not None:
            self.done = done
        if total is not None:
            self.total = total

    async def report(self, message: str, done: float | None = None, total: float | None = None) -> None:
        """Update and tell the client now (not only at the next beat)."""
        self.update(message, done, total)
        await self.send()

    async def send(self) -> None:
        if self.ctx is None:
            return
        self.sent = max(self.done, round(self.sent + 0.01, 2))
        await self.ctx.report_progress(self.sent, self.total, self.message)


PROGRESS: ContextVar[Progress] = ContextVar("moengage_mcp_progress", default=Progress())  # noqa: B039 - per call


def progress() -> Progress:
    """This call's progress, for its work to update."""
    return PROGRESS.get()


@asynccontextmanager
async def heartbeat(ctx: Context, every: float = HEARTBEAT) -> AsyncIterator[Progress]:
    """Report this call's progress every `every` seconds until the block ends. An exception from the
    block comes out as itself, not wrapped in the task group's exception group."""
    state = Progress(ctx=ctx)
    token = PROGRESS.set(state)

    async def beat() -> None:
        while True:
            await anyio.sleep(every)
            await state.send()

    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(beat)
            try:
                yield state
            finally:
                tg.cancel_scope.cancel()
    except BaseExceptionGroup as group:
        if len(group.exceptions) == 1:
            raise group.exceptions[0] from group.exceptions[0].__cause__
        raise
    finally:
        PROGRESS.reset(token)


def deadline() -> float:
    """When a call that starts now stops starting requests (the loop's clock)."""
    return anyio.current_time() + CALL_TIME
