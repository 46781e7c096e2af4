"""The group-aware shaping stage: ``[[shaping]]`` entries of a spec applied after composition.

``rk.score`` composes each sample's terms into a :class:`RewardResult`; when the spec has
``[[shaping]]`` tables, :func:`apply_shaping` then runs them in order over the whole batch.
Samples that share ``meta["group_id"]`` (or, without one, the same prompt) form a group and are
shaped together (Kimi length reward, GRPO-lambda, PAR against group references, forward noise
correction, advantages, pass@k). Failed results (status other than ``ok``) pass through
untouched and are left out of every group statistic.

Spec layout::

    [[shaping]]
    kind = "length.cosine"   # the formula (table in docs/shaping.md)
    name = "length"          # component written (default: the kind)
    correct = "math"         # value that decides correctness (default: the first term)
    threshold = 1.0          # correct when that value >= threshold (default 1.0)
    of = "math"              # input(s) of the formula / what "replace" replaces
    mode = "replace"         # "add" | "replace" | "record" (default per kind)
    weight = 1.0             # how it enters the total (replace: default the replaced term's)
    tokenizer = "tok/"       # local Hugging Face tokenizer dir: lengths in tokens, else chars
    max_len = 4096           # ...plus the kind's own options

``correct`` and ``of`` name a term, an earlier shaping entry, or ``"reward"`` (the running
total). Modes: ``add`` adds ``weight * value`` to the total; ``replace`` removes the current
contribution of the ``of`` terms (all of it for ``of = "reward"``) and adds ``weight * value``
instead (a gated-off term stays off); ``record`` only writes the value.

Result layout (raw and shaped values side by side, so a trainer can log both):

- ``value``: the shaped total.
- ``components``: every term's raw value (from composition) plus each shaping entry's shaped,
  unweighted value under its ``name``.
- ``details["raw_value"]``: the total before shaping.
- ``details["shaping"][name]``: ``kind``, ``mode``, ``weight``, ``value``, ``contribution``
  (what it added to the total), ``replaced`` (raw values of the terms it replaced) and its
  inputs (``length`` and ``unit``, ``correct``, ``group_size``...).
- ``details["group"]``: ``id`` and ``size`` of the sample's group; ``group.stats`` adds
  ``mean``, ``std``, ``n_correct``, ``accuracy``, ``pass@k``, ``all_equal`` (DAPO's filter) and
  the sample's ``advantages`` (GRPO, Dr. GRPO, RLOO).

A shaping formula that cannot be computed for a sample (e.g. no target length for L1, no
reference reward for PAR) follows the spec's ``on_error``: ``"none"`` makes that sample
``invalid_input`` with the reason, ``"zero"`` counts the entry as 0 and records it in
``details["errors"]``, ``"raise"`` raises :class:`RewardError`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from rewardkit.core._worker import IN_WORKER_ENV
from rewardkit.core.errors import RewardError, SpecError
from rewardkit.core.options import parse_options
from rewardkit.core.types import RewardResult, Sample
from rewardkit.shaping import format as fmt
from rewardkit.shaping import groups, length, process, repetition, robust
from rewardkit.shaping._util import is_finite
from rewardkit.shaping.tokens import measure_length

Mode = Literal["add", "replace", "record"]
_MODES = ("add", "replace", "record")
_COMMON = {"kind", "name", "weight", "mode", "of", "correct", "threshold", "tokenizer"}
REWARD = "reward"


# --------------------------------------------------------------------------- options per kind


def _positive(obj: Any, *names: str) -> None:
    for n in names:
        if getattr(obj, n) <= 0:
            raise ValueError(f"option {n!r} must be positive, got {getattr(obj, n)!r}")


@dataclass(frozen=True)
class DapoOptions:
    """``length.dapo``: DAPO overlong penalty (verl form)."""

    max_len: float = 20480
    buffer: float = 4096
    factor: float = 1.0

    def __post_init__(self) -> None:
        _positive(self, "max_len", "buffer")


@dataclass(frozen=True)
class SoftOverlongOptions:
    """``length.soft_overlong``: open-r1 soft overlong punishment."""

    max_len: float = 16384
    cache: float = 4096

    def __post_init__(self) -> None:
        _positive(self, "max_len", "cache")


@dataclass(frozen=True)
class CosineOptions:
    """``length.cosine``: cosine-scaled length reward."""

    max_len: float = 1000
    min_value_wrong: float = -1.0
    max_value_wrong: float = -0.5
    min_value_correct: float = 0.5
    max_value_correct: float = 1.0

    def __post_init__(self) -> None:
        _positive(self, "max_len")


@dataclass(frozen=True)
class NoOptions:
    """A kind without options of its own."""


@dataclass(frozen=True)
class L1Options:
    """``length.l1_exact`` / ``length.l1_max``: target from ``target`` or ``meta[target_key]``."""

    alpha: float = 0.0003
    delta: float = 0.5
    target: float | None = None
    target_key: str = "target_length"


@dataclass(frozen=True)
class GrpoLambdaOptions:
    """``length.grpo_lambda``: which groups keep the length penalty."""

    top_fraction: float | None = None
    min_ratio: float = 0.5

    def __post_init__(self) -> None:
        if self.top_fraction is not None and not 0.0 <= self.top_fraction <= 1.0:
            raise ValueError(f"option 'top_fraction' must be in [0, 1], got {self.top_fraction!r}")


@dataclass(frozen=True)
class RepetitionOptions:
    """``repetition``: n-gram repetition penalty."""

    ngram_size: int = 3
    max_penalty: float = -1.0

    def __post_init__(self) -> None:
        if self.ngram_size < 1:
            raise ValueError(f"option 'ngram_size' must be >= 1, got {self.ngram_size!r}")
        if self.max_penalty > 0:
            raise ValueError(f"option 'max_penalty' must be <= 0, got {self.max_penalty!r}")


@dataclass(frozen=True)
class TagCountOptions:
    """``format.tag_count``: credit per tag present exactly once."""

    tags: tuple[str, ...] = fmt.THINK_ANSWER_TAGS
    credit: float = 0.25


@dataclass(frozen=True)
class ParOptions:
    """``robust.par``: reference rewards from ``meta[reference_key]`` or flagged group members."""

    reference_key: str = "reference_rewards"
    reference_flag: str = "is_reference"


@dataclass(frozen=True)
class EnsembleOptions:
    """``robust.ensemble``: mean, worst-case (WCO) or uncertainty-weighted (UWO)."""

    method: Literal["mean", "wco", "uwo"] = "mean"
    lam: float = 0.5


@dataclass(frozen=True)
class NoisyOptions:
    """``robust.noisy``: backward (rho0, rho1) or forward (rho1 only) correction."""

    method: Literal["backward", "forward"] = "backward"
    rho0: float = 0.0
    rho1: float = 0.0

    def __post_init__(self) -> None:
        for n in ("rho0", "rho1"):
            v = getattr(self, n)
            if not 0.0 <= v < 1.0:
                raise ValueError(f"option {n!r} must be in [0, 1), got {v!r}")
        if self.rho0 + self.rho1 >= 1.0:
            raise ValueError("options 'rho0' + 'rho1' must be < 1")


@dataclass(frozen=True)
class GatedOptions:
    """``process.gated``: the value when the outcome fails."""

    otherwise: float = 0.0


@dataclass(frozen=True)
class PureOptions:
    """``process.pure``: step scores from the ``of`` term's ``details[steps_key]``."""

    temperature: float = 0.1
    steps_key: str = "step_scores"
    empty: float = -1.0

    def __post_init__(self) -> None:
        _positive(self, "temperature")


@dataclass(frozen=True)
class AdvantageOptions:
    """``group.advantage``: GRPO, Dr. GRPO or RLOO advantage of the ``of`` value."""

    method: Literal["grpo", "dr_grpo", "rloo"] = "grpo"
    eps: float = 1e-6


@dataclass(frozen=True)
class StatsOptions:
    """``group.stats``: pass@k for each k in ``ks``."""

    ks: tuple[int, ...] = (1,)
    eps: float = 1e-6

    def __post_init__(self) -> None:
        if not self.ks or any(k < 1 for k in self.ks):
            raise ValueError(f"option 'ks' must be a non-empty list of integers >= 1, got {self.ks!r}")


# --------------------------------------------------------------------------- parsed entries


@dataclass(frozen=True)
class Entry:
    """One validated ``[[shaping]]`` table."""

    index: int
    kind: str
    name: str
    weight: float | None
    mode: Mode
    of: tuple[str, ...]
    correct: str
    threshold: float
    tokenizer: str | None
    options: Any
    where: str


@dataclass
class _Row:
    index: int
    sample: Sample
    result: RewardResult
    group: str
    total: float
    contrib: dict[str, float]
    gated_off: set[str]
    shaping: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, Any] = field(default_factory=dict)
    group_info: dict[str, Any] = field(default_factory=dict)
    failed: str | None = None


#: What a kind's compute gives back for one row: ``(value, info)`` or a reason it cannot.
Outcome = tuple[float, dict[str, Any]] | str
Compute = Callable[[Entry, list[list[_Row]], "_Context"], dict[int, Outcome]]


@dataclass(frozen=True)
class _Kind:
    options: type
    mode: Mode
    of: Literal["none", "correct", "first", "reward", "required"]
    compute: Compute
    multi_of: bool = False
    component: bool = True
    modes: tuple[str, ...] = _MODES


@dataclass
class _Context:
    term_names: tuple[str, ...]
    lengths: dict[tuple[str | None, int], tuple[int, str]] = field(default_factory=dict)

    def length(self, entry: Entry, row: _Row) -> tuple[int, str]:
        key = (entry.tokenizer, row.index)
        if key not in self.lengths:
            self.lengths[key] = measure_length(row.sample.response, entry.tokenizer)
        return self.lengths[key]


# --------------------------------------------------------------------------- helpers


def group_key(sample: Sample) -> str:
    """The key that groups samples: ``meta["group_id"]`` if present, else the prompt (canonical JSON)."""
    gid = sample.meta.get("group_id")
    if gid is not None:
        return "id:" + json.dumps(gid, sort_keys=True, default=repr, ensure_ascii=False)
    return "prompt:" + json.dumps(sample.prompt, sort_keys=True, default=repr, ensure_ascii=False)


def _group_label(sample: Sample) -> Any:
    gid = sample.meta.get("group_id")
    if gid is not None:
        return gid
    blob = json.dumps(sample.prompt, sort_keys=True, default=repr, ensure_ascii=False)
    return "prompt:" + hashlib.sha1(blob.encode()).hexdigest()[:12]


def _value(row: _Row, key: str) -> float | None:
    if key == REWARD:
        return row.total
    v = row.result.components.get(key)
    return None if v is None else float(v)


def _is_correct(entry: Entry, row: _Row) -> bool:
    v = _value(row, entry.correct)
    return v is not None and v >= entry.threshold


def _of_value(entry: Entry, row: _Row) -> float | None:
    return _value(row, entry.of[0])


def _per_row(entry: Entry, groups_: list[list[_Row]], fn: Callable[[_Row], Outcome]) -> dict[int, Outcome]:
    return {row.index: fn(row) for g in groups_ for row in g}


def _missing(entry: Entry, key: str) -> str:
    return f"shaping {entry.name!r}: no value for {key!r} (the term failed or is not in the spec)"


# --------------------------------------------------------------------------- kinds


def _length_kind(formula: Callable[[Entry, float, bool], float], uses_correct: bool) -> Compute:
    def compute(entry: Entry, groups_: list[list[_Row]], ctx: _Context) -> dict[int, Outcome]:
        def one(row: _Row) -> Outcome:
            n, unit = ctx.length(entry, row)
            ok = _is_correct(entry, row) if uses_correct else False
            info: dict[str, Any] = {"length": n, "unit": unit}
            if uses_correct:
                info["correct"] = ok
            return formula(entry, n, ok), info

        return _per_row(entry, groups_, one)

    return compute


def _dapo(e: Entry, n: float, _ok: bool) -> float:
    o: DapoOptions = e.options
    return length.dapo_overlong_penalty(n, o.max_len, o.buffer, o.factor)


def _soft(e: Entry, n: float, _ok: bool) -> float:
    o: SoftOverlongOptions = e.options
    return length.soft_overlong_penalty(n, o.max_len, o.cache)


def _cosine(e: Entry, n: float, ok: bool) -> float:
    o: CosineOptions = e.options
    return length.cosine_length_reward(
        n, ok, o.max_len, o.min_value_wrong, o.max_value_wrong, o.min_value_correct, o.max_value_correct
    )


def _l1(exact: bool) -> Compute:
    def compute(entry: Entry, groups_: list[list[_Row]], ctx: _Context) -> dict[int, Outcome]:
        o: L1Options = entry.options

        def one(row: _Row) -> Outcome:
            target: Any = o.target if o.target is not None else row.sample.meta.get(o.target_key)
            if isinstance(target, bool) or not isinstance(target, (int, float)) or not is_finite(target):
                return (
                    f"shaping {entry.name!r}: no target length: set option 'target' or give "
                    f"meta[{o.target_key!r}] as a number"
                )
            n, unit = ctx.length(entry, row)
            ok = _is_correct(entry, row)
            if exact:
                v = length.l1_exact_reward(n, target, ok, o.alpha)
            else:
                v = length.l1_max_reward(n, target, ok, o.alpha, o.delta)
            return v, {"length": n, "unit": unit, "target": target, "correct": ok}

        return _per_row(entry, groups_, one)

    return compute


def _kimi(entry: Entry, groups_: list[list[_Row]], ctx: _Context) -> dict[int, Outcome]:
    out: dict[int, Outcome] = {}
    for g in groups_:
        lens = [ctx.length(entry, r) for r in g]
        ok = [_is_correct(entry, r) for r in g]
        vals = length.kimi_length_rewards([n for n, _ in lens], ok)
        for r, (n, unit), c, v in zip(g, lens, ok, vals, strict=True):
            out[r.index] = v, {"length": n, "unit": unit, "correct": c, "group_size": len(g)}
    return out


def _grpo_lambda(entry: Entry, groups_: list[list[_Row]], ctx: _Context) -> dict[int, Outcome]:
    o: GrpoLambdaOptions = entry.options
    ok_by_group = [[_is_correct(entry, r) for r in g] for g in groups_]
    ratios = [sum(oks) / len(oks) if oks else 0.0 for oks in ok_by_group]
    selected = length.grpo_lambda_select(ratios, o.top_fraction, o.min_ratio)
    out: dict[int, Outcome] = {}
    for g, oks, ratio, sel in zip(groups_, ok_by_group, ratios, selected, strict=True):
        lens = [ctx.length(entry, r) for r in g]
        vals = length.grpo_lambda_rewards([n for n, _ in lens], oks, sel)
        for r, (n, unit), c, v in zip(g, lens, oks, vals, strict=True):
            out[r.index] = (
                v,
                {
                    "length": n,
                    "unit": unit,
                    "correct": c,
                    "group_size": len(g),
                    "correct_ratio": ratio,
                    "length_penalty": sel,
                },
            )
    return out


def _repetition(entry: Entry, groups_: list[list[_Row]], ctx: _Context) -> dict[int, Outcome]:
    o: RepetitionOptions = entry.options
    return _per_row(
        entry,
        groups_,
        lambda r: (repetition.ngram_repetition_penalty(r.sample.response, o.ngram_size, o.max_penalty), {}),
    )


def _tag_count(entry: Entry, groups_: list[list[_Row]], ctx: _Context) -> dict[int, Outcome]:
    o: TagCountOptions = entry.options
    return _per_row(entry, groups_, lambda r: (fmt.tag_count_credit(r.sample.response, o.tags, o.credit), {}))


def _par(entry: Entry, groups_: list[list[_Row]], ctx: _Context) -> dict[int, Outcome]:
    o: ParOptions = entry.options
    out: dict[int, Outcome] = {}
    for g in groups_:
        flagged = [_of_value(entry, r) for r in g if r.sample.meta.get(o.reference_flag)]
        group_refs = [v for v in flagged if v is not None]
        for r in g:
            v = _of_value(entry, r)
            if v is None:
                out[r.index] = _missing(entry, entry.of[0])
                continue
            raw = r.sample.meta.get(o.reference_key)
            refs: list[Any] = ([raw] if not isinstance(raw, list) else raw) if raw is not None else []
            source = "meta"
            if refs and not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in refs):
                out[r.index] = (
                    f"shaping {entry.name!r}: meta[{o.reference_key!r}] must be a number or a list of numbers"
                )
                continue
            if not refs:
                refs, source = group_refs, "group"
            if not refs:
                out[r.index] = (
                    f"shaping {entry.name!r}: PAR needs reference rewards: give meta[{o.reference_key!r}] "
                    f"or mark reference responses in the group with meta[{o.reference_flag!r}] = true"
                )
                continue
            value = robust.par_reward(v, [float(x) for x in refs])
            out[r.index] = value, {"references": [float(x) for x in refs], "reference_source": source}
    return out


def _ensemble(entry: Entry, groups_: list[list[_Row]], ctx: _Context) -> dict[int, Outcome]:
    o: EnsembleOptions = entry.options

    def one(r: _Row) -> Outcome:
        vals = [_value(r, k) for k in entry.of]
        members = [v for v in vals if v is not None]
        if not members:
            return _missing(entry, ", ".join(entry.of))
        info: dict[str, Any] = {"members": dict(zip(entry.of, vals, strict=True))}
        return robust.ensemble_reward(members, o.method, o.lam), info

    return _per_row(entry, groups_, one)


def _noisy(entry: Entry, groups_: list[list[_Row]], ctx: _Context) -> dict[int, Outcome]:
    o: NoisyOptions = entry.options
    out: dict[int, Outcome] = {}
    for g in groups_:
        live = [r for r in g if _of_value(entry, r) is not None]
        for r in g:
            if _of_value(entry, r) is None:
                out[r.index] = _missing(entry, entry.of[0])
        if o.method == "backward":
            for r in live:
                obs = _of_value(entry, r)
                assert obs is not None
                out[r.index] = robust.noisy_backward_correction(obs, o.rho0, o.rho1), {"observed": obs}
        else:
            observed = [(_of_value(entry, r) or 0.0) >= entry.threshold for r in live]
            vals = robust.noisy_forward_correction(observed, o.rho1)
            for r, obs_ok, v in zip(live, observed, vals, strict=True):
                out[r.index] = v, {"observed_pass": obs_ok, "group_size": len(live)}
    return out


def _gated(entry: Entry, groups_: list[list[_Row]], ctx: _Context) -> dict[int, Outcome]:
    o: GatedOptions = entry.options

    def one(r: _Row) -> Outcome:
        v = _of_value(entry, r)
        if v is None:
            return _missing(entry, entry.of[0])
        ok = _is_correct(entry, r)
        return process.gated_process_reward(v, ok, o.otherwise), {"outcome_passed": ok}

    return _per_row(entry, groups_, one)


def _steps(entry: Entry, row: _Row, term_names: tuple[str, ...]) -> tuple[list[Any] | None, str]:
    o: PureOptions = entry.options
    key, term = o.steps_key, entry.of[0]
    details = row.result.details
    per_term = details.get("terms")
    if isinstance(per_term, dict) and isinstance(per_term.get(term), dict) and key in per_term[term]:
        return per_term[term][key], "details"
    if term_names and term == term_names[0] and key in details:
        return details[key], "details"
    if key in row.sample.meta:
        return row.sample.meta[key], "meta"
    return None, "term value"


def _pure(entry: Entry, groups_: list[list[_Row]], ctx: _Context) -> dict[int, Outcome]:
    o: PureOptions = entry.options

    def one(r: _Row) -> Outcome:
        steps, source = _steps(entry, r, ctx.term_names)
        if steps is None:
            v = _of_value(entry, r)
            if v is None:
                return _missing(entry, entry.of[0])
            steps = [v]
        if not isinstance(steps, (list, tuple)) or not all(
            isinstance(x, (int, float)) and not isinstance(x, bool) for x in steps
        ):
            return f"shaping {entry.name!r}: step scores ({o.steps_key!r}) must be a list of numbers"
        credits = process.pure_min_form_credit(steps, o.temperature) if steps else []
        value = process.pure_min_form_reward(steps, o.temperature, o.empty)
        return value, {"steps": len(steps), "step_source": source, "step_credit": credits}

    return _per_row(entry, groups_, one)


def _advantage(entry: Entry, groups_: list[list[_Row]], ctx: _Context) -> dict[int, Outcome]:
    o: AdvantageOptions = entry.options
    out: dict[int, Outcome] = {}
    for g in groups_:
        vals = [_of_value(entry, r) for r in g]
        adv = groups.group_advantages([math.nan if v is None else v for v in vals], o.method, o.eps)
        for r, v, a in zip(g, vals, adv, strict=True):
            out[r.index] = _missing(entry, entry.of[0]) if v is None else (a, {"group_size": len(g)})
    return out


def _stats(entry: Entry, groups_: list[list[_Row]], ctx: _Context) -> dict[int, Outcome]:
    o: StatsOptions = entry.options
    out: dict[int, Outcome] = {}
    for g in groups_:
        vals = [_of_value(entry, r) for r in g]
        rewards = [math.nan if v is None else v for v in vals]
        ok = [_is_correct(entry, r) for r in g]
        stats = groups.group_stats(rewards, ok, o.ks)
        advs = {
            "grpo": groups.grpo_advantages(rewards, o.eps),
            "dr_grpo": groups.dr_grpo_advantages(rewards),
            "rloo": groups.rloo_advantages(rewards),
        }
        for i, r in enumerate(g):
            a = {m: (None if math.isnan(vs[i]) else vs[i]) for m, vs in advs.items()}
            out[r.index] = 0.0, {**stats, "of": entry.of[0], "advantages": a}
    return out


KINDS: dict[str, _Kind] = {
    "length.dapo": _Kind(DapoOptions, "add", "none", _length_kind(_dapo, False)),
    "length.soft_overlong": _Kind(SoftOverlongOptions, "add", "none", _length_kind(_soft, False)),
    "length.cosine": _Kind(CosineOptions, "replace", "correct", _length_kind(_cosine, True)),
    "length.kimi": _Kind(NoOptions, "add", "none", _kimi),
    "length.l1_exact": _Kind(L1Options, "replace", "correct", _l1(True)),
    "length.l1_max": _Kind(L1Options, "replace", "correct", _l1(False)),
    "length.grpo_lambda": _Kind(GrpoLambdaOptions, "replace", "correct", _grpo_lambda),
    "repetition": _Kind(RepetitionOptions, "add", "none", _repetition),
    "format.tag_count": _Kind(TagCountOptions, "add", "none", _tag_count),
    "robust.par": _Kind(ParOptions, "replace", "first", _par),
    "robust.ensemble": _Kind(EnsembleOptions, "replace", "required", _ensemble, multi_of=True),
    "robust.noisy": _Kind(NoisyOptions, "replace", "correct", _noisy),
    "process.gated": _Kind(GatedOptions, "replace", "required", _gated),
    "process.pure": _Kind(PureOptions, "replace", "first", _pure),
    "group.advantage": _Kind(AdvantageOptions, "record", "reward", _advantage),
    "group.stats": _Kind(StatsOptions, "record", "reward", _stats, component=False, modes=("record",)),
}


# --------------------------------------------------------------------------- validation


def parse_shaping(
    raw: Sequence[dict[str, Any]], term_names: Sequence[str], where: str = "<dict>"
) -> tuple[Entry, ...]:
    """Validate ``[[shaping]]`` tables and return them parsed, in order.

    Args:
        raw: the tables, as in :attr:`Spec.shaping`.
        term_names: names of the spec's terms.
        where: the spec's source (a file path resolves relative tokenizer paths).

    Raises:
        SpecError: the message names the file, the entry (index and kind) and the field.
    """
    entries: list[Entry] = []
    known = set(term_names)
    if REWARD in known:
        raise SpecError(f"{where}: a term named {REWARD!r} clashes with the shaping name for the total")
    for i, item in enumerate(raw):
        label = f"{where}: shaping[{i}]"
        if not isinstance(item, dict):
            raise SpecError(f"{label} must be a table")
        kind_name = item.get("kind")
        if not isinstance(kind_name, str) or kind_name not in KINDS:
            raise SpecError(
                f"{label}: field 'kind' must be one of {', '.join(sorted(KINDS))}, got {kind_name!r}"
            )
        kind = KINDS[kind_name]
        label = f"{where}: shaping[{i}] ({kind_name})"
        name = item.get("name", kind_name)
        if not isinstance(name, str) or not name or name == REWARD:
            raise SpecError(f"{label}: field 'name' must be a non-empty string other than {REWARD!r}")
        if name in known:
            raise SpecError(f"{label}: field 'name': {name!r} is already a term or shaping name")
        weight = item.get("weight")
        if weight is not None and (
            isinstance(weight, bool) or not isinstance(weight, (int, float)) or not is_finite(weight)
        ):
            raise SpecError(f"{label}: field 'weight' must be a finite number, got {weight!r}")
        mode = item.get("mode", kind.mode)
        if mode not in kind.modes:
            raise SpecError(f"{label}: field 'mode' must be one of {', '.join(kind.modes)}, got {mode!r}")
        readable = known | {REWARD}
        correct = item.get("correct", term_names[0] if term_names else REWARD)
        if not isinstance(correct, str) or correct not in readable:
            raise SpecError(
                f"{label}: field 'correct' must name a term, an earlier shaping entry or 'reward', "
                f"got {correct!r}"
            )
        threshold = item.get("threshold", 1.0)
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not is_finite(threshold):
            raise SpecError(f"{label}: field 'threshold' must be a finite number, got {threshold!r}")
        of = _parse_of(item.get("of"), kind, mode, correct, term_names, readable, label)
        tokenizer = _parse_tokenizer(item.get("tokenizer"), where, label)
        opts_raw = {k: v for k, v in item.items() if k not in _COMMON}
        try:
            options: Any = parse_options(kind.options, opts_raw, label)
        except ValueError as exc:
            raise SpecError(str(exc)) from None
        entries.append(
            Entry(
                index=i,
                kind=kind_name,
                name=name,
                weight=None if weight is None else float(weight),
                mode=mode,
                of=of,
                correct=correct,
                threshold=float(threshold),
                tokenizer=tokenizer,
                options=options,
                where=label,
            )
        )
        if kind.component:
            known.add(name)
    return tuple(entries)


def _parse_of(
    raw: Any,
    kind: _Kind,
    mode: str,
    correct: str,
    term_names: Sequence[str],
    readable: set[str],
    label: str,
) -> tuple[str, ...]:
    if raw is None:
        if kind.of == "correct":
            raw = correct
        elif kind.of == "first":
            raw = term_names[0] if term_names else REWARD
        elif kind.of == "reward":
            raw = REWARD
        elif kind.of == "required":
            raise SpecError(f"{label}: field 'of' is required (the term(s) this formula reads)")
        elif mode == "replace":
            raise SpecError(f"{label}: field 'of' is required with mode = 'replace' (what to replace)")
        else:
            return ()
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not items or not all(isinstance(x, str) for x in items):
        raise SpecError(f"{label}: field 'of' must be a name or a non-empty list of names")
    if len(items) > 1 and not kind.multi_of:
        raise SpecError(f"{label}: field 'of' takes a single name for this kind")
    bad = [x for x in items if x not in readable]
    if bad:
        raise SpecError(
            f"{label}: field 'of' names unknown {', '.join(map(repr, bad))} "
            "(expected terms, earlier shaping entries or 'reward')"
        )
    if REWARD in items and len(items) > 1:
        raise SpecError(f"{label}: field 'of': 'reward' cannot be combined with other names")
    return tuple(items)


def _parse_tokenizer(raw: Any, where: str, label: str) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw:
        raise SpecError(f"{label}: field 'tokenizer' must be the path of a local tokenizer directory")
    path = Path(raw).expanduser()
    if not path.is_absolute():
        src = Path(where)
        if where.endswith((".toml", ".yaml", ".yml")) and src.exists():
            path = src.resolve().parent / path
    if os.environ.get(IN_WORKER_ENV):
        # Worker processes rebuild the spec from a dict only to run its terms; the parent has
        # already checked the path relative to the spec file, and shaping never runs there.
        return str(path)
    if not path.exists():
        raise SpecError(
            f"{label}: field 'tokenizer': {raw!r} not found; give a local Hugging Face tokenizer "
            "directory (rewardkit never downloads from a model hub)"
        )
    return str(path.resolve())


def validate_shaping(spec_shaping: Sequence[dict[str, Any]], term_names: Sequence[str], where: str) -> None:
    """Check a spec's ``[[shaping]]`` tables at load time (raises :class:`SpecError`)."""
    parse_shaping(spec_shaping, term_names, where)


# --------------------------------------------------------------------------- the stage


def apply_shaping(
    spec: Any, parsed: Sequence[Sample | RewardResult], results: Sequence[RewardResult]
) -> list[RewardResult]:
    """Run the spec's ``[[shaping]]`` entries over one batch of composed results.

    Args:
        spec: the :class:`~rewardkit.core.spec.Spec` (its ``shaping``, ``terms``, ``on_error``).
        parsed: the input samples in order (a failed ``RewardResult`` for unreadable input).
        results: the composed results, same order.

    Returns:
        New results in the same order; failed ones are returned untouched.

    Raises:
        RewardError: a shaping formula failed for a sample and ``on_error = "raise"``.
    """
    term_names = tuple(t.name for t in spec.terms)
    weights = {t.name: t.weight for t in spec.terms}
    entries = [
        dataclasses.replace(e, weight=_default_weight(e, weights))
        for e in parse_shaping(spec.shaping, term_names, spec.source)
    ]
    out: list[RewardResult] = list(results)
    rows: list[_Row] = []
    for i, (s, r) in enumerate(zip(parsed, results, strict=True)):
        if isinstance(s, RewardResult) or r.status != "ok" or r.value is None:
            continue
        gated_off = set(r.details.get("gated_off") or ())
        contrib = {
            n: (0.0 if n in gated_off else weights[n] * float(v))
            for n, v in r.components.items()
            if n in weights
        }
        result = RewardResult(
            value=r.value, status="ok", components=dict(r.components), details=dict(r.details)
        )
        rows.append(_Row(i, s, result, group_key(s), float(r.value), contrib, gated_off))

    by_group: dict[str, list[_Row]] = {}
    for row in rows:
        by_group.setdefault(row.group, []).append(row)
    ctx = _Context(term_names)
    for entry in entries:
        kind = KINDS[entry.kind]
        live = [[r for r in g if r.failed is None] for g in by_group.values()]
        live = [g for g in live if g]
        outcomes = kind.compute(entry, live, ctx)
        for g in live:
            for row in g:
                _apply(entry, kind, row, outcomes[row.index], spec.on_error)

    for row in rows:
        out[row.index] = _finish(row, results[row.index], by_group)
    return out


def _default_weight(entry: Entry, weights: dict[str, float]) -> float:
    """An entry's weight; by default a replacement inherits the weight of the term it replaces."""
    if entry.weight is not None:
        return entry.weight
    if entry.mode == "replace" and len(entry.of) == 1 and entry.of[0] in weights:
        return weights[entry.of[0]]
    return 1.0


def _apply(entry: Entry, kind: _Kind, row: _Row, outcome: Outcome, on_error: str) -> None:
    if not isinstance(outcome, str) and not is_finite(outcome[0]):
        outcome = f"shaping {entry.name!r}: the formula gave a non-finite value"
    if isinstance(outcome, str):
        if on_error == "raise":
            raise RewardError(row.index, "invalid_input", outcome)
        if on_error == "none":
            row.failed = outcome
            return
        row.errors[entry.name] = {"status": "invalid_input", "reason": outcome}
        value, info = 0.0, dict[str, Any]()
    else:
        value, info = outcome
    if not kind.component:
        row.group_info.update(info)
        return
    replaced: dict[str, float] = {}
    removed = 0.0
    gated = False
    if entry.mode == "replace":
        if entry.of == (REWARD,):
            replaced[REWARD] = row.total
            removed = row.total
            row.contrib = {k: 0.0 for k in row.contrib}
        else:
            for target in entry.of:
                if target in row.gated_off:
                    gated = True
                v = row.result.components.get(target)
                if v is not None:
                    replaced[target] = float(v)
                removed += row.contrib.get(target, 0.0)
                row.contrib[target] = 0.0
    weight = 1.0 if entry.weight is None else entry.weight
    added = 0.0 if (entry.mode == "record" or gated) else weight * value
    row.contrib[entry.name] = added
    row.total = row.total - removed + added
    row.result.components[entry.name] = value
    detail: dict[str, Any] = {
        "kind": entry.kind,
        "mode": entry.mode,
        "weight": weight,
        "value": value,
        "contribution": added,
        **info,
    }
    if replaced:
        detail["replaced"] = replaced
    if gated:
        detail["gated_off"] = True
    row.shaping[entry.name] = detail


def _finish(row: _Row, original: RewardResult, by_group: dict[str, list[_Row]]) -> RewardResult:
    details = dict(row.result.details)
    details["raw_value"] = original.value
    details["shaping"] = row.shaping
    members = by_group[row.group]
    details["group"] = {
        "id": _group_label(row.sample),
        "size": len(members),
        **row.group_info,
    }
    if row.errors:
        details["errors"] = {**details.get("errors", {}), **row.errors}
    if row.failed is not None:
        details["reason"] = row.failed
        return RewardResult(
            value=None, status="invalid_input", components=row.result.components, details=details
        )
    total = row.total
    return RewardResult(value=total, status="ok", components=row.result.components, details=details)


def entry_fields() -> dict[str, list[str]]:
    """Each kind's own option names (for documentation and error messages)."""
    return {k: [f.name for f in dataclasses.fields(v.options)] for k, v in sorted(KINDS.items())}


__all__ = [
    "KINDS",
    "Entry",
    "apply_shaping",
    "entry_fields",
    "group_key",
    "measure_length",
    "parse_shaping",
    "validate_shaping",
]
