"""Request-field checks that collect every problem before refusing.

Clients learn more from one 400 naming all bad fields than from a fix-one-retry loop, and
the V5 error envelope carries a `details` list for exactly that.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .envelopes import V1, ApiError, detail

_MISSING = object()


class FieldErrors:
    def __init__(self, generation: str) -> None:
        self.generation = generation
        self.details: list[dict[str, str]] = []

    def add(self, target: str, message: str) -> None:
        self.details.append(detail(target, message))

    def missing(self, target: str) -> None:
        """A required field is absent (worded like each generation's own message)."""
        self.add(
            target,
            "Field is required but value is None : None"
            if self.generation == V1
            else f"{target} is required",
        )

    def raise_if_any(self) -> None:
        if not self.details:
            return
        if self.generation == V1:
            details = [
                detail(d["target"], f"Invalid field value passed:{d['target']} - {d['message']}")
                for d in self.details
            ]
            raise ApiError(400, "Bad request", details=details)
        raise ApiError(
            400,
            "One or more fields failed validation.",
            target=self.details[0]["target"],
            details=self.details,
        )


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def get_int(
    body: dict[str, Any],
    key: str,
    errs: FieldErrors,
    *,
    lo: int,
    hi: int | None = None,
    required: bool = True,
    default: int | None = None,
    target: str | None = None,
) -> int | None:
    target = target or key
    value = body.get(key, _MISSING)
    if value is _MISSING or value is None:
        if required:
            errs.missing(target)
        return default
    bounds = f"between {lo} and {hi}" if hi is not None else f">= {lo}"
    if not is_int(value) or value < lo or (hi is not None and value > hi):
        errs.add(target, f"{target} must be an integer {bounds}, got {value!r}")
        return default
    return value


def get_bool(body: dict[str, Any], key: str, errs: FieldErrors, *, target: str | None = None) -> bool:
    value = body.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        errs.add(target or key, f"{target or key} must be a boolean, got {value!r}")
        return False
    return value


def get_str(
    body: dict[str, Any], key: str, errs: FieldErrors, *, target: str | None = None, required: bool = False
) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            errs.missing(target or key)
        return None
    if not isinstance(value, str):
        errs.add(target or key, f"{target or key} must be a string, got {value!r}")
        return None
    return value


def get_str_list(
    body: dict[str, Any],
    key: str,
    errs: FieldErrors,
    *,
    target: str | None = None,
    allowed: Iterable[str] | None = None,
    normalise: bool = False,
) -> set[str] | None:
    """A list of strings as a set (None when absent); optionally checked against an enum."""
    target = target or key
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errs.add(target, f"{target} must be a list of strings, got {value!r}")
        return None
    items = [v.strip().upper().replace(" ", "_") if normalise else v for v in value]
    if allowed is not None:
        allowed_set = set(allowed)
        bad = [v for v in items if v not in allowed_set]
        if bad:
            errs.add(
                target, f"{target} has invalid value(s) {bad}; allowed: {', '.join(sorted(allowed_set))}"
            )
            return None
    return set(items)


def get_object(
    body: dict[str, Any], key: str, errs: FieldErrors, *, target: str | None = None, required: bool = False
) -> dict[str, Any] | None:
    value = body.get(key)
    if value is None:
        if required:
            errs.missing(target or key)
        return None
    if not isinstance(value, dict):
        errs.add(target or key, f"{target or key} must be a JSON object, got {type(value).__name__}")
        return None
    return value
