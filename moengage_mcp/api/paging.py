"""Walking the API's 15-item pages up to a requested number of items.

Search and meta return no total (a short page is the last), executions do: with a total every
remaining page is fetched at once; without one, pages are fetched in doubling waves so a small
result costs one request and a large one is not fetched strictly one page at a time. The client's
rate limiter keeps the concurrency within the API's limits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import anyio

from .models import PAGE_SIZE

T = TypeVar("T")

FetchPage = Callable[[int], Awaitable[tuple[list[T], "int | None"]]]
"""Fetch one page by number (from 1); return its items and the total, when the API gives one."""
OnPage = Callable[[int, "int | None"], Awaitable[None]]
"""Progress callback: items fetched so far, and the target when known."""


class PagedRequest(Protocol):
    def model_copy(self, *, update: dict[str, Any]) -> Any: ...


def pages_of(call: Callable[[Any], Awaitable[list[T]]], request: PagedRequest) -> FetchPage[T]:
    """Fetch pages of `request` (an API request model with a `page` field) through `call`; no total."""

    async def fetch(page: int) -> tuple[list[T], int | None]:
        return await call(request.model_copy(update={"page": page})), None

    return fetch


@dataclass
class Collected(Generic[T]):
    items: list[T]
    exhausted: bool
    """True when no items exist beyond these."""
    total: int | None = None


async def collect(
    fetch: FetchPage[T],
    *,
    max_items: int,
    offset: int = 0,
    page_size: int = PAGE_SIZE,
    on_page: OnPage | None = None,
) -> Collected[T]:
    """Fetch items `offset` .. `offset + max_items - 1` (fewer if the API runs out)."""
    first = offset // page_size + 1
    skip = offset % page_size
    last = first + (skip + max_items - 1) // page_size
    pages: dict[int, list[T]] = {}
    fetched = 0

    async def fetch_into(page: int) -> int | None:
        nonlocal fetched
        pages[page], total = await fetch(page)
        fetched += len(pages[page])
        if on_page is not None:
            await on_page(fetched, max_items)
        return total

    total = await fetch_into(first)
    if total is not None:
        last = min(last, max(first, -(-total // page_size)))
    wave = 1 if total is None else last
    following = first + 1
    while following <= last and _all_full(pages, page_size):
        wave = min(wave * 2 if total is None else wave, last - following + 1)
        async with anyio.create_task_group() as tg:
            for page in range(following, following + wave):
                tg.start_soon(fetch_into, page)
        following += wave
    return _assemble(pages, skip, max_items, page_size, offset, total)


def _all_full(pages: dict[int, list[T]], page_size: int) -> bool:
    return all(len(items) == page_size for items in pages.values())


def _assemble(
    pages: dict[int, list[T]], skip: int, max_items: int, page_size: int, offset: int, total: int | None
) -> Collected[T]:
    flat: list[T] = []
    short_page = False
    for page in sorted(pages):
        flat.extend(pages[page])
        if len(pages[page]) < page_size:
            short_page = True
            break
    available = flat[skip:]
    exhausted = short_page or (total is not None and offset + len(available) >= total)
    if len(available) > max_items:
        exhausted = False
    return Collected(available[:max_items], exhausted, total)
