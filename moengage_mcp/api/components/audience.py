"""`segmentation_details` and `trigger_condition`: who gets a campaign and what sets it off.

Schemas: SegmentationDetails, FilterGroup, the three filter kinds, PushTriggerCondition and
EmailTriggerCondition in campaigns-v5.yaml; rules: audience-scheduling-delivery-reference.mdx
("Filter primitives", "Trigger conditions", "Validation rules").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StrictInt, WithJsonSchema
from pydantic_core import PydanticCustomError

from .base import Component, Granularity, Problem, not_allowed, required_when

OPERATORS: dict[str, tuple[str, ...]] = {
    "bool": ("is", "exists"),
    "double": ("in", "between", "lessThan", "greaterThan", "exists"),
    "string": (
        "in",
        "contains",
        "containsInTheFollowing",
        "startWithInTheFollowing",
        "endsWithInTheFollowing",
        "exists",
        "is",
    ),
    "datetime": ("inTheLast", "on", "between", "before", "after", "inTheNext", "exists", "today"),
}
"""Allowed `operator` values per `data_type` ("Operators per data type")."""
_NO_VALUE = ("exists", "today")


class UserAttributeFilter(Component):
    """operator depends on data_type: bool is, exists; double in, between, lessThan, greaterThan, exists;
    string in, contains, containsInTheFollowing, startWithInTheFollowing, endsWithInTheFollowing, exists,
    is; datetime inTheLast, on, between, before, after, inTheNext, exists, today. value is needed except for
    exists and today."""

    filter_type: Literal["user_attributes"]
    data_type: Literal["string", "double", "datetime", "bool"] | None = None
    category: str | None = None
    name: str | None = None
    operator: str | None = None
    value: Any = None
    case_sensitive: bool | None = None
    negate: bool | None = None
    is_dynamic_value: bool | None = None
    project_name: str | None = None

    def _problems(self) -> Iterator[Problem]:
        allowed = OPERATORS.get(self.data_type or "")
        if allowed and self.operator is not None and self.operator not in allowed:
            message = f"{self.operator!r} is not an operator for data_type {self.data_type}"
            yield "operator", f"{message}; allowed: {', '.join(allowed)}"
        if self.operator is not None and self.operator not in _NO_VALUE:
            yield from required_when(
                self, f"operator is {self.operator} (only exists and today need none)", "value"
            )


class Execution(Component):
    type: Literal["atleast", "atmost", "exactly"] | None = None
    count: int | None = None


class ActionFilter(Component):
    filter_type: Literal["actions"]
    action_name: str | None = None
    execution: Execution | None = None
    executed: bool | None = None
    attributes: FilterGroup | None = None
    condition: Literal["IF"] | None = None


class CustomSegmentFilter(Component):
    filter_type: Literal["custom_segments"]
    name: str | None = None
    id: str | None = None


Filter = Annotated[
    UserAttributeFilter | ActionFilter | CustomSegmentFilter, Field(discriminator="filter_type")
]


class FilterGroup(Component):
    filter_operator: Literal["and", "or"] | None = None
    filters: list[Filter] | None = None


class SegmentationDetails(Component):
    included_filters: FilterGroup | None = None
    excluded_filters: FilterGroup | None = None
    is_all_user_campaign: bool | None = None
    send_campaign_to_opt_out_users: bool | None = None

    def _problems(self) -> Iterator[Problem]:
        """The reference page: "Two top-level modes are supported: an explicit filter group, or a flag that
        targets all users"."""
        if self.is_all_user_campaign and self.included_filters is not None:
            yield not_allowed("included_filters", "is_all_user_campaign is true (the audience is every user)")
        elif not self.is_all_user_campaign and self.included_filters is None:
            yield "included_filters", "required unless is_all_user_campaign is true"


def _whole_number(value: int | str) -> int | str:
    if (isinstance(value, int) and value < 0) or (isinstance(value, str) and not value.strip().isdigit()):
        raise PydanticCustomError("whole_number", "must be a whole number (an integer or a string of digits)")
    return value


DelayValue = Annotated[
    StrictInt | str,
    AfterValidator(_whole_number),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": "^[0-9]+$"}]}),
]
"""The OpenAPI file types `trigger_delay_value` as a string, the reference page as an integer, and the
published examples use both: either is accepted and sent as given."""


class TriggerAttr(Component):
    name: str


class IntelligentDelay(Component):
    min_delay_value: int
    min_delay_granularity: Literal["MINUTES", "HOURS"]
    max_delay_value: int
    max_delay_granularity: Literal["HOURS", "DAYS"]


class EmailTriggerCondition(Component):
    """Required for EVENT_TRIGGERED campaigns. DELAY needs trigger_delay_value, trigger_delay_granularity and
    trigger_relation; BEFORE needs trigger_attr {"name": ...}."""

    included_filters: FilterGroup | None = None
    secondary_included_filters: FilterGroup | None = None
    trigger_delay_type: Literal["DELAY", "ASAP"] | None = None
    trigger_delay_value: DelayValue | None = None
    trigger_delay_granularity: Granularity | None = None
    trigger_relation: Literal["BEFORE", "AFTER"] | None = None
    trigger_attr: str | TriggerAttr | None = None
    """A string ("If Action") in the OpenAPI file, an object naming the time attribute in the reference
    page: either is accepted."""

    def _problems(self) -> Iterator[Problem]:
        if self.trigger_delay_type == "DELAY":
            yield from required_when(
                self,
                "trigger_delay_type is DELAY",
                "trigger_delay_value",
                "trigger_delay_granularity",
                "trigger_relation",
            )
        if self.trigger_relation == "BEFORE" and not isinstance(self.trigger_attr, TriggerAttr):
            yield (
                "trigger_attr",
                'required when trigger_relation is BEFORE, as {"name": <the time attribute to send before>}',
            )


class PushTriggerCondition(EmailTriggerCondition):
    """Required for EVENT_TRIGGERED, DEVICE_TRIGGERED and LOCATION_TRIGGERED campaigns. DELAY needs
    trigger_delay_value, trigger_delay_granularity and trigger_relation; BEFORE needs trigger_attr {"name":
    ...}; INTELLIGENT_DELAY needs intelligent_delay_optimization."""

    trigger_delay_type: Literal["DELAY", "ASAP", "INTELLIGENT_DELAY"] | None = None
    intelligent_delay_optimization: IntelligentDelay | None = None

    def _problems(self) -> Iterator[Problem]:
        yield from super()._problems()
        if self.trigger_delay_type == "INTELLIGENT_DELAY":
            yield from required_when(
                self, "trigger_delay_type is INTELLIGENT_DELAY", "intelligent_delay_optimization"
            )
