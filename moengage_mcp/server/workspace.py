"""The workspace a tool call acts on: its API client and the settings that govern it."""

from __future__ import annotations

from dataclasses import dataclass

from ..api import MoEngageClient
from ..settings import Settings


@dataclass(frozen=True)
class Workspace:
    api: MoEngageClient
    settings: Settings
