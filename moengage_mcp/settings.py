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


class AuthMode(str, Enum):
    """How HTTP clients authenticate (stdio has no network peer to authenticate)."""

    NONE = "none"
    BEARER = "bearer"
    OAUTH = "oauth"


class Toolset(str, Enum):
    READ = "read"
    DRAFT = "draft"
    LIFECYCLE = "lifecycle"
    SEND = "send"


ENV: dict[str, str] = {
    "workspace_id": "MOENGAGE_WORKSPACE_ID",
    "api_key": "MOENGAGE_API_KEY",
    "data_center": "MOENGAGE_DATA_CENTER",
    "base_url": "MOENGAGE_BASE_URL",
    "write_mode": "MOENGAGE_MCP_WRITE_MODE",
    "toolsets": "MOENGAGE_MCP_TOOLSETS",
    "workspaces_file": "MOENGAGE_MCP_WORKSPACES_FILE",
    "test_recipients": "MOENGAGE_MCP_TEST_RECIPIENTS",
    "author_email": "MOENGAGE_MCP_AUTHOR_EMAIL",
    "cache_ttl": "MOENGAGE_MCP_CACHE_TTL",
    "audit_log": "MOENGAGE_MCP_AUDIT_LOG",
    "bearer_token": "MOENGAGE_MCP_BEARER_TOKEN",
    "allowed_hosts": "MOENGAGE_MCP_ALLOWED_HOSTS",
    "http_timeout": "MOENGAGE_MCP_HTTP_TIMEOUT",
    "http_max_connections": "MOENGAGE_MCP_HTTP_MAX_CONNECTIONS",
    "session_idle_timeout": "MOENGAGE_MCP_SESSION_IDLE_TIMEOUT",
    "sessions_per_client": "MOENGAGE_MCP_SESSIONS_PER_CLIENT",
    "auth": "MOENGAGE_MCP_AUTH",
    "oauth_issuer": "MOENGAGE_MCP_OAUTH_ISSUER",
    "oauth_jwks_url": "MOENGAGE_MCP_OAUTH_JWKS_URL",
    "public_url": "MOENGAGE_MCP_PUBLIC_URL",
    "redis_url": "MOENGAGE_MCP_REDIS_URL",
    "secret": "MOENGAGE_MCP_SECRET",
}
"""Each setting's environment variable."""

DEFAULT_AUDIT_LOG = Path("~/.moengage-mcp/audit.jsonl")

SECRET_MIN_LENGTH = 32
"""Characters per MOENGAGE_MCP_SECRET key: the SDK's request-state codec wants 32 bytes of secret randomness."""

SECRETS = ("api_key", "bearer_token", "redis_url", "secret")
"""Settings whose value an error message must never echo (a Redis URL may carry a password)."""


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
    workspaces_file: Path | None = None
    """Several named workspaces (`moengage_mcp.workspaces`); then the four above are not used."""
    write_mode: WriteMode = WriteMode.CONFIRM
    toolsets: frozenset[Toolset] = frozenset(Toolset)
    test_recipients: frozenset[str] | None = None
    author_email: str | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    """The MoEngage user draft tools name as created_by / updated_by."""
    cache_ttl: float = Field(30.0, ge=0, le=600)
    """Seconds a read is kept in the read cache shared by all tools (0: no cache)."""
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
    auth: AuthMode | None = None
    """None: not set, so `bearer` if a bearer token is set, else `none` (the behaviour before the setting)."""
    oauth_issuer: str | None = None
    oauth_jwks_url: str | None = None
    public_url: str | None = None
    redis_url: SecretStr | None = None
    secret: tuple[SecretStr, ...] = ()
    demo: bool = False

    _lists = field_validator("toolsets", "test_recipients", "allowed_hosts", "secret", mode="before")(
        _comma_list
    )

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

    @field_validator("oauth_issuer", "oauth_jwks_url", "public_url")
    @classmethod
    def _https_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.fullmatch(r"https?://[^\s/?#@]+(/[^\s?#]*)?", value):
            raise ValueError("expected an http(s) URL without credentials, query or fragment")
        if value.startswith("http://") and not is_loopback_url(value):
            raise ValueError("must be https:// (plain http only on loopback, for tests)")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.match(r"(rediss?|unix)://\S+$", value.get_secret_value()):
            raise ValueError("expected a redis://, rediss:// or unix:// URL")
        return value

    @field_validator("secret")
    @classmethod
    def _long_secrets(cls, value: tuple[SecretStr, ...]) -> tuple[SecretStr, ...]:
        keys = [key.get_secret_value() for key in value]
        if any(len(key) < SECRET_MIN_LENGTH for key in keys):
            raise ValueError(
                f"each comma-separated key must be at least {SECRET_MIN_LENGTH} characters "
                '(python -c "import secrets; print(secrets.token_hex(32))")'
            )
        if len(set(keys)) != len(keys):
            raise ValueError("a key is listed twice")
        return value

    @field_validator("toolsets")
    @classmethod
    def _some_toolset(cls, value: frozenset[Toolset]) -> frozenset[Toolset]:
        if not value:
            raise ValueError("name at least one of read, draft, lifecycle, send")
        return value

    @model_validator(mode="after")
    def _credentials(self) -> Settings:
        if not self.demo and self.workspaces_file is None:
            for field in ("workspace_id", "api_key"):
                if getattr(self, field) is None:
                    raise SettingsError(
                        f"{ENV[field]} is required (or run with --demo for the demo workspace)"
                    )
        return self

    @model_validator(mode="after")
    def _team(self) -> Settings:
        """Each team setting only with what it belongs to: a stray one would be silently ignored."""
        mode = self.auth_mode
        if mode is AuthMode.BEARER and self.bearer_token is None:
            raise SettingsError(f"{ENV['auth']}=bearer needs {ENV['bearer_token']}")
        if mode is not AuthMode.BEARER and self.bearer_token is not None:
            raise SettingsError(
                f"{ENV['bearer_token']} is set but {ENV['auth']}={mode.value}; unset one of them"
            )
        if mode is AuthMode.OAUTH:
            for field in ("oauth_issuer", "public_url"):
                if getattr(self, field) is None:
                    raise SettingsError(f"{ENV['auth']}=oauth needs {ENV[field]}")
        else:
            for field in ("oauth_issuer", "oauth_jwks_url", "public_url"):
                if getattr(self, field) is not None:
                    raise SettingsError(
                        f"{ENV[field]} is only used with {ENV['auth']}=oauth (it is {mode.value})"
                    )
        if self.redis_url is not None and not self.secret:
            raise SettingsError(
                f"{ENV['redis_url']} needs {ENV['secret']}: replicas must share the keys of confirmation tokens"
            )
        return self

    @property
    def auth_mode(self) -> AuthMode:
        if self.auth is not None:
            return self.auth
        return AuthMode.BEARER if self.bearer_token is not None else AuthMode.NONE

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
            "author_email": self.author_email,
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


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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


def error_message(error: Any) -> str:
    """What one pydantic validation error says, in the words a setting's error uses (never its input)."""
    if error["type"] == "enum":
        return f"expected one of {error['ctx']['expected']}"
    return str(error["msg"]).removeprefix("Value error, ")


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = str(error["loc"][0]) if error["loc"] else ""
    name = ENV.get(field, field)
    message = error_message(error)
    if not name:  # a whole-model rule: its message names the settings
        return message
    if field in SECRETS or "@" in str(error.get("input")):
        return f"{name}: {message}"  # never echo a secret (or a URL's user:password) back
    given = error.get("input")
    shown = f" (got {given!r})" if isinstance(given, str) and len(given) < 80 else ""
    return f"{name}: {message}{shown}"
