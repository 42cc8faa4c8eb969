"""The workspaces tool calls act on: each with its API client, the settings that govern it, and its jobs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..api import MoEngageClient
from ..settings import Settings
from .jobs import Jobs

ALL = "*"
"""The `workspace` value that means every configured workspace (in the tools that span several)."""


@dataclass(frozen=True)
class Workspace:
    api: MoEngageClient
    settings: Settings
    name: str = "default"
    jobs: Jobs[Any] = field(default_factory=Jobs)
    """Work calls could not finish in their time, for the calls that continue it."""


@dataclass(frozen=True)
class Workspaces:
    """The workspaces of one server, by name in configured order, and the one used when a call names none."""

    by_name: Mapping[str, Workspace]
    default: str

    @classmethod
    def of(
        cls, apis: Mapping[str, MoEngageClient], settings: Mapping[str, Settings], default: str
    ) -> Workspaces:
        return cls({name: Workspace(api, settings[name], name) for name, api in apis.items()}, default)

    @property
    def several(self) -> bool:
        """Whether tools take a `workspace` argument and results name their workspace."""
        return len(self.by_name) > 1

    def chosen(self, args: Any) -> list[Workspace]:
        """The workspaces a call's validated `workspace` argument names."""
        return self.named_in(getattr(args, "workspace", None))

    def named_in(self, value: Any) -> list[Workspace]:
        """The workspaces a `workspace` argument names: none given (the default), one, a list, or `*` (all).
        Names that are not configured are left out (validation refuses them)."""
        if value == ALL:
            return list(self.by_name.values())
        names = [value or self.default] if not isinstance(value, list) else list(dict.fromkeys(value))
        return [self.by_name[name] for name in names if isinstance(name, str) and name in self.by_name]

    def pick(self, args: Any) -> Workspace:
        """The one workspace a single-workspace call acts on."""
        return self.chosen(args)[0]
