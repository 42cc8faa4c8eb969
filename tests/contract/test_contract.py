"""Our traffic against MoEngage's published contract.

A broad run of every tool (write_mode auto, so writes go through) plus the client methods no tool
uses yet, in process against the simulator through real MCP client sessions; every recorded request
and response is then judged against the vendored OpenAPI files (`checker`) and their prose rules
(`prose`). The run fails on any violation `known-defects.yml` does not list, and on a listed one that
no longer occurs. `pytest tests/contract -s` prints the per-operation table.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from moengage_mcp.api.ratelimit import LIMITS
from moengage_mcp.server.registry import all_tools
from moengage_mcp.simulator import Simulator
from moengage_mcp.simulator.app import RecordedRequest

from ..conftest import make_client, mcp_client
from . import scenario
from .checker import Violation, operation_id, request_violations, response_violations
from .prose import prose_violations

pytestmark = pytest.mark.anyio

DEFECTS_FILE = Path(__file__).parent / "known-defects.yml"
TOOL_COUNT = len(all_tools())
"""Every tool the registry declares: the server lists them all with write_mode auto."""
OPERATIONS = {
    "create_draft_campaign_v5",
    "get_single_campaign_v5",
    "search_campaigns_v5",
    "get_campaign_meta_v5",
    "patch_draft_campaign_v5",
    "validate_draft_campaign_v5",
    "change_campaign_status_v5",
    "test_campaign_v5",
    "preview_personalized_content_v5",
    "get_campaign_meta",
    "get_child_campaigns",
    "getCampaignStats",
    "downloadCampaignReport",
}
"""Every operation the client calls (one method each in moengage_mcp/api/client.py)."""
MIN_REQUESTS = 300
UNPACED = {family: ((100_000, 1.0),) for family in LIMITS}
"""The contract run judges shapes, not pacing: no client-side waits."""


@dataclass(frozen=True)
class Match:
    defect: str
    operation: str
    location: str
    path: str
    kind: str
    values: tuple[Any, ...] | None = None

    def covers(self, v: Violation) -> bool:
        same = (self.operation, self.location, self.path, self.kind) == (
            v.operation,
            v.location,
            v.path,
            v.kind,
        )
        return same and (self.values is None or v.value in self.values)


def known_defects() -> list[Match]:
    entries = yaml.safe_load(DEFECTS_FILE.read_text())["defects"]
    return [
        Match(
            e["id"],
            m["operation"],
            m["location"],
            m["path"],
            m["kind"],
            tuple(m["values"]) if "values" in m else None,
        )
        for e in entries
        for m in e["matches"]
    ]


def violations(record: RecordedRequest) -> list[Violation]:
    return request_violations(record) + response_violations(record) + prose_violations(record)


async def broad_run(tmp_path: Path) -> tuple[Simulator, Counter[str], set[str]]:
    """Every tool through a real MCP session, then the client-only methods; returns the simulator
    (its recorded traffic), how often each tool was called, and the tools the server lists."""
    sim = Simulator(rate_limits=False)
    called: Counter[str] = Counter()
    api = make_client(sim, limits=UNPACED, cache_ttl=0)  # every read reaches the API, to be judged
    allowlist = ",".join(scenario.test_recipients())  # write mode auto sends tests only to allowlisted users
    async with mcp_client(
        sim,
        tmp_path,
        api=api,
        write_mode="auto",
        test_recipients=allowlist,
        author_email="contract@brightcart.example",
    ) as client:
        listed = {tool.name for tool in (await client.list_tools()).tools}
        for name, args in scenario.calls(sim):
            await client.call_tool(name, args)
            called[name] += 1
        await scenario.client_only(api, sim)  # inside: the session closes the client
    return sim, called, listed


def table(per_op: Counter[str], found: dict[str, Counter[str]]) -> str:
    lines = [f"{'operation':34} {'requests':>8} {'known':>7} {'unlisted':>8}"]
    for op, n in sorted(per_op.items()):
        lines.append(f"{op:34} {n:8} {found[op]['known']:7} {found[op]['unlisted']:8}")
    lines.append(f"{'total':34} {sum(per_op.values()):8}")
    return "\n".join(lines)


async def test_traffic_of_every_tool_keeps_the_published_contract(tmp_path):
    sim, called, listed = await broad_run(tmp_path)
    defects = known_defects()
    per_op: Counter[str] = Counter()
    found: dict[str, Counter[str]] = {op: Counter() for op in OPERATIONS}
    unlisted: list[Violation] = []
    used: set[Match] = set()
    for record in sim.requests:
        op = operation_id(record)
        per_op[op] += 1
        for v in violations(record):
            matched = [d for d in defects if d.covers(v)]
            used.update(matched)
            found.setdefault(op, Counter())["known" if matched else "unlisted"] += 1
            if not matched:
                unlisted.append(v)
    print("\n" + table(per_op, found))
    assert set(called) == listed and len(listed) == TOOL_COUNT
    assert sum(per_op.values()) >= MIN_REQUESTS
    assert set(per_op) == OPERATIONS, (
        f"operations not covered: {OPERATIONS - set(per_op)}; unknown: {set(per_op) - OPERATIONS}"
    )
    distinct = sorted(
        {
            (v.operation, v.location, v.path, v.kind, str(v.value) if v.kind == "enum" else ""): v.message
            for v in unlisted
        }.items()
    )
    assert not distinct, "violations not in known-defects.yml:\n" + "\n".join(
        f"{k} {msg}" for k, msg in distinct[:40]
    )
    stale = [d for d in defects if d not in used]
    assert not stale, f"known defects that no longer occur (remove them): {stale}"


# ------------------------------------------------------------------ the checker itself can fail


def recorded(
    method: str, path: str, body: Any, headers: dict[str, str], status: int = 200, answer: Any = None
) -> RecordedRequest:
    record = RecordedRequest(method, path, headers, body, status)
    record.response_body, record.response_type = json.dumps(answer or {}).encode(), "application/json"
    return record


AUTH = {"authorization": "Basic " + base64.b64encode(b"WS:key").decode()}


def kinds(record: RecordedRequest) -> set[tuple[str, str, str]]:
    return {(v.location, v.path, v.kind) for v in violations(record)}


def test_the_checker_catches_what_v1_meta_refuses():
    body = {
        "request_id": "r",
        "limit": 16,
        "page": 1,
        "campaign_fields": {"status": ["DRAFT"], "delivery_type": ["BUSINESS_EVENT_TRIGGERED"]},
    }
    found = kinds(recorded("POST", "/core-services/v1/campaigns/meta", body, {**AUTH, "moe-appkey": "OTHER"}))
    assert {
        ("request.body", "$.limit", "maximum"),
        ("request.body", "$.campaign_fields.status[*]", "enum"),
        ("request.body", "$.campaign_fields.delivery_type[*]", "enum"),
        ("request.header.moe-appkey", "$", "prose:workspace"),
    } <= found


def test_the_checker_catches_missing_v5_headers_and_prose_rules():
    body = {
        "draft_id": "a" * 24,
        "channel": "PUSH",
        "test_campaign_meta": {"identifier": "EMAIL", "identifier_values": ["x"]},
    }
    assert ("request.security", "$", "invalid") in kinds(recorded("POST", "/v5/campaigns/test", body, {}))
    assert {
        ("request.header.X-MOE-Request-Id", "$", "missing"),
        ("request.header.Idempotency-Key", "$", "missing"),
        ("request.body", "$.draft_id", "prose:draft-exclusive"),
    } <= kinds(recorded("POST", "/v5/campaigns/test", body, AUTH))
    inline = {
        "channel": "PUSH",
        "campaign_content": {},
        "test_campaign_meta": {"identifier": "EMAIL", "identifier_values": ["x"], "platform": "IOS"},
    }
    assert {
        ("request.body", "$.test_campaign_meta.platform", "prose:platform-draft-only"),
        ("request.body", "$.test_campaign_meta.identifier", "prose:identifier-channel"),
    } <= kinds(
        recorded(
            "POST", "/v5/campaigns/test", inline, {**AUTH, "x-moe-request-id": "r", "idempotency-key": "k"}
        )
    )


def test_the_checker_catches_bad_responses_and_undocumented_statuses():
    answer = {"response_id": "other", "type": "campaign", "data": {"id": "x", "action": "PUBLISH"}}
    headers = {**AUTH, "x-moe-request-id": "r", "idempotency-key": "00000000-0000-4000-8000-000000000000"}
    found = kinds(
        recorded("PATCH", "/v5/campaigns/" + "a" * 24 + "/status", {"action": "STOP"}, headers, 200, answer)
    )
    assert {
        ("response.body", "$.data.action", "enum"),
        ("response.body", "$.response_id", "prose:response-id"),
    } <= found
    gone = kinds(
        recorded("PATCH", "/v5/campaigns/" + "a" * 24 + "/status", {"action": "STOP"}, headers, 404, {})
    )
    assert ("response.status", "$", "undocumented") in gone
    assert ("request.path", "$", "undocumented") in kinds(recorded("GET", "/v5/nowhere", None, AUTH))


def test_a_defect_matches_one_precise_place_only():
    [title_case] = [d for d in known_defects() if d.defect == "v1-title-case-statuses"]
    v = Violation("get_campaign_meta", "response.body", "$[*].campaign_status", "enum", "", "Active")
    assert title_case.covers(v)
    assert not title_case.covers(Violation(v.operation, v.location, v.path, v.kind, "", "DRAFT"))
    assert not title_case.covers(
        Violation(v.operation, "request.body", "$.campaign_fields.status[*]", "enum", "", "Active")
    )
