"""The workspace a tool call acts on: its API client and the settings that govern it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..api import MoEngageClient
from ..settings import Settings
from .jobs import Jobs


@dataclass(frozen=True)
class Workspace:
    api: MoEngageClient
    settings: Settings
    jobs: Jobs[Any] = field(default_factory=Jobs)
    """Work calls could not finish in their time, for the calls that continue it."""
