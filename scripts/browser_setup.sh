#!/usr/bin/env bash
# Install what the preview app's browser test (tests/apps/test_preview_browser.py) needs:
#   - Chromium from Debian's packages (apt-get, as root), driven by Playwright (a [test] extra);
#   - in ./.tools: the MCP Apps reference SDK, whose AppBridge is the test's host, and esbuild,
#     which bundles the test's host page with it.
# No browser is downloaded by Playwright. Without these the test skips, saying why (it fails
# instead where MOENGAGE_TEST_REQUIRE_ALL=1).
#
#   bash scripts/browser_setup.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [[ -x "${MOENGAGE_MCP_CHROMIUM:-/usr/bin/chromium}" ]]; then
    log "chromium: $("${MOENGAGE_MCP_CHROMIUM:-/usr/bin/chromium}" --version 2>/dev/null || echo present)"
elif [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    log "installing chromium (Debian package)"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
    die "Chromium is missing: install Debian's chromium package (apt-get install chromium) or set MOENGAGE_MCP_CHROMIUM"
fi

npm_tool @modelcontextprotocol/ext-apps "$EXT_APPS_VERSION"
npm_tool esbuild "$ESBUILD_VERSION"
log "browser test tools ready in ${TOOLS#"$ROOT"/}"
