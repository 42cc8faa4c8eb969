"""The preview app as an MCP resource: URI, MIME type, CSP, and the HTML it ships."""

from __future__ import annotations

import base64
import hashlib
import re
from importlib import resources

import pytest
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID

from moengage_mcp.apps import (
    PREVIEW_CSP,
    PREVIEW_DESCRIPTION,
    PREVIEW_MIME_TYPE,
    PREVIEW_NAME,
    PREVIEW_URI,
    preview_html,
)

from ..conftest import mcp_client

pytestmark = pytest.mark.anyio


def meta_csp(html: str) -> dict[str, str]:
    content = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    return {d.split()[0]: " ".join(d.split()[1:]) for d in (p.strip() for p in content.split(";")) if d}


def test_constants_name_an_apps_resource():
    assert PREVIEW_URI == "ui://moengage/preview"
    assert PREVIEW_MIME_TYPE == APP_MIME_TYPE == "text/html;profile=mcp-app"
    assert PREVIEW_CSP.model_dump(by_alias=True, exclude_none=True) == {"resourceDomains": ["https:"]}


def test_the_app_is_small_self_contained_and_allows_only_its_own_script():
    html = preview_html()
    size = len(html.encode())
    assert size < 60_000, size
    (script,) = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    csp = meta_csp(html)
    assert csp["script-src"] == f"'sha256-{digest}'"
    assert csp["default-src"] == csp["connect-src"] == csp["frame-src"] == csp["object-src"] == "'none'"
    assert csp["base-uri"] == csp["form-action"] == csp["font-src"] == "'none'"
    assert csp["img-src"] == "data: https:" and csp["style-src"] == "'unsafe-inline'"
    # nothing fetched at run time: no external script, style sheet, import or network call
    assert not re.search(r"<(script|link|img|iframe)[^>]*\s(src|href)=", html, re.IGNORECASE)
    assert not re.search(r"@import|fetch\(|XMLHttpRequest|WebSocket|eval\(|new Function", html)
    assert "innerHTML" not in html and "insertAdjacentHTML" not in html and "document.write" not in html


def test_the_html_ships_as_package_data():
    """Read as package data (the wheel and the bundle carry it: scripts/bundle.sh checks the bundle)."""
    shipped = resources.files("moengage_mcp.apps").joinpath("preview.html")
    assert shipped.is_file() and preview_html().startswith("<!doctype html>")


async def test_the_server_serves_it_through_the_apps_extension_with_its_csp(sim, tmp_path):
    async with mcp_client(sim, tmp_path) as client:
        advertised = client.server_capabilities.extensions
        listed = {str(r.uri): r for r in (await client.list_resources()).resources}
        read = await client.read_resource(PREVIEW_URI)
    assert advertised == {EXTENSION_ID: {}}
    app = listed[PREVIEW_URI]
    assert (app.name, app.description, app.mime_type) == (PREVIEW_NAME, PREVIEW_DESCRIPTION, APP_MIME_TYPE)
    (content,) = read.contents
    assert content.mime_type == APP_MIME_TYPE and content.text == preview_html()
    assert content.meta == {"ui": {"csp": {"resourceDomains": ["https:"]}, "prefersBorder": True}}
