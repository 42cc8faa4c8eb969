"""Turning caller input (JSON-like dicts) into request models, or into lines saying what to fix."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..explain import explain
from .base import Component
from .reference import model_for
from .requests import (
    CreateRequest,
    EmailCreateRequest,
    EmailUpdateRequest,
    PushCreateRequest,
    PushUpdateRequest,
    UpdateRequest,
)


class InvalidRequest(ValueError):
    """Input that does not match the published V5 schemas; `problems` has one line per field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@functools.cache
def _adapter(kind: str) -> TypeAdapter[Any]:
    return TypeAdapter(CreateRequest if kind == "create" else UpdateRequest)


def _validate(adapter: TypeAdapter[Any], model: Any, data: Any, prefix: str = "") -> Any:
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        raise InvalidRequest(explain(exc, model, prefix)) from None


def parse_create(data: Mapping[str, Any]) -> PushCreateRequest | EmailCreateRequest:
    """A create request from its JSON form (the `channel` picks the PUSH or EMAIL schemas)."""
    return _validate(_adapter("create"), CreateRequest, dict(data))


def parse_update(data: Mapping[str, Any]) -> PushUpdateRequest | EmailUpdateRequest:
    """A component update request from its JSON form."""
    return _validate(_adapter("update"), UpdateRequest, dict(data))


def parse_component(component: str, channel: str, data: Any) -> Component:
    """One component on its own, e.g. to check an agent's `campaign_content` before building a request;
    problems are reported with the component's name in front of each path."""
    model = model_for(component, channel)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidRequest(explain(exc, model, component)) from None
