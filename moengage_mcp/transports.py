"""HTTP transports (SSE, streamable HTTP): loopback by default, a bearer token beyond it.

DNS-rebinding protection stays on for every bind address: on loopback the allowed Host headers
are the loopback names, elsewhere they are the bind address or MOENGAGE_MCP_ALLOWED_HOSTS.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from typing import Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import ASGIApp, Receive, Scope, Send

from .settings import Settings

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
    elif host in WILDCARDS:
        raise TransportConfigError(
            f"binding {host} accepts any Host header: set MOENGAGE_MCP_ALLOWED_HOSTS to the names clients use "
            "(for example mcp.example.com:*)"
        )
    else:
        hosts = [f"{host}:*" if ":" not in host else f"[{host}]:*"]
    origins = [f"http://{h}" for h in hosts] + [f"https://{h}" for h in hosts]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


def http_app(server: MCPServer, transport: HttpTransport, host: str, settings: Settings) -> ASGIApp:
    """The ASGI app for `transport`, refusing to serve beyond loopback without a bearer token."""
    if not is_loopback(host) and settings.bearer_token is None:
        raise TransportConfigError(
            f"refusing to serve on {host} without authentication: set MOENGAGE_MCP_BEARER_TOKEN "
            "(clients send it as 'Authorization: Bearer <token>'), or bind 127.0.0.1"
        )
    security = security_for(host, settings)
    if transport == "sse":
        app: ASGIApp = server.sse_app(transport_security=security, host=host)
    else:
        app = server.streamable_http_app(transport_security=security, host=host)
    if settings.bearer_token is not None:
        app = BearerAuth(app, settings.bearer_token.get_secret_value())
    return app


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
