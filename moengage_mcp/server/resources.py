"""Resources: a campaign as JSON, and the server's own configuration (never its secrets)."""

from __future__ import annotations

import json

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from pydantic import TypeAdapter, ValidationError

from .. import __version__
from ..api import MoEngageClient, MoEngageError, NotFoundError
from ..api import models as m
from ..settings import Settings

_ID = TypeAdapter(m.CampaignId)


def register_resources(server: MCPServer, api: MoEngageClient, settings: Settings) -> None:
    @server.resource(
        "moengage://campaigns/{campaign_id}",
        name="campaign",
        title="MoEngage campaign",
        description="A campaign as MoEngage returns it (GET /v5/campaigns/{id}), as JSON.",
        mime_type="application/json",
    )
    async def campaign(campaign_id: str) -> str:
        try:
            found = await api.get_campaign(_ID.validate_python(campaign_id))
        except ValidationError:
            raise ResourceNotFoundError(f"not a campaign id: {campaign_id!r} (expected 24 hex characters)") from None
        except NotFoundError as exc:
            raise ResourceNotFoundError(str(exc)) from None
        except MoEngageError as exc:
            raise ResourceError(str(exc)) from None
        return json.dumps(found.model_dump(mode="json", exclude_unset=True, exclude_none=True), ensure_ascii=False)

    @server.resource(
        "moengage://workspace",
        name="workspace",
        title="Workspace and server settings",
        description="Workspace id, data center, API base URL, write mode and enabled toolsets (no secrets).",
        mime_type="application/json",
    )
    def workspace() -> str:
        return json.dumps({**settings.public_view(), "server_version": __version__})
