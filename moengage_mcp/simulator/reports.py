"""`GET /campaign_reports/rest_api/{APP_ID}/{FILENAME}`: download a generated campaign report.

MoEngage generates reports on a schedule and keeps each file 7 days; the call is authenticated by
a `Signature` header, SHA256(app id | file name | API key), not Basic auth. The demo workspace has
one report per day for the last ten days (so the oldest have expired): a gzip'd CSV of the stats
of the campaigns that sent in the seven days before it was made, from the same numbers the stats
endpoint answers.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from . import stats
from .envelopes import ApiError

MAX_AGE = timedelta(days=7)
DAYS_KEPT = 10
COLUMNS = (
    "campaign_id",
    "campaign_name",
    "channel",
    "attempted",
    "sent",
    "delivered",
    "impressions",
    "clicks",
)


@dataclass(frozen=True)
class Raw:
    """A success answer that is not JSON (the pipeline sends it as is)."""

    content: bytes
    media_type: str


def report_name(created: datetime) -> str:
    return f"Report_-_Campaign_Performance_{created:%Y%m%d}.zip"


def demo_reports(now: datetime) -> dict[str, datetime]:
    """File name -> creation time: one report a day at 02:00 UTC, the newest first."""
    today = now.replace(hour=2, minute=0, second=0, microsecond=0)
    if today > now:
        today -= timedelta(days=1)
    return {report_name(today - timedelta(days=n)): today - timedelta(days=n) for n in range(DAYS_KEPT)}


def signature(app_id: str, filename: str, api_key: str) -> str:
    return hashlib.sha256(f"{app_id}|{filename}|{api_key}".encode()).hexdigest()


def signed_key(keys: Any, headers: dict[str, str], app_id: str, filename: str) -> str:
    """The API key whose signature the request carries; 401 (empty body) when none matches."""
    sent = headers.get("signature", "")
    for key in keys:
        if sent and sent == signature(app_id, filename, key):
            return key
    raise ApiError(401)


def download(sim: Any, app_id: str, filename: str) -> Raw:
    if app_id != sim.workspace_id:
        raise ApiError(400, "Incorrect App Id", target="APP_ID")
    created = sim.reports.get(filename)
    if created is None:
        raise ApiError(400, "Invalid Report file name", target="FILENAME")
    if sim.now() - created > MAX_AGE:
        raise ApiError(400, "The requested report is older than 7 days and has expired", target="FILENAME")
    return Raw(gzip.compress(_csv(sim, created), mtime=0), "application/gzip")


def _csv(sim: Any, created: datetime) -> bytes:
    end = created.date() - timedelta(days=1)
    query = stats.StatsQuery("report", end - timedelta(days=6), end, None, "VIEW_THROUGH", "TOTAL", 0, 10_000)
    answer = stats.stats_response(sim.campaigns, sim.executions, query, created)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for cid, entries in answer["data"].items():
        doc = sim.campaigns.get(cid) or {}
        for entry in entries:
            perf = [_totals(p) for p in entry["platforms"].values()]
            sums = [
                sum(p.get(k, 0) for p in perf)
                for k in ("attempted", "sent", "delivered", "impression", "click")
            ]
            writer.writerow(
                [cid, (doc.get("basic_details") or {}).get("name", ""), doc.get("channel", ""), *sums]
            )
    return out.getvalue().encode()


def _totals(platform: dict[str, Any]) -> dict[str, int]:
    return platform["locales"]["all_locales"]["variations"]["all_variations"]["performance_stats"]
