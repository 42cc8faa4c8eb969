"""When and how a campaign is delivered: `scheduling_details`, `delivery_controls`, `advanced`,
`conversion_goal_details`, `control_group_details`, `utm_params`, `campaign_audience_limit`.

Schemas: campaigns-v5.yaml; rules: audience-scheduling-delivery-reference.mdx. Where the page and
the OpenAPI file disagree on an enum (iOS `interruption_level`), the OpenAPI file wins.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, StrictFloat, StrictInt, WithJsonSchema
from pydantic_core import PydanticCustomError

from .base import Component, IsoDateTime, Problem, not_allowed, parse_time, required_when

Day = Literal["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
TIMED = ("AT_FIXED_TIME", "SEND_IN_BTS", "SEND_IN_USER_TIMEZONE")
"""Delivery types that send at `start_time`."""


class MonthWeekDays(Component):
    week_granularity: Literal["FIRST", "SECOND", "THIRD", "FOURTH", "LAST"] | None = None
    repeat_on_days_of_week: list[Day] | None = None


class PeriodicDetails(Component):
    """Required for PERIODIC campaigns. repeat_on_date_of_month and repeat_on_days_of_week_for_month go with
    MONTHLY, repeat_on_days_of_week with WEEKLY or MONTHLY."""

    sending_frequency: Literal["DAILY", "WEEKLY", "MONTHLY"] | None = None
    repeat_frequency: Annotated[int, Field(ge=1)] | None = None
    no_of_occurences: Annotated[int, Field(ge=1)] | None = None
    repeat_on_date_of_month: list[Annotated[int, Field(ge=1, le=31)]] | None = None
    repeat_on_days_of_week: list[Day] | None = None
    repeat_on_days_of_week_for_month: list[MonthWeekDays] | None = None

    def _problems(self) -> Iterator[Problem]:
        frequency = self.sending_frequency
        if frequency is None:
            return
        for field in ("repeat_on_date_of_month", "repeat_on_days_of_week_for_month"):
            if self.present(field) and frequency != "MONTHLY":
                yield not_allowed(field, f"it is used with sending_frequency MONTHLY, not {frequency}")
        if self.present("repeat_on_days_of_week") and frequency == "DAILY":
            yield not_allowed(
                "repeat_on_days_of_week", "it is used with sending_frequency WEEKLY or MONTHLY, not DAILY"
            )


class BtsDetails(Component):
    send_in_bts: bool | None = None
    if_user_bts_is_not_available: str | None = None
    if_user_bts_outside_time_window: str | None = None
    window_end_time: str | None = None


class UserTimezoneDetails(Component):
    send_in_user_timezone: bool | None = None
    send_if_user_timezone_has_passed: bool | None = None


class TimeBound(Component):
    start_time: IsoDateTime | None = None
    end_time: IsoDateTime | None = None

    def _problems(self) -> Iterator[Problem]:
        start, end = parse_time(self.start_time), parse_time(self.end_time)
        if start is not None and end is not None and end <= start:
            yield "end_time", "must be after start_time"


class GeoFenceTimeLimit(Component):
    """For LOCATION_TRIGGERED campaigns; LIMITED_TIME needs timebounds."""

    notification_schedule: Literal["ALWAYS", "LIMITED_TIME"] | None = None
    timebounds: list[TimeBound] | None = None

    def _problems(self) -> Iterator[Problem]:
        if self.notification_schedule == "LIMITED_TIME":
            yield from required_when(self, "notification_schedule is LIMITED_TIME", "timebounds")


class SchedulingDetails(Component):
    """AT_FIXED_TIME, SEND_IN_BTS and SEND_IN_USER_TIMEZONE need start_time (ISO 8601, no zone); SEND_IN_BTS
    needs bts_details, SEND_IN_USER_TIMEZONE user_timezone_details; expiry_time is after start_time.
    PERIODIC campaigns use AT_FIXED_TIME with periodic_details. Once published, delivery_type cannot change,
    nor start_time while the campaign is ACTIVE."""

    delivery_type: Literal["ASAP", "AT_FIXED_TIME", "SEND_IN_BTS", "SEND_IN_USER_TIMEZONE"] | None = None
    start_time: IsoDateTime | None = None
    expiry_time: IsoDateTime | None = None
    periodic_details: PeriodicDetails | None = None
    bts_details: BtsDetails | None = None
    user_timezone_details: UserTimezoneDetails | None = None
    geo_fence_timelimit: GeoFenceTimeLimit | None = None

    def _problems(self) -> Iterator[Problem]:
        kind = self.delivery_type
        if kind in TIMED:
            yield from required_when(self, f"delivery_type is {kind}", "start_time")
        if kind == "SEND_IN_BTS":
            yield from required_when(self, "delivery_type is SEND_IN_BTS", "bts_details")
        if kind == "SEND_IN_USER_TIMEZONE":
            yield from required_when(self, "delivery_type is SEND_IN_USER_TIMEZONE", "user_timezone_details")
        if self.periodic_details is not None and kind != "AT_FIXED_TIME":
            yield (
                "delivery_type",
                "must be AT_FIXED_TIME with periodic_details (periodic campaigns send at fixed times)",
            )
        start, expiry = parse_time(self.start_time), parse_time(self.expiry_time)
        if start is not None and expiry is not None and expiry <= start:
            yield "expiry_time", "must be after start_time"


class EmailDeliveryControls(Component):
    bypass_dnd: bool | None = None
    campaign_throttle_rpm: int | None = None
    count_for_frequency_capping: bool | None = None
    ignore_frequency_capping: bool | None = None
    minimum_delay_between_two_notification_in_hour: int | None = None


class PushDeliveryControls(EmailDeliveryControls):
    """bypass_dnd is required for EVENT_TRIGGERED campaigns; campaign_throttle_rpm does not apply to EVENT_,
    DEVICE_ and LOCATION_TRIGGERED ones. Queuing is flag-gated and not for DEVICE_ or LOCATION_TRIGGERED:
    queuing_enabled true needs queue_duration 1-48, false 0."""

    max_time_to_show_message_of_same_camapign: str | None = None
    expiry_time_of_sync_data_in_hour: str | None = None
    send_message_in_offline_mode: bool | None = None
    send_limit_value: str | None = None
    send_limit_granularity_in_hours: str | None = None
    ignore_global_minimum_delay: bool | None = None
    queuing_enabled: bool | None = None
    queue_duration: Annotated[int, Field(ge=0, le=48)] | None = None

    def _problems(self) -> Iterator[Problem]:
        if self.queuing_enabled:
            if not self.queue_duration:
                yield "queue_duration", "required (1 to 48 hours) when queuing_enabled is true"
        elif self.queue_duration:
            yield "queue_duration", "must be 0 when queuing_enabled is false or unset"


class ExpirationSettings(Component):
    expire_notification_after_value: int | None = None
    expire_notification_after_type: Literal["HOUR", "DAY"] | None = None
    remove_from_inbox_after_value: int | None = None
    remove_from_inbox_after_type: Literal["DAY"] | None = None


class AndroidPriority(Component):
    send_with_priority: bool | None = None


def _relevance(value: float) -> float:
    if value not in (0, 0.5, 1):
        raise PydanticCustomError("relevance", "must be 0, 0.5 or 1")
    return value


class IosPriority(Component):
    apns_priority: Literal["1", "5", "10"] | None = None
    interruption_level: Literal["PASSIVE", "ACTIVE", "TIME_SENSITIVE", "CRITICAL"] | None = None
    relevance_score: (
        Annotated[StrictInt | StrictFloat, AfterValidator(_relevance), WithJsonSchema({"enum": [0, 0.5, 1]})]
        | None
    ) = None


class PlatformLevelPriority(Component):
    android_specific_priority: AndroidPriority | None = None
    ios_specific_priority: IosPriority | None = None


class AdvancedDetails(Component):
    expiration_settings: ExpirationSettings | None = None
    platform_level_priority: PlatformLevelPriority | None = None


class GoalEventAttribute(Component):
    name: str | None = None
    condition: str | None = None
    data_type: (
        Literal[
            "STRING",
            "DOUBLE",
            "BOOL",
            "NUMBER",
            "GEOPOINT",
            "DATETIME",
            "ARRAY_DOUBLE",
            "ARRAY_STRING",
            "OBJECT",
            "ARRAY_OBJECT",
        ]
        | None
    ) = None
    value: str | None = None
    value1: str | None = None
    negate: bool | None = None
    value_type: str | None = None
    array_filter_type: str | None = None
    filters: list[dict[str, object]] | None = None
    is_case_sensitive: bool | None = None


class Goal(Component):
    goal_name: str | None = None
    goal_event_name: str | None = None
    goal_event_attribute: GoalEventAttribute | None = None
    is_primary_goal: bool | None = None
    revenue_attribute: str | None = None
    revenue_currency: str | None = None


class ConversionGoalDetails(Component):
    attribution_window_in_hours: int | None = None
    goals: list[Goal] | None = None


class ControlGroupDetails(Component):
    """is_campaign_control_group_enabled true needs campaign_control_group_percentage."""

    is_campaign_control_group_enabled: bool | None = None
    campaign_control_group_percentage: Annotated[int, Field(ge=0, le=100)] | None = None
    is_global_control_group_enabled: bool | None = None

    def _problems(self) -> Iterator[Problem]:
        if self.is_campaign_control_group_enabled:
            yield from required_when(
                self, "is_campaign_control_group_enabled is true", "campaign_control_group_percentage"
            )


UTM_STANDARD = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
UTM_MAX_CUSTOM = 5


class UtmParams(Component):
    """The five standard keys, plus up to five custom `utm_`-prefixed keys (`utm_custom` is one of them)."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, str] = Field(init=False)

    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_term: str | None = None
    utm_content: str | None = None
    utm_custom: str | None = None

    def _problems(self) -> Iterator[Problem]:
        given = {name for name in type(self).model_fields if getattr(self, name) is not None}
        given |= set(self.__pydantic_extra__ or {})
        custom = sorted(given.difference(UTM_STANDARD))
        for key in custom:
            if not key.startswith("utm_"):
                yield key, "custom UTM keys must start with utm_"
        if len(custom) > UTM_MAX_CUSTOM:
            yield (
                "",
                f"at most {UTM_MAX_CUSTOM} custom UTM parameters, got {len(custom)}: {', '.join(custom)}",
            )
        if given:
            yield from required_when(self, "UTM parameters are used", "utm_source", "utm_medium")


class CampaignAudienceLimit(Component):
    """Flag-gated. Enabled: limit, plus metric and frequency except on ONE_TIME campaigns (limit only);
    disabled: none of the three. frequency INSTANCE is for PERIODIC PUSH only."""

    is_campaign_audience_limit_enabled: bool | None = None
    metric: Literal["SENT"] | None = None
    frequency: Literal["TOTAL", "INSTANCE"] | None = None
    limit: Annotated[int, Field(ge=1, le=9_999_999_999)] | None = None

    def _problems(self) -> Iterator[Problem]:
        if self.is_campaign_audience_limit_enabled:
            yield from required_when(self, "is_campaign_audience_limit_enabled is true", "limit")
            return
        for field in ("metric", "frequency", "limit"):
            if self.present(field):
                yield not_allowed(field, "is_campaign_audience_limit_enabled is not true")
