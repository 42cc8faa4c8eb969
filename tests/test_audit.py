"""The audit log holds: written ahead of every write, never torn, bounded, private, and a write that
cannot be recorded is not sent. Real filesystems (a full tmpfs, /dev/full, a symbolic link), a real
process killed mid-write, real MCP sessions against the simulator."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import anyio
import httpx
import pytest
from mcp import Client

from moengage_mcp.server import create_server
from moengage_mcp.settings import SettingsError
from moengage_mcp.simulator import DEMO_API_KEY, DEMO_WORKSPACE_ID, Simulator

from .conftest import (
    asgi,
    audit_attempts,
    audit_entries,
    audit_lines,
    make_client,
    mcp_client,
    require,
    serve,
    server_settings,
)
from .test_write_policy import find, status_writes

pytestmark = pytest.mark.anyio


def periodic(sim: Simulator) -> str:
    return find(sim, campaign_delivery_type="PERIODIC", status="ACTIVE", channel="PUSH")


@contextmanager
def tiny_filesystem(tmp_path: Path, size: str = "8k"):
    """A real tmpfs of `size` (root only): writes past it fail with ENOSPC, possibly half-way."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        require(f"mounting a tmpfs needs root: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


# ---------------------------------------------------------------------- start-up


async def test_an_unwritable_audit_log_stops_start_up(sim, tmp_path):
    (tmp_path / "dir").mkdir()
    settings = server_settings(tmp_path, audit_log=str(tmp_path / "dir"))
    async with make_client(sim) as api:
        with pytest.raises(SettingsError, match="MOENGAGE_MCP_AUDIT_LOG"):
            create_server(settings, api)
        create_server(server_settings(tmp_path, audit_log=str(tmp_path / "dir"), write_mode="off"), api)


async def test_a_full_disk_stops_start_up(sim, tmp_path):
    """Opening /dev/full succeeds, writing to it fails: start-up writes its line for real (and a device is
    refused outright: /dev/null would swallow every record)."""
    async with make_client(sim) as api:
        for device in ("/dev/full", "/dev/null"):
            with pytest.raises(SettingsError, match=f"MOENGAGE_MCP_AUDIT_LOG: cannot append to {device}"):
                create_server(server_settings(tmp_path, audit_log=device), api)


async def test_start_up_writes_a_start_line(sim, tmp_path):
    async with mcp_client(sim, tmp_path):
        pass
    [start] = audit_entries(tmp_path)
    assert start["event"] == "start" and start["write_mode"] == "confirm" and start["pid"] == os.getpid()


# ---------------------------------------------------------------------- write-ahead


async def test_the_attempt_is_on_disk_before_the_request_leaves(sim, tmp_path):
    cid = periodic(sim)
    seen: list[list[dict]] = []

    class Watching(httpx.AsyncBaseTransport):
        """Reads the audit log from disk at the moment the write request is handed to the network."""

        async def handle_async_request(self, request):
            if request.url.path.endswith("/status"):
                seen.append(audit_entries(tmp_path))
            return await asgi(sim).handle_async_request(request)

    async with mcp_client(
        sim, tmp_path, api=make_client(sim, transport=Watching()), write_mode="auto"
    ) as client:
        res = await client.call_tool("pause_campaign", {"campaign_id": cid})
    assert res.structured_content["status"] == "done"
    [before] = seen
    [attempt] = [e for e in before if e.get("stage") == "attempt"]
    assert (
        attempt["tool"] == "pause_campaign"
        and attempt["decision"] == "auto"
        and attempt["outcome"] == "sending"
    )
    [outcome] = audit_lines(tmp_path)
    assert (
        outcome["attempt"] == attempt["attempt"]
        and outcome["request_id"] == res.structured_content["request_id"]
    )


async def test_a_write_is_refused_when_the_audit_log_stops_being_writable(sim, tmp_path):
    cid = periodic(sim)
    async with mcp_client(sim, tmp_path, write_mode="auto") as client:
        (tmp_path / "audit.jsonl").unlink()
        (tmp_path / "audit.jsonl").mkdir()
        res = await client.call_tool("pause_campaign", {"campaign_id": cid})
    assert (
        res.is_error
        and "MOENGAGE_MCP_AUDIT_LOG" in res.content[0].text
        and "nothing is sent" in res.content[0].text
    )
    assert status_writes(sim) == []


async def test_a_disk_that_fills_mid_line_sends_nothing_and_leaves_no_torn_line(sim, tmp_path):
    cid = periodic(sim)
    with tiny_filesystem(tmp_path) as disk:
        log = disk / "audit.jsonl"
        async with mcp_client(sim, tmp_path, write_mode="auto", audit_log=str(log)) as client:
            pad = 4096 - log.stat().st_size - 60  # the log's page is nearly full ...
            with log.open("a") as file:
                file.write(json.dumps({"padding": "x" * (pad - 16)}) + "\n")
            (disk / "filler").write_bytes(b"\0" * 4096)  # ... and there is no other page left
            refused = await client.call_tool("pause_campaign", {"campaign_id": cid})
            assert refused.is_error and "MOENGAGE_MCP_AUDIT_LOG" in refused.content[0].text
            assert status_writes(sim) == [] and sim.campaigns[cid]["status"] == "ACTIVE"
            raw = log.read_bytes()
            assert raw.endswith(b"\n") and all(json.loads(line) for line in raw.splitlines())
            (disk / "filler").unlink()
            done = await client.call_tool("pause_campaign", {"campaign_id": cid})
        assert done.structured_content["status"] == "done"
        lines = [json.loads(line) for line in log.read_bytes().splitlines()]
        assert [e.get("stage") for e in lines if e.get("tool")] == ["attempt", "outcome"]


async def test_a_torn_line_from_a_crash_is_not_glued_to_the_next_entry(sim, tmp_path):
    async with mcp_client(sim, tmp_path, write_mode="auto") as client:
        with (tmp_path / "audit.jsonl").open("a") as file:
            file.write('{"time": "2026-12-01T00:00:00", "tool": "stop_campa')  # what a crash mid-write leaves
        await client.call_tool("pause_campaign", {"campaign_id": periodic(sim)})
    lines = (tmp_path / "audit.jsonl").read_text().splitlines()
    assert lines[-3].endswith('"stop_campa')
    assert [json.loads(line)["stage"] for line in lines[-2:]] == ["attempt", "outcome"]


async def listening(port: int, server: subprocess.Popen) -> None:
    """Wait until the server subprocess accepts connections on `port`."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read().decode() if server.stderr else "server exited"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        await anyio.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_a_process_killed_while_the_api_carries_out_a_stop_leaves_its_attempt_on_record(tmp_path):
    sim = Simulator()
    cid = find(sim, campaign_delivery_type="ONE_TIME", status="SCHEDULED", channel="PUSH")
    sim.faults.inject(
        rf"/v5/campaigns/{cid}/status$", status=200, after_processing=True, delay=30.0, body=None
    )
    log, port = tmp_path / "audit.jsonl", free_port()
    with serve(sim.app) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MOENGAGE_")} | {
            "MOENGAGE_WORKSPACE_ID": DEMO_WORKSPACE_ID,
            "MOENGAGE_API_KEY": DEMO_API_KEY,
            "MOENGAGE_BASE_URL": url,
            "MOENGAGE_MCP_WRITE_MODE": "auto",
            "MOENGAGE_MCP_AUDIT_LOG": str(log),
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "moengage_mcp", "--transport", "streamable-http", "--port", str(port)],
            env=env,
            stderr=subprocess.PIPE,
        )
        try:
            await listening(port, server)
            async with anyio.create_task_group() as tg:

                async def stop() -> None:
                    async with Client(f"http://127.0.0.1:{port}/mcp") as client:
                        await client.call_tool("stop_campaign", {"campaign_id": cid})

                tg.start_soon(stop)
                with anyio.fail_after(20):
                    while sim.campaigns[cid]["status"] != "STOPPED":  # MoEngage has carried it out
                        await anyio.sleep(0.02)
                server.send_signal(signal.SIGKILL)
                server.wait(10)
                tg.cancel_scope.cancel()
        finally:
            server.kill()
            server.wait(10)
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    [attempt] = [e for e in entries if e.get("tool") == "stop_campaign"]
    assert attempt["stage"] == "attempt" and attempt["campaign_id"] == cid and attempt["decision"] == "auto"


async def test_a_write_interrupted_by_the_client_is_still_audited(sim, tmp_path):
    cid = periodic(sim)
    sim.faults.inject(
        rf"/v5/campaigns/{cid}/status$", status=200, after_processing=True, delay=2.0, body=None
    )
    async with mcp_client(sim, tmp_path, write_mode="auto") as client:
        with pytest.raises(Exception, match=r"(?i)timed out"):
            await client.call_tool("pause_campaign", {"campaign_id": cid}, read_timeout_seconds=0.3)
        with anyio.fail_after(5):
            while not audit_lines(tmp_path):
                await anyio.sleep(0.05)
    [line] = audit_lines(tmp_path)
    assert line["decision"] == "auto" and line["outcome"].startswith("interrupted")
    assert [a["attempt"] for a in audit_attempts(tmp_path)] == [line["attempt"]]


# ---------------------------------------------------------------------- bounded lines


async def test_a_huge_argument_makes_a_bounded_line(sim, tmp_path, caplog):
    huge = "A" * 1_000_000
    content = {"content": {"push": {"android": {"basic_details": {"title": "Hi", "message": huge}}}}}
    async with mcp_client(sim, tmp_path, write_mode="auto", test_recipients="user-1001") as client:
        sent = await client.call_tool(
            "test_campaign",
            {
                "channel": "PUSH",
                "campaign_content": content,
                "identifier": "USER_ATTRIBUTE_UNIQUE_ID",
                "recipients": ["user-1001"],
            },
        )
        refused = await client.call_tool(
            "pause_campaign", {"campaign_id": periodic(sim), "bogus": huge, huge[:5000]: 1}
        )
    assert sent.structured_content["status"] == "done" and refused.is_error
    assert (tmp_path / "audit.jsonl").stat().st_size < 20_000
    by_tool = {e["tool"]: e for e in audit_lines(tmp_path)}
    kept = by_tool["test_campaign"]["arguments"]["campaign_content"]
    assert kept.startswith('{"content"') and "[1000085 chars, sha256:" in kept
    assert by_tool["pause_campaign"]["arguments"] == [
        "A" * 100 + "…",
        "bogus",
        "campaign_id",
    ]  # refused: names only
    assert all(len(r.getMessage()) < 2000 for r in caplog.records)


async def test_audit_lines_stay_one_line_whatever_the_arguments_hold(sim, tmp_path):
    args = {
        "campaign_id": periodic(sim),
        "identifier": "USER_ATTRIBUTE_UNIQUE_ID",
        "recipients": ["user-1001"],
    }
    args["variation"] = "a\u2028b\u2029c\x85d"
    async with mcp_client(sim, tmp_path, write_mode="auto", test_recipients="user-1001") as client:
        await client.call_tool("test_campaign", args)
    text = (tmp_path / "audit.jsonl").read_text()
    assert text.isascii()
    entries = [json.loads(line) for line in text.splitlines()]
    assert entries[-1]["arguments"]["variation"] == args["variation"]


# ---------------------------------------------------------------------- file exposure


async def test_the_log_is_private_and_never_followed_through_a_link(sim, tmp_path):
    folder = tmp_path / "private" / "logs"
    async with mcp_client(sim, tmp_path, audit_log=str(folder / "audit.jsonl")):
        pass
    assert stat.S_IMODE((folder / "audit.jsonl").stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    target = tmp_path / "elsewhere.txt"
    target.write_text("")
    (tmp_path / "link.jsonl").symlink_to(target)
    async with make_client(sim) as api:
        with pytest.raises(SettingsError, match="MOENGAGE_MCP_AUDIT_LOG"):
            create_server(server_settings(tmp_path, audit_log=str(tmp_path / "link.jsonl")), api)
    assert target.read_text() == ""


async def test_an_existing_world_readable_log_is_made_private(sim, tmp_path):
    log = tmp_path / "audit.jsonl"
    log.write_text("")
    log.chmod(0o644)
    async with mcp_client(sim, tmp_path):
        pass
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
