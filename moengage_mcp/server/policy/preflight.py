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
from dataclasses import dataclass
from typing import Any

import anyio

from ...api import MoEngageClient, MoEngageError
from ...api import models as m
from ...api.enums import META_FILTER_STATUSES, Status
from ..args import Args
from ..core.text import minute, quoted, text


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
    request: Any = None
    """The API request the summary describes, built once: what is approved is what is sent."""
    attempt_key: str | None = None
    """Set by the write policy before execute: the identity of this attempt, the same when a call
    repeats an action whose outcome stayed unknown (a create derives its request_id from it)."""

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


def describe(campaign: m.Campaign) -> str:
    name = quoted(campaign.name or "(unnamed)")
    updated = minute(campaign.updated_at) or "unknown"
    return (
        f"campaign {name} (id {campaign.id}; {text(campaign.channel)}, {text(campaign.campaign_delivery_type)}, "
        f"last updated {updated} UTC)"
    )


REACH_WAIT = 3.0
"""Seconds a summary waits for MoEngage's reach estimate before saying it is unknown."""


async def reach_line(api: MoEngageClient, campaign: m.Campaign) -> str | None:
    """'Reach: about N users' from meta, when MoEngage has an estimate; it never holds a write up
    for longer than REACH_WAIT."""
    request = m.MetaRequest(
        campaign_fields=m.MetaFields(id=campaign.id, status=list(META_FILTER_STATUSES)), limit=1
    )
    rows: list[m.MetaRow] | None = None
    with anyio.move_on_after(REACH_WAIT):
        try:
            rows = await api.get_meta(request)
        except MoEngageError:
            return None
    if rows is None:
        return f"Reach: unknown (MoEngage's estimate did not come within {REACH_WAIT:g} s)."
    reach = rows[0].reachability_details if rows else None
    if reach is None or reach.count is None:
        return None
    return f"Reach: about {reach.count:,} users (MoEngage estimate of {minute(reach.last_updated_time)} UTC)."
