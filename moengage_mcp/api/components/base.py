"""Shared pieces of the V5 component models: the strict base, rules that name a field, common types.

Every model here mirrors a published request schema (campaigns-v5.yaml and the two component
reference pages). Types, enums, bounds and `required` lists are the published ones; the
documented cross-field rules ("required when ...", "mutually exclusive", "not applicable for
...") are checked by each model's `_problems`, and reported at the field they concern, so
an agent is told `...android.timer: required when template_type is TIMER`, not just "invalid".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ValidationError, WithJsonSchema, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from ..models import RequestModel

Problem = tuple[str, str]
"""(dot path of the field, relative to the model; what is wrong with it)."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Component(RequestModel):
    """A request object of a published V5 schema: unknown fields refused, documented rules checked."""

    @model_validator(mode="after")
    def _check_rules(self) -> Component:
        problems = list(self._problems())
        if problems:
            raise rule_error(problems)
        return self

    def _problems(self) -> Iterator[Problem]:
        """The documented cross-field rules this object breaks (none unless a model says so)."""
        return iter(())

    def present(self, path: str) -> bool:
        """Whether the dotted `path` below this object has a value (`basic_details.image_url`)."""
        value: Any = self
        for part in path.split("."):
            value = getattr(value, part, None)
            if value is None:
                return False
        return True


def rule_error(problems: Iterable[Problem]) -> ValidationError:
    """A ValidationError with one line per problem, each at its own field (pydantic prefixes the
    location of the enclosing objects when it propagates)."""
    details = [
        InitErrorDetails(
            type=PydanticCustomError("rule", "{rule}", {"rule": message}),
            loc=tuple(path.split(".")) if path else (),
            input=None,
        )
        for path, message in problems
    ]
    return ValidationError.from_exception_data("rules", details)


def required_when(model: Component, condition: str, *paths: str) -> Iterator[Problem]:
    """A problem for each of `paths` that is missing although `condition` holds."""
    for path in paths:
        if not model.present(path):
            yield path, f"required when {condition}"


def not_allowed(field: str, reason: str) -> Problem:
    return field, f"not allowed: {reason}"


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise PydanticCustomError("email", "must be an email address")
    return value


def _iso_datetime(value: str) -> str:
    """Keep the caller's text (the API takes zone-less ISO 8601) but refuse what is not a date-time."""
    try:
        dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise PydanticCustomError(
            "datetime_format", "must be an ISO 8601 date-time such as 2026-07-15T09:00:00"
        ) from None
    return value


def _non_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be empty")
    return value


Email = Annotated[str, AfterValidator(_email), WithJsonSchema({"type": "string", "format": "email"})]
IsoDateTime = Annotated[
    str, AfterValidator(_iso_datetime), WithJsonSchema({"type": "string", "format": "date-time"})
]
Text = Annotated[str, AfterValidator(_non_blank), WithJsonSchema({"type": "string", "minLength": 1})]

Granularity = Literal["MINUTES", "HOURS", "DAYS"]
ClickAction = Literal["DEEPLINKING", "NAVIGATE_TO_A_SCREEN", "RICH_LANDING"]
Platform = Literal["ANDROID", "IOS", "WEB"]


def parse_time(value: str | None) -> dt.datetime | None:
    """A validated IsoDateTime as a naive datetime (zone dropped after conversion to UTC), for comparisons."""
    if value is None:
        return None
    parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed.astimezone(dt.timezone.utc).replace(tzinfo=None) if parsed.tzinfo else parsed
