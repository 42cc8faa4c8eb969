"""Walking the API's pages for the list tools, with progress, and telling the model how to continue.

A list stops at `max_results`, at the end of the data, when the call's time runs out, or when its
rows would make the result larger than a model's context should take (MAX_RESULT_CHARS); the
continuation says which, and the offset to continue from.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from ..api import Collected, collect
from ..api import models as m
from .args import Page
from .budget import progress
from .results import compact_json, dump

T = TypeVar("T")


MAX_RESULT_CHARS = 52_000
"""About 20,000 tokens of result text at the densest this server's JSON gets (2.6 characters a token,
measured on meta rows): no result is to take more of a model's context."""

Cut = Literal["size", "time"]


class Continuation(BaseModel):
    more: bool
    next_offset: int | None = None
    cut: Cut | None = None


async def walk(fetch: Callable[[int], Awaitable[tuple[list[T], int | None]]], page: Page) -> Collected[T]:
    """Collect `page.max_results` rows from `page.offset`, reporting progress when it spans pages."""
    spans_pages = page.offset % m.PAGE_SIZE + page.max_results > m.PAGE_SIZE

    async def on_page(done: int, target: int | None) -> None:
        await progress().report(f"{done} rows fetched", done, target)

    return await collect(
        fetch, max_items=page.max_results, offset=page.offset, on_page=on_page if spans_pages else None
    )


def fitting(rows: Sequence[BaseModel], budget: int = MAX_RESULT_CHARS) -> int:
    """How many of `rows` fit in a result of `budget` characters (at least one)."""
    used = 0
    for count, row in enumerate(rows):
        used += len(compact_json(dump(row))) + 1
        if used > budget:
            return max(count, 1)
    return len(rows)


def page_of(
    page: Page, got: Collected[Any], rows: list[Any], budget: int = MAX_RESULT_CHARS
) -> tuple[list[Any], dict[str, Any]]:
    """The rows to return and their continuation: cut to fit `budget` characters, and saying so."""
    kept = rows[: fitting(rows, budget)]
    cut: Cut | None = "size" if len(kept) < len(rows) else "time" if got.timed_out else None
    more = bool(cut) or not got.exhausted
    return kept, {"more": more, "next_offset": page.offset + len(kept) if more else None, "cut": cut}
