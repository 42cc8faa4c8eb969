"""What models see of the tools, as a reviewed snapshot (like github-mcp-server's toolsnaps).

`tests/snapshots/tools.json` holds every tool's name, title, description, input and output schema
and annotations exactly as `tools/list` sends them from a server with every toolset and writes on
(one workspace). Any change to what a model sees fails here until the snapshot is regenerated
(`MOENGAGE_TEST_UPDATE_SNAPSHOTS=1 pytest tests/test_tool_snapshot.py`) and the diff reviewed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .conftest import mcp_client

SNAPSHOT = Path(__file__).parent / "snapshots" / "tools.json"

pytestmark = pytest.mark.anyio


def as_seen(tool) -> dict:
    entry = tool.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {
        key: entry[key]
        for key in ("name", "title", "description", "inputSchema", "outputSchema", "annotations", "_meta")
        if key in entry
    }


async def test_tools_list_matches_the_reviewed_snapshot(sim, tmp_path):
    async with mcp_client(sim, tmp_path) as client:
        listed = {tool.name: as_seen(tool) for tool in (await client.list_tools()).tools}
    seen = json.dumps(dict(sorted(listed.items())), indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    if os.environ.get("MOENGAGE_TEST_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(seen, encoding="utf-8")
    assert SNAPSHOT.exists(), "no snapshot yet: run with MOENGAGE_TEST_UPDATE_SNAPSHOTS=1 and review it"
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    for name in sorted(set(expected) | set(listed)):
        assert listed.get(name) == expected.get(name), f"tools/list changed for {name}: regenerate and review"
