"""`python -m moengage_mcp.simulator --port 8765`: serve the demo workspace on loopback."""

from __future__ import annotations

import argparse
import sys

from . import DEMO_API_KEY, DEMO_USERS, DEMO_WORKSPACE_ID, Simulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m moengage_mcp.simulator", description=__doc__)
    parser.add_argument("--port", type=int, default=8765, help="TCP port on 127.0.0.1 (default 8765)")
    parser.add_argument(
        "--no-rate-limits", action="store_true", help="do not enforce the documented rate limits"
    )
    args = parser.parse_args(argv)

    import uvicorn

    sim = Simulator(rate_limits=not args.no_rate_limits)
    base_url = f"http://127.0.0.1:{args.port}"
    print(
        "MoEngage simulator (demo data, fake credentials)\n"
        f"  MOENGAGE_BASE_URL={base_url}\n"
        f"  MOENGAGE_WORKSPACE_ID={DEMO_WORKSPACE_ID}\n"
        f"  MOENGAGE_API_KEY={DEMO_API_KEY}\n"
        f"  demo users: {', '.join(DEMO_USERS)}",
        flush=True,
    )
    uvicorn.run(sim.app, host="127.0.0.1", port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
