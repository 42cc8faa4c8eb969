"""The async MoEngage Campaigns API client: one method per endpoint the server uses.

It owns authentication, the V1/V5 header sets, request ids, idempotency keys, client-side rate
limiting, retries and error mapping, so callers deal only in models and typed errors.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import random
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import anyio
from pydantic import BaseModel, TypeAdapter, ValidationError

from .. import __version__
from . import models as m
from .cache import ReadCache, Seen
from .enums import Action
from .errors import (
    ApiDisabledError,
    MalformedResponseError,
    MoEngageError,
    PermissionDeniedError,
    RateLimitedError,
    RetryableError,
    TransportError,
    error_from_response,
)
from .quota import CreationQuota, limit_error, per
from .ratelimit import CALLER, LIMITS, DeadlineReached, Limiter, Slot, Window, limiters

if TYPE_CHECKING:
    import httpx

    from ..team.shared import CacheVersions
    from .components import (
        DraftCreated,
        EmailCreateRequest,
        EmailUpdateRequest,
        PushCreateRequest,
        PushUpdateRequest,
    )

logger = logging.getLogger(__name__)

_ModelT = TypeVar("_ModelT", bound=BaseModel)

DATA_CENTERS = ("01", "02", "03", "04", "05", "06", "101")
CREATE_MAX_QUEUE = 5.0
"""Seconds a create may wait for the calls limit (5/s queues); a longer wait (25/min, 100/h) is refused."""


def base_url_for(data_center: str) -> str:
    """`https://api-{dc}.moengage.com` for a documented data center."""
    if data_center not in DATA_CENTERS:
        raise ValueError(f"unknown data center {data_center!r}; expected one of {', '.join(DATA_CENTERS)}")
    return f"https://api-{data_center}.moengage.com"


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff; `Retry-After` wins when the API sends it."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0

    def delay(self, attempt: int, error: MoEngageError) -> float | None:
        """Seconds to wait before the next attempt, or None to give up."""
        if attempt + 1 >= self.attempts:
            return None
        if error.retry_after is not None:
            return error.retry_after if error.retry_after <= self.max_retry_after else None
        ceiling = min(self.max_delay, self.base_delay * 2**attempt)
        return random.uniform(ceiling / 2, ceiling)


@dataclass(frozen=True)
class Reply:
    """A successful response body with the ids that identify the request."""

    payload: Any
    request_id: str
    idempotency_key: str | None = None


class MoEngageClient:
    """Async client of the MoEngage Campaigns API (V1 `core-services/v1` and V5)."""

    def __init__(
        self,
        workspace_id: str,
        api_key: str,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 20.0,
        deadline: float = 60.0,
        retry: RetryPolicy = RetryPolicy(),
        limits: Mapping[str, Sequence[Window]] = LIMITS,
        creations: CreationQuota | None = None,
        budget: Mapping[str, Limiter] | None = None,
        cache_ttl: float = 0.0,
        versions: CacheVersions | None = None,
    ) -> None:
        """`budget`: a limiter per endpoint family shared beyond this client (replicas sharing one
        workspace's limits, see `moengage_mcp.team`); default: this client's own, at `limits`.
        `cache_ttl`: seconds reads are kept in the read cache (0: no cache). `versions`: campaign
        versions shared with other replicas, so their writes make this cache's entries stale."""
        self.workspace_id = workspace_id
        self.base_url = base_url.rstrip("/")
        self.retry = retry
        self.deadline = deadline
        self._limiters: Mapping[str, Limiter] = budget if budget is not None else limiters(limits)
        self._creations = creations or CreationQuota()
        self._credentials = (workspace_id, api_key)
        self._transport = transport
        self._timeout = timeout
        self._http: httpx.AsyncClient | None = None
        self.cache = ReadCache(cache_ttl, versions=versions, namespace=workspace_id)

    def _client(self) -> httpx.AsyncClient:
        """The HTTP client, made on first use: importing httpx and loading the CA bundle cost about 60 ms,
        which a server start-up (spawn -> tools/list) need not pay."""
        if self._http is None:
            import httpx

            self._http = httpx.AsyncClient(
                base_url=self.base_url,
                auth=httpx.BasicAuth(*self._credentials),
                transport=self._transport,
                timeout=httpx.Timeout(self._timeout, connect=min(self._timeout, 10.0)),
                headers={"User-Agent": f"moengage-mcp/{__version__}", "Accept": "application/json"},
            )
        return self._http

    def __repr__(self) -> str:
        return f"MoEngageClient(workspace_id={self.workspace_id!r}, base_url={self.base_url!r})"

    async def __aenter__(self) -> MoEngageClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    # ------------------------------------------------------------------ endpoints

    async def get_campaign(self, campaign_id: str) -> m.Campaign:
        """`GET /v5/campaigns/{id}`, from the read cache when a tool read it (or a search listed it) a
        moment ago."""
        key = ("get", _checked_id(campaign_id))
        data = await self.cache.lookup(key)
        if data is None:
            seen = await self.cache.seen(key[1])
            data = _data(await self._call("get", "GET", f"/v5/campaigns/{key[1]}", api="v5"))
            await self._keep([data], seen)
        return _parse(m.Campaign, data)

    def cached_campaign(self, campaign_id: str) -> m.Campaign | None:
        """The campaign if the read cache holds it, without a request."""
        data = self.cache.get(("get", campaign_id))
        return _parse(m.Campaign, data) if data is not None else None

    async def search_campaigns(self, request: m.SearchRequest) -> list[m.Campaign]:
        """One page of `POST /v5/campaigns/search` (a page shorter than `limit` is the last); its rows,
        whole campaign documents, fill the read cache."""
        reply = await self._call(
            "search", "POST", "/v5/campaigns/search", api="v5", body=request.body(), idempotent=True
        )
        found = _parse(m.CampaignList, _data(reply)).campaigns
        await self._keep(_data(reply).get("campaigns") or [], {})
        return found

    async def _keep(self, documents: list[Any], seen: Seen | None) -> None:
        """Cache campaign documents; the shared versions of their ids not in `seen` are read now, at once."""
        kept = {
            document["id"]: (document, {document["id"], document.get("campaign_id") or document["id"]})
            for document in documents
            if isinstance(document, dict) and isinstance(document.get("id"), str)
        }
        unseen = {cid for _, ids in kept.values() for cid in ids} - set(seen or {})
        if seen is not None and unseen:
            now = await self.cache.seen(*sorted(unseen))
            seen = None if now is None else {**seen, **now}
        for cid, (document, ids) in kept.items():
            self.cache.put(("get", cid), document, *ids, seen=seen)

    async def get_meta(self, request: m.MetaRequest) -> list[m.MetaRow]:
        """One page of `POST /core-services/v1/campaigns/meta`."""
        reply = await self._call(
            "meta", "POST", "/core-services/v1/campaigns/meta", api="v1", body=request.body()
        )
        rows = reply.payload
        if isinstance(rows, dict):  # tolerate the V5-style envelope as well as the documented bare array
            data = rows.get("data", rows)
            rows = data.get("campaigns", []) if isinstance(data, dict) else data
        return _parse(_adapter("meta_rows"), rows)

    async def get_meta_v5(self, request: m.MetaV5Request) -> list[m.MetaRow]:
        """One page of `POST /v5/campaigns/meta`: V1 meta's rows for every status, drafts too (with
        their `rejection_comment`), statuses and delivery types in V5 spelling."""
        body = request.body()
        reply = await self._call("meta", "POST", "/v5/campaigns/meta", api="v5", body=body, idempotent=True)
        return _parse(m.MetaList, _data(reply)).campaigns

    async def list_executions(self, parent_id: str, request: m.ExecutionsRequest) -> m.ExecutionsPage:
        path = f"/core-services/v1/campaigns/{_checked_id(parent_id)}/executions"
        reply = await self._call("executions", "POST", path, api="v1", body=request.body())
        return _parse(m.ExecutionsPage, reply.payload)

    async def validate_campaign(self, campaign_id: str) -> m.ValidationResult:
        key = ("validate", _checked_id(campaign_id))
        data = await self.cache.lookup(key)
        if data is None:
            seen = await self.cache.seen(key[1])
            path = f"/v5/campaigns/{key[1]}/validate"
            data = _data(
                await self._call("validate", "POST", path, api="v5", body=m.ValidateRequest().body())
            )
            self.cache.put(key, data, key[1], seen=seen)
        return _parse(m.ValidationResult, data)

    async def publish_campaign(self, campaign_id: str) -> tuple[m.PatchAccepted, Reply]:
        path = f"/v5/campaigns/{_checked_id(campaign_id)}"
        body = m.PublishRequest().body()
        async with self._writing(campaign_id):
            reply = await self._call(
                "update", "PATCH", path, api="v5", body=body, idempotent=True, request_id_in_body=False
            )
        return _parse(m.PatchAccepted, _data(reply)), reply

    async def change_status(self, campaign_id: str, action: Action) -> tuple[m.StatusTransition, Reply]:
        path = f"/v5/campaigns/{_checked_id(campaign_id)}/status"
        body = m.StatusChangeRequest(action=action).body()
        async with self._writing(campaign_id):
            reply = await self._call("status", "PATCH", path, api="v5", body=body, idempotent=True)
        return _parse(m.StatusTransition, _data(reply)), reply

    async def test_campaign(self, request: m.TestCampaignRequest) -> tuple[m.TestCampaignResult, Reply]:
        reply = await self._call(
            "test", "POST", "/v5/campaigns/test", api="v5", body=request.body(), idempotent=True
        )
        return _parse(m.TestCampaignResult, _data(reply)), reply

    async def preview(self, request: m.PreviewRequest) -> m.PreviewResult:
        """`POST /v5/personalization/preview`, from the read cache for the same content and user."""
        body = request.body()
        key = ("preview", json.dumps(body, sort_keys=True, default=str))
        data = self.cache.get(key)
        if data is None:
            data = _data(
                await self._call("preview", "POST", "/v5/personalization/preview", api="v5", body=body)
            )
            self.cache.put(key, data)
        return _parse(m.PreviewResult, data)

    async def campaign_stats(self, request: m.StatsRequest) -> m.StatsResponse:
        try:
            reply = await self._call(
                "stats", "POST", "/core-services/v1/campaign-stats", api="v1", body=request.body()
            )
        except PermissionDeniedError as exc:  # documented meaning: no access to campaign stats at all
            raise ApiDisabledError(
                f"campaign stats are not available to this workspace or key ({exc.message})",
                status=exc.status,
                code=exc.code,
                request_id=exc.request_id,
            ) from None
        return _parse(m.StatsResponse, reply.payload)

    async def download_report(self, filename: str) -> bytes:
        """A generated campaign report file (`GET /campaign_reports/rest_api/{app}/{file}`), as bytes.
        This endpoint authenticates by a `Signature` header, SHA256 of `app|file|key`, not Basic auth;
        the key itself is never sent. Files are kept 7 days after they are generated."""
        if not filename or "/" in filename or filename in (".", ".."):
            raise ValueError(f"invalid report file name {filename!r}")
        workspace_id, api_key = self._credentials
        signature = hashlib.sha256(f"{workspace_id}|{filename}|{api_key}".encode()).hexdigest()
        path = f"/campaign_reports/rest_api/{workspace_id}/{filename}"
        reply = await self._call("report", "GET", path, api="report", headers={"Signature": signature})
        return reply.payload

    def creation_refusal(self) -> str | None:
        """Why a create would be refused now by the documented creation limits, saying when it will not
        be; None when it may go (checked again, for real, when the create is sent)."""
        wait = self._limiters["create"].delay()
        if CREATE_MAX_QUEUE < wait < float("inf"):
            return str(
                limit_error(wait, ", ".join(per(window, "create calls") for window in LIMITS["create"]))
            )
        blocked = self._creations.blocked()
        return str(blocked) if blocked else None

    async def create_campaign(
        self, request: PushCreateRequest | EmailCreateRequest
    ) -> tuple[DraftCreated, Reply]:
        """`POST /v5/campaigns`: a new DRAFT, exactly once.

        Every attempt carries the same body `request_id` (MoEngage's creation idempotency key) and an
        Idempotency-Key derived from it, so a retry after a lost answer - by this call or by a later
        one given the same `request.request_id` - gets the draft already made, never a second one.
        The documented creation limits are checked first: CreationLimitError says when to come back."""
        from .components import DraftCreated, EmailCreateRequest, PushCreateRequest  # ~90 ms: not at start-up

        if not isinstance(request, (PushCreateRequest, EmailCreateRequest)):
            raise TypeError("create_campaign takes a Push/EmailCreateRequest (see components.parse_create)")
        wait = self._limiters["create"].delay()
        if CREATE_MAX_QUEUE < wait < float("inf"):
            raise limit_error(wait, ", ".join(per(window, "create calls") for window in LIMITS["create"]))
        request_id = request.request_id or str(uuid.uuid4())
        reservation = self._creations.reserve()
        try:
            reply = await self._call(
                "create",
                "POST",
                "/v5/campaigns",
                api="v5",
                body=request.body(),
                idempotent=True,
                request_id=request_id,
                idempotency_key=_creation_key(request_id),
            )
        except BaseException as exc:
            reservation.settle(_may_have_created(exc))
            if isinstance(exc, RateLimitedError):
                refused = f"the API refused the create ({exc.message})"
                raise limit_error(exc.retry_after or 60.0, refused) from None
            raise
        reservation.settle(True)
        return _parse(DraftCreated, _data(reply)), reply

    async def update_campaign(
        self, campaign_id: str, request: PushUpdateRequest | EmailUpdateRequest
    ) -> tuple[m.PatchAccepted, Reply]:
        """`PATCH /v5/campaigns/{id}` with whole components (never `status`: publishing is publish_campaign).
        On a versioned workspace an update of a live campaign answers with the new version's id."""
        from .components import EmailUpdateRequest, PushUpdateRequest

        if not isinstance(request, (PushUpdateRequest, EmailUpdateRequest)):
            raise TypeError("update_campaign takes a Push/EmailUpdateRequest (see components.parse_update)")
        path = f"/v5/campaigns/{_checked_id(campaign_id)}"
        body = request.body()
        async with self._writing(campaign_id):
            reply = await self._call(
                "update", "PATCH", path, api="v5", body=body, idempotent=True, request_id=request.request_id
            )
        return _parse(m.PatchAccepted, _data(reply)), reply

    @asynccontextmanager
    async def _writing(self, campaign_id: str) -> AsyncIterator[None]:
        """Around a write to `campaign_id`: whatever its outcome, the caches (this one and the other
        replicas') forget what it touched."""
        try:
            yield
        finally:
            await self.cache.invalidate(campaign_id.lower())

    # ------------------------------------------------------------------ transport

    async def _call(
        self,
        family: str,
        method: str,
        path: str,
        *,
        api: Literal["v1", "v5", "report"],
        body: dict[str, Any] | None = None,
        idempotent: bool = False,
        request_id_in_body: bool = True,
        headers: dict[str, str] | None = None,
        request_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Reply:
        """Send one logical request, retrying it with the same request id and idempotency key
        (fresh ones unless the caller gives them)."""
        request_id = request_id or str(uuid.uuid4())
        headers = {**self._headers(api, request_id), **(headers or {})}
        key = idempotency_key or (str(uuid.uuid4()) if idempotent else None)
        if key:
            headers["Idempotency-Key"] = key
        if body is not None and request_id_in_body:
            body = {**body, "request_id": request_id}
        try:
            return await self._attempts(family, method, path, headers, body, Reply(None, request_id, key))
        except TimeoutError:
            raise TransportError(
                f"{method} {path} did not complete within {self.deadline:g} s", request_id=request_id
            ) from None

    async def _attempts(
        self, family: str, method: str, path: str, headers: dict[str, str], body: Any, ids: Reply
    ) -> Reply:
        """Attempts and back-offs together get `deadline` seconds. Waiting for the rate limit is
        pacing, not a hang, and is not counted: a tool that needs 300 stats calls at 100/min queues
        for minutes by design."""
        budget = self.deadline
        attempt = 0
        while True:
            if budget <= 0:
                raise TimeoutError
            slot = await self._granted(family)
            started = anyio.current_time()
            try:
                with anyio.fail_after(budget):
                    try:
                        return await self._send(method, path, headers, body, ids)
                    except RetryableError as error:
                        slot.release()  # before the back-off: the window runs from the answer
                        wait = self.retry.delay(attempt, error)
                        if wait is None:
                            raise
                        logger.info(
                            "%s %s failed (%s); retry %d in %.2f s",
                            method,
                            path,
                            type(error).__name__,
                            attempt + 1,
                            wait,
                        )
                        attempt += 1
                        until = CALLER.get().until
                        if until is not None and anyio.current_time() + wait > until:
                            raise DeadlineReached(f"{method} {path}: no time left to retry") from error
                        await anyio.sleep(wait)
            finally:
                slot.release()
                budget -= anyio.current_time() - started

    async def _granted(self, family: str) -> Slot:
        """A slot of `family`'s rate limit, waited for no later than the caller's `until`."""
        until = CALLER.get().until
        if until is None:
            return await self._limiters[family].acquire()
        with anyio.move_on_after(until - anyio.current_time()):
            return await self._limiters[family].acquire()
        raise DeadlineReached(f"no {family} request could be sent in time")

    async def _send(self, method: str, path: str, headers: dict[str, str], body: Any, ids: Reply) -> Reply:
        import httpx  # loaded by _client()

        signed = "Signature" in headers  # the report download: its own signature, no Basic credentials
        auth: Any = None if signed else httpx.USE_CLIENT_DEFAULT
        try:
            response = await self._client().request(method, path, json=body, headers=headers, auth=auth)
        except httpx.TimeoutException:
            raise TransportError(f"{method} {path} timed out", request_id=ids.request_id) from None
        except httpx.HTTPError as exc:
            raise TransportError(
                f"{method} {path}: {type(exc).__name__}", request_id=ids.request_id
            ) from None
        if response.is_success and signed:
            return Reply(response.content, ids.request_id)
        if response.is_success:
            try:
                payload = response.json()
            except ValueError:
                raise MalformedResponseError(
                    f"{method} {path} answered {response.status_code} with a body that is not JSON",
                    status=response.status_code,
                    request_id=ids.request_id,
                ) from None
            return Reply(payload, ids.request_id, ids.idempotency_key)
        raise error_from_response(
            response.status_code,
            response.content,
            request_id=ids.request_id,
            retry_after=_retry_after(response.headers.get("Retry-After")),
            endpoint=f"{method} {path}",
        )

    def _headers(self, api: Literal["v1", "v5", "report"], request_id: str) -> dict[str, str]:
        if api == "report":
            return {"Accept": "application/gzip, application/json"}
        if api == "v1":
            return {"MOE-APPKEY": self.workspace_id}
        return {"X-MOE-Tenant-ID": self.workspace_id, "X-MOE-Request-Id": request_id}


@functools.cache
def _adapter(name: str) -> TypeAdapter[Any]:
    """Type adapters, built on first use (not at start-up) and then kept: building one per call cost
    about 0.1 ms of every request."""
    return TypeAdapter(list[m.MetaRow] if name == "meta_rows" else m.CampaignId)


def _checked_id(campaign_id: str) -> str:
    """Refuse anything but a 24-hex id before it becomes part of a URL path."""
    try:
        return _adapter("campaign_id").validate_python(campaign_id)
    except ValidationError:
        raise ValueError(f"invalid campaign id {campaign_id!r}: expected 24 hexadecimal characters") from None


def _may_have_created(error: BaseException) -> bool:
    """Whether a create that failed may still have made a draft: yes unless the API answered 4xx (a lost
    answer, a timeout or a 5xx may follow a creation; counting it keeps the client under the API's quota)."""
    return not (isinstance(error, MoEngageError) and error.status is not None and error.status < 500)


def _creation_key(request_id: str) -> str:
    """A UUIDv4-shaped Idempotency-Key that is a function of the creation's request_id: the same creation
    always carries the same key, and another request_id never does."""
    digest = hashlib.sha256(f"moengage-mcp/create/{request_id}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def _data(reply: Reply) -> Any:
    """The `data` of a V5 success envelope."""
    if not isinstance(reply.payload, dict) or "data" not in reply.payload:
        raise MalformedResponseError("the response has no `data` object", request_id=reply.request_id)
    return reply.payload["data"]


def _parse(model: type[_ModelT] | TypeAdapter[Any], payload: Any) -> Any:
    try:
        if isinstance(model, TypeAdapter):
            return model.validate_python(payload)
        return model.model_validate(payload)
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in err["loc"]) or "body" for err in exc.errors()})[:5]
        raise MalformedResponseError(f"unexpected response shape (fields: {', '.join(fields)})") from None


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
