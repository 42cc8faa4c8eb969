#!/usr/bin/env bash
# The real parts the team-server tests (tests/team/) run: redis-server and nginx, as Debian packages,
# installed when missing. The tests start their own instances on free loopback ports and stop them;
# nothing here starts a service.
#
#   bash scripts/team_stack.sh        then: MOENGAGE_TEST_REQUIRE_ALL=1 pytest   (a missing part fails, not skips)
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1 || [[ -x "/usr/sbin/$1" ]]; }

missing=()
have redis-server || missing+=(redis-server)
have nginx || missing+=(nginx)
if ((${#missing[@]} == 0)); then
    echo "team stack: redis-server and nginx are installed" >&2
    exit 0
fi

command -v apt-get >/dev/null || { echo "error: install ${missing[*]} (no apt-get here)" >&2; exit 1; }
as_root=()
[[ "$(id -u)" == 0 ]] || as_root=(sudo)
echo "team stack: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
have redis-server && have nginx || { echo "error: ${missing[*]} still missing after apt-get" >&2; exit 1; }
