"""Pre-flight of every write: what it reads, refuses and shows a person before anything is sent.

Each write tool's own module reads what its action would touch and returns a `Preflight`: the
summary a person approves or declines, the problem that refuses the call outright, and a
fingerprint of the state the summary describes. The summary names the campaign's last update, so
an approval (or a confirmation token) given for one state of the campaign cannot be spent on
another. The helpers here are what every pre-flight shares.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from typing import Any

from ...api import MoEngageClient, MoEngageError
from ...api import models as m
from ...api.enums import Status
from ..args import Args
from ..results import minute, text


@dataclass
class Preflight:
    args: Args
    """The call's validated arguments."""
    summary: str
    state: str
    """Fingerprint of the campaign state the summary describes."""
    campaign: m.Campaign | None = None
    problem: str | None = None
    expected: Status | None = None

    @property
    def arguments(self) -> dict[str, Any]:
        """The arguments as JSON values, without the confirmation token (it is not part of what is confirmed)."""
        return self.args.model_dump(mode="json", exclude={"confirmation_token"}, exclude_none=True)

    @property
    def campaign_id(self) -> str | None:
        return self.campaign.id if self.campaign else getattr(self.args, "campaign_id", None)


def fingerprint(campaign: m.Campaign | None, *extra: Any) -> str:
    parts = (
        [campaign.id, str(campaign.status), str(campaign.updated_at), campaign.version_number]
        if campaign
        else []
    )
    canonical = json.dumps([*parts, *extra], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def printable(value: str) -> str:
    """`value` without control, format (bidi, zero-width) or line/paragraph separator characters, so a
    campaign name cannot add lines to, or reorder, the summary a person approves."""
    return "".join(
        " " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
        for c in value
        if unicodedata.category(c) != "Cf"
    )


def describe(campaign: m.Campaign) -> str:
    name = json.dumps(printable(campaign.name or "(unnamed)")[:120], ensure_ascii=False)
    updated = minute(campaign.updated_at) or "unknown"
    return (
        f"campaign {name} (id {campaign.id}; {text(campaign.channel)}, {text(campaign.campaign_delivery_type)}, "
        f"last updated {updated} UTC)"
    )


async def reach_line(api: MoEngageClient, campaign: m.Campaign) -> str | None:
    """'Reach: about N users' from meta, when MoEngage has an estimate; never blocks a write."""
    request = m.MetaRequest(campaign_fields=m.MetaFields(id=campaign.id, status=list(Status)), limit=1)
    try:
        rows = await api.get_meta(request)
    except MoEngageError:
        return None
    reach = rows[0].reachability_details if rows else None
    if reach is None or reach.count is None:
        return None
    return f"Reach: about {reach.count:,} users (MoEngage estimate of {minute(reach.last_updated_time)} UTC)."
