"""The Simulator: state, public test hooks, and the request pipeline every call goes through.

Pipeline order (each step answers in the endpoint's own envelope): record -> fault ->
route -> auth -> workspace headers -> rate limit -> feature flags -> JSON body -> request id
-> Idempotency-Key (replay / 409) -> handler -> store for replay. Every request is recorded,
including refused ones, so tests can assert exactly what a client sent.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route as StarletteRoute
from starlette.types import Receive, Scope, Send

from . import authoring, idempotency, reports, routes
from .envelopes import REPORT, STATS, V1, V5, ApiError, detail, error_body, generation_of, rate_limited_error
from .faults import Fault, FaultAnswer, FaultInjector, SimulatedConnectionReset, fault_answer
from .ratelimit import RateLimiter
from .scaled import scaled_workspace
from .seed import DEMO_API_KEY, DEMO_WORKSPACE_ID, build_demo, demo_users
from .seed_content import CONTENT_BLOCKS
from .timeutil import Clock, fmt_created

log = logging.getLogger("moengage_mcp.simulator")

_WRITES = (
    ("POST", re.compile(r"^/v5/campaigns/?$")),
    ("PATCH", re.compile(r"^/v5/campaigns/[^/]+/?$")),
    ("PATCH", re.compile(r"^/v5/campaigns/[^/]+/status/?$")),
    ("POST", re.compile(r"^/v5/campaigns/test/?$")),
)
_METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS"]


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    status: int = 0
    time: float = field(default_factory=time.monotonic)  # monotonic seconds, comparable between requests
    fault: str | None = None  # which injected fault answered it, if any
    replayed: bool = False  # answered from the idempotency store
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""  # exactly what was sent back (contract tests validate it)
    response_type: str = ""  # the answer's media type


@dataclass
class _Answer:
    status: int
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)
    media_type: str = "application/json"
    reset: bool = False


@dataclass
class _Context:
    """What the pipeline has learnt about a request so far (used to build any answer)."""

    request_id: str | None = None
    key: str = ""
    rate_headers: dict[str, str] = field(default_factory=dict)
    replay_slot: tuple[str, str] | None = None  # (Idempotency-Key, body fingerprint) to store under


class _ResetResponse(Response):
    """Starts the response, then drops the connection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        raise SimulatedConnectionReset()


def _json_bytes(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def _parse_json(raw: bytes) -> tuple[Any, bool]:
    if not raw.strip():
        return None, False
    try:
        return json.loads(raw), True
    except ValueError:
        return None, False


class Simulator:
    """A stateful, strict MoEngage Campaigns API (V1 + V5 + stats) for tests and demos."""

    def __init__(
        self,
        workspace_id: str = DEMO_WORKSPACE_ID,
        api_key: str = DEMO_API_KEY,
        seed_demo: bool = True,
        now: datetime | None = None,
        rate_limits: bool = True,
        workspace_size: int | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """`workspace_size`: seed a generated workspace of that many campaigns (`scaled.scaled_workspace`)
        instead of the demo one. `monotonic`: the clock of rate limits and request times; the event loop's
        (`anyio.current_time`) when the loop's clock is virtual, as in the large-workspace benchmark."""
        self.workspace_id = workspace_id
        self.api_key = api_key
        self._clock = Clock(now)
        self._keys: dict[str, frozenset[str]] = {api_key: routes.ALL_SCOPES}
        self.campaigns: dict[str, dict[str, Any]] = {}
        self.executions: dict[str, list[dict[str, Any]]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.content_blocks: dict[str, str] = dict(CONTENT_BLOCKS)
        self.requests: list[RecordedRequest] = []
        self.test_sends: list[dict[str, Any]] = []
        self.faults = FaultInjector()
        self.stats_enabled = True
        self.api_enabled = True
        self.monotonic = monotonic
        self.limiter = RateLimiter(enforce=rate_limits, monotonic=monotonic)
        self.idempotency = idempotency.IdempotencyStore()
        self.reports: dict[str, datetime] = reports.demo_reports(self.now()) if seed_demo else {}
        """Downloadable report files and when each was generated."""
        self.versioning = (
            True  # campaign versioning is on in the demo workspace (it holds a version-2 campaign)
        )
        self.features: set[str] = (
            set()
        )  # flag-gated features turned on (authoring.AUDIENCE_LIMIT, authoring.QUEUING)
        self.creations = authoring.CreationLog()
        self._new_ids = 0
        if seed_demo:
            demo = (
                build_demo(self.now())
                if workspace_size is None
                else scaled_workspace(workspace_size, self.now())
            )
            self.campaigns, self.executions, self.users = demo.campaigns, demo.executions, demo.users
        else:
            self.users = demo_users()
        self.app = Starlette(routes=[StarletteRoute("/{path:path}", self._endpoint, methods=_METHODS)])

    # ------------------------------------------------------------ public hooks

    def now(self) -> datetime:
        """Current simulated UTC time (naive)."""
        return self._clock.now()

    def advance(self, delta: timedelta | float) -> None:
        """Move simulated time forward (idempotency expiry, schedules); rate limits keep to `monotonic`."""
        self._clock.advance(delta)

    def add_key(self, api_key: str, scopes: set[str] | frozenset[str] | None = None) -> None:
        self._keys[api_key] = frozenset(scopes if scopes is not None else routes.ALL_SCOPES)

    def add_campaign(self, doc: dict[str, Any]) -> str:
        """Store a campaign (a copy), filling id, campaign_id, status and timestamps when missing."""
        doc = copy.deepcopy(doc)
        if not doc.get("id"):
            self._new_ids += 1
            doc["id"] = hashlib.sha1(f"added:{self._new_ids}:{len(self.campaigns)}".encode()).hexdigest()[:24]
        stamp = fmt_created(self.now())
        doc.setdefault("campaign_id", doc["id"])
        doc.setdefault("status", "DRAFT")
        doc.setdefault("created_at", stamp)
        doc.setdefault("updated_at", stamp)
        self.campaigns[doc["id"]] = doc
        return doc["id"]

    def find_campaign(self, campaign_id: Any, *, target: str = "campaign_id") -> dict[str, Any]:
        """The stored document (not a copy); 400 for a malformed id, 404 for an unknown one."""
        routes.check_object_id(campaign_id, target)
        doc = self.campaigns.get(campaign_id)
        if doc is None:
            raise ApiError(
                404,
                "Campaign not found",
                target=target,
                details=[detail(target, f"No campaign with id {campaign_id}")],
            )
        return doc

    def writes(self) -> list[RecordedRequest]:
        """Recorded requests that could change state or send something, whatever their status."""
        return [r for r in self.requests if any(r.method == m and p.match(r.path) for m, p in _WRITES)]

    def reset_rate_limits(self) -> None:
        self.limiter.reset()

    # ------------------------------------------------------------ ASGI entry

    async def _endpoint(self, request: Request) -> Response:
        raw = await request.body()
        method, path = request.method, request.url.path
        headers = {k.lower(): v for k, v in request.headers.items()}
        record = RecordedRequest(method, path, headers, _parse_json(raw)[0], time=self.monotonic())
        self.requests.append(record)
        fault = self.faults.take(method, path)
        answer = self._process(record, raw) if fault is None or fault.after_processing else None
        if fault is not None:
            answer = await self._apply_fault(fault, record, answer)
        assert answer is not None
        record.status = answer.status
        record.response_headers = {k.lower(): v for k, v in answer.headers.items()}
        record.response_body, record.response_type = answer.content, answer.media_type
        response_class = _ResetResponse if answer.reset else Response
        return response_class(
            answer.content, status_code=answer.status, headers=answer.headers, media_type=answer.media_type
        )

    async def _apply_fault(self, fault: Fault, record: RecordedRequest, real: _Answer | None) -> _Answer:
        """Replace (or, before processing, pre-empt) the answer with the injected fault."""
        if fault.delay:
            await anyio.sleep(fault.delay)
        hint = self._request_id_hint(record.headers, record.body)
        answer = self._from_fault(
            fault_answer(fault, generation_of(record.path), hint, real.content if real else None)
        )
        rate = self._rate_headers_of(real) or self._peek_headers(
            self._presented_key(record.headers), record.method, record.path
        )
        answer.headers = {**rate, **answer.headers}
        record.fault = fault.body or f"status {fault.status}"
        return answer

    @staticmethod
    def _rate_headers_of(answer: _Answer | None) -> dict[str, str]:
        return {k: v for k, v in (answer.headers if answer else {}).items() if k.startswith("x-ratelimit-")}

    def _presented_key(self, headers: dict[str, str]) -> str:
        """The API key a request carries, if valid (for rate-limit headers on fault answers)."""
        try:
            key, _ = self._authenticate(headers, V5)
        except ApiError:
            return ""
        return key

    @staticmethod
    def _from_fault(fault: FaultAnswer) -> _Answer:
        return _Answer(fault.status, fault.content, dict(fault.headers), fault.media_type, fault.reset)

    @staticmethod
    def _request_id_hint(headers: dict[str, str], body: Any) -> str | None:
        body_id = body.get("request_id") if isinstance(body, dict) else None
        return headers.get("x-moe-request-id") or (body_id if isinstance(body_id, str) else None)

    # ------------------------------------------------------------ pipeline

    def _process(self, record: RecordedRequest, raw: bytes) -> _Answer:
        """Run the pipeline; refusals become envelopes, answers below 500 are kept for replay."""
        method, path = record.method, record.path
        generation = generation_of(path)
        ctx = _Context(request_id=self._request_id_hint(record.headers, record.body))
        try:
            answer = self._handle(record, raw, generation, ctx)
        except ApiError as err:
            answer = _Answer(
                err.status, _json_bytes(error_body(generation, err, ctx.request_id)), dict(err.headers)
            )
        except Exception:  # a simulator bug must look like a server error, not crash the client
            log.exception("simulator failure on %s %s", method, path)
            answer = _Answer(500, _json_bytes(error_body(generation, ApiError(500), ctx.request_id)))
        if ctx.replay_slot is not None:
            key, fingerprint = ctx.replay_slot
            self.idempotency.store(
                key,
                idempotency.StoredResponse(
                    method, path, fingerprint, answer.status, answer.content, answer.media_type, self.now()
                ),
            )
        answer.headers.update(ctx.rate_headers or self._peek_headers(ctx.key, method, path))
        return answer

    def _handle(self, record: RecordedRequest, raw: bytes, generation: str, ctx: _Context) -> _Answer:
        method, path, headers = record.method, record.path, record.headers
        route, params = routes.match(method, path)
        scopes = self._admit(route, headers, generation, ctx, params)
        body = self._json_body(method, record.body)
        if generation != REPORT:  # the report download carries no request id
            ctx.request_id = self._resolve_request_id(generation, headers, body)
        if route.needs_idempotency_key:
            replay = self._replay(record, body, ctx)
            if replay is not None:
                return replay
        call = routes.Call(method, path, params, headers, body, generation, ctx.request_id, scopes)
        payload = route.handler(self, call)
        if isinstance(payload, reports.Raw):
            return _Answer(200, payload.content, media_type=payload.media_type)
        return _Answer(route.status, _json_bytes(self._success(generation, route, ctx.request_id, payload)))

    def _admit(
        self,
        route: routes.Route,
        headers: dict[str, str],
        generation: str,
        ctx: _Context,
        params: dict[str, str],
    ) -> frozenset[str]:
        """Credentials, workspace headers, rate limit and feature flags; returns the key's scopes."""
        if generation == REPORT:
            ctx.key = reports.signed_key(self._keys, headers, params["app"], params["file"])
            scopes = self._keys[ctx.key]
        else:
            ctx.key, scopes = self._authenticate(headers, generation)
            self._check_workspace_headers(headers, generation)
        decision = self.limiter.hit(ctx.key, route.family)
        ctx.rate_headers = decision.headers
        if not decision.allowed:
            raise rate_limited_error(generation, decision.retry_after)
        self._check_flags(generation)
        return scopes

    def _replay(self, record: RecordedRequest, body: Any, ctx: _Context) -> _Answer | None:
        """The stored answer for a repeated Idempotency-Key (409 if reused differently), else None."""
        key = idempotency.require_key(record.headers)
        fingerprint = idempotency.fingerprint(body)
        stored = self.idempotency.lookup(key, record.method, record.path, fingerprint, self.now())
        if stored is None:
            ctx.replay_slot = (key, fingerprint)
            return None
        record.replayed = True
        return _Answer(
            stored.status,
            stored.content,
            {**ctx.rate_headers, "Idempotent-Replayed": "true"},
            stored.media_type,
        )

    def _peek_headers(self, key: str, method: str, path: str) -> dict[str, str]:
        try:
            route, _ = routes.match(method, path)
        except ApiError:
            return {}
        return self.limiter.peek(key, route.family)

    @staticmethod
    def _success(generation: str, route: routes.Route, request_id: str | None, payload: Any) -> Any:
        if generation == V5:
            return {"response_id": request_id, "type": route.response_type, "data": payload}
        return payload

    def _authenticate(self, headers: dict[str, str], generation: str) -> tuple[str, frozenset[str]]:
        """Basic base64(workspace_id:api_key); returns the key and its scopes."""
        scheme, _, encoded = headers.get("authorization", "").partition(" ")
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        workspace, _, key = decoded.partition(":")
        if scheme.lower() != "basic" or workspace != self.workspace_id or key not in self._keys:
            raise self._unauthorized(generation)
        return key, self._keys[key]

    @staticmethod
    def _unauthorized(generation: str, reason: str | None = None, target: str = "Authorization") -> ApiError:
        if generation == V1:
            inner = {
                "code": "InvalidValue",
                "target": "APP_SECRET_KEY",
                "message": reason or "Invalid APP_SECRET_KEY is provided.",
            }
            return ApiError(
                401,
                "Authentication required",
                details=[{"code": "InvalidValue", "target": "APP_SECRET_KEY", "message": [inner]}],
            )
        if generation == STATS:
            return ApiError(401, reason or "Invalid identity information found.")
        return ApiError(
            401, "Invalid or missing credentials.", details=[detail(target, reason)] if reason else []
        )

    def _check_workspace_headers(self, headers: dict[str, str], generation: str) -> None:
        """V5: optional X-MOE-Tenant-ID must match. V1/stats: MOE-APPKEY required and must match."""
        if generation == V5:
            tenant = headers.get("x-moe-tenant-id")
            if tenant is not None and tenant != self.workspace_id:
                raise self._unauthorized(
                    generation,
                    "X-MOE-Tenant-ID does not match the workspace of the credentials.",
                    "X-MOE-Tenant-ID",
                )
            return
        appkey = headers.get("moe-appkey")
        if appkey is None:
            if generation == STATS:
                raise ApiError(400, "app_key - Some of the field values are invalid: app_key : None")
            message = "MOE-APPKEY header is mandatory"
            raise ApiError(400, message, target="MOE-APPKEY", details=[detail("MOE-APPKEY", message)])
        if appkey != self.workspace_id:
            raise self._unauthorized(
                generation, "MOE-APPKEY does not match the workspace of the credentials.", "MOE-APPKEY"
            )

    def _check_flags(self, generation: str) -> None:
        if generation == V1 and not self.api_enabled:
            message = "Campaigns Api sentry flag not enabled"
            raise ApiError(400, message, target="campaigns_api", details=[detail("campaigns_api", message)])

    @staticmethod
    def _json_body(method: str, parsed: Any) -> Any:
        """POST/PATCH bodies must be JSON objects; GET bodies are ignored."""
        if method == "GET":
            return None
        if not isinstance(parsed, dict):
            message = "Request body must be a JSON object."
            raise ApiError(400, message, target="body", details=[detail("body", message)])
        return parsed

    @staticmethod
    def _resolve_request_id(generation: str, headers: dict[str, str], body: Any) -> str:
        body_id = body.get("request_id") if isinstance(body, dict) else None
        if generation != V5:
            if not isinstance(body_id, str) or not body_id:
                if generation == STATS:
                    raise ApiError(400, "request_id - Field is required and must be a non-empty string")
                message = "request_id key is mandatory field"
                raise ApiError(400, message, target="request_id", details=[detail("request_id", message)])
            return body_id
        header_id = headers.get("x-moe-request-id")
        target = "X-MOE-Request-Id"
        if body_id is not None and not isinstance(body_id, str):
            raise ApiError(
                400,
                "request_id must be a string.",
                target="request_id",
                details=[detail("request_id", "request_id must be a string.")],
            )
        if header_id and body_id and header_id != body_id:
            message = "X-MOE-Request-Id header and body request_id must match."
            raise ApiError(400, message, target=target, details=[detail(target, message)])
        request_id = header_id or body_id
        if not request_id:
            message = "X-MOE-Request-Id header (or body request_id) is required."
            raise ApiError(400, message, target=target, details=[detail(target, message)])
        return request_id
