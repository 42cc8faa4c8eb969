"""A web host for MCP Apps on loopback: the host page (AppBridge) and its sandbox proxy on two
origins, the sandbox served with the CSP a host builds from the resource's `_meta.ui.csp`.

What the browser test needs from outside Python (Chromium, the ext-apps SDK and esbuild in
./.tools) is installed by scripts/browser_setup.sh; `missing()` says what is not there.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[2]
HOST_DIR = Path(__file__).parent / "host"
TOOLS = Path(os.environ.get("MOENGAGE_MCP_TOOLS", ROOT / ".tools"))
CHROMIUM = Path(os.environ.get("MOENGAGE_MCP_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # nothing but loopback resolves, whatever slips past the test's request routing
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    # keep sandboxed frames (the email) in their parent's process, where Playwright's routing sees
    # their first requests too; the sandbox and CSP under test are the same either way
    "--disable-features=IsolateSandboxedIframes",
]


def missing() -> str | None:
    """Why the browser test cannot run here, or None."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM} (bash scripts/browser_setup.sh installs Debian's)"
    if shutil.which("node") is None:
        return "node is not on PATH (needed to bundle the test host)"
    for package in ("@modelcontextprotocol/ext-apps", "esbuild"):
        if not (TOOLS / "node_modules" / package / "package.json").is_file():
            return f"{package} is not in {TOOLS} (bash scripts/browser_setup.sh installs it)"
    return None


def bundle_host(out: Path) -> Path:
    """host.js with AppBridge (from ./.tools) bundled into one script for the host page."""
    script = (
        "const [esbuild, entry, outfile, modules] = process.argv.slice(1);"
        "require(esbuild).buildSync({entryPoints: [entry], outfile, bundle: true, format: 'iife',"
        " platform: 'browser', nodePaths: [modules], logLevel: 'error'});"
    )
    target = out / "host.bundle.js"
    modules = TOOLS / "node_modules"
    subprocess.run(
        [
            "node",
            "-e",
            script,
            str(modules / "esbuild"),
            str(HOST_DIR / "host.js"),
            str(target),
            str(modules),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    return target


def host_csp(csp: dict[str, list[str]]) -> str:
    """The sandbox's Content-Security-Policy, built from `_meta.ui.csp` as the Apps spec's
    "CSP Construction from Metadata" does (restrictive defaults for what is not declared)."""

    def domains(key: str) -> str:
        return " ".join(d for d in csp.get(key, []) if not any(c in d for c in ";'\"\r\n "))

    resource = domains("resourceDomains")
    deny, same = "'none'", "'self'"
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src 'self' 'unsafe-inline' {resource}".strip(),
            f"style-src 'self' 'unsafe-inline' {resource}".strip(),
            f"connect-src 'self' {domains('connectDomains')}".strip(),
            f"img-src 'self' data: {resource}".strip(),
            f"font-src 'self' {resource}".strip(),
            f"media-src 'self' data: {resource}".strip(),
            f"frame-src {domains('frameDomains') or deny}",
            "object-src 'none'",
            f"base-uri {domains('baseUriDomains') or same}",
        ]
    )


class _Handler(BaseHTTPRequestHandler):
    files: ClassVar[dict[str, Path]] = {}

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        path = self.files.get(url.path)
        if path is None:
            self.send_error(404)
            return
        body = path.read_bytes()
        self.send_response(200)
        self.send_header(
            "Content-Type", "text/html; charset=utf-8" if path.suffix == ".html" else "text/javascript"
        )
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if url.path == "/sandbox.html":
            csp = json.loads(parse_qs(url.query).get("csp", ["{}"])[0])
            self.send_header("Content-Security-Policy", host_csp(csp))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_host(bundle: Path) -> Iterator[tuple[str, str]]:
    """The host page and the sandbox proxy on two loopback origins: (host URL, sandbox URL)."""
    handler = type(
        "Handler",
        (_Handler,),
        {
            "files": {
                "/host.html": HOST_DIR / "host.html",
                "/host.bundle.js": bundle,
                "/sandbox.html": HOST_DIR / "sandbox.html",
            }
        },
    )
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), handler) for _ in range(2)]
    threads = [
        threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True) for s in servers
    ]
    for thread in threads:
        thread.start()
    host, sandbox = (f"http://127.0.0.1:{s.server_address[1]}" for s in servers)
    try:
        yield f"{host}/host.html", f"{sandbox}/sandbox.html"
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain PNG of one colour: the stand-in for remote images the test lets through."""
    row = b"\x00" + bytes(rgb) * width

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
