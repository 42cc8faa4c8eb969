"""The preview app in headless Chromium, hosted by the MCP Apps reference SDK's AppBridge.

The host page and its sandbox proxy are served on two loopback origins (tests/apps/browser.py);
the app gets real tool results of the demo workspace (tests/apps/results.py) and the test checks
what a person would see. Nothing leaves the machine: every request that is not loopback is
answered by the test (remote images, with a stand-in PNG) or refused and recorded.
Screenshots go to $MOENGAGE_TEST_SCREENSHOTS (default artifacts/screenshots).
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import pytest

from moengage_mcp.apps import META_KEY, PREVIEW_CSP, preview_html

from ..conftest import mcp_client
from . import browser
from .results import ToolCall, apps_client, forwarded, tool_calls

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SCREENSHOTS = Path(os.environ.get("MOENGAGE_TEST_SCREENSHOTS", browser.ROOT / "artifacts" / "screenshots"))
REMOTE_IMAGES = "https://cdn.brightcart.example/"
HOST_CONTEXT = {
    "theme": "light",
    "displayMode": "inline",
    "availableDisplayModes": ["inline", "fullscreen"],
    "containerDimensions": {"maxWidth": 960},
    "locale": "en-US",
    "platform": "web",
}


@pytest.fixture(scope="module")
def host_bundle(tmp_path_factory) -> Path:
    reason = browser.missing()
    if reason:
        if os.environ.get("MOENGAGE_TEST_REQUIRE_ALL") == "1":
            pytest.fail(f"browser test required (MOENGAGE_TEST_REQUIRE_ALL=1) but {reason}")
        pytest.skip(reason)
    return browser.bundle_host(tmp_path_factory.mktemp("host"))


@pytest.fixture
async def calls(sim, tmp_path) -> dict[str, ToolCall]:
    return await tool_calls(sim, tmp_path)


@dataclass
class Session:
    """One browser page on the test host, and what went over the network."""

    page: Any
    host_url: str
    sandbox_url: str
    remote: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    async def show(self, call: ToolCall, result: dict[str, Any] | None = None) -> Any:
        """Load the host, hand it the app and the tool call; the app's frame once it has rendered."""
        await self.page.goto(self.host_url)
        await self.page.evaluate(
            "args => window.showPreview(args)",
            {
                "sandboxUrl": self.sandbox_url,
                "html": preview_html(),
                "csp": PREVIEW_CSP.model_dump(by_alias=True, exclude_none=True),
                "call": {"arguments": call.arguments, "result": result or call.result},
                "hostContext": HOST_CONTEXT,
            },
        )
        app = self.page.frame_locator("#sandbox").frame_locator("#view")
        await app.locator("header, #status").first.wait_for()
        return app

    async def host_log(self) -> list[dict[str, Any]]:
        return await self.page.evaluate("window.hostLog")

    async def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await self.page.wait_for_timeout(400)  # the host animates nothing, but let size-changed land
        await self.page.locator("#chat").screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@asynccontextmanager
async def session(bundle: Path, tmp_path: Path) -> AsyncIterator[Session]:
    from playwright.async_api import async_playwright

    with browser.serve_host(bundle) as (host_url, sandbox_url):
        async with async_playwright() as pw:
            context = await pw.chromium.launch_persistent_context(
                str(tmp_path / "chromium-profile"),
                executable_path=str(browser.CHROMIUM),
                args=browser.CHROMIUM_FLAGS,
                headless=True,
                viewport={"width": 1000, "height": 900},
            )
            stand_in = browser.png(64, 40, (233, 121, 57))
            s = Session(
                await context.new_page() if not context.pages else context.pages[0], host_url, sandbox_url
            )

            async def route(r: Any) -> None:
                url = r.request.url
                if url.startswith("http://127.0.0.1:"):
                    await r.continue_()
                elif url.startswith(REMOTE_IMAGES):
                    s.remote.append(url)
                    await r.fulfill(status=200, body=stand_in, content_type="image/png")
                else:
                    s.refused.append(url)
                    await r.abort()

            await context.route("**/*", route)
            s.page.on("console", lambda message: s.console.append(message.text))
            try:
                yield s
            finally:
                await context.close()


async def until(
    check: Callable[[], bool], seconds: float = 10, what: Callable[[], Any] = lambda: None
) -> None:
    """Wait for what the browser does on its own time (an image request), failing after `seconds`."""
    for _ in range(int(seconds * 20)):
        if check():
            return
        await anyio.sleep(0.05)
    raise AssertionError(f"timed out waiting for the browser: {what()}")


async def until_loaded(images: Any) -> None:
    """Every image of the locator decoded (the test's stand-in PNG is 64 pixels wide)."""
    for _ in range(200):
        if await images.evaluate_all("imgs => imgs.every(i => i.complete && i.naturalWidth === 64)"):
            return
        await anyio.sleep(0.05)
    raise AssertionError("remote images did not load")


def visible_text(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


async def test_long_email_in_a_sandboxed_frame_with_its_envelope_and_links(host_bundle, calls, tmp_path):
    call = calls["long_email"]
    async with session(host_bundle, tmp_path) as s:
        app = await s.show(call)
        await s.screenshot("email")
        assert "Holiday Gift Guide" in await app.locator("#campaign-name").inner_text()
        subject = app.locator("#email-subject")
        assert visible_text(await subject.inner_text()) == (
            "{{UserAttribute['First Name']|default('Hey')}}, your holiday gift guide is here"
        )
        assert await subject.locator(".expr").count() == 1  # the personalised part, shown as an expression
        assert await app.locator("#email-preheader").inner_text() == "100+ gifts they'll actually love"
        assert (
            visible_text(await app.locator("#email-from").inner_text())
            == "Brightcart <hello@news.brightcart.example>"
        )
        assert await app.locator("#email-reply-to").inner_text() == "support@brightcart.example"

        frame = app.locator("#email-frame")
        assert await frame.get_attribute("sandbox") == ""  # no allow-scripts, no allow-same-origin, nothing
        body = app.frame_locator("#email-frame")
        assert "your holiday gift guide is here" in await body.locator("h1").inner_text()
        view = call.result["_meta"][META_KEY]["tabs"][0]["email"]
        assert await body.locator("a").count() == view["html"].count("<a ")  # the whole 50 KB email is there

        links = app.locator("#links")
        assert f"Links and images ({len(view['links'])}:" in await links.locator("summary").inner_text()
        urls = await links.locator("code.link-url").all_text_contents()  # the list starts folded: 128 rows
        assert urls == [link["url"] for link in view["links"]] and len(urls) > 50
        assert await links.locator("a").count() == 0  # listed as text, never as links

        assert s.remote == [] and s.refused == []  # remote images blocked by default
        assert await app.locator("#images-blocked").is_visible()
        assert any("img-src data:" in line and REMOTE_IMAGES in line for line in s.console)

        await app.locator("#remote-images").check()
        await until(
            lambda: any(url.endswith("/hero.jpg") for url in s.remote),
            what=lambda: (s.remote, s.console[-5:]),
        )
        assert s.refused == []
        await s.screenshot("email-remote-images")

        sizes = [entry["sizeChanged"] for entry in await s.host_log() if "sizeChanged" in entry]
        assert sizes and sizes[-1]["height"] > 560
        assert await s.page.locator("#sandbox").evaluate("f => f.clientHeight") == sizes[-1]["height"]


async def test_push_mockups_for_android_and_ios(host_bundle, calls, tmp_path):
    async with session(host_bundle, tmp_path) as s:
        app = await s.show(calls["push_android_ios"])
        devices = app.locator(".device")
        assert await devices.evaluate_all("ds => ds.map(d => d.dataset.platform)") == ["android", "ios"]
        for platform in ("android", "ios"):
            device = app.locator(f'[data-platform="{platform}"]')
            title = visible_text(await device.locator(".title").inner_text())
            assert (
                title
                == "Black Friday starts early for you, {{UserAttribute['First Name']|default('friend')}}"
            )
            assert await device.locator(".msg").inner_text() == "Members get 24h early access: up to 60% off."
            assert "black-friday?utm_source=moengage" in await device.locator(".tap").inner_text()
        await s.screenshot("push")

        await app.locator("#fullscreen").click()
        await app.locator("#fullscreen", has_text="Exit full screen").wait_for()
        log = await s.host_log()
        assert {"displayMode": "fullscreen"} in log
        initialized = next(entry for entry in log if "initialized" in entry)
        assert initialized["initialized"]["name"] == "moengage-mcp-preview"
        assert initialized["capabilities"] == {"availableDisplayModes": ["inline", "fullscreen"]}
        dark = {**HOST_CONTEXT, "displayMode": "fullscreen", "theme": "dark"}
        await s.page.evaluate("context => window.bridge.setHostContext(context)", dark)
        await app.locator("html[data-theme=dark]").wait_for(state="attached")  # host-context-changed applied
        await s.page.evaluate("window.teardown()")
        assert {"teardown": "answered"} in await s.host_log()


async def test_one_tab_per_locale_and_variation(host_bundle, calls, tmp_path):
    async with session(host_bundle, tmp_path) as s:
        app = await s.show(calls["two_locales"])
        tabs = app.locator("[role=tab]")
        names = [visible_text(t) for t in await tabs.all_inner_texts()]
        assert names == [
            "default · variation_1 50%",
            "default · variation_2 50%",
            "es-ES · variation_1 50%",
            "es-ES · variation_2 50%",
        ]
        await tabs.nth(2).click()
        assert await tabs.nth(2).get_attribute("aria-selected") == "true"
        android = app.locator('[data-platform="android"]')
        assert await android.locator(".title").inner_text() == "Tu carrito te espera"
        await s.screenshot("locales")
        await tabs.nth(2).press("ArrowRight")
        assert await tabs.nth(3).get_attribute("aria-selected") == "true"
        assert (
            "{{UserAttribute['First Name']|default('amigo')}}" in await android.locator(".title").inner_text()
        )


async def test_personalized_push_highlights_the_empty_first_name(host_bundle, calls, tmp_path):
    async with session(host_bundle, tmp_path) as s:
        app = await s.show(calls["personalized_push"])
        assert (
            "Rendered for user-1005 (USER_ATTRIBUTE_UNIQUE_ID)"
            in await app.locator("#recipient").inner_text()
        )
        for platform in ("android", "ios"):
            title = app.locator(f'[data-platform="{platform}"] .title')
            mark = title.locator('mark[data-issue="empty"]')
            assert await mark.inner_text() == "⟨First Name⟩"
            assert await mark.get_attribute("title") == "{{UserAttribute['First Name']}} rendered empty"
            assert await title.inner_text() == "⟨First Name⟩, the flash sale ends tonight!"
        issues = visible_text(await app.locator("#issues").inner_text())
        assert issues.startswith("2 values left empty or unresolved")
        assert "default/variation_1/android.title {{UserAttribute['First Name']}} empty" in issues
        tab = app.locator("[role=tab]")
        assert (
            await tab.locator(".badge").inner_text() == "2"
            and "default · variation_1" in await tab.inner_text()
        )
        await s.screenshot("personalized-push")


async def test_personalized_email_highlights_the_empty_value_in_the_body(host_bundle, calls, tmp_path):
    async with session(host_bundle, tmp_path) as s:
        app = await s.show(calls["personalized_email"])
        assert await app.locator("#email-subject").inner_text() == "Happy birthday, friend!"
        body = app.frame_locator("#email-frame")
        mark = body.locator('mark[data-moe-issue="empty"]')
        assert await mark.inner_text() == "Birthday Coupon Code"
        assert "Your code: Birthday Coupon Code" in visible_text(await body.locator("body").inner_text())
        assert (
            "html_content {{UserAttribute['Birthday Coupon Code']}} empty"
            in await app.locator("#issues").inner_text()
        )
        insecure = app.locator("#links tr", has_text="http://www.brightcart.example/birthday")
        assert "insecure http" in await insecure.inner_text()
        await insecure.get_by_role("button", name="Open").click()  # the host opens it, never the app's frame
        await s.page.wait_for_function("() => window.hostLog.some(entry => entry.openLink)")
        assert {"openLink": "http://www.brightcart.example/birthday"} in await s.host_log()
        await s.screenshot("personalized-email")


async def test_rich_push_carousel_buttons_and_images_behind_the_toggle(host_bundle, calls, tmp_path):
    async with session(host_bundle, tmp_path) as s:
        app = await s.show(calls["rich_push"])
        android = app.locator('[data-platform="android"]')
        assert await android.locator(".title").inner_text() == "Ben, new arrivals"
        assert await android.locator(".msg").inner_text() == "Swipe through this week's picks."
        assert await android.locator(".carousel .slide").count() == 3
        assert await android.locator(".btns > *").all_text_contents() == ["Shop now", "Later"]
        assert "SIMPLE_IMAGE_CAROUSEL" in await android.locator(".label").inner_text()
        assert (
            "slide-2.jpg" in await android.locator(".carousel").inner_text()
        )  # image URLs as text while off
        web = app.locator('[data-platform="web"]')
        assert "www.brightcart.example" in await web.locator(".head").inner_text()
        assert s.remote == []

        await app.locator("#remote-images").check()
        await until(lambda: len(s.remote) == 4)
        assert sorted(u.rsplit("/", 1)[1] for u in s.remote) == [
            "slide-1.jpg",
            "slide-2.jpg",
            "slide-3.jpg",
            "web-hero.jpg",
        ]
        loaded = android.locator(".carousel img")
        await loaded.nth(2).wait_for()
        await until_loaded(loaded)
        await s.screenshot("rich-push")


async def test_hostile_email_html_stays_inert(host_bundle, calls, sim, tmp_path):
    hostile = (
        '<meta http-equiv="refresh" content="0;url=https://evil.example/refresh">'
        "<h1>Hello</h1><script>document.body.append('SCRIPT RAN')</script>"
        '<img src="x" onerror="document.body.append(\'HANDLER RAN\')">'
        '<a id="go" href="https://evil.example/click">Click me</a>'
        '<form action="https://evil.example/form"><button id="send">Send</button></form>'
        '<iframe src="https://evil.example/frame"></iframe><link rel="stylesheet" href="https://evil.example/css">'
    )
    content = {"content": {"email": {"subject": "Hi", "html_content": hostile}}}
    arguments = {"campaign_content": content, "channel": "EMAIL", "user_id": "user-1001"}
    async with apps_client(sim, tmp_path) as client:
        result = forwarded(await client.call_tool("personalized_preview", arguments))
    assert META_KEY in result["_meta"]
    async with session(host_bundle, tmp_path) as s:
        app = await s.show(ToolCall("personalized_preview", arguments, result))
        body = app.frame_locator("#email-frame")
        await body.locator("h1").wait_for()
        await body.locator("#go").click(force=True)
        await body.locator("#send").click(force=True)
        await s.page.wait_for_timeout(1200)
        text = await body.locator("body").inner_text()
        assert "SCRIPT RAN" not in text and "HANDLER RAN" not in text
        assert await body.locator("h1").inner_text() == "Hello"  # the frame never navigated away
        assert s.refused == [] and s.remote == []  # no refresh, click, form, frame or style sheet left
        kinds = await app.locator("#links tbody tr").evaluate_all("rows => rows.map(r => r.dataset.kind)")
        assert kinds.count("link") == 2 and "resource" in kinds


async def test_results_without_the_view_say_so_and_structured_content_is_a_fallback(
    host_bundle, calls, sim, tmp_path
):
    call = calls["two_locales"]
    view = call.result["_meta"][META_KEY]
    async with mcp_client(sim, tmp_path) as client:  # no Apps extension: the result without the view
        plain = forwarded(await client.call_tool(call.name, call.arguments))
    assert META_KEY not in plain["_meta"]
    fallback = {**plain, "structuredContent": {**plain["structuredContent"], META_KEY: view}}
    async with session(host_bundle, tmp_path) as s:
        app = await s.show(call, plain)
        assert "carries no preview data" in await app.locator("#status").inner_text()
        app = await s.show(call, fallback)
        assert await app.locator("[role=tab]").count() == 4
