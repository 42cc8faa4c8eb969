#!/usr/bin/env bash
# The MCP conformance suite (server mode) against `moengage-mcp --demo` over streamable HTTP on
# loopback. Fails on any scenario or check that fails and is not in conformance/expected-failures.yml
# (which lists only what needs the suite's own fixture tools, resources and prompts), on a listed
# entry that now passes or never ran, and on a traceback in the server's log.
#
#   bash scripts/conformance.sh        results in dist/conformance/, the server's log in dist/conformance/server.log
#
# Three runs against one server:
#   1. the suite's default (active) scenarios, at the 2025-11-25 wire: initialize, sessions,
#      logging/setLevel, ping, completion, tools, resources, prompts, DNS-rebinding protection
#   2. every scenario the 2026-07-28 revision requires, at its wire: stateless requests,
#      server/discover, caching, resource-not-found errors, multi-round-trip requests
#   3. http-header-validation (still "pending" in the suite, so not part of 1 or 2)
# The suite (and Node >= 22.19 where the machine's node is older) is installed into ./.tools.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

NODE=$(node22)
npm_tool @modelcontextprotocol/conformance "$CONFORMANCE_VERSION"
SUITE=$(tool_bin @modelcontextprotocol/conformance conformance)
SERVER=$(moengage_mcp)
BASELINE="$ROOT/conformance/expected-failures.yml"
REVISION=2026-07-28
out="$ROOT/dist/conformance"
rm -rf "$out"
mkdir -p "$out"

port=$(free_port)
url="http://127.0.0.1:$port/mcp"
"$SERVER" --demo --transport streamable-http --port "$port" >"$out/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
python3 - "$port" "$server" <<'EOF' || { cat "$out/server.log" >&2; die "the server did not start"; }
import os, socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit("the server exited")
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit("timed out")
EOF
echo "== conformance $CONFORMANCE_VERSION against $url (moengage-mcp --demo)"

suite() {  # suite NAME ARGS...: one run of the suite; its output is kept in $out/NAME.log
    local name=$1 rc=0
    shift
    (cd "$out" && "$NODE" "$SUITE" server --url "$url" --expected-failures "$BASELINE" -o "$out/$name" "$@") \
        >"$out/$name.log" 2>&1 || rc=$?
    if ((rc != 0)); then
        sed -e 's/\x1b\[[0-9;]*m//g' "$out/$name.log" | grep -A100 -E 'Unexpected failures|Stale baseline' >&2 \
            || tail -n 20 "$out/$name.log" >&2
        die "$name: the suite found unexpected failures or stale expected failures (see ${out#"$ROOT"/}/$name.log)"
    fi
    echo "-- $name (conformance server $*): $(sed -e 's/\x1b\[[0-9;]*m//g' "$out/$name.log" | grep -m1 -E '^Baseline check')"
}
suite default
suite "requirements-$REVISION" --requirements "$REVISION"
suite header-validation --scenario http-header-validation

"$NODE" "$SUITE" list --requirements "$REVISION" | sed -n '/^Server scenarios/,/^$/s/^  - //p' >"$out/required-$REVISION.txt"
if grep -n -E 'Traceback|ERROR' "$out/server.log" >&2; then
    die "the server logged an error during the suite (see ${out#"$ROOT"/}/server.log)"
fi

python3 - "$out" "$BASELINE" "$REVISION" <<'EOF'
"""Totals over the three runs, and a check that every expected failure is still needed."""
import json
import re
import sys
from pathlib import Path

out, baseline_path, revision = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
entries = [line.split("#")[0].strip()[2:].strip() for line in baseline_path.read_text().splitlines()
           if line.split("#")[0].strip().startswith("- ")]
whole = {e for e in entries if ":" not in e}
per_check = {tuple(e.split(":", 1)) for e in entries if ":" in e}
required = set((out / f"required-{revision}.txt").read_text().split())
runs = {"default": None, f"requirements-{revision}": required, "header-validation": None}

used, totals = set(), {"passed": 0, "expected": 0, "checks_passed": 0, "checks_failed": 0}
for run, scored in runs.items():
    passed = expected = 0
    for checks_file in sorted((out / run).glob("server-*/checks.json")):
        scenario = re.fullmatch(r"server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z", checks_file.parent.name).group(1)
        if scored is not None and scenario not in scored:
            continue  # run by --requirements but not scored for the revision (extensions, pending)
        checks = [c for c in json.loads(checks_file.read_text()) if c["status"] != "INFO"]
        failing = {c["id"] for c in checks if c["status"] in ("FAILURE", "WARNING")}
        totals["checks_passed"] += sum(c["status"] == "SUCCESS" for c in checks)
        totals["checks_failed"] += len(failing)
        if scenario in whole and failing:
            used.add(scenario)
            expected += 1
        elif failing and failing <= {check for s, check in per_check if s == scenario}:
            used.update(f"{scenario}:{check}" for check in failing)
            passed += 1  # the scenario passes but for checks that need the suite's fixtures
        elif failing:
            sys.exit(f"{run}: {scenario} failed {sorted(failing)}")
        else:
            passed += 1
    print(f"{run}: {passed} scenarios passed, {expected} expected failures (need the suite's fixtures)")
    totals["passed"] += passed
    totals["expected"] += expected
unused = sorted(set(entries) - used)
if unused:
    sys.exit(f"expected failures that no run needed (remove them): {unused}")
print(f"checks: {totals['checks_passed']} passed; {totals['checks_failed']} failing checks, each covered by one of the "
      f"{len(entries)} entries of the expected-failures file")
print(f"conformance: {totals['passed']} passed, 0 failed")
EOF
