"""Shared set-up: the server on a fresh simulated workspace, reached through a real MCP client."""

from __future__ import annotations

import json
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from mcp import Client

from moengage_mcp.api import MoEngageClient
from moengage_mcp.server import create_server
from moengage_mcp.settings import load_settings
from moengage_mcp.simulator import DEMO_API_KEY, DEMO_WORKSPACE_ID, Simulator

from .virtual import Delayed


def count_tokens(text: str) -> int:
    """Tokens of `text` by a public Claude tokenizer (the `anthropic-tokenizer` package, `[bench]` extra)."""
    import anthropic_tokenizer

    return anthropic_tokenizer.count_tokens(text)


def compact(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def model_sees(tool: dict[str, Any]) -> dict[str, Any]:
    """A tools/list entry as counted: without `_meta`, which hosts keep for themselves (the MCP App a
    tool is shown in) and do not put in the model's context; everything else is counted."""
    return {key: value for key, value in tool.items() if key != "_meta"}


@asynccontextmanager
async def demo_session(
    sim: Simulator | None = None, *, latency: float = 0.0, **settings: Any
) -> AsyncIterator[tuple[Client, Simulator]]:
    """An in-memory MCP session with the server on `sim` (a fresh demo workspace by default), each API
    request taking `latency` seconds more (see benchmarks/virtual.py)."""
    sim = sim or Simulator()
    env = {"MOENGAGE_WORKSPACE_ID": DEMO_WORKSPACE_ID, "MOENGAGE_API_KEY": DEMO_API_KEY}
    with tempfile.TemporaryDirectory() as tmp:
        settings.setdefault("audit_log", str(Path(tmp) / "audit.jsonl"))
        transport: httpx.AsyncBaseTransport = httpx.ASGITransport(app=sim.app)
        if latency:
            transport = Delayed(transport, latency)
        loaded = load_settings(env, **settings)
        async with MoEngageClient(
            DEMO_WORKSPACE_ID, DEMO_API_KEY, "http://sim", transport=transport, cache_ttl=loaded.cache_ttl
        ) as api:
            server = create_server(loaded, api)
            async with Client(server) as client:
                yield client, sim
