"""Resources: a campaign as JSON, the server's own configuration (never its secrets), and the
campaign preview app (an MCP App, served through the SDK's Apps extension: `preview_app`).

Also completions for every `campaign_id` argument (of the campaign resource template and of the
prompts), so a client can offer campaign ids while its user types a name or the start of an id.
"""

from __future__ import annotations

import json
import logging
import re

from mcp.server.apps import Apps
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from mcp.types import (
    Completion,
    CompletionArgument,
    CompletionContext,
    PromptReference,
    ResourceTemplateReference,
)
from pydantic import TypeAdapter, ValidationError

from .. import __version__
from ..api import MoEngageClient, MoEngageError, NotFoundError
from ..api import models as m
from ..api.component_names import COMPONENT_NAMES
from ..api.enums import Status
from ..apps import PREVIEW_CSP, PREVIEW_DESCRIPTION, PREVIEW_NAME, PREVIEW_URI, preview_html
from .workspace import Workspaces

_ID = TypeAdapter(m.CampaignId)
_ID_PREFIX = re.compile(r"[0-9a-fA-F]{1,24}")
CAMPAIGN_URI = "moengage://campaigns/{campaign_id}"
WORKSPACE_CAMPAIGN_URI = "moengage://workspaces/{workspace}/campaigns/{campaign_id}"
REFERENCE_URI = "moengage://reference/{component}"
logger = logging.getLogger(__name__)


def preview_app() -> Apps:
    """The Apps extension serving `ui://moengage/preview` (`text/html;profile=mcp-app`, with its CSP):
    passed to the server at construction, it also advertises the extension to clients. The tools it
    is shown for carry `previews.PREVIEW_TOOL_META`."""
    apps = Apps()
    apps.add_html_resource(
        PREVIEW_URI,
        preview_html(),
        name=PREVIEW_NAME,
        description=PREVIEW_DESCRIPTION,
        csp=PREVIEW_CSP,
        prefers_border=True,
    )
    return apps


def register_resources(server: MCPServer, workspaces: Workspaces) -> None:
    default = workspaces.by_name[workspaces.default]
    api = default.api

    @server.resource(
        CAMPAIGN_URI,
        name="campaign",
        title="MoEngage campaign",
        description="A campaign as MoEngage returns it (GET /v5/campaigns/{id}), as JSON"
        + (f" (from workspace {workspaces.default})." if workspaces.several else "."),
        mime_type="application/json",
    )
    async def campaign(campaign_id: str) -> str:
        return await campaign_json(api, campaign_id)

    if workspaces.several:

        @server.resource(
            WORKSPACE_CAMPAIGN_URI,
            name="campaign in a workspace",
            title="MoEngage campaign of a named workspace",
            description="A campaign of one of the workspaces ("
            + ", ".join(workspaces.by_name)
            + "), as JSON.",
            mime_type="application/json",
        )
        async def workspace_campaign(workspace: str, campaign_id: str) -> str:
            if workspace not in workspaces.by_name:
                raise ResourceNotFoundError(
                    f"unknown workspace {workspace!r}; workspaces: {', '.join(workspaces.by_name)}"
                )
            return await campaign_json(workspaces.by_name[workspace].api, campaign_id)

    @server.resource(
        REFERENCE_URI,
        name="component reference",
        title="V5 campaign component schema",
        description="The JSON schema of one V5 component (per channel) that create_campaign, update_campaign "
        "and duplicate_campaign take; components: " + ", ".join(COMPONENT_NAMES) + ".",
        mime_type="application/json",
    )
    def component_reference(component: str) -> str:
        if component not in COMPONENT_NAMES:
            raise ResourceNotFoundError(
                f"unknown component {component!r}; components: {', '.join(COMPONENT_NAMES)}"
            )
        from ..api.components import reference  # the models load on first use, not at start-up

        return json.dumps(reference(component), ensure_ascii=False)

    @server.resource(
        "moengage://workspace",
        name="workspace",
        title="Workspace and server settings",
        description="Workspace id, data center, API base URL, write mode and enabled toolsets (no secrets)"
        + ("; every configured workspace, by name." if workspaces.several else "."),
        mime_type="application/json",
    )
    def workspace() -> str:
        if not workspaces.several:
            return json.dumps({**default.settings.public_view(), "server_version": __version__})
        listed = {name: ws.settings.public_view() for name, ws in workspaces.by_name.items()}
        return json.dumps(
            {"default": workspaces.default, "workspaces": listed, "server_version": __version__}
        )

    @server.completion()
    async def complete(
        ref: PromptReference | ResourceTemplateReference,
        argument: CompletionArgument,
        context: CompletionContext | None,
    ) -> Completion | None:
        if isinstance(ref, ResourceTemplateReference) and ref.uri == REFERENCE_URI:
            typed = argument.value.strip().lower()
            return Completion(values=[name for name in COMPONENT_NAMES if name.startswith(typed)])
        if argument.name != "campaign_id":
            return None
        if isinstance(ref, ResourceTemplateReference):
            if ref.uri != CAMPAIGN_URI:
                return None
        else:
            prompt = next((p for p in await server.list_prompts() if p.name == ref.name), None)
            if prompt is None or all(a.name != "campaign_id" for a in prompt.arguments or []):
                return None
        return await campaign_ids(api, argument.value)


async def campaign_json(api: MoEngageClient, campaign_id: str) -> str:
    """The campaign as MoEngage returns it; a bad or unknown id is the client's mistake, named."""
    try:
        found = await api.get_campaign(_ID.validate_python(campaign_id))
    except ValidationError:
        raise ResourceNotFoundError(
            f"not a campaign id: {campaign_id!r} (expected 24 hex characters)"
        ) from None
    except NotFoundError as exc:
        raise ResourceNotFoundError(str(exc)) from None
    except MoEngageError as exc:
        raise ResourceError(str(exc)) from None
    return json.dumps(
        found.model_dump(mode="json", exclude_unset=True, exclude_none=True), ensure_ascii=False
    )


async def campaign_ids(api: MoEngageClient, typed: str) -> Completion | None:
    """Ids of the newest campaigns whose id starts with `typed`, or whose name contains it (one API page)."""
    typed = typed.strip()
    by_id = bool(_ID_PREFIX.fullmatch(typed))
    # drafts come back only when asked for, and a QA walkthrough is mostly about drafts
    fields = m.SearchFields(
        name=typed if typed and not by_id else None, status=[s for s in Status if s is not Status.ARCHIVED]
    )
    try:
        found = await api.search_campaigns(m.SearchRequest(campaign_fields=fields, limit=m.PAGE_SIZE))
    except MoEngageError as exc:
        logger.debug("campaign_id completion failed: %s", exc)
        return None  # best effort: a failed lookup offers nothing rather than failing the request
    ids = [c.id for c in found if not by_id or c.id.lower().startswith(typed.lower())]
    return Completion(values=ids, has_more=len(found) == m.PAGE_SIZE)
