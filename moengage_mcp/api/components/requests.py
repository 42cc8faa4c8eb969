"""The two authoring requests: create a draft (`POST /v5/campaigns`) and update components
(`PATCH /v5/campaigns/{campaign_id}`), per channel, with the rules that depend on the delivery type.

Schemas: PushCampaignCreateV5Request, EmailCampaignCreateV5Request, PushComponentPatchRequest,
EmailComponentPatchRequest, CampaignDraftCreatedData. A component PATCH never carries `status`
(publishing is `publish_campaign`); mixing the two is a 400 at the API.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import Field

from ..component_names import COMPONENT_NAMES, PushDeliveryType
from ..models import ApiModel, OpenStatus
from .audience import EmailTriggerCondition, PushTriggerCondition, SegmentationDetails
from .base import Component, Email, Problem, Text, not_allowed, required_when
from .content import Connector, EmailBasicDetails, EmailCampaignContent, PushBasicDetails, PushCampaignContent
from .delivery import (
    AdvancedDetails,
    CampaignAudienceLimit,
    ControlGroupDetails,
    ConversionGoalDetails,
    EmailDeliveryControls,
    PushDeliveryControls,
    SchedulingDetails,
    UtmParams,
)

EmailDeliveryType = Literal["ONE_TIME", "PERIODIC", "EVENT_TRIGGERED", "BUSINESS_EVENT_TRIGGERED"]
TRIGGERED = ("EVENT_TRIGGERED", "DEVICE_TRIGGERED", "LOCATION_TRIGGERED")
"""Delivery types with a `trigger_condition` (business events name theirs in basic_details)."""


class _Components(Component):
    """The components both channels share, and the rules tied to the channel and delivery type."""

    segmentation_details: SegmentationDetails | None = None
    scheduling_details: SchedulingDetails | None = None
    conversion_goal_details: ConversionGoalDetails | None = None
    control_group_details: ControlGroupDetails | None = None
    utm_params: UtmParams | None = None
    campaign_audience_limit: CampaignAudienceLimit | None = None

    def components(self) -> list[str]:
        """Names of the components this request carries."""
        return [name for name in COMPONENT_NAMES if getattr(self, name, None) is not None]

    def _problems(self) -> Iterator[Problem]:
        kind: str = self.campaign_delivery_type
        for problems in (self._trigger(kind), self._basics(kind), self._schedule(kind), self._limit(kind)):
            yield from problems

    def _trigger(self, kind: str) -> Iterator[Problem]:
        if self.trigger_condition is not None and kind not in TRIGGERED:
            hint = (
                " (it names its event in basic_details.business_event)"
                if kind == "BUSINESS_EVENT_TRIGGERED"
                else ""
            )
            yield not_allowed(
                "trigger_condition", f"it applies to {', '.join(TRIGGERED)} campaigns, not {kind}{hint}"
            )

    def _basics(self, kind: str) -> Iterator[Problem]:
        basic = self.basic_details
        if basic is not None and kind == "BUSINESS_EVENT_TRIGGERED":
            yield from _needed("basic_details", basic, kind, "business_event")

    def _schedule(self, kind: str) -> Iterator[Problem]:
        schedule = self.scheduling_details
        if schedule is None:
            return
        if kind == "PERIODIC":
            yield from _needed("scheduling_details", schedule, kind, "periodic_details")
        elif schedule.periodic_details is not None:
            yield not_allowed(
                "scheduling_details.periodic_details", f"only PERIODIC campaigns repeat, this one is {kind}"
            )

    def _limit(self, kind: str) -> Iterator[Problem]:
        limit = self.campaign_audience_limit
        if limit is None:
            return
        if kind == "BROADCAST_LIVE_ACTIVITY":
            yield not_allowed("campaign_audience_limit", "it is not supported for BROADCAST_LIVE_ACTIVITY")
        elif kind == "ONE_TIME":
            for field in ("metric", "frequency"):
                if limit.present(field):
                    yield not_allowed(
                        f"campaign_audience_limit.{field}", "ONE_TIME campaigns take only limit"
                    )
        elif limit.is_campaign_audience_limit_enabled:
            yield from _under(
                "campaign_audience_limit",
                required_when(
                    limit,
                    f"is_campaign_audience_limit_enabled is true on a {kind} campaign",
                    "metric",
                    "frequency",
                ),
            )
        if limit.frequency == "INSTANCE" and (kind != "PERIODIC" or self.channel != "PUSH"):
            yield not_allowed(
                "campaign_audience_limit.frequency", "INSTANCE is for PERIODIC PUSH campaigns only; use TOTAL"
            )


def _under(prefix: str, problems: Iterator[Problem]) -> Iterator[Problem]:
    for path, message in problems:
        yield f"{prefix}.{path}" if path else prefix, message


def _needed(name: str, component: Component, kind: str, *fields: str) -> Iterator[Problem]:
    """The `fields` a `kind` campaign needs in its component `name`, where they are missing."""
    return _under(name, required_when(component, f"the campaign is {kind}", *fields))


class _PushComponents(_Components):
    basic_details: PushBasicDetails | None = None
    campaign_content: PushCampaignContent | None = None
    trigger_condition: PushTriggerCondition | None = None
    delivery_controls: PushDeliveryControls | None = None
    advanced: AdvancedDetails | None = None

    def _basics(self, kind: str) -> Iterator[Problem]:
        yield from super()._basics(kind)
        basic = self.basic_details
        if basic is None:
            return
        if kind == "LOCATION_TRIGGERED":
            yield from _needed("basic_details", basic, kind, "geofences")
        if basic.broadcast_live_activity_id is not None and kind != "BROADCAST_LIVE_ACTIVITY":
            yield not_allowed(
                "basic_details.broadcast_live_activity_id", "only BROADCAST_LIVE_ACTIVITY campaigns have one"
            )

    def _problems(self) -> Iterator[Problem]:
        yield from super()._problems()
        controls, kind = self.delivery_controls, self.campaign_delivery_type
        if controls is None:
            return
        if kind == "EVENT_TRIGGERED":
            yield from _needed("delivery_controls", controls, kind, "bypass_dnd")
        if kind in TRIGGERED and controls.campaign_throttle_rpm is not None:
            yield not_allowed(
                "delivery_controls.campaign_throttle_rpm", f"it is not applicable to {kind} campaigns"
            )
        if kind in ("DEVICE_TRIGGERED", "LOCATION_TRIGGERED"):
            for field in ("queuing_enabled", "queue_duration"):
                if controls.present(field):
                    yield not_allowed(
                        f"delivery_controls.{field}", f"queuing is not supported for {kind} campaigns"
                    )


class _EmailComponents(_Components):
    basic_details: EmailBasicDetails | None = None
    campaign_content: EmailCampaignContent | None = None
    trigger_condition: EmailTriggerCondition | None = None
    delivery_controls: EmailDeliveryControls | None = None
    connector: Connector | None = None


class PushCreateRequest(_PushComponents):
    """Create a PUSH draft: only channel, campaign_delivery_type and created_by are required."""

    request_id: Text | None = None
    channel: Literal["PUSH"]
    campaign_delivery_type: PushDeliveryType
    created_by: Email


class EmailCreateRequest(_EmailComponents):
    """Create an EMAIL draft: channel, campaign_delivery_type, created_by and connector are required."""

    request_id: Text | None = None
    channel: Literal["EMAIL"]
    campaign_delivery_type: EmailDeliveryType
    created_by: Email
    connector: Connector


class _Update:
    """Mixin of both update requests: at least one component, never a status."""

    def _problems(self) -> Iterator[Problem]:
        yield from super()._problems()
        if not self.components():
            yield "", f"give at least one component to update: {', '.join(COMPONENT_NAMES)}"


class PushUpdateRequest(_Update, _PushComponents):
    """Replace whole components of a PUSH campaign; channel and delivery type say which schemas apply."""

    request_id: Text | None = None
    channel: Literal["PUSH"]
    campaign_delivery_type: PushDeliveryType | Literal["BROADCAST_LIVE_ACTIVITY"]
    updated_by: Email
    version_note: str | None = None


class EmailUpdateRequest(_Update, _EmailComponents):
    """Replace whole components of an EMAIL campaign; channel and delivery type say which schemas apply."""

    request_id: Text | None = None
    channel: Literal["EMAIL"]
    campaign_delivery_type: EmailDeliveryType
    updated_by: Email
    version_note: str | None = None


CreateRequest = Annotated[PushCreateRequest | EmailCreateRequest, Field(discriminator="channel")]
UpdateRequest = Annotated[PushUpdateRequest | EmailUpdateRequest, Field(discriminator="channel")]


class DraftCreated(ApiModel):
    """`data` of a 201 from `POST /v5/campaigns`: the new draft's raw id."""

    id: str
    status: OpenStatus | None = None
