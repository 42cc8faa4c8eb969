"""The endpoints: one small handler each, plus the route table the pipeline dispatches on.

Handlers get a `Call` that has already passed auth, workspace headers, rate limits, request
ids and idempotency; they validate their own body and return the success payload (V5: the
`data` object; V1 and stats: the whole body) or raise `ApiError`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import authoring, reports, search, state, stats, views
from .envelopes import V1, V5, ApiError, detail
from .fields import FieldErrors, get_int, get_object, get_str
from .render import RenderContext, render_tree
from .testsend import find_user, run_test_send

VIEW = "campaigns:view"
MANAGE = "campaigns:create_manage"
PUBLISH = "campaigns:create_manage_publish"
ALL_SCOPES = frozenset({VIEW, MANAGE, PUBLISH})
API_ACTOR = "api-credential@moengage.example"

PREVIEW_IDENTIFIERS = ("USER_ATTRIBUTE_UNIQUE_ID", "EMAIL", "MOE_GAID", "PUSH_ID")
PREVIEW_CHANNELS = ("PUSH", "EMAIL", "SMS")
_OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


@dataclass
class Call:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    body: Any
    generation: str
    request_id: str | None
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def json(self) -> dict[str, Any]:
        return self.body if isinstance(self.body, dict) else {}


def require_scope(call: Call, scope: str) -> None:
    if scope not in call.scopes:
        message = "Caller does not have the required scope for this operation."
        raise ApiError(
            403, message, target="X-MOE-Scopes", details=[detail("X-MOE-Scopes", f"Required scope: {scope}")]
        )


def check_object_id(value: Any, target: str = "campaign_id") -> str:
    if not isinstance(value, str) or not _OBJECT_ID.match(value):
        message = f"{target} must be a 24-character lowercase hexadecimal ObjectId, got {value!r}"
        raise ApiError(400, message, target=target, details=[detail(target, message)])
    return value


# ---------------------------------------------------------------- V5 campaigns


def get_campaign(sim: Any, call: Call) -> dict[str, Any]:
    require_scope(call, VIEW)
    return views.v5_campaign(sim.find_campaign(call.params["id"]))


def search_campaigns(sim: Any, call: Call) -> dict[str, Any]:
    require_scope(call, VIEW)
    query = search.parse_query(call.json, search.V5_SEARCH)
    return {"campaigns": [views.v5_campaign(doc) for doc in search.run(sim.campaigns.values(), query)]}


def patch_campaign(sim: Any, call: Call) -> dict[str, Any]:
    """Publish (`{"status": "PUBLISH"}` alone) or replace whole components where the campaign's state allows."""
    body = call.json
    if "status" in body:
        _check_publish_body(body)
        require_scope(call, PUBLISH)
        doc = sim.find_campaign(call.params["id"])
        state.publish(doc, sim.now(), API_ACTOR)
    else:
        require_scope(call, MANAGE)
        components = _components(body)
        doc = sim.find_campaign(call.params["id"])
        _check_identity(doc, body)
        doc = authoring.update(
            sim, doc, copy.deepcopy(components), body.get("updated_by") or API_ACTOR, body.get("version_note")
        )
    return {"id": doc["id"]}


def create_campaign(sim: Any, call: Call) -> dict[str, Any]:
    """A new DRAFT (`POST /v5/campaigns`); `request_id` is the creation idempotency key."""
    require_scope(call, MANAGE)
    return authoring.create(sim, call.json, call.request_id or "")


def _check_publish_body(body: dict[str, Any]) -> None:
    extra = sorted(set(body) - {"status", "request_id"})
    if extra:
        raise ApiError(
            400,
            'status cannot be combined with other fields; send {"status": "PUBLISH"} alone to publish.',
            code="BAD_REQUEST",
            target="status",
            details=[detail(key, f"{key} is not allowed together with status") for key in extra],
        )
    if body["status"] != "PUBLISH":
        message = f"status must be PUBLISH, got {body['status']!r}"
        raise ApiError(400, message, target="status", details=[detail("status", message)])


def _components(body: dict[str, Any]) -> dict[str, Any]:
    errs = FieldErrors(V5)
    components = {key: body[key] for key in state.COMPONENTS if key in body}
    for key, value in components.items():
        if not isinstance(value, dict):
            errs.add(key, f"{key} must be a JSON object (the whole component)")
    if "updated_by" in body and not state.is_email(body["updated_by"]):
        errs.add("updated_by", "updated_by must be an email address")
    if not components:
        errs.add(
            "body",
            f'no component to update; send one of {", ".join(state.COMPONENTS)} or {{"status": "PUBLISH"}}',
        )
    errs.raise_if_any()
    return components


def _check_identity(doc: dict[str, Any], body: dict[str, Any]) -> None:
    """`channel` / `campaign_delivery_type` may accompany an update but must not change."""
    errs = FieldErrors(V5)
    for key in ("channel", "campaign_delivery_type"):
        if key in body and body[key] != doc.get(key):
            errs.add(key, f"{key} {body[key]!r} does not match the campaign's {doc.get(key)!r}")
    errs.raise_if_any()


def validate_campaign(sim: Any, call: Call) -> dict[str, Any]:
    require_scope(call, VIEW)
    doc = sim.find_campaign(call.params["id"])
    if doc.get("channel") not in state.EDITABLE_CHANNELS:
        message = f"Validation supports PUSH and EMAIL campaigns, not {doc.get('channel')}."
        raise ApiError(400, message, target="channel", details=[detail("channel", message)])
    issues = state.validate_campaign(doc, sim.now())
    return {"valid": False, "errors": issues} if issues else {"valid": True}


def change_status(sim: Any, call: Call) -> dict[str, Any]:
    require_scope(call, MANAGE)
    action = call.json.get("action")
    if action not in state.ACTIONS:
        hint = (
            ' Publish with PATCH /v5/campaigns/{campaign_id} and {"status": "PUBLISH"}.'
            if action == "PUBLISH"
            else ""
        )
        message = f"action must be one of STOP, PAUSE, RESUME, got {action!r}.{hint}"
        raise ApiError(400, message, target="action", details=[detail("action", message)])
    doc = sim.find_campaign(call.params["id"])
    state.apply_action(doc, action, sim.now(), API_ACTOR)
    return {"id": doc["id"], "action": action}


def test_campaign(sim: Any, call: Call) -> dict[str, Any]:
    require_scope(call, MANAGE)
    return run_test_send(sim, call.json)


def preview(sim: Any, call: Call) -> dict[str, Any]:
    require_scope(call, VIEW)
    body, errs = call.json, FieldErrors(V5)
    channel = get_str(body, "channel", errs, required=True)
    if channel is not None and channel not in PREVIEW_CHANNELS:
        errs.add("channel", f"channel must be one of {', '.join(PREVIEW_CHANNELS)}")
    who = get_object(body, "user_identification", errs, required=True) or {}
    id_type = get_str(who, "type", errs, target="user_identification.type", required=True)
    value = get_str(who, "value", errs, target="user_identification.value", required=True)
    if id_type is not None and id_type not in PREVIEW_IDENTIFIERS:
        errs.add(
            "user_identification.type",
            f"user_identification.type must be one of {', '.join(PREVIEW_IDENTIFIERS)}",
        )
    content_obj = get_object(body, "campaign_content", errs, required=True)
    if content_obj is not None and not isinstance(content_obj.get("content"), dict):
        errs.add("campaign_content.content", "campaign_content.content must be a JSON object")
    events = get_object(body, "event_attributes", errs) or {}
    errs.raise_if_any()
    user = find_user(sim.users, id_type or "", value or "")
    if user is None:
        raise ApiError(
            404,
            "User not found",
            target="user_identification.value",
            details=[detail("user_identification.value", f"No user with {id_type} {value!r}")],
        )
    ctx = RenderContext(user=user, event=events, blocks=sim.content_blocks)
    return {"personalized_content": render_tree(content_obj, ctx)}


# ---------------------------------------------------------------- V1 and stats


def campaign_meta(sim: Any, call: Call) -> list[dict[str, Any]]:
    """V1 meta: a bare array of rows in V1's spellings."""
    require_scope(call, VIEW)
    return _meta_rows(sim, search.parse_query(call.json, search.V1_META))


def campaign_meta_v5(sim: Any, call: Call) -> dict[str, Any]:
    """V5 meta: the same rows under `data.campaigns`, V5 spellings, drafts when asked for."""
    require_scope(call, VIEW)
    return {"campaigns": _meta_rows(sim, search.parse_query(call.json, search.V5_META))}


def _meta_rows(sim: Any, query: search.Query) -> list[dict[str, Any]]:
    now, v1 = sim.now(), query.dialect.generation == V1
    found = search.run(sim.campaigns.values(), query)
    return [views.meta_row(doc, sim.executions.get(doc["id"]), now, v1=v1) for doc in found]


def list_executions(sim: Any, call: Call) -> dict[str, Any]:
    require_scope(call, VIEW)
    errs = FieldErrors(V1)
    limit = get_int(call.json, "limit", errs, lo=1, hi=search.MAX_LIMIT) or 1
    page = get_int(call.json, "page", errs, lo=1) or 1
    errs.raise_if_any()
    parent_id = call.params["id"]
    parent = sim.campaigns.get(parent_id)
    if parent is None:
        raise ApiError(
            404,
            "Campaign not found",
            target="parent_campaign_id",
            details=[detail("parent_campaign_id", f"No campaign with id {parent_id}")],
        )
    if parent.get("campaign_delivery_type") not in ("PERIODIC", "BUSINESS_EVENT_TRIGGERED"):
        message = "This endpoint is only applicable for periodic and business event-triggered campaigns."
        raise ApiError(
            400, message, target="parent_campaign_id", details=[detail("parent_campaign_id", message)]
        )
    rows = views.execution_rows(sim.executions.get(parent_id, []))
    start = (page - 1) * limit
    return {"executions": rows[start : start + limit], "total_instances": len(rows)}


def campaign_stats(sim: Any, call: Call) -> dict[str, Any]:
    require_scope(call, VIEW)
    if not sim.stats_enabled:
        raise ApiError(403)
    query = stats.parse_stats_query(call.json)
    return stats.stats_response(sim.campaigns, sim.executions, query, sim.now())


def download_report(sim: Any, call: Call) -> reports.Raw:
    return reports.download(sim, call.params["app"], call.params["file"])


# ---------------------------------------------------------------- table


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    family: str
    handler: Callable[[Any, Call], Any]
    needs_idempotency_key: bool = False
    response_type: str = "campaign"
    status: int = 200


def _route(method: str, path: str, family: str, handler: Callable[[Any, Call], Any], **kw: Any) -> Route:
    pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "/?$")
    return Route(method, pattern, family, handler, **kw)


ROUTES = (
    _route("POST", "/v5/campaigns", "create", create_campaign, needs_idempotency_key=True, status=201),
    _route("POST", "/v5/campaigns/search", "search", search_campaigns, needs_idempotency_key=True),
    _route("POST", "/v5/campaigns/test", "test", test_campaign, needs_idempotency_key=True),
    _route("POST", "/v5/campaigns/meta", "meta", campaign_meta_v5, needs_idempotency_key=True),
    _route("GET", "/v5/campaigns/{id}", "get", get_campaign),
    _route("PATCH", "/v5/campaigns/{id}", "update", patch_campaign, needs_idempotency_key=True),
    _route("POST", "/v5/campaigns/{id}/validate", "validate", validate_campaign),
    _route("PATCH", "/v5/campaigns/{id}/status", "status", change_status, needs_idempotency_key=True),
    _route("POST", "/v5/personalization/preview", "preview", preview, response_type="personalization"),
    _route("POST", "/core-services/v1/campaigns/meta", "meta", campaign_meta),
    _route("POST", "/core-services/v1/campaigns/{id}/executions", "executions", list_executions),
    _route("POST", "/core-services/v1/campaign-stats", "stats", campaign_stats),
    _route("GET", "/campaign_reports/rest_api/{app}/{file}", "report", download_report),
)


def match(method: str, path: str) -> tuple[Route, dict[str, str]]:
    """The route for a request; 404 for an unknown path, 405 for a known path with another method."""
    allowed = []
    for route in ROUTES:
        found = route.pattern.match(path)
        if found is None:
            continue
        if route.method == method:
            return route, found.groupdict()
        allowed.append(route.method)
    if allowed:
        raise ApiError(
            405,
            f"Method {method} is not allowed on {path}; use {', '.join(sorted(set(allowed)))}.",
            headers={"Allow": ", ".join(sorted(set(allowed)))},
        )
    raise ApiError(404, f"No endpoint at {path}.")
