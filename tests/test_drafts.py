"""Draft authoring through real MCP sessions (in memory and over stdio) against the simulator:
create, update, duplicate; the QA -> fix -> re-QA loop; every refusal; exactly-once creation."""

from __future__ import annotations

import json
import sys

import pytest
from mcp import Client, StdioServerParameters

from moengage_mcp.simulator import DEMO_CAMPAIGN_IDS as D
from moengage_mcp.simulator import Simulator

from .conftest import audit_lines, mcp_client, serve
from .test_transports import env_for
from .test_write_policy import answering, find

pytestmark = pytest.mark.anyio

AUTHOR = "qa.author@brightcart.example"
TITLE = "Hi {{UserAttribute['First Name']}}"


def push_content(link: str = "http://www.brightcart.example/vip") -> dict:
    platform = {
        "template_type": "BASIC",
        "basic_details": {
            "title": TITLE,
            "message": "Friday deals for VIPs",
            "default_click_action": "DEEPLINKING",
            "default_click_action_value": link,
        },
    }
    return {"content": {"push": {"android": platform, "ios": json.loads(json.dumps(platform))}}}


def brief() -> dict:
    return {
        "channel": "PUSH",
        "delivery_type": "ONE_TIME",
        "name": "VIP Friday 9:00",
        "platforms": ["ANDROID", "IOS"],
        "components": {
            "campaign_content": push_content(),
            "segmentation_details": {
                "included_filters": {
                    "filter_operator": "and",
                    "filters": [{"filter_type": "custom_segments", "id": "seg_loyalty_members"}],
                }
            },
            "scheduling_details": {"delivery_type": "AT_FIXED_TIME", "start_time": "2099-12-04T09:00:00"},
        },
    }


def new_drafts(sim: Simulator, before: set[str]) -> list[str]:
    return [cid for cid in sim.campaigns if cid not in before]


async def test_a_draft_is_created_qad_fixed_from_qas_changes_validated_and_published(sim, tmp_path):
    ask = answering("accept")
    before = set(sim.campaigns)
    kwargs = {"author_email": AUTHOR, "client_kwargs": {"elicitation_callback": ask}}
    async with mcp_client(sim, tmp_path, **kwargs) as client:
        made = await client.call_tool("create_campaign", brief())
        assert made.structured_content["status"] == "done", made.content[0].text
        cid = made.structured_content["campaign_id"]
        qa = (
            await client.call_tool("qa_campaign", {"campaign_id": cid, "sample_user_ids": ["user-1005"]})
        ).structured_content
        fixes = [f for f in qa["findings"] if f.get("change")]
        assert {f["check"] for f in fixes} >= {"placeholder_default", "https_links", "utm_params"}
        for finding in fixes:
            fixed = await client.call_tool("update_campaign", {"campaign_id": cid, **finding["change"]})
            assert fixed.structured_content["status"] == "done", fixed.content[0].text
        again = (
            await client.call_tool("qa_campaign", {"campaign_id": cid, "sample_user_ids": ["user-1005"]})
        ).structured_content
        valid = await client.call_tool("validate_campaign", {"campaign_id": cid})
        published = await client.call_tool("publish_campaign", {"campaign_id": cid})
    assert new_drafts(sim, before) == [cid]
    doc = sim.campaigns[cid]
    assert doc["created_by"] == AUTHOR
    patches = [
        r
        for r in sim.requests
        if r.method == "PATCH" and r.path == f"/v5/campaigns/{cid}" and "status" not in r.body
    ]
    assert patches and all(r.body["updated_by"] == AUTHOR for r in patches)
    title = doc["campaign_content"]["content"]["push"]["android"]["basic_details"]["title"]
    assert title == "Hi {{UserAttribute['First Name']|default('there')}}"
    assert not {f["check"] for f in again["findings"]} & {"placeholder_default", "https_links", "utm_params"}
    assert valid.structured_content["valid"] is True
    assert published.structured_content["status_after"] == "SCHEDULED"
    create_question = ask.asked[0]
    for needle in (
        'Create a new DRAFT: PUSH, ONE_TIME campaign "VIP Friday 9:00"',
        "Platforms: ANDROID, IOS.",
        'Schedule: AT_FIXED_TIME, start "2099-12-04T09:00:00"',
        'link "http://www.brightcart.example/vip"',
        f'Created by: "{AUTHOR}"',
        "Audience: included",
    ):
        assert needle in create_question, (needle, create_question)
    assert [line["tool"] for line in audit_lines(tmp_path)].count("update_campaign") == len(fixes)


async def test_an_update_summary_shows_each_field_before_and_after(sim, tmp_path):
    ask = answering("decline")
    cid = D["valid_email_draft"]
    html = sim.campaigns[cid]["campaign_content"]["content"]["email"]["html_content"]
    edits = {
        "campaign_content.content.email.subject": "Last chance: the January Sale ends tonight",
        "campaign_content.content.email.html_content": html.replace(
            "</body>", '<a href="https://evil.example/x">new</a></body>'
        ),
        "utm_params.utm_content": "hero",
    }
    async with mcp_client(
        sim, tmp_path, author_email=AUTHOR, client_kwargs={"elicitation_callback": ask}
    ) as client:
        res = await client.call_tool(
            "update_campaign", {"campaign_id": cid, "set": edits, "version_note": "QA fixes"}
        )
    assert res.structured_content["status"] == "declined"
    [question] = ask.asked
    assert (
        '- campaign_content.content.email.subject: "The January Sale starts now" -> "Last chance: the January Sale ends tonight"'
        in question
    )
    assert 'characters; link added "https://evil.example/x"' in question
    assert '- utm_params.utm_content: (not set) -> "hero"' in question
    assert sim.writes() == []


async def test_duplicate_copies_components_under_a_new_name(sim, tmp_path):
    source = D["valid_multilocale_draft"]
    before = set(sim.campaigns)
    async with mcp_client(sim, tmp_path, write_mode="auto", author_email=AUTHOR) as client:
        res = await client.call_tool(
            "duplicate_campaign",
            {
                "campaign_id": source,
                "name": "Cart Reminder (copy)",
                "set": {"delivery_controls.bypass_dnd": False},
            },
        )
    assert res.structured_content["status"] == "done", res.content[0].text
    [copy] = new_drafts(sim, before)
    doc, original = sim.campaigns[copy], sim.campaigns[source]
    assert doc["status"] == "DRAFT" and doc["basic_details"]["name"] == "Cart Reminder (copy)"
    assert doc["campaign_content"] == original["campaign_content"]
    assert doc["delivery_controls"]["bypass_dnd"] is False and doc["created_by"] == AUTHOR
    assert "a copy of campaign" in res.structured_content["summary"]


async def test_an_update_of_a_live_campaign_makes_a_new_version(sim, tmp_path):
    cid = D["active_event_push"]
    async with mcp_client(sim, tmp_path, write_mode="auto", author_email=AUTHOR) as client:
        res = await client.call_tool(
            "update_campaign",
            {
                "campaign_id": cid,
                "set": {"delivery_controls.bypass_dnd": False},
                "version_note": "quiet hours",
            },
        )
    out = res.structured_content
    assert out["status"] == "done", res.content[0].text
    assert out["campaign_id"] != cid and "version" in out["note"]
    assert (
        sim.campaigns[cid]["status"] == "RETIRED"
        and sim.campaigns[out["campaign_id"]]["version_note"] == "quiet hours"
    )


# ---------------------------------------------------------------------- refusals, before any request


@pytest.mark.parametrize(
    ("tool", "args", "needle"),
    [
        (
            "create_campaign",
            {
                **brief(),
                "components": {
                    "campaign_content": {"content": {"push": {"android": {"template_type": "CUSTOM"}}}}
                },
            },
            "campaign_content.content.push.android.template_type: 'CUSTOM' is not allowed; allowed:",
        ),
        (
            "create_campaign",
            {**brief(), "channel": "EMAIL", "delivery_type": "ONE_TIME", "components": {}},
            "connector",
        ),
        ("create_campaign", {**brief(), "delivery_type": "BROADCAST_LIVE_ACTIVITY"}, "delivery_type"),
        (
            "update_campaign",
            {"campaign_id": D["valid_push_draft"], "components": {"status": {"x": 1}}},
            "components.status",
        ),
        (
            "update_campaign",
            {"campaign_id": D["valid_push_draft"], "set": {"status": "PUBLISH"}},
            "status is not a component",
        ),
        ("update_campaign", {"campaign_id": D["valid_push_draft"]}, "nothing to update"),
        (
            "update_campaign",
            {
                "campaign_id": D["active_event_push"],
                "components": {"segmentation_details": {"is_all_user_campaign": True}},
            },
            "segmentation_details cannot be changed while the campaign is ACTIVE",
        ),
        (
            "update_campaign",
            {"campaign_id": D["active_event_push"], "set": {"trigger_condition.trigger_delay_type": "ASAP"}},
            "trigger_condition cannot be changed while the campaign is ACTIVE",
        ),
        (
            "update_campaign",
            {
                "campaign_id": D["scheduled_push_this_week"],
                "set": {"scheduling_details.delivery_type": "ASAP"},
            },
            "the scheduling type",
        ),
        (
            "duplicate_campaign",
            {"campaign_id": D["scheduled_sms_this_week"], "name": "x"},
            "Only PUSH and EMAIL campaigns can be copied",
        ),
    ],
)
async def test_invalid_or_forbidden_authoring_is_refused_before_any_write(sim, tmp_path, tool, args, needle):
    async with mcp_client(sim, tmp_path, write_mode="auto", author_email=AUTHOR) as client:
        res = await client.call_tool(tool, args)
    assert res.is_error and needle in res.content[0].text, res.content[0].text
    assert sim.writes() == [] and all(r.path != "/v5/campaigns" for r in sim.requests)


async def test_a_stopped_campaign_cannot_be_updated_at_all(sim, tmp_path):
    cid = find(sim, status="STOPPED", channel="PUSH")
    async with mcp_client(sim, tmp_path, write_mode="auto", author_email=AUTHOR) as client:
        res = await client.call_tool(
            "update_campaign", {"campaign_id": cid, "set": {"utm_params.utm_source": "x"}}
        )
    assert res.is_error and "cannot be updated at all" in res.content[0].text and sim.writes() == []


async def test_draft_tools_need_an_author(sim, tmp_path):
    async with mcp_client(sim, tmp_path, write_mode="auto") as client:
        res = await client.call_tool("create_campaign", brief())
    assert res.is_error and "MOENGAGE_MCP_AUTHOR_EMAIL" in res.content[0].text
    assert all(r.path != "/v5/campaigns" for r in sim.requests)


async def test_draft_tools_follow_write_mode_and_toolsets(sim, tmp_path):
    async with mcp_client(sim, tmp_path, write_mode="off", author_email=AUTHOR) as off:
        listed = {t.name for t in (await off.list_tools()).tools}
        refused = await off.call_tool("create_campaign", brief())
    assert not listed & {"create_campaign", "update_campaign", "duplicate_campaign"}
    assert refused.is_error and "MOENGAGE_MCP_WRITE_MODE" in refused.content[0].text
    async with mcp_client(sim, tmp_path, toolsets="read,send", author_email=AUTHOR) as no_drafts:
        refused = await no_drafts.call_tool(
            "update_campaign", {"campaign_id": D["valid_push_draft"], "set": {"basic_details.name": "x"}}
        )
    assert refused.is_error and "'draft'" in refused.content[0].text and sim.writes() == []


# ---------------------------------------------------------------------- exactly once, and the limits


async def test_a_lost_create_answer_is_retried_into_exactly_one_draft(sim, tmp_path):
    sim.faults.inject(r"^/v5/campaigns$", method="POST", status=502, count=1, after_processing=True)
    before = set(sim.campaigns)
    async with mcp_client(sim, tmp_path, write_mode="auto", author_email=AUTHOR) as client:
        res = await client.call_tool("create_campaign", brief())
    assert res.structured_content["status"] == "done"
    assert len(new_drafts(sim, before)) == 1
    creates = [r for r in sim.requests if r.path == "/v5/campaigns"]
    assert len(creates) == 2 and len({r.body["request_id"] for r in creates}) == 1


async def test_a_create_whose_outcome_stayed_unknown_lands_on_the_same_draft_when_called_again(sim, tmp_path):
    sim.faults.inject(r"^/v5/campaigns$", method="POST", status=503, count=20, after_processing=True)
    before = set(sim.campaigns)
    async with mcp_client(sim, tmp_path, write_mode="auto", author_email=AUTHOR) as client:
        lost = await client.call_tool("create_campaign", brief())
        assert lost.is_error and "may or may not have been created" in lost.content[0].text
        sim.faults.clear()
        again = await client.call_tool("create_campaign", brief())
    assert again.structured_content["status"] == "done", again.content[0].text
    [made] = new_drafts(sim, before)
    assert again.structured_content["campaign_id"] == made
    assert len({r.body["request_id"] for r in sim.requests if r.path == "/v5/campaigns"}) == 1


async def test_the_creation_limit_is_said_before_asking(sim, tmp_path):
    async with mcp_client(sim, tmp_path, write_mode="auto", author_email=AUTHOR) as client:
        made = [
            await client.call_tool("create_campaign", {**brief(), "name": f"Draft {i}"}) for i in range(5)
        ]
        sixth = await client.call_tool("create_campaign", {**brief(), "name": "Draft 6"})
    assert all(r.structured_content["status"] == "done" for r in made)
    assert sixth.is_error and "Creating campaigns is possible again at" in sixth.content[0].text
    assert sum(r.path == "/v5/campaigns" for r in sim.requests) == 5


async def test_component_schemas_are_resources(sim, tmp_path):
    async with mcp_client(sim, tmp_path, author_email=AUTHOR) as client:
        templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
        doc = json.loads(
            (await client.read_resource("moengage://reference/campaign_content")).contents[0].text
        )
        with pytest.raises(Exception, match="unknown component"):
            await client.read_resource("moengage://reference/status")
    assert "moengage://reference/{component}" in templates
    assert doc["component"] == "campaign_content" and set(doc["schemas"]) == {"PUSH", "EMAIL"}


async def test_drafts_over_stdio(tmp_path):
    sim = Simulator()
    with serve(sim.app) as url:
        env = env_for(
            url,
            MOENGAGE_MCP_AUDIT_LOG=str(tmp_path / "audit.jsonl"),
            MOENGAGE_MCP_WRITE_MODE="auto",
            MOENGAGE_MCP_AUTHOR_EMAIL=AUTHOR,
        )
        params = StdioServerParameters(command=sys.executable, args=["-m", "moengage_mcp"], env=env)
        async with Client(params) as client:
            made = await client.call_tool("create_campaign", brief())
            cid = made.structured_content["campaign_id"]
            fixed = await client.call_tool(
                "update_campaign", {"campaign_id": cid, "set": {"basic_details.name": "VIP Friday (fixed)"}}
            )
            copy = await client.call_tool("duplicate_campaign", {"campaign_id": cid, "name": "VIP Saturday"})
    assert fixed.structured_content["status"] == "done" and copy.structured_content["status"] == "done"
    assert sim.campaigns[cid]["basic_details"]["name"] == "VIP Friday (fixed)"
    assert sim.campaigns[copy.structured_content["campaign_id"]]["basic_details"]["name"] == "VIP Saturday"
