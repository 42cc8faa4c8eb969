"""Wiring settings to live API clients: the real API, or in-process demo simulators."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING

from .api import MoEngageClient
from .settings import Settings
from .workspaces import Configured

if TYPE_CHECKING:
    from .team.shared import SharedState

DEMO_BASE_URL = "http://demo.simulator.invalid"
"""Never resolved: demo requests go to the in-process simulator through an ASGI transport."""


DEMO_AUTHOR = "demo.author@brightcart.example"


def demo_settings(settings: Settings, *, named: bool = False) -> Settings:
    """Settings for `--demo`: the simulator's workspace id (a workspace from a workspaces file, `named`,
    keeps its own: each gets a simulator of its own) and, unless one is set, a demo author for the draft
    tools; everything else as configured."""
    from .simulator import DEMO_WORKSPACE_ID

    update = {"base_url": DEMO_BASE_URL, "author_email": settings.author_email or DEMO_AUTHOR}
    if not named:
        update["workspace_id"] = DEMO_WORKSPACE_ID
    return settings.model_copy(update=update)


def make_api(settings: Settings, shared: SharedState | None = None) -> MoEngageClient:
    """The API client for `settings`; with `demo`, backed by a fresh simulated workspace. With `shared`,
    the workspace's rate-limit budget and read-cache versions are the ones all replicas share."""
    assert settings.workspace_id is not None  # enforced by Settings
    budget = shared.budget(settings.workspace_id) if shared else None
    if settings.demo:
        import httpx

        from .simulator import DEMO_API_KEY, Simulator

        transport = httpx.ASGITransport(app=Simulator(workspace_id=settings.workspace_id).app)
        return MoEngageClient(
            settings.workspace_id,
            DEMO_API_KEY,
            DEMO_BASE_URL,
            transport=transport,
            budget=budget,
            cache_ttl=settings.cache_ttl,
            versions=shared.versions if shared else None,
        )
    assert settings.api_key is not None  # enforced by Settings
    return MoEngageClient(
        settings.workspace_id,
        settings.api_key.get_secret_value(),
        settings.api_base_url,
        budget=budget,
        cache_ttl=settings.cache_ttl,
        versions=shared.versions if shared else None,
    )


@asynccontextmanager
async def open_apis(
    workspaces: Configured, shared: SharedState | None = None
) -> AsyncIterator[Mapping[str, MoEngageClient]]:
    """One API client per configured workspace (each with its own rate-limit budget and read cache:
    MoEngage counts its limits per workspace), closed together."""
    async with AsyncExitStack() as stack:
        yield {
            name: await stack.enter_async_context(make_api(settings, shared))
            for name, settings in workspaces.settings.items()
        }
