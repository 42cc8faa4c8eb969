"""Walking the API's pages for the list tools, with progress, and telling the model how to continue."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from mcp.server.mcpserver import Context
from pydantic import BaseModel

from ..api import Collected, collect
from ..api import models as m
from .args import Page

T = TypeVar("T")


class Continuation(BaseModel):
    more: bool
    next_offset: int | None = None


async def walk(
    ctx: Context, fetch: Callable[[int], Awaitable[tuple[list[T], int | None]]], page: Page
) -> Collected[T]:
    """Collect `page.max_results` rows from `page.offset`, reporting progress when it spans pages."""
    spans_pages = page.offset % m.PAGE_SIZE + page.max_results > m.PAGE_SIZE

    async def progress(done: int, target: int | None) -> None:
        await ctx.report_progress(done, target, f"{done} rows fetched")

    return await collect(
        fetch, max_items=page.max_results, offset=page.offset, on_page=progress if spans_pages else None
    )


def continuation(page: Page, got: Collected[Any]) -> dict[str, Any]:
    more = not got.exhausted
    return {"more": more, "next_offset": page.offset + len(got.items) if more else None}
