"""`basic_details`, `campaign_content` and `connector`: what a campaign is called and what it says.

Schemas: PushBasicDetailsV5, EmailBasicDetailsV5, PushCampaignContent, EmailCampaignContent and
their parts in campaigns-v5.yaml; rules: campaign-content-reference.mdx, "Validation rules".
Where that page and the OpenAPI file disagree on an enum (Android `slider_transition` case,
`sherpa_distribution_metric` spelling), the OpenAPI file wins: the page itself says the spec is
the authoritative source for field types and enums.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Discriminator, Field, Tag

from .base import (
    ClickAction,
    Component,
    Email,
    Granularity,
    IsoDateTime,
    Platform,
    Problem,
    Text,
    required_when,
)

# --------------------------------------------------------------------------- basic_details


class Geofences(Component):
    """Required for LOCATION_TRIGGERED campaigns. triggered_at dwell (lower case) needs dwell_time_value and
    dwell_time_granularity."""

    name: str
    latitude: str
    longitude: str
    radius: str
    dwell_time_value: str | None = None
    dwell_time_granularity: Granularity | None = None
    response_time_value: str
    response_time_granularity: Granularity
    triggered_at: Literal["ENTRY", "EXIT", "dwell"]

    def _problems(self) -> Iterator[Problem]:
        if self.triggered_at == "dwell":
            yield from required_when(
                self, "triggered_at is dwell", "dwell_time_value", "dwell_time_granularity"
            )


class AndroidFlags(Component):
    push_amp_plus_enabled: bool | None = None


class IosFlags(Component):
    """Exactly one of the three flags must be true."""

    send_to_all_eligible_device: bool | None = None
    exclude_provisional_push_devices: bool | None = None
    send_to_only_provisional_push_enabled_devices: bool | None = None

    def _problems(self) -> Iterator[Problem]:
        flags = (
            self.send_to_all_eligible_device,
            self.exclude_provisional_push_devices,
            self.send_to_only_provisional_push_enabled_devices,
        )
        if sum(flag is True for flag in flags) != 1:
            yield (
                "",
                (
                    "exactly one of send_to_all_eligible_device, exclude_provisional_push_devices and "
                    "send_to_only_provisional_push_enabled_devices must be true"
                ),
            )


class PlatformSpecificDetails(Component):
    android: AndroidFlags | None = None
    ios: IosFlags | None = None


class PushBasicDetails(Component):
    """business_event is required for BUSINESS_EVENT_TRIGGERED campaigns, geofences for LOCATION_TRIGGERED
    ones."""

    name: str | None = None
    business_event: str | None = None
    tags: list[str] | None = None
    team: str | None = None
    platforms: list[Platform] | None = None
    broadcast_live_activity_id: str | None = None
    geofences: Geofences | None = None
    send_to_triggered_platform_only: bool | None = None
    platform_specific_details: PlatformSpecificDetails | None = None


class EmailBasicDetails(Component):
    """subscription_category is required when content_type is PROMOTIONAL, business_event for
    BUSINESS_EVENT_TRIGGERED campaigns."""

    name: str | None = None
    business_event: str | None = None
    content_type: Literal["PROMOTIONAL", "TRANSACTIONAL"] | None = None
    subscription_category: str | None = None
    tags: list[str] | None = None
    team: str | None = None
    user_attribute_identifier: str | None = None

    def _problems(self) -> Iterator[Problem]:
        if self.content_type == "PROMOTIONAL":
            yield from required_when(self, "content_type is PROMOTIONAL", "subscription_category")


# --------------------------------------------------------------------------- push content


class KeyValuePair(Component):
    key: str | None = None
    value: str | None = None


class Slide(Component):
    """image_click_action needs image_click_action_value."""

    image_url: str | None = None
    image_click_action: ClickAction | None = None
    image_click_action_value: str | None = None
    key_value_pairs: list[KeyValuePair] | None = None

    def _problems(self) -> Iterator[Problem]:
        if self.image_click_action is not None:
            yield from required_when(self, "image_click_action is set", "image_click_action_value")


class Carousel(Component):
    slider_transition: Literal["MANUAL", "AUTOMATIC"] | None = None
    slide_data: list[Slide] | None = None


class AndroidTemplateBackup(Component):
    """The fallback notification shown where the template cannot render."""

    title: str | None = None
    message: str | None = None
    summary: str | None = None
    image_url: str | None = None
    default_click_action: ClickAction | None = None
    default_click_action_value: str | None = None
    key_value_pairs: list[KeyValuePair] | None = None


class AndroidBasicDetails(AndroidTemplateBackup):
    """The fallback's fields plus each template's own (colours, banner, carousel, GIF)."""

    notification_channel: str | None = None
    input_gif_url: str | None = None
    background_color_code: str | None = None
    app_name_color_code: str | None = None
    notification_control_color: Literal["LIGHT", "DARK"] | None = None
    apply_background_color_in_text_editor: bool | None = None
    include_app_name_and_time: bool | None = None
    include_title_and_message: bool | None = None
    banner_image_url: str | None = None
    collapsed_push_notification: str | None = None
    image_scaling: Literal["FIT_INSIDE_IMAGE_CONTAINER", "FILL_IMAGE_CONTAINER"] | None = None
    carousel_content: Carousel | None = None


class AndroidTimer(Component):
    """personalized_value true needs specific_time; false or unset, duration_hour and duration_minute.
    timer_ends_at SPECIFIC_TIME_* needs time_period."""

    timer_ends_at: (
        Literal["DURATION", "SPECIFIC_TIME_USER_TIMEZONE", "SPECIFIC_TIME_CAMPAIGN_TIMEZONE"] | None
    ) = None
    specific_time: IsoDateTime | None = None
    time_period: str | None = None
    personalized_value: bool | None = None
    duration_hour: str | None = None
    duration_minute: str | None = None

    def _problems(self) -> Iterator[Problem]:
        if self.personalized_value:
            yield from required_when(self, "personalized_value is true", "specific_time")
        else:  # "If false, all users get the same duration"
            yield from required_when(
                self, "personalized_value is false or unset", "duration_hour", "duration_minute"
            )
        if self.timer_ends_at in ("SPECIFIC_TIME_USER_TIMEZONE", "SPECIFIC_TIME_CAMPAIGN_TIMEZONE"):
            yield from required_when(self, f"timer_ends_at is {self.timer_ends_at}", "time_period")


class AndroidButton(Component):
    btn_name: str | None = None
    click_action_type: (
        Literal[
            "DEEPLINKING",
            "NAVIGATE_TO_A_SCREEN",
            "RICH_LANDING",
            "CALL",
            "SHARE",
            "COPY",
            "SET_USER_ATTRIBUTE",
            "TRACK_EVENT",
            "CUSTOM_ACTION",
            "SNOOZE",
            "REMIND_LATER",
        ]
        | None
    ) = None
    click_action_name: str | None = None
    click_action_value: str | None = None
    key_value_pairs: list[KeyValuePair] | None = None


class AndroidAdvanced(Component):
    """make_notification_sticky or auto_dismiss_notification needs dismiss_button_text;
    auto_dismiss_notification also the auto-dismiss time value and granularity."""

    coupon_code: str | None = None
    icon_type_in_notification: str | None = None
    use_large_icon: bool | None = None
    make_notification_sticky: bool | None = None
    dismiss_button_text: str | None = None
    auto_dismiss_notification: bool | None = None
    auto_dismiss_notification_time_value: int | None = None
    auto_dismiss_notification_time_granularity: Literal["DAYS", "HOURS", "MINUTES"] | None = None
    group_key: str | None = None
    collapse_replace_key: str | None = None

    def _problems(self) -> Iterator[Problem]:
        if self.make_notification_sticky or self.auto_dismiss_notification:
            yield from required_when(
                self, "make_notification_sticky or auto_dismiss_notification is true", "dismiss_button_text"
            )
        if self.auto_dismiss_notification:
            yield from required_when(
                self,
                "auto_dismiss_notification is true",
                "auto_dismiss_notification_time_value",
                "auto_dismiss_notification_time_granularity",
            )


class _Templated(Component):
    """Push content of one platform: each template type needs its own parts (NEEDS)."""

    NEEDS: ClassVar[dict[str, tuple[str, ...]]] = {}

    def _problems(self) -> Iterator[Problem]:
        template = getattr(self, "template_type", None)
        if template in self.NEEDS:
            yield from required_when(self, f"template_type is {template}", *self.NEEDS[template])
        if self.present("custom_template_id") and template != "Custom":
            yield (
                "custom_template_id",
                "only with template_type Custom (a template id means a Custom template)",
            )


class AndroidPushContent(_Templated):
    """Custom (mixed case) needs custom_template_id. STYLIZED_BASIC, SIMPLE_IMAGE_CAROUSEL,
    IMAGE_BANNER_WITH_TEXT, TIMER and TIMER_WITH_PROGRESS_BAR need template_backup; SIMPLE_IMAGE_CAROUSEL
    also basic_details.carousel_content, IMAGE_BANNER_WITH_TEXT basic_details.banner_image_url, the TIMER
    types timer."""

    NEEDS: ClassVar[dict[str, tuple[str, ...]]] = {
        "STYLIZED_BASIC": ("template_backup",),
        "SIMPLE_IMAGE_CAROUSEL": ("template_backup", "basic_details.carousel_content"),
        "IMAGE_BANNER_WITH_TEXT": ("template_backup", "basic_details.banner_image_url"),
        "TIMER": ("template_backup", "timer"),
        "TIMER_WITH_PROGRESS_BAR": ("template_backup", "timer"),
        "Custom": ("custom_template_id",),
    }

    template_type: (
        Literal[
            "BASIC",
            "STYLIZED_BASIC",
            "SIMPLE_IMAGE_CAROUSEL",
            "IMAGE_BANNER_WITH_TEXT",
            "TIMER",
            "TIMER_WITH_PROGRESS_BAR",
            "Custom",
        ]
        | None
    ) = None
    custom_template_id: str | None = None
    custom_template_version: int | None = None
    basic_details: AndroidBasicDetails | None = None
    timer: AndroidTimer | None = None
    buttons: list[AndroidButton] | None = None
    advanced: AndroidAdvanced | None = None
    template_backup: AndroidTemplateBackup | None = None


class IosTemplateBackup(Component):
    """The fallback notification shown where the template cannot render."""

    title: str | None = None
    message: str | None = None
    subtitle: str | None = None
    allow_bg_refresh: bool | None = None
    rich_media_type: Literal["Image", "Video", "GIF"] | None = None
    rich_media_value: str | None = None
    default_click_action: ClickAction | None = None
    default_click_action_value: str | None = None
    key_value_pairs: list[KeyValuePair] | None = None


class IosBasicDetails(IosTemplateBackup):
    """The fallback's fields plus each template's own (image, GIF, background, carousel)."""

    input_gif_url: str | None = None
    image_url: str | None = None
    background_color_code: str | None = None
    apply_background_color_in_text_editor: bool | None = None
    carousel_content: Carousel | None = None


class IosButton(Component):
    button_category: str | None = None


class IosAdvanced(Component):
    coupon_code: str | None = None
    sound_file: str | None = None
    enable_ios_badge: bool | None = None
    group_key: str | None = None
    collapse_replace_key: str | None = None


class IosPushContent(_Templated):
    """Custom needs custom_template_id. STYLIZED_BASIC and SIMPLE_IMAGE_CAROUSEL need template_backup;
    SIMPLE_IMAGE_CAROUSEL also basic_details.image_url and basic_details.carousel_content."""

    NEEDS: ClassVar[dict[str, tuple[str, ...]]] = {
        "STYLIZED_BASIC": ("template_backup",),
        "SIMPLE_IMAGE_CAROUSEL": (
            "template_backup",
            "basic_details.image_url",
            "basic_details.carousel_content",
        ),
        "Custom": ("custom_template_id",),
    }

    template_type: Literal["BASIC", "STYLIZED_BASIC", "SIMPLE_IMAGE_CAROUSEL", "Custom"] | None = None
    custom_template_id: str | None = None
    custom_template_version: int | None = None
    basic_details: IosBasicDetails | None = None
    buttons: list[IosButton] | None = None
    advanced: IosAdvanced | None = None
    template_backup: IosTemplateBackup | None = None


class WebBasicDetails(Component):
    title: str | None = None
    message: str | None = None
    redirect_url: str | None = None
    image_url: str | None = None
    auto_dismiss_notification: bool | None = None


class WebButton(Component):
    title: str | None = None
    icon_url: str | None = None
    url: str | None = None


class WebAdvanced(Component):
    """icon_image_type ICON_URL needs icon_url."""

    icon_image_type: Literal["DEFAULT", "ICON_URL"] | None = None
    icon_url: str | None = None

    def _problems(self) -> Iterator[Problem]:
        if self.icon_image_type == "ICON_URL":
            yield from required_when(self, "icon_image_type is ICON_URL", "icon_url")


class WebPushContent(Component):
    template_type: Literal["BASIC"] | None = None
    basic_details: WebBasicDetails | None = None
    buttons: list[WebButton] | None = None
    advanced: WebAdvanced | None = None


class PushMessage(Component):
    android: AndroidPushContent | None = None
    ios: IosPushContent | None = None
    web: WebPushContent | None = None


class PushBlock(Component):
    push: PushMessage


# --------------------------------------------------------------------------- email content


class Attachment(Component):
    file_type: Literal["URL", "PERSONALIZED_ATTACHMENT"] | None = None
    url: str | None = None


class EmailMessage(Component):
    """Exactly one of html_content and custom_template_id (a saved template brings subject and sender)."""

    subject: str | None = None
    preview_text: str | None = None
    sender_name: str | None = None
    from_address: Email | None = None
    reply_to_address: Email | None = None
    cc_ids: list[Email] | None = None
    bcc_ids: list[Email] | None = None
    html_content: str | None = None
    email_editor: Literal["Froala Editor", "Ace Editor"] | None = None
    custom_template_id: str | None = None
    custom_template_version: int | None = None
    attachments: list[Attachment] | None = None

    def _problems(self) -> Iterator[Problem]:
        if self.present("html_content") == self.present("custom_template_id"):
            yield (
                "html_content",
                "give exactly one of html_content and custom_template_id (they are mutually exclusive)",
            )


class EmailBlock(Component):
    email: EmailMessage


class Connector(Component):
    """Required on EMAIL campaigns: a connector of the workspace (Settings > Email > Connectors)."""

    connector_type: Text
    connector_name: Text


# --------------------------------------------------------------------------- locales and variations

_VARIATION_KEY = re.compile(r"^variation_([1-9][0-9]*)$")


class VariationDetails(Component):
    """MANUAL needs manual_distribution_percentage: keys variation_1..variation_N, positive percentages
    summing to 100. SHERPA needs sherpa_campaign_duration (hours) and sherpa_distribution_metric."""

    distribution_type: Literal["SHERPA", "MANUAL"] | None = None
    no_of_variations: Annotated[int, Field(ge=1)] | None = None
    manual_distribution_percentage: dict[str, Annotated[int, Field(ge=1, le=100)]] | None = None
    sherpa_campaign_duration: int | None = None
    sherpa_distribution_metric: Literal["OPEN_RATE", "CLICK_RATE", "BOTH"] | None = None

    @property
    def count(self) -> int:
        return self.no_of_variations or len(self.manual_distribution_percentage or {}) or 1

    def _problems(self) -> Iterator[Problem]:
        if self.distribution_type == "SHERPA":
            yield from required_when(
                self, "distribution_type is SHERPA", "sherpa_campaign_duration", "sherpa_distribution_metric"
            )
        if self.distribution_type == "MANUAL":
            yield from required_when(self, "distribution_type is MANUAL", "manual_distribution_percentage")
        split = self.manual_distribution_percentage
        if split:
            expected = [f"variation_{n}" for n in range(1, self.count + 1)]
            if sorted(split) != sorted(expected):
                yield (
                    "manual_distribution_percentage",
                    f"keys must be {', '.join(expected)} (one per variation)",
                )
            elif sum(split.values()) != 100:
                yield (
                    "manual_distribution_percentage",
                    f"percentages must sum to 100, not {sum(split.values())}",
                )


def _shape(value: Any) -> str:
    """Flat (`{push: ...}` / `{email: ...}`, or a block already validated), or keyed by locale and
    variation."""
    if isinstance(value, (PushBlock, EmailBlock)):
        return "flat"
    return "flat" if isinstance(value, dict) and ({"push", "email"} & value.keys()) else "keyed"


PushContentShape = Annotated[
    Annotated[PushBlock, Tag("flat")] | Annotated[dict[str, dict[str, PushBlock]], Tag("keyed")],
    Discriminator(_shape),
]
EmailContentShape = Annotated[
    Annotated[EmailBlock, Tag("flat")] | Annotated[dict[str, dict[str, EmailBlock]], Tag("keyed")],
    Discriminator(_shape),
]


class _Localised(Component):
    """Locales and variations of `campaign_content` and the keys of `content` they allow."""

    locales: list[str] | None = None
    variation_details: VariationDetails | None = None

    def _problems(self) -> Iterator[Problem]:
        locales = self.locales or []
        if "default" in locales:
            yield "locales", 'list only the non-default locales: "default" is always present'
        content = getattr(self, "content", None)
        if content is None:
            return
        if not isinstance(content, dict):
            if locales or self.variation_details is not None:
                keyed = "must be keyed by locale and variation (content.default.variation_1...)"
                yield "content", f"{keyed} when locales or variation_details are set"
            return
        yield from self._keyed_problems(content, locales)

    def _keyed_problems(self, content: dict[str, dict[str, Any]], locales: list[str]) -> Iterator[Problem]:
        if "default" not in content:
            yield "content", 'the "default" locale is required (content.default.variation_1...)'
        count = self.variation_details.count if self.variation_details else 1
        allowed = ", ".join(f"variation_{n}" for n in range(1, count + 1))
        for locale, variations in content.items():
            if locale != "default" and locale not in locales:
                yield f"content.{locale}", f"locale {locale} is not listed in locales"
            for key in variations:
                found = _VARIATION_KEY.match(key)
                if found is None or int(found.group(1)) > count:
                    yield f"content.{locale}.{key}", f"unknown variation; allowed: {allowed}"


class PushCampaignContent(_Localised):
    """content is flat ({"push": ...}) when no locales or variations are set, else keyed
    content[locale][variation_N] = {"push": ...} with a "default" locale; locales lists the others."""

    content: PushContentShape | None = None


class EmailCampaignContent(_Localised):
    """content is flat ({"email": ...}) when no locales or variations are set, else keyed
    content[locale][variation_N] = {"email": ...} with a "default" locale; locales lists the others."""

    content: EmailContentShape | None = None
