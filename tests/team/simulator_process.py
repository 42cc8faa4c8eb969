"""`python -m tests.team.simulator_process PORT`: the simulator in a process of its own, as
`python -m moengage_mcp.simulator` serves it, plus `/_test/` routes to read what it recorded.

Its own process, so its timing is not the test's: the test process runs many MCP clients at once,
and a simulator sharing their interpreter would answer slower than any API the limiter is built for.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from moengage_mcp.simulator import Simulator


def inspectable(sim: Simulator) -> Starlette:
    async def requests(request: Request) -> JSONResponse:
        return JSONResponse(
            [
                {
                    "method": r.method,
                    "path": r.path,
                    "status": r.status,
                    "time": r.time,
                    "body": _json(r.body),
                }
                for r in sim.requests
            ]
        )

    async def clear(request: Request) -> JSONResponse:
        sim.requests.clear()
        return JSONResponse({})

    async def campaigns(request: Request) -> JSONResponse:
        return JSONResponse(list(sim.campaigns))

    return Starlette(
        routes=[
            Route("/_test/requests", requests),
            Route("/_test/clear", clear, methods=["POST"]),
            Route("/_test/campaigns", campaigns),
            Mount("/", sim.app),
        ]
    )


def _json(body: object) -> object:
    """A request's JSON body as recorded (None for anything else)."""
    return body if isinstance(body, (dict, list)) else None


@dataclass
class Recorded:
    method: str
    path: str
    status: int
    time: float
    body: object = None


class SimulatorView:
    """What a test reads of a simulator process, over its `/_test/` routes."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.campaigns: list[str] = httpx.get(f"{url}/_test/campaigns").json()

    @property
    def requests(self) -> list[Recorded]:
        return [Recorded(**r) for r in httpx.get(f"{self.url}/_test/requests").json()]

    def clear(self) -> None:
        httpx.post(f"{self.url}/_test/clear").raise_for_status()

    def statuses(self) -> list[int]:
        """The status of each campaign request (V5 `/v5/campaigns/...`) answered so far."""
        return [r.status for r in self.requests if r.path.startswith("/v5/campaigns/")]

    def sustained_rate(self, limit: int = 10) -> float:
        """Answered campaign requests per second past the first window's worth (`limit` go at once),
        from their arrival times: what a limiter keeping the API's 10/s can reach at most."""
        times = sorted(
            r.time for r in self.requests if r.path.startswith("/v5/campaigns/") and r.status == 200
        )
        return (len(times) - limit) / (times[-1] - times[0])


if __name__ == "__main__":
    uvicorn.run(inspectable(Simulator()), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
