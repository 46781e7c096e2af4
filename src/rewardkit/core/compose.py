"""Composition: per-term verifier results of one sample -> the sample's :class:`RewardResult`.

The reward is the weighted sum of the terms' values, ``sum_k w_k * v_k``, where gated terms count
only when their gate's condition holds. ``components`` holds every term's raw value; ``details``
holds the first (primary) term's details at the top level and, for several terms, each term's
details under ``details["terms"]``.
"""

from __future__ import annotations

import math
from typing import Any

from rewardkit.core.errors import RewardError
from rewardkit.core.spec import Spec
from rewardkit.core.types import RewardResult


def compose(spec: Spec, term_results: list[RewardResult], index: int = 0) -> RewardResult:
    """Combine the results of ``spec.terms`` (same order) for sample ``index``.

    Failures follow ``spec.on_error``: ``"none"`` keeps the first failed term's status and reason
    (value ``None``); ``"zero"`` counts failed terms as 0 and records them in
    ``details["errors"]``; ``"raise"`` raises :class:`RewardError`.
    """
    values: dict[str, float] = {}
    errors: dict[str, dict[str, Any]] = {}
    for term, res in zip(spec.terms, term_results, strict=True):
        if res.status == "ok" and res.value is not None:
            values[term.name] = res.value
        else:
            errors[term.name] = {"status": res.status, "reason": res.reason or res.status}

    details: dict[str, Any] = dict(term_results[0].details)
    if len(spec.terms) > 1:
        details["terms"] = {t.name: r.details for t, r in zip(spec.terms, term_results, strict=True)}

    if errors:
        first = next(iter(errors))
        if spec.on_error == "raise":
            raise RewardError(index, errors[first]["status"], f"term {first!r}: {errors[first]['reason']}")
        if spec.on_error == "none":
            details["reason"] = errors[first]["reason"]
            details["failed_term"] = first
            if len(errors) > 1:
                details["errors"] = errors
            return RewardResult(
                value=None, status=errors[first]["status"], components=values, details=details
            )
        details["errors"] = errors

    gated_off: list[str] = []
    for gate in spec.gates:
        if not gate.when.evaluate(values):
            gated_off.extend(gate.terms)
    if gated_off:
        details["gated_off"] = gated_off
    total = sum(t.weight * values.get(t.name, 0.0) for t in spec.terms if t.name not in gated_off)
    if not math.isfinite(total):  # finite weights can still overflow; never lose the batch to it
        details["reason"] = f"weighted sum of the terms is {total}"
        return RewardResult(value=None, status="error", components=values, details=details)
    return RewardResult(value=total, status="ok", components=values, details=details)
