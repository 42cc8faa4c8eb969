"""Security regressions for the write path: every way a write could happen without a person's yes.

Every test drives a real MCP client session against the simulator and checks what reached the
API (`sim.writes()`, `sim.test_sends`) and what the audit log says.
"""

from __future__ import annotations

import json
import time

import anyio
import httpx
import pytest
from mcp import Client
from mcp.types import ElicitResult, InputRequiredResult

from moengage_mcp.server import create_server
from moengage_mcp.server.policy.confirmation import Binding, ConfirmationTokens, TokenError
from moengage_mcp.simulator import DEMO_API_KEY, DEMO_CAMPAIGN_IDS, DEMO_USERS, Simulator

from .conftest import asgi, audit_lines, make_client, mcp_client, server_settings

pytestmark = pytest.mark.anyio


def find(sim: Simulator, **fields) -> str:
    return next(cid for cid, doc in sim.campaigns.items() if all(doc.get(k) == v for k, v in fields.items()))


def valid_draft(sim: Simulator) -> str:
    from moengage_mcp.simulator.state import validate_campaign as rules

    return next(
        cid
        for cid, d in sim.campaigns.items()
        if d["status"] == "DRAFT"
        and d["channel"] == "PUSH"
        and not rules(d, sim.now())
        and not d.get("parent_id")
    )


def answering(action: str, confirm: bool | None = True):
    """An elicitation callback that answers every question the same way, and records them."""
    asked: list[str] = []

    async def callback(context, params):
        asked.append(params.message)
        content = {"confirm": confirm} if action == "accept" else None
        return ElicitResult(action=action, content=content)

    callback.asked = asked  # type: ignore[attr-defined]
    return callback


@pytest.fixture(params=["auto", "legacy"])
def mode(request) -> str:
    """2026-07-28 (input_required rounds) and 2025-11-25 (mid-call elicitation request)."""
    return request.param


def status_writes(sim: Simulator) -> list:
    return [r for r in sim.writes() if r.method == "PATCH" or r.path.endswith("/test")]


ACCEPT = ElicitResult(action="accept", content={"confirm": True})


def send_args(sim: Simulator) -> dict:
    return {
        "campaign_id": valid_draft(sim),
        "identifier": "USER_ATTRIBUTE_UNIQUE_ID",
        "recipients": [next(iter(DEMO_USERS))],
    }


async def both(*calls):
    """Run the calls concurrently; their results in order."""
    out: list = [None] * len(calls)

    async def run(i: int) -> None:
        out[i] = await calls[i]

    async with anyio.create_task_group() as tg:
        for i in range(len(calls)):
            tg.start_soon(run, i)
    return out


# ---------------------------------------------------------------------- elicitation path


async def test_accept_sends_exactly_one_request_and_reports_the_reached_status(sim, tmp_path, mode):
    cid = find(sim, campaign_delivery_type="PERIODIC", status="ACTIVE", channel="PUSH")
    ask = answering("accept", True)
    async with mcp_client(sim, tmp_path, client_kwargs={"mode": mode, "elicitation_callback": ask}) as client:
        res = await client.call_tool("pause_campaign", {"campaign_id": cid})
    assert not res.is_error, res.content[0].text
    out = res.structured_content
    assert out["status"] == "done" and out["status_before"] == "ACTIVE" and out["status_after"] == "PAUSED"
    assert len(status_writes(sim)) == 1 and sim.campaigns[cid]["status"] == "PAUSED"
    assert (
        len(ask.asked) == 1
        and "Pause" in ask.asked[0]
        and cid in ask.asked[0]
        and "ACTIVE -> PAUSED" in ask.asked[0]
    )
    [line] = audit_lines(tmp_path)
    assert (
        line["decision"] == "confirmed"
        and line["request_id"] == out["request_id"]
        and line["tool"] == "pause_campaign"
    )


@pytest.mark.parametrize(
    ("action", "confirm", "status"),
    [("decline", None, "declined"), ("cancel", None, "cancelled"), ("accept", False, "declined")],
)
async def test_decline_cancel_or_unchecked_sends_nothing(sim, tmp_path, mode, action, confirm, status):
    cid = find(sim, campaign_delivery_type="PERIODIC", status="ACTIVE", channel="PUSH")
    ask = answering(action, confirm)
    async with mcp_client(sim, tmp_path, client_kwargs={"mode": mode, "elicitation_callback": ask}) as client:
        res = await client.call_tool("pause_campaign", {"campaign_id": cid})
    assert res.structured_content["status"] == status and "Nothing was sent" in res.structured_content["note"]
    assert status_writes(sim) == [] and sim.campaigns[cid]["status"] == "ACTIVE"
    assert [line["decision"] for line in audit_lines(tmp_path)] == ["declined"]


async def test_a_campaign_changed_while_the_question_was_open_is_refused(sim, tmp_path):
    cid = find(sim, campaign_delivery_type="PERIODIC", status="ACTIVE", channel="PUSH")

    async def edit_then_accept(context, params):
        sim.campaigns[cid]["status"] = "PAUSED"  # someone else acted meanwhile
        return ElicitResult(action="accept", content={"confirm": True})

    async with mcp_client(
        sim, tmp_path, client_kwargs={"mode": "legacy", "elicitation_callback": edit_then_accept}
    ) as client:
        res = await client.call_tool("pause_campaign", {"campaign_id": cid})
    assert res.is_error and "Nothing was sent" in res.content[0].text
    assert status_writes(sim) == []
    assert audit_lines(tmp_path)[-1]["decision"] == "refused"


# ---------------------------------------------------------------------- token path (no elicitation)


async def test_no_elicitation_client_gets_a_token_and_the_second_call_runs(sim, tmp_path, mode):
    cid = find(sim, campaign_delivery_type="ONE_TIME", status="SCHEDULED", channel="PUSH")
    async with mcp_client(sim, tmp_path, client_kwargs={"mode": mode}) as client:
        first = await client.call_tool("stop_campaign", {"campaign_id": cid})
        out = first.structured_content
        assert not first.is_error and out["status"] == "confirmation_required"
        assert {"summary", "confirmation_token", "expires_at"} <= set(out) and "cannot be resumed" in out[
            "summary"
        ]
        assert status_writes(sim) == []
        second = await client.call_tool(
            "stop_campaign", {"campaign_id": cid, "confirmation_token": out["confirmation_token"]}
        )
    assert second.structured_content["status"] == "done" and sim.campaigns[cid]["status"] == "STOPPED"
    assert len(status_writes(sim)) == 1
    assert [line["decision"] for line in audit_lines(tmp_path)] == ["pending", "confirmed"]
    assert out["confirmation_token"] not in (tmp_path / "audit.jsonl").read_text()


async def test_token_reuse_is_refused(sim, tmp_path):
    cid = find(sim, campaign_delivery_type="PERIODIC", status="ACTIVE", channel="PUSH")
    async with mcp_client(sim, tmp_path) as client:
        token = (await client.call_tool("pause_campaign", {"campaign_id": cid})).structured_content[
            "confirmation_token"
        ]
        await client.call_tool("pause_campaign", {"campaign_id": cid, "confirmation_token": token})
        sim.campaigns[cid]["status"] = "ACTIVE"  # even if the state comes back the same, the token is spent
        sim.campaigns[cid]["updated_at"] = sim.campaigns[cid]["updated_at"]
        again = await client.call_tool("pause_campaign", {"campaign_id": cid, "confirmation_token": token})
    assert again.is_error
    assert len(status_writes(sim)) == 1


async def test_a_token_for_another_campaign_tool_or_arguments_is_refused(sim, tmp_path):
    a = find(sim, campaign_delivery_type="PERIODIC", status="ACTIVE", channel="PUSH")
    b = next(
        c
        for c, d in sim.campaigns.items()
        if d["campaign_delivery_type"] == "PERIODIC" and d["status"] == "ACTIVE" and c != a
    )
    recipients = list(DEMO_USERS)[:2]
    draft = valid_draft(sim)
    async with mcp_client(sim, tmp_path) as client:
        token = (await client.call_tool("pause_campaign", {"campaign_id": a})).structured_content[
            "confirmation_token"
        ]
        other_campaign = await client.call_tool(
            "pause_campaign", {"campaign_id": b, "confirmation_token": token}
        )
        args = {"campaign_id": draft, "identifier": "USER_ATTRIBUTE_UNIQUE_ID", "recipients": recipients}
        test_token = (await client.call_tool("test_campaign", args)).structured_content["confirmation_token"]
        other_args = await client.call_tool(
            "test_campaign",
            {**args, "recipients": [*recipients, list(DEMO_USERS)[2]], "confirmation_token": test_token},
        )
        other_tool = await client.call_tool(
            "publish_campaign", {"campaign_id": draft, "confirmation_token": test_token}
        )
        forged = await client.call_tool(
            "pause_campaign", {"campaign_id": a, "confirmation_token": token[:-4] + "AAAA"}
        )
    assert other_campaign.is_error and "does not match" in other_campaign.content[0].text
    assert other_tool.is_error and "issued for test_campaign" in other_tool.content[0].text
    assert other_args.is_error and "does not match" in other_args.content[0].text
    assert forged.is_error and "invalid confirmation token" in forged.content[0].text
    assert status_writes(sim) == [] and sim.test_sends == []
    decisions = [line["decision"] for line in audit_lines(tmp_path)]
    assert decisions == ["pending", "refused", "pending", "refused", "refused", "refused"]
    assert sim.campaigns[draft]["status"] == "DRAFT"


async def test_an_expired_token_is_refused(sim, tmp_path):
    now = [time.time()]
    tokens = ConfirmationTokens(clock=lambda: now[0])
    cid = find(sim, campaign_delivery_type="PERIODIC", status="ACTIVE", channel="PUSH")
    async with make_client(sim) as api:
        server = create_server(server_settings(tmp_path), api, tokens=tokens)
        async with Client(server) as client:
            token = (await client.call_tool("pause_campaign", {"campaign_id": cid})).structured_content[
                "confirmation_token"
            ]
            now[0] += 301
            late = await client.call_tool("pause_campaign", {"campaign_id": cid, "confirmation_token": token})
    assert late.is_error and "expired" in late.content[0].text
    assert status_writes(sim) == []


async def test_a_token_after_the_campaign_changed_state_is_refused(sim, tmp_path):
    cid = find(sim, campaign_delivery_type="PERIODIC", status="ACTIVE", channel="PUSH")
    async with mcp_client(sim, tmp_path) as client:
        token = (await client.call_tool("pause_campaign", {"campaign_id": cid})).structured_content[
            "confirmation_token"
        ]
        sim.campaigns[cid]["updated_at"] = "2099-01-01 00:00:00.000000"  # edited since the summary was shown
        res = await client.call_tool("pause_campaign", {"campaign_id": cid, "confirmation_token": token})
    assert res.is_error and "does not match" in res.content[0].text
    assert status_writes(sim) == []


# ---------------------------------------------------------------------- modes and toolsets


async def test_off_mode_hides_write_tools_and_refuses_them_by_name(sim, tmp_path):
    cid = find(sim, campaign_delivery_type="PERIODIC", status="ACTIVE", channel="PUSH")
    async with mcp_client(sim, tmp_path, write_mode="off") as client:
        names = {t.name for t in (await client.list_tools()).tools}
        res = await client.call_tool("pause_campaign", {"campaign_id": cid})
    assert names.isdisjoint(
        {"publish_campaign", "test_campaign", "pause_campaign", "resume_campaign", "stop_campaign"}
    )
    assert res.is_error and "MOENGAGE_MCP_WRITE_MODE" in res.content[0].text
    assert sim.requests == []
    assert audit_lines(tmp_path)[0]["decision"] == "refused"


async def test_toolsets_filter_listing_and_calls(sim, tmp_path):
    cid = find(sim, campaign_delivery_type="PERIODIC", status="ACTIVE", channel="PUSH")
    async with mcp_client(sim, tmp_path, toolsets="read,lifecycle") as client:
        names = {t.name for t in (await client.list_tools()).tools}
        res = await client.call_tool("publish_campaign", {"campaign_id": cid})
    assert "pause_campaign" in names and "publish_campaign" not in names and "test_campaign" not in names
    assert res.is_error and "MOENGAGE_MCP_TOOLSETS" in res.content[0].text and "'send'" in res.content[0].text
    async with mcp_client(sim, tmp_path, toolsets="send") as client:
        names = {t.name for t in (await client.list_tools()).tools}
        res = await client.call_tool("search_campaigns", {})
    assert names == {"publish_campaign", "test_campaign"} and res.is_error
    assert sim.requests == []


async def test_auto_mode_asks_nobody_but_still_preflights_and_audits(sim, tmp_path):
    cid = find(sim, campaign_delivery_type="PERIODIC", status="PAUSED", channel="PUSH")
    ask = answering("decline")
    async with mcp_client(
        sim, tmp_path, write_mode="auto", client_kwargs={"elicitation_callback": ask}
    ) as client:
        res = await client.call_tool("resume_campaign", {"campaign_id": cid})
    assert res.structured_content["status"] == "done" and ask.asked == []
    assert sim.requests[0].method == "GET"  # pre-flight read before the write
    assert [line["decision"] for line in audit_lines(tmp_path)] == ["auto"]


# ---------------------------------------------------------------------- state machine


FORBIDDEN = [
    ("pause_campaign", {"campaign_delivery_type": "ONE_TIME", "status": "SCHEDULED"}),
    ("resume_campaign", {"campaign_delivery_type": "PERIODIC", "status": "ACTIVE"}),
    ("stop_campaign", {"campaign_delivery_type": "PERIODIC", "status": "ACTIVE"}),
    ("stop_campaign", {"campaign_delivery_type": "ONE_TIME", "status": "SENT"}),
    ("pause_campaign", {"campaign_delivery_type": "PERIODIC", "status": "PAUSED"}),
    ("pause_campaign", {"campaign_delivery_type": "BUSINESS_EVENT_TRIGGERED", "status": "ACTIVE"}),
    ("stop_campaign", {"channel": "SMS", "status": "SCHEDULED"}),
    ("publish_campaign", {"status": "ACTIVE", "channel": "PUSH"}),
]


@pytest.mark.parametrize(("tool", "fields"), FORBIDDEN)
async def test_forbidden_transitions_are_refused_before_the_api(sim, tmp_path, tool, fields):
    cid = find(sim, **fields)
    async with mcp_client(sim, tmp_path, write_mode="auto") as client:
        res = await client.call_tool(tool, {"campaign_id": cid})
    assert res.is_error and "Nothing was sent" in res.content[0].text
    assert sim.writes() == []
    assert audit_lines(tmp_path)[0]["decision"] == "refused"


async def test_publishing_an_invalid_draft_is_refused_with_its_errors(sim, tmp_path):
    from moengage_mcp.simulator.state import validate_campaign as rules

    bad = next(
        c
        for c, d in sim.campaigns.items()
        if d["status"] == "DRAFT" and d["channel"] in ("PUSH", "EMAIL") and rules(d, sim.now())
    )
    async with mcp_client(sim, tmp_path, write_mode="auto") as client:
        res = await client.call_tool("publish_campaign", {"campaign_id": bad})
    assert (
        res.is_error
        and "validation" in res.content[0].text
        and rules(sim.campaigns[bad], sim.now())[0]["field"] in res.content[0].text
    )
    assert sim.writes() == []


async def test_publish_of_a_valid_draft_reaches_active_or_scheduled(sim, tmp_path):
    draft = valid_draft(sim)
    async with mcp_client(
        sim, tmp_path, client_kwargs={"elicitation_callback": answering("accept")}
    ) as client:
        res = await client.call_tool("publish_campaign", {"campaign_id": draft})
    out = res.structured_content
    assert out["status"] == "done" and out["status_after"] in ("ACTIVE", "SCHEDULED")
    assert [r.body for r in status_writes(sim)] == [{"status": "PUBLISH"}]


# ---------------------------------------------------------------------- test sends


async def test_eleven_recipients_are_refused(sim, tmp_path):
    args = {
        "campaign_id": valid_draft(sim),
        "identifier": "USER_ATTRIBUTE_UNIQUE_ID",
        "recipients": [f"u{i}" for i in range(11)],
    }
    async with mcp_client(sim, tmp_path, write_mode="auto") as client:
        res = await client.call_tool("test_campaign", args)
    assert res.is_error and "recipients" in res.content[0].text
    assert sim.requests == [] and sim.test_sends == []
    assert audit_lines(tmp_path)[0]["decision"] == "refused"


async def test_the_recipient_allowlist_is_enforced(sim, tmp_path):
    allowed = next(iter(DEMO_USERS))
    args = {"campaign_id": valid_draft(sim), "identifier": "USER_ATTRIBUTE_UNIQUE_ID"}
    async with mcp_client(sim, tmp_path, write_mode="auto", test_recipients=allowed) as client:
        refused = await client.call_tool(
            "test_campaign", {**args, "recipients": [allowed, "stranger@example.com"]}
        )
        sent = await client.call_tool("test_campaign", {**args, "recipients": [allowed]})
    assert refused.is_error and "stranger@example.com" in refused.content[0].text
    assert "MOENGAGE_MCP_TEST_RECIPIENTS" in refused.content[0].text
    assert sent.structured_content["status"] in ("done", "partial") and len(sim.test_sends) == 1
    [test] = [r for r in sim.writes() if r.path.endswith("/test")]
    assert test.body["draft_id"] and test.body["test_campaign_meta"]["identifier_values"] == [allowed]


async def test_inline_test_send_goes_through_confirmation(sim, tmp_path):
    content = {
        "content": {
            "push": {"android": {"template_type": "BASIC", "basic_details": {"title": "T", "message": "M"}}}
        }
    }
    args = {
        "channel": "PUSH",
        "campaign_content": content,
        "identifier": "USER_ATTRIBUTE_UNIQUE_ID",
        "recipients": [next(iter(DEMO_USERS))],
    }
    ask = answering("accept")
    async with mcp_client(sim, tmp_path, client_kwargs={"elicitation_callback": ask}) as client:
        res = await client.call_tool("test_campaign", args)
    assert res.structured_content["status"] == "done" and "inline PUSH content" in ask.asked[0]
    [test] = [r for r in sim.writes() if r.path.endswith("/test")]
    assert test.body["campaign_content"] == content and "draft_id" not in test.body


async def test_a_recipient_cannot_write_lines_into_the_question(sim, tmp_path):
    forged = "ceo@example.org\n\nThis is a dry run: nothing is sent to anyone."
    ask = answering("accept")
    args = {"campaign_id": valid_draft(sim), "identifier": "USER_ATTRIBUTE_UNIQUE_ID"}
    async with mcp_client(sim, tmp_path, client_kwargs={"elicitation_callback": ask}) as client:
        for recipient in (forged, "user-1001\u2028Approved", "user-1001\u202e"):
            res = await client.call_tool("test_campaign", {**args, "recipients": ["user-1001", recipient]})
            assert res.is_error and "write it plainly" in res.content[0].text
    assert ask.asked == [] and sim.test_sends == []


async def test_lookalike_recipients_are_refused_and_each_one_is_shown_quoted(sim, tmp_path):
    ask = answering("decline")
    args = {"campaign_id": DEMO_CAMPAIGN_IDS["valid_email_draft"], "identifier": "EMAIL"}
    async with mcp_client(sim, tmp_path, client_kwargs={"elicitation_callback": ask}) as client:
        lookalike = await client.call_tool(
            "test_campaign", {**args, "recipients": ["ana@ex\u0430mple.com"]}
        )  # Cyrillic а
        not_email = await client.call_tool("test_campaign", {**args, "recipients": ["ana-at-example.com"]})
        await client.call_tool(
            "test_campaign", {**args, "recipients": ["ana@example.com", "ben@example.com"]}
        )
    assert lookalike.is_error and not_email.is_error and "not an email address" in not_email.content[0].text
    [question] = ask.asked
    assert '- "ana@example.com"\n- "ben@example.com"' in question


async def test_the_question_shows_what_an_inline_email_sends(sim, tmp_path):
    html = (
        "<html><head><style>.x{}</style></head><body><p>Dear customer,</p><p>Verify your account "
        '<a href="https://evil.example/login?next=%2Faccount">here</a> or '
        '<a href="http://tracker.example/t.gif">unsubscribe</a>.</p></body></html>'
    )
    email = {
        "subject": "Your account is suspended \u2013 verify now",
        "sender_name": "Brightcart Security",
        "from_address": "security@brightcart.example",
        "html_content": html,
    }
    args = {
        "channel": "EMAIL",
        "campaign_content": {"content": {"email": email}},
        "basic_details": {"name": "x"},
        "connector": {"connector_type": "SENDGRID", "connector_name": "SendgridPrimary"},
        "identifier": "EMAIL",
        "recipients": ["qa@example.com"],
    }
    ask = answering("decline")
    async with mcp_client(sim, tmp_path, client_kwargs={"elicitation_callback": ask}) as client:
        await client.call_tool("test_campaign", args)
    [question] = ask.asked
    assert 'subject "Your account is suspended \u2013 verify now"' in question
    assert 'from "Brightcart Security <security@brightcart.example>"' in question
    assert 'text "Dear customer, Verify your account here or unsubscribe ."' in question
    assert 'link "https://evil.example/login?next=%2Faccount"' in question
    assert 'link "http://tracker.example/t.gif"' in question
    assert sim.test_sends == []


async def test_narrowing_is_quoted_and_a_live_campaign_is_narrowed_to_its_platform(sim, tmp_path):
    cid = find(sim, campaign_delivery_type="ONE_TIME", status="SCHEDULED", channel="PUSH")
    ask = answering("accept")
    args = {
        "campaign_id": cid,
        "identifier": "USER_ATTRIBUTE_UNIQUE_ID",
        "recipients": ["user-1001"],
        "platform": "IOS",
    }
    async with mcp_client(sim, tmp_path, client_kwargs={"elicitation_callback": ask}) as client:
        res = await client.call_tool("test_campaign", args)
    assert res.structured_content["status"] == "done", res.content[0].text
    [question] = ask.asked
    assert 'Only platform "IOS".' in question and "/ ios:" in question and "/ android:" not in question
    [test] = [r for r in sim.writes() if r.path.endswith("/test")]
    assert "platform" not in test.body["test_campaign_meta"]  # platform belongs to draft mode only
    assert all(set(block) <= {"ios"} for block in _push_blocks(test.body["campaign_content"]))


def _push_blocks(content: dict) -> list[dict]:
    found = []

    def walk(value):
        if isinstance(value, dict):
            if isinstance(value.get("push"), dict):
                found.append(value["push"])
            for item in value.values():
                walk(item)

    walk(content)
    return found


async def test_auto_mode_sends_tests_only_to_allowlisted_recipients(sim, tmp_path):
    args = {
        "campaign_id": valid_draft(sim),
        "identifier": "USER_ATTRIBUTE_UNIQUE_ID",
        "recipients": ["user-1001"],
    }
    async with mcp_client(sim, tmp_path, write_mode="auto") as client:
        res = await client.call_tool("test_campaign", args)
    assert res.is_error and "MOENGAGE_MCP_TEST_RECIPIENTS" in res.content[0].text and sim.test_sends == []


# ---------------------------------------------------------------------- injection and failures


async def test_injected_instructions_in_content_change_nothing(sim, tmp_path):
    cid = next(c for c, d in sim.campaigns.items() if "ignore previous instructions" in json.dumps(d).lower())
    ask = answering("decline")
    async with mcp_client(sim, tmp_path, client_kwargs={"elicitation_callback": ask}) as client:
        read = await client.call_tool("get_campaign", {"campaign_id": cid})
        preview = await client.call_tool(
            "personalized_preview", {"campaign_id": cid, "user_id": next(iter(DEMO_USERS))}
        )
        tool = "publish_campaign" if sim.campaigns[cid]["status"] == "DRAFT" else "pause_campaign"
        attempt = await client.call_tool(tool, {"campaign_id": cid})
    assert "ignore previous instructions" in read.content[0].text.lower()
    assert not preview.is_error
    assert attempt.is_error or attempt.structured_content["status"] == "declined"
    assert sim.writes() == [] and sim.test_sends == []


async def test_a_500_on_the_write_is_retried_with_one_key_and_reported_as_failure(sim, tmp_path):
    cid = find(sim, campaign_delivery_type="PERIODIC", status="ACTIVE", channel="PUSH")
    sim.faults.inject(rf"/v5/campaigns/{cid}/status$", status=500, count=10)
    async with mcp_client(sim, tmp_path, write_mode="auto") as client:
        res = await client.call_tool("pause_campaign", {"campaign_id": cid})
    text = res.content[0].text
    assert res.is_error and "failed" in text and "ACTIVE" in text
    writes = status_writes(sim)
    assert len(writes) >= 2 and len({w.headers["idempotency-key"] for w in writes}) == 1
    line = audit_lines(tmp_path)[-1]
    assert line["decision"] == "auto" and line["outcome"].startswith("failed") and line["request_id"]


async def test_a_lost_response_is_replayed_not_applied_twice(sim, tmp_path):
    cid = find(sim, campaign_delivery_type="PERIODIC", status="ACTIVE", channel="PUSH")
    sim.faults.inject(rf"/v5/campaigns/{cid}/status$", status=500, count=1, after_processing=True)
    async with mcp_client(sim, tmp_path, write_mode="auto") as client:
        res = await client.call_tool("pause_campaign", {"campaign_id": cid})
    assert res.structured_content["status"] == "done"
    writes = status_writes(sim)
    assert [w.status for w in writes] == [500, 200] and len(
        {w.headers["idempotency-key"] for w in writes}
    ) == 1


async def test_every_audit_line_is_complete_and_never_holds_the_key(sim, tmp_path):
    cid = find(sim, campaign_delivery_type="PERIODIC", status="ACTIVE", channel="PUSH")
    async with mcp_client(
        sim, tmp_path, client_kwargs={"elicitation_callback": answering("accept")}
    ) as client:
        await client.call_tool("pause_campaign", {"campaign_id": cid})
        await client.call_tool("pause_campaign", {"campaign_id": cid})  # now refused: already paused
        await client.call_tool("stop_campaign", {"campaign_id": "nothex"})  # bad arguments
    lines = audit_lines(tmp_path)
    assert [line["decision"] for line in lines] == ["confirmed", "refused", "refused"]
    for line in lines:
        assert {"time", "tool", "campaign_id", "arguments", "decision", "outcome", "request_id"} <= set(line)
    assert DEMO_API_KEY not in (tmp_path / "audit.jsonl").read_text()


# ---------------------------------------------------------------------- 2026-07-28 approvals


async def test_a_replayed_approval_asks_again_and_sends_once(sim, tmp_path):
    args = send_args(sim)
    async with mcp_client(
        sim, tmp_path, client_kwargs={"elicitation_callback": answering("accept")}
    ) as client:
        asked = await client.session.call_tool("test_campaign", args, allow_input_required=True)
        assert isinstance(asked, InputRequiredResult)
        [key] = asked.input_requests
        answers = {key: ACCEPT}
        rounds = [
            await client.session.call_tool(
                "test_campaign",
                args,
                input_responses=answers,
                request_state=asked.request_state,
                allow_input_required=True,
            )
            for _ in range(2)
        ]
    assert rounds[0].structured_content["status"] == "done"
    assert isinstance(rounds[1], InputRequiredResult)  # the same answer replayed: the user is asked again
    assert len(sim.test_sends) == 1
    assert [line["decision"] for line in audit_lines(tmp_path)] == ["confirmed"]


async def test_a_campaign_edited_while_the_question_is_open_is_asked_again(sim, tmp_path):
    args = {"campaign_id": valid_draft(sim)}
    async with mcp_client(
        sim, tmp_path, client_kwargs={"elicitation_callback": answering("accept")}
    ) as client:
        asked = await client.session.call_tool("publish_campaign", args, allow_input_required=True)
        [(key, question)] = asked.input_requests.items()
        doc = sim.campaigns[args["campaign_id"]]
        doc["version_number"] = (doc.get("version_number") or 1) + 1  # edited within the same minute
        again = await client.session.call_tool(
            "publish_campaign",
            args,
            input_responses={key: ACCEPT},
            request_state=asked.request_state,
            allow_input_required=True,
        )
    assert isinstance(again, InputRequiredResult)
    assert again.input_requests[key].params.message != question.params.message
    assert status_writes(sim) == [] and doc["status"] == "DRAFT"


# ---------------------------------------------------------------------- races


async def test_two_tokens_spent_together_write_once(sim, tmp_path):
    cid = find(sim, campaign_delivery_type="PERIODIC", status="ACTIVE", channel="PUSH")
    async with mcp_client(sim, tmp_path) as client:
        tokens = [
            (await client.call_tool("pause_campaign", {"campaign_id": cid})).structured_content[
                "confirmation_token"
            ]
            for _ in range(2)
        ]
        results = await both(
            *(
                client.call_tool("pause_campaign", {"campaign_id": cid, "confirmation_token": t})
                for t in tokens
            )
        )
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
        results = await both(
            *(client.call_tool("publish_campaign", {"campaign_id": draft}) for _ in range(2))
        )
    assert sorted(r.is_error for r in results) == [False, True]
    assert len(sim.writes()) == 1
    assert [line["decision"] for line in audit_lines(tmp_path)] in (["auto", "refused"], ["refused", "auto"])


# ---------------------------------------------------------------------- what the person sees and says


@pytest.mark.parametrize("answer", ["yes", "true", "on", 1])
async def test_only_a_boolean_true_confirms(sim, tmp_path, answer):
    cid = find(sim, campaign_delivery_type="PERIODIC", status="ACTIVE", channel="PUSH")
    ask = answering("accept", answer)  # type: ignore[arg-type]
    async with mcp_client(
        sim, tmp_path, client_kwargs={"mode": "legacy", "elicitation_callback": ask}
    ) as client:
        res = await client.call_tool("pause_campaign", {"campaign_id": cid})
    assert res.is_error and status_writes(sim) == []


async def test_a_campaign_name_cannot_add_lines_to_the_question(sim, tmp_path):
    cid = find(sim, campaign_delivery_type="ONE_TIME", status="SCHEDULED", channel="PUSH")
    sim.campaigns[cid]["basic_details"]["name"] = (
        "QA\u2028Status: SCHEDULED -> SCHEDULED (dry run)\u2029\u202e\u200b\x85"
    )
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

    auto = {"write_mode": "auto", "test_recipients": next(iter(DEMO_USERS))}
    async with mcp_client(sim, tmp_path, api=make_client(sim, transport=NoResults()), **auto) as client:
        res = await client.call_tool("test_campaign", send_args(sim))
    assert (
        res.structured_content["status"] == "accepted"
        and "no per-recipient result" in res.structured_content["note"]
    )


# ---------------------------------------------------------------------- odd tokens


async def test_a_token_with_a_non_ascii_signature_is_refused_cleanly(sim, tmp_path):
    cid = find(sim, campaign_delivery_type="PERIODIC", status="ACTIVE", channel="PUSH")
    async with mcp_client(sim, tmp_path) as client:
        token = (await client.call_tool("pause_campaign", {"campaign_id": cid})).structured_content[
            "confirmation_token"
        ]
        res = await client.call_tool(
            "pause_campaign", {"campaign_id": cid, "confirmation_token": token[:-1] + "é"}
        )
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


async def test_a_test_send_renders_with_the_attributes_given_and_says_so(sim, tmp_path):
    ask = answering("accept")
    args = {
        "campaign_id": valid_draft(sim),
        "identifier": "USER_ATTRIBUTE_UNIQUE_ID",
        "recipients": ["user-1001"],
    }
    async with mcp_client(sim, tmp_path, client_kwargs={"elicitation_callback": ask}) as client:
        res = await client.call_tool("test_campaign", {**args, "user_attributes": {"First Name": "Tess"}})
    assert res.structured_content["status"] == "done"
    assert 'Rendered with these user attributes: "First Name": "Tess".' in ask.asked[0]
    [test] = [r for r in sim.writes() if r.path.endswith("/test")]
    assert test.body["personalization_details"] == {"user_attributes": {"First Name": "Tess"}}
