"""manifest.json (the Claude Desktop bundle) describes the server that really runs.

The tool and prompt lists are compared with what a real MCP client session lists from a server
built with default settings (every toolset, write mode `confirm`), so adding a tool or a prompt
without adding it to the manifest fails here.
"""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path

import pytest

from moengage_mcp import __version__
from moengage_mcp.settings import ENV, load_settings
from moengage_mcp.workspaces import BUNDLE_SECOND_KEY as SECOND_KEY
from moengage_mcp.workspaces import configured

from .conftest import mcp_client

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
USER_CONFIG = re.compile(r"\$\{user_config\.([A-Za-z0-9_]+)\}")

pytestmark = pytest.mark.anyio


async def test_tools_are_exactly_those_the_server_lists(sim, tmp_path):
    async with mcp_client(sim, tmp_path) as client:
        listed = {tool.name for tool in (await client.list_tools()).tools}
    declared = [tool["name"] for tool in MANIFEST["tools"]]
    assert len(declared) == len(set(declared)), "a tool is declared twice"
    assert set(declared) == listed, (
        f"manifest.json lacks {sorted(listed - set(declared))}, declares unknown {sorted(set(declared) - listed)}"
    )
    assert all(tool.get("description") for tool in MANIFEST["tools"])


async def test_prompts_are_exactly_those_the_server_lists(sim, tmp_path):
    async with mcp_client(sim, tmp_path) as client:
        prompts = {prompt.name: prompt for prompt in (await client.list_prompts()).prompts}
    declared = {prompt["name"]: prompt for prompt in MANIFEST["prompts"]}
    assert len(declared) == len(MANIFEST["prompts"]), "a prompt is declared twice"
    assert set(declared) == set(prompts), (
        f"manifest.json lacks {sorted(set(prompts) - set(declared))}, "
        f"declares unknown {sorted(set(declared) - set(prompts))}"
    )
    for name, prompt in declared.items():
        assert prompt.get("description") and prompt.get("text")
        assert prompt.get("arguments", []) == [argument.name for argument in prompts[name].arguments or []], (
            name
        )


def test_every_user_config_key_reaches_the_server_environment():
    env = MANIFEST["server"]["mcp_config"]["env"]
    used = {key for value in env.values() for key in USER_CONFIG.findall(value)}
    assert used == set(MANIFEST["user_config"])
    settings = set(env) - {SECOND_KEY}  # a key variable a workspaces file names, not a setting
    assert settings <= set(ENV.values()), f"unknown settings {sorted(settings - set(ENV.values()))}"
    assert MANIFEST["user_config"]["api_key"].get("sensitive") is True
    assert MANIFEST["user_config"]["second_api_key"].get("sensitive") is True
    assert env["MOENGAGE_API_KEY"] == "${user_config.api_key}"


def test_a_bundles_workspaces_file_reads_both_of_its_keys(tmp_path):
    """The bundle's workspaces-file field: a TEST and a LIVE workspace, keyed by the bundle's two key fields."""
    path = tmp_path / "workspaces.toml"
    path.write_text(
        'default = "test"\n[workspaces.live]\nworkspace_id = "LIVE1"\napi_key_env = "MOENGAGE_API_KEY"\n'
        f'[workspaces.test]\nworkspace_id = "TEST1"\napi_key_env = "{SECOND_KEY}"\nwrite_mode = "auto"\n'
    )
    env = {"MOENGAGE_WORKSPACE_ID": "ignored", "MOENGAGE_API_KEY": "live-key", SECOND_KEY: "test-key"}
    env["MOENGAGE_MCP_WORKSPACES_FILE"] = str(path)
    found = configured(load_settings({k: v for k, v in env.items() if k != SECOND_KEY}), env)
    keys = {name: s.api_key.get_secret_value() for name, s in found.settings.items() if s.api_key}
    assert keys == {"live": "live-key", "test": "test-key"}
    assert found.settings["test"].write_mode.value == "auto" and found.default == "test"


def test_user_config_defaults_are_valid_settings():
    """What Claude Desktop passes when the user keeps the defaults starts the server."""
    env = {"MOENGAGE_WORKSPACE_ID": "WORKSPACE1", "MOENGAGE_API_KEY": "key"}
    for var, value in MANIFEST["server"]["mcp_config"]["env"].items():
        (key,) = USER_CONFIG.findall(value)
        default = MANIFEST["user_config"][key].get("default")
        if default is not None:
            env[var] = str(default)
    settings = load_settings(env)
    assert settings.write_mode.value == "confirm" and len(settings.toolsets) == 4


def test_manifest_and_readme_tool_lists_are_generated_from_the_registry():
    tool_docs = runpy.run_path(str(ROOT / "scripts" / "tool_docs.py"))
    assert tool_docs["stale"]() == [], "run python scripts/tool_docs.py"


def test_bundle_metadata():
    assert MANIFEST["manifest_version"] == "0.4" and MANIFEST["server"]["type"] == "uv"
    assert MANIFEST["version"] == __version__
    assert MANIFEST["license"] == "MIT"
    assert (ROOT / MANIFEST["server"]["entry_point"]).is_file()
    args = MANIFEST["server"]["mcp_config"]["args"]
    assert args[-1] == "moengage-mcp" and "${__dirname}" in args
