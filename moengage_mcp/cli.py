"""`moengage-mcp`: serve the MCP server (stdio by default) or check the credentials."""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from . import __version__

if TYPE_CHECKING:
    from .settings import Settings

EPILOG = """\
examples:
  moengage-mcp --demo                      try it on a simulated workspace (no credentials)
  moengage-mcp check                       verify MOENGAGE_WORKSPACE_ID / MOENGAGE_API_KEY / data center
  moengage-mcp                             serve over stdio (what Claude Desktop and Claude Code run)
  moengage-mcp --transport streamable-http --port 8000     serve http://127.0.0.1:8000/mcp

settings come from the environment; the flags above override them:
  MOENGAGE_WORKSPACE_ID, MOENGAGE_API_KEY (environment only, never a flag),
  MOENGAGE_DATA_CENTER (01-06, 101), MOENGAGE_BASE_URL, MOENGAGE_MCP_WRITE_MODE (off|confirm|auto),
  MOENGAGE_MCP_TOOLSETS (read,lifecycle,send), MOENGAGE_MCP_TEST_RECIPIENTS, MOENGAGE_MCP_AUDIT_LOG,
  MOENGAGE_MCP_BEARER_TOKEN (required to bind beyond loopback), MOENGAGE_MCP_ALLOWED_HOSTS
"""

FLAGS = {
    "workspace_id": "--workspace-id",
    "data_center": "--data-center",
    "base_url": "--base-url",
    "write_mode": "--write-mode",
    "toolsets": "--toolsets",
    "test_recipients": "--test-recipients",
    "audit_log": "--audit-log",
    "allowed_hosts": "--allowed-hosts",
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="moengage-mcp",
        description="MCP server for MoEngage campaigns: search, inspect, preview, QA, report, and guarded writes.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("command", nargs="?", choices=("serve", "check"), default="serve", help="default: serve")
    p.add_argument("--demo", action="store_true", help="use the built-in simulated workspace; no credentials")
    p.add_argument("--transport", choices=("stdio", "sse", "streamable-http"), default="stdio")
    p.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="HTTP port (default 8000)")
    p.add_argument("--log-level", default="WARNING", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    for field, flag in FLAGS.items():
        p.add_argument(flag, dest=field, metavar=field.upper(), help=f"overrides the environment ({field})")
    p.add_argument("--version", action="version", version=f"moengage-mcp {__version__}")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    # Start-up (importing mcp and pydantic, building every tool's models and schemas) allocates
    # hundreds of thousands of long-lived objects and frees almost none, so cyclic garbage
    # collection during it is wasted work: about a tenth of the time to the first tools/list.
    # It resumes, with the start-up objects frozen out of later collections, once the server is
    # built (`_serving`), or when main returns.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _main(argv)
    finally:
        if gc_was_enabled:
            gc.enable()


def _serving() -> None:
    """Start-up is over: freeze its objects out of later collections and resume collecting."""
    gc.freeze()
    gc.enable()


def _main(argv: Sequence[str] | None) -> int:
    import anyio

    from .settings import SettingsError, load_settings
    from .transports import TransportConfigError

    args = parser().parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=args.log_level, format="%(levelname)s %(name)s: %(message)s")
    overrides: dict[str, Any] = {field: getattr(args, field) for field in FLAGS}
    try:
        settings = load_settings(demo=args.demo or None, **overrides)
    except SettingsError as exc:
        return _fail(str(exc))
    from .runtime import demo_settings

    if settings.demo:
        settings = demo_settings(settings)
    try:
        if args.command == "check":
            return anyio.run(_check, settings)
        anyio.run(_serve, settings, args.transport, args.host, args.port)
    except KeyboardInterrupt:
        return 130
    except TransportConfigError as exc:
        return _fail(str(exc))
    return 0


def _fail(message: str) -> int:
    print(f"moengage-mcp: error: {message}", file=sys.stderr)
    return 2


async def _serve(settings: Settings, transport: str, host: str, port: int) -> None:
    from .runtime import make_api
    from .server import create_server

    async with make_api(settings) as api:
        server = create_server(settings, api)
        _serving()
        if transport == "stdio":
            await server.run_stdio_async()
            return
        import uvicorn

        from .transports import http_app

        app = http_app(server, transport, host, settings)  # type: ignore[arg-type]
        print(f"moengage-mcp: serving {transport} on http://{host}:{port}", file=sys.stderr)
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
        await uvicorn.Server(config).serve()


async def _check(settings: Settings) -> int:
    """One cheap read (a one-row search) that proves workspace, key and data center fit together."""
    from .api import MoEngageError
    from .api import models as m
    from .runtime import make_api

    where = f"{settings.api_base_url} as workspace {settings.workspace_id}"
    async with make_api(settings) as api:
        try:
            found = await api.search_campaigns(m.SearchRequest(limit=1))
        except MoEngageError as exc:
            print(f"FAILED: {where}\n{exc}", file=sys.stderr)
            return 1
    print(f"OK: reached {where}; the key can read campaigns ({'some found' if found else 'none yet'}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
