"""`moengage-mcp` with its client-side rate limiter widened, for the overhead and memory benchmarks.

The server paces its own requests at MoEngage's documented limits (10/s and 100/min per endpoint
family). A benchmark that makes hundreds of sequential calls would mostly measure that pacing, so
these two run the unchanged command line with every family's window set to a million requests per
second; the simulator they talk to has its limits off too. Throughput and load use the real
`moengage-mcp`, limiter and all, against a simulator that enforces the limits.

    python -m benchmarks.unpaced [moengage-mcp arguments]
"""

import sys

from moengage_mcp.api import client
from moengage_mcp.api.ratelimit import LIMITS
from moengage_mcp.team import shared

UNLIMITED = {family: ((1_000_000, 1.0),) for family in LIMITS}

client.MoEngageClient.__init__.__kwdefaults__["limits"] = UNLIMITED  # type: ignore[index]
# the CLI's client takes its limiters from the process's shared state (one budget per workspace)
shared.memory_state.__defaults__ = (UNLIMITED,)

if __name__ == "__main__":
    from moengage_mcp.cli import main

    sys.exit(main())
