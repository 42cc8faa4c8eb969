"""Walking the API's 15-item pages up to a requested number of items.

Search and meta return no total (a short page is the last), executions do: with a total every
remaining page is fetched at once (the client's rate limiter keeps the concurrency within the API's
limits); without one, the next page is asked for only once the last one came back full, so no page
is fetched after a short one (the rate limits, not the round trips, set the pace of a long walk).
When the caller's time runs out (`DeadlineReached`), the walk stops with what it has: the items of
the pages fetched from the first without a gap, `timed_out` set.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import anyio

if sys.version_info < (3, 11):  # pragma: no cover
    from exceptiongroup import BaseExceptionGroup

from .errors import found_in
from .models import PAGE_SIZE
from .ratelimit import DeadlineReached

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
    timed_out: bool = False
    """True when the caller's time ran out before the walk was done."""


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

    timed_out = False
    total: int | None = None
    try:
        total = await fetch_into(first)
        if total is not None:
            last = min(last, max(first, -(-total // page_size)))
            async with anyio.create_task_group() as tg:
                for page in range(first + 1, last + 1):
                    tg.start_soon(fetch_into, page)
        else:
            following = first + 1
            while following <= last and len(pages[following - 1]) == page_size:
                await fetch_into(following)
                following += 1
    except (DeadlineReached, BaseExceptionGroup) as exc:
        if found_in(exc, DeadlineReached) is None or _other_than(exc, DeadlineReached):
            raise
        timed_out = True
    got = _assemble(pages, skip, max_items, page_size, offset, total)
    if timed_out:
        got.exhausted, got.timed_out = False, True
    return got


def _other_than(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether an exception group holds anything but `kind`."""
    if isinstance(exc, BaseExceptionGroup):
        return any(_other_than(inner, kind) for inner in exc.exceptions)
    return not isinstance(exc, kind)


def _assemble(
    pages: dict[int, list[T]], skip: int, max_items: int, page_size: int, offset: int, total: int | None
) -> Collected[T]:
    flat: list[T] = []
    short_page = False
    first = min(pages, default=0)
    for page in sorted(pages):
        if page != first + len(flat) // page_size:  # a gap (a page not fetched in time): stop before it
            break
        flat.extend(pages[page])
        if len(pages[page]) < page_size:
            short_page = True
            break
    available = flat[skip:]
    exhausted = short_page or (total is not None and offset + len(available) >= total)
    if len(available) > max_items:
        exhausted = False
    return Collected(available[:max_items], exhausted, total)
