"""HTTP transports (SSE, streamable HTTP): loopback by default, authentication beyond it.

Authentication (MOENGAGE_MCP_AUTH) is a bearer token shared by all clients, or OAuth: then the server
is a resource server through the SDK's own auth support (see `moengage_mcp.team.oauth`).
DNS-rebinding protection stays on for every bind address: on loopback the allowed Host headers
are the loopback names, elsewhere they are the bind address or MOENGAGE_MCP_ALLOWED_HOSTS; the
host of MOENGAGE_MCP_PUBLIC_URL is always allowed.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from mcp.server.auth.routes import create_protected_resource_routes
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from .settings import AuthMode, Settings

if TYPE_CHECKING:
    from .team.oauth import OAuthResource

HttpTransport = Literal["sse", "streamable-http"]
LOOPBACK_NAMES = ("localhost",)
WILDCARDS = ("0.0.0.0", "::")


class TransportConfigError(ValueError):
    """The HTTP transport cannot be served safely as configured; the message says what to set."""


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def security_for(host: str, settings: Settings) -> TransportSecuritySettings:
    """DNS-rebinding protection that admits only the names this server is reached by."""
    if settings.allowed_hosts:
        hosts = list(settings.allowed_hosts)
    elif is_loopback(host):
        hosts = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
    elif host in WILDCARDS and settings.public_url is not None:
        hosts = []
    elif host in WILDCARDS:
        raise TransportConfigError(
            f"binding {host} accepts any Host header: set MOENGAGE_MCP_ALLOWED_HOSTS to the names clients use "
            "(for example mcp.example.com:*)"
        )
    else:
        hosts = [f"{host}:*" if ":" not in host else f"[{host}]:*"]
    if settings.public_url is not None:
        hosts.append(f"{urlsplit(settings.public_url).netloc}")
    origins = [f"http://{h}" for h in hosts] + [f"https://{h}" for h in hosts]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


def http_app(
    server: MCPServer,
    transport: HttpTransport,
    host: str,
    settings: Settings,
    *,
    stateless: bool = False,
    oauth: OAuthResource | None = None,
) -> ASGIApp:
    """The ASGI app for `transport`, refusing to serve beyond loopback without authentication.

    `stateless`: streamable HTTP without sessions (the SDK's `stateless_http`), so any replica
    behind a load balancer answers any request. `oauth`: the resource server to be in OAuth mode
    (default: the one `settings` describe)."""
    mode = settings.auth_mode
    if not is_loopback(host) and mode is AuthMode.NONE:
        raise TransportConfigError(
            f"refusing to serve on {host} without authentication: set MOENGAGE_MCP_BEARER_TOKEN "
            "(clients send it as 'Authorization: Bearer <token>') or MOENGAGE_MCP_AUTH=oauth, or bind 127.0.0.1"
        )
    if stateless and transport != "streamable-http":
        raise TransportConfigError("--stateless applies to --transport streamable-http only (SSE needs its session)")
    security = security_for(host, settings)
    if mode is AuthMode.OAUTH:
        _serve_oauth(server, oauth or _oauth_for(settings))
    if transport == "sse":
        app: ASGIApp = server.sse_app(transport_security=security, host=host)
    else:
        app = server.streamable_http_app(transport_security=security, host=host, stateless_http=stateless)
    if mode is AuthMode.OAUTH:
        _advertise_scopes(app, server)
    if mode is AuthMode.BEARER:
        assert settings.bearer_token is not None  # enforced by Settings
        app = BearerAuth(app, settings.bearer_token.get_secret_value())
    return app


def _oauth_for(settings: Settings) -> OAuthResource:
    try:
        from .team.oauth import oauth_resource
    except ImportError:
        raise TransportConfigError(
            "MOENGAGE_MCP_AUTH=oauth needs the team extra: pip install 'moengage-mcp[team]'"
        ) from None
    return oauth_resource(settings)


def _serve_oauth(server: MCPServer, oauth: OAuthResource) -> None:
    """Make `server` an OAuth resource server for its HTTP apps. `MCPServer` takes these two only in
    its constructor (`auth=`, `token_verifier=`), and `sse_app` / `streamable_http_app` read them from
    exactly here; auth belongs to the HTTP transport, so it is set where that transport is made."""
    server.settings.auth = oauth.auth
    server._token_verifier = oauth.token_verifier  # private: see the docstring


def _advertise_scopes(app: ASGIApp, server: MCPServer) -> None:
    """The SDK's protected-resource metadata lists as `scopes_supported` only the scopes every request
    must carry, which are none here (each scope adds a toolset). Clients pick the scopes to ask for
    from that list, so the same SDK route, listing all four, goes first."""
    from .team.oauth import SCOPES

    auth = server.settings.auth
    assert isinstance(app, Starlette) and auth is not None and auth.resource_server_url is not None
    routes = create_protected_resource_routes(
        auth.resource_server_url, [auth.issuer_url], scopes_supported=list(SCOPES), resource_name="MoEngage Campaigns"
    )
    app.router.routes[:0] = routes


class BearerAuth:
    """Reject HTTP requests that lack `Authorization: Bearer <token>` (constant-time comparison)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self._expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            given = dict(scope["headers"]).get(b"authorization", b"")
            if not hmac.compare_digest(given, self._expected):
                await _unauthorized(send)
                return
        await self.app(scope, receive, send)


async def _unauthorized(send: Send) -> None:
    body = json.dumps({"error": "unauthorized", "error_description": "missing or wrong bearer token"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"www-authenticate", b'Bearer realm="moengage-mcp"'),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
