"""A small personalization renderer for the preview endpoint (regex based, no Jinja).

It resolves the MoEngage forms agents meet in campaign content -
`{{UserAttribute['First Name']}}`, `{{UserAttribute.FirstName}}`, `{{EventAttribute['x']}}`,
`{{ContentBlock['name']}}`, `{{ user.first_name }}`, `{{ event.x }}` - with an optional
`|default('...')`. A missing value renders its default, or nothing; an expression it does not
understand (loops, other filters) is left untouched so the preview shows it verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_WITH_DEFAULT = re.compile(
    r"""^(?P<ref>.+?)\s*\|\s*default\s*\(\s*(?P<q>['"])(?P<value>.*?)(?P=q)\s*\)$""", re.DOTALL
)
_REFERENCE = re.compile(
    r"""^(?P<source>UserAttribute|EventAttribute|BusinessEventAttribute|ContentBlock|user|event)\s*"""
    r"""(?:\[\s*(?P<q>['"])(?P<quoted>.*?)(?P=q)\s*\]|\.(?P<dotted>[A-Za-z_][A-Za-z0-9_]*))$"""
)
_SOURCES = {
    "UserAttribute": "user",
    "user": "user",
    "EventAttribute": "event",
    "BusinessEventAttribute": "event",
    "event": "event",
    "ContentBlock": "block",
}
_MAX_BLOCK_DEPTH = 3


def normalise_key(name: str) -> str:
    """'First Name', 'FirstName', 'first_name' and 'first-name' all name one attribute."""
    return re.sub(r"[\s_\-]", "", name).lower()


@dataclass
class RenderContext:
    user: dict[str, Any] = field(default_factory=dict)
    event: dict[str, Any] = field(default_factory=dict)
    blocks: dict[str, str] = field(default_factory=dict)

    def lookup(self, source: str, key: str) -> Any:
        table = {"user": self.user, "event": self.event, "block": self.blocks}[source]
        if key in table:
            return table[key]
        wanted = normalise_key(key)
        for name, value in table.items():
            if normalise_key(name) == wanted:
                return value
        return None


def render_text(text: str, ctx: RenderContext, _depth: int = 0) -> str:
    """Substitute every expression this renderer understands."""

    def substitute(match: re.Match[str]) -> str:
        resolved = _resolve(match.group(1).strip(), ctx, _depth)
        return match.group(0) if resolved is None else resolved

    return _EXPRESSION.sub(substitute, text)


def render_tree(value: Any, ctx: RenderContext) -> Any:
    """Render every string inside a JSON-like structure, keeping its shape."""
    if isinstance(value, str):
        return render_text(value, ctx)
    if isinstance(value, dict):
        return {key: render_tree(item, ctx) for key, item in value.items()}
    if isinstance(value, list):
        return [render_tree(item, ctx) for item in value]
    return value


def _resolve(expression: str, ctx: RenderContext, depth: int) -> str | None:
    """The replacement text, or None to leave the expression as written."""
    default: str | None = None
    with_default = _WITH_DEFAULT.match(expression)
    if with_default:
        expression, default = with_default.group("ref").strip(), with_default.group("value")
    reference = _REFERENCE.match(expression)
    if reference is None:
        return None
    source = _SOURCES[reference.group("source")]
    key = reference.group("quoted") if reference.group("quoted") is not None else reference.group("dotted")
    value = ctx.lookup(source, key)
    if value is None or value == "":
        return default if default is not None else ""
    text = value if isinstance(value, str) else _scalar_text(value)
    if source == "block" and depth < _MAX_BLOCK_DEPTH:
        text = render_text(text, ctx, depth + 1)
    return text


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
