"""Serve an ASGI app (the simulator, or the MCP server's HTTP app) on loopback from a thread, so a
test or benchmark can talk to it over real HTTP while its own event loop stays free."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def serve_in_thread(app: Any, host: str = "127.0.0.1", *, log_level: str = "warning") -> Iterator[str]:
    """Run `app` with uvicorn on an ephemeral port of `host`; yield its base URL, stop it on exit."""
    import uvicorn

    config = uvicorn.Config(
        app, host=host, port=0, log_level=log_level, lifespan="on", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(5)
