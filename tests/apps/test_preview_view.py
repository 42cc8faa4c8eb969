"""The preview app's view model, built from demo campaigns fetched through the API client."""

from __future__ import annotations

import json
import time

import pytest

from moengage_mcp.api import models as m
from moengage_mcp.apps import META_KEY, PreviewView, campaign_view, personalized_view, preview_meta
from moengage_mcp.apps.email_html import email_links, mark_issues, text_regions
from moengage_mcp.apps.pieces import rendered_pieces, spans, template_pieces

from ..conftest import make_client
from .demo import RICH_PUSH, campaign, render, source

pytestmark = pytest.mark.anyio


def issues(view: PreviewView) -> list[tuple[str, str | None, str]]:
    return [(i.where, i.name, i.issue) for i in view.issues]


async def test_campaign_view_keeps_the_whole_email_and_lists_its_links(sim):
    async with make_client(sim) as api:
        c = await campaign(api, "largest_email")
    view = campaign_view(c)
    html = sim.campaigns[c.id]["campaign_content"]["content"]["email"]["html_content"]
    (tab,) = view.tabs
    email = tab.email
    assert view.kind == "campaign" and view.channel == "EMAIL" and view.campaign.name == c.name
    assert email.html == html and email.html_bytes == len(html.encode()) > 40_000
    assert (
        email.from_address == "hello@news.brightcart.example"
        and email.reply_to_address == "support@brightcart.example"
    )
    assert [p.text for p in email.preview_text] == ["100+ gifts they'll actually love"]
    expr = next(p for p in email.subject if p.expr)
    assert expr.name == "First Name" and expr.text.startswith("{{") and expr.issue is None
    kinds = {link.kind for link in email.links}
    assert kinds == {"link", "image"} and len(email.links) > 50
    hero = next(link for link in email.links if link.url.endswith("hero.jpg"))
    assert hero.tag == "img" and hero.text == "Holiday Gift Guide"
    assert all("&amp;" not in link.url for link in email.links)  # entities decoded, as a browser reads them
    assert json.loads(json.dumps(preview_meta(view)))[META_KEY]["tabs"][0]["email"]["html"] == html


async def test_campaign_view_has_a_tab_per_locale_and_variation_and_the_targeted_platforms(sim):
    async with make_client(sim) as api:
        c = await campaign(api, "valid_multilocale_draft")
    view = campaign_view(c)
    assert [(t.locale, t.variation, t.share) for t in view.tabs] == [
        ("default", "variation_1", 50),
        ("default", "variation_2", 50),
        ("es-ES", "variation_1", 50),
        ("es-ES", "variation_2", 50),
    ]
    assert view.platforms == ["android", "ios"]
    spanish = view.tabs[2]
    assert [p.platform for p in spanish.push] == ["android", "ios"]
    assert "".join(p.text for p in spanish.push[0].title) == "Tu carrito te espera"
    assert spanish.push[0].click_target == "https://www.brightcart.example/es/cart"
    assert spanish.push[0].channel_name == "promotions"


async def test_personalized_push_marks_the_empty_first_name_in_place(sim):
    async with make_client(sim) as api:
        c = await campaign(api, "flaw_no_default_past_start")
        for_sam = await render(api, "PUSH", source(c), "user-1005")
        for_ana = await render(api, "PUSH", source(c), "user-1001")
    common = {"template": c.campaign_content, "platforms": c.basic_details.platforms, "campaign": c}
    sam = personalized_view(
        c.channel, for_sam, user_id="user-1005", user_id_type="USER_ATTRIBUTE_UNIQUE_ID", **common
    )
    ana = personalized_view(
        c.channel, for_ana, user_id="user-1001", user_id_type="USER_ATTRIBUTE_UNIQUE_ID", **common
    )

    assert sam.kind == "personalized" and sam.recipient.user_id == "user-1005"
    title = sam.tabs[0].push[0].title
    assert title[0].issue == "empty" and title[0].text == "" and title[0].name == "First Name"
    assert title[1].text == ", the flash sale ends tonight!" and title[1].issue is None
    assert issues(sam) == [
        ("default/variation_1/android.title", "First Name", "empty"),
        ("default/variation_1/ios.title", "First Name", "empty"),
    ]
    assert sam.tabs[0].issues == 2

    assert ana.issues == [] and ana.tabs[0].issues == 0
    filled = ana.tabs[0].push[1].title[0]
    assert filled.text == "Ana" and filled.expr == "UserAttribute['First Name']" and filled.issue is None


async def test_personalized_email_marks_an_empty_value_inside_the_html(sim):
    async with make_client(sim) as api:
        c = await campaign(api, "flaw_unknown_attribute_http_all_users")
        rendered = await render(api, "EMAIL", source(c), "user-1005")
    view = personalized_view(
        c.channel,
        rendered,
        user_id="user-1005",
        user_id_type="USER_ATTRIBUTE_UNIQUE_ID",
        template=c.campaign_content,
        campaign=c,
    )
    email = view.tabs[0].email
    assert "".join(p.text for p in email.subject) == "Happy birthday, friend!"  # the default filled in
    assert issues(view) == [("default/variation_1.html_content", "Birthday Coupon Code", "empty")]
    assert view.issues[0].marked
    assert (
        'Your code: <mark data-moe-issue="empty"' in email.html
        and ">Birthday Coupon Code</mark>" in email.html
    )
    untouched = rendered.blocks()[0].email.html_content
    assert (
        email.html.replace(email.html[email.html.index("<mark") : email.html.index("</mark>") + 7], "")
        == untouched
    )


async def test_rich_push_shows_carousel_frames_buttons_and_flags_untargeted_content(sim):
    doc = {
        "id": "0" * 24,
        "channel": "PUSH",
        "basic_details": {"name": "Rich", "platforms": ["ANDROID", "IOS", "WEB"]},
        "campaign_content": RICH_PUSH,
    }
    view = campaign_view(m.Campaign.model_validate(doc))
    android, ios, web = view.tabs[0].push
    assert android.template_type == "SIMPLE_IMAGE_CAROUSEL" and len(android.slides) == 3
    assert android.slides[1].image_url.endswith("slide-2.jpg") and android.slides[1].target.endswith("/p/2")
    assert [b.label[0].text for b in android.buttons] == ["Shop now", "Later"]
    assert [p.text for p in android.message] == ["Swipe through this week's picks."]  # HTML shown as text
    assert android.background_color == "#fdf1e6" and [p.text for p in android.summary] == ["Winter edit"]
    assert ios.missing and ios.title is None  # targeted, but the content has no iOS message
    assert web.image_url.endswith("web-hero.jpg") and web.click_target == "https://www.brightcart.example/new"
    assert web.buttons[0].target == "https://www.brightcart.example/new"

    async with make_client(sim) as api:
        rendered = await render(api, "PUSH", RICH_PUSH, "user-1005")
    personal = personalized_view(
        "PUSH",
        rendered,
        user_id="user-1005",
        user_id_type="USER_ATTRIBUTE_UNIQUE_ID",
        template=m.CampaignContent.model_validate(RICH_PUSH),
    )
    assert personal.platforms == ["android", "web"]  # no targets given: the platforms the content has
    assert issues(personal) == [("default/variation_1/android.title", "First Name", "empty")]


def test_without_a_template_only_leftovers_and_empty_fields_are_flagged():
    assert [(p.text, p.issue) for p in rendered_pieces("Hi {{ loop.x }}!", None)] == [
        ("Hi ", None),
        ("{{ loop.x }}", "unresolved"),
        ("!", None),
    ]
    assert [(p.text, p.issue) for p in rendered_pieces("  ", "{{UserAttribute['City']}}")] == [
        ("  ", "empty")
    ]
    # literals that do not line up (a loop expanded): fall back to what is still templated
    assert spans("A, B and C", "{% for x in xs %}{{x}}{% endfor %}") == []
    assert [p.expr for p in template_pieces("{{a}} and {{b}}")] == ["a", None, "b"]
    # two expressions side by side: which produced what cannot be told, so neither is called empty
    assert [(p.text, p.issue) for p in rendered_pieces("AnaSouza", "{{a}}{{b}}")] == [
        ("", None),
        ("AnaSouza", None),
    ]


def test_lining_up_is_one_pass_even_for_long_text_with_short_literals():
    """A backtracking match would take minutes here (four groups over 20,000 spaces)."""
    started = time.monotonic()
    assert spans(" " * 20_000 + "?", "{{a}} {{b}} {{c}} {{d}}!") == []
    found = spans("x" + " " * 20_000 + "y z w!", "{{a}} {{b}} {{c}} {{d}}!")
    assert [s.expr for s in found] == ["a", "b", "c", "d"] and found[0].issue is None
    assert time.monotonic() - started < 1


def test_marks_go_only_where_text_is_displayed():
    html = (
        "<html><head><title>{{t}}</title><style>p{}</style></head><body>"
        '<a href="https://x.example/?u=">Hi </a><!-- c --><p></p></body></html>'
    )
    template = (
        "<html><head><title>{{t}}</title><style>p{}</style></head><body>"
        "<a href=\"https://x.example/?u={{UserAttribute['ID']}}\">Hi {{UserAttribute['First Name']}}</a>"
        "<!-- c --><p>{{UserAttribute['City']}}</p></body></html>"
    )
    found = spans(html, template)
    assert [(s.expr, s.issue) for s in found] == [
        ("t", "unresolved"),
        ("UserAttribute['ID']", "empty"),
        ("UserAttribute['First Name']", "empty"),
        ("UserAttribute['City']", "empty"),
    ]
    marked, unmarked = mark_issues(html, found)
    assert [s.expr for s in unmarked] == ["t", "UserAttribute['ID']"]  # in <title>, in an attribute
    assert (
        '>Hi <mark data-moe-issue="empty" title="{{UserAttribute[&#x27;First Name&#x27;]}} rendered empty">First Name</mark></a>'
        in marked
    )
    assert '<p><mark data-moe-issue="empty"' in marked and ">City</mark></p>" in marked
    regions = [html[a:b] for a, b in text_regions(html) if html[a:b]]
    assert regions == ["Hi "]


def test_links_cover_every_url_attribute_and_css_images():
    html = (
        '<style>.h{background:url("https://cdn.example/bg.png")}</style>'
        '<a href="https://shop.example/a?x=1&amp;y=2"><img src="https://cdn.example/a.png" alt="Boots"></a>'
        '<td background="http://cdn.example/td.png" style="background-image:url(https://cdn.example/s.png)">'
        '<img srcset="https://cdn.example/1x.png 1x, https://cdn.example/2x.png 2x"><a href="mailto:help@shop.example">Help</a>'
    )
    got = [(link.kind, link.tag, link.url, link.text) for link in email_links(html)]
    assert got == [
        ("image", "css", "https://cdn.example/bg.png", None),
        ("link", "a", "https://shop.example/a?x=1&y=2", "Boots"),
        ("image", "img", "https://cdn.example/a.png", "Boots"),
        ("image", "td", "http://cdn.example/td.png", None),
        ("image", "css", "https://cdn.example/s.png", None),
        ("image", "img", "https://cdn.example/1x.png", None),
        ("image", "img", "https://cdn.example/2x.png", None),
        ("link", "a", "mailto:help@shop.example", "Help"),
    ]
