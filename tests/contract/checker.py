"""Judge recorded simulator traffic against MoEngage's published OpenAPI files.

openapi-core does the schema work (operation lookup under each file's server base, required
headers, security, request bodies, documented status codes, response bodies); `prose.py` adds
the rules the files state only in words. Every finding becomes a `Violation` keyed by operation,
location, JSON path and kind, so `known-defects.yml` can excuse one precise conflict and nothing
else.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openapi_core import OpenAPI
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.paths.finders import APICallPathFinder
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.testing import MockRequest, MockResponse
from openapi_core.validation.request.exceptions import (
    InvalidParameter,
    InvalidRequestBody,
    MissingParameterError,
    MissingRequestBodyError,
    SecurityValidationError,
)
from openapi_core.validation.response.exceptions import DataValidationError

from moengage_mcp.simulator.app import RecordedRequest

SPEC_DIR = Path(__file__).parent / "openapi"
SPEC_FILES = {"v5": "campaigns-v5.yaml", "v1": "campaigns-v1.yaml", "stats": "stats-report-v1.openapi.yml"}
HOST = "https://api-01.moengage.com"
"""Recorded paths are replayed as if sent to data center 01: each file's server is `api-{dc}`."""

_OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


@dataclass(frozen=True)
class Violation:
    operation: str
    """operationId, or `METHOD path` when the files describe no such operation."""
    location: str
    """request.body, request.header.<name>, request.security, request.path, response.status, response.body."""
    path: str
    """JSON path inside the body ($ for the root); list indices and campaign ids read [*] and {id}."""
    kind: str
    """The JSON-schema keyword that failed (enum, required, type, format, oneOf:none, oneOf:several,
    discriminator, ...), missing / invalid / undocumented, or prose:<rule>."""
    message: str
    value: Any = None
    """The offending value for enum, type and format failures (to match a defect by value)."""


@functools.cache
def spec(name: str) -> OpenAPI:
    return OpenAPI.from_file_path(str(SPEC_DIR / SPEC_FILES[name]))


def spec_name(path: str) -> str:
    """Which published file describes a path."""
    if path.startswith(("/core-services/v1/campaign-stats", "/campaign_reports/")):
        return "stats"
    return "v1" if path.startswith("/core-services/v1/") else "v5"


def operation_id(record: RecordedRequest) -> str:
    try:
        found = APICallPathFinder(spec(spec_name(record.path)).spec).find(
            record.method.lower(), HOST + record.path
        )
    except PathError:
        return f"{record.method} {record.path}"
    return (found.operation / "operationId").read_str()


def json_path(parts: Iterable[Any]) -> str:
    text = "$"
    for part in parts:
        if isinstance(part, int):
            text += "[*]"
        else:
            text += ".{id}" if _OBJECT_ID.match(str(part)) else f".{part}"
    return text


def _schema_kind(error: Any) -> str:
    if "discriminating property" in error.message:
        return "discriminator"
    if error.validator == "oneOf":
        return "oneOf:several" if "valid under each of" in error.message else "oneOf:none"
    return str(error.validator)


def _schema_violations(operation: str, location: str, cause: Any) -> Iterator[Violation]:
    for error in getattr(cause, "schema_errors", ()) or ():
        value = error.instance if error.validator in ("enum", "type", "format") else None
        yield Violation(
            operation,
            location,
            json_path(error.absolute_path),
            _schema_kind(error),
            error.message[:300],
            value,
        )


def _mock_request(record: RecordedRequest) -> MockRequest:
    data = json.dumps(record.body).encode() if record.body is not None else None
    return MockRequest(HOST, record.method, record.path, headers=record.headers, data=data)


def request_violations(record: RecordedRequest) -> list[Violation]:
    """Schema findings on what the client sent (method, path, headers, security, body)."""
    operation = operation_id(record)
    found: list[Violation] = []
    for error in spec(spec_name(record.path)).iter_request_errors(_mock_request(record)):
        found.extend(_request_error(operation, error))
    return found


def _request_error(operation: str, error: Exception) -> Iterator[Violation]:
    if isinstance(error, PathError):
        yield Violation(operation, "request.path", "$", "undocumented", str(error))
    elif isinstance(error, MissingParameterError):
        yield Violation(operation, f"request.{error.location}.{error.name}", "$", "missing", str(error))
    elif isinstance(error, InvalidParameter):
        where = f"request.{error.location}.{error.name}"
        yield from _schema_violations(operation, where, error.__cause__)
        if not getattr(error.__cause__, "schema_errors", None):
            yield Violation(operation, where, "$", "invalid", f"{error}: {error.__cause__}")
    elif isinstance(error, InvalidRequestBody):
        yield from _schema_violations(operation, "request.body", error.__cause__)
    elif isinstance(error, MissingRequestBodyError):
        yield Violation(operation, "request.body", "$", "missing", str(error))
    elif isinstance(error, SecurityValidationError):
        yield Violation(operation, "request.security", "$", "invalid", str(error))
    else:
        yield Violation(operation, "request", "$", type(error).__name__, str(error))


def response_violations(record: RecordedRequest) -> list[Violation]:
    """Schema findings on what the simulator answered: a documented status, a body of its schema."""
    operation = operation_id(record)
    media = record.response_type or "application/json"
    response = MockResponse(record.response_body, record.status, record.response_headers, media)
    found: list[Violation] = []
    for error in spec(spec_name(record.path)).iter_response_errors(_mock_request(record), response):
        if isinstance(error, ResponseNotFound):
            found.append(
                Violation(operation, "response.status", "$", "undocumented", f"status {record.status}")
            )
        elif isinstance(error, DataValidationError):
            found.extend(_schema_violations(operation, "response.body", error.__cause__))
            if not getattr(error.__cause__, "schema_errors", None):
                found.append(
                    Violation(operation, "response.body", "$", "invalid", f"{error}: {error.__cause__}")
                )
        elif not isinstance(error, PathError):  # an unknown path is already a request violation
            found.append(Violation(operation, "response", "$", type(error).__name__, str(error)))
    return found
