# shellcheck shell=bash
# Sourced by scripts/*.sh. Pinned Node tools, installed on demand into ./.tools (gitignored):
# never globally, and never by hand, so a fresh machine with only Python, node and npm works.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${MOENGAGE_MCP_TOOLS:-$ROOT/.tools}"

MCPB_VERSION=2.1.2                  # @anthropic-ai/mcpb: validates and packs the bundle
INSPECTOR_VERSION=2.12.0            # @modelcontextprotocol/inspector: needs Node >= 22.19
CONFORMANCE_VERSION=0.2.0-alpha.12  # @modelcontextprotocol/conformance: 0.1.x has no 2026-07-28 scenarios (stateless, headers)
NODE_VERSION=22.23.3                # node-<os>-<arch> from npm, when the machine's node is older than 22.19
UV_VERSION=0.13.9                   # uv from PyPI: runs the unpacked bundle the way Claude Desktop does
EXT_APPS_VERSION=2.0.4              # @modelcontextprotocol/ext-apps: MCP Apps reference SDK (AppBridge hosts the preview app in the browser test)
ESBUILD_VERSION=0.28.2              # esbuild: bundles that test's host page with AppBridge

log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# npm_tool PACKAGE VERSION: install PACKAGE@VERSION into $TOOLS unless that version is there.
npm_tool() {
    local pkg=$1 version=$2 have
    have=$(node -e "try{console.log(require(process.argv[1]).version)}catch{}" \
        "$TOOLS/node_modules/$pkg/package.json" 2>/dev/null || true)
    [[ "$have" == "$version" ]] && return 0
    command -v npm >/dev/null || die "npm is needed to install $pkg"
    log "installing $pkg@$version into ${TOOLS#"$ROOT"/}"
    mkdir -p "$TOOLS"
    npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error "$pkg@$version" >&2
}

# tool_bin PACKAGE BIN: the path of BIN as PACKAGE declares it (no reliance on node_modules/.bin).
tool_bin() {
    node -e '
        const [dir, bin] = process.argv.slice(1);
        const pkg = require(dir + "/package.json");
        const rel = typeof pkg.bin === "string" ? pkg.bin : pkg.bin[bin];
        if (!rel) process.exit(1);
        console.log(require("path").join(dir, rel));
    ' "$TOOLS/node_modules/$1" "$2"
}

# node22: print the path of a node binary >= 22.19 (the machine's, or one installed from npm).
node22() {
    local sys
    sys=$(node -p 'const [a,b]=process.versions.node.split(".").map(Number); (a>22||(a===22&&b>=19))?process.execPath:""' 2>/dev/null || true)
    if [[ -n "$sys" ]]; then printf '%s\n' "$sys"; return 0; fi
    local os arch
    case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) die "install Node >= 22.19 (no npm build of node for $(uname -s))" ;; esac
    case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) die "install Node >= 22.19 (no npm build of node for $(uname -m))" ;; esac
    npm_tool "node-$os-$arch" "$NODE_VERSION"
    printf '%s\n' "$TOOLS/node_modules/node-$os-$arch/bin/node"
}

# moengage_mcp: the command that runs the server (the active environment's, else ./.venv's).
moengage_mcp() {
    if command -v moengage-mcp >/dev/null; then
        command -v moengage-mcp
    elif [[ -x "$ROOT/.venv/bin/moengage-mcp" ]]; then
        printf '%s\n' "$ROOT/.venv/bin/moengage-mcp"
    else
        die "moengage-mcp is not installed: pip install -e . (in an activated virtual environment)"
    fi
}

# free_port: an unused loopback TCP port.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
