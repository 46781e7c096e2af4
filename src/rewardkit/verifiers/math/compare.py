"""Equivalence of a reference value and an answer value (see :mod:`.structure` for the shapes).

Scalars: identical text first; then the exact rational fast path for plain numbers (no sympy);
then sympy (:mod:`.symbolic`). Tolerance is used only when the reference is itself a rounded
decimal (``3.14`` accepts ``3.1416`` and ``\\pi``: the answer rounded to the reference's places
must equal it, and the reference needs at least :data:`MIN_ROUNDED_DECIMALS` places so that an
exact ``0.5`` does not accept ``0.54``; ``0.33`` accepts ``\\frac13``) or when the caller sets
``rel_tol``/``abs_tol``.
Percent is a unit label: ``50\\%`` equals ``50`` (not ``0.5``, which would make a wrong
scale right). Units: ``10 \\text{ cm}`` equals ``10``, but not ``10 \\text{ m}``. Degrees:
``45^\\circ`` equals ``45`` and, against a reference holding ``\\pi``, ``\\frac{\\pi}{4}``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from rewardkit.verifiers._extract import normalize_text
from rewardkit.verifiers._numbers import Number, round_half_away
from rewardkit.verifiers.math import symbolic
from rewardkit.verifiers.math.structure import (
    Equation,
    Interval,
    Matrix,
    Named,
    Scalar,
    Seq,
    Text,
    Union_,
    Value,
    parse_value,
)

#: a reference needs this many decimal places to be read as a rounded value
MIN_ROUNDED_DECIMALS = 2


class BudgetExceeded(Exception):
    """The comparison used up its work budget."""


@dataclass
class Context:
    """Settings and the work budget of one comparison."""

    rel_tol: float | None = None
    abs_tol: float | None = None
    deadline: float | None = None

    def tick(self) -> None:
        """Raise :class:`BudgetExceeded` once the deadline (in this thread's CPU time) has passed."""
        if self.deadline is not None and time.thread_time() > self.deadline:
            raise BudgetExceeded


_BRACED_SCRIPT = re.compile(r"([_^])\{(\w)\}")
_WORDLIKE = re.compile(r"^[A-Za-z]{2,}(?: [A-Za-z]+)*$")
_NON_DECIMAL_DOT = re.compile(r"\.(?!\d)|(?<!\d)\.")


def _text_key(text: str) -> str:
    """Case-, space- and dot-insensitive text (``4:30 p.m.`` = ``4:30 PM``)."""
    # dots go (``p.m.`` = ``pm``) except a decimal point (``1.5 times`` is not ``15 times``)
    text = _BRACED_SCRIPT.sub(r"\1\2", text)  # ``a_{3}`` = ``a_3``
    return _NON_DECIMAL_DOT.sub("", normalize_text(text, punctuation="edges").replace(" ", ""))


#: an option letter alone: ``D``, ``(D)``, ``(d)``; a bare lowercase ``e``/``c`` is a constant or a
#: variable, not an option
_LETTER = re.compile(r"^(?:\(([A-Ea-e])\)|([A-E]))$")
#: ``(D) 12``, ``D. 12``, ``\\textbf{(D)}\\ 12`` after clean-up: one option letter, then its text
_OPTION = re.compile(r"^\(?([A-E])\)?[.:)]?\s+(?P<text>.*\S.*)$")


def _option(text: str) -> tuple[str, str] | None:
    """``(D) 12`` -> ``("D", "12")``; ``None`` for anything else (``A B C`` names several letters)."""
    m = _OPTION.match(text.strip())
    if m is None or re.search(r"(?:^|\s)\(?[A-E]\)?(?:[.:)]|\s|$)", m.group("text")):
        return None
    return m.group(1), m.group("text").strip()


def _letter(text: str) -> str | None:
    m = _LETTER.match(text.strip())
    return None if m is None else (m.group(1) or m.group(2)).upper()


def _same_choice(ref: str, ans: str, ctx: Context) -> bool:
    """Multiple choice: a one-letter reference (``D``) matches ``(D) 12``; a reference that is
    an option with its text (``(C) 12``) matches its letter or its text; an answer that is an
    option with its text matches a reference equal to that text. Two options with text need
    the same letter and the same text (``B 5`` is not ``(B) 4``)."""
    ref_letter = _letter(ref)
    if ref_letter is not None:
        bare = re.fullmatch(r"\(?([A-Ea-e])\)?", ans.strip())
        if bare is not None:  # ``b`` against the option ``B``: the reference makes it a letter
            return bare.group(1).upper() == ref_letter
        option = _option(ans)
        return option is not None and option[0] == ref_letter
    ref_option = _option(ref)
    if ref_option is None:
        # ``(C) 12`` against ``12``: the option's text is the answer
        ans_option = _option(ans)
        if ans_option is None:
            return False
        ref_value, option_value = parse_value(ref), parse_value(ans_option[1])
        return (
            ref_value is not None and option_value is not None and values_equal(ref_value, option_value, ctx)
        )
    ans_letter = _letter(ans)
    if ans_letter is not None:
        return ans_letter == ref_option[0]
    ans_option = _option(ans)
    if ans_option is not None:
        if ans_option[0] != ref_option[0]:
            return False
        ref_text, ans_text = parse_value(ref_option[1]), parse_value(ans_option[1])
        return ref_text is not None and ans_text is not None and values_equal(ref_text, ans_text, ctx)
    ref_value, ans_value = parse_value(ref_option[1]), parse_value(ans)
    return ref_value is not None and ans_value is not None and values_equal(ref_value, ans_value, ctx)


def _tolerant(ref: Fraction, ans: Fraction, ctx: Context) -> bool:
    diff = abs(ref - ans)
    if ctx.abs_tol is not None and diff <= Fraction(ctx.abs_tol):
        return True
    if ctx.rel_tol is not None and diff <= Fraction(ctx.rel_tol) * max(abs(ref), abs(ans)):
        return True
    return False


def _numbers_equal(ref: Scalar, ans: Scalar, ctx: Context) -> bool:
    if ref.number is None or ans.number is None:
        return False
    r, a, ref_decimals = ref.number.value, ans.number.value, ref.number.decimals
    if r == a or _tolerant(r, a, ctx):
        return True
    # a rounded-decimal reference accepts a more precise answer (decimal or exact) that rounds to it
    return (
        ref_decimals is not None
        and ref_decimals >= MIN_ROUNDED_DECIMALS
        and (ans.number.decimals is None or ans.number.decimals > ref_decimals)
        and round_half_away(a, ref_decimals) == r
    )


def _sympy_of(scalar: Scalar) -> Any | None:
    if scalar.number is not None:
        import sympy

        return sympy.Rational(scalar.number.value.numerator, scalar.number.value.denominator)
    return symbolic.parse_latex(scalar.text)


def _has_pi(expr: Any) -> bool:
    import sympy

    return bool(expr.has(sympy.pi))


def _symbolic_equal(ref: Scalar, ans: Scalar, ctx: Context) -> bool:
    import sympy

    r_expr, a_expr = _sympy_of(ref), _sympy_of(ans)
    if r_expr is None or a_expr is None:
        return False
    ctx.tick()
    if ans.degree and not ref.degree and isinstance(r_expr, sympy.Expr) and _has_pi(r_expr):
        a_expr = a_expr * sympy.pi / 180
    elif ref.degree and not ans.degree and isinstance(a_expr, sympy.Expr) and _has_pi(a_expr):
        r_expr = r_expr * sympy.pi / 180
    if symbolic.expressions_equal(r_expr, a_expr):
        return True
    ctx.tick()
    # a rounded-decimal reference (3.14) accepts an exact answer that rounds to it (\pi)
    if (
        ref.number is not None
        and ref.number.decimals is not None
        and ref.number.decimals >= MIN_ROUNDED_DECIMALS
    ):
        if isinstance(a_expr, sympy.Expr) and not a_expr.free_symbols and symbolic.is_safe(a_expr):
            value = symbolic.evaluate(a_expr)
            if value is not None and value.imag == 0:
                approx = Fraction(str(value.real))
                if round_half_away(approx, ref.number.decimals) == ref.number.value:
                    return True
    if (ctx.rel_tol is not None or ctx.abs_tol is not None) and isinstance(a_expr, sympy.Expr):
        rv, av = symbolic.evaluate(r_expr), symbolic.evaluate(a_expr)
        if rv is not None and av is not None:
            diff = abs(rv - av)
            if ctx.abs_tol is not None and diff <= ctx.abs_tol:
                return True
            if ctx.rel_tol is not None and diff <= ctx.rel_tol * max(abs(rv), abs(av)):
                return True
    return False


def scalars_equal(ref: Scalar, ans: Scalar, ctx: Context) -> bool:
    """Equality of two scalar answers (see the module docstring)."""
    if ref.unit and ans.unit and ref.unit != ans.unit:
        return False
    if (ref.percent and ans.unit) or (ans.percent and ref.unit):
        return False
    if ref.text == ans.text and ref.degree == ans.degree:
        return True
    if ref.number is not None and ans.number is not None:
        return _numbers_equal(ref, ans, ctx)
    return _symbolic_equal(ref, ans, ctx)


def _match_unordered(refs: tuple[Value, ...], answers: tuple[Value, ...], ctx: Context) -> bool:
    if len(refs) != len(answers):
        return False
    left = list(answers)
    for ref in refs:
        for i, ans in enumerate(left):
            if values_equal(ref, ans, ctx):
                del left[i]
                break
        else:
            return False
    return True


def _match_ordered(refs: tuple[Value, ...], answers: tuple[Value, ...], ctx: Context) -> bool:
    if len(refs) != len(answers):
        return False
    return all(values_equal(r, a, ctx) for r, a in zip(refs, answers, strict=True))


def _equation_expr(eq: Equation | Named) -> Any | None:
    import sympy

    lhs_text, rhs_text = (eq.lhs, eq.rhs) if isinstance(eq, Equation) else (eq.name, eq.rhs)
    lhs, rhs = symbolic.parse_latex(lhs_text), symbolic.parse_latex(rhs_text)
    if not (isinstance(lhs, sympy.Expr) and isinstance(rhs, sympy.Expr)):
        return None
    return lhs - rhs


#: a relation read from the side of ``expr > 0``: ``a < b`` is ``b - a > 0``
_ORIENTED = {
    "eq": ("eq", 1),
    "ne": ("ne", 1),
    "gt": ("gt", 1),
    "ge": ("ge", 1),
    "lt": ("gt", -1),
    "le": ("ge", -1),
}


def _ratio_sign(ratio: Any) -> int | None:
    """Sign of a constant ratio, evaluated at a point where no variable repeats a value."""
    import sympy

    symbols = sorted(ratio.free_symbols, key=str)
    for shift in range(3):
        point = {sym: sympy.Rational(3 + 2 * k + shift, 7 + shift) for k, sym in enumerate(symbols)}
        value = symbolic.evaluate(ratio.xreplace(point))
        if value is not None and value.imag == 0 and value.real != 0:
            return 1 if value.real > 0 else -1
    return None


def equations_equal(ref: Equation | Named, ans: Equation | Named) -> bool:
    """Equivalent equations or inequalities.

    Each side is read as ``e = 0`` (or ``e > 0``, ``e \\ge 0``, ``e \\ne 0``, flipping ``<`` and
    ``\\le``). Equations and ``\\ne`` are equivalent when ``e_ref = c e_ans`` for a non-zero
    constant ``c``; inequalities need ``c > 0`` and the same strictness (``2a > 2b`` and
    ``b < a`` are ``a > b``; ``a < b`` is not). Constant relations must agree exactly.
    """
    import sympy

    ref_kind, ref_sign = _ORIENTED[getattr(ref, "relation", "eq")]
    ans_kind, ans_sign = _ORIENTED[getattr(ans, "relation", "eq")]
    if ref_kind != ans_kind:
        return False
    r, a = _equation_expr(ref), _equation_expr(ans)
    if r is None or a is None or not (symbolic.is_safe(r) and symbolic.is_safe(a)):
        return False
    r, a = r * ref_sign, a * ans_sign
    if r.free_symbols != a.free_symbols:
        return False
    if symbolic.expressions_equal(r, a):
        return True
    if a == 0 or not r.free_symbols:
        return False
    ratio = r / a
    shifted = ratio.xreplace({sym: sym + sympy.Rational(1, 3) for sym in ratio.free_symbols})
    if not symbolic.functions_equal(ratio, shifted):
        return False  # not a constant multiple
    if ref_kind in ("eq", "ne"):
        return True
    return _ratio_sign(ratio) == 1


def _as_vector(value: Value) -> tuple[Value, ...] | None:
    if isinstance(value, Matrix):
        if len(value.rows) == 1:
            return value.rows[0]
        if all(len(row) == 1 for row in value.rows):
            return tuple(row[0] for row in value.rows)
    if isinstance(value, Seq) and value.kind in ("tuple", "list"):
        return value.items
    return None


def _named_parts(seq: Seq) -> bool:
    """``a = 2, b = 3``: every item names a different quantity."""
    names = [_text_key(item.name) for item in seq.items if isinstance(item, Named)]
    return len(names) == len(seq.items) > 1 and len(set(names)) == len(names)


def _distinct(items: tuple[Value, ...]) -> tuple[Value, ...]:
    """Set elements written twice count once (``\\{1, 1, 2\\}`` = ``\\{1, 2\\}``)."""
    return tuple(dict.fromkeys(items))


def _singleton(value: Value) -> Value | None:
    """The one element of ``\\{3\\}`` (a one-element set equals its element)."""
    if isinstance(value, Seq) and value.kind in ("set", "list") and len(value.items) == 1:
        return value.items[0]
    return None


def _is_number(value: Value) -> bool:
    return isinstance(value, Scalar) and value.number is not None


def _is_constant(text: str) -> bool:
    """Whether ``text`` is an expression without free variables (``\\sum_{k=1}^{10} k``)."""
    expr = symbolic.parse_latex(text)
    return expr is not None and not getattr(expr, "free_symbols", True)


def _constant_step_holds(step: str, value: Value, ctx: Context) -> bool:
    """A side without variables in a chain must equal the value it leads to; others pass.

    ``\\binom{5}{2} = 11``, ``\\log_2 8 = 4`` and ``e^2 = 8`` fail; ``\\frac{2}{5} = 40\\%`` holds
    (a percent value is read as a fraction against a side without ``%``).
    """
    side = parse_value(step)
    if not isinstance(side, Scalar) or not isinstance(value, Scalar):
        return True
    if side.number is None:
        expr = symbolic.parse_latex(side.text)
        if expr is None or getattr(expr, "free_symbols", True):
            return True  # a side with variables (``m + n = 13``) states a quantity, not a value
        if not symbolic.is_safe(expr) or symbolic.evaluate(expr) is None:
            return True  # ``\\gcd(12, 18)``: not evaluated here, so not judged either
    if value.percent and not side.percent and value.number is not None:
        fraction = value.number.value / 100
        value = Scalar(str(fraction), Number(fraction))
    return scalars_equal(side, value, ctx)


def _steps_hold(named: Named, ctx: Context) -> bool:
    """Every constant step of ``x = 2 + 1 = 3`` equals the value (``x = 3 = 5`` fails)."""
    return all(_constant_step_holds(step, named.value, ctx) for step in named.steps)


def values_equal(ref: Value, ans: Value, ctx: Context) -> bool:
    """Whether ``ans`` denotes the same mathematical object as ``ref``."""
    ctx.tick()
    if isinstance(ans, Named) and not _steps_hold(ans, ctx):
        return False
    if isinstance(ref, Named) and isinstance(ans, Named) and ans.name:
        if _text_key(ref.name) == _text_key(ans.name):
            return values_equal(ref.value, ans.value, ctx)
        return False
    if isinstance(ans, Named) and (not isinstance(ref, Equation) or not ans.name):
        return values_equal(ref, ans.value, ctx)
    if isinstance(ref, Named) and not isinstance(ans, Equation):
        return values_equal(ref.value, ans, ctx)
    if isinstance(ref, (Equation, Named)) and isinstance(ans, (Equation, Named)):
        if isinstance(ref, Named) and isinstance(ans, Equation) and _is_number(ref.value):
            return False  # ``2x = 10`` against ``x = 5``: the equation is not solved
        return equations_equal(ref, ans)
    computation = isinstance(ans, Equation) and (ans.value_rhs or _is_constant(ans.lhs))
    if isinstance(ans, Equation) and computation and ans.relation == "eq" and isinstance(ref, Scalar):
        # ``m + n = 13``, ``3 \\times 4 = 12`` or ``\\sum_{k=1}^{10} k = 55`` against the value:
        # the value stated last, and a computation on the left must be right (``12 = 5`` states
        # nothing); when it is, its left side is the same value (``\\frac25 = 40\\%`` vs ``\\frac25``)
        value = parse_value(ans.rhs)
        if not isinstance(value, Scalar) or not _constant_step_holds(ans.lhs, value, ctx):
            return False
        if scalars_equal(ref, value, ctx):
            return True
        side = parse_value(ans.lhs)
        return _is_constant(ans.lhs) and isinstance(side, Scalar) and scalars_equal(ref, side, ctx)
    if isinstance(ref, Text) or isinstance(ans, Text):
        ref_text = ref.text if isinstance(ref, (Text, Scalar)) else None
        ans_text = ans.text if isinstance(ans, (Text, Scalar)) else None
        if ref_text is None or ans_text is None:
            return False
        return _text_key(ref_text) == _text_key(ans_text) or _same_choice(ref_text, ans_text, ctx)
    if isinstance(ref, Scalar) and isinstance(ans, Scalar):
        words = _WORDLIKE.match(ref.text) and _WORDLIKE.match(ans.text)
        if words and _text_key(ref.text) == _text_key(ans.text):
            return True  # ``No`` and ``no``: short words, not products of variables of another case
        return scalars_equal(ref, ans, ctx) or _same_choice(ref.text, ans.text, ctx)
    ref_one, ans_one = _singleton(ref), _singleton(ans)
    if ref_one is not None and not isinstance(ans, Seq):
        return values_equal(ref_one, ans, ctx)
    if ans_one is not None and not isinstance(ref, Seq):
        return values_equal(ref, ans_one, ctx)
    if isinstance(ref, Seq) and isinstance(ans, Seq):
        if ref.kind == "set" and ans.kind == "list" and all(isinstance(i, Named) for i in ans.items):
            # ``x_1 = 2, x_2 = 3`` against ``\\{2, 3\\}``: the named roots are the set's elements
            values = tuple(i.value for i in ans.items if isinstance(i, Named))
            return _match_unordered(_distinct(ref.items), _distinct(values), ctx)
        # named parts (``a = 2, b = 3``) match by name in any order; against bare values, in order
        ordered = "tuple" in (ref.kind, ans.kind) or (
            "alternatives" not in (ref.kind, ans.kind) and _named_parts(ref) != _named_parts(ans)
        )
        if ordered and {ref.kind, ans.kind} & {"set", "alternatives"}:
            return False
        if ordered:
            return _match_ordered(ref.items, ans.items, ctx)
        if "set" in (ref.kind, ans.kind):
            return _match_unordered(_distinct(ref.items), _distinct(ans.items), ctx)
        return _match_unordered(ref.items, ans.items, ctx)
    if isinstance(ref, Interval) and isinstance(ans, Interval):
        return (
            ref.lo_closed == ans.lo_closed
            and ref.hi_closed == ans.hi_closed
            and values_equal(ref.lo, ans.lo, ctx)
            and values_equal(ref.hi, ans.hi, ctx)
        )
    if isinstance(ref, Interval) and isinstance(ans, Seq) and ans.kind == "tuple" and len(ans.items) == 2:
        return not ref.lo_closed and not ref.hi_closed and _match_ordered((ref.lo, ref.hi), ans.items, ctx)
    if isinstance(ans, Interval) and isinstance(ref, Seq) and ref.kind == "tuple" and len(ref.items) == 2:
        return not ans.lo_closed and not ans.hi_closed and _match_ordered(ref.items, (ans.lo, ans.hi), ctx)
    if isinstance(ref, Union_) and isinstance(ans, Seq) and ans.kind == "alternatives":
        return _match_unordered(ref.parts, ans.items, ctx)
    if isinstance(ans, Union_) and isinstance(ref, Seq) and ref.kind == "alternatives":
        return _match_unordered(ref.items, ans.parts, ctx)
    if isinstance(ref, Union_) or isinstance(ans, Union_):
        ref_parts = ref.parts if isinstance(ref, Union_) else (ref,)
        ans_parts = ans.parts if isinstance(ans, Union_) else (ans,)
        return _match_unordered(ref_parts, ans_parts, ctx)
    if isinstance(ref, Matrix) and isinstance(ans, Matrix):
        return len(ref.rows) == len(ans.rows) and all(
            _match_ordered(r, a, ctx) for r, a in zip(ref.rows, ans.rows, strict=True)
        )
    ref_vec, ans_vec = _as_vector(ref), _as_vector(ans)
    if ref_vec is not None and ans_vec is not None and (isinstance(ref, Matrix) or isinstance(ans, Matrix)):
        return _match_ordered(ref_vec, ans_vec, ctx)
    return False


def is_multiple(value: Value) -> bool:
    """Whether a reference names several values (a set, tuple, list, interval, ...)."""
    if isinstance(value, Named):
        return is_multiple(value.value)
    return isinstance(value, (Seq, Interval, Union_, Matrix))


__all__ = [
    "BudgetExceeded",
    "Context",
    "MIN_ROUNDED_DECIMALS",
    "equations_equal",
    "is_multiple",
    "scalars_equal",
    "values_equal",
]
