"""Tool arguments: pydantic models built from the API request models, handed to the SDK flat.

A tool's arguments are declared once, as an `Args` model. The MCP SDK builds a tool's input
schema from its function signature, so `flat_signature` turns the model's fields into keyword
parameters and hands the tool body one validated model instance.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any, TypeVar

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, WithJsonSchema

from ..api import models as m

MAX_RESULTS = 500

ModelT = TypeVar("ModelT", bound=BaseModel)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[^@\s]+@[^@\s]+$", max_length=254),
    WithJsonSchema({"type": "string", "format": "email"}),
]
Day = Annotated[dt.date, Field(ge=dt.date(2000, 1, 1), le=dt.date(2099, 12, 31))]
"""A calendar day in a range MoEngage data can fall in: far dates would overflow date arithmetic."""
UserId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]


class Args(BaseModel):
    """Base of every tool's arguments: unknown fields are an error, never silently ignored."""

    model_config = ConfigDict(extra="forbid")


class CampaignArg(Args):
    campaign_id: m.CampaignId


class Page(Args):
    max_results: int = Field(15, ge=1, le=MAX_RESULTS)
    offset: int = Field(0, ge=0, le=100_000, description="To continue: next_offset.")


def flat_signature(
    model: type[ModelT],
    body: Callable[..., Awaitable[Any]],
    *,
    extra: Mapping[str, Any],
    returns: Any,
    name: str,
) -> Callable[..., Awaitable[Any]]:
    """An SDK tool function taking `model`'s fields (plus the `extra` parameters, e.g. the
    context or resolved values) as keyword arguments, and calling `body(args, **extra)` with
    one validated `model` instance.

    The signature and annotations are built from real objects, not strings, so the SDK reads
    them without evaluating anything in this module's namespace.
    """
    params = [
        inspect.Parameter(
            field,
            inspect.Parameter.KEYWORD_ONLY,
            default=inspect.Parameter.empty
            if info.is_required()
            else info.get_default(call_default_factory=True),
            annotation=Annotated[info.annotation, info],
        )
        for field, info in model.model_fields.items()
    ]
    params += [
        inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, annotation=hint) for key, hint in extra.items()
    ]

    @functools.wraps(body)
    async def tool(**kwargs: Any) -> Any:
        values = {field: kwargs.pop(field) for field in model.model_fields if field in kwargs}
        return await body(parse_args(model, values), **kwargs)

    del tool.__wrapped__  # the SDK must see the flat signature, not the body's
    tool.__name__ = tool.__qualname__ = name
    tool.__signature__ = inspect.Signature(params, return_annotation=returns)  # type: ignore[attr-defined]
    tool.__annotations__ = {p.name: p.annotation for p in params} | {"return": returns}
    return tool


def parse_args(model: type[ModelT], values: dict[str, Any]) -> ModelT:
    """Validate tool arguments into `model`, turning failures into a tool error the model can act on."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'arguments'}: {str(err['msg']).removeprefix('Value error, ')}"
            for err in exc.errors()
        )
        raise ToolError(f"Invalid arguments: {problems}") from None
