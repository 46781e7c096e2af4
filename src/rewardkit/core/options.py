"""Validation of verifier options given as plain mappings (from spec files or Python).

Options classes are frozen dataclasses whose fields carry type hints; ``Literal`` fields list
the allowed modes. :func:`parse_options` checks names, types and modes and raises
``ValueError`` naming the field (DESIGN.md style rule 3).
"""

from __future__ import annotations

import dataclasses
import types
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T")


def parse_options(cls: type[T], options: dict[str, Any] | None, where: str = "options") -> T:
    """Build ``cls`` from ``options``, validating every field.

    Args:
        cls: a dataclass type.
        options: mapping of field names to values (``None`` means all defaults).
        where: a prefix for error messages (e.g. ``"spec.toml: term 'math'"``).

    Raises:
        ValueError: an unknown field, a value of the wrong type or a mode not in the ``Literal``.
    """
    if options is None:
        options = {}
    if isinstance(options, cls):
        return options
    if not isinstance(options, dict):
        raise ValueError(f"{where}: options must be a table/mapping, got {type(options).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(options) - set(fields))
    if unknown:
        raise ValueError(
            f"{where}: unknown option(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(sorted(fields)) or '(none)'}"
        )
    hints = get_type_hints(cls)
    values: dict[str, Any] = {}
    for name, value in options.items():
        values[name] = _check(value, hints[name], f"{where}: option {name!r}")
    try:
        obj = cls(**values)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from exc
    return obj


def _check(value: Any, hint: Any, where: str) -> Any:
    origin = get_origin(hint)
    args = get_args(hint)
    if hint is Any:
        return value
    if origin is Literal:
        if value not in args:
            allowed = ", ".join(repr(a) for a in args)
            raise ValueError(f"{where} must be one of {allowed}, got {value!r}")
        return value
    if origin in (Union, types.UnionType):
        errors = []
        for arg in args:
            try:
                return _check(value, arg, where)
            except ValueError as exc:
                errors.append(str(exc))
        raise ValueError(f"{where} has the wrong type: {value!r} ({'; '.join(errors)})")
    if hint is type(None):
        if value is not None:
            raise ValueError(f"{where} must be null")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{where} must be true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{where} must be an integer, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{where} must be a number, got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ValueError(f"{where} must be a string, got {value!r}")
        return value
    if origin in (tuple, list) or hint in (tuple, list):
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"{where} must be a list, got {value!r}")
        item = args[0] if args else Any
        checked = [_check(v, item, f"{where}[{i}]") for i, v in enumerate(value)]
        return tuple(checked) if (origin or hint) is tuple else checked
    if origin is dict or hint is dict:
        if not isinstance(value, dict):
            raise ValueError(f"{where} must be a table/mapping, got {value!r}")
        return value
    if isinstance(hint, type) and not isinstance(value, hint):
        raise ValueError(f"{where} must be {hint.__name__}, got {value!r}")
    return value


__all__ = ["parse_options"]
