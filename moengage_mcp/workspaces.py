"""Several workspaces in one server: the TOML file `MOENGAGE_MCP_WORKSPACES_FILE` names them.

    default = "test"
    [workspaces.live]
    workspace_id = "ABCD1234"
    data_center = "01"                      # or base_url = "https://…"
    api_key_env = "MOENGAGE_API_KEY_LIVE"   # the key itself stays in the environment
    write_mode = "confirm"
    [workspaces.test]
    workspace_id = "ABCD1234_DEBUG"
    api_key_env = "MOENGAGE_API_KEY_TEST"
    write_mode = "auto"
    toolsets = ["read", "draft", "send"]
    test_recipients = ["qa@example.com"]

Each workspace becomes one complete `Settings`: the server-wide settings from the environment,
with the workspace's own fields on top (a field it leaves out, such as `write_mode`, is the
environment's). The file is as strict as the environment: an unknown key, a malformed value, a
missing key variable or a workspace id listed twice stops start-up with one line naming the
workspace and the field, and never a key.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from .settings import ENV, Settings, SettingsError, error_message

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SETTING = ENV["workspaces_file"]
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"
"""A workspace's name in the file and in the tools' `workspace` argument (`*` means all of them)."""

BUNDLE_SECOND_KEY = "MOENGAGE_API_KEY_2"
"""The variable the MCP bundle's second key field fills, for a workspaces file to name (the first is
MOENGAGE_API_KEY)."""

Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]


class WorkspaceEntry(BaseModel):
    """One `[workspaces.NAME]` table. Values are checked as the same settings from the environment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    workspace_id: str
    api_key_env: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
    data_center: str | None = None
    base_url: str | None = None
    write_mode: str | None = None
    toolsets: list[str] | None = None
    test_recipients: list[str] | None = None
    author_email: str | None = None


class WorkspacesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    default: Name | None = None
    workspaces: dict[Name, WorkspaceEntry] = Field(min_length=1)


@dataclass(frozen=True)
class Configured:
    """The workspaces a server acts on, in the file's order, and the one tools use when none is named."""

    settings: Mapping[str, Settings]
    default: str
    key_variables: frozenset[str] = frozenset()
    """The environment variables the workspaces' keys are read from."""


def single(settings: Settings) -> Configured:
    """The one workspace of the single-workspace variables."""
    return Configured({"default": settings}, "default")


def configured(settings: Settings, environ: Mapping[str, str]) -> Configured:
    """The workspaces `settings` name: those of its workspaces file, or the single one.

    Raises:
        SettingsError: one line naming the file, the workspace and the field.
    """
    if settings.workspaces_file is None:
        return single(settings)
    parsed = _parse(settings)
    names = list(parsed.workspaces)
    default = parsed.default or (names[0] if len(names) == 1 else None)
    if default is None:
        raise SettingsError(
            f"{SETTING}: default: name the workspace tools use when none is given (one of {names})"
        )
    if default not in parsed.workspaces:
        raise SettingsError(f"{SETTING}: default: {default!r} is not one of the workspaces {names}")
    seen: dict[str, str] = {}
    for name, entry in parsed.workspaces.items():
        if (twin := seen.setdefault(entry.workspace_id, name)) != name:
            raise SettingsError(
                f"{SETTING}: workspace {name!r}: workspace_id: {entry.workspace_id} is already workspace {twin!r}"
            )
    return Configured(
        {name: _settings(settings, name, entry, environ) for name, entry in parsed.workspaces.items()},
        default,
        frozenset(entry.api_key_env for entry in parsed.workspaces.values()),
    )


def _parse(settings: Settings) -> WorkspacesFile:
    path = settings.workspaces_file
    assert path is not None
    try:
        data = tomllib.loads(path.expanduser().read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"{SETTING}: cannot read {path} ({exc.strerror or exc})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{SETTING}: {path} is not valid TOML ({exc})") from None
    try:
        return WorkspacesFile.model_validate(data)
    except ValidationError as exc:
        raise SettingsError(f"{SETTING}: {_where(exc.errors()[0])}") from None


def _where(error: Any) -> str:
    """'workspace 'live': toolsets: message' for an error at ('workspaces', 'live', 'toolsets', ...)."""
    loc = [str(part) for part in error["loc"]]
    message = "unknown key" if error["type"] == "extra_forbidden" else error_message(error)
    if loc[:1] == ["workspaces"] and len(loc) >= 2:
        field = ".".join(loc[2:]) or "table"
        if loc[2:] == ["[key]"]:
            return f"workspace {loc[1]!r}: the name must be letters, digits, _ and - (at most 32)"
        return f"workspace {loc[1]!r}: {field}: {message}"
    return f"{'.'.join(loc) or 'file'}: {message}"


def _settings(base: Settings, name: str, entry: WorkspaceEntry, environ: Mapping[str, str]) -> Settings:
    """`base` with `entry` on top, validated as a whole; the key read from `entry.api_key_env`."""
    where = f"{SETTING}: workspace {name!r}"
    if entry.api_key_env.startswith("MOENGAGE_MCP_"):
        raise SettingsError(
            f"{where}: api_key_env: MOENGAGE_MCP_ names are the server's own settings; pick another"
        )
    key = environ.get(entry.api_key_env, "").strip()
    if not key and not base.demo:
        raise SettingsError(f"{where}: api_key_env: the variable {entry.api_key_env} is not set")
    own = entry.model_dump(exclude_none=True, exclude={"api_key_env"})
    single = {"workspaces_file", "workspace_id", "api_key", "data_center", "base_url"}
    values = {**base.model_dump(exclude=single), **own, "api_key": key or None}
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "api_key_env"
        field = "api_key_env" if field == "api_key" else field
        raise SettingsError(f"{where}: {field}: {error_message(error)}") from None
