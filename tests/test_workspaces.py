"""Several workspaces in one server (SPEC "Several workspaces"), through real MCP sessions against two
simulated workspaces, each a simulator of its own on its own loopback base URL, configured by a real
workspaces file: routing, per-workspace policy, summaries and tokens naming the workspace, reports
and searches over both, and every way a workspaces file can be wrong."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from moengage_mcp.runtime import open_apis
from moengage_mcp.server import create_server
from moengage_mcp.server.workspace import Workspaces
from moengage_mcp.settings import SettingsError, load_settings
from moengage_mcp.simulator import DEMO_CAMPAIGN_IDS, DEMO_USERS, Simulator
from moengage_mcp.simulator.serving import serve_in_thread as serve
from moengage_mcp.workspaces import configured

from .conftest import audit_lines

pytestmark = pytest.mark.anyio

IDS = {"live": "LIVE0001", "test": "LIVE0001_DEBUG"}
KEYS = {"live": "live-secret-key-1", "test": "test-secret-key-2"}
USER = next(iter(DEMO_USERS))
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "workspaces.toml"
DRAFT = DEMO_CAMPAIGN_IDS["valid_push_draft"]
QA_POLICY = {
    "live": {"write_mode": "confirm", "toolsets": ["read", "lifecycle"]},
    "test": {"write_mode": "auto", "toolsets": ["read", "draft", "send"], "test_recipients": [USER]},
}
"""The issue's case: a QA agent that tests in TEST and only reads (or, confirmed, pauses) in LIVE."""


def toml(default: str | None, tables: dict[str, dict[str, Any]]) -> str:
    """A workspaces file (JSON strings and string arrays are TOML too)."""
    lines = [f"default = {json.dumps(default)}"] if default else []
    for name, fields in tables.items():
        lines.append(f"[workspaces.{name}]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in fields.items()]
    return "\n".join(lines) + "\n"


@asynccontextmanager
async def several(
    tmp_path, policy: dict[str, dict[str, Any]], *, client_kwargs: dict[str, Any] | None = None
) -> AsyncIterator[tuple[Client, dict[str, Simulator]]]:
    """A session with a server of the workspaces `policy` names, built as the CLI builds it."""
    sims = {name: Simulator(workspace_id=IDS[name], api_key=KEYS[name]) for name in policy}
    with ExitStack() as stack:
        urls = {name: stack.enter_context(serve(sim.app)) for name, sim in sims.items()}
        tables = {
            name: {
                "workspace_id": IDS[name],
                "base_url": urls[name],
                "api_key_env": f"KEY_{name.upper()}",
                **own,
            }
            for name, own in policy.items()
        }
        path = tmp_path / "workspaces.toml"
        path.write_text(toml("test", tables))
        settings = load_settings(
            {"MOENGAGE_MCP_WORKSPACES_FILE": str(path)}, audit_log=str(tmp_path / "audit.jsonl")
        )
        found = configured(settings, {f"KEY_{name.upper()}": KEYS[name] for name in policy})
        async with open_apis(found) as apis:
            server = create_server(settings, Workspaces.of(apis, found.settings, found.default))
            async with Client(server, **(client_kwargs or {})) as client:
                yield client, sims


def posts(sim: Simulator, path: str) -> list:
    return [r for r in sim.requests if r.method == "POST" and r.path == path]


async def test_each_workspaces_requests_carry_only_its_credentials_and_go_to_its_base_url(tmp_path):
    async with several(tmp_path, QA_POLICY) as (client, sims):
        live = await client.call_tool("get_campaign", {"campaign_id": DRAFT, "workspace": "live"})
        default = await client.call_tool("search_campaigns", {"max_results": 3})
    assert not live.is_error and not default.is_error
    assert live.structured_content["workspace"] == "live" and live.content[0].text.startswith(
        "Workspace: live\n"
    )
    assert default.structured_content["workspace"] == "test"
    for name, sim in sims.items():
        assert sim.requests, name
        basic = base64.b64encode(f"{IDS[name]}:{KEYS[name]}".encode()).decode()
        for request in sim.requests:
            assert request.headers["authorization"] == f"Basic {basic}"
            assert request.headers.get("moe-appkey", IDS[name]) == IDS[name]
    assert [r.path for r in sims["live"].requests] == [f"/v5/campaigns/{DRAFT}"]
    assert [r.path for r in sims["test"].requests] == ["/v5/campaigns/search"]


async def test_the_schema_offers_the_workspaces_and_refuses_others(tmp_path):
    async with several(tmp_path, QA_POLICY) as (client, sims):
        tools = {t.name: t for t in (await client.list_tools()).tools}
        wrong = await client.call_tool("get_campaign", {"campaign_id": DRAFT, "workspace": "prod"})
    assert tools["get_campaign"].input_schema["properties"]["workspace"] == {"enum": ["live", "test"]}
    spanned = tools["campaign_report"].input_schema["properties"]["workspace"]
    assert spanned == {"anyOf": [{"enum": ["live", "test", "*"]}, {"items": {"enum": ["live", "test"]}}]}
    # listed because one workspace allows each of them, offering that one
    offered = {
        name: tools[name].input_schema["properties"]["workspace"]
        for name in ("test_campaign", "pause_campaign")
    }
    assert offered == {"test_campaign": {"enum": ["test"]}, "pause_campaign": {"enum": ["live"]}}
    assert wrong.is_error and "workspace" in wrong.content[0].text
    assert all(not sim.requests for sim in sims.values())


async def test_a_write_is_refused_in_a_workspace_whose_own_settings_forbid_it(tmp_path):
    send = {"campaign_id": DRAFT, "identifier": "USER_ATTRIBUTE_UNIQUE_ID", "recipients": [USER]}
    async with several(tmp_path, QA_POLICY) as (client, sims):
        in_live = await client.call_tool("test_campaign", {**send, "workspace": "live"})
        pause_in_test = await client.call_tool("pause_campaign", {"campaign_id": DRAFT})
        stranger = await client.call_tool("test_campaign", {**send, "recipients": ["someone-else"]})
        in_test = await client.call_tool("test_campaign", send)
    assert in_live.is_error
    said = in_live.content[0].text
    assert "in workspace live" in said and "[workspaces.live] of MOENGAGE_MCP_WORKSPACES_FILE" in said
    assert pause_in_test.is_error and "toolsets" in pause_in_test.content[0].text
    assert stranger.is_error and "someone-else" not in str(sims["test"].test_sends)
    assert not in_test.is_error and in_test.structured_content["status"] == "done"
    assert in_test.structured_content["workspace"] == "test"
    assert len(sims["test"].test_sends) == 1 and not sims["live"].test_sends
    assert sims["live"].requests == []  # both refusals came before any request
    refused = [line for line in audit_lines(tmp_path) if line["decision"] == "refused"]
    assert {line["tool"] for line in refused} >= {"test_campaign", "pause_campaign"}


async def test_summaries_and_tokens_name_their_workspace(tmp_path):
    both = {name: {"write_mode": "confirm", "toolsets": ["read", "lifecycle"]} for name in ("live", "test")}
    async with several(tmp_path, both) as (client, sims):
        cid = next(
            c["id"]
            for c in sims["live"].campaigns.values()
            if c.get("status") == "ACTIVE" and c.get("campaign_delivery_type") == "PERIODIC"
        )
        asked = (
            await client.call_tool("pause_campaign", {"campaign_id": cid, "workspace": "live"})
        ).structured_content
        token = asked["confirmation_token"]
        elsewhere = await client.call_tool(
            "pause_campaign", {"campaign_id": cid, "workspace": "test", "confirmation_token": token}
        )
        defaulted = await client.call_tool(
            "pause_campaign", {"campaign_id": cid, "confirmation_token": token}
        )
        done = await client.call_tool(
            "pause_campaign", {"campaign_id": cid, "workspace": "live", "confirmation_token": token}
        )
    assert asked["status"] == "confirmation_required" and asked["summary"].startswith("Workspace live: ")
    for refused in (elsewhere, defaulted):  # a token for live is worth nothing in test, named or by default
        assert refused.is_error and "does not match" in refused.content[0].text
    assert not done.is_error and done.structured_content["status"] == "done"
    patched = {name: [r for r in sim.requests if r.method == "PATCH"] for name, sim in sims.items()}
    assert len(patched["live"]) == 1 and patched["test"] == []


async def test_a_report_and_a_search_over_both_workspaces(tmp_path):
    async with several(tmp_path, QA_POLICY) as (client, sims):
        report = await client.call_tool("campaign_report", {"workspace": "*"})
        live = await client.call_tool("campaign_report", {"workspace": "live"})
        test = await client.call_tool("campaign_report", {"workspace": "test"})
        found = await client.call_tool("search_campaigns", {"workspace": ["live", "test"], "max_results": 20})
    assert not report.is_error, report.content[0].text
    text = report.content[0].text
    assert "## Workspace live" in text and "## Workspace test" in text
    both = report.structured_content
    assert both["total"] == live.structured_content["total"] + test.structured_content["total"]
    assert {row["workspace"] for row in both["counts"]} == {"live", "test"}
    starts = [row.get("start") or "" for row in both["scheduled_next"]]
    assert starts == sorted(starts) and {row["workspace"] for row in both["scheduled_next"]} == {
        "live",
        "test",
    }
    rows = found.structured_content["campaigns"]
    assert {row["workspace"] for row in rows} == {"live", "test"} and len(rows) == 40
    assert found.structured_content["more"] and set(found.structured_content["next_offsets"]) == {
        "live",
        "test",
    }
    assert all(posts(sim, "/v5/campaigns/search") for sim in sims.values())


async def test_the_workspace_resource_lists_every_workspace_without_secrets(tmp_path):
    async with several(tmp_path, QA_POLICY) as (client, _):
        read = await client.read_resource("moengage://workspace")
        campaign = await client.read_resource(f"moengage://workspaces/live/campaigns/{DRAFT}")
    said = json.loads(read.contents[0].text)
    assert said["default"] == "test" and set(said["workspaces"]) == {"live", "test"}
    assert said["workspaces"]["live"]["write_mode"] == "confirm"
    assert said["workspaces"]["test"]["toolsets"] == ["draft", "read", "send"]
    assert all(key not in read.contents[0].text for key in KEYS.values())
    assert json.loads(campaign.contents[0].text)["id"] == DRAFT


# ---------------------------------------------------------------------- the file, checked at start-up

GOOD = {"workspace_id": "ABCD1234", "api_key_env": "KEY_LIVE"}
ENV = {"KEY_LIVE": "a-live-key-never-shown", "KEY_TEST": "a-test-key-never-shown"}


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("default = 'live'\n[workspaces.live\n", "not valid TOML"),
        (toml("live", {"live": {**GOOD, "colour": "blue"}}), "workspace 'live': colour: unknown key"),
        (
            toml("live", {"live": {**GOOD, "write_mode": "yolo"}}),
            "workspace 'live': write_mode: expected one of",
        ),
        (toml("live", {"live": {**GOOD, "toolsets": ["read", "admin"]}}), "workspace 'live': toolsets"),
        (toml("live", {"live": {**GOOD, "data_center": "99"}}), "workspace 'live': data_center"),
        (toml("live", {"live": {**GOOD, "base_url": "ftp://x"}}), "workspace 'live': base_url"),
        (
            toml("live", {"live": {"api_key_env": "KEY_LIVE"}}),
            "workspace 'live': workspace_id: Field required",
        ),
        (toml("live", {"live": {**GOOD, "api_key_env": "KEY_NOWHERE"}}), "KEY_NOWHERE is not set"),
        (toml("live", {"live": {**GOOD, "api_key_env": "MOENGAGE_MCP_X"}}), "api_key_env: MOENGAGE_MCP_"),
        (toml("live", {"live": {**GOOD, "workspace_id": "bad id!"}}), "workspace 'live': workspace_id"),
        (
            toml("live", {"live": GOOD, "test": {**GOOD, "api_key_env": "KEY_TEST"}}),
            "workspace 'test': workspace_id: ABCD1234 is already workspace 'live'",
        ),
        (
            toml(None, {"live": GOOD, "test": {"workspace_id": "X2", "api_key_env": "KEY_TEST"}}),
            "default: name",
        ),
        (toml("prod", {"live": GOOD}), "default: 'prod' is not one of"),
        ("default = 'live'\n", "workspaces: Field required"),
        (toml("live", {"live no": GOOD}), "not valid TOML"),
        ('[workspaces."a b"]\nworkspace_id = "X"\napi_key_env = "KEY_LIVE"\n', "workspace 'a b': the name"),
    ],
)
def test_a_bad_workspaces_file_stops_start_up_naming_the_workspace_and_field(tmp_path, text, needle):
    path = tmp_path / "workspaces.toml"
    path.write_text(text)
    settings = load_settings({"MOENGAGE_MCP_WORKSPACES_FILE": str(path)})
    with pytest.raises(SettingsError) as caught:
        configured(settings, ENV)
    said = str(caught.value)
    assert said.startswith("MOENGAGE_MCP_WORKSPACES_FILE: ") and needle in said, said
    assert "\n" not in said and all(key not in said for key in ENV.values())


def test_a_missing_file_and_the_cli_exit_two_with_one_line(tmp_path):
    bad = tmp_path / "workspaces.toml"
    bad.write_text(toml("live", {"live": {**GOOD, "write_mode": "yolo"}}))
    for path, needle in ((tmp_path / "absent.toml", "cannot read"), (bad, "write_mode")):
        run = subprocess.run(
            [sys.executable, "-m", "moengage_mcp", "check"],
            env={"MOENGAGE_MCP_WORKSPACES_FILE": str(path), **ENV, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 2, run.stderr
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and needle in lines[0] and ENV["KEY_LIVE"] not in run.stderr


def test_check_reports_each_workspace(tmp_path):
    live = Simulator(workspace_id="CHECK01", api_key="right-key")
    with serve(live.app) as url:
        path = tmp_path / "workspaces.toml"
        tables = {
            "good": {"workspace_id": "CHECK01", "base_url": url, "api_key_env": "KEY_GOOD"},
            "bad": {"workspace_id": "CHECK02", "base_url": url, "api_key_env": "KEY_BAD"},
        }
        path.write_text(toml("good", tables))
        run = subprocess.run(
            [sys.executable, "-m", "moengage_mcp", "check"],
            env={"MOENGAGE_MCP_WORKSPACES_FILE": str(path), "KEY_GOOD": "right-key", "KEY_BAD": "wrong-key"},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert run.returncode == 1
    assert f"OK: good: reached {url} as workspace CHECK01" in run.stdout
    assert f"FAILED: bad: {url} as workspace CHECK02" in run.stderr
    assert "wrong-key" not in run.stdout + run.stderr and "right-key" not in run.stdout + run.stderr


async def test_the_demo_serves_test_and_live_over_stdio(tmp_path):
    """`--demo` with the example file: both workspaces simulated, no credentials, the CLI's own wiring."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOENGAGE_")}
    env |= {
        "MOENGAGE_MCP_AUDIT_LOG": str(tmp_path / "audit.jsonl"),
        "MOENGAGE_MCP_WORKSPACES_FILE": str(EXAMPLE),
    }
    params = StdioServerParameters(command=sys.executable, args=["-m", "moengage_mcp", "--demo"], env=env)
    async with Client(params) as client:
        found = await client.call_tool("search_campaigns", {"workspace": "*", "max_results": 2})
        send = {"campaign_id": DRAFT, "identifier": "USER_ATTRIBUTE_UNIQUE_ID", "recipients": ["user-1001"]}
        sent = await client.call_tool("test_campaign", send)
        refused = await client.call_tool("test_campaign", {**send, "workspace": "live"})
    assert [row["workspace"] for row in found.structured_content["campaigns"]] == ["live"] * 2 + ["test"] * 2
    assert not sent.is_error and sent.structured_content["status"] == "done"
    assert refused.is_error and "[workspaces.live]" in refused.content[0].text
