"""The `ui://moengage/preview` MCP App: its resource and the view model it renders.

`get_campaign` and `personalized_preview` results, for clients that negotiated MCP Apps, carry a
`PreviewView` in the result's `_meta` under `META_KEY` (`preview_meta(view)` builds that entry).
The app reads it from the `ui/notifications/tool-result` the host forwards, never calling the API
itself. `_meta` rather than `structuredContent`: the Apps spec (2026-01-26, "Data Passing") keeps
`_meta` for data not meant for the model, and `structuredContent` must keep today's shape (the
tool's output schema, email HTML shortened). The app falls back to `structuredContent[META_KEY]`
for hosts that do not forward `_meta`.

The view carries the content whole (an email's full HTML), built by pure functions from the API
models: `campaign_view` for a campaign as written, `personalized_view` for content rendered for
one user, where values that came out empty or unresolved are flagged in place.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Sequence
from importlib import resources
from typing import Any, Literal

from mcp.server.apps import APP_MIME_TYPE, ResourceCsp
from pydantic import BaseModel

from ..api import models as m
from .email_html import Link, email_links, mark_issues
from .pieces import Issue, Piece, expression_name, rendered_pieces, spans, template_pieces

PREVIEW_URI = "ui://moengage/preview"
PREVIEW_MIME_TYPE = APP_MIME_TYPE
PREVIEW_NAME = "Campaign preview"
PREVIEW_DESCRIPTION = (
    "Email in a sandboxed frame and push notification mock-ups, one tab per locale and variation."
)
META_KEY = "moengage-mcp/preview"
"""Where a tool result's `_meta` (or, as a fallback, `structuredContent`) holds the `PreviewView`."""
VIEW_VERSION = 1

PREVIEW_CSP = ResourceCsp(resource_domains=["https:"])
"""What the app may load besides itself: images over https, and nothing else that the app's own
policy lets through (its meta CSP allows no remote script, style, font, connection or frame).
Remote images are still off until the user turns them on: the email frame's own CSP then allows
them, and push mock-ups show image URLs as text until then. No connect, frame or base-uri domains."""

_PLATFORMS = ("android", "ios", "web")
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


# --------------------------------------------------------------------------- the view model


class CampaignInfo(BaseModel):
    id: str
    name: str | None = None
    channel: str | None = None
    status: str | None = None
    delivery_type: str | None = None


class Recipient(BaseModel):
    """Whom a personalized preview was rendered for."""

    user_id: str
    user_id_type: str


class Button(BaseModel):
    label: list[Piece]
    action: str | None = None
    target: str | None = None


class Slide(BaseModel):
    """One frame of a carousel template."""

    image_url: str | None = None
    action: str | None = None
    target: str | None = None


class PushView(BaseModel):
    """One platform's notification. `missing`: the campaign targets the platform but has no content for it."""

    platform: Literal["android", "ios", "web"]
    missing: bool = False
    template_type: str | None = None
    custom_template_id: str | None = None
    title: list[Piece] | None = None
    message: list[Piece] | None = None
    """Android allows HTML here; it is shown as text (tags removed)."""
    summary: list[Piece] | None = None
    """Android summary, iOS subtitle."""
    image_url: str | None = None
    click_action: str | None = None
    click_target: str | None = None
    buttons: list[Button] = []
    button_category: str | None = None
    """iOS buttons are a category defined in the app, not listed in the campaign."""
    slides: list[Slide] = []
    background_color: str | None = None
    channel_name: str | None = None
    """Android notification channel."""


class EmailView(BaseModel):
    subject: list[Piece] | None = None
    preview_text: list[Piece] | None = None
    sender_name: list[Piece] | None = None
    from_address: str | None = None
    reply_to_address: str | None = None
    html: str | None = None
    """The whole HTML. In a personalized view, values that rendered empty or unresolved in displayed
    text are wrapped in `<mark data-moe-issue="empty|unresolved">` (an empty one labelled with the
    attribute's name); nothing else is changed."""
    html_bytes: int | None = None
    custom_template_id: str | None = None
    links: list[Link] = []


class SmsView(BaseModel):
    message: list[Piece] | None = None
    template_id: str | None = None


class Tab(BaseModel):
    """One locale and variation."""

    locale: str
    variation: str
    share: int | None = None
    """The variation's percentage of the audience, where the split is manual."""
    email: EmailView | None = None
    push: list[PushView] = []
    sms: SmsView | None = None
    issues: int = 0


class IssueView(BaseModel):
    """A personalised value that rendered empty or unresolved."""

    where: str
    """`locale/variation[/platform].field`, as personalized_preview names fields."""
    expr: str | None = None
    name: str | None = None
    issue: Issue
    marked: bool = True
    """False where it could not be highlighted in place (inside an HTML attribute such as a link)."""


class PreviewView(BaseModel):
    """What the preview app renders for one tool result."""

    version: int = VIEW_VERSION
    kind: Literal["campaign", "personalized"]
    channel: str | None = None
    campaign: CampaignInfo | None = None
    platforms: list[str] = []
    """Push platforms shown (lower case), the ones the campaign targets where it says."""
    recipient: Recipient | None = None
    tabs: list[Tab] = []
    issues: list[IssueView] = []


# --------------------------------------------------------------------------- builders


def campaign_view(campaign: m.Campaign) -> PreviewView:
    """A campaign's content as written: `{{ }}` expressions kept (and labelled), email HTML whole."""
    content = campaign.campaign_content or m.CampaignContent()
    platforms = _targets(campaign.basic_details.platforms, content)
    texts = _Texts(personalized=False)
    tabs = [_tab(block, None, content, platforms, texts) for block in content.blocks()]
    return PreviewView(
        kind="campaign",
        channel=_text(campaign.channel),
        campaign=_info(campaign),
        platforms=platforms,
        tabs=tabs,
    )


def personalized_view(
    channel: Any,
    rendered: m.CampaignContent,
    *,
    user_id: str,
    user_id_type: Any,
    template: m.CampaignContent | None = None,
    platforms: Sequence[Any] = (),
    campaign: m.Campaign | None = None,
) -> PreviewView:
    """Content rendered for one user (the preview endpoint's `personalized_content`).

    `template` is the content that was rendered (a saved campaign's or the inline one): with it,
    each value that rendered empty is found and marked where it stands; without it only fields
    that came out empty as a whole, and `{{ }}` left in the output, are flagged. `platforms` are
    the push platforms the campaign targets (all in the content when not given)."""
    template = template or m.CampaignContent()
    sources = {(b.locale, b.variation): b for b in template.blocks()}
    shown = _targets(platforms, rendered)
    texts = _Texts(personalized=True)
    tabs = [
        _tab(block, sources.get((block.locale, block.variation)), template, shown, texts)
        for block in rendered.blocks()
    ]
    return PreviewView(
        kind="personalized",
        channel=_text(channel),
        campaign=_info(campaign) if campaign else None,
        platforms=shown,
        recipient=Recipient(user_id=user_id, user_id_type=_text(user_id_type) or "USER_ATTRIBUTE_UNIQUE_ID"),
        tabs=tabs,
        issues=texts.issues,
    )


def preview_meta(view: PreviewView) -> dict[str, Any]:
    """The entry to merge into a tool result's `_meta` for clients with the Apps extension."""
    return {META_KEY: view.model_dump(mode="json", exclude_none=True)}


class _Texts:
    """Turns content values into pieces, collecting the problems a personalized view finds."""

    def __init__(self, *, personalized: bool) -> None:
        self.personalized = personalized
        self.issues: list[IssueView] = []

    def __call__(
        self, value: Any, template: Any, where: str, *, strip_tags: bool = False
    ) -> list[Piece] | None:
        if not isinstance(value, str):
            return None
        if not self.personalized:
            return template_pieces(_TAGS.sub("", value) if strip_tags else value)
        pieces = rendered_pieces(value, template if isinstance(template, str) else None)
        if strip_tags:
            pieces = [p.model_copy(update={"text": _TAGS.sub("", p.text)}) for p in pieces]
        self.issues += [
            IssueView(where=where, expr=p.expr, name=p.name, issue=p.issue) for p in pieces if p.issue
        ]
        return pieces

    def html(self, value: str, template: Any, where: str) -> str:
        """The email HTML; in a personalized view with its problems marked in place."""
        if not self.personalized:
            return value
        found = [s for s in spans(value, template if isinstance(template, str) else None) if s.issue]
        marked, unmarked = mark_issues(value, found)
        for span in found:
            self.issues.append(
                IssueView(
                    where=where,
                    expr=span.expr,
                    name=expression_name(span.expr),
                    issue=span.issue or "empty",
                    marked=span not in unmarked,
                )
            )
        return marked


def _tab(
    block: m.ContentBlock,
    source: m.ContentBlock | None,
    content: m.CampaignContent,
    platforms: list[str],
    texts: _Texts,
) -> Tab:
    before = len(texts.issues)
    where = f"{block.locale}/{block.variation}"
    tab = Tab(locale=block.locale, variation=block.variation, share=_share(content, block.variation))
    if block.email:
        tab.email = _email(block.email, source.email if source else None, where, texts)
    if block.push:
        tab.push = _pushes(block.push, source.push if source else None, platforms, where, texts)
    if block.sms:
        template = source.sms.message if source and source.sms else None
        tab.sms = SmsView(
            message=texts(block.sms.message, template, f"{where}.message"), template_id=block.sms.template_id
        )
    tab.issues = len(texts.issues) - before
    return tab


def _email(email: m.EmailContent, source: m.EmailContent | None, where: str, texts: _Texts) -> EmailView:
    def field(name: str) -> list[Piece] | None:
        return texts(getattr(email, name), getattr(source, name, None), f"{where}.{name}")

    html = email.html_content
    return EmailView(
        subject=field("subject"),
        preview_text=field("preview_text"),
        sender_name=field("sender_name"),
        from_address=email.from_address,
        reply_to_address=email.reply_to_address,
        html=texts.html(html, getattr(source, "html_content", None), f"{where}.html_content")
        if html
        else None,
        html_bytes=len(html.encode()) if html else None,
        custom_template_id=email.custom_template_id,
        links=email_links(html) if html else [],
    )


def _pushes(
    push: m.PushContent, source: m.PushContent | None, platforms: list[str], where: str, texts: _Texts
) -> list[PushView]:
    present = push.platforms()
    views = []
    for platform in platforms:
        payload = present.get(platform)
        if payload is None:
            views.append(PushView(platform=platform, missing=True))  # type: ignore[arg-type]
        else:
            template = source.platforms().get(platform) if source else None
            views.append(_push(platform, payload, template, f"{where}/{platform}", texts))
    return views


def _push(
    platform: str,
    payload: m.PushPlatformContent,
    source: m.PushPlatformContent | None,
    where: str,
    texts: _Texts,
) -> PushView:
    details = payload.basic_details or m.PushBasicDetails()
    origin = (source.basic_details if source else None) or m.PushBasicDetails()

    def field(name: str, *, strip_tags: bool = False) -> list[Piece] | None:
        return texts(
            getattr(details, name, None),
            getattr(origin, name, None),
            f"{where}.{name}",
            strip_tags=strip_tags,
        )

    raw_buttons = [b for b in payload.buttons if isinstance(b, dict)]
    source_buttons = [b for b in (source.buttons if source else []) if isinstance(b, dict)]
    buttons = [
        Button(
            label=texts(
                _label(b),
                _label(source_buttons[i]) if i < len(source_buttons) else None,
                f"{where}.buttons[{i}]",
            )
            or [],
            action=b.get("click_action_type"),
            target=b.get("click_action_value") or b.get("url"),
        )
        for i, b in enumerate(raw_buttons)
        if _label(b) is not None
    ]
    carousel = getattr(details, "carousel_content", None)
    slides = [
        Slide(
            image_url=s.get("image_url"),
            action=s.get("image_click_action"),
            target=s.get("image_click_action_value"),
        )
        for s in (carousel.get("slide_data") or [] if isinstance(carousel, dict) else [])
        if isinstance(s, dict)
    ]
    category = next((b.get("button_category") for b in raw_buttons if b.get("button_category")), None)
    return PushView(
        platform=platform,  # type: ignore[arg-type]
        template_type=payload.template_type,
        custom_template_id=payload.custom_template_id,
        title=field("title"),
        message=field("message", strip_tags=True),
        summary=field("summary") or field("subtitle"),
        image_url=_image(details),
        click_action=details.default_click_action,
        click_target=details.click_target,
        buttons=buttons,
        button_category=category,
        slides=slides,
        background_color=getattr(details, "background_color_code", None),
        channel_name=getattr(details, "notification_channel", None),
    )


def _label(button: dict[str, Any]) -> str | None:
    label = button.get("btn_name", button.get("title"))
    return label if isinstance(label, str) else None


def _image(details: m.PushBasicDetails) -> str | None:
    """The picture a notification shows: its image, banner, GIF or (iOS) image/GIF rich media."""
    rich = (
        getattr(details, "rich_media_value", None)
        if getattr(details, "rich_media_type", None) != "Video"
        else None
    )
    for url in (
        details.image_url,
        getattr(details, "banner_image_url", None),
        getattr(details, "input_gif_url", None),
        rich,
    ):
        if isinstance(url, str) and url:
            return url
    return None


def _targets(platforms: Sequence[Any], content: m.CampaignContent) -> list[str]:
    """The push platforms to show: the targeted ones, else every one the content has."""
    wanted = {str(_text(p)).lower() for p in platforms}
    if not wanted:
        wanted = {name for block in content.blocks() if block.push for name in block.push.platforms()}
    return [p for p in _PLATFORMS if p in wanted]


def _share(content: m.CampaignContent, variation: str) -> int | None:
    split = content.variation_details.manual_distribution_percentage if content.variation_details else None
    return split.get(variation) if split else None


def _info(campaign: m.Campaign) -> CampaignInfo:
    return CampaignInfo(
        id=campaign.id,
        name=campaign.name,
        channel=_text(campaign.channel),
        status=_text(campaign.status),
        delivery_type=_text(campaign.campaign_delivery_type),
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(getattr(value, "value", value))


# --------------------------------------------------------------------------- the resource


@functools.cache
def preview_html() -> str:
    """The app's HTML, shipped in this package (nothing is fetched at run time). Its CSP allows its
    one inline script by hash, computed here so the policy always matches the script."""
    page = resources.files(__package__).joinpath("preview.html").read_text(encoding="utf-8")
    scripts = _SCRIPT.findall(page)
    if len(scripts) != 1:
        raise RuntimeError("preview.html must hold exactly one inline <script>")
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    return page.replace("'sha256-SCRIPT'", f"'sha256-{digest}'", 1)
