"""A second process for the race tests: `python -m tests.team.racer ACTION REDIS_URL PREFIX ...`.

Each action uses the real Redis implementations, as a replica would, and reports on stdout. PARTIES
racers start together: each waits until that many have counted themselves in at PREFIX:ready.
- `spend PARTIES KEY...`: spend every KEY, one after the other in a random order; print the ones won;
- `critical PARTIES NAME SECONDS`: take lock NAME, record entry and exit in the Redis list
  PREFIX:trace around SECONDS of holding it (longer than the lease: renewal must keep it);
- `hold NAME LEASE`: take lock NAME with LEASE, print "held", then hold it until killed.
"""

from __future__ import annotations

import os
import random
import sys

import anyio

from moengage_mcp.team.keys import SigningKeys
from moengage_mcp.team.redis_state import connect, redis_state


async def _together(url: str, prefix: str, parties: int) -> None:
    """Count in; the last to arrive releases everyone at once (a blocking pop wakes each racer)."""
    redis = connect(url)
    if await redis.incr(f"{prefix}:ready") == parties:
        await redis.rpush(f"{prefix}:go", *["go"] * parties)
    await redis.blpop([f"{prefix}:go"], timeout=30)
    await redis.aclose()


async def main(action: str, url: str, prefix: str, *rest: str) -> None:
    keys = SigningKeys([b"x" * 32])
    if action == "spend":
        names = list(rest[1:])
        random.shuffle(names)
        async with redis_state(url, keys, prefix=prefix) as state:
            await _together(url, prefix, int(rest[0]))
            won = [name for name in names if await state.spent.spend(name, 60)]
        print(" ".join(won), flush=True)
    elif action == "critical":
        name, seconds = rest[1], float(rest[2])
        trace = connect(url)
        async with redis_state(url, keys, prefix=prefix, lock_lease=0.6) as state:
            await _together(url, prefix, int(rest[0]))
            async with state.locks.hold(name) as lease:
                await trace.rpush(f"{prefix}:trace", f"enter {os.getpid()}")
                await anyio.sleep(seconds)
                lease.ensure()
                await trace.rpush(f"{prefix}:trace", f"exit {os.getpid()}")
        await trace.aclose()
    elif action == "hold":
        name, lease_seconds = rest[0], float(rest[1])
        async with (
            redis_state(url, keys, prefix=prefix, lock_lease=lease_seconds) as state,
            state.locks.hold(name),
        ):
            print("held", flush=True)
            await anyio.sleep(3600)


if __name__ == "__main__":
    anyio.run(main, *sys.argv[1:])
