"""Reward specs: weighted verifier terms, per-term options, gates and the error policy.

A spec is read from TOML (or YAML) or built from a dict::

    name = "math-grpo"
    on_error = "none"            # "zero" | "none" | "raise"
    [[terms]]
    verifier = "math"
    weight = 1.0
    [terms.options]
    answer = "boxed-last"
    [gate]
    when = "math >= 1"
    terms = ["length.cosine"]

Built-in specs live in ``rewardkit/specs/<name>.toml`` and are addressable by name; the name of
any registered verifier also works and means "that verifier alone, weight 1".
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import tomllib

from rewardkit.core.errors import SpecError
from rewardkit.core.options import parse_options
from rewardkit.core.registry import get_verifier

OnError = Literal["zero", "none", "raise"]
_ON_ERROR = ("zero", "none", "raise")
_SPEC_KEYS = {"name", "description", "on_error", "terms", "gate", "timeout", "shaping"}
_TERM_KEYS = {"verifier", "name", "weight", "options"}
_GATE_KEYS = {"when", "terms"}


@dataclass(frozen=True)
class Term:
    """One weighted verifier in a spec; ``name`` is its key in ``RewardResult.components``."""

    verifier: str
    name: str
    weight: float = 1.0
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Condition:
    """A parsed gate condition: comparisons of term values joined by ``and`` / ``or``.

    ``and`` binds tighter than ``or``, as in Python. Grammar::

        condition := clause (("and" | "or") clause)*
        clause    := TERM_NAME ("<" | "<=" | ">" | ">=" | "==" | "!=") NUMBER
    """

    text: str
    disjuncts: tuple[tuple[tuple[str, str, float], ...], ...]

    @property
    def names(self) -> set[str]:
        """Term names the condition reads."""
        return {name for conj in self.disjuncts for name, _, _ in conj}

    def evaluate(self, values: dict[str, float]) -> bool:
        """True when the condition holds; a term missing from ``values`` fails its clause."""
        return any(all(_compare(values, c) for c in conj) for conj in self.disjuncts)


_OPS = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
_CLAUSE = re.compile(
    r"\s*([A-Za-z_][\w.\-]*)\s*(<=|>=|==|!=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$"
)


def _compare(values: dict[str, float], clause: tuple[str, str, float]) -> bool:
    name, op, number = clause
    if name not in values:
        return False
    return bool(_OPS[op](values[name], number))


def parse_condition(text: str, where: str = "gate.when") -> Condition:
    """Parse a gate condition such as ``"math >= 1 and format.think == 1"``; never evaluates code."""
    if not isinstance(text, str) or not text.strip():
        raise SpecError(f"{where}: must be a non-empty string like 'math >= 1'")
    disjuncts = []
    for part in re.split(r"\s+or\s+", text.strip()):
        conj = []
        for clause in re.split(r"\s+and\s+", part):
            m = _CLAUSE.match(clause)
            if not m:
                raise SpecError(
                    f"{where}: cannot read {clause.strip()!r}; expected 'TERM OP NUMBER' "
                    "(OP one of < <= > >= == !=), joined by 'and'/'or'"
                )
            conj.append((m.group(1), m.group(2), float(m.group(3))))
        disjuncts.append(tuple(conj))
    return Condition(text=text, disjuncts=tuple(disjuncts))


@dataclass(frozen=True)
class Gate:
    """Terms that count only when ``when`` holds on the other terms' values."""

    when: Condition
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Spec:
    """A validated reward spec. Build with :func:`load_spec`."""

    name: str
    terms: tuple[Term, ...]
    on_error: OnError = "none"
    gates: tuple[Gate, ...] = ()
    timeout: float | None = None
    shaping: tuple[dict[str, Any], ...] = ()
    description: str = ""
    source: str = "<dict>"

    def to_dict(self) -> dict[str, Any]:
        """A plain dict that :func:`load_spec` reads back to an equal spec."""
        out: dict[str, Any] = {
            "name": self.name,
            "on_error": self.on_error,
            "terms": [
                {"verifier": t.verifier, "name": t.name, "weight": t.weight, "options": t.options}
                for t in self.terms
            ],
        }
        if self.description:
            out["description"] = self.description
        if self.gates:
            out["gate"] = [{"when": g.when.text, "terms": list(g.terms)} for g in self.gates]
        if self.timeout is not None:
            out["timeout"] = self.timeout
        if self.shaping:
            out["shaping"] = [dict(s) for s in self.shaping]
        return out

    @property
    def fingerprint(self) -> str:
        """A stable hash of the spec's content (workers cache built scorers by it)."""
        blob = json.dumps(self.to_dict(), sort_keys=True, default=repr)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def builtin_specs() -> list[str]:
    """Names of the specs shipped in ``rewardkit/specs``."""
    root = resources.files("rewardkit") / "specs"
    return sorted(p.name.rsplit(".", 1)[0] for p in root.iterdir() if p.name.endswith((".toml", ".yaml")))


def load_spec(spec: str | Path | dict[str, Any] | Spec) -> Spec:
    """Load and validate a spec.

    Args:
        spec: a :class:`Spec`; a dict in the file layout; a path to a ``.toml``/``.yaml``/``.yml``
            file; the name of a built-in spec (``"math"``, ``"code"``, ...); or the name of a
            registered verifier (a one-term spec).

    Raises:
        SpecError: the file is missing or malformed; the message names the file, the term and
            the field.
    """
    if isinstance(spec, Spec):
        return spec
    if isinstance(spec, dict):
        return _from_dict(spec, "<dict>")
    if not isinstance(spec, (str, Path)):
        raise SpecError(f"spec must be a name, a path, a dict or a Spec, got {type(spec).__name__}")
    path = Path(spec)
    # A name is a spec *file* only when it has a spec suffix or names a regular file: a
    # directory called "math" in the working directory must not hide the built-in spec.
    if path.suffix in (".toml", ".yaml", ".yml") or path.is_file():
        if not path.is_file():
            what = "is a directory, not a spec file" if path.is_dir() else "spec file not found"
            raise SpecError(f"{path}: {what}")
        return _from_dict(_read_file(path), str(path))
    name = str(spec)
    root = resources.files("rewardkit") / "specs"
    for suffix in (".toml", ".yaml"):
        res = root / f"{name}{suffix}"
        if res.is_file():
            return _from_dict(_parse_text(res.read_text(), suffix, f"builtin:{name}"), f"builtin:{name}")
    try:
        get_verifier(name)
    except KeyError:
        what = "a directory, not a spec file" if path.is_dir() else "not a file"
        raise SpecError(
            f"unknown spec {name!r}: {what}, not a built-in spec "
            f"({', '.join(builtin_specs())}) and not a registered verifier"
        ) from None
    return _from_dict({"name": name, "terms": [{"verifier": name}]}, f"verifier:{name}")


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except OSError as exc:
        raise SpecError(f"{path}: cannot read spec file: {exc}") from exc
    return _parse_text(text, path.suffix, str(path))


def _parse_text(text: str, suffix: str, where: str) -> dict[str, Any]:
    if suffix in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SpecError(f"{where}: invalid YAML: {exc}") from exc
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise SpecError(f"{where}: invalid TOML: {exc}") from exc
    if not isinstance(data, dict):
        raise SpecError(f"{where}: a spec must be a table/mapping at the top level")
    return data


def _from_dict(data: dict[str, Any], where: str) -> Spec:
    unknown = sorted(set(data) - _SPEC_KEYS)
    if unknown:
        raise SpecError(f"{where}: unknown field(s) {', '.join(unknown)}")
    name = data.get("name", Path(where).stem if where.endswith((".toml", ".yaml", ".yml")) else "spec")
    if not isinstance(name, str):
        raise SpecError(f"{where}: field 'name' must be a string")
    on_error = data.get("on_error", "none")
    if on_error not in _ON_ERROR:
        raise SpecError(f"{where}: field 'on_error' must be one of {_ON_ERROR}, got {on_error!r}")
    raw_terms = data.get("terms")
    if not isinstance(raw_terms, list) or not raw_terms:
        raise SpecError(f"{where}: field 'terms' must be a non-empty list of tables")
    terms = [_term(raw, i, where) for i, raw in enumerate(raw_terms)]
    names = [t.name for t in terms]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SpecError(
            f"{where}: term name(s) {', '.join(dupes)} used twice; give each term a distinct 'name'"
        )
    gates = _gates(data.get("gate"), set(names), where)
    timeout = data.get("timeout")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0
    ):
        raise SpecError(f"{where}: field 'timeout' must be a positive number of seconds")
    shaping = data.get("shaping", [])
    if isinstance(shaping, dict):
        shaping = [shaping]
    if not isinstance(shaping, list) or not all(isinstance(s, dict) for s in shaping):
        raise SpecError(f"{where}: field 'shaping' must be a list of tables")
    from rewardkit.shaping.stage import validate_shaping  # lazy: keeps core imports light

    validate_shaping(shaping, names, where)
    description = data.get("description", "")
    if not isinstance(description, str):
        raise SpecError(f"{where}: field 'description' must be a string")
    return Spec(
        name=name,
        terms=tuple(terms),
        on_error=on_error,
        gates=gates,
        timeout=None if timeout is None else float(timeout),
        shaping=tuple(shaping),
        description=description,
        source=where,
    )


def _term(raw: Any, index: int, where: str) -> Term:
    if not isinstance(raw, dict):
        raise SpecError(f"{where}: terms[{index}] must be a table")
    verifier_name = raw.get("verifier")
    label = f"{where}: term {verifier_name or index!r}"
    unknown = sorted(set(raw) - _TERM_KEYS)
    if unknown:
        raise SpecError(f"{label}: unknown field(s) {', '.join(unknown)}")
    if not isinstance(verifier_name, str) or not verifier_name:
        raise SpecError(f"{where}: terms[{index}]: field 'verifier' is required (a registered name)")
    try:
        info = get_verifier(verifier_name)
    except KeyError as exc:
        raise SpecError(f"{label}: field 'verifier': {exc.args[0]}") from None
    name = raw.get("name", verifier_name)
    if not isinstance(name, str) or not name:
        raise SpecError(f"{label}: field 'name' must be a non-empty string")
    weight = raw.get("weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)):
        raise SpecError(f"{label}: field 'weight' must be a number, got {weight!r}")
    if not math.isfinite(weight):  # inf * 0 is NaN: the reward of every sample would be lost
        raise SpecError(f"{label}: field 'weight' must be a finite number, got {weight!r}")
    options = raw.get("options", {}) or {}
    if not isinstance(options, dict):
        raise SpecError(f"{label}: field 'options' must be a table")
    if info.options is not None:
        try:
            parse_options(info.options, options, f"{label}")
        except ValueError as exc:
            raise SpecError(str(exc)) from None
    elif options:
        raise SpecError(f"{label}: verifier {verifier_name!r} takes no options")
    return Term(verifier=verifier_name, name=name, weight=float(weight), options=dict(options))


def _gates(raw: Any, names: set[str], where: str) -> tuple[Gate, ...]:
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    gates = []
    for i, item in enumerate(items):
        label = f"{where}: gate" + (f"[{i}]" if isinstance(raw, list) else "")
        if not isinstance(item, dict):
            raise SpecError(f"{label} must be a table with 'when' and 'terms'")
        unknown = sorted(set(item) - _GATE_KEYS)
        if unknown:
            raise SpecError(f"{label}: unknown field(s) {', '.join(unknown)}")
        cond = parse_condition(item.get("when", ""), f"{label}: field 'when'")
        missing = sorted(cond.names - names)
        if missing:
            raise SpecError(f"{label}: field 'when' names unknown term(s) {', '.join(missing)}")
        gated = item.get("terms")
        if not isinstance(gated, list) or not gated or not all(isinstance(t, str) for t in gated):
            raise SpecError(f"{label}: field 'terms' must be a non-empty list of term names")
        unknown_terms = sorted(set(gated) - names)
        if unknown_terms:
            raise SpecError(f"{label}: field 'terms' names unknown term(s) {', '.join(unknown_terms)}")
        if cond.names & set(gated):
            raise SpecError(f"{label}: a term cannot gate itself ({', '.join(cond.names & set(gated))})")
        gates.append(Gate(when=cond, terms=tuple(gated)))
    return tuple(gates)
