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
    from .workspaces import Configured

EPILOG = """\
examples:
  moengage-mcp --demo                      try it on a simulated workspace (no credentials)
  moengage-mcp check                       verify MOENGAGE_WORKSPACE_ID / MOENGAGE_API_KEY / data center
  moengage-mcp                             serve over stdio (what Claude Desktop and Claude Code run)
  moengage-mcp --transport streamable-http --port 8000     serve http://127.0.0.1:8000/mcp

settings come from the environment; the flags above override the variable in [brackets].
Secrets are environment only (a flag would show in `ps`): MOENGAGE_API_KEY,
MOENGAGE_MCP_BEARER_TOKEN (which HTTP clients must send), MOENGAGE_MCP_SECRET (the keys replicas share)
and MOENGAGE_MCP_REDIS_URL (their shared state; it may hold a password).
"""

FLAGS = {  # setting -> (flag, metavar, help); each overrides the MOENGAGE_* variable it names
    "workspace_id": ("--workspace-id", "ID", "workspace (app) id [MOENGAGE_WORKSPACE_ID]"),
    "data_center": (
        "--data-center",
        "DC",
        "01-06 or 101, as in dashboard-NN.moengage.com [MOENGAGE_DATA_CENTER]",
    ),
    "base_url": ("--base-url", "URL", "API base URL instead of the data center's [MOENGAGE_BASE_URL]"),
    "write_mode": ("--write-mode", "MODE", "off | confirm (default) | auto [MOENGAGE_MCP_WRITE_MODE]"),
    "toolsets": ("--toolsets", "LIST", "comma list of read, draft, lifecycle, send [MOENGAGE_MCP_TOOLSETS]"),
    "test_recipients": (
        "--test-recipients",
        "LIST",
        "the only identifiers test sends may target [MOENGAGE_MCP_TEST_RECIPIENTS]",
    ),
    "author_email": (
        "--author-email",
        "EMAIL",
        "the MoEngage user draft tools name as created_by / updated_by [MOENGAGE_MCP_AUTHOR_EMAIL]",
    ),
    "audit_log": ("--audit-log", "PATH", "JSONL log of write attempts [MOENGAGE_MCP_AUDIT_LOG]"),
    "allowed_hosts": (
        "--allowed-hosts",
        "LIST",
        "Host headers accepted over HTTP [MOENGAGE_MCP_ALLOWED_HOSTS]",
    ),
    "auth": (
        "--auth",
        "MODE",
        "HTTP authentication: none (loopback only) | bearer | oauth [MOENGAGE_MCP_AUTH]",
    ),
    "oauth_issuer": (
        "--oauth-issuer",
        "URL",
        "the OAuth issuer of access tokens [MOENGAGE_MCP_OAUTH_ISSUER]",
    ),
    "oauth_jwks_url": (
        "--oauth-jwks-url",
        "URL",
        "its signing keys, if not in its metadata [MOENGAGE_MCP_OAUTH_JWKS_URL]",
    ),
    "public_url": (
        "--public-url",
        "URL",
        "this server's URL as clients reach it, e.g. https://mcp.example.com/mcp [MOENGAGE_MCP_PUBLIC_URL]",
    ),
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
    p.add_argument(
        "--transport",
        choices=("stdio", "sse", "streamable-http"),
        default="stdio",
        help="stdio (default) for desktop clients; sse (/sse) or streamable-http (/mcp) serve HTTP",
    )
    p.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default 127.0.0.1)")
    p.add_argument("--port", default="8000", help="HTTP port (default 8000)")
    p.add_argument(
        "--stateless",
        action="store_true",
        help="streamable HTTP without sessions: any replica behind a load balancer answers any request",
    )
    p.add_argument(
        "--log-level",
        default="WARNING",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="stderr log level (default WARNING)",
    )
    for field, (flag, metavar, help_text) in FLAGS.items():
        p.add_argument(flag, dest=field, metavar=metavar, help=help_text)
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
        workspaces = _workspaces(settings)
        port = _bind(args.host, args.port)
    except SettingsError as exc:
        return _fail(str(exc))
    try:
        if args.command == "check":
            return anyio.run(_check, workspaces)
        anyio.run(_serve, settings, workspaces, args.transport, args.host, port, args.stateless)
    except KeyboardInterrupt:
        return 130
    except (TransportConfigError, SettingsError) as exc:
        return _fail(str(exc))
    return 0


def _workspaces(settings: Settings) -> Configured:
    """The workspaces to serve: a workspaces file's (the single-workspace variables then unused, said
    once), or the one of the variables; under --demo each on a simulator of its own."""
    import os

    from .runtime import demo_settings
    from .settings import ENV
    from .workspaces import Configured, configured, single

    if not settings.workspaces_file:
        return single(demo_settings(settings) if settings.demo else settings)
    found = configured(settings, os.environ)
    single_variables = [ENV[f] for f in ("workspace_id", "api_key", "data_center", "base_url")]
    if unused := [v for v in single_variables if os.environ.get(v) and v not in found.key_variables]:
        logging.getLogger("moengage_mcp").warning(
            "%s is set, so %s %s not used",
            ENV["workspaces_file"],
            ", ".join(unused),
            "is" if len(unused) == 1 else "are",
        )
    if settings.demo:
        named = {n: demo_settings(s, named=True) for n, s in found.settings.items()}
        found = Configured(named, found.default, found.key_variables)
    return found


def _bind(host: str, port: str) -> int:
    """The HTTP port, after checking the bind address and port are usable."""
    from .settings import SettingsError, is_host

    if not is_host(host):
        raise SettingsError(f"--host: expected an IP address or host name (got {host[:80]!r})")
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise SettingsError(f"--port: expected a port from 0 (any free one) to 65535 (got {port[:20]!r})")
    return int(port)


def _fail(message: str) -> int:
    print(f"moengage-mcp: error: {message}", file=sys.stderr)
    return 2


async def _serve(
    settings: Settings, workspaces: Configured, transport: str, host: str, port: int, stateless: bool
) -> None:
    from .runtime import open_apis
    from .server import create_server
    from .server.workspace import Workspaces
    from .team.shared import open_shared_state

    async with open_shared_state(settings) as shared, open_apis(workspaces, shared) as apis:
        served = Workspaces.of(apis, workspaces.settings, workspaces.default)
        server = create_server(settings, served, shared=shared)
        _serving()
        if transport == "stdio":
            await server.run_stdio_async()
            return
        import uvicorn

        from .transports import http_app, uvicorn_config

        app = http_app(server, transport, host, settings, stateless=stateless)  # type: ignore[arg-type]
        print(f"moengage-mcp: serving {transport} on http://{host}:{port}", file=sys.stderr)
        await uvicorn.Server(uvicorn_config(app, host, port, settings)).serve()


async def _check(workspaces: Configured) -> int:
    """One cheap read (a one-row search) per workspace, proving its id, key and data center fit together;
    each workspace's outcome on a line of its own. Exit 1 if any failed."""
    from .api import MoEngageError
    from .api import models as m
    from .runtime import make_api

    failed = 0
    for name, settings in workspaces.settings.items():
        label = f"{name}: " if len(workspaces.settings) > 1 else ""
        where = f"{settings.api_base_url} as workspace {settings.workspace_id}"
        async with make_api(settings) as api:
            try:
                found = await api.search_campaigns(m.SearchRequest(limit=1))
            except MoEngageError as exc:
                print(f"FAILED: {label}{where}\n{exc}", file=sys.stderr)
                failed += 1
                continue
        print(
            f"OK: {label}reached {where}; the key can read campaigns ({'some found' if found else 'none yet'})."
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
