"""The documented campaign state machine, so forbidden actions are refused before any request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .enums import Action, Channel, DeliveryType, Status
from .models import Campaign, naive_utc

WRITABLE_CHANNELS = frozenset({Channel.PUSH, Channel.EMAIL})
"""The status, update and test endpoints support Push and Email only."""


@dataclass(frozen=True)
class Transition:
    delivery_types: frozenset[DeliveryType]
    from_statuses: frozenset[Status]
    to_status: Status


TRANSITIONS: dict[Action, Transition] = {
    Action.STOP: Transition(
        frozenset({DeliveryType.ONE_TIME}),
        frozenset({Status.ACTIVE, Status.SCHEDULED, Status.PAUSED, Status.SENDING}),
        Status.STOPPED,
    ),
    Action.PAUSE: Transition(
        frozenset({DeliveryType.PERIODIC, DeliveryType.EVENT_TRIGGERED}),
        frozenset({Status.ACTIVE, Status.SCHEDULED, Status.SENDING}),
        Status.PAUSED,
    ),
    Action.RESUME: Transition(
        frozenset({DeliveryType.PERIODIC, DeliveryType.EVENT_TRIGGERED}),
        frozenset({Status.PAUSED}),
        Status.ACTIVE,
    ),
}


def _names(values: frozenset[Status] | frozenset[DeliveryType]) -> str:
    return ", ".join(sorted(v.value for v in values))


def transition_problem(campaign: Campaign, action: Action) -> str | None:
    """Why `action` is not allowed on `campaign` by the documented rules, or None if it is."""
    rule = TRANSITIONS[action]
    if campaign.channel not in WRITABLE_CHANNELS:
        return (
            f"{action.value} is supported for PUSH and EMAIL campaigns only; this one is {campaign.channel}"
        )
    if campaign.campaign_delivery_type not in rule.delivery_types:
        return (
            f"{action.value} applies to {_names(rule.delivery_types)} campaigns; "
            f"this one is {campaign.campaign_delivery_type}"
        )
    if campaign.status not in rule.from_statuses:
        return f"{action.value} needs status {_names(rule.from_statuses)}; the campaign is {campaign.status}"
    return None


def publish_problem(campaign: Campaign) -> str | None:
    """Why publishing `campaign` is not allowed before validation, or None."""
    if campaign.channel not in WRITABLE_CHANNELS:
        return (
            f"Only PUSH and EMAIL campaigns can be published through the API; this one is {campaign.channel}"
        )
    if campaign.status is not Status.DRAFT:
        return f"Only DRAFT campaigns can be published; this one is {campaign.status}"
    return None


def publish_target(campaign: Campaign, now: dt.datetime) -> Status:
    """The status a published draft is expected to reach: SCHEDULED for a future start, else ACTIVE."""
    start = campaign.start_time
    if start is not None and start > naive_utc(now):
        return Status.SCHEDULED
    return Status.ACTIVE
