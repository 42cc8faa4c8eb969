"""Token economy: how much of a model's context the tool list and typical results take.

Counts with a public Claude tokenizer (`pip install -e '.[bench]'`). A result is counted as the
text block the model reads (the structured content, compact JSON inside the data delimiters).

    python -m benchmarks.tokens            # table on stdout, JSON with --json
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

from moengage_mcp.runtime import open_apis
from moengage_mcp.server import create_server
from moengage_mcp.server.workspace import Workspaces
from moengage_mcp.settings import ENV, load_settings
from moengage_mcp.simulator import DEMO_CAMPAIGN_IDS
from moengage_mcp.workspaces import configured

from .common import compact, count_tokens, demo_session, model_sees

SIX_READ_TOOLS = (
    "search_campaigns",
    "get_campaign",
    "list_executions",
    "get_meta",
    "personalized_preview",
    "validate_campaign",
)
"""The core read tools of issue 4's 2,500-token budget."""
DRAFT_TOOLS = ("create_campaign", "update_campaign", "duplicate_campaign")
"""Issue 15's budget: what the three draft tools add, as a model sees a tool (name, description, input schema)."""
TWO_WORKSPACES = "tools/list growth, two workspaces (name, description, input schema)"
"""Issue 17's budget: what a `workspace` argument on every tool adds, with examples/workspaces.toml."""
BUDGETS = {
    "tools/list, six read tools": 2500,
    TWO_WORKSPACES: 150,
    "tools/list, three draft tools (name, description, input schema)": 1200,
    "search_campaigns, 15 campaigns": 1500,
    "get_campaign, largest email (default options)": 3000,
    "campaign_report, whole demo workspace (text)": 2000,
    "qa_campaign, largest over every demo campaign": 1500,
}
QA_USERS = ["user-1001", "user-1005"]
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "workspaces.toml"


def _seen(tool: Any) -> int:
    """Tokens of a tool as a model sees it: name, description, input schema."""
    return count_tokens(
        compact({"name": tool.name, "description": tool.description, "inputSchema": tool.input_schema})
    )


async def _two_workspaces() -> int:
    """The tool list's growth from one workspace to the two of examples/workspaces.toml (on simulators)."""
    with tempfile.TemporaryDirectory() as tmp:
        log = str(Path(tmp) / "audit.jsonl")
        settings = load_settings({ENV["workspaces_file"]: str(EXAMPLE)}, demo=True, audit_log=log)
        found = configured(settings, {})
        async with open_apis(found) as apis, demo_session() as (one, _):
            server = create_server(settings, Workspaces.of(apis, found.settings, found.default))
            async with Client(server) as two:
                listed = [(await client.list_tools()).tools for client in (two, one)]
                return sum(map(_seen, listed[0])) - sum(map(_seen, listed[1]))


async def measure() -> dict[str, int]:
    figures: dict[str, int] = {TWO_WORKSPACES: await _two_workspaces()}
    async with demo_session() as (client, sim):
        tools = (await client.list_tools()).tools
        entry = {
            t.name: count_tokens(
                compact(model_sees(t.model_dump(mode="json", by_alias=True, exclude_none=True)))
            )
            for t in tools
        }
        figures["tools/list, six read tools"] = sum(entry[name] for name in SIX_READ_TOOLS)
        figures["tools/list, all tools"] = sum(entry.values())
        figures["tools/list, three draft tools (name, description, input schema)"] = sum(
            _seen(t) for t in tools if t.name in DRAFT_TOOLS
        )
        for name, tokens in sorted(entry.items()):
            figures[f"  tools/list entry: {name}"] = tokens
        results: dict[str, tuple[str, dict[str, Any]]] = {
            "search_campaigns, 15 campaigns": ("search_campaigns", {"max_results": 15}),
            "get_campaign, largest email (default options)": (
                "get_campaign",
                {"campaign_id": DEMO_CAMPAIGN_IDS["largest_email"]},
            ),
            "get_meta, 15 scheduled campaigns": ("get_meta", {"statuses": ["SCHEDULED"]}),
            "list_executions, 15 runs": (
                "list_executions",
                {"campaign_id": DEMO_CAMPAIGN_IDS["periodic_most_executions"]},
            ),
        }
        for label, (tool, arguments) in results.items():
            res = await client.call_tool(tool, arguments)
            assert not res.is_error, res.content
            figures[label] = count_tokens(res.content[0].text)
        report = await client.call_tool("campaign_report", {"rank_by": "ctr"})
        figures["campaign_report, whole demo workspace (text)"] = count_tokens(report.content[0].text)
        figures["campaign_report, whole demo workspace (structured)"] = count_tokens(
            compact(report.structured_content)
        )
        figures["qa_campaign, largest over every demo campaign"] = max(
            [await _qa_tokens(client, cid) for cid, doc in sim.campaigns.items() if not doc.get("parent_id")]
        )
    return figures


async def _qa_tokens(client: Any, campaign_id: str) -> int:
    res = await client.call_tool("qa_campaign", {"campaign_id": campaign_id, "sample_user_ids": QA_USERS})
    assert not res.is_error, res.content
    return count_tokens(res.content[0].text)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures = anyio.run(measure)
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{'measure':<50} {'tokens':>7} {'budget':>7}")
    for label, tokens in figures.items():
        budget = BUDGETS.get(label)
        verdict = "" if budget is None else ("  ok" if tokens <= budget else "  OVER")
        print(f"{label:<50} {tokens:>7} {budget or '':>7}{verdict}")


if __name__ == "__main__":
    main()
