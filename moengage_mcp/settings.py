"""Settings from the environment (and CLI flags), validated once at start-up.

An unknown or malformed value stops the server with one line naming the setting: a typo in
`MOENGAGE_MCP_WRITE_MODE` must never silently fall back to a default.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from .api.client import DATA_CENTERS, base_url_for


class WriteMode(str, Enum):
    OFF = "off"
    CONFIRM = "confirm"
    AUTO = "auto"


class Toolset(str, Enum):
    READ = "read"
    LIFECYCLE = "lifecycle"
    SEND = "send"


ENV: dict[str, str] = {
    "workspace_id": "MOENGAGE_WORKSPACE_ID",
    "api_key": "MOENGAGE_API_KEY",
    "data_center": "MOENGAGE_DATA_CENTER",
    "base_url": "MOENGAGE_BASE_URL",
    "write_mode": "MOENGAGE_MCP_WRITE_MODE",
    "toolsets": "MOENGAGE_MCP_TOOLSETS",
    "test_recipients": "MOENGAGE_MCP_TEST_RECIPIENTS",
    "audit_log": "MOENGAGE_MCP_AUDIT_LOG",
    "bearer_token": "MOENGAGE_MCP_BEARER_TOKEN",
    "allowed_hosts": "MOENGAGE_MCP_ALLOWED_HOSTS",
    "http_timeout": "MOENGAGE_MCP_HTTP_TIMEOUT",
    "http_max_connections": "MOENGAGE_MCP_HTTP_MAX_CONNECTIONS",
    "session_idle_timeout": "MOENGAGE_MCP_SESSION_IDLE_TIMEOUT",
    "sessions_per_client": "MOENGAGE_MCP_SESSIONS_PER_CLIENT",
}
"""Each setting's environment variable."""

DEFAULT_AUDIT_LOG = Path("~/.moengage-mcp/audit.jsonl")


class SettingsError(ValueError):
    """A setting is missing, unknown or malformed; the message is one line naming it."""


def _comma_list(value: Any) -> Any:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    workspace_id: str | None = None
    api_key: SecretStr | None = None
    data_center: str = "01"
    base_url: str | None = None
    write_mode: WriteMode = WriteMode.CONFIRM
    toolsets: frozenset[Toolset] = frozenset(Toolset)
    test_recipients: frozenset[str] | None = None
    audit_log: Path = DEFAULT_AUDIT_LOG
    bearer_token: SecretStr | None = None
    allowed_hosts: tuple[str, ...] = ()
    http_timeout: float = Field(10.0, gt=0, le=300)
    """Seconds an HTTP client has to send a request's headers, and again its body."""
    http_max_connections: int = Field(100, ge=1, le=100_000)
    session_idle_timeout: float = Field(600.0, ge=10, le=86_400)
    """Seconds after which a streamable-HTTP session without requests is closed."""
    sessions_per_client: int = Field(20, ge=1, le=10_000)
    """Open streamable-HTTP sessions one client (one bearer identity or address) may hold."""
    demo: bool = False

    _lists = field_validator("toolsets", "test_recipients", "allowed_hosts", mode="before")(_comma_list)

    @field_validator("data_center", mode="before")
    @classmethod
    def _data_center(cls, value: Any) -> str:
        text = str(value).strip()
        text = text.zfill(2) if text.isdigit() and len(text) == 1 else text
        if text not in DATA_CENTERS:
            raise ValueError(f"expected one of {', '.join(DATA_CENTERS)}")
        return text

    @field_validator("workspace_id")
    @classmethod
    def _workspace_id(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,128}", value):
            raise ValueError("expected the workspace (app) id: letters, digits, _ and - only")
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is not None:
            check_base_url(value)
        return value

    @field_validator("bearer_token")
    @classmethod
    def _long_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters (use a random token)")
        return value

    @field_validator("toolsets")
    @classmethod
    def _some_toolset(cls, value: frozenset[Toolset]) -> frozenset[Toolset]:
        if not value:
            raise ValueError("name at least one of read, lifecycle, send")
        return value

    @model_validator(mode="after")
    def _credentials(self) -> Settings:
        if not self.demo:
            for field in ("workspace_id", "api_key"):
                if getattr(self, field) is None:
                    raise SettingsError(
                        f"{ENV[field]} is required (or run with --demo for the demo workspace)"
                    )
        return self

    @property
    def api_base_url(self) -> str:
        return (self.base_url or base_url_for(self.data_center)).rstrip("/")

    def public_view(self) -> dict[str, Any]:
        """What may be shown to a model or a user: everything but secrets."""
        return {
            "workspace_id": self.workspace_id,
            "data_center": self.data_center,
            "api_base_url": self.api_base_url,
            "write_mode": self.write_mode.value,
            "toolsets": sorted(t.value for t in self.toolsets),
            "test_recipients_allowlist": sorted(self.test_recipients) if self.test_recipients else None,
            "demo": self.demo,
        }


_DNS_NAME = re.compile(r"(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?")


def is_host(value: str) -> bool:
    """An IP address (IPv6 with or without brackets) or a DNS name."""
    try:
        ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return bool(_DNS_NAME.fullmatch(value))
    return True


def check_base_url(value: str) -> None:
    """Refuse a base URL the client could not use (bad host or port) or that carries credentials."""
    try:
        parts = urlsplit(value)
        if parts.port == 0:
            raise ValueError("port 0")
    except ValueError as exc:  # the port is parsed on access: out of range raises here
        raise ValueError(
            f"not a usable URL ({exc}); expected one such as https://api-01.moengage.com"
        ) from None
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            "must not contain credentials (user:password@); use HTTPS_PROXY for an authenticating proxy"
        )
    if parts.scheme not in ("http", "https") or not parts.hostname or not is_host(parts.hostname):
        raise ValueError("expected an http(s) URL with a host, such as https://api-01.moengage.com")
    if re.search(r"\s", value) or parts.query or parts.fragment:
        raise ValueError("expected a plain base URL (no spaces, query or fragment)")


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read settings from `environ` (default: the process environment), CLI `overrides` winning.

    Raises:
        SettingsError: naming the first setting that is unknown, missing or malformed.
    """
    environ = os.environ if environ is None else environ
    unknown = sorted(k for k in environ if k.startswith("MOENGAGE_MCP_") and k not in ENV.values())
    if unknown:
        raise SettingsError(
            f"{unknown[0]}: unknown setting; known ones are {', '.join(sorted(ENV.values()))}"
        )
    values: dict[str, Any] = {
        field: environ[var] for field, var in ENV.items() if environ.get(var, "").strip()
    }
    values.update({field: value for field, value in overrides.items() if value is not None})
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        raise SettingsError(_first_error(exc)) from None


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = str(error["loc"][0]) if error["loc"] else ""
    name = ENV.get(field, field)
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "enum":
        message = f"expected one of {error['ctx']['expected']}"
    if field in ("api_key", "bearer_token") or "@" in str(error.get("input")):
        return f"{name}: {message}"  # never echo a secret (or a URL's user:password) back
    given = error.get("input")
    shown = f" (got {given!r})" if isinstance(given, str) and len(given) < 80 else ""
    return f"{name}: {message}{shown}" if name else message
