"""The preview app wired into the tools: the binding in tools/list, the view in the results of a
client that negotiated MCP Apps, built from what the tool fetched anyway, and nothing new for any
other client."""

from __future__ import annotations

from typing import Any

import pytest
from mcp.client.extension import advertise
from mcp.server.apps import EXTENSION_ID

from moengage_mcp.api import models as m
from moengage_mcp.apps import META_KEY, PREVIEW_URI, campaign_view, personalized_view, preview_meta
from moengage_mcp.server.tools import campaign as campaign_tool
from moengage_mcp.simulator import Simulator

from ..conftest import make_client, mcp_client
from .demo import render, source
from .results import APPS, CASES, apps_client

pytestmark = pytest.mark.anyio

SDK_META = {"io.modelcontextprotocol/serverInfo"}
"""What the SDK itself puts in every result's `_meta`."""


async def test_the_two_tools_point_at_the_app_and_the_app_is_served(sim, tmp_path):
    async with mcp_client(sim, tmp_path) as client:
        tools = (await client.list_tools()).tools
        resources = {str(r.uri) for r in (await client.list_resources()).resources}
    bound = {t.name: t.meta for t in tools if t.meta}
    assert bound == {
        "get_campaign": {"ui": {"resourceUri": PREVIEW_URI}},
        "personalized_preview": {"ui": {"resourceUri": PREVIEW_URI}},
    }
    assert PREVIEW_URI in resources


@pytest.mark.parametrize("case", ["long_email", "two_locales"])
async def test_get_campaign_carries_the_campaign_as_written(sim, tmp_path, case):
    tool, arguments = CASES[case]
    async with apps_client(sim, tmp_path) as client, make_client(sim) as api:
        res = await client.call_tool(tool, arguments)
        expected = campaign_view(await api.get_campaign(arguments["campaign_id"]))
    assert not res.is_error
    assert res.meta[META_KEY] == preview_meta(expected)[META_KEY]
    if case == "long_email":  # the model's copy is shortened; the view has the whole email
        shown = res.structured_content["campaign"]["campaign_content"]["content"]["email"]["html_content"]
        email = res.meta[META_KEY]["tabs"][0]["email"]
        assert len(shown) < 2_000 < 40_000 < email["html_bytes"] == len(email["html"].encode())


@pytest.mark.parametrize("case", ["personalized_push", "personalized_email", "rich_push"])
async def test_personalized_preview_carries_what_the_user_gets_and_what_went_wrong(sim, tmp_path, case):
    tool, arguments = CASES[case]
    async with apps_client(sim, tmp_path) as client, make_client(sim) as api:
        res = await client.call_tool(tool, arguments)
        saved = await api.get_campaign(arguments["campaign_id"]) if "campaign_id" in arguments else None
        content = source(saved) if saved else arguments["campaign_content"]
        channel = str(saved.channel) if saved else arguments["channel"]
        expected = personalized_view(
            channel,
            await render(api, channel, content, arguments["user_id"]),
            user_id=arguments["user_id"],
            user_id_type="USER_ATTRIBUTE_UNIQUE_ID",
            template=m.CampaignContent.model_validate(content),
            platforms=saved.basic_details.platforms if saved else (),
            campaign=saved,
        )
    assert not res.is_error
    view = res.meta[META_KEY]
    assert view == preview_meta(expected)[META_KEY]
    assert view["recipient"] == {"user_id": arguments["user_id"], "user_id_type": "USER_ATTRIBUTE_UNIQUE_ID"}
    if case != "rich_push":  # the demo's flawed campaigns each leave a value empty
        assert view["issues"] and all(issue["issue"] == "empty" for issue in view["issues"])


async def test_clients_without_apps_get_the_same_content_and_no_view(sim, tmp_path):
    """Also a client that names the extension but not the app MIME type: it cannot render the app."""
    no_mime = {"extensions": [advertise(EXTENSION_ID, {})]}
    async with (
        apps_client(sim, tmp_path) as apps,
        mcp_client(sim, tmp_path) as plain,
        mcp_client(sim, tmp_path, client_kwargs=no_mime) as half,
    ):
        for tool, arguments in CASES.values():
            with_view = await apps.call_tool(tool, arguments)
            for client in (plain, half):
                res = await client.call_tool(tool, arguments)
                assert set(res.meta) == SDK_META, (tool, arguments)
                assert res.content == with_view.content
                assert res.structured_content == with_view.structured_content
            assert META_KEY in with_view.meta


async def api_requests(apps: bool, tool: str, arguments: dict[str, Any], tmp_path) -> list[tuple[str, str]]:
    """The API requests one call makes, on a fresh workspace with no read cache (which would hide a
    repeated read)."""
    sim = Simulator()
    kwargs: dict[str, Any] = {"client_kwargs": {"extensions": [APPS]}} if apps else {}
    async with mcp_client(sim, tmp_path, api=make_client(sim, cache_ttl=0), **kwargs) as client:
        before = len(sim.requests)
        res = await client.call_tool(tool, arguments)
    assert not res.is_error and (META_KEY in (res.meta or {})) == apps
    return [(r.method, r.path) for r in sim.requests[before:]]


@pytest.mark.parametrize("case", sorted(CASES))
async def test_the_view_costs_no_api_request(tmp_path, case):
    tool, arguments = CASES[case]
    without = await api_requests(False, tool, arguments, tmp_path)
    assert without  # the call does reach the API
    assert await api_requests(True, tool, arguments, tmp_path) == without


async def test_a_view_that_cannot_be_built_costs_the_picture_not_the_answer(
    sim, tmp_path, monkeypatch, caplog
):
    def broken(campaign: m.Campaign) -> Any:
        raise ValueError("a view bug")

    tool, arguments = CASES["two_locales"]
    async with mcp_client(sim, tmp_path) as plain:
        expected = await plain.call_tool(tool, arguments)
    monkeypatch.setattr(campaign_tool, "campaign_view", broken)
    async with apps_client(sim, tmp_path) as client:
        res = await client.call_tool(tool, arguments)
    assert not res.is_error and set(res.meta) == SDK_META
    assert res.content == expected.content and res.structured_content == expected.structured_content
    assert "preview view could not be built" in caplog.text and "a view bug" in caplog.text
