"""HTTP transports (SSE, streamable HTTP): loopback by default, authentication beyond it.

Authentication (MOENGAGE_MCP_AUTH) is a bearer token shared by all clients, or OAuth: then the server
is a resource server through the SDK's own auth support (see `moengage_mcp.team.oauth`).
DNS-rebinding protection stays on for every bind address: on loopback the allowed Host headers
are the loopback names, elsewhere they are the bind address or MOENGAGE_MCP_ALLOWED_HOSTS; the
host of MOENGAGE_MCP_PUBLIC_URL is always allowed.

Nothing a client holds open is unbounded: a connection must deliver its request headers, and then
its body, within MOENGAGE_MCP_HTTP_TIMEOUT (before bearer auth could refuse it); at most
MOENGAGE_MCP_HTTP_MAX_CONNECTIONS connections are served at once (503 beyond); a streamable-HTTP
session without requests closes after MOENGAGE_MCP_SESSION_IDLE_TIMEOUT, and one client (one
credential, else one address) holds at most MOENGAGE_MCP_SESSIONS_PER_CLIENT of them (429 beyond).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import anyio
from mcp.server.auth.routes import create_protected_resource_routes
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .settings import AuthMode, Settings

if TYPE_CHECKING:
    from .team.oauth import OAuthResource

HttpTransport = Literal["sse", "streamable-http"]
LOOPBACK_NAMES = ("localhost",)
WILDCARDS = ("0.0.0.0", "::")
MAX_SESSIONS = 1000
"""Streamable-HTTP sessions open at once, all clients together (the SDK's default is 10,000)."""
SESSION_HEADER = b"mcp-session-id"


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
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins
    )


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
        raise TransportConfigError(
            "--stateless applies to --transport streamable-http only (SSE needs its session)"
        )
    security = security_for(host, settings)
    if mode is AuthMode.OAUTH:
        _serve_oauth(server, oauth or _oauth_for(settings))
    if transport == "sse":
        app: ASGIApp = server.sse_app(transport_security=security, host=host)
    else:
        app = server.streamable_http_app(
            transport_security=security,
            host=host,
            stateless_http=stateless,
            session_idle_timeout=settings.session_idle_timeout,
            max_sessions=MAX_SESSIONS,
        )
    if mode is AuthMode.OAUTH:
        _advertise_scopes(app, server)
    if transport != "sse":
        app = SessionsPerClient(app, settings.sessions_per_client, settings.session_idle_timeout)
    if mode is AuthMode.BEARER:
        assert settings.bearer_token is not None  # enforced by Settings
        app = BearerAuth(app, settings.bearer_token.get_secret_value())
    return BodyTimeout(app, settings.http_timeout)


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
        auth.resource_server_url,
        [auth.issuer_url],
        scopes_supported=list(SCOPES),
        resource_name="MoEngage Campaigns",
    )
    app.router.routes[:0] = routes


def uvicorn_config(app: ASGIApp, host: str, port: int, settings: Settings) -> Any:
    """The uvicorn configuration that serves `app` within the HTTP limits of `settings`."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        lifespan="on",
        http=header_timeout_protocol(settings.http_timeout),
        limit_concurrency=settings.http_max_connections,
    )


def header_timeout_protocol(seconds: float) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol, closing a connection that has not sent a whole request head within
    `seconds` of connecting or of its previous response (uvicorn itself waits for ever)."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeaderTimeout(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            if self._between_requests() and self._deadline is None:
                self._arm()
            super().data_received(data)
            if not self._between_requests():
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _between_requests(self) -> bool:
            return self.cycle is None or self.cycle.response_complete

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(seconds, self._expired)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self) -> None:
            self._deadline = None
            if self._between_requests() and not self.transport.is_closing():
                self.transport.close()

    return HeaderTimeout


class BodyTimeout:
    """Answer 408 to a request whose body has not fully arrived within `seconds` of its headers.

    The app is told the client went away (so it stops reading) and its own answer, if any, is
    replaced by the 408."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = anyio.current_time() + self.seconds
        whole = timed_out = started = False

        async def timed_receive() -> Message:
            nonlocal whole, timed_out
            if whole or timed_out:
                return await receive() if whole else {"type": "http.disconnect"}
            with anyio.move_on_after(deadline - anyio.current_time()):
                message = await receive()
                whole = message["type"] != "http.request" or not message.get("more_body", False)
                return message
            timed_out = True
            return {"type": "http.disconnect"}

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if timed_out and not started:
                return  # the 408 answers instead
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, timed_receive, guarded_send)
        except Exception:
            if not timed_out:
                raise
        if timed_out and not started:
            await _json_error(
                send, 408, "request_timeout", f"the request body did not arrive within {self.seconds:g} s"
            )


@dataclass
class _Session:
    client: str
    in_flight: int = 0
    last_seen: float = field(default_factory=time.monotonic)


class SessionsPerClient:
    """At most `limit` open streamable-HTTP sessions per client (its credential, else its address).

    A session counts as open while a request for it is in flight or its last one ended less than the
    idle timeout ago: how the SDK itself decides to close it. A DELETE or a 404 for it ends it here too.
    """

    def __init__(
        self, app: ASGIApp, limit: int, idle_timeout: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.app = app
        self.limit = limit
        self.idle_timeout = idle_timeout
        self.clock = clock
        self._sessions: dict[str, _Session] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        client = _client_of(scope, headers)
        session_id = headers.get(SESSION_HEADER, b"").decode("latin-1")
        if not session_id and scope["method"] == "POST":
            await self._open(client, scope, receive, send)
        elif session_id in self._sessions:
            await self._use(self._sessions[session_id], session_id, scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _open(self, client: str, scope: Scope, receive: Receive, send: Send) -> None:
        held = self._held(client)
        if len(held) >= self.limit:
            wait = max(1, math.ceil(min(s.last_seen for s in held) + self.idle_timeout - self.clock()))
            message = (
                f"this client already holds {len(held)} open MCP sessions (MOENGAGE_MCP_SESSIONS_PER_CLIENT="
                f"{self.limit}): end one with DELETE, or retry in {wait} s when an idle one closes"
            )
            await _json_error(send, 429, "too_many_sessions", message, retry_after=wait)
            return

        async def noting_send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                created = dict(message.get("headers", [])).get(SESSION_HEADER)
                if created:
                    self._sessions[created.decode("latin-1")] = _Session(client)
            await send(message)

        await self.app(scope, receive, noting_send)

    async def _use(
        self, session: _Session, session_id: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        session.in_flight += 1
        status = 0

        async def noting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting_send)
        finally:
            session.in_flight -= 1
            session.last_seen = self.clock()
            if scope["method"] == "DELETE" or status == 404:
                self._sessions.pop(session_id, None)

    def _held(self, client: str) -> list[_Session]:
        now = self.clock()
        for session_id, session in list(self._sessions.items()):
            if not session.in_flight and now - session.last_seen >= self.idle_timeout:
                del self._sessions[session_id]  # closed by the SDK's idle timeout by now
        return [s for s in self._sessions.values() if s.client == client]


def _client_of(scope: Scope, headers: dict[bytes, bytes]) -> str:
    """Who holds a session: the credential it presents (hashed, never kept), else its address."""
    credential = headers.get(b"authorization")
    if credential:
        return "credential:" + hashlib.sha256(credential).hexdigest()[:16]
    host = (scope.get("client") or ("unknown", 0))[0]
    return f"address:{host}"


async def _json_error(
    send: Send, status: int, error: str, description: str, retry_after: int | None = None
) -> None:
    body = json.dumps({"error": error, "error_description": description}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


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
    body = json.dumps(
        {"error": "unauthorized", "error_description": "missing or wrong bearer token"}
    ).encode()
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
