"""Which model describes each component on each channel, and its JSON schema for
`moengage://reference/{component}` (served as a resource, so tools/list stays small)."""

from __future__ import annotations

import functools
import types
from typing import Any, Union, get_args, get_origin

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from .base import Component
from .requests import COMPONENT_NAMES, _EmailComponents, _PushComponents

CHANNELS = ("PUSH", "EMAIL")


def _model_of(annotation: Any) -> type[Component]:
    """`X | None` -> X."""
    if get_origin(annotation) in (Union, types.UnionType):
        (annotation,) = [arg for arg in get_args(annotation) if arg is not type(None)]
    return annotation


def _models(holder: type[Component]) -> dict[str, type[Component]]:
    return {
        name: _model_of(field.annotation)
        for name, field in holder.model_fields.items()
        if name in COMPONENT_NAMES
    }


COMPONENT_MODELS: dict[str, dict[str, type[Component]]] = {
    name: {
        channel: models[name]
        for channel, models in (("PUSH", _models(_PushComponents)), ("EMAIL", _models(_EmailComponents)))
        if name in models
    }
    for name in COMPONENT_NAMES
}
"""component -> channel -> model; derived from the request models, so the two cannot disagree."""


class CompactJsonSchema(GenerateJsonSchema):
    """No per-field titles, no `null` alternatives and no `default: null`: every optional field here
    simply means "omit to leave unset", and the schemas are read by agents, token by token."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        json_schema = super().default_schema(schema)
        if json_schema.get("default", ...) is None:
            del json_schema["default"]
        return json_schema


def model_for(component: str, channel: str) -> type[Component]:
    """The model of `component` on `channel`; ValueError naming what exists otherwise."""
    by_channel = COMPONENT_MODELS.get(component)
    if by_channel is None:
        raise ValueError(f"unknown component {component!r}; allowed: {', '.join(COMPONENT_NAMES)}")
    if channel not in by_channel:
        raise ValueError(f"{component} is part of {' and '.join(by_channel)} campaigns, not {channel}")
    return by_channel[channel]


@functools.cache
def component_schema(component: str, channel: str) -> dict[str, Any]:
    """The JSON schema (validation mode) of `component` on `channel`."""
    return model_for(component, channel).model_json_schema(schema_generator=CompactJsonSchema)


def reference(component: str) -> dict[str, Any]:
    """The reference document of a component: its schema per channel, one entry when both share it."""
    by_channel = COMPONENT_MODELS.get(component) or {}
    model_for(component, next(iter(by_channel), "PUSH"))  # the error for an unknown component
    groups: dict[type[Component], list[str]] = {}
    for channel, model in by_channel.items():
        groups.setdefault(model, []).append(channel)
    return {
        "component": component,
        "schemas": {
            " and ".join(channels): component_schema(component, channels[0]) for channels in groups.values()
        },
    }
