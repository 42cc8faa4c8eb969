"""Rules MoEngage's files state only in words, written as small explicit checks.

Each rule quotes where it comes from. A rule yields `Violation`s of kind `prose:<rule>`, judged
and excused exactly like schema findings.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

from moengage_mcp.simulator.app import RecordedRequest

from .checker import Violation, operation_id

Rule = Callable[[str, RecordedRequest], Iterator[Violation]]
PUSH_IDENTIFIERS = {
    "USER_ATTRIBUTE_UNIQUE_ID",
    "USER_ATTRIBUTE_USER_EMAIL",
    "USER_ATTRIBUTE_USER_MOBILE",
    "MOE_GAID",
    "ADVERTISING_IDENTIFIER",
    "PUSH_ID",
    "CUSTOM_SEGMENT",
}
EMAIL_IDENTIFIERS = {"EMAIL", "ID", "MOBILE_NUMBER", "CUSTOM_SEGMENT"}


def _body(record: RecordedRequest) -> dict[str, Any]:
    return record.body if isinstance(record.body, dict) else {}


def _v(op: str, location: str, path: str, rule: str, message: str) -> Violation:
    return Violation(op, location, path, f"prose:{rule}", message)


def idempotency_key(op: str, record: RecordedRequest) -> Iterator[Violation]:
    """campaigns-v5.yaml, parameter Idempotency-Key: "Required on all POST and PATCH requests except
    POST /v5/campaigns/{campaign_id}/validate"."""
    writes = record.method in ("POST", "PATCH") and not record.path.endswith("/validate")
    if record.path.startswith("/v5/") and writes and "idempotency-key" not in record.headers:
        yield _v(
            op,
            "request.header.Idempotency-Key",
            "$",
            "idempotency-key",
            "V5 POST/PATCH without Idempotency-Key",
        )


def request_id_match(op: str, record: RecordedRequest) -> Iterator[Violation]:
    """campaigns-v5.yaml, X-MOE-Request-Id: "Supply this header or request_id in the body; if both are
    set, they must match"."""
    header, body_id = record.headers.get("x-moe-request-id"), _body(record).get("request_id")
    if record.path.startswith("/v5/") and header and body_id and header != body_id:
        yield _v(op, "request.body", "$.request_id", "request-id-match", f"header {header} != body {body_id}")


def workspace_headers(op: str, record: RecordedRequest) -> Iterator[Violation]:
    """MOE-APPKEY (V1, stats) and X-MOE-Tenant-ID (V5): "the Workspace ID of your MoEngage account",
    the same workspace the Basic credentials name."""
    scheme, _, encoded = record.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return
    workspace = base64.b64decode(encoded).decode().partition(":")[0]
    for header in ("moe-appkey", "x-moe-tenant-id"):
        if header in record.headers and record.headers[header] != workspace:
            yield _v(op, f"request.header.{header}", "$", "workspace", f"{header} names another workspace")


def publish_alone(op: str, record: RecordedRequest) -> Iterator[Violation]:
    """patch_draft_campaign_v5: "Send a PATCH request with only the status field set to PUBLISH - no
    other fields" (request_id aside, as in its own example)."""
    body = _body(record)
    if op == "patch_draft_campaign_v5" and "status" in body and set(body) - {"status", "request_id"}:
        yield _v(
            op,
            "request.body",
            "$",
            "publish-alone",
            f"status sent with {sorted(set(body) - {'status', 'request_id'})}",
        )


def test_modes(op: str, record: RecordedRequest) -> Iterator[Violation]:
    """test_campaign_v5: draft_id is "Mutually exclusive with channel and campaign_content"; inline mode
    "additionally requires channel and campaign_content" (EMAIL also basic_details and connector);
    test_campaign_meta.platform "Applies to draft mode only"; identifiers are per channel."""
    if op != "test_campaign_v5":
        return
    body = _body(record)
    meta = body.get("test_campaign_meta") or {}
    if "draft_id" in body:
        clash = sorted({"channel", "campaign_content"} & set(body))
        if clash:
            yield _v(op, "request.body", "$.draft_id", "draft-exclusive", f"draft_id sent with {clash}")
        return
    needed = {"channel", "campaign_content"} | (
        {"basic_details", "connector"} if body.get("channel") == "EMAIL" else set()
    )
    if missing := sorted(needed - set(body)):
        yield _v(op, "request.body", "$", "inline-required", f"inline test without {missing}")
    if "platform" in meta:
        yield _v(
            op,
            "request.body",
            "$.test_campaign_meta.platform",
            "platform-draft-only",
            "platform in inline mode",
        )
    allowed = PUSH_IDENTIFIERS if body.get("channel") == "PUSH" else EMAIL_IDENTIFIERS
    if meta.get("identifier") not in allowed:
        yield _v(
            op,
            "request.body",
            "$.test_campaign_meta.identifier",
            "identifier-channel",
            str(meta.get("identifier")),
        )


def stats_window(op: str, record: RecordedRequest) -> Iterator[Violation]:
    """getCampaignStats end_date: "The days between the start and end dates should not exceed 30 days"."""
    body = _body(record)
    if op != "getCampaignStats" or not {"start_date", "end_date"} <= set(body):
        return
    days = (dt.date.fromisoformat(body["end_date"]) - dt.date.fromisoformat(body["start_date"])).days
    if not 0 <= days <= 30:
        yield _v(op, "request.body", "$.end_date", "stats-window", f"{days} days apart")


def report_signature(op: str, record: RecordedRequest) -> Iterator[Violation]:
    """downloadCampaignReport: "The signature is SHA256(Api_ID + "|" + FILENAME + "|" + SECRET_KEY)",
    checked here as a 64-hex digest of a SHA256 (the key is not known to the test)."""
    if op == "downloadCampaignReport":
        sent = record.headers.get("signature", "")
        if len(sent) != 64 or any(c not in "0123456789abcdef" for c in sent):
            yield _v(op, "request.header.Signature", "$", "report-signature", "not a SHA256 hex digest")


def response_ids(op: str, record: RecordedRequest) -> Iterator[Violation]:
    """V5 X-MOE-Request-Id "Correlates with response_id"; stats response_id "is the same as the
    request ID passed in the payload"."""
    if not (200 <= record.status < 300) or record.response_type != "application/json":
        return
    answer = json.loads(record.response_body)
    sent = (
        record.headers.get("x-moe-request-id")
        if record.path.startswith("/v5/")
        else _body(record).get("request_id")
    )
    if isinstance(answer, dict) and "response_id" in answer and answer["response_id"] != sent:
        yield _v(op, "response.body", "$.response_id", "response-id", f"{answer['response_id']} != {sent}")


def validation_errors(op: str, record: RecordedRequest) -> Iterator[Violation]:
    """V5ValidateResponse: "When valid is true, only valid is returned"; errors "Present only when valid
    is false"."""
    if op != "validate_draft_campaign_v5" or record.status != 200:
        return
    data = json.loads(record.response_body).get("data", {})
    if (data.get("valid") is True and set(data) != {"valid"}) or (
        data.get("valid") is False and not data.get("errors")
    ):
        yield _v(op, "response.body", "$.data", "validate-shape", json.dumps(data)[:200])


def test_results(op: str, record: RecordedRequest) -> Iterator[Violation]:
    """TestCampaignResultData: failure_reason "Present only when status is FAILED"."""
    if op != "test_campaign_v5" or record.status != 200:
        return
    for key, result in json.loads(record.response_body).get("data", {}).get("data", {}).items():
        if ("failure_reason" in result) != (result.get("status") == "FAILED"):
            yield _v(op, "response.body", "$.data.data.*", "failure-reason", f"{key}: {result}")


RULES: tuple[Rule, ...] = (
    idempotency_key,
    request_id_match,
    workspace_headers,
    publish_alone,
    test_modes,
    stats_window,
    report_signature,
    response_ids,
    validation_errors,
    test_results,
)


def prose_violations(record: RecordedRequest) -> list[Violation]:
    op = operation_id(record)
    return [found for rule in RULES for found in rule(op, record)]
