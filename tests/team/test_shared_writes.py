"""The write path across replicas (issue 18): `moengage_mcp/server/` wired to `moengage_mcp.team`.
Each test runs against two real replicas behind nginx, sharing one redis-server, calling one
simulator, signing in with a loopback issuer."""

from __future__ import annotations

import json
import uuid
from contextlib import AsyncExitStack

import anyio
import pytest
from mcp import Client

from moengage_mcp.server import create_server
from moengage_mcp.simulator import DEMO_CAMPAIGN_IDS, DEMO_USERS, Simulator
from moengage_mcp.team.keys import SigningKeys
from moengage_mcp.team.redis_state import redis_state

from ..conftest import make_client, server_settings
from ..test_drafts import AUTHOR, brief
from .stack import Team

KEYS = SigningKeys([b"k" * 32])

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


async def test_two_replicas_pausing_one_campaign_at_once_send_one_patch(two_replicas, issuer):
    team = two_replicas
    cid = DEMO_CAMPAIGN_IDS["periodic_most_executions"]
    token = issuer.token(team.public_url)
    answers: dict[int, object] = {}
    async with team.replica_client(0, token) as first, team.replica_client(1, token) as second:
        clients = (first, second)
        # each replica shows the summary and mints a token for the same state
        tokens = [
            (await c.call_tool("pause_campaign", {"campaign_id": cid})).structured_content[
                "confirmation_token"
            ]
            for c in clients
        ]

        async def confirm(n: int) -> None:
            answers[n] = await clients[n].call_tool(
                "pause_campaign", {"campaign_id": cid, "confirmation_token": tokens[n]}
            )

        async with anyio.create_task_group() as tg:  # both confirmed at once, one on each replica
            for n in (0, 1):
                tg.start_soon(confirm, n)
    done = [a for a in answers.values() if not a.is_error]
    refused = [a for a in answers.values() if a.is_error]
    assert len(done) == 1 and done[0].structured_content["status"] == "done"
    # refused before its write: by the state it read under the lock (the action ran), or before it (PAUSED)
    assert len(refused) == 1 and "Nothing was sent" in refused[0].content[0].text
    patches = [
        r for r in team.sim.requests if r.method == "PATCH" and r.path == f"/v5/campaigns/{cid}/status"
    ]
    assert len(patches) == 1


async def test_a_write_on_one_replica_makes_the_others_cached_reads_stale(two_replicas, issuer):
    team = two_replicas
    cid = DEMO_CAMPAIGN_IDS["periodic_most_executions"]
    token = issuer.token(team.public_url)
    read = {"campaign_id": cid}
    async with team.replica_client(0, token) as writer, team.replica_client(1, token) as reader:
        before = (await reader.call_tool("get_campaign", read)).structured_content["campaign"]
        cached = (await reader.call_tool("get_campaign", read)).structured_content["campaign"]
        gets = sum(r.method == "GET" and r.path == f"/v5/campaigns/{cid}" for r in team.sim.requests)
        asked = (await writer.call_tool("pause_campaign", read)).structured_content
        paused = await writer.call_tool(
            "pause_campaign", {**read, "confirmation_token": asked["confirmation_token"]}
        )
        after = (await reader.call_tool("get_campaign", read)).structured_content["campaign"]
    assert before == cached and gets == 1  # the reader's second read came from its cache
    assert paused.structured_content["status"] == "done"
    assert before["status"] == "ACTIVE" and after["status"] == "PAUSED"


async def test_each_user_lists_only_their_own_tools_on_one_replica(two_replicas, issuer):
    team = two_replicas
    scopes = [
        "moengage:read",
        "moengage:read moengage:lifecycle",
        "moengage:read moengage:send moengage:draft",
    ]
    listed = []
    for scope in [*scopes, scopes[0]]:  # the first user again, after the others: no list leaks between them
        async with team.replica_client(0, issuer.token(team.public_url, scope=scope)) as client:
            listed.append({t.name for t in (await client.list_tools()).tools})
    reader, lifecycle, sender, reader_again = listed
    assert "get_campaign" in reader and not reader & {"pause_campaign", "test_campaign", "create_campaign"}
    assert "pause_campaign" in lifecycle and not lifecycle & {"test_campaign", "create_campaign"}
    assert {
        "test_campaign",
        "publish_campaign",
        "create_campaign",
    } <= sender and "pause_campaign" not in sender
    assert reader_again == reader and reader < lifecycle and reader < sender


async def test_drafts_name_the_signed_in_user_as_their_author(two_replicas, issuer):
    team = two_replicas
    async with team.client(issuer.token(team.public_url)) as client:  # through nginx: either replica
        asked = (await client.call_tool("create_campaign", brief())).structured_content
        made = await client.call_tool(
            "create_campaign", {**brief(), "confirmation_token": asked["confirmation_token"]}
        )
    assert 'Created by: "ada@example.com".' in asked["summary"]
    assert not made.is_error and made.structured_content["status"] == "done"
    [create] = [r for r in team.sim.requests if r.method == "POST" and r.path == "/v5/campaigns"]
    assert create.body["created_by"] == "ada@example.com"


async def test_a_token_minted_before_redis_lost_its_data_is_refused(two_replicas, issuer, redis_server):
    team = two_replicas
    async with team.client(issuer.token(team.public_url)) as client:
        asked = (await client.call_tool("test_campaign", TEST_SEND)).structured_content
        redis_server.kill()
        redis_server.start()  # the same port, no data: every spent token is forgotten
        late = await client.call_tool(
            "test_campaign", {**TEST_SEND, "confirmation_token": asked["confirmation_token"]}
        )
    assert late.is_error and "shared state was reset" in late.content[0].text
    assert sent_tests(team) == []


async def test_a_create_whose_answer_was_lost_on_one_replica_lands_on_the_same_draft_from_another(
    tmp_path, redis_server
):
    """Two servers sharing one real Redis (in this process, on one simulator): the answer to replica 0's
    create is lost, so its outcome is unknown; the user calls again and replica 1 answers. It must send
    under the same request_id, so MoEngage hands back the draft it made instead of a second one."""
    sim = Simulator()
    sim.faults.inject(r"^/v5/campaigns$", method="POST", status=503, count=20, after_processing=True)
    before = set(sim.campaigns)
    prefix = f"lost-{uuid.uuid4().hex[:8]}"
    settings = server_settings(tmp_path, write_mode="auto", author_email=AUTHOR)
    async with AsyncExitStack() as stack:
        servers = []
        for _ in range(2):
            state = await stack.enter_async_context(redis_state(redis_server.url, KEYS, prefix=prefix))
            api = await stack.enter_async_context(make_client(sim))
            servers.append(
                await stack.enter_async_context(Client(create_server(settings, api, shared=state)))
            )
        lost = await servers[0].call_tool("create_campaign", brief())
        sim.faults.clear()
        again = await servers[1].call_tool("create_campaign", brief())
    assert lost.is_error and "may or may not have been created" in lost.content[0].text
    assert again.structured_content["status"] == "done", again.content[0].text
    [made] = [cid for cid in sim.campaigns if cid not in before]
    assert again.structured_content["campaign_id"] == made
    assert len({r.body["request_id"] for r in sim.requests if r.path == "/v5/campaigns"}) == 1
