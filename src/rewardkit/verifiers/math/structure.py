"""Read a cleaned answer string into a structured value.

The shapes an answer can take: a scalar expression, a text answer, a set ``\\{1, 2\\}``, a tuple
or ordered pair ``(1, 2)``, a bare list ``1, 2``, alternatives ``3 or 4`` (a hedge unless the
reference is itself several values), an interval ``[1, 2)`` or a union of intervals, a
matrix or vector (``pmatrix``, ``bmatrix``, ...), a named value ``x = 3``, an equation
``y = 2x + 1``, an inequality ``x > 2`` (read as the interval it describes), and ``a \\pm b``
(read as the set of both values). Splitting is done at top level only, outside every bracket.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from rewardkit.verifiers._numbers import Number, parse_number, round_half_away
from rewardkit.verifiers.math.normalize import clean

MAX_ITEMS = 64
_MAX_DEPTH = 6

_MATRIX = re.compile(r"^\\begin\{([pbB]?matrix|array)\}(?:\{[^{}]*\})?(.*)\\end\{\1\}$", re.DOTALL)
_NAME = re.compile(
    r"^(?:[A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?'*|\\[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?"
    r"|[A-Za-z]'*(?:\^\{?-1\}?)?\s*\(.{0,60}\)|\|[^|]{1,30}\||[A-Za-z]{2,12})$"
)
_LETTERS_ONLY = re.compile(r"^(?:m?\s*\\angle\s*)?[A-Za-z][A-Za-z\s+\-*]*$")
#: a left side without letters (``3 \\times 4``): the equation is a computation
_CONSTANT_SIDE = re.compile(r"^[^A-Za-z]*$")
_OR = re.compile(r"\s+or\s+|\\lor(?![A-Za-z])|\\vee(?![A-Za-z])|(?<![\\A-Za-z])or(?![A-Za-z])")
_AND = re.compile(r"\s+and\s+|\\land(?![A-Za-z])|\\wedge(?![A-Za-z])|(?<![\\A-Za-z])and(?![A-Za-z])")
#: the whole real line
_REALS = re.compile(
    r"^(?:\\mathbb\s*\{?\s*R\s*\}?|\\R|\\mathbf\{R\}|(?:x\s*\\in\s*)?\(\s*-\s*\\infty\s*,\s*\+?\s*\\infty\s*\)"
    r"|all\s+real\s+numbers|\(-\\infty,\\infty\))$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z]{3,}")
_INNER_BOX = re.compile(r"\\(?:boxed|fbox)(?![A-Za-z])")
#: a numeral with its base as a subscript: ``1011_2``, ``2A_{16}``
_BASE_N = re.compile(r"([0-9A-Fa-f]+)_\{?\s*(\d{1,2})\s*\}?")
_KNOWN_WORDS = frozenset(
    "sin cos tan cot sec csc log ln exp arcsin arccos arctan sinh cosh tanh sqrt frac dfrac pi infty "
    "cdot times div circ text mathrm le ge ne lt gt leq geq neq pm mp cup cap varnothing begin end "
    "pmatrix bmatrix matrix binom choose left right sum prod int lim theta alpha beta gamma delta "
    "epsilon varepsilon lambda mu phi varphi omega sigma rho tau".split()
)


@dataclass(frozen=True)
class Scalar:
    """One expression: ``number`` is set when it is a plain number (the fast path)."""

    text: str
    number: Number | None = None
    percent: bool = False
    degree: bool = False
    unit: str | None = None


@dataclass(frozen=True)
class Text:
    """A word answer (``Monday``, ``4:30 p.m.``), compared as normalised text."""

    text: str


@dataclass(frozen=True)
class Seq:
    """Several values. ``kind``: ``set`` (``\\{...\\}``, unordered), ``tuple`` (``(...)``,
    ordered), ``list`` (bare commas: unordered against a set, ordered against a tuple) or
    ``alternatives`` (``a or b``, ``a \\pm b``: unordered)."""

    kind: Literal["set", "tuple", "list", "alternatives"]
    items: tuple[Value, ...]


@dataclass(frozen=True)
class Interval:
    """An interval; endpoints are scalars (``\\infty`` included)."""

    lo: Value
    hi: Value
    lo_closed: bool
    hi_closed: bool


@dataclass(frozen=True)
class Union_:
    """A union of intervals (``\\cup``), unordered."""

    parts: tuple[Value, ...]


@dataclass(frozen=True)
class Matrix:
    """A matrix or vector: rows of cells."""

    rows: tuple[tuple[Value, ...], ...]


@dataclass(frozen=True)
class Named:
    """``x = 3``, ``f(x) = 2x + 1``: a value given a name.

    ``steps`` are the sides between the name and the value in a chain (``x = 2 + 1 = 3``);
    a constant step must equal the value (``x = 3 = 5`` states nothing). A chain that starts
    with a computation (``3 \\times 4 = 12 = 12``) has an empty ``name``.
    """

    name: str
    value: Value
    rhs: str
    steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Equation:
    """An equation or inequality between two expressions that is not a named value."""

    lhs: str
    rhs: str
    relation: str = "eq"
    #: the right side may be the value asked for: the left is a quantity made of names only
    #: (``m + n = 13``, ``\\angle A = 30^\\circ``) or a computation (``3 \\times 4 = 12``)
    value_rhs: bool = False


Value = Scalar | Text | Seq | Interval | Union_ | Matrix | Named | Equation


def split_top(text: str, sep: str | re.Pattern[str]) -> list[str]:
    """Split ``text`` on ``sep`` where it occurs outside every bracket pair."""
    parts: list[str] = []
    depth = 0
    start = 0
    i = 0
    n = len(text)
    pattern = sep if isinstance(sep, re.Pattern) else None
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in "{}":
            depth += 1 if text[i + 1] == "{" else -1
            i += 2
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0:
            if pattern is not None:
                m = pattern.match(text, i)
                if m is not None and m.end() > i:
                    parts.append(text[start:i])
                    start = i = m.end()
                    continue
            elif text.startswith(sep, i):  # type: ignore[arg-type]
                parts.append(text[start:i])
                i += len(sep)  # type: ignore[arg-type]
                start = i
                continue
        i += 1
    parts.append(text[start:])
    return parts


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text.replace(r"\{", "{").replace(r"\}", "}"):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
    return depth == 0


def _enclosed(text: str, left: str, right: str) -> bool:
    """Whether ``text`` is ``left ... right`` with the two delimiters matching each other."""
    if not (text.startswith(left) and text.endswith(right)) or len(text) < len(left) + len(right):
        return False
    inner = text[len(left) : len(text) - len(right)]
    depth = 0
    for ch in inner:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                return False
    return True


def _is_text(text: str) -> bool:
    stripped = re.sub(r"\\[A-Za-z]+", " ", text)
    return any(w.lower() not in _KNOWN_WORDS for w in _WORD.findall(stripped)) or ":" in text


def _items(text: str, depth: int) -> tuple[Value, ...] | None:
    parts = [p.strip() for p in split_top(text, ",")]
    if len(parts) > MAX_ITEMS or any(not p for p in parts):
        return None
    values = [parse_value(p, depth + 1) for p in parts]
    if any(v is None for v in values):
        return None
    return tuple(v for v in values if v is not None)


_FLIP = {"<": ">", ">": "<", "\\le": "\\ge", "\\ge": "\\le"}
_REL_NAME = {"<": "lt", ">": "gt", "\\le": "le", "\\ge": "ge", "\\ne": "ne"}


def _relation(text: str, depth: int) -> Value | None:
    """``x > 2`` and ``2 < x \\le 5`` -> the interval they describe; other relations -> Equation."""
    tokens = [t.strip() for t in re.split(r"(\\le|\\ge|\\ne|<|>)", text)]
    if len(tokens) == 3:
        lhs, op, rhs = tokens
        if not lhs or not rhs:
            return None
        if op != "\\ne" and _NAME.match(rhs) and not _NAME.match(lhs):
            lhs, op, rhs = rhs, _FLIP[op], lhs
        if op == "\\ne" and _NAME.match(lhs) and not _NAME.match(rhs):
            # x \ne 2 is (-\infty, 2) \cup (2, \infty)
            point = parse_value(rhs, depth + 1)
            if point is None:
                return None
            return Union_(
                (
                    Interval(Scalar("-\\infty"), point, False, False),
                    Interval(point, Scalar("\\infty"), False, False),
                )
            )
        if op != "\\ne" and _NAME.match(lhs) and not _NAME.match(rhs):
            bound = parse_value(rhs, depth + 1)
            if bound is None:
                return None
            if op in ("<", "\\le"):
                return Interval(Scalar("-\\infty"), bound, False, op == "\\le")
            return Interval(bound, Scalar("\\infty"), op == "\\ge", False)
        return Equation(lhs, rhs, _REL_NAME[op])
    if len(tokens) == 5 and _NAME.match(tokens[2]):
        a, op1, _, op2, b = tokens
        if op1 in (">", "\\ge") and op2 in (">", "\\ge"):
            a, op1, op2, b = b, _FLIP[op2], _FLIP[op1], a
        if op1 in ("<", "\\le") and op2 in ("<", "\\le"):
            lo = parse_value(a, depth + 1)
            hi = parse_value(b, depth + 1)
            if lo is None or hi is None:
                return None
            return Interval(lo, hi, op1 == "\\le", op2 == "\\le")
    return None


_PM = re.compile(r"\\(pm|mp)(?![A-Za-z])")


def _expand_pm(text: str) -> tuple[str, str] | None:
    """``a \\pm b`` anywhere (``\\frac{-1 \\pm \\sqrt5}{2}`` too) -> the ``+`` and ``-`` readings.

    A leading ``\\pm 2`` gives ``2`` and ``-2``; ``\\mp`` is the opposite sign of ``\\pm``.
    Returns ``None`` when there is no ``\\pm``/``\\mp``.
    """
    if not _PM.search(text):
        return None

    def reading(sign: str) -> str:
        other = "-" if sign == "+" else "+"
        return _PM.sub(lambda m: f" {sign} " if m.group(1) == "pm" else f" {other} ", text).strip()

    return reading("+"), reading("-")


def _names_tuple(text: str) -> bool:
    """``(x, y)``: a tuple of names on the left of ``=``."""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    parts = [p.strip() for p in text[1:-1].split(",")]
    return len(parts) > 1 and all(_NAME.match(p) for p in parts)


def _bound(value: Value) -> float | None:
    """An interval endpoint as a float for ordering (``None`` when it is not a plain number)."""
    if isinstance(value, Scalar):
        if value.number is not None:
            return float(value.number.value)
        if value.text in ("\\infty", "+\\infty"):
            return float("inf")
        if value.text == "-\\infty":
            return float("-inf")
    return None


def _intersection(intervals: list[Interval]) -> Value | None:
    """``x > 1 and x < 3`` -> ``(1, 3)``; an empty intersection is the empty set."""
    lo, hi = intervals[0], intervals[0]
    for iv in intervals[1:]:
        a, b = _bound(iv.lo), _bound(lo.lo)
        c, d = _bound(iv.hi), _bound(hi.hi)
        if a is None or b is None or c is None or d is None:
            return None
        if a > b or (a == b and not iv.lo_closed):
            lo = iv
        if c < d or (c == d and not iv.hi_closed):
            hi = iv
    low, high = _bound(lo.lo), _bound(hi.hi)
    if low is None or high is None or low > high or (low == high and not (lo.lo_closed and hi.hi_closed)):
        return Seq("set", ())
    return Interval(lo.lo, hi.hi, lo.lo_closed, hi.hi_closed)


def _matrix(body: str, depth: int) -> Value | None:
    rows = [r for r in (row.strip() for row in re.split(r"\\\\", body)) if r]
    if not rows:
        return None
    parsed: list[tuple[Value, ...]] = []
    for row in rows:
        cells = [c.strip() for c in row.split("&")]
        values = [parse_value(c, depth + 1) for c in cells]
        if any(v is None for v in values):
            return None
        parsed.append(tuple(v for v in values if v is not None))
    if len({len(r) for r in parsed}) != 1:
        return None
    return Matrix(tuple(parsed))


def _scalar(text: str, percent: bool, degree: bool, unit: str | None) -> Value:
    number = parse_number(text)
    if number is not None:
        return Scalar(text, number, percent or number.percent, degree, unit)
    if _is_text(text) or "\\circ" in text:  # ``f \\circ g``: a composition, compared as written
        return Text(text)
    return Scalar(text, None, percent, degree, unit)


def parse_value(answer: str, depth: int = 0) -> Value | None:
    """Parse one answer into a :data:`Value`; ``None`` when it is empty or malformed.

    Args:
        answer: the extracted answer.
        depth: recursion depth (nested structures stop at a fixed depth).
    """
    if depth > _MAX_DEPTH:
        return None
    c = clean(answer)
    text, percent, degree, unit = c.text, c.percent, c.degree, c.unit
    if not text or not _balanced(text) or _INNER_BOX.search(text):
        return None  # a box inside the answer (``5 \\boxed{6}``) names two answers
    base = _BASE_N.fullmatch(text)
    if base is not None and re.search(r"\d", base.group(1)):
        if base.group(2) == "10":  # ``11_{10}`` is 11
            return parse_value(base.group(1), depth + 1)
        return Text(f"{base.group(1).upper()}_{base.group(2)}")  # ``1011_2``: compared as written
    if text in (r"\varnothing", r"\{\}", "{}", r"\{ \}", "\\O"):
        return Seq("set", ())
    m = _MATRIX.match(text)
    if m is None and text[0] in "([" and _enclosed(text, text[0], ")" if text[0] == "(" else "]"):
        m = _MATRIX.match(text[1:-1].strip())  # ``\\left(\\begin{array}..\\end{array}\\right)``
    if m is not None:
        return _matrix(m.group(2), depth)
    if _REALS.match(text):
        return Interval(Scalar("-\\infty"), Scalar("\\infty"), False, False)
    alternatives = split_top(text, _OR)
    if len(alternatives) > 1:
        options = [parse_value(a, depth + 1) for a in alternatives if a.strip()]
        present = tuple(v for v in options if v is not None)
        if len(present) != len(options) or not present:
            return None
        return present[0] if len(present) == 1 else Seq("alternatives", present)
    conjuncts = split_top(text, _AND)
    if len(conjuncts) > 1:
        both = [parse_value(c, depth + 1) for c in conjuncts if c.strip()]
        present = tuple(v for v in both if v is not None)
        if len(present) != len(both) or not present:
            return None
        if all(isinstance(v, Interval) for v in present):
            return _intersection([v for v in present if isinstance(v, Interval)])
        return present[0] if len(present) == 1 else Seq("list", present)
    union = split_top(text, re.compile(r"\\cup(?![A-Za-z])|\\sqcup(?![A-Za-z])"))
    if len(union) > 1:
        parts = [parse_value(p, depth + 1) for p in union]
        pieces = tuple(p for p in parts if p is not None)
        if len(pieces) != len(parts):
            return None
        if all(isinstance(p, Seq) and p.kind == "set" for p in pieces):
            # \{1, 2\} \cup \{3\} is the set \{1, 2, 3\}
            return Seq("set", tuple(item for p in pieces if isinstance(p, Seq) for item in p.items))
        return Union_(pieces)
    commas = split_top(text, ",")
    if len(commas) > 1 and all("=" in part for part in commas):
        items = _items(text, depth)
        return Seq("list", items) if items is not None else None
    pm_free = _expand_pm(text)
    if pm_free is not None:
        plus = parse_value(pm_free[0], depth + 1)
        minus = parse_value(pm_free[1], depth + 1)
        if plus is None or minus is None:
            return None
        return Seq("alternatives", (plus, minus))
    approx = split_top(text, re.compile(r"\\approx(?![A-Za-z])"))
    if len(approx) == 2 and approx[0].strip() and approx[1].strip():
        # ``\\frac13 \\approx 0.33``: the exact value, if the rounding states it truly
        exact, rounded = parse_value(approx[0], depth + 1), parse_number(clean(approx[1]).text)
        if rounded is None or rounded.decimals is None or not isinstance(exact, Scalar):
            return exact
        if exact.number is not None:
            if round_half_away(exact.number.value, rounded.decimals) != rounded.value:
                return None
        return exact
    eq_parts = split_top(text, re.compile(r"=|\\in(?![A-Za-z])"))
    if len(eq_parts) > 1 and all(p.strip() for p in eq_parts):
        lhs = eq_parts[0].strip()
        # ``\\frac25 = 40\\%``, ``\\theta = 30^\\circ``: the marks clean() took off belong to the rhs
        rhs = eq_parts[-1].strip() + ("\\%" if percent else "") + ("^\\circ" if degree else "")
        named = _NAME.match(lhs) is not None or _names_tuple(lhs)
        if not named and len(eq_parts) == 2:
            value_rhs = _LETTERS_ONLY.match(lhs) is not None or (
                _CONSTANT_SIDE.match(re.sub(r"\\[A-Za-z]+", "", lhs)) is not None
            )
            return Equation(lhs, rhs, "eq", value_rhs)
        value = parse_value(rhs, depth + 1)
        if value is None:
            return None
        steps = tuple(p.strip() for p in eq_parts[1:-1])
        return Named(lhs, value, rhs, steps) if named else Named("", value, rhs, (lhs, *steps))
    if re.search(r"\\le|\\ge|\\ne|<|>", text) and not text.startswith(r"\langle"):
        rel = _relation(text, depth)
        if rel is not None:
            return rel
    if _enclosed(text, r"\{", r"\}"):
        inner = text[2:-2].strip()
        if not inner:
            return Seq("set", ())
        items = _items(inner, depth)
        return Seq("set", items) if items is not None else None
    if _enclosed(text, r"\langle", r"\rangle"):
        items = _items(text[len(r"\langle") : -len(r"\rangle")], depth)
        return Seq("tuple", items) if items is not None else None
    if text[0] in "([" and text[-1] in ")]" and _enclosed(text, text[0], text[-1]):
        inner = text[1:-1]
        if len(split_top(inner, ",")) >= 2:
            items = _items(inner, depth)
            if items is None:
                return None
            if len(items) == 2 and (text[0], text[-1]) != ("(", ")"):
                return Interval(items[0], items[1], text[0] == "[", text[-1] == "]")
            return Seq("tuple", items)
    if parse_number(text) is None and len(split_top(text, ",")) > 1:
        items = _items(text, depth)
        return Seq("list", items) if items is not None else None
    return _scalar(text, percent, degree, unit)


__all__ = [
    "Equation",
    "Interval",
    "Matrix",
    "Named",
    "Scalar",
    "Seq",
    "Text",
    "Union_",
    "Value",
    "parse_value",
    "split_top",
]
