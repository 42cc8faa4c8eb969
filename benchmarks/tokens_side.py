"""Tokens side by side: what connecting each server costs a model's context, ours beside
MoEngage's own `moengage-mcp-server` 0.1.2 (see benchmarks/baseline.py), plus our typical
results (benchmarks/tokens.py, which has the budgets).

Both servers are asked over stdio by the same raw JSON-RPC client, and each tools/list entry is
counted as compact JSON with the same public Claude tokenizer (`pip install -e '.[bench]'`).

    python -m benchmarks.tokens_side
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any

import anyio

from .baseline import ensure_venv, listing
from .common import model_sees
from .harness import DEAD_URL, OURS, ROOT, Row, audit_dir, server_env
from .stdio import StdioServer


@dataclass
class Tokens:
    available: bool = True
    ours_tools: dict[str, int] = field(default_factory=dict)
    ours_read_only: int = 0
    ours_read_only_count: int = 0
    ours_instructions: int = 0
    base_tools: dict[str, int] = field(default_factory=dict)
    base_instructions: int = 0
    results: dict[str, int] = field(default_factory=dict)
    budgets: dict[str, int] = field(default_factory=dict)
    note: str = ""


def _counter() -> Any:
    try:
        from .common import compact, count_tokens

        count_tokens("probe")
    except ImportError:
        return None
    return lambda data: count_tokens(data if isinstance(data, str) else compact(data))


def ours_listing() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    with audit_dir() as tmp, StdioServer(OURS, server_env(DEAD_URL, tmp), cwd=ROOT) as server:
        return server.initialize(), server.list_tools()


def measure(*, baseline: bool = True, results: bool = True, create_venv: bool = True) -> Tokens:
    count = _counter()
    if count is None:
        return Tokens(available=False, note="tokenizer not installed: pip install -e '.[bench]'")
    out = Tokens()
    init, tools = ours_listing()
    out.ours_tools = {t["name"]: count(model_sees(t)) for t in tools}
    read_only = [t["name"] for t in tools if (t.get("annotations") or {}).get("readOnlyHint")]
    out.ours_read_only = sum(out.ours_tools[name] for name in read_only)
    out.ours_read_only_count = len(read_only)
    out.ours_instructions = count(init.get("instructions") or "")
    if baseline:
        command = ensure_venv(create=create_venv)
        if command is None:
            out.note = "baseline venv absent (run without --smoke once to create it)"
        else:
            base_init, base_tools = listing(command)
            out.base_tools = {t["name"]: count(t) for t in base_tools}
            out.base_instructions = count(base_init.get("instructions") or "")
    if results:
        from . import tokens

        figures = anyio.run(tokens.measure)
        out.budgets = dict(tokens.BUDGETS)
        out.results = {
            label: n
            for label, n in figures.items()
            if not label.startswith(" ") and label != "tools/list, all tools"
        }
    return out


def rows(t: Tokens) -> list[Row]:
    if not t.available:
        return [Row("tokens", "n/a", note=t.note)]
    ours_all = sum(t.ours_tools.values())
    base_all = sum(t.base_tools.values())
    per_ours = ours_all / len(t.ours_tools)
    out = [
        Row(
            f"tokens: tools/list, all tools (ours {len(t.ours_tools)}, MoEngage's {len(t.base_tools) or '?'})",
            f"{ours_all:,}",
            f"{base_all:,} (moengage-mcp-server 0.1.2)" if base_all else t.note,
            f"{ours_all / base_all:.2f}x" if base_all else "",
            "< baseline",
            ours_all < base_all if base_all else None,
        ),
        Row(
            "tokens: tools/list per tool",
            f"{per_ours:,.0f}",
            f"{base_all / len(t.base_tools):,.0f}" if base_all else "",
            f"{per_ours / (base_all / len(t.base_tools)):.2f}x" if base_all else "",
            "",
            None,
        ),
        Row(
            f"tokens: tools/list, the {t.ours_read_only_count} read-only tools",
            f"{t.ours_read_only:,}",
            "",
            "",
            "",
            None,
        ),
        Row(
            "tokens: initialize instructions",
            f"{t.ours_instructions:,}",
            f"{t.base_instructions:,}" if base_all else "",
            f"{t.ours_instructions / t.base_instructions:.2f}x" if base_all and t.base_instructions else "",
            "",
            None,
        ),
    ]
    for label, n in t.results.items():
        budget = t.budgets.get(label)
        out.append(
            Row(
                f"tokens: {label}",
                f"{n:,}",
                "" if label.startswith("tools/list") else "n/a (needs the real API)",
                "",
                f"<= {budget:,}" if budget else "",
                (n <= budget) if budget else None,
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.parse_args()
    for row in rows(measure()):
        print(" | ".join(row.cells()))


if __name__ == "__main__":
    main()
