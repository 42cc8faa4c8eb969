"""Token economy: how much of a model's context the tool list and typical results take.

Counts with a public Claude tokenizer (`pip install -e '.[bench]'`). A result is counted as the
text block the model reads (the structured content, compact JSON inside the data delimiters).

    python -m benchmarks.tokens            # table on stdout, JSON with --json
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import anyio

from moengage_mcp.server.app import TOOLSETS
from moengage_mcp.settings import Toolset
from moengage_mcp.simulator import DEMO_CAMPAIGN_IDS

from .common import compact, count_tokens, demo_session

BUDGETS = {
    "tools/list, six read tools": 2500,
    "search_campaigns, 15 campaigns": 1500,
    "get_campaign, largest email (default options)": 3000,
}


async def measure() -> dict[str, int]:
    figures: dict[str, int] = {}
    async with demo_session() as (client, _sim):
        tools = (await client.list_tools()).tools
        entry = {t.name: count_tokens(compact(t.model_dump(mode="json", by_alias=True, exclude_none=True))) for t in tools}
        figures["tools/list, six read tools"] = sum(entry[name] for name in TOOLSETS[Toolset.READ])
        figures["tools/list, all tools"] = sum(entry.values())
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
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
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
