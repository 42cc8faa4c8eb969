"""Fault injection: make the next matching requests fail the way real networks and servers do.

Each kind exercises a different client path: an error status with a proper envelope (retry
and error mapping), a hung server (timeouts), a non-JSON or cut-off body (parsing), a dropped
connection (transport errors), and with `after_processing` a lost answer to a request that
did take effect (retries must reuse the Idempotency-Key).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .envelopes import ApiError, error_body, header_seconds, rate_limited_error

try:  # a dropped connection should look like one to an httpx client, in process or over TCP
    from httpx import RemoteProtocolError as _ResetBase
except ImportError:  # pragma: no cover - httpx is a project dependency
    _ResetBase = ConnectionResetError  # type: ignore[misc,assignment]

BODY_KINDS = (None, "malformed", "truncated", "reset")


class SimulatedConnectionReset(_ResetBase):  # type: ignore[misc,valid-type]
    """Raised after the response started: the connection drops mid-answer."""

    def __init__(self, message: str = "simulated connection reset by the MoEngage simulator") -> None:
        super().__init__(message)


@dataclass
class Fault:
    pattern: re.Pattern[str]
    method: str | None
    status: int
    remaining: int
    retry_after: float | None
    delay: float
    body: str | None
    after_processing: bool

    def matches(self, method: str, path: str) -> bool:
        if self.remaining <= 0:
            return False
        if self.method is not None and self.method != method.upper():
            return False
        return self.pattern.search(path) is not None


class FaultInjector:
    """The queue of armed faults; the first armed fault that matches a request fires."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def inject(
        self,
        path: str,
        *,
        method: str | None = None,
        status: int = 500,
        count: int = 1,
        retry_after: float | None = None,
        delay: float = 0.0,
        body: str | None = None,
        after_processing: bool = False,
    ) -> Fault:
        if body not in BODY_KINDS:
            raise ValueError(f"body must be one of {BODY_KINDS}, not {body!r}")
        if count < 1:
            raise ValueError("count must be at least 1")
        fault = Fault(
            pattern=re.compile(path),
            method=method.upper() if method else None,
            status=status,
            remaining=count,
            retry_after=retry_after,
            delay=delay,
            body=body,
            after_processing=after_processing,
        )
        self._faults.append(fault)
        return fault

    def clear(self) -> None:
        self._faults.clear()

    @property
    def armed(self) -> list[Fault]:
        return [f for f in self._faults if f.remaining > 0]

    def take(self, method: str, path: str) -> Fault | None:
        """Consume one use of the first fault matching this request."""
        for fault in self._faults:
            if fault.matches(method, path):
                fault.remaining -= 1
                return fault
        return None


@dataclass
class FaultAnswer:
    """What to put on the wire for a fired fault (reset=True: start, then drop)."""

    status: int
    content: bytes
    media_type: str
    headers: dict[str, str]
    reset: bool = False


def fault_answer(
    fault: Fault, generation: str, request_id: str | None, real_content: bytes | None
) -> FaultAnswer:
    if fault.body == "malformed":
        return FaultAnswer(200, b"<html>oops", "text/plain", {})
    if fault.body == "reset":  # a non-empty Content-Length makes the dropped body visible over TCP
        return FaultAnswer(200, real_content or b'{"response_id": ""}', "application/json", {}, reset=True)
    if fault.body == "truncated":
        whole = (
            real_content
            or json.dumps({"response_id": request_id or "", "type": "campaign", "data": {}}).encode()
        )
        return FaultAnswer(200, whole[: max(1, len(whole) // 2)], "application/json", {})
    return _error_answer(fault, generation, request_id)


def _error_answer(fault: Fault, generation: str, request_id: str | None) -> FaultAnswer:
    headers: dict[str, str] = {}
    if fault.status == 429:
        err = rate_limited_error(generation, fault.retry_after if fault.retry_after is not None else 1)
        if fault.retry_after is None:
            err.headers.clear()
    else:
        err = ApiError(fault.status)
        if fault.retry_after is not None:
            err.headers["Retry-After"] = header_seconds(fault.retry_after)
    headers.update(err.headers)
    payload: Any = error_body(generation, err, request_id)
    return FaultAnswer(fault.status, json.dumps(payload).encode(), "application/json", headers)
