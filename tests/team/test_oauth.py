"""The OAuth resource server against a real issuer over loopback HTTP: which tokens get in, what the
SDK answers the others, the metadata clients discover, and who the signed-in user is inside a tool."""

from __future__ import annotations

import json

import anyio
import httpx
import pytest
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from mcp.server.mcpserver import MCPServer
from mcp.shared._httpx_utils import create_mcp_http_client

from moengage_mcp.settings import Settings, Toolset, load_settings
from moengage_mcp.simulator.serving import serve_in_thread
from moengage_mcp.team.oauth import SCOPES, Jwks, JwtVerifier, current_user, request_toolsets, toolsets_for
from moengage_mcp.transports import http_app

from .issuer import Issuer

pytestmark = pytest.mark.anyio

AUDIENCE = "http://127.0.0.1:9/mcp"
ENV = {"MOENGAGE_WORKSPACE_ID": "W", "MOENGAGE_API_KEY": "k", "MOENGAGE_MCP_AUTH": "oauth"}


def verifier(issuer: Issuer, **options) -> JwtVerifier:
    return JwtVerifier(Jwks(issuer.url, **options), AUDIENCE)


async def test_good_tokens_from_either_key_carry_the_user_and_scopes(issuer):
    check = verifier(issuer)
    for key in issuer.keys:  # RS256 and ES256
        token = await check.verify_token(
            issuer.token(AUDIENCE, key=key, scope="moengage:read moengage:send openid")
        )
        assert token is not None, key.algorithm
        assert token.subject == "user-ada" and token.claims == {"iss": issuer.url, "email": "ada@example.com"}
        assert (
            token.scopes == ["moengage:read", "moengage:send", "openid"] and token.client_id == "test-client"
        )
        assert token.resource == AUDIENCE
    assert issuer.jwks_fetches == 1  # the keys are kept


@pytest.mark.parametrize(
    "kind",
    [
        "expired",
        "wrong audience",
        "wrong issuer",
        "bad signature",
        "tampered",
        "alg none",
        "HS256 keyed with the public key",
        "unknown kid",
        "no moengage scope",
        "no subject",
        "not a JWT",
    ],
)
async def test_bad_tokens_are_refused_and_logged_without_the_token(issuer, kind, caplog):
    caplog.set_level("INFO", logger="moengage_mcp")
    token = issuer.bad_tokens(AUDIENCE)[kind]
    assert await verifier(issuer).verify_token(token) is None
    assert "token refused" in caplog.text and token not in caplog.text


async def test_scopes_as_a_list_and_a_small_clock_skew_are_accepted(issuer):
    import time

    check = verifier(issuer)
    listed = await check.verify_token(issuer.token(AUDIENCE, scope=None, scp=["moengage:read"]))
    assert listed is not None and listed.scopes == ["moengage:read"]
    assert (
        await check.verify_token(issuer.token(AUDIENCE, exp=int(time.time()) - 10)) is not None
    )  # within 30 s


async def test_a_new_key_is_fetched_once_and_made_up_key_ids_do_not_flood_the_issuer(issuer):
    check = verifier(issuer, min_refresh=0.5)
    assert await check.verify_token(issuer.token(AUDIENCE)) is not None
    rotated = issuer.rotate("EC")
    await anyio.sleep(0.6)
    assert await check.verify_token(issuer.token(AUDIENCE, key=rotated)) is not None  # unknown kid: refreshed
    assert issuer.jwks_fetches == 2
    made_up = issuer.bad_tokens(AUDIENCE)["unknown kid"]
    for _ in range(5):
        assert await check.verify_token(made_up) is None
    assert issuer.jwks_fetches == 2  # within min_refresh of the last fetch: no new request


async def test_discovery_falls_back_to_openid_configuration_and_a_jwks_url_skips_it():
    with Issuer(oidc_only=True).serving() as oidc:
        assert await verifier(oidc).verify_token(oidc.token(AUDIENCE)) is not None
    with Issuer().serving() as issuer:
        direct = JwtVerifier(Jwks(issuer.url, f"{issuer.url}/jwks", http=httpx.AsyncClient()), AUDIENCE)
        assert await direct.verify_token(issuer.token(AUDIENCE)) is not None


async def test_metadata_naming_another_issuer_is_not_trusted(issuer):
    check = JwtVerifier(Jwks(issuer.url.replace("127.0.0.1", "localhost")), AUDIENCE)
    token = issuer.token(AUDIENCE, iss=issuer.url.replace("127.0.0.1", "localhost"))
    assert await check.verify_token(token) is None  # its metadata says issuer 127.0.0.1, not localhost


def test_scopes_grant_toolsets_within_the_servers_own():
    everything = frozenset(Toolset)
    assert toolsets_for(SCOPES, everything) == everything
    assert toolsets_for(["moengage:read"], everything) == {Toolset.READ}
    assert toolsets_for(["moengage:read", "moengage:send"], {Toolset.READ}) == {Toolset.READ}  # never more
    assert toolsets_for(["read", "moengage:admin", "moengage:lifecycle"], everything) == {Toolset.LIFECYCLE}
    assert all(scope.removeprefix("moengage:") in {"read", "draft", "lifecycle", "send"} for scope in SCOPES)


def test_outside_oauth_a_request_may_use_the_servers_toolsets_and_in_it_only_a_users():
    plain = load_settings(
        {"MOENGAGE_WORKSPACE_ID": "W", "MOENGAGE_API_KEY": "k", "MOENGAGE_MCP_TOOLSETS": "read,send"}
    )
    assert request_toolsets(plain) == {Toolset.READ, Toolset.SEND}
    oauth = load_settings(
        ENV | {"MOENGAGE_MCP_OAUTH_ISSUER": "https://idp.example.com", "MOENGAGE_MCP_PUBLIC_URL": AUDIENCE}
    )
    assert request_toolsets(oauth) == frozenset()  # no signed-in user: nothing


# ---------------------------------------------------------------------- the SDK's HTTP side, served


def whoami_server(settings: Settings) -> MCPServer:
    server = MCPServer("moengage-mcp")

    @server.tool()
    def whoami() -> str:
        user = current_user(settings.toolsets)
        assert user is not None
        toolsets = sorted(t.value for t in request_toolsets(settings))
        return json.dumps({"sub": user.subject, "email": user.email, "toolsets": toolsets})

    return server


async def test_over_http_refusals_name_the_metadata_and_the_user_reaches_the_tool(issuer):
    # the public URL is where clients reach the server (a load balancer); here it only names things
    env = ENV | {"MOENGAGE_MCP_OAUTH_ISSUER": issuer.url, "MOENGAGE_MCP_PUBLIC_URL": AUDIENCE}
    settings = load_settings(env | {"MOENGAGE_MCP_TOOLSETS": "read,lifecycle,send"})
    app = http_app(whoami_server(settings), "streamable-http", "127.0.0.1", settings)
    with serve_in_thread(app) as url:
        async with httpx.AsyncClient() as raw:
            denied = await raw.post(f"{url}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
            metadata = (await raw.get(f"{url}/.well-known/oauth-protected-resource/mcp")).json()
        token = issuer.token(AUDIENCE, scope="moengage:read moengage:lifecycle moengage:draft")
        http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
        async with Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client:
            me = json.loads((await client.call_tool("whoami", {})).content[0].text)
    assert denied.status_code == 401
    challenge = denied.headers["www-authenticate"]
    assert challenge.startswith("Bearer ") and 'error="invalid_token"' in challenge
    assert 'resource_metadata="http://127.0.0.1:9/.well-known/oauth-protected-resource/mcp"' in challenge
    assert metadata["resource"] == AUDIENCE and metadata["authorization_servers"] == [issuer.url]
    assert metadata["scopes_supported"] == list(SCOPES)
    assert me == {"sub": "user-ada", "email": "ada@example.com", "toolsets": ["lifecycle", "read"]}


async def test_sse_is_served_the_same_way(issuer):
    sse_url = "http://127.0.0.1:9/sse"
    settings = load_settings(
        ENV | {"MOENGAGE_MCP_OAUTH_ISSUER": issuer.url, "MOENGAGE_MCP_PUBLIC_URL": sse_url}
    )
    app = http_app(whoami_server(settings), "sse", "127.0.0.1", settings)
    with serve_in_thread(app) as url:
        async with httpx.AsyncClient() as raw:
            denied = await raw.get(f"{url}/sse")
            metadata = (await raw.get(f"{url}/.well-known/oauth-protected-resource/sse")).json()
        token = issuer.token(sse_url, scope="moengage:read")
        async with Client(
            sse_client(f"{url}/sse", headers={"Authorization": f"Bearer {token}"}), mode="legacy"
        ) as client:
            me = json.loads((await client.call_tool("whoami", {})).content[0].text)
    assert denied.status_code == 401 and "oauth-protected-resource/sse" in denied.headers["www-authenticate"]
    assert metadata["resource"] == sse_url and metadata["scopes_supported"] == list(SCOPES)
    assert me["sub"] == "user-ada" and me["toolsets"] == ["read"]
