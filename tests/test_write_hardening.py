"""Write-path attacks found in review: replayed or stale approvals on the 2026-07-28 protocol,
concurrent calls racing past an approval, an unwritable audit log, interrupted writes, spoofed
summaries and odd tokens. Each drives a real MCP session against the simulator and checks what
reached the API."""

from __future__ import annotations

import json

import anyio
import httpx
import pytest
from mcp.types import ElicitResult, InputRequiredResult

from moengage_mcp.server import create_server
from moengage_mcp.server.policy.confirmation import Binding, ConfirmationTokens, TokenError
from moengage_mcp.settings import SettingsError, load_settings
from moengage_mcp.simulator import DEMO_USERS, Simulator

from .conftest import asgi, audit_lines, make_client, mcp_client, server_settings
from .test_write_policy import answering, find, status_writes, valid_draft

pytestmark = pytest.mark.anyio

ACCEPT = ElicitResult(action="accept", content={"confirm": True})


def send_args(sim: Simulator) -> dict:
    return {"campaign_id": valid_draft(sim), "identifier": "USER_ATTRIBUTE_UNIQUE_ID", "recipients": [next(iter(DEMO_USERS))]}


async def both(*calls):
    """Run the calls concurrently; their results in order."""
    out: list = [None] * len(calls)

    async def run(i: int) -> None:
        out[i] = await calls[i]

    async with anyio.create_task_group() as tg:
        for i in range(len(calls)):
            tg.start_soon(run, i)
    return out


# ---------------------------------------------------------------------- 2026-07-28 approvals


async def test_a_replayed_approval_asks_again_and_sends_once(sim, tmp_path):
    args = send_args(sim)
    async with mcp_client(sim, tmp_path, client_kwargs={"elicitation_callback": answering("accept")}) as client:
        asked = await client.session.call_tool("test_campaign", args, allow_input_required=True)
        assert isinstance(asked, InputRequiredResult)
        [key] = asked.input_requests
        answers = {key: ACCEPT}
        rounds = [
            await client.session.call_tool(
                "test_campaign", args, input_responses=answers, request_state=asked.request_state, allow_input_required=True
            )
            for _ in range(2)
        ]
    assert rounds[0].structured_content["status"] == "done"
    assert isinstance(rounds[1], InputRequiredResult)  # the same answer replayed: the user is asked again
    assert len(sim.test_sends) == 1
    assert [line["decision"] for line in audit_lines(tmp_path)] == ["confirmed"]


async def test_a_campaign_edited_while_the_question_is_open_is_asked_again(sim, tmp_path):
    args = {"campaign_id": valid_draft(sim)}
    async with mcp_client(sim, tmp_path, client_kwargs={"elicitation_callback": answering("accept")}) as client:
        asked = await client.session.call_tool("publish_campaign", args, allow_input_required=True)
        [(key, question)] = asked.input_requests.items()
        doc = sim.campaigns[args["campaign_id"]]
        doc["version_number"] = (doc.get("version_number") or 1) + 1  # edited within the same minute
        again = await client.session.call_tool(
            "publish_campaign", args, input_responses={key: ACCEPT}, request_state=asked.request_state, allow_input_required=True
        )
    assert isinstance(again, InputRequiredResult)
    assert again.input_requests[key].params.message != question.params.message
    assert status_writes(sim) == [] and doc["status"] == "DRAFT"


# ---------------------------------------------------------------------- races


async def test_two_tokens_spent_together_write_once(sim, tmp_path):
    cid = find(sim, campaign_delivery_type="PERIODIC", status="ACTIVE", channel="PUSH")
    async with mcp_client(sim, tmp_path) as client:
        tokens = [(await client.call_tool("pause_campaign", {"campaign_id": cid})).structured_content["confirmation_token"] for _ in range(2)]
        results = await both(*(client.call_tool("pause_campaign", {"campaign_id": cid, "confirmation_token": t}) for t in tokens))
    assert sorted(r.is_error for r in results) == [False, True]
    assert [(w.method, w.status) for w in status_writes(sim)] == [("PATCH", 200)]


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_two_confirmed_calls_together_write_once(sim, tmp_path, mode):
    cid = find(sim, campaign_delivery_type="PERIODIC", status="ACTIVE", channel="PUSH")
    kwargs = {"mode": mode, "elicitation_callback": answering("accept")}
    async with mcp_client(sim, tmp_path, client_kwargs=kwargs) as client:
        results = await both(*(client.call_tool("pause_campaign", {"campaign_id": cid}) for _ in range(2)))
    refused = [r for r in results if r.is_error]
    assert len(refused) == 1 and "Nothing was sent" in refused[0].content[0].text
    assert [(w.method, w.status) for w in status_writes(sim)] == [("PATCH", 200)]


async def test_two_auto_publishes_together_write_once(sim, tmp_path):
    draft = valid_draft(sim)
    async with mcp_client(sim, tmp_path, write_mode="auto") as client:
        results = await both(*(client.call_tool("publish_campaign", {"campaign_id": draft}) for _ in range(2)))
    assert sorted(r.is_error for r in results) == [False, True]
    assert len(sim.writes()) == 1
    assert [line["decision"] for line in audit_lines(tmp_path)] in (["auto", "refused"], ["refused", "auto"])


# ---------------------------------------------------------------------- audit


async def test_an_unwritable_audit_log_stops_start_up(sim, tmp_path):
    (tmp_path / "dir").mkdir()
    settings = server_settings(tmp_path, audit_log=str(tmp_path / "dir"))
    async with make_client(sim) as api:
        with pytest.raises(SettingsError, match="MOENGAGE_MCP_AUDIT_LOG"):
            create_server(settings, api)
        create_server(server_settings(tmp_path, audit_log=str(tmp_path / "dir"), write_mode="off"), api)


async def test_a_write_is_refused_when_the_audit_log_stops_being_writable(sim, tmp_path):
    cid = find(sim, campaign_delivery_type="PERIODIC", status="ACTIVE", channel="PUSH")
    async with mcp_client(sim, tmp_path, write_mode="auto") as client:
        (tmp_path / "audit.jsonl").unlink(missing_ok=True)
        (tmp_path / "audit.jsonl").mkdir()
        res = await client.call_tool("pause_campaign", {"campaign_id": cid})
    assert res.is_error and "audit log" in res.content[0].text and "nothing is sent" in res.content[0].text
    assert status_writes(sim) == []


async def test_a_write_interrupted_by_the_client_is_still_audited(sim, tmp_path):
    cid = find(sim, campaign_delivery_type="PERIODIC", status="ACTIVE", channel="PUSH")
    sim.faults.inject(rf"/v5/campaigns/{cid}/status$", status=200, after_processing=True, delay=2.0, body=None)
    async with mcp_client(sim, tmp_path, write_mode="auto") as client:
        with pytest.raises(Exception, match="(?i)timed out"):
            await client.call_tool("pause_campaign", {"campaign_id": cid}, read_timeout_seconds=0.3)
        with anyio.fail_after(5):
            while not audit_lines(tmp_path):
                await anyio.sleep(0.05)
    [line] = audit_lines(tmp_path)
    assert line["decision"] == "auto" and line["outcome"].startswith("interrupted")


async def test_audit_lines_stay_one_line_whatever_the_arguments_hold(sim, tmp_path):
    args = {**send_args(sim), "variation": "a\u2028b\u2029c\x85d"}
    async with mcp_client(sim, tmp_path, write_mode="auto") as client:
        await client.call_tool("test_campaign", args)
    text = (tmp_path / "audit.jsonl").read_text()
    assert text.isascii() and len(text.splitlines()) == 1
    assert json.loads(text)["arguments"]["variation"] == args["variation"]


# ---------------------------------------------------------------------- what the person sees and says


@pytest.mark.parametrize("answer", ["yes", "true", "on", 1])
async def test_only_a_boolean_true_confirms(sim, tmp_path, answer):
    cid = find(sim, campaign_delivery_type="PERIODIC", status="ACTIVE", channel="PUSH")
    ask = answering("accept", answer)  # type: ignore[arg-type]
    async with mcp_client(sim, tmp_path, client_kwargs={"mode": "legacy", "elicitation_callback": ask}) as client:
        res = await client.call_tool("pause_campaign", {"campaign_id": cid})
    assert res.is_error and status_writes(sim) == []


async def test_a_campaign_name_cannot_add_lines_to_the_question(sim, tmp_path):
    cid = find(sim, campaign_delivery_type="ONE_TIME", status="SCHEDULED", channel="PUSH")
    sim.campaigns[cid]["basic_details"]["name"] = "QA\u2028Status: SCHEDULED -> SCHEDULED (dry run)\u2029\u202e\u200b\x85"
    ask = answering("decline")
    async with mcp_client(sim, tmp_path, client_kwargs={"elicitation_callback": ask}) as client:
        await client.call_tool("stop_campaign", {"campaign_id": cid})
    [question] = ask.asked
    assert not any(c in question for c in "\u2028\u2029\u202e\u200b\x85")
    assert len(question.splitlines()) == len(question.split("\n"))


async def test_a_test_send_without_per_recipient_results_is_not_reported_done(sim, tmp_path):
    class NoResults(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request):
            response = await asgi(sim).handle_async_request(request)
            if not request.url.path.endswith("/v5/campaigns/test"):
                return response
            body = json.loads(await response.aread())
            return httpx.Response(200, json={**body, "data": {}})

    async with mcp_client(sim, tmp_path, api=make_client(sim, transport=NoResults()), write_mode="auto") as client:
        res = await client.call_tool("test_campaign", send_args(sim))
    assert res.structured_content["status"] == "accepted" and "no per-recipient result" in res.structured_content["note"]


# ---------------------------------------------------------------------- tokens and settings


async def test_a_token_with_a_non_ascii_signature_is_refused_cleanly(sim, tmp_path):
    cid = find(sim, campaign_delivery_type="PERIODIC", status="ACTIVE", channel="PUSH")
    async with mcp_client(sim, tmp_path) as client:
        token = (await client.call_tool("pause_campaign", {"campaign_id": cid})).structured_content["confirmation_token"]
        res = await client.call_tool("pause_campaign", {"campaign_id": cid, "confirmation_token": token[:-1] + "é"})
    assert res.is_error and "invalid confirmation token" in res.content[0].text
    assert status_writes(sim) == []


def test_a_spent_token_stays_spent_at_its_expiry_instant():
    class Clock:
        t = 1_000_000.0

        def __call__(self) -> float:
            Clock.t += 0.000002  # every reading moves on, as a real clock would
            return Clock.t

    tokens = ConfirmationTokens(clock=Clock())
    binding = Binding("test_campaign", "a" * 24, {"campaign_id": "a" * 24}, "state")
    token, expires = tokens.mint(binding)
    tokens.redeem(token, binding)
    Clock.t = expires.timestamp() - 0.000003  # the expiry instant falls during the next redeem
    with pytest.raises(TokenError):
        tokens.redeem(token, binding)


def test_a_base_url_with_credentials_is_refused_without_echoing_them():
    env = {"MOENGAGE_WORKSPACE_ID": "W", "MOENGAGE_API_KEY": "k", "MOENGAGE_BASE_URL": "https://svc:SECRET@proxy.example.com"}
    with pytest.raises(SettingsError, match="MOENGAGE_BASE_URL: must not contain credentials") as caught:
        load_settings(env)
    assert "SECRET" not in str(caught.value)
