"""Small numeric helpers shared by the shaping formulas."""

from __future__ import annotations

import math
from collections.abc import Sequence


def is_finite(x: float) -> bool:
    """True for a real, finite number (``NaN`` and infinities are not)."""
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def finite(values: Sequence[float]) -> list[float]:
    """The finite entries of ``values``, in order."""
    return [float(v) for v in values if is_finite(v)]


def clip(x: float, lo: float, hi: float) -> float:
    """``x`` limited to ``[lo, hi]``."""
    return lo if x < lo else hi if x > hi else x


def sigmoid(x: float) -> float:
    """The logistic function, written so that it never overflows."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean (``NaN`` for an empty sequence), exact for equal values and within their range."""
    if not values:
        return math.nan
    lo, hi = min(values), max(values)
    if lo == hi:
        return float(lo)
    return clip(math.fsum(values) / len(values), lo, hi)


def variance(values: Sequence[float], ddof: int = 0) -> float:
    """Variance with ``ddof`` delta degrees of freedom (``NaN`` when ``len <= ddof``)."""
    n = len(values)
    if n <= ddof:
        return math.nan
    m = mean(values)
    return math.fsum((v - m) ** 2 for v in values) / (n - ddof)
