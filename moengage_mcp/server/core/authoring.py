"""Draft authoring without MCP: field edits by path, what changes, and the lines a person approves.

`update_campaign` and `duplicate_campaign` take whole components (MoEngage replaces a component as
a whole) and field edits (`set`: a dotted path to a value, such as
`campaign_content.content.push.android.basic_details.title`), applied to the campaign as it is now
so an agent can fix one field without restating the rest. QA findings carry their fix in that
form. Summaries show what a create sends, and for an update each changed field before -> after:
short text quoted, long text by its length and the links it gains or loses, every link in full.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from ...api import models as m
from .content import sent_lines, urls_in
from .text import quoted

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
LONG_TEXT = 200
"""Characters of a changed text shown whole; a longer one is described by its length and links."""


class EditError(ValueError):
    """A field edit that cannot be applied; the message names the path."""


def steps(path: str) -> list[str | int]:
    """`a.b[2].c` -> ["a", "b", 2, "c"]; EditError for anything else."""
    found = [(m.group(1), m.group(2)) for m in _STEP.finditer(path)]
    rebuilt = "".join(f".{key}" if key else f"[{index}]" for key, index in found).lstrip(".")
    if not found or rebuilt != path or found[0][0] is None:
        raise EditError(
            f"{path!r} is not a field path such as campaign_content.content.push.android.basic_details.title"
        )
    return [key if key else int(index) for key, index in found]


def apply_edits(
    current: Mapping[str, Any],
    components: Mapping[str, Any],
    edits: Mapping[str, Any],
    names: tuple[str, ...],
) -> dict[str, Any]:
    """The whole components to send: `components` as given, then each edit applied to its component
    (taken from `components`, else from `current`). Only components in `names` may be touched."""
    out = {name: copy.deepcopy(value) for name, value in components.items()}
    for path, value in edits.items():
        keys = steps(path)
        component = keys[0]
        if component not in names:
            raise EditError(f"{path}: {component} is not a component; allowed: {', '.join(names)}")
        if component not in out:
            out[component] = copy.deepcopy(current.get(component) or {})
        _put(out, keys, value, path)
    return out


def _put(document: dict[str, Any], keys: list[str | int], value: Any, path: str) -> None:
    node: Any = document
    for key, following in itertools.pairwise(keys):
        if isinstance(key, int):
            if not isinstance(node, list) or key >= len(node):
                raise EditError(f"{path}: there is no item {key} to change")
            node = node[key]
            continue
        if not isinstance(node, dict):
            raise EditError(f"{path}: {key} is not inside an object")
        node = node.setdefault(key, [] if isinstance(following, int) else {})
    last = keys[-1]
    if isinstance(last, int):
        if not isinstance(node, list) or last >= len(node):
            raise EditError(f"{path}: there is no item {last} to change")
        node[last] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise EditError(f"{path}: {last} is not inside an object")


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) of every leaf of a JSON value."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and value:
        for i, item in enumerate(value):
            yield from leaves(item, f"{path}[{i}]")
    else:
        yield path, value


def change_lines(current: Mapping[str, Any], components: Mapping[str, Any]) -> list[str]:
    """Each field the new `components` change, as `- path: before -> after`."""
    lines = []
    for name, new in components.items():
        before = dict(leaves(current.get(name), name)) if current.get(name) is not None else {}
        after = dict(leaves(new, name))
        for path in sorted(set(before) | set(after), key=_order(list(before) + list(after))):
            old_value, new_value = before.get(path, _ABSENT), after.get(path, _ABSENT)
            if old_value != new_value:
                lines.append(
                    f"- {path}: {_shown(old_value)} -> {_shown(new_value)}{_links(old_value, new_value, path)}"
                )
    return lines or ["- nothing: the components given equal the campaign's"]


_ABSENT = object()


def _order(paths: list[str]) -> Any:
    first = {path: i for i, path in reversed(list(enumerate(paths)))}
    return lambda path: first[path]


def _shown(value: Any) -> str:
    if value is _ABSENT:
        return "(not set)"
    if isinstance(value, str):
        if len(value) <= LONG_TEXT or value.startswith(("http://", "https://")):
            return quoted(value, 2000 if value.startswith(("http://", "https://")) else LONG_TEXT)
        return f"{len(value):,} characters"
    return quoted(json.dumps(value, ensure_ascii=False), 120)


def _links(old: Any, new: Any, path: str) -> str:
    """For long text: the links it gains and loses, in full."""
    if not (isinstance(new, str) and len(new) > LONG_TEXT) and not (
        isinstance(old, str) and len(old) > LONG_TEXT
    ):
        return ""
    before = set(urls_in(path, old)) if isinstance(old, str) else set()
    after = urls_in(path, new) if isinstance(new, str) else []
    gained = [url for url in dict.fromkeys(after) if url not in before]
    lost = sorted(before - set(after))
    parts = [f"link added {quoted(url, 2000)}" for url in gained] + [
        f"link removed {quoted(url, 2000)}" for url in lost
    ]
    return ("; " + "; ".join(parts)) if parts else " (same links)"


def draft_lines(components: Mapping[str, Any]) -> list[str]:
    """What a new draft holds, for a person: platforms, audience, schedule, and what it sends."""
    basic = components.get("basic_details") or {}
    lines = []
    if basic.get("platforms"):
        lines.append(f"Platforms: {', '.join(str(p) for p in basic['platforms'])}.")
    lines.append(f"Audience: {_audience(components.get('segmentation_details'))}.")
    lines.append(f"Schedule: {_schedule(components.get('scheduling_details'))}.")
    content = components.get("campaign_content")
    if content:
        lines += ["What it sends:", *sent_lines(m.CampaignContent.model_validate(content))]
    else:
        lines.append("No content yet.")
    others = [
        name
        for name in components
        if name not in ("basic_details", "segmentation_details", "scheduling_details", "campaign_content")
    ]
    if others:
        lines.append(f"Also set: {', '.join(others)}.")
    return lines


def _audience(segmentation: Any) -> str:
    if not isinstance(segmentation, dict):
        return "not set yet"
    if segmentation.get("is_all_user_campaign"):
        return "all users"
    parts = [
        f"{key.split('_')[0]} {quoted(json.dumps(value, ensure_ascii=False), 160)}"
        for key, value in segmentation.items()
        if key.endswith("_filters") and value
    ]
    return "; ".join(parts) or "no filters"


def _schedule(scheduling: Any) -> str:
    if not isinstance(scheduling, dict):
        return "not set yet"
    parts = [str(scheduling.get("delivery_type") or "?")]
    for key in ("start_time", "expiry_time"):
        if scheduling.get(key):
            parts.append(f"{key.split('_')[0]} {quoted(str(scheduling[key]), 40)}")
    if isinstance(scheduling.get("periodic_details"), dict):
        parts.append(f"repeats {quoted(json.dumps(scheduling['periodic_details']), 120)}")
    return ", ".join(parts)
