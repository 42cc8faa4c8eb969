"""Work a tool call could not finish in its time, kept for the call that continues it.

A long job (a report over a large workspace, stats over many campaigns) returns what it has with a
`resume` handle; calling the same tool again with the same arguments plus `resume` continues from
the job's state, so nothing already fetched is fetched again. A handle is bound to its tool and
arguments, expires after JOB_TTL seconds, and names nothing of the workspace. Jobs live in this
server process (replicas behind a load balancer do not share them: a handle that reaches another
replica is refused, and the work starts over from the beginning).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel

T = TypeVar("T")
JOB_TTL = 900.0
MAX_JOBS = 200


def arguments_key(args: BaseModel) -> str:
    """What a handle is bound to: the tool (its arguments' model; each tool has its own) and its
    arguments, the handle itself left out."""
    kept = args.model_dump(mode="json", exclude={"resume"})
    return hashlib.sha256(
        json.dumps([type(args).__name__, kept], sort_keys=True, default=str).encode()
    ).hexdigest()


class Jobs(Generic[T]):
    def __init__(
        self, *, ttl: float = JOB_TTL, size: int = MAX_JOBS, clock: Callable[[], float] = time.monotonic
    ):
        self._ttl, self._size, self._clock = ttl, size, clock
        self._jobs: OrderedDict[str, tuple[float, str, T]] = OrderedDict()

    def keep(self, key: str, state: T) -> str:
        """Keep `state` for a call with the arguments `key`; the handle that continues it."""
        handle = secrets.token_urlsafe(12)
        self._jobs[handle] = (self._clock(), key, state)
        while len(self._jobs) > self._size:
            self._jobs.popitem(last=False)
        return handle

    def take(self, handle: str, key: str) -> T:
        """The state `handle` continues (it is used up), or a tool error saying why there is none."""
        found = self._jobs.pop(handle, None)
        if found is None or self._clock() - found[0] > self._ttl:
            raise ToolError(
                "unknown or expired resume handle (jobs last 15 minutes, in the server process that "
                "started them): call again without resume to start over"
            )
        if found[1] != key:
            self._jobs[handle] = found
            raise ToolError(
                "this resume handle belongs to another call: resume with exactly the same arguments"
            )
        return found[2]
