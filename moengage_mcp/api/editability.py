"""Which components a campaign's state lets an update change, so `update_campaign` is refused up
front rather than by the API.

The documented rules (Update Campaign reference, "Update restrictions by campaign state", and the
V5 FAQ): DRAFT - everything; SCHEDULED - everything but the scheduling type; ACTIVE - everything
but `trigger_condition`, `segmentation_details`, `conversion_goal_details`, the scheduling type
and the scheduling start date; STOPPED and ARCHIVED - nothing. Not documented, decided here (and
in the simulator): PAUSED and SENDING campaigns are live, so they follow the ACTIVE rules; SENT
(nothing left to deliver) and RETIRED (an old version) campaigns follow the STOPPED rules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .components import EmailUpdateRequest, PushUpdateRequest
from .components.base import parse_time
from .enums import Status
from .lifecycle import WRITABLE_CHANNELS
from .models import Campaign, SchedulingDetails, naive_utc

LOCKED_WHILE_LIVE = ("trigger_condition", "segmentation_details", "conversion_goal_details")
LIVE = frozenset({Status.ACTIVE, Status.PAUSED, Status.SENDING})
FROZEN = frozenset({Status.STOPPED, Status.ARCHIVED, Status.SENT, Status.RETIRED})


def update_problems(campaign: Campaign, request: PushUpdateRequest | EmailUpdateRequest) -> list[str]:
    """Why `request` may not be applied to `campaign` as it is now; empty when it may."""
    if campaign.channel not in WRITABLE_CHANNELS:
        return [
            f"only PUSH and EMAIL campaigns can be updated through the API; this one is {campaign.channel}"
        ]
    problems = [
        f"{key} {getattr(request, key)} does not match the campaign's {getattr(campaign, key)}"
        for key in ("channel", "campaign_delivery_type")
        if str(getattr(request, key)) != str(getattr(campaign, key))
    ]
    status = campaign.status
    if status in FROZEN:
        return [*problems, f"a {status} campaign cannot be updated at all"]
    if status in LIVE:
        problems += [
            f"{key} cannot be changed while the campaign is {status}"
            for key in LOCKED_WHILE_LIVE
            if getattr(request, key) is not None
        ]
    if status is not Status.DRAFT and request.scheduling_details is not None:
        problems += _schedule_problems(campaign.scheduling_details or SchedulingDetails(), request, status)
    return problems


def _schedule_problems(
    current: SchedulingDetails, request: PushUpdateRequest | EmailUpdateRequest, status: Any
) -> list[str]:
    new = request.scheduling_details
    assert new is not None
    problems = []
    before = (
        "AT_FIXED_TIME" if current.delivery_type == "SCHEDULED" else current.delivery_type
    )  # GET's resolved form
    if new.delivery_type != before:
        problems.append(
            f"the scheduling type (scheduling_details.delivery_type) cannot change from {before} to "
            f"{new.delivery_type} once the campaign is published; it is {status}"
        )
    if status in LIVE and parse_time(new.start_time) != _naive(current.start_time or current.schedule_time):
        problems.append(
            f"the scheduling start (scheduling_details.start_time) cannot change while the campaign is "
            f"{status}; keep {current.start_time or current.schedule_time}"
        )
    return problems


def _naive(value: Any) -> dt.datetime | None:
    return naive_utc(value) if isinstance(value, dt.datetime) else None
