"""A stateful, strict simulator of the MoEngage Campaigns API (V1 + V5 + campaign stats).

    from moengage_mcp.simulator import Simulator, DEMO_WORKSPACE_ID, DEMO_API_KEY
    sim = Simulator()            # seeded demo workspace, real time, rate limits on
    sim.app                      # the Starlette ASGI app

It implements the server side independently of `moengage_mcp.api`, so client bugs show up
as refusals here instead of being mirrored.
"""

from .app import RecordedRequest, Simulator
from .faults import FaultInjector, SimulatedConnectionReset
from .routes import ALL_SCOPES
from .routes import MANAGE as SCOPE_MANAGE
from .routes import PUBLISH as SCOPE_PUBLISH
from .routes import VIEW as SCOPE_VIEW
from .seed import DEMO_API_KEY, DEMO_CAMPAIGN_IDS, DEMO_USERS, DEMO_WORKSPACE_ID, SEGMENTS

__all__ = [
    "ALL_SCOPES",
    "DEMO_API_KEY",
    "DEMO_CAMPAIGN_IDS",
    "DEMO_USERS",
    "DEMO_WORKSPACE_ID",
    "SCOPE_MANAGE",
    "SCOPE_PUBLISH",
    "SCOPE_VIEW",
    "SEGMENTS",
    "FaultInjector",
    "RecordedRequest",
    "SimulatedConnectionReset",
    "Simulator",
]
