"""The names of the V5 campaign components and the delivery types a draft may have, apart from their
(heavy) models: tool schemas list them at start-up, and the models load on first use."""

from typing import Literal

COMPONENT_NAMES = (
    "basic_details",
    "campaign_content",
    "trigger_condition",
    "segmentation_details",
    "scheduling_details",
    "delivery_controls",
    "advanced",
    "conversion_goal_details",
    "control_group_details",
    "utm_params",
    "campaign_audience_limit",
    "connector",
)
"""Every V5 component, in the order the API reference lists them."""

PushDeliveryType = Literal[
    "ONE_TIME",
    "PERIODIC",
    "EVENT_TRIGGERED",
    "BUSINESS_EVENT_TRIGGERED",
    "DEVICE_TRIGGERED",
    "LOCATION_TRIGGERED",
]
"""BROADCAST_LIVE_ACTIVITY "is not supported through the draft-based creation flow"."""
