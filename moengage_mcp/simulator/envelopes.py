"""Error and success envelopes of the three API generations the simulator speaks.

V5 (`/v5/...`), V1 (`/core-services/v1/...`), the stats API
(`/core-services/v1/campaign-stats`) and the report download (`/campaign_reports/...`) each wrap
errors differently; clients must parse all of them, so the simulator renders every error from
one `ApiError` in the right shape.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

V5 = "v5"
V1 = "v1"
STATS = "stats"
REPORT = "report"

STATS_PATH = "/core-services/v1/campaign-stats"
REPORT_PREFIX = "/campaign_reports/"

_V5_CODES = {
    400: "VALIDATION_FAILED",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "BAD_REQUEST",
    409: "BAD_REQUEST",
    422: "UNPROCESSABLE_ENTITY",
    429: "RATE_LIMITED",
}
_V5_MESSAGES = {
    400: "One or more fields failed validation.",
    401: "Invalid or missing credentials.",
    403: "Caller does not have the required scope for this operation.",
    404: "Resource not found.",
    429: "Rate limit exceeded.",
    500: "Internal server error.",
}
_V1_CODES = {400: "400 Bad Request", 401: "401 Authentication error", 429: "429 conflict"}
_V1_MESSAGES = {
    400: "Bad request",
    401: "Authentication required",
    429: "rate_limit",
    500: "Something went wrong. Please contact Moengage team",
}
# (title, description, code) as in stats-report-v1.openapi.yml
_STATS_ERRORS = {
    400: ("Invalid Field Value", "Some of the field values are invalid", "wUcwPRZF"),
    401: ("Authentication required", "Invalid identity information found.", "wUcwPRZF"),
    403: ("Forbidden Request", None, "kmqLuuHM"),
    404: ("Not Found", "The requested resource was not found.", "nFwQpLsT"),
    429: ("Too Many Requests", "Rate limit exceeded.", "rTqZmLkP"),
    500: (
        "Server Error",
        "An unexpected error was encountered while processing this request. Please contact MoEngage Team",
        "jDTGSxjd",
    ),
}


class ApiError(Exception):
    """A refusal, rendered later in the envelope of the endpoint's API generation."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        *,
        target: str | None = None,
        details: list[dict[str, Any]] | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message or "")
        self.status = status
        self.message = message
        self.target = target
        self.details = details if details is not None else []
        self.code = code
        self.headers = headers or {}


def detail(target: str, message: str) -> dict[str, str]:
    return {"target": target, "message": message}


def generation_of(path: str) -> str:
    """Which envelope family a path belongs to."""
    if path.rstrip("/") == STATS_PATH:
        return STATS
    if path.startswith(REPORT_PREFIX):
        return REPORT
    if path.startswith("/core-services/"):
        return V1
    return V5


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def v5_error(err: ApiError, request_id: str | None) -> dict[str, Any]:
    status = err.status
    code = err.code or _V5_CODES.get(status) or ("INTERNAL_ERROR" if status >= 500 else "BAD_REQUEST")
    message = err.message or _V5_MESSAGES.get(status) or _V5_MESSAGES.get(500 if status >= 500 else 400)
    error: dict[str, Any] = {"code": code, "message": message}
    if err.target is not None:
        error["target"] = err.target
    error["details"] = err.details
    if request_id:
        error["request_id"] = request_id
    return {"response_id": request_id or "", "error": error}


def v1_error(err: ApiError, request_id: str | None) -> dict[str, Any]:
    status = err.status
    code = err.code or _V1_CODES.get(status) or f"{status} {_phrase(status)}"
    message = err.message or _V1_MESSAGES.get(status) or _V1_MESSAGES.get(500 if status >= 500 else 400)
    error: dict[str, Any] = {"code": code, "message": message}
    if err.target is not None:
        error["target"] = err.target
    error["details"] = err.details
    error["request_id"] = request_id or ""
    return {"error": error}


def stats_error(err: ApiError) -> dict[str, Any]:
    fallback = _STATS_ERRORS[500] if err.status >= 500 else _STATS_ERRORS[400]
    title, description, code = _STATS_ERRORS.get(err.status, fallback)
    if err.message is not None:
        description = err.message
    return {"title": title, "description": description, "code": err.code or code}


def report_error(err: ApiError) -> dict[str, Any]:
    """stats-report-v1.openapi.yml: 400 `{error: {attribute, message, type}}`; 401 an empty body."""
    if err.status == 401:
        return {}
    phrase = _phrase(err.status)
    return {
        "error": {"attribute": err.target or "", "message": err.message or phrase, "type": phrase.upper()}
    }


def error_body(generation: str, err: ApiError, request_id: str | None) -> dict[str, Any]:
    if generation == REPORT:
        return report_error(err)
    if generation == V1:
        return v1_error(err, request_id)
    if generation == STATS:
        return stats_error(err)
    return v5_error(err, request_id)


def rate_limited_error(generation: str, retry_after: int | float) -> ApiError:
    """The 429 of each generation, with the Retry-After header."""
    seconds = header_seconds(retry_after)
    headers = {"Retry-After": seconds}
    if generation == V1:
        return ApiError(
            429,
            "rate_limit",
            target="",
            details=[detail("rate_limit", "Rate limiting breached")],
            headers=headers,
        )
    return ApiError(429, f"Rate limit exceeded. Retry after {seconds} seconds.", headers=headers)


def header_seconds(value: int | float) -> str:
    """Retry-After as sent on the wire: whole seconds when whole, else the fraction."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:g}"
