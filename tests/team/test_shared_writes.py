"""The write path across replicas (issue 18): `moengage_mcp/server/` wired to `moengage_mcp.team`.
Each test runs against two real replicas behind nginx, sharing one redis-server, calling one
simulator, signing in with a loopback issuer."""

from __future__ import annotations

import json

import pytest

from moengage_mcp.simulator import DEMO_CAMPAIGN_IDS, DEMO_USERS

from .stack import Team

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

TEST_SEND = {
    "campaign_id": DEMO_CAMPAIGN_IDS["valid_push_draft"],
    "identifier": "USER_ATTRIBUTE_UNIQUE_ID",
    "recipients": [next(iter(DEMO_USERS))],
}


def sent_tests(team: Team) -> list:
    return [
        r
        for r in team.sim.requests
        if r.method == "POST" and r.path == "/v5/campaigns/test" and r.status == 200
    ]


async def test_a_token_minted_on_one_replica_is_spent_once_on_any(two_replicas, issuer):
    team = two_replicas
    token = issuer.token(team.public_url)
    async with team.replica_client(0, token) as first, team.replica_client(1, token) as second:
        asked = (await first.call_tool("test_campaign", TEST_SEND)).structured_content
        confirmed = {**TEST_SEND, "confirmation_token": asked["confirmation_token"]}
        on_other = await second.call_tool("test_campaign", confirmed)  # minted on replica 0
        again = await first.call_tool("test_campaign", confirmed)  # a replay
    assert not on_other.is_error and on_other.structured_content["status"] == "done"
    assert again.is_error and "already used" in again.content[0].text
    assert len(sent_tests(team)) == 1


async def test_a_token_is_bound_to_the_user_it_was_shown_to(two_replicas, issuer):
    team = two_replicas
    ada, bob = (
        issuer.token(team.public_url),
        issuer.token(team.public_url, sub="user-bob", email="bob@example.com"),
    )
    async with team.replica_client(0, ada) as as_ada, team.replica_client(0, bob) as as_bob:
        asked = (await as_ada.call_tool("test_campaign", TEST_SEND)).structured_content
        stolen = await as_bob.call_tool(
            "test_campaign", {**TEST_SEND, "confirmation_token": asked["confirmation_token"]}
        )
    assert stolen.is_error and sent_tests(team) == []


async def test_with_redis_gone_writes_are_refused_saying_why(two_replicas, issuer, redis_server):
    team = two_replicas
    redis_server.kill()
    async with team.client(issuer.token(team.public_url)) as client:
        refused = await client.call_tool("test_campaign", TEST_SEND)
        read = await client.call_tool("get_campaign", {"campaign_id": TEST_SEND["campaign_id"]})
    assert refused.is_error and "MOENGAGE_MCP_REDIS_URL" in refused.content[0].text
    assert not read.is_error and sent_tests(team) == []


async def test_a_users_scopes_decide_the_tools_they_see(two_replicas, issuer):
    team = two_replicas
    async with team.client(issuer.token(team.public_url, scope="moengage:read")) as reader:
        tools = {t.name for t in (await reader.list_tools()).tools}
        pause = await reader.call_tool(
            "pause_campaign", {"campaign_id": DEMO_CAMPAIGN_IDS["periodic_most_executions"]}
        )
    assert "get_campaign" in tools and not tools & {"pause_campaign", "test_campaign", "publish_campaign"}
    assert pause.is_error and "moengage:lifecycle" in pause.content[0].text


async def test_the_audit_log_names_the_user(two_replicas, issuer):
    team = two_replicas
    async with team.client(issuer.token(team.public_url)) as client:
        await client.call_tool("test_campaign", TEST_SEND)
    lines = [
        json.loads(line)
        for n in (0, 1)
        if (p := team.directory / f"audit-{n}.jsonl").exists()
        for line in p.read_text().splitlines()
        if json.loads(line).get("event") != "start"  # a replica's start-up line: no request, no user
    ]
    assert lines and all(line.get("user", {}).get("sub") == "user-ada" for line in lines)
    assert all(line["user"].get("email") == "ada@example.com" for line in lines)
