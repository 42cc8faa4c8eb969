"""Write the tool lists people read from the tool registry: manifest.json's `tools[]` and the
README's tool table (between its `tools:start` / `tools:end` markers).

    python scripts/tool_docs.py            # rewrite both
    python scripts/tool_docs.py --check    # exit 1 if either is stale (tests/test_manifest.py runs this)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from moengage_mcp.server.registry import all_tools

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "manifest.json"
README = ROOT / "README.md"
TABLE = re.compile(r"(<!-- tools:start -->\n).*?(<!-- tools:end -->)", re.S)


def manifest_text() -> str:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    manifest["tools"] = [{"name": tool.name, "description": tool.summary} for tool in all_tools()]
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def readme_text() -> str:
    rows = [f"| `{tool.name}` | {tool.toolset.value} | {tool.summary} |" for tool in all_tools()]
    table = "\n".join(["| tool | toolset | what it does |", "|---|---|---|", *rows]) + "\n"
    readme = README.read_text(encoding="utf-8")
    if not TABLE.search(readme):
        raise SystemExit("README.md has no <!-- tools:start --> ... <!-- tools:end --> markers")
    return TABLE.sub(lambda found: found.group(1) + table + found.group(2), readme)


def stale() -> list[str]:
    """The files whose tool lists differ from the registry."""
    wanted = {MANIFEST: manifest_text(), README: readme_text()}
    return [path.name for path, text in wanted.items() if path.read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="only report whether the files are up to date")
    if parser.parse_args(argv).check:
        if outdated := stale():
            print(
                f"stale tool lists in {', '.join(outdated)}: run python scripts/tool_docs.py", file=sys.stderr
            )
            return 1
        return 0
    MANIFEST.write_text(manifest_text(), encoding="utf-8")
    README.write_text(readme_text(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
