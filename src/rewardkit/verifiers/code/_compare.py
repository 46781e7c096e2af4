"""Comparison in the parent process: stdout lines and serialised return values.

Stdout: lines are compared after trimming trailing whitespace, with equal line counts (trailing
blank lines at the very end are ignored). This is stricter than SandboxFusion (strips and
lower-cases every line) and than open-r1, whose ``zip()`` lets extra or missing lines pass
(REFERENCE.md section 3, exploit 13). Numbers are compared with a tolerance only when the option
asks for it, token by token, as ``|a - b| <= tol * max(1, |b|)`` (the relative+absolute rule of
SandboxFusion's float check, REFERENCE.md section 3).

Return values arrive as the tagged JSON tree written by the sandboxed child; they are rebuilt with
exact builtin types and compared with exact types (``True`` is not ``1``, ``1`` is not ``1.0``,
a custom ``__eq__`` never runs here), REFERENCE.md section 3 exploit 5.
"""

from __future__ import annotations

import math
from typing import Any


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _number(token: str) -> float | None:
    try:
        value = float(token)
    except ValueError:
        return None
    return value


def _tokens_close(got: str, want: str, tol: float) -> bool:
    a, b = got.split(), want.split()
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):  # lengths checked above
        if x == y:
            continue
        fx, fy = _number(x), _number(y)
        if fx is None or fy is None or math.isnan(fx) or math.isnan(fy):
            return False
        if abs(fx - fy) > tol * max(1.0, abs(fy)):
            return False
    return True


def compare_stdout(got: str, want: str, float_tolerance: float | None = None) -> bool:
    """Whether program output ``got`` matches ``want``.

    Args:
        got: what the program printed.
        want: the expected output from the reference.
        float_tolerance: when set, numeric tokens may differ by ``tol * max(1, |want|)``.
    """
    a, b = _lines(got), _lines(want)
    if len(a) != len(b):
        return False
    if float_tolerance is None:
        return a == b
    return all(x == y or _tokens_close(x, y, float_tolerance) for x, y in zip(a, b, strict=True))


class DecodeError(ValueError):
    """The child's serialised value is malformed."""


def decode_value(node: Any, depth: int = 0) -> Any:
    """Rebuild a value from the child's tagged tree (see ``_zygote._make_encoder``)."""
    if depth > 250 or not isinstance(node, list) or len(node) != 2 or not isinstance(node[0], str):
        raise DecodeError("malformed value")
    tag, payload = node
    try:
        if tag == "none":
            return None
        if tag == "bool" and isinstance(payload, bool):
            return payload
        if tag == "int" and isinstance(payload, str):
            if len(payload) > 5000:
                raise DecodeError("integer too long")
            return int(payload)
        if tag == "float" and isinstance(payload, str):
            return float(payload)
        if tag == "str" and isinstance(payload, str):
            return bytes.fromhex(payload).decode("utf-8", "surrogatepass")
        if tag == "bytes" and isinstance(payload, str):
            return bytes.fromhex(payload)
        if tag == "complex" and isinstance(payload, list) and len(payload) == 2:
            return complex(float(payload[0]), float(payload[1]))
        if tag in ("list", "tuple", "set", "frozenset") and isinstance(payload, list):
            items = [decode_value(item, depth + 1) for item in payload]
            if tag == "list":
                return items
            if tag == "tuple":
                return tuple(items)
            return set(items) if tag == "set" else frozenset(items)
        if tag == "dict" and isinstance(payload, list):
            out = {}
            for pair in payload:
                if not isinstance(pair, list) or len(pair) != 2:
                    raise DecodeError("malformed dict")
                out[decode_value(pair[0], depth + 1)] = decode_value(pair[1], depth + 1)
            return out
    except (ValueError, TypeError) as exc:  # bad hex, unhashable set members, ...
        raise DecodeError(f"malformed {tag}: {exc}") from exc
    raise DecodeError(f"unknown tag {tag!r}")


def values_equal(
    got: Any, want: Any, *, json_domain: bool = False, float_tolerance: float | None = None
) -> bool:
    """Exact-type equality of plain values.

    Args:
        got: the candidate's value (decoded in the parent).
        want: the expected value.
        json_domain: ``want`` came from JSON, which has no tuples: a tuple then matches a list
            of equal items (LiveCodeBench converts tuples to lists the same way).
        float_tolerance: when set, floats may differ by ``tol * max(1, |want|)``.
    """
    tg, tw = type(got), type(want)
    if json_domain and tg is tuple and tw is list:
        tg = list
    if tg is not tw:
        return False
    if tw is float:
        if math.isnan(want):
            return math.isnan(got)
        if float_tolerance is None:
            return bool(got == want)
        if math.isinf(want):
            return bool(got == want)
        return bool(abs(got - want) <= float_tolerance * max(1.0, abs(want)))
    if tw is complex:
        return values_equal(got.real, want.real, float_tolerance=float_tolerance) and values_equal(
            got.imag, want.imag, float_tolerance=float_tolerance
        )
    if tw in (list, tuple):
        return len(got) == len(want) and all(
            values_equal(a, b, json_domain=json_domain, float_tolerance=float_tolerance)
            for a, b in zip(got, want, strict=True)
        )
    if tw is dict:
        if len(got) != len(want):
            return False
        typed = {(type(k), k): v for k, v in got.items()}
        for key, value in want.items():
            gkey = (type(key), key)
            if gkey not in typed or not values_equal(
                typed[gkey], value, json_domain=json_domain, float_tolerance=float_tolerance
            ):
                return False
        return True
    if tw in (set, frozenset):
        return {(type(a), a) for a in got} == {(type(b), b) for b in want}
    return bool(got == want)
