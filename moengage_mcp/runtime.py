"""Wiring settings to a live API client: the real API, or the in-process demo simulator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .api import MoEngageClient
from .settings import Settings

if TYPE_CHECKING:
    from .team.shared import SharedState

DEMO_BASE_URL = "http://demo.simulator.invalid"
"""Never resolved: demo requests go to the in-process simulator through an ASGI transport."""


DEMO_AUTHOR = "demo.author@brightcart.example"


def demo_settings(settings: Settings) -> Settings:
    """Settings for `--demo`: the simulator's workspace id and, unless one is set, a demo author for
    the draft tools; everything else as configured."""
    from .simulator import DEMO_WORKSPACE_ID

    update = {"workspace_id": DEMO_WORKSPACE_ID, "base_url": DEMO_BASE_URL}
    return settings.model_copy(update={**update, "author_email": settings.author_email or DEMO_AUTHOR})


def make_api(settings: Settings, shared: SharedState | None = None) -> MoEngageClient:
    """The API client for `settings`; with `demo`, backed by a fresh simulated workspace. With `shared`,
    the workspace's rate-limit budget and read-cache versions are the ones all replicas share."""
    if settings.demo:
        import httpx

        from .simulator import DEMO_API_KEY, DEMO_WORKSPACE_ID, Simulator

        transport = httpx.ASGITransport(app=Simulator().app)
        budget = shared.budget(DEMO_WORKSPACE_ID) if shared else None
        return MoEngageClient(
            DEMO_WORKSPACE_ID,
            DEMO_API_KEY,
            DEMO_BASE_URL,
            transport=transport,
            budget=budget,
            cache_ttl=settings.cache_ttl,
            versions=shared.versions if shared else None,
        )
    assert settings.workspace_id is not None and settings.api_key is not None  # enforced by Settings
    budget = shared.budget(settings.workspace_id) if shared else None
    return MoEngageClient(
        settings.workspace_id,
        settings.api_key.get_secret_value(),
        settings.api_base_url,
        budget=budget,
        cache_ttl=settings.cache_ttl,
        versions=shared.versions if shared else None,
    )
