"""Validation errors as lines an agent can act on: the field path, what is wrong, what is allowed.

    campaign_content.content.push.android.template_type: 'CUSTOM' is not allowed; allowed: BASIC, ..., Custom
    segmentation_details.included_filters.filters.0.operator: field required
    basic_details.titel: unknown field; allowed fields: name, business_event, tags, ...

Pydantic reports the tag of a discriminated union, or the member it tried, as a path step
(`filters.0.actions.name`, `trigger_attr.str`); walking the model's types along the error
location tells those from fields, so the path shown is the path in the JSON the caller wrote,
and the allowed fields/values come from the model.
"""

from __future__ import annotations

import types
from typing import Annotated, Any, ForwardRef, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

_UNIONS = (Union, types.UnionType)


def explain(error: ValidationError, model: Any, prefix: str = "") -> list[str]:
    """One line per problem in `error`, raised while validating against `model` (a model class or
    type); `prefix` is prepended to every path (the component name when validating one component)."""
    lines: list[str] = []
    for err in error.errors(include_url=False):
        line = _line(err, model, prefix)
        if line not in lines:
            lines.append(line)
    return lines


def _line(err: Any, model: Any, prefix: str) -> str:
    loc, kind, ctx = tuple(err["loc"]), err["type"], err.get("ctx") or {}
    parts, target = _walk(model, loc)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        parts.append(str(ctx.get("discriminator", "")).strip("'"))
    path = ".".join(p for p in ([prefix] if prefix else []) + parts if p) or "body"
    return f"{path}: {_problem(err, kind, ctx, model, loc, target)}"


def _problem(err: Any, kind: str, ctx: dict[str, Any], model: Any, loc: tuple[Any, ...], target: Any) -> str:
    if kind == "missing":
        return "field required" + _allowed(target)
    if kind == "extra_forbidden":
        return "unknown field" + _fields(_walk(model, loc[:-1])[1])
    if kind in ("literal_error", "enum"):
        return f"{_show(err['input'])} is not allowed" + (
            _allowed(target) or f"; allowed: {ctx.get('expected')}"
        )
    if kind == "union_tag_invalid":
        return f"{_show(ctx.get('tag'))} is not allowed; allowed: {_unquote(ctx.get('expected_tags', ''))}"
    if kind == "union_tag_not_found":
        tags = list(dict.fromkeys(str(tag) for member in get_args(_strip(target)) for tag in _tags(member)))
        return "field required" + (f"; allowed: {', '.join(tags)}" if tags else "")
    if kind == "rule" or err.get("input") is None:
        return str(err["msg"])
    return f"{err['msg']} (got {_show(err['input'])})"


def _unquote(text: str) -> str:
    return text.replace("'", "")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _allowed(target: Any) -> str:
    values = _literal_values(target)
    return f"; allowed: {', '.join(str(v) for v in values)}" if values else ""


def _fields(target: Any) -> str:
    target = _strip(target)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return "; allowed fields: " + ", ".join(target.model_fields)
    return ""


def _literal_values(target: Any) -> tuple[Any, ...]:
    target = _strip(target)
    if get_origin(target) is list:
        target = _strip(get_args(target)[0])
    if get_origin(target) is Literal:
        return get_args(target)
    if get_origin(target) in _UNIONS:  # Union of Literals (a delivery type plus BROADCAST_LIVE_ACTIVITY)
        values = [_literal_values(arg) for arg in get_args(target)]
        return tuple(v for vs in values for v in vs) if all(values) else ()
    return ()


def _strip(target: Any) -> Any:
    """Annotated[X, ...] -> X and X | None -> X, repeatedly."""
    while True:
        if get_origin(target) is Annotated:
            target = get_args(target)[0]
            continue
        if get_origin(target) in _UNIONS:
            members = [arg for arg in get_args(target) if arg is not type(None)]
            if len(members) == 1:
                target = members[0]
                continue
        return target


def _walk(model: Any, loc: tuple[Any, ...]) -> tuple[list[str], Any]:
    """The path as the caller wrote it (union tags dropped) and the type found at `loc`."""
    parts: list[str] = []
    target = model
    for key in loc:
        target, tag = _step(target, key)
        if not tag:
            parts.append(str(key))
    return parts, target


def _step(target: Any, key: Any) -> tuple[Any, bool]:
    """The type one step below `target`, and whether `key` was a union tag rather than a field."""
    target = _strip(target)
    if get_origin(target) in _UNIONS:
        for member in get_args(target):  # a tag, or the label of the member tried
            if key in _tags(member) or _labels(key, member):
                return member, True
        return None, False  # a key of the data (a rule's path runs through the union without a tag)
    if isinstance(target, type) and issubclass(target, BaseModel):
        field = target.model_fields.get(str(key))
        return (_annotation(target, str(key), field), False) if field else (None, False)
    origin = get_origin(target)
    if origin in (list, tuple, set, frozenset):
        return get_args(target)[0], False
    if origin is dict:
        return get_args(target)[1], False
    return None, False


def _labels(key: Any, member: Any) -> bool:
    """Whether `key` is pydantic's label for trying `member`: `str`, `TriggerAttr`, or
    `function-after[_check_rules(), TriggerAttr]` for a model with an after-validator."""
    name = getattr(_strip(member), "__name__", None)
    return name is not None and isinstance(key, str) and (key == name or key.endswith(f", {name}]"))


def _annotation(model: type[BaseModel], name: str, field: FieldInfo) -> Any:
    """A field's type; a forward reference (a recursive model) is resolved by rebuilding the model."""
    if isinstance(field.annotation, ForwardRef):
        model.model_rebuild()
        return model.model_fields[name].annotation
    return field.annotation


def _tags(member: Any) -> set[Any]:
    """The tags that select `member` of a discriminated union: a `Tag(...)`, or the values of its
    single-value Literal fields."""
    if get_origin(member) is Annotated:
        for meta in get_args(member)[1:]:
            if hasattr(meta, "tag"):
                return {meta.tag}
    member = _strip(member)
    if not (isinstance(member, type) and issubclass(member, BaseModel)):
        return set()
    tags: set[Any] = set()
    for field in member.model_fields.values():
        if get_origin(field.annotation) is Literal and len(get_args(field.annotation)) == 1:
            tags.update(get_args(field.annotation))
    return tags
