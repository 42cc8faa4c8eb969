"""Enumerations of the MoEngage Campaigns API.

V1 answers in title case ("Active", "Retired") and V5 in upper case ("ACTIVE"); every enum
here accepts either spelling (and spaces for underscores, and V1's own names such as
BUSINESS_TRIGGERED) so the rest of the code sees one form.

Each endpoint accepts its own subset of these values (MoEngage's published files list them per
operation): the `*_STATUSES` / `*_DELIVERY_TYPES` tuples below are those subsets, for request
models to enforce and tool schemas to offer.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

V1_SPELLINGS = {"BUSINESS_TRIGGERED": "BUSINESS_EVENT_TRIGGERED"}
"""V1 names of values V5 spells otherwise (campaigns-v1.yaml, meta request and response)."""


class ApiEnum(str, Enum):
    """A string enum that normalises case and spacing on lookup."""

    @classmethod
    def _missing_(cls, value: Any) -> ApiEnum | None:
        if not isinstance(value, str):
            return None
        key = value.strip().upper().replace(" ", "_").replace("-", "_")
        key = V1_SPELLINGS.get(key, key)
        for member in cls:
            if key in (member.name, member.value.upper().replace(" ", "_")):
                return member
        return None

    def __str__(self) -> str:
        return self.value


class Channel(ApiEnum):
    PUSH = "PUSH"
    EMAIL = "EMAIL"
    SMS = "SMS"
    WHATSAPP = "WHATSAPP"
    FACEBOOK = "FACEBOOK"
    GOOGLE_ADS = "GOOGLE ADS"
    CONNECTORS = "CONNECTORS"


class DeliveryType(ApiEnum):
    ONE_TIME = "ONE_TIME"
    PERIODIC = "PERIODIC"
    EVENT_TRIGGERED = "EVENT_TRIGGERED"
    BUSINESS_EVENT_TRIGGERED = "BUSINESS_EVENT_TRIGGERED"
    DEVICE_TRIGGERED = "DEVICE_TRIGGERED"
    LOCATION_TRIGGERED = "LOCATION_TRIGGERED"
    BROADCAST_LIVE_ACTIVITY = "BROADCAST_LIVE_ACTIVITY"

    @property
    def v1(self) -> str:
        """The value as V1 spells it."""
        return next((v1 for v1, v5 in V1_SPELLINGS.items() if v5 == self.value), self.value)


SEARCH_DELIVERY_TYPES = tuple(t for t in DeliveryType if t is not DeliveryType.BROADCAST_LIVE_ACTIVITY)
"""`POST /v5/campaigns/search` `campaign_fields.campaign_delivery_type`: no BROADCAST_LIVE_ACTIVITY."""
META_DELIVERY_TYPES = (
    DeliveryType.ONE_TIME,
    DeliveryType.PERIODIC,
    DeliveryType.EVENT_TRIGGERED,
    DeliveryType.BUSINESS_EVENT_TRIGGERED,
)
"""`POST /core-services/v1/campaigns/meta` `campaign_fields.delivery_type` (sent in V1 spelling)."""
V5_META_DELIVERY_TYPES = SEARCH_DELIVERY_TYPES
"""`POST /v5/campaigns/meta` `campaign_fields.delivery_type` (one value, not a list)."""


class Status(ApiEnum):
    DRAFT = "DRAFT"
    SCHEDULED = "SCHEDULED"
    ACTIVE = "ACTIVE"
    SENDING = "SENDING"
    PAUSED = "PAUSED"
    SENT = "SENT"
    STOPPED = "STOPPED"
    ARCHIVED = "ARCHIVED"
    RETIRED = "RETIRED"


SEARCH_STATUSES = tuple(Status)
"""`POST /v5/campaigns/search` `campaign_fields.status`: every status."""
META_STATUSES = (Status.SCHEDULED, Status.ACTIVE, Status.PAUSED, Status.SENT, Status.STOPPED)
"""V1 meta's default filter: its statuses without the retired and archived ones."""
META_FILTER_STATUSES = (*META_STATUSES, Status.RETIRED, Status.ARCHIVED)
"""`POST /core-services/v1/campaigns/meta` `campaign_fields.status` (and the statuses its rows can
have): no DRAFT, no SENDING. Drafts are in V5 meta (`V5_META_STATUSES`)."""
V5_META_STATUSES = tuple(Status)
"""`POST /v5/campaigns/meta` `campaign_fields.status`: every status, DRAFT included."""


class Action(ApiEnum):
    # lifecycle actions of PATCH /v5/campaigns/{id}/status (a comment, not a docstring: it would
    # otherwise be copied into every tool schema that uses the enum)

    PAUSE = "PAUSE"
    RESUME = "RESUME"
    STOP = "STOP"


class Platform(ApiEnum):
    ANDROID = "ANDROID"
    IOS = "IOS"
    WEB = "WEB"


class ExecutionStatus(ApiEnum):
    SENT = "SENT"
    SENDING = "SENDING"
    SCHEDULED = "SCHEDULED"
    FAILED = "FAILED"


class TestIdentifier(ApiEnum):
    # recipient identifier types of a test send, push and email sets together
    __test__ = False  # not a pytest test class

    USER_ATTRIBUTE_UNIQUE_ID = "USER_ATTRIBUTE_UNIQUE_ID"
    USER_ATTRIBUTE_USER_EMAIL = "USER_ATTRIBUTE_USER_EMAIL"
    USER_ATTRIBUTE_USER_MOBILE = "USER_ATTRIBUTE_USER_MOBILE"
    MOE_GAID = "MOE_GAID"
    ADVERTISING_IDENTIFIER = "ADVERTISING_IDENTIFIER"
    PUSH_ID = "PUSH_ID"
    CUSTOM_SEGMENT = "CUSTOM_SEGMENT"
    EMAIL = "EMAIL"
    ID = "ID"
    MOBILE_NUMBER = "MOBILE_NUMBER"


PUSH_TEST_IDENTIFIERS = frozenset(
    {
        TestIdentifier.USER_ATTRIBUTE_UNIQUE_ID,
        TestIdentifier.USER_ATTRIBUTE_USER_EMAIL,
        TestIdentifier.USER_ATTRIBUTE_USER_MOBILE,
        TestIdentifier.MOE_GAID,
        TestIdentifier.ADVERTISING_IDENTIFIER,
        TestIdentifier.PUSH_ID,
        TestIdentifier.CUSTOM_SEGMENT,
    }
)
EMAIL_TEST_IDENTIFIERS = frozenset(
    {TestIdentifier.EMAIL, TestIdentifier.ID, TestIdentifier.MOBILE_NUMBER, TestIdentifier.CUSTOM_SEGMENT}
)


class PreviewIdentifier(ApiEnum):
    # how POST /v5/personalization/preview identifies the user to render for

    USER_ATTRIBUTE_UNIQUE_ID = "USER_ATTRIBUTE_UNIQUE_ID"
    EMAIL = "EMAIL"
    MOE_GAID = "MOE_GAID"
    PUSH_ID = "PUSH_ID"


class AttributionType(ApiEnum):
    VIEW_THROUGH = "VIEW_THROUGH"
    CLICK_THROUGH = "CLICK_THROUGH"
    IN_SESSION = "IN_SESSION"
    TOTAL_CONVERSIONS = "TOTAL_CONVERSIONS"
    CLICK_CONVERSIONS = "CLICK_CONVERSIONS"


class MetricType(ApiEnum):
    TOTAL = "TOTAL"
    UNIQUE = "UNIQUE"


class TestSendStatus(ApiEnum):
    __test__ = False
    SENT = "SENT"
    FAILED = "FAILED"
