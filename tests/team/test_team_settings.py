"""The team settings: strict one-line errors (exit 2), today's behaviour when none is set, the shared
secret's keys (request state sealed on one replica opens on another), and --stateless."""

from __future__ import annotations

import pytest
from mcp.server.request_state import InvalidRequestState

from moengage_mcp.settings import AuthMode, SettingsError, load_settings
from moengage_mcp.team.keys import REQUEST_STATE_AUDIENCE, request_state_security
from moengage_mcp.transports import TransportConfigError, http_app, security_for

from ..test_transports import run_cli

BASE = {"MOENGAGE_WORKSPACE_ID": "W", "MOENGAGE_API_KEY": "k"}
KEY_A, KEY_B = "a" * 32, "b" * 40
OAUTH = {
    "MOENGAGE_MCP_AUTH": "oauth",
    "MOENGAGE_MCP_OAUTH_ISSUER": "https://login.example.com",
    "MOENGAGE_MCP_PUBLIC_URL": "https://mcp.example.com/mcp",
}


def test_nothing_set_is_what_it_was():
    plain = load_settings(BASE)
    assert plain.auth_mode is AuthMode.NONE and plain.redis_url is None and plain.secret == ()
    assert load_settings(BASE | {"MOENGAGE_MCP_BEARER_TOKEN": "t" * 20}).auth_mode is AuthMode.BEARER


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"MOENGAGE_MCP_AUTH": "saml"}, "MOENGAGE_MCP_AUTH: expected one of"),
        ({"MOENGAGE_MCP_AUTH": "bearer"}, "MOENGAGE_MCP_AUTH=bearer needs MOENGAGE_MCP_BEARER_TOKEN"),
        ({"MOENGAGE_MCP_AUTH": "none", "MOENGAGE_MCP_BEARER_TOKEN": "t" * 20}, "unset one of them"),
        ({"MOENGAGE_MCP_AUTH": "oauth"}, "MOENGAGE_MCP_AUTH=oauth needs MOENGAGE_MCP_OAUTH_ISSUER"),
        (OAUTH | {"MOENGAGE_MCP_PUBLIC_URL": ""}, "MOENGAGE_MCP_AUTH=oauth needs MOENGAGE_MCP_PUBLIC_URL"),
        (
            OAUTH | {"MOENGAGE_MCP_OAUTH_ISSUER": "http://login.example.com"},
            "MOENGAGE_MCP_OAUTH_ISSUER: must be https",
        ),
        (
            OAUTH | {"MOENGAGE_MCP_OAUTH_JWKS_URL": "ftp://x"},
            "MOENGAGE_MCP_OAUTH_JWKS_URL: expected an http(s) URL",
        ),
        (
            {"MOENGAGE_MCP_PUBLIC_URL": "https://mcp.example.com/mcp"},
            "only used with MOENGAGE_MCP_AUTH=oauth",
        ),
        ({"MOENGAGE_MCP_REDIS_URL": "redis://:hunter2-password@redis:6379/0"}, "needs MOENGAGE_MCP_SECRET"),
        ({"MOENGAGE_MCP_REDIS_URL": "http://hunter2-password@x", "MOENGAGE_MCP_SECRET": KEY_A}, "redis://"),
        ({"MOENGAGE_MCP_SECRET": "hunter2-password"}, "at least 32 characters"),
        ({"MOENGAGE_MCP_SECRET": f"{KEY_A},{KEY_A}"}, "a key is listed twice"),
    ],
)
def test_bad_team_settings_stop_with_one_line_and_no_secret(env, needle):
    with pytest.raises(SettingsError) as bad:
        load_settings(BASE | env)
    assert needle in str(bad.value) and "hunter2" not in str(bad.value)
    out = run_cli(env=BASE | env)
    assert out.returncode == 2 and needle in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert "hunter2" not in out.stderr


def test_good_team_settings_and_the_public_hosts_they_allow():
    team = load_settings(
        BASE
        | OAUTH
        | {"MOENGAGE_MCP_REDIS_URL": "rediss://redis:6380/0", "MOENGAGE_MCP_SECRET": f"{KEY_A},{KEY_B}"}
    )
    assert team.auth_mode is AuthMode.OAUTH and len(team.secret) == 2
    assert "mcp.example.com" in security_for("0.0.0.0", team).allowed_hosts  # the public URL's host
    assert "rediss://" not in repr(team) and KEY_A not in repr(team)


def test_replicas_sharing_the_secret_open_each_others_request_state():
    one = request_state_security(load_settings(BASE | {"MOENGAGE_MCP_SECRET": KEY_A}))
    other = request_state_security(
        load_settings(BASE | {"MOENGAGE_MCP_SECRET": f"{KEY_B},{KEY_A}"})
    )  # rotating
    stranger = request_state_security(load_settings(BASE | {"MOENGAGE_MCP_SECRET": KEY_B}))
    alone = request_state_security(load_settings(BASE))
    sealed = one.codec.seal(b"state")
    assert other.codec.unseal(sealed) == b"state"
    assert one.audience == REQUEST_STATE_AUDIENCE
    for outsider in (stranger, alone):
        with pytest.raises(InvalidRequestState):
            outsider.codec.unseal(sealed)


def test_stateless_is_for_streamable_http_and_oauth_needs_no_bearer_token_beyond_loopback(tmp_path):
    from mcp.server.mcpserver import MCPServer

    with pytest.raises(TransportConfigError, match="--stateless"):
        http_app(MCPServer("x"), "sse", "127.0.0.1", load_settings(BASE), stateless=True)
    with pytest.raises(TransportConfigError, match="MOENGAGE_MCP_AUTH=oauth"):
        http_app(MCPServer("x"), "streamable-http", "10.0.0.5", load_settings(BASE))
    http_app(MCPServer("x"), "streamable-http", "0.0.0.0", load_settings(BASE | OAUTH), stateless=True)
