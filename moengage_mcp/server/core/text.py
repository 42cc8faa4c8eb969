"""Text as people and models read it: times at minute precision, enum values, and workspace or model
text made printable and quoted so it cannot pass for the server's own words."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from typing import Any


def minute(value: Any) -> str | None:
    """'YYYY-MM-DD HH:MM' (UTC) for a timestamp, the text itself otherwise."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value or None


def text(value: Any) -> str | None:
    """An enum's value, or the text the API sent."""
    return None if value is None else str(getattr(value, "value", value))


def printable(value: str) -> str:
    """`value` without control, format (bidi, zero-width) or line/paragraph separator characters, so
    text from a workspace or a model cannot add lines to, or reorder, what a person reads."""
    return "".join(
        " " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
        for c in value
        if unicodedata.category(c) != "Cf"
    )


def quoted(value: str, limit: int = 120) -> str:
    """`value` printable, cut to `limit` characters and in double quotes, so it cannot pass for the
    server's own words."""
    shown = printable(value)
    shown = shown if len(shown) <= limit else shown[:limit] + "…"
    return json.dumps(shown, ensure_ascii=False)
