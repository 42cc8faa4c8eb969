#!/usr/bin/env bash
# Build the Claude Desktop bundle (MCP Bundle, .mcpb) of moengage-mcp.
#
#   bash scripts/bundle.sh              validate manifest.json, pack dist/moengage-mcp-<version>.mcpb, check its contents
#   bash scripts/bundle.sh --validate   validate manifest.json only
#   bash scripts/bundle.sh --smoke      also start the packed bundle the way Claude Desktop's uv runtime does
#                                       (uv run in the unpacked bundle, manifest env defaults, --demo) and list
#                                       its tools with the MCP Inspector
#
# The mcpb CLI (and for --smoke uv and the Inspector) are installed into ./.tools on first use.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=pack
case "${1:-}" in
    "") ;;
    --validate) mode=validate ;;
    --smoke) mode=smoke ;;
    *) die "usage: scripts/bundle.sh [--validate | --smoke]" ;;
esac

cd "$ROOT"
NODE=$(node22)
npm_tool @anthropic-ai/mcpb "$MCPB_VERSION"
mcpb() { "$NODE" "$(tool_bin @anthropic-ai/mcpb mcpb)" "$@"; }

echo "== mcpb validate manifest.json"
mcpb validate manifest.json
[[ $mode == validate ]] && exit 0

version=$(python3 -c 'import json; print(json.load(open("manifest.json"))["version"])')
bundle="$ROOT/dist/moengage-mcp-$version.mcpb"
mkdir -p "$ROOT/dist"
rm -f "$bundle"
echo "== mcpb pack -> ${bundle#"$ROOT"/}"
mcpb pack "$ROOT" "$bundle" >"$ROOT/dist/pack.log" 2>&1 || { cat "$ROOT/dist/pack.log"; die "mcpb pack failed"; }
grep -E '^(package size|unpacked size|total files|ignored)' "$ROOT/dist/pack.log"

echo "== bundle contents"
python3 - "$bundle" <<'EOF'
"""The bundle holds what uv needs to build and run the server, and nothing of the repository's rest."""
import json
import re
import sys
import zipfile

path = sys.argv[1]
with zipfile.ZipFile(path) as z:
    names = z.namelist()
    manifest = json.loads(z.read("manifest.json"))
size = sum(1 for _ in names), __import__("os").path.getsize(path)
required = ["manifest.json", "pyproject.toml", "README.md", manifest["server"]["entry_point"],
            "moengage_mcp/cli.py", "moengage_mcp/server/app.py", "moengage_mcp/simulator/__init__.py",
            "moengage_mcp/apps/preview.html"]
missing = [n for n in required if n not in names]
stray = [n for n in names
         if not re.fullmatch(r"manifest\.json|pyproject\.toml|README\.md|LICENSE|moengage_mcp/.+\.py|moengage_mcp/apps/[\w-]+\.html", n)
         or "__pycache__" in n]
problems = []
if missing:
    problems.append(f"missing: {missing}")
if stray:
    problems.append(f"should not be in the bundle: {stray[:10]}")
if size[1] > 2_000_000:
    problems.append(f"{size[1]} bytes: larger than 2 MB")
if problems:
    sys.exit("bundle check failed: " + "; ".join(problems))
print(f"ok: {size[0]} files, {size[1] / 1024:.0f} KiB, entry point {manifest['server']['entry_point']}")
EOF
[[ $mode == pack ]] && exit 0

echo "== smoke: start the unpacked bundle as Claude Desktop's uv runtime would"
if ! command -v uv >/dev/null || [[ -n "${MOENGAGE_MCP_TOOLS_UV:-}" ]]; then
    if [[ ! -x "$TOOLS/uv/bin/uv" ]] || [[ "$("$TOOLS/uv/bin/uv" --version | cut -d' ' -f2)" != "$UV_VERSION" ]]; then
        log "installing uv==$UV_VERSION into ${TOOLS#"$ROOT"/}/uv"
        rm -rf "$TOOLS/uv"
        python3 -m pip install --quiet --disable-pip-version-check --target "$TOOLS/uv" "uv==$UV_VERSION" 2>&1 \
            | grep -v "^WARNING: Location" >&2 || true
    fi
    export PATH="$TOOLS/uv/bin:$PATH"
fi
command -v uv >/dev/null || die "uv could not be installed"
npm_tool @modelcontextprotocol/inspector "$INSPECTOR_VERSION"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mcpb unpack "$bundle" "$work/bundle" >/dev/null
export UV_CACHE_DIR="$TOOLS/uv-cache" UV_PYTHON_DOWNLOADS=never
# the command, arguments and environment of mcp_config, with ${__dirname} and the user_config
# defaults filled in (credentials are placeholders: --demo serves the built-in demo workspace)
mapfile -t launch < <(python3 - "$work/bundle" <<'EOF'
import json
import re
import sys

root = sys.argv[1]
manifest = json.load(open(f"{root}/manifest.json"))
config = manifest["server"]["mcp_config"]
values = {key: str(option.get("default", "")) for key, option in manifest["user_config"].items()}
values.update(workspace_id="SMOKETEST", api_key="smoke-test-key")
fill = lambda s: re.sub(r"\$\{user_config\.(\w+)\}", lambda m: values[m.group(1)], s.replace("${__dirname}", root))
# an empty optional field is left out: the Inspector refuses "NAME=", and the server reads an
# empty variable as unset anyway
for name, value in config.get("env", {}).items():
    if fill(value):
        print(f"-e\n{name}={fill(value)}")
print(fill(config["command"]))
for arg in config["args"]:
    print(fill(arg))
print("--demo")
EOF
)
# MCP clients start servers with a minimal environment: hand uv its cache and this machine's
# network settings explicitly (Claude Desktop's uv runtime has its own)
uv_env=(-e "UV_CACHE_DIR=$UV_CACHE_DIR" -e "UV_PYTHON_DOWNLOADS=never")
for name in SSL_CERT_FILE SSL_CERT_DIR UV_NATIVE_TLS UV_INDEX_URL UV_DEFAULT_INDEX UV_EXTRA_INDEX_URL \
    HTTPS_PROXY HTTP_PROXY NO_PROXY https_proxy http_proxy no_proxy; do
    if [[ -n "${!name:-}" ]]; then uv_env+=(-e "$name=${!name}"); fi
done
inspector=$(tool_bin @modelcontextprotocol/inspector mcp-inspector)
out="$work/tools.json"
if ! (cd "$work" && timeout 300 "$NODE" "$inspector" --cli "${uv_env[@]}" "${launch[@]}" --method tools/list \
    >"$out" 2>"$work/stderr"); then
    cat "$work/stderr" >&2
    die "the unpacked bundle did not start"
fi
python3 - "$out" "$work/bundle/manifest.json" <<'EOF'
import json
import sys

listed = {t["name"] for t in json.load(open(sys.argv[1]))["tools"]}
declared = {t["name"] for t in json.load(open(sys.argv[2]))["tools"]}
if listed != declared:
    sys.exit(f"bundle serves {sorted(listed)}, manifest declares {sorted(declared)}")
print(f"ok: the bundle started under uv and listed its {len(listed)} tools")
EOF
