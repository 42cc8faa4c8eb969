"""MoEngage's own MCP server (`moengage-mcp-server` 0.1.2 from PyPI), for the token comparison.

It needs `mcp<2` and installs a package also named `moengage_mcp`, so it lives in its own
virtual environment under ./.tools/ (gitignored), made by `ensure_venv()` on first use:

    python -m benchmarks.baseline          # create the venv if needed, print its tools/list size

It is only ever asked for initialize and tools/list. It starts with dummy credentials from a
temporary working directory (it reads `.env` from there), and every proxy variable points at the
discard port on loopback, so even a request it might make could not leave the machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .harness import ROOT, base_env
from .stdio import StdioServer

PACKAGE = "moengage-mcp-server==0.1.2"
VENV = ROOT / ".tools" / "moengage-mcp-server"
COMMAND = VENV / "bin" / "moengage-mcp-server"
DEAD_PROXY = "http://127.0.0.1:9"


def ensure_venv(*, create: bool = True) -> Path | None:
    """The baseline's console script, installing it into its venv first when `create`."""
    if COMMAND.exists():
        return COMMAND
    if not create:
        return None
    print(f"benchmarks: creating {VENV.relative_to(ROOT)} with {PACKAGE} and mcp<2 (once)", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, PACKAGE, "mcp<2"], check=True)
    return COMMAND


def baseline_env() -> dict[str, str]:
    env = {k: v for k, v in base_env().items() if not k.upper().endswith("_PROXY") and k != "PYTHONPATH"}
    return env | {
        "MOENGAGE_WORKSPACE_ID": "DUMMY_WORKSPACE_ID",
        "MOENGAGE_CAMPAIGN_REPORTS_API_KEY": "dummy-key-never-used",
        "MOENGAGE_DATA_CENTER": "01",
        "HTTP_PROXY": DEAD_PROXY,
        "HTTPS_PROXY": DEAD_PROXY,
        "ALL_PROXY": DEAD_PROXY,
        "http_proxy": DEAD_PROXY,
        "https_proxy": DEAD_PROXY,
        "all_proxy": DEAD_PROXY,
        "NO_PROXY": "",
        "no_proxy": "",
    }


def listing(command: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(initialize result, tools) of the baseline server."""
    with tempfile.TemporaryDirectory(prefix="moengage-baseline-") as cwd:
        with StdioServer([str(command)], baseline_env(), cwd=cwd) as server:
            init = server.initialize()
            return init, server.list_tools()


def main() -> None:
    command = ensure_venv()
    assert command is not None
    init, tools = listing(command)
    print(json.dumps({"server": init.get("serverInfo"), "tools": [t["name"] for t in tools]}, indent=2))
    print(f"tools/list: {len(json.dumps(tools, separators=(',', ':')))} bytes of compact JSON")


if __name__ == "__main__":
    main()
