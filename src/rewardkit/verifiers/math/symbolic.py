"""LaTeX to sympy, and equality of two expressions, with a bounded amount of work.

Parsing uses latex2sympy2_extended (the ANTLR LaTeX grammar Math-Verify also uses). Nothing here
calls ``simplify``: equality is decided numerically at high precision, which is both faster and
safer than symbolic simplification (which can run for minutes):

* constants (no free symbols) are equal when their 40-digit evaluations agree to a relative
  1e-30 (never an absolute tolerance, except against an exact zero; large values get as many
  extra digits as they have, so ``2^{1000}`` and ``2^{1000}+1`` differ); ``1/2004!`` and ``1/2006!``
  differ in the first digit, so distinct exact values are never merged (Math-Verify #14 merges
  them with an absolute float tolerance);
* expressions with free symbols are equal when they agree at several random points of both
  signs (the
  Schwartz-Zippel argument behind randomised identity testing: two different analytic
  expressions agree on a few random points with probability zero).

Work is bounded before sympy sees the input (DESIGN.md style rule 5): answers over
:data:`MAX_SYMPY_CHARS` characters or nested deeper than :data:`MAX_NESTING` are not parsed
(ANTLR recursion on ``{{{{...}}}}`` takes seconds and then fails), and an expression holding a
power tower, a huge integer or a huge factorial is compared structurally only, never evaluated
(``2^{2^{2^{100}}}``, ``10^{10^{10}}``, ``1000!`` cannot make the verifier allocate or spin).
"""

from __future__ import annotations

import random
import re
from functools import lru_cache
from typing import Any

#: longest string handed to the LaTeX parser
MAX_SYMPY_CHARS = 2000
#: deepest brace/bracket nesting handed to the LaTeX parser
MAX_NESTING = 24
#: integers with more digits than this are not evaluated
MAX_INT_DIGITS = 4000
#: factorial arguments above this are not evaluated
MAX_FACTORIAL = 5000
#: precision (decimal digits) of numeric evaluation
PRECISION = 40
#: most digits one evaluation may use (values above 10^MAX_EVAL_DIGITS compare structurally)
MAX_EVAL_DIGITS = 5000
#: digits of the confirming evaluation of two constants found equal at PRECISION digits
CONFIRM_PRECISION = 80
#: most bits sympy may use to see a difference hidden past CONFIRM_PRECISION (about 360 digits)
DIFFERENCE_BITS = 1200
#: largest exact rational worked out digit for digit (decimal digits)
MAX_EXACT_DIGITS = 20_000
#: largest exponent of a variable evaluated at test points
MAX_EXPONENT = 10_000
#: finite sums and products of at most this many terms are worked out when parsed
MAX_SUM_TERMS = 1_000
#: random points used to compare expressions with free symbols
N_POINTS = 4

#: one argument of a brace-less ``\\frac``/``\\sqrt``: a command, a character or a group
_ARG = r"(\\[A-Za-z]+|[0-9A-Za-z]|\{[^{}]*\})"
_SQRT_SHORT = re.compile(r"\\sqrt\s*(\\[A-Za-z]+|[0-9A-Za-z])")
_FRAC_SHORT = re.compile(rf"\\frac\s*{_ARG}\s*{_ARG}")
#: a number or a closing bracket directly before ``(``, or ``)`` directly before a number
_PAREN_PRODUCT = re.compile(r"(?<=[\d)}])\s*(?=\()|(?<=\\pi)\s*(?=\()|(?<=\))\s*(?=\d)")
#: a script right before the match: ``\\log_2(8)``, ``\\sin^2(x)``, ``\\sin^{-1}(x)`` apply a function
_SCRIPT_BEFORE = re.compile(r"[_^](?:\d+|\{[^{}]*\})$")
#: two numbers side by side (``2 3``): no reading is safe (the grammar would add them)
_SIDE_BY_SIDE = re.compile(r"(?<![_^\d.])\d+\s+\d")  # not ``\\log_2 8``
_TOWER = re.compile(r"\^\s*\{[^{}]*\^|\^\s*\d+\s*\^|\^\s*\(?[^{}()]*\^")


def _nesting(text: str) -> int:
    depth = best = 0
    for ch in text:
        if ch in "{([":
            depth += 1
            best = max(best, depth)
        elif ch in "})]":
            depth = max(0, depth - 1)
    return best


def _prepare(text: str) -> str:
    """``\\frac12``, ``\\frac\\pi6``, ``\\sqrt2``, ``\\sqrt\\pi`` -> the braced forms the grammar reads."""

    def braced(arg: str) -> str:
        return arg if arg.startswith("{") else "{" + arg + "}"

    text = _SQRT_SHORT.sub(lambda m: r"\sqrt" + braced(m.group(1)), text)
    text = _FRAC_SHORT.sub(lambda m: r"\frac" + braced(m.group(1)) + braced(m.group(2)), text)
    # the grammar adds juxtaposed numbers (``4(3)`` -> 7, ``(2)(3)`` -> 5): make products explicit
    text = _PAREN_PRODUCT.sub(
        lambda m: m.group() if _SCRIPT_BEFORE.search(text, 0, m.start()) else r"\cdot ", text
    )
    if r"\choose" in text and not text.startswith("{"):
        text = "{" + text + "}"  # ``10 \choose 3`` reads only when braced
    return text


@lru_cache(maxsize=1)
def _conversion_config() -> Any:
    """The parser's settings: symbols keep their case (``A`` and ``a``, ``R`` and ``r`` differ)."""
    from latex2sympy2_extended.latex2sympy2 import ConversionConfig

    return ConversionConfig(
        interpret_as_mixed_fractions=True,
        interpret_simple_eq_as_assignment=False,
        interpret_contains_as_eq=True,
        lowercase_symbols=False,
    )


@lru_cache(maxsize=8192)
def parse_latex(text: str) -> Any | None:
    """Parse one LaTeX expression into sympy, or ``None`` when it cannot be read safely.

    ``i`` is read as the imaginary unit and decimals as exact rationals. The result is cached
    (references repeat across a batch, and so do common wrong answers).
    """
    if not text or len(text) > MAX_SYMPY_CHARS or _nesting(text) > MAX_NESTING:
        return None
    if _SIDE_BY_SIDE.search(text):
        return None
    try:
        import sympy
        from latex2sympy2_extended import latex2sympy

        expr = latex2sympy(_prepare(text), conversion_config=_conversion_config())
    except Exception:  # the parser raises bare Exception on syntax errors
        return None
    except RecursionError:
        return None
    if not isinstance(expr, sympy.Basic):
        return None
    # written decimals are exact values: 1.5 is 3/2, not a 53-bit float
    floats = expr.atoms(sympy.Float)
    if floats:
        expr = expr.xreplace({f: sympy.Rational(str(f)) for f in floats})
    if expr.has(sympy.Sum, sympy.Product):
        try:  # \\sum_{k=1}^{10} k is 55; larger or infinite sums stay unevaluated (is_safe)
            expr = expr.replace(_small_finite, lambda node: node.doit())
        except Exception:  # sympy raises many types on odd summands
            return None
    i_sym = sympy.Symbol("i")
    if isinstance(expr, sympy.Expr) and i_sym in expr.free_symbols:
        expr = expr.subs(i_sym, sympy.I)
    return expr


def _unevaluated_types(sympy: Any) -> tuple[type, ...]:
    return (sympy.Sum, sympy.Product, sympy.Integral, sympy.Limit, sympy.Derivative)


def _small_finite(node: Any) -> bool:
    """A sum or product with integer bounds and at most :data:`MAX_SUM_TERMS` terms."""
    import sympy

    if not isinstance(node, (sympy.Sum, sympy.Product)):
        return False
    count = 1
    for limit in node.limits:
        if len(limit) != 3 or not (limit[1].is_Integer and limit[2].is_Integer):
            return False
        count *= max(0, int(limit[2]) - int(limit[1]) + 1)
    return count <= MAX_SUM_TERMS


def _log10_magnitude(base: Any, exp: Any) -> float:
    """Rough ``log10 |base ** exp|`` for numeric ``base`` and ``exp`` (small evaluations only)."""
    import math

    try:
        b, e = abs(complex(base.evalf(15))), abs(complex(exp.evalf(15)))
    except (TypeError, ValueError, OverflowError):
        return math.inf
    if b in (0.0, 1.0):
        return 0.0
    return e * abs(math.log10(b))


def is_safe(expr: Any) -> bool:
    """Whether ``expr`` can be evaluated numerically without unbounded work.

    Refuses integers over :data:`MAX_INT_DIGITS` digits, factorials of more than
    :data:`MAX_FACTORIAL`, factorials inside an exponent, unevaluated sums, products,
    integrals, limits and derivatives (a finite sum of at most :data:`MAX_SUM_TERMS` terms is
    worked out when parsed), powers of a variable above :data:`MAX_EXPONENT`, and power towers whose exponent
    holds a constant power above 10^3 (``10^{10^{10}}``, ``2^{2^{2^{100}}}``, ``9^{9^9}``).
    """
    import sympy

    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Integer) and abs(int(node)).bit_length() > MAX_INT_DIGITS * 3.33:
            return False
        if isinstance(node, _unevaluated_types(sympy)):
            return False  # an infinite sum or an integral: evalf may run for minutes
        if (
            isinstance(node, sympy.Pow)
            and node.args[1].is_Number
            and abs(node.args[1]) > MAX_EXPONENT
            and node.args[0].free_symbols
        ):
            return False  # x^{99999999} at a rational point is a number of 10^8 digits
        if isinstance(node, sympy.factorial):
            arg = node.args[0]
            if not (arg.is_Integer and int(arg) <= MAX_FACTORIAL):
                return False
        if isinstance(node, sympy.Pow):
            for sub in sympy.preorder_traversal(node.args[1]):
                if isinstance(sub, sympy.factorial):
                    return False
                if (
                    isinstance(sub, sympy.Pow)
                    and sub.args[0].is_number
                    and sub.args[1].is_number
                    and (not is_safe(sub.args[1]) or _log10_magnitude(*sub.args) > 3)
                ):
                    return False
    return True


def evaluate(expr: Any, digits: int = PRECISION) -> Any | None:
    """``expr`` as an mpmath complex number to ``digits`` digits, or ``None`` (not finite, not a number)."""
    import mpmath
    import sympy

    bits = int(digits * 3.33) + 16
    try:
        value = sympy.N(expr, digits)
        re_part, im_part = value.as_real_imag()
        if not (re_part.is_Number and im_part.is_Number) or not (re_part.is_finite and im_part.is_finite):
            return None

        # evalf reports a value it proved to vanish as a Float with no precision (``0.e-171``)
        def part(p: Any) -> Any:
            if p == 0 or (isinstance(p, sympy.Float) and p._prec < 8):
                return mpmath.mpf(0)
            return p._to_mpmath(bits)

        return mpmath.mpc(part(re_part), part(im_part))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError, RecursionError):
        return None


def _close(a: Any, b: Any, digits: int = PRECISION) -> bool:
    """Relative closeness to the working precision (``digits - 10`` digits), so tiny distinct
    values (``1/2004!``, ``1/2006!``) stay apart; a zero equals only a value proved to vanish."""
    import mpmath

    if a == 0 or b == 0:
        return bool(a == b)
    return bool(abs(a - b) <= mpmath.mpf(10) ** (10 - digits) * max(abs(a), abs(b)))


def _exact_size_ok(expr: Any) -> bool:
    """Whether every integer power in ``expr`` has at most :data:`MAX_EXACT_DIGITS` digits."""
    import sympy

    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Pow) and node.args[0].is_Integer and node.args[1].is_Integer:
            if _log10_magnitude(*node.args) > MAX_EXACT_DIGITS:
                return False
    return True


def constants_equal(a: Any, b: Any) -> bool | None:
    """Equality of two constant expressions, or ``None`` when either cannot be evaluated.

    Rational constants (``1 - 2^{-100}``, ``\\frac{2^{100}-1}{2^{100}}``) are worked out exactly.
    Others are evaluated to 40 digits and, when they agree, confirmed at 80 (``\\pi`` and
    ``\\pi + 10^{-40}`` differ there) and by sympy's adaptive evaluation of the difference
    (``\\pi + e^{-300}``); large values get as many extra digits as they have before
    the point, so ``2^{1000}\\sqrt2`` and ``2^{1000}\\sqrt2 + 1`` stay apart. Past
    :data:`MAX_EVAL_DIGITS` digits only identical expressions are equal.
    """
    import mpmath
    import sympy

    if a.is_rational and b.is_rational and _exact_size_ok(a) and _exact_size_ok(b):
        try:
            exact_a, exact_b = a.doit(), b.doit()
        except (TypeError, ValueError, ZeroDivisionError, RecursionError):
            return None
        if isinstance(exact_a, sympy.Rational) and isinstance(exact_b, sympy.Rational):
            return bool(exact_a == exact_b)
    with mpmath.workdps(PRECISION + 10):
        va, vb = evaluate(a), evaluate(b)
        if va is None or vb is None:
            return None
        if not _close(va, vb):
            return False
        magnitude = max(abs(va), abs(vb))
        extra = int(mpmath.log10(magnitude)) + 1 if magnitude > 1 else 0
    digits = CONFIRM_PRECISION + extra
    if digits > MAX_EVAL_DIGITS:
        return False
    with mpmath.workdps(digits + 10):
        va, vb = evaluate(a, digits), evaluate(b, digits)
        if va is None or vb is None or not _close(va, vb, digits):
            return False
    return not _difference_visible(a, b)


def _difference_visible(a: Any, b: Any) -> bool:
    """Whether sympy's adaptive evaluation of ``a - b`` finds a non-zero value.

    ``evalf`` raises its working precision (up to :data:`DIFFERENCE_BITS` bits) to get through
    cancellation, so ``\\pi + e^{-300}`` vs ``\\pi`` (equal to 80 digits) is told apart; a true
    zero comes back as ``0`` or a Float with no significant bits.
    """
    import sympy

    try:
        diff = (a - b).evalf(15, maxn=DIFFERENCE_BITS)
        parts = diff.as_real_imag()
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError, RecursionError):
        return False
    return any(isinstance(p, sympy.Float) and p._prec >= 8 and p != 0 for p in parts)


def _random_point(rng: random.Random, attempt: int, index: int) -> Any:
    """The value of the ``index``-th symbol at test point ``attempt``.

    Signs vary per symbol: the first two symbols run through every sign pattern in four
    points and the others draw theirs, so ``|a| + |b|`` and ``|a + b|`` (equal whenever the
    signs agree) differ somewhere. Sizes vary too (``\\min(x, 5)`` vs ``x``), and every third
    point is an integer (``\\lceil x \\rceil`` vs ``\\lfloor x \\rfloor + 1``).
    """
    import sympy

    if index < 2:
        sign = -1 if (attempt >> index) & 1 else 1
    else:
        sign = rng.choice((1, -1))
    size = (2, 8, 40)[(attempt + index) % 3]
    if attempt % 3 == 2:
        return sympy.Integer(sign * rng.randint(1, size))
    return sign * (sympy.Rational(rng.randint(1, 10**6), 10**6) * size + sympy.Rational(1, 2))


def functions_equal(a: Any, b: Any, *, seed: int = 20260101) -> bool:
    """Equality of two expressions with free symbols by evaluation at random points."""
    import mpmath

    symbols = sorted(a.free_symbols | b.free_symbols, key=str)
    if not symbols:
        return bool(constants_equal(a, b))
    rng = random.Random(seed)
    compared = 0
    with mpmath.workdps(PRECISION + 10):
        for attempt in range(N_POINTS * 3):
            point = {s: _random_point(rng, attempt, k) for k, s in enumerate(symbols)}
            try:
                va, vb = evaluate(a.xreplace(point)), evaluate(b.xreplace(point))
            except Exception:
                continue
            if va is None or vb is None:
                continue
            if not _close(va, vb):
                return False
            compared += 1
            if compared >= N_POINTS:
                return True
    return False


def expressions_equal(a: Any, b: Any) -> bool:
    """Whether two sympy expressions denote the same value (see the module docstring)."""
    import sympy

    if a == b:
        return True
    if not (isinstance(a, sympy.Expr) and isinstance(b, sympy.Expr)):
        return False
    if not (is_safe(a) and is_safe(b)):
        return False
    if a.free_symbols or b.free_symbols:
        return functions_equal(a, b)
    return bool(constants_equal(a, b))


__all__ = [
    "MAX_NESTING",
    "MAX_SYMPY_CHARS",
    "constants_equal",
    "evaluate",
    "expressions_equal",
    "functions_equal",
    "is_safe",
    "parse_latex",
]
