#!/usr/bin/env bash
# Smoke test with a standard client: the MCP Inspector's CLI mode drives `moengage-mcp --demo`
# over stdio (a fresh server process per call, as a desktop client starts it) and every answer is
# checked. Any error or unexpected output fails the script.
#
#   bash scripts/inspector_smoke.sh
#
# The Inspector (and, where the machine's node is older than 22.19, a Node 22 binary) is
# installed into ./.tools on first use.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

NODE=$(node22)
npm_tool @modelcontextprotocol/inspector "$INSPECTOR_VERSION"
INSPECTOR=$(tool_bin @modelcontextprotocol/inspector mcp-inspector)
SERVER=$(moengage_mcp)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# inspect NAME ARGS...: run one Inspector CLI call; stdout -> $work/NAME.json, stderr -> $work/NAME.err
inspect() {
    local name=$1
    shift
    local rc=0
    (cd "$work" && timeout 120 "$NODE" "$INSPECTOR" --cli "$SERVER" --demo "$@" >"$work/$name.json" 2>"$work/$name.err") || rc=$?
    echo "$rc" >"$work/$name.rc"
}

# check NAME: the Python that follows on stdin gets `out` (parsed stdout), `err` (stderr) and `rc`
check() {
    local name=$1
    python3 -c '
import json, sys
name, work = sys.argv[1], sys.argv[2]
rc = int(open(f"{work}/{name}.rc").read())
err = open(f"{work}/{name}.err").read()
raw = open(f"{work}/{name}.json").read()
try:
    out = json.loads(raw) if raw.strip() else None
except ValueError:
    sys.exit(f"{name}: stdout is not JSON: {raw[:300]!r}")
def fail(message):
    sys.exit(f"{name}: {message}\n  exit code {rc}\n  stderr: {err.strip()[:500]}\n  stdout: {raw.strip()[:500]}")
exec(sys.stdin.read())
print(f"ok: {name}")
' "$name" "$work"
}

echo "== MCP Inspector $INSPECTOR_VERSION (CLI) against: $SERVER --demo"

inspect tools_list --method tools/list --strict
check tools_list <<'EOF'
if rc != 0 or err.strip():
    fail("tools/list failed or reported schema portability problems (--strict)")
tools = {t["name"]: t for t in out["tools"]}
spec = {"search_campaigns", "get_campaign", "list_executions", "get_meta", "personalized_preview", "validate_campaign",
        "test_campaign", "publish_campaign", "pause_campaign", "resume_campaign", "stop_campaign"}
if spec - set(tools):
    fail(f"missing tools {sorted(spec - set(tools))}")
for t in tools.values():
    if not (t.get("title") and t.get("description") and t["inputSchema"].get("type") == "object" and t.get("annotations")):
        fail(f"{t['name']}: needs a title, a description, an object input schema and annotations")
    if "outputSchema" not in t:
        fail(f"{t['name']}: no outputSchema")
if tools["search_campaigns"]["annotations"].get("readOnlyHint") is not True:
    fail("search_campaigns is not marked readOnlyHint")
if tools["stop_campaign"]["annotations"].get("destructiveHint") is not True:
    fail("stop_campaign is not marked destructiveHint")
EOF

inspect search --method tools/call --tool-name search_campaigns --tool-arg max_results=3 'channels=["PUSH"]'
check search <<'EOF'
import re
if rc != 0 or out.get("isError"):
    fail("search_campaigns failed")
rows = out["structuredContent"]["campaigns"]
if len(rows) != 3 or out["structuredContent"].get("more") is not True:
    fail("expected 3 campaigns and more=true")
for row in rows:
    if not re.fullmatch(r"[0-9a-f]{24}", row["id"]) or row["channel"] != "PUSH" or not row.get("name"):
        fail(f"unexpected row {row}")
text = out["content"][0]["text"]
if not text.startswith("<workspace-data>") or rows[0]["id"] not in text:
    fail("the text block does not carry the rows inside <workspace-data>")
EOF

inspect search_typo --method tools/call --tool-name search_campaigns --tool-arg chanels=PUSH
check search_typo <<'EOF'
# exit code 5: the tool answered isError:true, which is what a misspelt filter must get
if rc != 5 or "unknown argument(s) chanels" not in err + raw:
    fail("a misspelt argument was not refused as a tool error")
EOF

inspect prompts_list --method prompts/list
check prompts_list <<'EOF'
prompts = {p["name"]: p for p in out["prompts"]}
if rc != 0 or not {"campaign_qa", "campaign_report"} <= set(prompts):
    fail("campaign_qa and campaign_report are not listed")
if not all(p.get("description") for p in prompts.values()):
    fail("a prompt has no description")
EOF

inspect prompt_get --method prompts/get --prompt-name campaign_qa --prompt-args campaign_id=0123456789abcdef01234567
check prompt_get <<'EOF'
if rc != 0 or "0123456789abcdef01234567" not in out["messages"][0]["content"]["text"]:
    fail("campaign_qa did not render for the campaign")
EOF

inspect prompt_unknown --method prompts/get --prompt-name campaign_qq
check prompt_unknown <<'EOF'
if rc == 0 or "Unknown prompt: campaign_qq" not in err or "Internal" in err:
    fail("an unknown prompt must be refused naming it (invalid params), not fail as an internal error")
EOF

inspect workspace --method resources/read --uri moengage://workspace
check workspace <<'EOF'
settings = json.loads(out["contents"][0]["text"])
if rc != 0 or settings.get("demo") is not True or settings.get("write_mode") != "confirm":
    fail("moengage://workspace does not describe the demo server")
if "key" in out["contents"][0]["text"].lower():
    fail("the workspace resource mentions a key")
EOF

echo "inspector smoke: all checks passed"
