"""qa_campaign on documented shapes it once misjudged, through a real MCP session: each shape now
passes, and the same check still fires on a genuinely bad campaign of that shape."""

from __future__ import annotations

import copy

import pytest

from moengage_mcp.server.core.qa_checks import sms_segments
from moengage_mcp.simulator import DEMO_CAMPAIGN_IDS as D
from moengage_mcp.simulator import Simulator

from .conftest import mcp_client
from .test_analysis import USERS, variant

pytestmark = pytest.mark.anyio

XHTML_HEAD = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd"><html xmlns="http://www.w3.org/1999/xhtml">'
)
EURO_SMS = (
    "Flash deal: 5€ off 50€, 10€ off 90€, 20€ off 150€ today only at Brightcart. Use code EURO at checkout. "
    "Reply STOP to opt out. Terms apply, see site for more"
)


async def qa(client, campaign_id: str, **args) -> dict:
    res = await client.call_tool("qa_campaign", {"campaign_id": campaign_id, **args})
    assert not res.is_error, res.content[0].text
    return res.structured_content


def hits(out: dict, check: str) -> list[dict]:
    return [f for f in out["findings"] if f["check"] == check]


def content_of(sim: Simulator, role: str) -> dict:
    return copy.deepcopy(sim.campaigns[D[role]]["campaign_content"])


# ---------------------------------------------------------------------- custom templates


def android_push(sim: Simulator, android: dict) -> str:
    content = content_of(sim, "valid_push_draft")
    content["content"]["push"]["android"] = android
    return variant(sim, "valid_push_draft", campaign_content=content)


async def test_a_push_custom_template_is_content(sim, tmp_path):
    custom = android_push(
        sim, {"template_type": "Custom", "custom_template_id": "tmpl_abc123", "custom_template_version": 1}
    )
    empty = android_push(sim, {"template_type": "Custom"})
    async with mcp_client(sim, tmp_path) as client:
        good = await qa(client, custom, sample_user_ids=USERS)
        bad = await qa(client, empty)
    assert good["ready"] and not good["findings"], good
    [gap] = hits(bad, "content_coverage")
    assert gap["severity"] == "error" and gap["field"].endswith("push.android") and not bad["ready"]


def two_sms_variations(sim: Simulator, second: dict) -> str:
    content = {
        "variation_details": {
            "no_of_variations": 2,
            "manual_distribution_percentage": {"variation_1": 50, "variation_2": 50},
        },
        "content": {
            "default": {
                "variation_1": {"sms": {"message": "Hi, 20% off today at https://brightcart.example/s"}},
                "variation_2": {"sms": second},
            }
        },
    }
    return variant(sim, "sms_draft", campaign_content=content)


async def test_an_sms_custom_template_is_content(sim, tmp_path):
    custom = two_sms_variations(sim, {"custom_template_id": "sms_tmpl_1", "custom_template_version": 0})
    empty = two_sms_variations(sim, {"custom_template_version": 0})
    async with mcp_client(sim, tmp_path) as client:
        good = await qa(client, custom)
        bad = await qa(client, empty)
    assert good["ready"] and not good["findings"], good
    [gap] = hits(bad, "content_coverage")
    assert (
        gap["field"] == "campaign_content.content.default.variation_2.sms.message"
        and gap["severity"] == "error"
    )


# ---------------------------------------------------------------------- links in XHTML email


def xhtml_email(sim: Simulator, body: str = "", **changes) -> str:
    """The clean demo email under an XHTML DOCTYPE and xmlns (w3.org URLs), plus `body`."""
    content = content_of(sim, "valid_email_draft")
    email = content["content"]["email"]
    email["html_content"] = XHTML_HEAD + email["html_content"].split("<html>", 1)[1].replace(
        "</body>", body + "</body>"
    )
    return variant(sim, "valid_email_draft", campaign_content=content, **changes)


async def test_only_links_a_recipient_opens_are_checked(sim, tmp_path):
    clean = xhtml_email(sim)
    insecure = xhtml_email(
        sim, '<a href="http://www.brightcart.example/a">A</a><img src="http://cdn.brightcart.example/b.png">'
    )
    async with mcp_client(sim, tmp_path) as client:
        good = await qa(client, clean)
        bad = await qa(client, insecure)
    assert good["ready"] and not good["findings"], good
    [link] = hits(bad, "https_links")
    assert link["message"].startswith("2 link(s)") and "w3.org" not in link["message"]


async def test_utm_is_asked_for_only_when_the_email_has_links(sim, tmp_path):
    html = sim.campaigns[D["valid_email_draft"]]["campaign_content"]["content"]["email"]["html_content"]
    unlinked = content_of(sim, "valid_email_draft")
    unlinked["content"]["email"]["html_content"] = (
        XHTML_HEAD + html.split("<html>", 1)[1].split("<p><a ")[0] + "</body></html>"
    )
    no_links = variant(sim, "valid_email_draft", campaign_content=unlinked, utm_params={})
    linked = xhtml_email(sim, utm_params={})
    async with mcp_client(sim, tmp_path) as client:
        good = await qa(client, no_links)
        bad = await qa(client, linked)
    assert not hits(good, "utm_params"), good
    assert hits(bad, "utm_params")[0]["message"] == "Missing utm_source, utm_medium, utm_campaign"


# ---------------------------------------------------------------------- SMS segments


def sms(sim: Simulator, message: str) -> str:
    return variant(sim, "sms_draft", campaign_content={"content": {"sms": {"message": message}}})


def test_gsm7_extension_characters_take_two_septets():
    assert sms_segments("€" * 80) == (1, "GSM-7")
    assert sms_segments("€" * 81) == (2, "GSM-7")
    assert sms_segments("a" * 158 + "{}") == (2, "GSM-7")
    assert sms_segments(EURO_SMS) == (2, "GSM-7") and len(EURO_SMS) == 156


async def test_sms_segments_count_extension_characters(sim, tmp_path):
    euro, plain = sms(sim, EURO_SMS), sms(sim, EURO_SMS.replace("€", "E"))
    async with mcp_client(sim, tmp_path) as client:
        bad = await qa(client, euro)
        good = await qa(client, plain)
    assert hits(bad, "sms_segments")[0]["message"] == "156 chars = 2 GSM-7 segments (billed each)"
    assert good["ready"] and not good["findings"], good


async def test_sms_segments_count_the_rendered_text(sim, tmp_path):
    short = sms(
        sim,
        "Hi {{UserAttribute['First Name']|default('there')}}, your Brightcart order is ready for pickup at our Austin "
        "store. Show this text at the desk. Reply STOP to opt out",
    )
    # one GSM-7 segment as a template (110 chars), but user-1001's city "São Paulo" makes it UCS-2
    unicode_city = sms(
        sim,
        "Brightcart deals near {{UserAttribute['City']|default('you')}}: 20% off shoes this week. Reply STOP to opt out",
    )
    async with mcp_client(sim, tmp_path) as client:
        rendered = await qa(client, short, sample_user_ids=USERS)
        estimated = await qa(client, short)
        city = await qa(client, unicode_city, sample_user_ids=USERS)
    assert not rendered["findings"], rendered
    [estimate] = hits(estimated, "sms_segments")
    assert estimate["message"].startswith("165 chars in the template (estimate")
    [renders_longer] = hits(city, "sms_segments")
    assert renders_longer["message"] == "79 chars as rendered for user-1001 = 2 UCS-2 segments (billed each)"


# ---------------------------------------------------------------------- event attributes


def order_shipped(sim: Simulator) -> str:
    return next(
        cid
        for cid, d in sim.campaigns.items()
        if d["basic_details"].get("name") == "Order Shipped Notification"
    )


async def test_event_attributes_are_info_until_given(sim, tmp_path):
    cid = order_shipped(sim)
    async with mcp_client(sim, tmp_path) as client:
        without = await qa(client, cid, sample_user_ids=USERS)
        given = await qa(client, cid, sample_user_ids=USERS, event_attributes={"order_id": "BC-1042"})
        wrong = await qa(client, cid, sample_user_ids=USERS, event_attributes={"order": "BC-1042"})
    info = hits(without, "personalization_render")
    assert len(info) == 3 and without["warnings"] == 0
    assert all(
        f["severity"] == "info" and "trigger time" in f["message"] and "event_attributes" in f["fix"]
        for f in info
    )
    assert not given["findings"], given
    assert {f["severity"] for f in hits(wrong, "personalization_render")} == {"warning"}
    previews = [r.body for r in sim.requests if r.path.endswith("/personalization/preview")]
    assert {"order_id": "BC-1042"} in [body.get("event_attributes") for body in previews]


async def test_a_blank_user_attribute_beside_an_event_attribute_still_warns(sim, tmp_path):
    doc = copy.deepcopy(sim.campaigns[order_shipped(sim)])
    for key in ("id", "campaign_id"):
        doc.pop(key)
    for platform in doc["campaign_content"]["content"]["push"].values():
        details = platform["basic_details"]
        details["message"] = "Hi {{UserAttribute['First Name']|default('')}}, " + details["message"]
    cid = sim.add_campaign(doc)
    async with mcp_client(sim, tmp_path) as client:
        out = await qa(client, cid, sample_user_ids=USERS)
    found = hits(out, "personalization_render")
    assert found and all(f["severity"] == "warning" and f["message"].endswith("for user-1005") for f in found)


async def test_whatsapp_content_is_read_as_content_not_as_a_locale(tmp_path):
    sim = Simulator(rate_limits=False)
    whatsapp = [cid for cid, doc in sim.campaigns.items() if doc["channel"] == "WHATSAPP"]
    assert whatsapp
    async with mcp_client(sim, tmp_path) as client:
        for cid in whatsapp:
            res = await client.call_tool("qa_campaign", {"campaign_id": cid})
            assert "content_coverage" not in {f["check"] for f in res.structured_content["findings"]}
