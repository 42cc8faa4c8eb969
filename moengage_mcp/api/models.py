"""Pydantic models of the MoEngage Campaigns API (V1 and V5) requests and responses.

Response models accept unknown fields and unknown enum values (MoEngage adds both over time);
request models are strict, so a malformed request fails here, before it reaches the API.
These models are the single source the MCP tool schemas are built from.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    field_validator,
    model_validator,
)

from .enums import (
    META_DELIVERY_TYPES,
    META_FILTER_STATUSES,
    SEARCH_DELIVERY_TYPES,
    V5_META_DELIVERY_TYPES,
    Action,
    AttributionType,
    Channel,
    DeliveryType,
    ExecutionStatus,
    MetricType,
    Platform,
    PreviewIdentifier,
    Status,
    TestIdentifier,
    TestSendStatus,
)

PAGE_SIZE = 15
"""The API's largest page for search, meta and executions."""
STATS_PAGE_SIZE = 10
STATS_MAX_CAMPAIGNS = 10
STATS_MAX_DAYS = 30
TEST_MAX_RECIPIENTS = 10


def _lower(value: str) -> str:
    return value.lower()


CampaignId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[0-9a-fA-F]{24}$"),
    AfterValidator(_lower),
]
"""A campaign id: 24 hex characters (the pattern says so in every schema)."""


def _parse_time(value: Any) -> Any:
    """Accept the API's "YYYY-MM-DD HH:MM:SS.ffffff" and ISO forms; leave anything else to the union."""
    if isinstance(value, str) and value.strip():
        try:
            return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


ApiTime = Annotated[dt.datetime | str | None, Field(union_mode="left_to_right"), BeforeValidator(_parse_time)]
"""A timestamp as the API sends it (UTC, no zone); kept as text when it is not a timestamp."""

OpenStatus = Annotated[Status | str, Field(union_mode="left_to_right")]
OpenChannel = Annotated[Channel | str, Field(union_mode="left_to_right")]
OpenDeliveryType = Annotated[DeliveryType | str, Field(union_mode="left_to_right")]
OpenPlatform = Annotated[Platform | str, Field(union_mode="left_to_right")]


class ApiModel(BaseModel):
    """Base of response models: tolerant of fields the API adds.

    Models here build their validators on first use (`defer_build`), not at import: most are not
    needed to answer tools/list (start-up went from 1.15x to 1.08x the floor server's)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


class RequestModel(BaseModel):
    """Base of request models: strict about the fields this client sends."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)

    def body(self) -> dict[str, Any]:
        """The JSON body to send: enum values, no unset optionals."""
        return self.model_dump(mode="json", exclude_none=True)


# --------------------------------------------------------------------------- campaign documents


class BasicDetails(ApiModel):
    name: str | None = None
    platforms: list[OpenPlatform] = []
    tags: list[str] = []
    team: str | None = None
    content_type: str | None = None


class PushBasicDetails(ApiModel):
    title: str | None = None
    message: str | None = None
    summary: str | None = None
    image_url: str | None = None
    default_click_action: str | None = None
    default_click_action_value: str | None = None
    redirect_url: str | None = None
    """Web push: where a click goes."""

    @property
    def click_target(self) -> str | None:
        return self.default_click_action_value or self.redirect_url


class PushPlatformContent(ApiModel):
    template_type: str | None = None
    custom_template_id: str | None = None
    basic_details: PushBasicDetails | None = None
    buttons: list[dict[str, Any]] = []


class PushContent(ApiModel):
    android: PushPlatformContent | None = None
    ios: PushPlatformContent | None = None
    web: PushPlatformContent | None = None

    def platforms(self) -> dict[str, PushPlatformContent]:
        return {
            name: value for name in ("android", "ios", "web") if (value := getattr(self, name)) is not None
        }


class EmailContent(ApiModel):
    subject: str | None = None
    preview_text: str | None = None
    sender_name: str | None = None
    from_address: str | None = None
    reply_to_address: str | None = None
    html_content: str | None = None
    custom_template_id: str | None = None
    email_editor: str | None = None


class SmsContent(ApiModel):
    message: str | None = None
    template_id: str | None = None
    custom_template_id: str | None = None


class ContentBlock(ApiModel):
    """The message of one locale and variation, whichever channel it is for."""

    locale: str = "default"
    variation: str = "variation_1"
    push: PushContent | None = None
    email: EmailContent | None = None
    sms: SmsContent | None = None


class VariationDetails(ApiModel):
    distribution_type: str | None = None
    no_of_variations: int | None = None
    manual_distribution_percentage: dict[str, int] | None = None


_CHANNEL_KEYS = ("push", "email", "sms", "whatsapp")
"""Keys of the flat content shape (any channel MoEngage answers with, written or not)."""


class CampaignContent(ApiModel):
    """`campaign_content`: flat `{content: {push: ...}}` or keyed `content[locale][variation]`."""

    locales: list[str] = []
    variation_details: VariationDetails | None = None
    content: dict[str, Any] = {}

    def blocks(self) -> list[ContentBlock]:
        """Every locale/variation block, flat shape reported as default/variation_1."""
        if any(key in self.content for key in _CHANNEL_KEYS):
            return [ContentBlock.model_validate(self.content)]
        return list(self._keyed_blocks())

    def _keyed_blocks(self) -> Iterator[ContentBlock]:
        for locale, variations in self.content.items():
            if not isinstance(variations, dict):
                continue
            for variation, payload in variations.items():
                if isinstance(payload, dict):
                    yield ContentBlock.model_validate({**payload, "locale": locale, "variation": variation})


class PeriodicDetails(ApiModel):
    sending_frequency: str | None = None
    repeat_frequency: int | None = None
    no_of_occurences: int | None = None
    repeat_on_days_of_week: list[str] | None = None
    repeat_on_date_of_month: list[int] | None = None


class SchedulingDetails(ApiModel):
    delivery_type: str | None = None
    start_time: ApiTime = None
    expiry_time: ApiTime = None
    schedule_time: ApiTime = None
    time_zone: str | None = None
    periodic_details: PeriodicDetails | None = None

    def in_utc(self, value: Any) -> dt.datetime | None:
        """A schedule time as naive UTC. The API interprets zone-less times in `time_zone`
        ("the resolved IANA time zone the schedule is interpreted in"), UTC when it names none."""
        if not isinstance(value, dt.datetime):
            return None
        return naive_utc(value if value.tzinfo else value.replace(tzinfo=_zone(self.time_zone)))

    @property
    def start_utc(self) -> dt.datetime | None:
        return self.in_utc(self.start_time or self.schedule_time)

    @property
    def expiry_utc(self) -> dt.datetime | None:
        return self.in_utc(self.expiry_time)


def naive_utc(value: dt.datetime) -> dt.datetime:
    """`value` as naive UTC, so any two times compare; a time without a zone is taken as UTC already."""
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None) if value.tzinfo else value


def _zone(name: str | None) -> dt.tzinfo:
    """The named IANA zone; UTC for none, "UTC" or a name this machine does not know."""
    if not name or name.upper() == "UTC":
        return dt.timezone.utc
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.timezone.utc


class SegmentationDetails(ApiModel):
    included_filters: dict[str, Any] | None = None
    excluded_filters: dict[str, Any] | None = None
    is_all_user_campaign: bool | None = None
    send_campaign_to_opt_out_users: bool | None = None


class DeliveryControls(ApiModel):
    bypass_dnd: bool | None = None
    ignore_frequency_capping: bool | None = None
    count_for_frequency_capping: bool | None = None
    campaign_throttle_rpm: int | None = None


class ControlGroupDetails(ApiModel):
    is_campaign_control_group_enabled: bool | None = None
    campaign_control_group_percentage: int | None = None
    is_global_control_group_enabled: bool | None = None


class Goal(ApiModel):
    goal_name: str | None = None
    goal_event_name: str | None = None
    is_primary_goal: bool | None = None


class ConversionGoalDetails(ApiModel):
    attribution_window_in_hours: int | None = None
    goals: list[Goal] = []


class Connector(ApiModel):
    connector_type: str | None = None
    connector_name: str | None = None


class Campaign(ApiModel):
    """A campaign as `GET /v5/campaigns/{id}` and V5 search return it."""

    id: str
    campaign_id: str | None = None
    version_number: int | None = None
    status: OpenStatus | None = None
    channel: OpenChannel | None = None
    campaign_delivery_type: OpenDeliveryType | None = None
    created_by: str | None = None
    updated_by: str | None = None
    created_at: ApiTime = None
    updated_at: ApiTime = None
    sent_time: ApiTime = None
    flow_id: str | None = None
    flow_name: str | None = None
    parent_id: str | None = None
    basic_details: BasicDetails = BasicDetails()
    campaign_content: CampaignContent | None = None
    trigger_condition: dict[str, Any] | None = None
    segmentation_details: SegmentationDetails | None = None
    scheduling_details: SchedulingDetails | None = None
    delivery_controls: DeliveryControls | None = None
    advanced: dict[str, Any] | None = None
    conversion_goal_details: ConversionGoalDetails | None = None
    control_group_details: ControlGroupDetails | None = None
    utm_params: dict[str, Any] | None = None
    connector: Connector | None = None
    sender_name: str | None = None
    campaign_audience_limit: dict[str, Any] | None = None

    @property
    def name(self) -> str | None:
        return self.basic_details.name

    @property
    def start_time(self) -> dt.datetime | None:
        """When the campaign starts sending (naive UTC), if the schedule says."""
        return self.scheduling_details.start_utc if self.scheduling_details else None


# --------------------------------------------------------------------------- envelopes and errors


class ErrorDetail(ApiModel):
    target: str | None = None
    message: Any = None
    code: str | None = None


class ErrorBody(ApiModel):
    """The `error` object, shared by V1 (`"400 Bad Request"` codes) and V5 (`"VALIDATION_FAILED"` codes)."""

    code: str | None = None
    message: str | None = None
    target: str | None = None
    details: list[ErrorDetail] = []
    request_id: str | None = None


class ErrorEnvelope(ApiModel):
    response_id: str | None = None
    error: ErrorBody


class StatsError(ApiModel):
    """The campaign-stats error shape `{title, description, code}`."""

    title: str
    description: str | None = None
    code: str | None = None


# --------------------------------------------------------------------------- search and meta


SearchDeliveryType = Literal[SEARCH_DELIVERY_TYPES]  # type: ignore[valid-type]
"""A delivery type V5 search filters by; a tool schema built on it offers exactly these."""
MetaDeliveryType = Literal[META_DELIVERY_TYPES]  # type: ignore[valid-type]
"""A delivery type V1 meta filters by."""
MetaStatus = Literal[META_FILTER_STATUSES]  # type: ignore[valid-type]
"""A status V1 meta filters by (and its rows can have)."""
V5MetaDeliveryType = Literal[V5_META_DELIVERY_TYPES]  # type: ignore[valid-type]
"""The one delivery type V5 meta filters by."""
_V1_SPELLING = PlainSerializer(lambda value: value.v1, return_type=str)
"""Sent in V1's spelling (BUSINESS_TRIGGERED); V1 rows answer in it too, and the enum reads it back."""


class CreatedDate(RequestModel):
    from_date: str
    to_date: str


class SearchFields(RequestModel):
    """`campaign_fields` of `POST /v5/campaigns/search` (V5 names: `ids`, `campaign_delivery_type`)."""

    ids: list[str] | None = None
    channels: list[Channel] | None = None
    created_by: list[str] | None = None
    created_date: CreatedDate | None = None
    campaign_delivery_type: list[SearchDeliveryType] | None = None
    name: str | None = None
    status: list[Status] | None = None
    tags: list[str] | None = None
    version_number: int | None = None
    """Only one version of versioned campaigns; omitted, every version."""


class SearchRequest(RequestModel):
    request_id: str | None = None
    campaign_fields: SearchFields | None = None
    include_child_campaigns: bool | None = None
    include_archive_campaigns: bool | None = None
    limit: Annotated[int, Field(ge=1, le=PAGE_SIZE)] = PAGE_SIZE
    page: Annotated[int, Field(ge=1)] = 1


class CampaignList(ApiModel):
    campaigns: list[Campaign] = []


class MetaFields(RequestModel):
    """`campaign_fields` of the V1 meta endpoint (V1 names: `id` is one string, `delivery_type`)."""

    id: str | None = None
    channels: list[Channel] | None = None
    created_by: list[str] | None = None
    created_date: CreatedDate | None = None
    delivery_type: list[Annotated[MetaDeliveryType, _V1_SPELLING]] | None = None
    name: str | None = None
    status: list[Status] | None = None
    tags: list[str] | None = None

    @field_validator("status")
    @classmethod
    def _v1_statuses(cls, value: list[Status] | None) -> list[Status] | None:
        """V1 meta lists no DRAFT or SENDING status, in its filter or its rows, so it has no such rows
        to find: they are left out of the filter (asking for a campaign 'whatever its status' still
        works). A filter of nothing else is refused: V5 meta (`MetaV5Request`) answers for drafts."""
        if not value:
            return value
        kept = [status for status in value if status in META_FILTER_STATUSES]
        if not kept:
            raise ValueError(
                f"V1 meta has no {', '.join(s.value for s in value)} campaigns; it takes "
                f"{', '.join(s.value for s in META_FILTER_STATUSES)} (V5 meta has drafts)"
            )
        return kept


class MetaV5Fields(RequestModel):
    """`campaign_fields` of `POST /v5/campaigns/meta`: V1 meta's names (`id` one string,
    `delivery_type` one value), every V5 status (drafts too) and ISO 8601 creation times."""

    id: str | None = None
    channels: list[Channel] | None = None
    created_by: list[str] | None = None
    created_date: CreatedDate | None = None
    delivery_type: V5MetaDeliveryType | None = None
    name: str | None = None
    status: list[Status] | None = None
    tags: list[str] | None = None


class MetaV5Request(RequestModel):
    request_id: str | None = None
    campaign_fields: MetaV5Fields | None = None
    include_child_campaigns: bool | None = None
    limit: Annotated[int, Field(ge=1, le=PAGE_SIZE)] = PAGE_SIZE
    page: Annotated[int, Field(ge=1)] = 1


class MetaRequest(RequestModel):
    request_id: str | None = None
    campaign_fields: MetaFields | None = None
    include_child_campaigns: bool | None = None
    limit: Annotated[int, Field(ge=1, le=PAGE_SIZE)] = PAGE_SIZE
    page: Annotated[int, Field(ge=1)] = 1


class Reachability(ApiModel):
    count: int | None = None
    last_updated_time: ApiTime = None


class MetaRow(ApiModel):
    campaign_id: str
    version_number: int | None = None
    channel: OpenChannel | None = None
    platform: list[OpenPlatform] = []
    created_by: str | None = None
    campaign_delivery_type: OpenDeliveryType | None = None
    campaign_name: str | None = None
    campaign_team: str | None = None
    campaign_tags: list[str] = []
    campaign_status: OpenStatus | None = None
    campaign_start_time: ApiTime = None
    parent_campaign_id: str | None = None
    total_child_campaigns: int | None = None
    rejection_comment: str | None = None
    """V5 meta: why a review sent the campaign back to DRAFT."""
    reachability_details: Reachability | None = None


class MetaList(ApiModel):
    """`data` of V5 meta."""

    campaigns: list[MetaRow] = []


# --------------------------------------------------------------------------- executions


class ExecutionsRequest(RequestModel):
    request_id: str | None = None
    page: Annotated[int, Field(ge=1)] = 1
    limit: Annotated[int, Field(ge=1, le=PAGE_SIZE)] = PAGE_SIZE


class Execution(ApiModel):
    campaign_id: str
    sent_time: ApiTime = None
    status: Annotated[ExecutionStatus | str | None, Field(union_mode="left_to_right")] = None


class ExecutionsPage(ApiModel):
    executions: list[Execution] = []
    total_instances: int | None = None


# --------------------------------------------------------------------------- writes and validation


class PublishRequest(RequestModel):
    """`PATCH /v5/campaigns/{id}` with the status alone: mixing in components is a 400."""

    status: Literal["PUBLISH"] = "PUBLISH"


class StatusChangeRequest(RequestModel):
    request_id: str | None = None
    action: Action


class ValidateRequest(RequestModel):
    request_id: str | None = None


class PatchAccepted(ApiModel):
    id: str | None = None


class StatusTransition(ApiModel):
    id: str | None = None
    action: Annotated[Action | str | None, Field(union_mode="left_to_right")] = None


class ValidationIssue(ApiModel):
    field: str | None = None
    issue: str | None = None


class ValidationResult(ApiModel):
    valid: bool
    errors: list[ValidationIssue] = []


# --------------------------------------------------------------------------- test sends and preview


class TestCampaignMeta(RequestModel):
    __test__ = False  # not a pytest test class

    identifier: TestIdentifier
    identifier_values: Annotated[
        list[Annotated[str, StringConstraints(min_length=1)]],
        Field(min_length=1, max_length=TEST_MAX_RECIPIENTS),
    ]
    variation: str | None = None
    locale_name: str | None = None
    platform: Platform | None = None
    """Draft mode only (campaigns-v5.yaml: "Applies to draft mode only")."""


class PersonalizationDetails(RequestModel):
    """Attribute values a test send renders with instead of the stored profile's."""

    user_attributes: dict[str, Any] | None = None
    event_attributes: dict[str, Any] | None = None


class TestCampaignRequest(RequestModel):
    """`POST /v5/campaigns/test`: draft mode (`draft_id`) or inline mode (`channel` + `campaign_content`)."""

    __test__ = False

    request_id: str | None = None
    channel: Channel | None = None
    draft_id: CampaignId | None = None
    basic_details: dict[str, Any] | None = None
    connector: dict[str, Any] | None = None
    campaign_content: dict[str, Any] | None = None
    personalization_details: PersonalizationDetails | None = None
    test_campaign_meta: TestCampaignMeta

    @model_validator(mode="after")
    def _one_mode(self) -> TestCampaignRequest:
        """The rules campaigns-v5.yaml states in prose: draft_id is mutually exclusive with channel and
        campaign_content, inline mode needs both, and `platform` applies to draft mode only."""
        if (self.draft_id is None) == (self.campaign_content is None):
            raise ValueError("give either draft_id (a saved draft) or campaign_content (inline), not both")
        if self.draft_id is not None and self.channel is not None:
            raise ValueError("draft_id and channel are mutually exclusive (the draft has its channel)")
        if self.campaign_content is not None and self.channel is None:
            raise ValueError("inline test sends need channel")
        if self.campaign_content is not None and self.test_campaign_meta.platform is not None:
            raise ValueError(
                "test_campaign_meta.platform applies to draft mode only (inline content goes as given)"
            )
        return self


class TestSendResult(ApiModel):
    __test__ = False

    status: Annotated[TestSendStatus | str | None, Field(union_mode="left_to_right")] = None
    failure_reason: str | None = None


class TestCampaignResult(ApiModel):
    __test__ = False

    data: dict[str, TestSendResult] = {}
    message: str | None = None


class UserIdentification(RequestModel):
    type: PreviewIdentifier
    value: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class PreviewRequest(RequestModel):
    request_id: str | None = None
    channel: Literal[Channel.PUSH, Channel.EMAIL, Channel.SMS]
    user_identification: UserIdentification
    campaign_content: dict[str, Any]
    event_attributes: dict[str, str] | None = None


class PreviewResult(ApiModel):
    personalized_content: CampaignContent = Field(default_factory=lambda: CampaignContent())
    """Parsed here, so content of the wrong shape is a malformed response, not a crash in a tool."""


# --------------------------------------------------------------------------- campaign stats


class StatsRequest(RequestModel):
    """`POST /core-services/v1/campaign-stats`. Without `campaign_ids` it asks for every campaign of
    the workspace with stats in the period, a page of `limit` at `offset` (`total_pages` says how many)."""

    request_id: str | None = None
    start_date: dt.date
    end_date: dt.date
    campaign_ids: Annotated[list[str], Field(max_length=STATS_MAX_CAMPAIGNS)] | None = None
    attribution_type: AttributionType = AttributionType.VIEW_THROUGH
    """Required by the API, so always sent (its documented first value by default)."""
    metric_type: MetricType = MetricType.TOTAL
    """Required by the API, so always sent."""
    offset: Annotated[int, Field(ge=0)] | None = None
    limit: Annotated[int, Field(ge=1, le=STATS_PAGE_SIZE)] | None = None

    @model_validator(mode="after")
    def _window(self) -> StatsRequest:
        days = (self.end_date - self.start_date).days
        if not 0 <= days <= STATS_MAX_DAYS:
            raise ValueError(
                f"end_date must be on or after start_date and at most {STATS_MAX_DAYS} days later"
            )
        return self


class PerformanceStats(ApiModel):
    """Counts and rates of one cell, every field stats-report-v1.openapi.yml documents. Which ones a
    cell carries depends on the channel: email has opens, bounces, unsubscribes and complaints; push
    has impressions and clicks; rates are percentages."""

    attempted: int | None = None
    sent: int | None = None
    failed: int | None = None
    delivered: int | None = None
    eligible_users: int | None = None
    successfully_synced: int | None = None
    impression: int | None = None
    click: int | None = None
    closed_click: int | None = None
    opened: int | None = None
    read: int | None = None
    bounced: int | None = None
    hard_bounce: int | None = None
    soft_bounce: int | None = None
    unsubscribe: int | None = None
    complaint: int | None = None
    ctr: float | None = None
    ctor: float | None = None
    """Clicks per open."""
    delivery_rate: float | None = None
    sent_rate: float | None = None
    failure_rate: float | None = None
    open_rate: float | None = None
    read_rate: float | None = None
    unsub_rate: float | None = None
    bounce_rate: float | None = None
    complaints_rate: float | None = None


class GoalStats(ApiModel):
    """One conversion goal's numbers; revenue figures where the goal tracks a revenue attribute."""

    goal_name: str | None = None
    conversions: int | None = None
    total: int | None = None
    unique: int | None = None
    cvr: float | None = None
    uplift: float | None = None
    """Against the campaign control group, in percent."""
    gcg_uplift: float | None = None
    """Against the global control group, in percent."""
    revenue: float | None = None
    average_order_value: float | None = None
    average_revenue_per_user: float | None = None


class DeliveryFunnel(ApiModel):
    """How the audience narrowed from the segment to delivery (push and email steps differ)."""

    total_user_in_segment: int | None = None
    reachable_users_in_segment: int | None = None
    segment_after_uninstall: int | None = None
    user_with_email: int | None = None
    user_with_email_after__h_b: int | None = None
    """Users with an email address after hard-bounced addresses are removed (the API's name)."""
    after_fc: int | None = None
    users_after_dup: int | None = None
    user_after_duplicate_removal: int | None = None
    after_invalid_removal: int | None = None
    after_personalization_removal: int | None = None
    user_devices: int | None = None
    active_device_token: int | None = None
    sent: int | None = None
    delivered: int | None = None
    impressions: int | None = None


class VariationStats(ApiModel):
    performance_stats: PerformanceStats | None = None
    conversion_goal_stats: dict[str, GoalStats] = {}
    delivery_funnel: DeliveryFunnel | None = None
    failure_breakdown: dict[str, int] = {}
    """Users not sent to, by reason (control-group removals among them)."""


class LocaleStats(ApiModel):
    variations: dict[str, VariationStats] = {}
    """By variation name, plus `all_variations` and, beside them, `campaign_control_group` and
    `global_control_group` (the control groups' conversions, that uplift is measured against)."""


class PlatformStats(ApiModel):
    locales: dict[str, LocaleStats] = {}


class CampaignStats(ApiModel):
    platforms: dict[str, PlatformStats] = {}


class StatsResponse(ApiModel):
    response_id: str | None = None
    total_campaigns: int | None = None
    current_page: int | None = None
    total_pages: int | None = None
    data: dict[str, list[CampaignStats]] = {}
