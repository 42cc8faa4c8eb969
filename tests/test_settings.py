"""Settings are strict: anything the server could not use stops start-up with one line naming it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from moengage_mcp.settings import SettingsError, load_settings

from .conftest import mcp_client

pytestmark = pytest.mark.anyio

BASE = {"MOENGAGE_WORKSPACE_ID": "W", "MOENGAGE_API_KEY": "k"}


def test_a_base_url_with_credentials_is_refused_without_echoing_them():
    env = {**BASE, "MOENGAGE_BASE_URL": "https://svc:SECRET@proxy.example.com"}
    with pytest.raises(SettingsError, match="MOENGAGE_BASE_URL: must not contain credentials") as caught:
        load_settings(env)
    assert "SECRET" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("http://127.0.0.1:99999", "Port out of range"),
        ("http://[::1", "Invalid IPv6 URL"),
        ("http://127.0.0.1:0", "port 0"),
        ("http://exa mple.com", "expected an http(s) URL"),
        ("ftp://api.example.com", "expected an http(s) URL"),
        ("https://api.example.com/?x=1", "no spaces, query or fragment"),
    ],
)
def test_a_base_url_the_client_could_not_use_stops_start_up(url, needle):
    with pytest.raises(SettingsError, match="MOENGAGE_BASE_URL") as caught:
        load_settings({**BASE, "MOENGAGE_BASE_URL": url})
    assert needle in str(caught.value)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8765", "http://[::1]:8000/base", "https://api-01.moengage.com"]
)
def test_usable_base_urls_are_kept(url):
    assert load_settings({**BASE, "MOENGAGE_BASE_URL": url}).api_base_url == url.rstrip("/")


@pytest.mark.parametrize(
    ("flags", "needle"),
    [(["--port", "99999"], "--port"), (["--port", "http"], "--port"), (["--host", "a b"], "--host")],
)
def test_bad_bind_flags_stop_with_one_line(flags, needle):
    out = subprocess.run(
        [sys.executable, "-m", "moengage_mcp", "--demo", *flags], capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 2 and needle in out.stderr and len(out.stderr.strip().splitlines()) == 1


async def test_far_dates_are_a_clear_tool_error(sim, tmp_path):
    async with mcp_client(sim, tmp_path) as client:
        calls = [
            ("search_campaigns", {"created_from": "0001-01-01"}),
            ("search_campaigns", {"created_to": "9999-12-31"}),
            (
                "get_campaign_stats",
                {"campaign_ids": ["a" * 24], "start_date": "0001-01-01", "end_date": "0001-01-02"},
            ),
            ("campaign_report", {"rank_by": "ctr", "stats_to": "9999-12-31"}),
        ]
        for tool, args in calls:
            res = await client.call_tool(tool, args)
            assert res.is_error and (
                "greater than or equal to 2000-01-01" in res.content[0].text
                or "less than or equal to 2099-12-31" in res.content[0].text
            ), res.content[0].text
    assert sim.requests == []
