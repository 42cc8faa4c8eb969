"""Typed errors of the MoEngage API, each with a message that says what to do next.

Messages are built from the API's own error text plus advice; they never carry request
headers, so the API key cannot leak through them.

The tree has the two middle layers code branches on:

    MoEngageError
    ├── AuthenticationError, PermissionDeniedError, NotFoundError, ConflictError,
    │   InvalidRequestError, ApiDisabledError       the API refused: nothing was done
    └── RetryableError                              worth another attempt
        ├── RateLimitedError                        refused for now: nothing was done
        └── OutcomeUnknownError                     the answer, not the request, may be lost
            ├── ServerError                         a 5xx
            ├── TransportError                      timeout, refused or reset connection
            └── MalformedResponseError              an answer this client cannot read

Reads retry every `RetryableError`; writes retry only under their idempotency key, and after an
`OutcomeUnknownError` a write is reported as possibly carried out, never as not sent.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import ValidationError

from .models import ErrorEnvelope, StatsError

if sys.version_info < (3, 11):  # pragma: no cover
    from exceptiongroup import BaseExceptionGroup

_E = TypeVar("_E", bound=BaseException)


class MoEngageError(Exception):
    """Base of every error the API client raises."""

    advice = ""
    """What to do next; a class attribute, or a property where it depends on the error."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        details: list[str] | None = None,
        retry_after: float | None = None,
        endpoint: str | None = None,
    ) -> None:
        self.message = message
        self.endpoint = endpoint
        self.status = status
        self.code = code
        self.request_id = request_id
        self.details = details or []
        self.retry_after = retry_after
        super().__init__(self.render())

    def render(self, quote: Callable[[str], str] = str) -> str:
        """The error as one text: what failed, what the API said (passed through `quote`: it may echo
        workspace data back), what to do next, and the request id."""
        head = f"MoEngage API error {self.status}" if self.status else "MoEngage API request failed"
        if self.endpoint:
            head += f" on {self.endpoint}"
        said = self.message.rstrip(".") + (" (" + "; ".join(self.details) + ")" if self.details else "")
        text = f"{head}: {quote(said)}"
        if self.advice:
            text += f". {self.advice}"
        if self.request_id:
            text += f" [request id {self.request_id}]"
        return text


class AuthenticationError(MoEngageError):
    advice = (
        "Check MOENGAGE_WORKSPACE_ID, MOENGAGE_API_KEY and MOENGAGE_DATA_CENTER "
        "(the key must belong to this workspace and data center)"
    )


class PermissionDeniedError(MoEngageError):
    advice = (
        "The API key lacks the scope for this operation: in MoEngage, Settings > Account > API keys, "
        "enable Campaigns View, Create & Manage, or Create, Manage & Publish as needed"
    )


class NotFoundError(MoEngageError):
    @property
    def advice(self) -> str:  # type: ignore[override]
        if "user" in self.message.lower():
            return "Check the user id and user_id_type (the preview renders for an existing user)"
        return "Check the campaign id (search_campaigns finds ids by name)"


class ConflictError(MoEngageError):
    advice = "The campaign is not in a state that allows this; read it again with get_campaign"


class InvalidRequestError(MoEngageError):
    """400 or 422: the API refused the request as sent."""

    @property
    def advice(self) -> str:  # type: ignore[override]
        return (
            "Fix the fields named and try again"
            if self.details
            else "Check the arguments against the tool's schema"
        )


class RetryableError(MoEngageError):
    """A failure another attempt may not meet."""


class OutcomeUnknownError(RetryableError):
    """The request may have been carried out: only its answer is known to be lost or broken."""


class RateLimitedError(RetryableError):
    @property
    def advice(self) -> str:  # type: ignore[override]
        wait = f"{self.retry_after:g} s" if self.retry_after is not None else "a minute"
        return f"The API rate limit was reached; retry after {wait}"


class ApiDisabledError(MoEngageError):
    advice = "Ask MoEngage support to enable this API for the workspace"


class ServerError(OutcomeUnknownError):
    advice = "MoEngage had an internal problem; try again later"


class TransportError(OutcomeUnknownError):
    """The request could not be completed: timeout, connection refused or reset."""

    advice = "Check network access to the MoEngage API (MOENGAGE_DATA_CENTER / MOENGAGE_BASE_URL) and retry"


class MalformedResponseError(OutcomeUnknownError):
    advice = "The API answered with something this client does not understand; retry, or report it"


_BY_STATUS: dict[int, type[MoEngageError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: InvalidRequestError,
    429: RateLimitedError,
}

_DISABLED_MARKERS = ("sentry flag not enabled", "not enabled for this workspace", "api is not enabled")


def error_from_response(
    status: int,
    body: bytes,
    *,
    request_id: str | None = None,
    retry_after: float | None = None,
    endpoint: str | None = None,
) -> MoEngageError:
    """Map an error response (V1, V5 or stats envelope, or garbage) to a typed error."""
    message, code, details, rid = _parse_error_body(body)
    cls = ServerError if status >= 500 else _BY_STATUS.get(status, MoEngageError)
    if any(marker in message.lower() for marker in _DISABLED_MARKERS):
        cls = ApiDisabledError
    return cls(
        message or f"HTTP {status}",
        status=status,
        code=code,
        request_id=rid or request_id,
        details=details,
        retry_after=retry_after,
        endpoint=endpoint,
    )


def _parse_error_body(body: bytes) -> tuple[str, str | None, list[str], str | None]:
    try:
        payload: Any = json.loads(body)
    except ValueError:
        return "the response was not JSON", None, [], None
    try:
        err = ErrorEnvelope.model_validate(payload).error
    except ValidationError:
        pass
    else:
        details = [_detail_text(d.target, d.message) for d in err.details if d.message]
        return err.message or err.code or "", err.code, [d for d in details if d], err.request_id
    try:
        stats = StatsError.model_validate(payload)
    except ValidationError:
        return "unexpected error body", None, [], None
    return stats.title + (f": {stats.description}" if stats.description else ""), stats.code, [], None


def _detail_text(target: str | None, message: Any) -> str:
    if isinstance(message, list):  # V1 401 nests detail objects in `message`
        message = "; ".join(str(m.get("message", m)) if isinstance(m, dict) else str(m) for m in message)
    return f"{target}: {message}" if target else str(message)


def found_in(exc: BaseException | None, kinds: type[_E] | tuple[type[_E], ...]) -> _E | None:
    """`exc` if it is one of `kinds`, else the first such error inside it when it is an exception
    group: a task group wraps even a single failure of its tasks."""
    if isinstance(exc, kinds):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            if (found := found_in(inner, kinds)) is not None:
                return found
    return None


class CreationLimitError(RateLimitedError):
    """A documented campaign-creation limit is reached (raised before any request, or for the API's 429
    on a create); `retry_at` is when creating is possible again (UTC)."""

    def __init__(self, message: str, *, retry_at: dt.datetime, **kwargs: Any) -> None:
        self.retry_at = retry_at
        super().__init__(message, **kwargs)

    @property
    def advice(self) -> str:  # type: ignore[override]
        wait = f" (in {self.retry_after:.0f} s)" if self.retry_after is not None else ""
        return f"Creating campaigns is possible again at {self.retry_at:%Y-%m-%d %H:%M:%S} UTC{wait}"
