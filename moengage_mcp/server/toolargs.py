"""Tool arguments from pydantic models.

A tool's arguments are declared once, as a pydantic model built from the API request models; the
MCP SDK builds a tool's input schema from its function signature, so `flat_args` turns the model's
fields into keyword parameters and hands the tool body one validated model instance.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar, get_type_hints

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)


def flat_args(model: type[BaseModel]) -> Callable[[Callable[..., Awaitable[Any]]], Callable[..., Awaitable[Any]]]:
    """Decorate `async def tool(args: model, **rest)` to take `model`'s fields as flat keyword arguments."""

    def decorate(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        hints = get_type_hints(fn, include_extras=True)
        own = inspect.signature(fn).parameters
        fields = [
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=inspect.Parameter.empty if info.is_required() else info.get_default(call_default_factory=True),
                annotation=Annotated[info.annotation, info],
            )
            for name, info in model.model_fields.items()
        ]
        rest = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=hints.get(n, p.annotation)) for n, p in own.items() if n != "args"]

        @functools.wraps(fn)
        async def tool(**kwargs: Any) -> Any:
            values = {name: kwargs.pop(name) for name in model.model_fields if name in kwargs}
            return await fn(parse_args(model, values), **kwargs)

        params = fields + rest
        tool.__signature__ = inspect.Signature(params, return_annotation=hints.get("return", inspect.Signature.empty))  # type: ignore[attr-defined]
        tool.__annotations__ = {p.name: p.annotation for p in params} | (
            {"return": hints["return"]} if "return" in hints else {}
        )
        del tool.__wrapped__  # the SDK must see the flat signature, not the original one
        return tool

    return decorate


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
