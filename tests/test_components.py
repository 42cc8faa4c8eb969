"""The V5 component models against the published examples (the oracle), and every documented rule.

`tests/data/v5_authoring_examples.json` holds, verbatim, the request examples of
`create_draft_campaign_v5` and `patch_draft_campaign_v5` in MoEngage's campaigns-v5.yaml and every
JSON block of the two component reference pages. Each must validate, except where a page spells
an enum differently from the OpenAPI file (the file wins; those blocks must fail at that field).
"""

from __future__ import annotations

import copy
import json
import pathlib
import re
from typing import Any

import pytest

from moengage_mcp.api.components import (
    COMPONENT_MODELS,
    COMPONENT_NAMES,
    InvalidRequest,
    PushCreateRequest,
    component_schema,
    parse_component,
    parse_create,
    parse_update,
    reference,
)

EXAMPLES = json.loads((pathlib.Path(__file__).parent / "data" / "v5_authoring_examples.json").read_text())
PLACEHOLDERS = {
    "user_email": "marketer@example.com",
    "from_email": "news@example.com",
    "start_time": "2026-07-15T09:00:00",
    "expiry_time": "2026-12-31T23:59:59",
    "request_id": "req-1",
}


def fill(value: Any, **extra: str) -> Any:
    """The example with its `{{placeholder}}` values that must be typed (emails, times) filled in."""
    names = {**PLACEHOLDERS, **extra}
    if isinstance(value, dict):
        return {k: fill(v, **extra) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, **extra) for v in value]
    found = re.fullmatch(r"\{\{(\w+)\}\}", value) if isinstance(value, str) else None
    return names.get(found.group(1), value) if found else value


def problems(call, *args) -> list[str]:
    with pytest.raises(InvalidRequest) as caught:
        call(*args)
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


def push(**components: Any) -> dict[str, Any]:
    return {
        "channel": "PUSH",
        "campaign_delivery_type": "ONE_TIME",
        "created_by": "a@example.com",
        **components,
    }


def email(**components: Any) -> dict[str, Any]:
    connector = {"connector_type": "SENDGRID", "connector_name": "primary"}
    return {
        "channel": "EMAIL",
        "campaign_delivery_type": "ONE_TIME",
        "created_by": "a@example.com",
        "connector": connector,
        **components,
    }


# ---------------------------------------------------------------------- the published examples


@pytest.mark.parametrize("name", sorted(EXAMPLES["create"]))
def test_every_published_create_example_validates(name: str) -> None:
    request = parse_create(fill(EXAMPLES["create"][name]))
    assert request.channel == EXAMPLES["create"][name]["channel"]
    assert request.body() == fill(EXAMPLES["create"][name])


PATCH_CONTEXT = {  # the examples that omit channel and delivery type (this client always sends both)
    "push_update_trigger_condition": "EVENT_TRIGGERED",
    "push_update_delivery_controls": "LOCATION_TRIGGERED",
    "push_update_campaign_audience_limit": "PERIODIC",
    "push_update_basic_details_geofences": "LOCATION_TRIGGERED",
    "email_update_campaign_audience_limit": "PERIODIC",
}


@pytest.mark.parametrize("name", sorted(set(EXAMPLES["patch"]) - {"publish_campaign"}))
def test_every_published_patch_example_validates(name: str) -> None:
    channel = "EMAIL" if name.startswith("email") else "PUSH"
    kind = PATCH_CONTEXT.get(name, "ONE_TIME")
    body = fill(EXAMPLES["patch"][name], campaign_delivery_type=kind, user_email="editor@example.com")
    body.setdefault("channel", channel)
    body["campaign_delivery_type"] = kind
    request = parse_update(body)
    assert request.components() and request.updated_by == "editor@example.com"


def test_the_published_publish_example_is_not_a_component_update() -> None:
    body = {
        **EXAMPLES["patch"]["publish_campaign"],
        "channel": "PUSH",
        "campaign_delivery_type": "ONE_TIME",
        "updated_by": "e@example.com",
    }
    lines = problems(parse_update, fill(body))
    assert any(line.startswith("status: unknown field") for line in lines), lines


ENUM_CONFLICTS = {  # (section, tab): (the field's path, the OpenAPI file's values)
    ("Android template variants", "SIMPLE_IMAGE_CAROUSEL"): (
        "carousel_content.slider_transition",
        "MANUAL, AUTOMATIC",
    ),
    ("A/B test variations", "SHERPA (auto-optimized)"): (
        "sherpa_distribution_metric",
        "OPEN_RATE, CLICK_RATE, BOTH",
    ),
    ("Platform-level priority", "iOS APNS priority"): (
        "interruption_level",
        "PASSIVE, ACTIVE, TIME_SENSITIVE, CRITICAL",
    ),
    ("Updating an existing campaign", "advanced (Push)"): (
        "interruption_level",
        "PASSIVE, ACTIVE, TIME_SENSITIVE, CRITICAL",
    ),
}
BLOCKS = EXAMPLES["reference_blocks"]


def _block_id(block: dict[str, Any]) -> str:
    return f"{block['page'][:8]}:{block['section']}:{block['tab']}:{block['label']}"


def _check_block(block: dict[str, Any]) -> None:
    value = fill(block["value"], channel="PUSH", campaign_delivery_type=_kind_of(block))
    if "filter_type" in value:  # a filter primitive on its own
        parse_component("segmentation_details", "PUSH", {"included_filters": {"filters": [value]}})
    elif "updated_by" in value:
        parse_update(value)
    elif "created_by" in value:
        parse_create(value)
    else:
        channel = (
            "EMAIL"
            if "Email" in block["section"] + block["label"] or "email" in json.dumps(value)[:40]
            else "PUSH"
        )
        for name, component in value.items():
            parse_component(
                name,
                channel if channel in COMPONENT_MODELS[name] else next(iter(COMPONENT_MODELS[name])),
                component,
            )


def _kind_of(block: dict[str, Any]) -> str:
    return "PERIODIC" if "audience_limit" in block["tab"] else "ONE_TIME"


@pytest.mark.parametrize("block", BLOCKS, ids=_block_id)
def test_every_reference_page_block_validates_unless_it_contradicts_the_openapi_enums(
    block: dict[str, Any],
) -> None:
    conflict = ENUM_CONFLICTS.get((block["section"], block["tab"]))
    if conflict is None:
        _check_block(block)
        return
    with pytest.raises(InvalidRequest) as caught:
        _check_block(block)
    field, allowed = conflict
    assert any(field in line and line.endswith(f"allowed: {allowed}") for line in caught.value.problems), (
        caught.value.problems
    )


def test_the_reference_blocks_cover_every_component() -> None:
    seen = {name for block in BLOCKS for name in block["value"] if name in COMPONENT_NAMES}
    assert seen == set(COMPONENT_NAMES) and len(BLOCKS) >= 90


# ---------------------------------------------------------------------- every rule, refused with its field named

CASES: list[tuple[str, str, Any, str]] = [
    # basic_details
    (
        "basic_details",
        "PUSH",
        {"platforms": ["android"]},
        "basic_details.platforms.0: 'android' is not allowed; allowed: ANDROID, IOS, WEB",
    ),
    (
        "basic_details",
        "PUSH",
        {"titel": "x"},
        "basic_details.titel: unknown field; allowed fields: name, business_event, tags, team, platforms,",
    ),
    (
        "basic_details",
        "PUSH",
        {
            "platform_specific_details": {
                "ios": {"send_to_all_eligible_device": True, "exclude_provisional_push_devices": True}
            }
        },
        "basic_details.platform_specific_details.ios: exactly one of send_to_all_eligible_device",
    ),
    (
        "basic_details",
        "PUSH",
        {"platform_specific_details": {"ios": {}}},
        "basic_details.platform_specific_details.ios: exactly one of",
    ),
    (
        "basic_details",
        "PUSH",
        {
            "geofences": {
                "name": "n",
                "latitude": "1",
                "longitude": "2",
                "radius": "3",
                "response_time_value": "5",
                "response_time_granularity": "MINUTES",
                "triggered_at": "dwell",
            }
        },
        "basic_details.geofences.dwell_time_value: required when triggered_at is dwell",
    ),
    (
        "basic_details",
        "PUSH",
        {"geofences": {"name": "n"}},
        "basic_details.geofences.triggered_at: field required; allowed: ENTRY, EXIT, dwell",
    ),
    (
        "basic_details",
        "PUSH",
        {
            "geofences": {
                "name": "n",
                "latitude": "1",
                "longitude": "2",
                "radius": "3",
                "response_time_value": "5",
                "response_time_granularity": "MINUTES",
                "triggered_at": "DWELL",
            }
        },
        "basic_details.geofences.triggered_at: 'DWELL' is not allowed; allowed: ENTRY, EXIT, dwell",
    ),
    (
        "basic_details",
        "EMAIL",
        {"content_type": "PROMOTIONAL"},
        "basic_details.subscription_category: required when content_type is PROMOTIONAL",
    ),
    (
        "basic_details",
        "EMAIL",
        {"content_type": "promotional"},
        "basic_details.content_type: 'promotional' is not allowed; allowed: PROMOTIONAL, TRANSACTIONAL",
    ),
    # campaign_content: push
    (
        "campaign_content",
        "PUSH",
        {"content": {"push": {"android": {"template_type": "CUSTOM"}}}},
        (
            "campaign_content.content.push.android.template_type: 'CUSTOM' is not allowed; allowed: BASIC, STYLIZED_BASIC, SIMPLE_IMAGE_CAROUSEL, "
            "IMAGE_BANNER_WITH_TEXT, TIMER, TIMER_WITH_PROGRESS_BAR, Custom"
        ),
    ),
    (
        "campaign_content",
        "PUSH",
        {"content": {"push": {"android": {"template_type": "Custom"}}}},
        "campaign_content.content.push.android.custom_template_id: required when template_type is Custom",
    ),
    (
        "campaign_content",
        "PUSH",
        {"content": {"push": {"android": {"template_type": "BASIC", "custom_template_id": "t"}}}},
        "campaign_content.content.push.android.custom_template_id: only with template_type Custom",
    ),
    (
        "campaign_content",
        "PUSH",
        {"content": {"push": {"android": {"template_type": "TIMER"}}}},
        "campaign_content.content.push.android.timer: required when template_type is TIMER",
    ),
    (
        "campaign_content",
        "PUSH",
        {"content": {"push": {"android": {"template_type": "STYLIZED_BASIC"}}}},
        "campaign_content.content.push.android.template_backup: required when template_type is STYLIZED_BASIC",
    ),
    (
        "campaign_content",
        "PUSH",
        {
            "content": {
                "push": {"android": {"template_type": "IMAGE_BANNER_WITH_TEXT", "template_backup": {}}}
            }
        },
        "campaign_content.content.push.android.basic_details.banner_image_url: required when template_type is IMAGE_BANNER_WITH_TEXT",
    ),
    (
        "campaign_content",
        "PUSH",
        {"content": {"push": {"android": {"template_type": "SIMPLE_IMAGE_CAROUSEL", "template_backup": {}}}}},
        "campaign_content.content.push.android.basic_details.carousel_content: required when template_type is SIMPLE_IMAGE_CAROUSEL",
    ),
    (
        "campaign_content",
        "PUSH",
        {"content": {"push": {"ios": {"template_type": "TIMER"}}}},
        "campaign_content.content.push.ios.template_type: 'TIMER' is not allowed; allowed: BASIC, STYLIZED_BASIC, SIMPLE_IMAGE_CAROUSEL, Custom",
    ),
    (
        "campaign_content",
        "PUSH",
        {
            "content": {
                "push": {
                    "ios": {
                        "template_type": "SIMPLE_IMAGE_CAROUSEL",
                        "template_backup": {},
                        "basic_details": {"carousel_content": {}},
                    }
                }
            }
        },
        "campaign_content.content.push.ios.basic_details.image_url: required when template_type is SIMPLE_IMAGE_CAROUSEL",
    ),
    (
        "campaign_content",
        "PUSH",
        {"content": {"push": {"web": {"template_type": "STYLIZED_BASIC"}}}},
        "campaign_content.content.push.web.template_type: 'STYLIZED_BASIC' is not allowed; allowed: BASIC",
    ),
    (
        "campaign_content",
        "PUSH",
        {"content": {"push": {"web": {"advanced": {"icon_image_type": "ICON_URL"}}}}},
        "campaign_content.content.push.web.advanced.icon_url: required when icon_image_type is ICON_URL",
    ),
    (
        "campaign_content",
        "PUSH",
        {"content": {"push": {"android": {"timer": {"personalized_value": True}}}}},
        "campaign_content.content.push.android.timer.specific_time: required when personalized_value is true",
    ),
    (
        "campaign_content",
        "PUSH",
        {"content": {"push": {"android": {"timer": {"timer_ends_at": "DURATION"}}}}},
        "campaign_content.content.push.android.timer.duration_hour: required when personalized_value is false or unset",
    ),
    (
        "campaign_content",
        "PUSH",
        {
            "content": {
                "push": {
                    "android": {
                        "timer": {
                            "timer_ends_at": "SPECIFIC_TIME_USER_TIMEZONE",
                            "duration_hour": "1",
                            "duration_minute": "0",
                        }
                    }
                }
            }
        },
        "campaign_content.content.push.android.timer.time_period: required when timer_ends_at is SPECIFIC_TIME_USER_TIMEZONE",
    ),
    (
        "campaign_content",
        "PUSH",
        {"content": {"push": {"android": {"advanced": {"make_notification_sticky": True}}}}},
        "campaign_content.content.push.android.advanced.dismiss_button_text: required when make_notification_sticky or auto_dismiss_notification is true",
    ),
    (
        "campaign_content",
        "PUSH",
        {
            "content": {
                "push": {
                    "android": {"advanced": {"auto_dismiss_notification": True, "dismiss_button_text": "x"}}
                }
            }
        },
        "campaign_content.content.push.android.advanced.auto_dismiss_notification_time_value: required when auto_dismiss_notification is true",
    ),
    (
        "campaign_content",
        "PUSH",
        {
            "content": {
                "push": {
                    "android": {
                        "basic_details": {
                            "carousel_content": {"slide_data": [{"image_click_action": "DEEPLINKING"}]}
                        }
                    }
                }
            }
        },
        "campaign_content.content.push.android.basic_details.carousel_content.slide_data.0.image_click_action_value: required when image_click_action is set",
    ),
    (
        "campaign_content",
        "PUSH",
        {"content": {"push": {"android": {"basic_details": {"title": 7}}}}},
        "campaign_content.content.push.android.basic_details.title: Input should be a valid string (got 7)",
    ),
    (
        "campaign_content",
        "PUSH",
        {"content": {"push": {"android": {"buttons": [{"click_action_type": "OPEN"}]}}}},
        "campaign_content.content.push.android.buttons.0.click_action_type: 'OPEN' is not allowed; allowed: DEEPLINKING,",
    ),
    (
        "campaign_content",
        "PUSH",
        {"content": {"default": {"variation_1": {"push": {"android": {"basic_details": {"title": 1}}}}}}},
        "campaign_content.content.default.variation_1.push.android.basic_details.title: Input should be a valid string",
    ),
    (
        "campaign_content",
        "PUSH",
        {"content": {"default": {"variation_1": {}}}},
        "campaign_content.content.default.variation_1.push: field required",
    ),
    (
        "campaign_content",
        "PUSH",
        {"locales": ["default"]},
        "campaign_content.locales: list only the non-default locales",
    ),
    (
        "campaign_content",
        "PUSH",
        {"locales": ["es-ES"], "content": {"push": {}}},
        "campaign_content.content: must be keyed by locale and variation",
    ),
    (
        "campaign_content",
        "PUSH",
        {"content": {"es-ES": {"variation_1": {"push": {}}}}},
        'campaign_content.content: the "default" locale is required',
    ),
    (
        "campaign_content",
        "PUSH",
        {"content": {"default": {"variation_1": {"push": {}}}, "fr-FR": {"variation_1": {"push": {}}}}},
        "campaign_content.content.fr-FR: locale fr-FR is not listed in locales",
    ),
    (
        "campaign_content",
        "PUSH",
        {"content": {"default": {"variation_2": {"push": {}}}}},
        "campaign_content.content.default.variation_2: unknown variation; allowed: variation_1",
    ),
    (
        "campaign_content",
        "PUSH",
        {"variation_details": {"distribution_type": "MANUAL", "no_of_variations": 2}},
        "campaign_content.variation_details.manual_distribution_percentage: required when distribution_type is MANUAL",
    ),
    (
        "campaign_content",
        "PUSH",
        {
            "variation_details": {
                "distribution_type": "MANUAL",
                "no_of_variations": 2,
                "manual_distribution_percentage": {"var_1": 50, "var_2": 50},
            }
        },
        "campaign_content.variation_details.manual_distribution_percentage: keys must be variation_1, variation_2",
    ),
    (
        "campaign_content",
        "PUSH",
        {
            "variation_details": {
                "distribution_type": "MANUAL",
                "manual_distribution_percentage": {"variation_1": 50, "variation_2": 40},
            }
        },
        "campaign_content.variation_details.manual_distribution_percentage: percentages must sum to 100, not 90",
    ),
    (
        "campaign_content",
        "PUSH",
        {"variation_details": {"distribution_type": "SHERPA"}},
        "campaign_content.variation_details.sherpa_campaign_duration: required when distribution_type is SHERPA",
    ),
    (
        "campaign_content",
        "PUSH",
        {"variation_details": {"no_of_variations": 0}},
        "campaign_content.variation_details.no_of_variations: Input should be greater than or equal to 1 (got 0)",
    ),
    # campaign_content: email
    (
        "campaign_content",
        "EMAIL",
        {"content": {"email": {"html_content": "<p>", "custom_template_id": "t1"}}},
        "campaign_content.content.email.html_content: give exactly one of html_content and custom_template_id",
    ),
    (
        "campaign_content",
        "EMAIL",
        {"content": {"email": {"subject": "s"}}},
        "campaign_content.content.email.html_content: give exactly one of",
    ),
    (
        "campaign_content",
        "EMAIL",
        {"content": {"email": {"html_content": "x", "from_address": "news"}}},
        "campaign_content.content.email.from_address: must be an email address (got 'news')",
    ),
    (
        "campaign_content",
        "EMAIL",
        {"content": {"email": {"html_content": "x", "email_editor": "froala"}}},
        "campaign_content.content.email.email_editor: 'froala' is not allowed; allowed: Froala Editor, Ace Editor",
    ),
    (
        "campaign_content",
        "EMAIL",
        {"content": {"email": {"html_content": "x", "attachments": [{"file_type": "PDF"}]}}},
        "campaign_content.content.email.attachments.0.file_type: 'PDF' is not allowed; allowed: URL, PERSONALIZED_ATTACHMENT",
    ),
    (
        "campaign_content",
        "EMAIL",
        {"content": {"push": {}}},
        "campaign_content.content.push: unknown field; allowed fields: email",
    ),
    # segmentation_details
    (
        "segmentation_details",
        "PUSH",
        {"is_all_user_campaign": True, "included_filters": {"filters": []}},
        "segmentation_details.included_filters: not allowed: is_all_user_campaign is true",
    ),
    (
        "segmentation_details",
        "PUSH",
        {"send_campaign_to_opt_out_users": True},
        "segmentation_details.included_filters: required unless is_all_user_campaign is true",
    ),
    (
        "segmentation_details",
        "PUSH",
        {"included_filters": {"filter_operator": "AND"}},
        "segmentation_details.included_filters.filter_operator: 'AND' is not allowed; allowed: and, or",
    ),
    (
        "segmentation_details",
        "PUSH",
        {
            "included_filters": {
                "filters": [
                    {"filter_type": "user_attributes", "data_type": "bool", "operator": "in", "value": True}
                ]
            }
        },
        "segmentation_details.included_filters.filters.0.operator: 'in' is not an operator for data_type bool; allowed: is, exists",
    ),
    (
        "segmentation_details",
        "PUSH",
        {
            "included_filters": {
                "filters": [{"filter_type": "user_attributes", "data_type": "string", "operator": "is"}]
            }
        },
        "segmentation_details.included_filters.filters.0.value: required when operator is is",
    ),
    (
        "segmentation_details",
        "PUSH",
        {"included_filters": {"filters": [{"filter_type": "segments"}]}},
        "segmentation_details.included_filters.filters.0.filter_type: 'segments' is not allowed; allowed: user_attributes, actions, custom_segments",
    ),
    (
        "segmentation_details",
        "PUSH",
        {"included_filters": {"filters": [{"name": "x"}]}},
        "segmentation_details.included_filters.filters.0.filter_type: field required; allowed: user_attributes, actions, custom_segments",
    ),
    (
        "segmentation_details",
        "PUSH",
        {"included_filters": {"filters": [{"filter_type": "actions", "execution": {"type": "at_least"}}]}},
        "segmentation_details.included_filters.filters.0.execution.type: 'at_least' is not allowed; allowed: atleast, atmost, exactly",
    ),
    (
        "segmentation_details",
        "PUSH",
        {
            "included_filters": {
                "filters": [
                    {
                        "filter_type": "actions",
                        "attributes": {"filters": [{"filter_type": "custom_segments", "segment": "x"}]},
                    }
                ]
            }
        },
        "segmentation_details.included_filters.filters.0.attributes.filters.0.segment: unknown field; allowed fields: filter_type, name, id",
    ),
    # trigger_condition
    (
        "trigger_condition",
        "PUSH",
        {"trigger_delay_type": "DELAY", "trigger_relation": "AFTER"},
        "trigger_condition.trigger_delay_value: required when trigger_delay_type is DELAY",
    ),
    (
        "trigger_condition",
        "PUSH",
        {
            "trigger_delay_type": "DELAY",
            "trigger_delay_value": 2,
            "trigger_delay_granularity": "HOURS",
            "trigger_relation": "BEFORE",
            "trigger_attr": "If Action",
        },
        "trigger_condition.trigger_attr: required when trigger_relation is BEFORE",
    ),
    (
        "trigger_condition",
        "PUSH",
        {"trigger_delay_type": "INTELLIGENT_DELAY"},
        "trigger_condition.intelligent_delay_optimization: required when trigger_delay_type is INTELLIGENT_DELAY",
    ),
    (
        "trigger_condition",
        "PUSH",
        {
            "trigger_delay_type": "INTELLIGENT_DELAY",
            "intelligent_delay_optimization": {
                "min_delay_value": 1,
                "min_delay_granularity": "DAYS",
                "max_delay_value": 2,
                "max_delay_granularity": "DAYS",
            },
        },
        "trigger_condition.intelligent_delay_optimization.min_delay_granularity: 'DAYS' is not allowed; allowed: MINUTES, HOURS",
    ),
    (
        "trigger_condition",
        "EMAIL",
        {"trigger_delay_type": "INTELLIGENT_DELAY"},
        "trigger_condition.trigger_delay_type: 'INTELLIGENT_DELAY' is not allowed; allowed: DELAY, ASAP",
    ),
    (
        "trigger_condition",
        "EMAIL",
        {"trigger_delay_value": "two"},
        "trigger_condition.trigger_delay_value: must be a whole number",
    ),
    (
        "trigger_condition",
        "EMAIL",
        {"trigger_delay_value": 1.5},
        "trigger_condition.trigger_delay_value: Input should be a valid integer",
    ),
    (
        "trigger_condition",
        "EMAIL",
        {"trigger_attr": {"label": "x"}},
        "trigger_condition.trigger_attr.name: field required",
    ),
    (
        "trigger_condition",
        "EMAIL",
        {"trigger_attr": {"label": "x"}},
        "trigger_condition.trigger_attr.label: unknown field; allowed fields: name",
    ),
    (
        "trigger_condition",
        "EMAIL",
        {"intelligent_delay_optimization": {}},
        "trigger_condition.intelligent_delay_optimization: unknown field",
    ),
    # scheduling_details
    (
        "scheduling_details",
        "PUSH",
        {"delivery_type": "AT_FIXED_TIME"},
        "scheduling_details.start_time: required when delivery_type is AT_FIXED_TIME",
    ),
    (
        "scheduling_details",
        "PUSH",
        {"delivery_type": "SEND_IN_BTS", "start_time": "2026-07-15T09:00:00"},
        "scheduling_details.bts_details: required when delivery_type is SEND_IN_BTS",
    ),
    (
        "scheduling_details",
        "PUSH",
        {"delivery_type": "SEND_IN_USER_TIMEZONE", "start_time": "2026-07-15T09:00:00"},
        "scheduling_details.user_timezone_details: required when delivery_type is SEND_IN_USER_TIMEZONE",
    ),
    (
        "scheduling_details",
        "PUSH",
        {
            "delivery_type": "AT_FIXED_TIME",
            "start_time": "2026-07-15T09:00:00",
            "expiry_time": "2026-07-15T08:00:00",
        },
        "scheduling_details.expiry_time: must be after start_time",
    ),
    (
        "scheduling_details",
        "PUSH",
        {"delivery_type": "ASAP", "periodic_details": {"sending_frequency": "DAILY"}},
        "scheduling_details.delivery_type: must be AT_FIXED_TIME with periodic_details",
    ),
    (
        "scheduling_details",
        "PUSH",
        {"delivery_type": "AT_FIXED_TIME", "start_time": "next friday 9am"},
        "scheduling_details.start_time: must be an ISO 8601 date-time such as 2026-07-15T09:00:00 (got 'next friday 9am')",
    ),
    (
        "scheduling_details",
        "PUSH",
        {"delivery_type": "SCHEDULED"},
        "scheduling_details.delivery_type: 'SCHEDULED' is not allowed; allowed: ASAP, AT_FIXED_TIME, SEND_IN_BTS, SEND_IN_USER_TIMEZONE",
    ),
    (
        "scheduling_details",
        "PUSH",
        {"periodic_details": {"sending_frequency": "DAILY", "repeat_on_days_of_week": ["MONDAY"]}},
        "scheduling_details.periodic_details.repeat_on_days_of_week: not allowed: it is used with sending_frequency WEEKLY or MONTHLY",
    ),
    (
        "scheduling_details",
        "PUSH",
        {"periodic_details": {"sending_frequency": "WEEKLY", "repeat_on_date_of_month": [1]}},
        "scheduling_details.periodic_details.repeat_on_date_of_month: not allowed: it is used with sending_frequency MONTHLY",
    ),
    (
        "scheduling_details",
        "PUSH",
        {"periodic_details": {"sending_frequency": "MONTHLY", "repeat_on_date_of_month": [32]}},
        "scheduling_details.periodic_details.repeat_on_date_of_month.0: Input should be less than or equal to 31 (got 32)",
    ),
    (
        "scheduling_details",
        "PUSH",
        {"periodic_details": {"repeat_on_days_of_week": ["monday"]}},
        "scheduling_details.periodic_details.repeat_on_days_of_week.0: 'monday' is not allowed; allowed: MONDAY, TUESDAY,",
    ),
    (
        "scheduling_details",
        "PUSH",
        {"geo_fence_timelimit": {"notification_schedule": "LIMITED_TIME"}},
        "scheduling_details.geo_fence_timelimit.timebounds: required when notification_schedule is LIMITED_TIME",
    ),
    ("scheduling_details", "PUSH", {"time_zone": "UTC"}, "scheduling_details.time_zone: unknown field"),
    # delivery_controls
    (
        "delivery_controls",
        "PUSH",
        {"queuing_enabled": True},
        "delivery_controls.queue_duration: required (1 to 48 hours) when queuing_enabled is true",
    ),
    (
        "delivery_controls",
        "PUSH",
        {"queuing_enabled": False, "queue_duration": 4},
        "delivery_controls.queue_duration: must be 0 when queuing_enabled is false",
    ),
    (
        "delivery_controls",
        "PUSH",
        {"queuing_enabled": True, "queue_duration": 49},
        "delivery_controls.queue_duration: Input should be less than or equal to 48",
    ),
    (
        "delivery_controls",
        "EMAIL",
        {"send_limit_value": "1"},
        "delivery_controls.send_limit_value: unknown field",
    ),
    # advanced
    (
        "advanced",
        "PUSH",
        {"platform_level_priority": {"ios_specific_priority": {"apns_priority": 10}}},
        "advanced.platform_level_priority.ios_specific_priority.apns_priority: 10 is not allowed; allowed: 1, 5, 10",
    ),
    (
        "advanced",
        "PUSH",
        {"platform_level_priority": {"ios_specific_priority": {"relevance_score": 0.7}}},
        "advanced.platform_level_priority.ios_specific_priority.relevance_score: must be 0, 0.5 or 1 (got 0.7)",
    ),
    (
        "advanced",
        "PUSH",
        {"expiration_settings": {"remove_from_inbox_after_type": "HOUR"}},
        "advanced.expiration_settings.remove_from_inbox_after_type: 'HOUR' is not allowed; allowed: DAY",
    ),
    # goals, control groups, utm, audience limit, connector
    (
        "conversion_goal_details",
        "PUSH",
        {"goals": [{"goal_event_attribute": {"data_type": "string"}}]},
        "conversion_goal_details.goals.0.goal_event_attribute.data_type: 'string' is not allowed; allowed: STRING, DOUBLE,",
    ),
    (
        "control_group_details",
        "EMAIL",
        {"is_campaign_control_group_enabled": True},
        "control_group_details.campaign_control_group_percentage: required when is_campaign_control_group_enabled is true",
    ),
    (
        "control_group_details",
        "EMAIL",
        {"campaign_control_group_percentage": 101},
        "control_group_details.campaign_control_group_percentage: Input should be less than or equal to 100 (got 101)",
    ),
    (
        "utm_params",
        "PUSH",
        {"utm_campaign": "c"},
        "utm_params.utm_source: required when UTM parameters are used",
    ),
    (
        "utm_params",
        "PUSH",
        {"utm_source": "s", "utm_medium": "m", "campaign_source": "x"},
        "utm_params.campaign_source: custom UTM keys must start with utm_",
    ),
    (
        "utm_params",
        "PUSH",
        {"utm_source": "s", "utm_medium": "m", **{f"utm_c{i}": "x" for i in range(6)}},
        "utm_params: at most 5 custom UTM parameters, got 6",
    ),
    (
        "utm_params",
        "PUSH",
        {"utm_source": "s", "utm_medium": "m", "utm_c1": 5},
        "utm_params.utm_c1: Input should be a valid string (got 5)",
    ),
    (
        "campaign_audience_limit",
        "PUSH",
        {"is_campaign_audience_limit_enabled": True},
        "campaign_audience_limit.limit: required when is_campaign_audience_limit_enabled is true",
    ),
    (
        "campaign_audience_limit",
        "PUSH",
        {"is_campaign_audience_limit_enabled": False, "metric": "SENT"},
        "campaign_audience_limit.metric: not allowed: is_campaign_audience_limit_enabled is not true",
    ),
    (
        "campaign_audience_limit",
        "PUSH",
        {"is_campaign_audience_limit_enabled": True, "limit": 10_000_000_000},
        "campaign_audience_limit.limit: Input should be less than or equal to 9999999999",
    ),
    ("connector", "EMAIL", {"connector_type": "SENDGRID"}, "connector.connector_name: field required"),
    (
        "connector",
        "EMAIL",
        {"connector_type": " ", "connector_name": "x"},
        "connector.connector_type: must not be empty",
    ),
]


@pytest.mark.parametrize(
    ("component", "channel", "payload", "expected"), CASES, ids=[c[3][:70] for c in CASES]
)
def test_each_rule_is_refused_naming_the_field_and_what_is_allowed(
    component: str, channel: str, payload: Any, expected: str
) -> None:
    lines = problems(parse_component, component, channel, payload)
    assert any(line.startswith(expected) for line in lines), lines


def test_every_component_has_a_rule_case_or_is_free_of_rules() -> None:
    covered = {case[0] for case in CASES}
    assert covered == set(COMPONENT_NAMES)


def test_components_of_the_wrong_channel_are_named() -> None:
    with pytest.raises(ValueError, match="advanced is part of PUSH campaigns, not EMAIL"):
        parse_component("advanced", "EMAIL", {})
    with pytest.raises(ValueError, match="connector is part of EMAIL campaigns, not PUSH"):
        parse_component("connector", "PUSH", {})
    with pytest.raises(ValueError, match="unknown component 'audience'; allowed: basic_details"):
        parse_component("audience", "PUSH", {})


# ---------------------------------------------------------------------- the requests: fields and delivery-type rules

REQUEST_CASES: list[tuple[dict[str, Any], str]] = [
    ({}, "channel: field required; allowed: PUSH, EMAIL"),
    ({"channel": "SMS"}, "channel: 'SMS' is not allowed; allowed: PUSH, EMAIL"),
    (
        {"channel": "PUSH"},
        "campaign_delivery_type: field required; allowed: ONE_TIME, PERIODIC, EVENT_TRIGGERED, BUSINESS_EVENT_TRIGGERED, DEVICE_TRIGGERED, LOCATION_TRIGGERED",
    ),
    (
        push(campaign_delivery_type="BROADCAST_LIVE_ACTIVITY"),
        "campaign_delivery_type: 'BROADCAST_LIVE_ACTIVITY' is not allowed",
    ),
    (
        email(campaign_delivery_type="LOCATION_TRIGGERED"),
        "campaign_delivery_type: 'LOCATION_TRIGGERED' is not allowed; allowed: ONE_TIME, PERIODIC, EVENT_TRIGGERED, BUSINESS_EVENT_TRIGGERED",
    ),
    (push(created_by="Jane"), "created_by: must be an email address (got 'Jane')"),
    ({**email(), "connector": None}, "connector: Input should be a valid dictionary"),
    ({k: v for k, v in email().items() if k != "connector"}, "connector: field required"),
    (push(status="PUBLISH"), "status: unknown field; allowed fields:"),
    (push(connector={"connector_type": "a", "connector_name": "b"}), "connector: unknown field"),
    (email(advanced={}), "advanced: unknown field"),
    (
        push(trigger_condition={"trigger_delay_type": "ASAP"}),
        "trigger_condition: not allowed: it applies to EVENT_TRIGGERED, DEVICE_TRIGGERED, LOCATION_TRIGGERED campaigns, not ONE_TIME",
    ),
    (
        email(campaign_delivery_type="BUSINESS_EVENT_TRIGGERED", trigger_condition={}),
        "(it names its event in basic_details.business_event)",
    ),
    (
        email(campaign_delivery_type="BUSINESS_EVENT_TRIGGERED", basic_details={"name": "n"}),
        "basic_details.business_event: required when the campaign is BUSINESS_EVENT_TRIGGERED",
    ),
    (
        push(campaign_delivery_type="LOCATION_TRIGGERED", basic_details={"name": "n"}),
        "basic_details.geofences: required when the campaign is LOCATION_TRIGGERED",
    ),
    (
        push(basic_details={"broadcast_live_activity_id": "live_1"}),
        "basic_details.broadcast_live_activity_id: not allowed: only BROADCAST_LIVE_ACTIVITY",
    ),
    (
        push(
            campaign_delivery_type="PERIODIC",
            scheduling_details={"delivery_type": "AT_FIXED_TIME", "start_time": "2026-07-15T09:00:00"},
        ),
        "scheduling_details.periodic_details: required when the campaign is PERIODIC",
    ),
    (
        push(
            scheduling_details={
                "delivery_type": "AT_FIXED_TIME",
                "start_time": "2026-07-15T09:00:00",
                "periodic_details": {"sending_frequency": "DAILY"},
            }
        ),
        "scheduling_details.periodic_details: not allowed: only PERIODIC campaigns repeat, this one is ONE_TIME",
    ),
    (
        push(campaign_delivery_type="EVENT_TRIGGERED", delivery_controls={"ignore_frequency_capping": True}),
        "delivery_controls.bypass_dnd: required when the campaign is EVENT_TRIGGERED",
    ),
    (
        push(campaign_delivery_type="DEVICE_TRIGGERED", delivery_controls={"campaign_throttle_rpm": 100}),
        "delivery_controls.campaign_throttle_rpm: not allowed: it is not applicable to DEVICE_TRIGGERED campaigns",
    ),
    (
        push(
            campaign_delivery_type="LOCATION_TRIGGERED",
            delivery_controls={"queuing_enabled": True, "queue_duration": 2},
        ),
        "delivery_controls.queuing_enabled: not allowed: queuing is not supported for LOCATION_TRIGGERED campaigns",
    ),
    (
        push(
            campaign_audience_limit={"is_campaign_audience_limit_enabled": True, "metric": "SENT", "limit": 5}
        ),
        "campaign_audience_limit.metric: not allowed: ONE_TIME campaigns take only limit",
    ),
    (
        email(
            campaign_delivery_type="PERIODIC",
            campaign_audience_limit={"is_campaign_audience_limit_enabled": True, "limit": 5},
        ),
        "campaign_audience_limit.metric: required when is_campaign_audience_limit_enabled is true on a PERIODIC campaign",
    ),
    (
        email(
            campaign_delivery_type="PERIODIC",
            campaign_audience_limit={
                "is_campaign_audience_limit_enabled": True,
                "limit": 5,
                "metric": "SENT",
                "frequency": "INSTANCE",
            },
        ),
        "campaign_audience_limit.frequency: not allowed: INSTANCE is for PERIODIC PUSH campaigns only",
    ),
]


@pytest.mark.parametrize(("body", "expected"), REQUEST_CASES, ids=[c[1][:60] for c in REQUEST_CASES])
def test_create_requests_are_refused_naming_the_field(body: dict[str, Any], expected: str) -> None:
    lines = problems(parse_create, body)
    assert any(expected in line for line in lines), lines


def test_update_requests_need_a_component_an_author_and_the_campaign_identity() -> None:
    lines = problems(
        parse_update, {"channel": "PUSH", "campaign_delivery_type": "ONE_TIME", "updated_by": "e@example.com"}
    )
    assert lines == ["body: give at least one component to update: " + ", ".join(COMPONENT_NAMES)]
    lines = problems(parse_update, {"channel": "EMAIL", "utm_params": {"utm_source": "s", "utm_medium": "m"}})
    assert "updated_by: field required" in lines and any(
        line.startswith("campaign_delivery_type: field required") for line in lines
    )
    legacy = parse_update(
        {
            "channel": "PUSH",
            "campaign_delivery_type": "BROADCAST_LIVE_ACTIVITY",
            "updated_by": "e@example.com",
            "basic_details": {"broadcast_live_activity_id": "live_1"},
            "version_note": "new id",
        }
    )
    assert legacy.body()["version_note"] == "new id" and legacy.components() == ["basic_details"]


def test_body_keeps_false_and_custom_utm_keys_and_drops_unset_fields() -> None:
    request = parse_create(
        push(
            segmentation_details={"is_all_user_campaign": True, "send_campaign_to_opt_out_users": False},
            utm_params={"utm_source": "s", "utm_medium": "m", "utm_cust": "v"},
        )
    )
    assert isinstance(request, PushCreateRequest)
    body = request.body()
    assert body["segmentation_details"] == {
        "is_all_user_campaign": True,
        "send_campaign_to_opt_out_users": False,
    }
    assert body["utm_params"] == {"utm_source": "s", "utm_medium": "m", "utm_cust": "v"}
    assert "basic_details" not in body and request.components() == ["segmentation_details", "utm_params"]


def test_validated_requests_are_not_changed_in_shape() -> None:
    flat = EXAMPLES["create"]["push_one_time"]
    keyed = EXAMPLES["create"]["push_multi_locale_ab_variation"]
    for example in (flat, keyed):
        body = fill(copy.deepcopy(example))
        assert parse_create(body).body() == body


# ---------------------------------------------------------------------- schemas served as resources


@pytest.mark.parametrize("component", COMPONENT_NAMES)
def test_each_component_has_a_compact_schema_per_channel(component: str) -> None:
    doc = reference(component)
    assert doc["component"] == component and doc["schemas"]
    text = json.dumps(doc)
    assert '"null"' not in text and '"default": null' not in text
    for channel in COMPONENT_MODELS[component]:
        schema = component_schema(component, channel)
        assert (
            len(json.dumps(schema, separators=(",", ":"))) < 11_000
        )  # the largest, push content, is about 2,700 tokens
        assert schema["type"] == "object" and schema["additionalProperties"] in (False, {"type": "string"})
        assert all("title" not in prop for prop in schema["properties"].values())


def test_schemas_carry_the_published_enums_and_group_shared_models() -> None:
    content = json.dumps(component_schema("campaign_content", "PUSH"))
    for value in ("TIMER_WITH_PROGRESS_BAR", '"Custom"', "FIT_INSIDE_IMAGE_CONTAINER", "REMIND_LATER"):
        assert value in content
    assert set(reference("segmentation_details")["schemas"]) == {"PUSH and EMAIL"}
    assert set(reference("basic_details")["schemas"]) == {"PUSH", "EMAIL"}
    assert set(reference("advanced")["schemas"]) == {"PUSH"}
    assert component_schema("utm_params", "EMAIL")["additionalProperties"] == {"type": "string"}
    with pytest.raises(ValueError, match="unknown component"):
        reference("audience")
