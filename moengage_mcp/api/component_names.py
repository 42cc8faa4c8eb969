"""The names of the V5 campaign components, apart from their (heavy) models: tool schemas list them
at start-up, and the models load on first use."""

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
