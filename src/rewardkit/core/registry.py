"""The verifier registry: ``@verifier(name)`` decorated factories and entry-point plugins.

A verifier is a factory that takes its validated options and returns the scoring callable
``(Sample) -> RewardResult | float | bool``. Plugins register through the entry-point group
``rewardkit.verifiers``: each entry point names a module (or object) whose import registers
verifiers with the decorator.
"""

from __future__ import annotations

import importlib
import math
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from rewardkit.core.errors import InvalidInput
from rewardkit.core.options import parse_options
from rewardkit.core.types import RewardResult, Sample

ScoreFn = Callable[[Sample], Any]
Factory = Callable[..., ScoreFn]

ENTRY_POINT_GROUP = "rewardkit.verifiers"
_BUILTIN_PACKAGE = "rewardkit.verifiers"


@dataclass(frozen=True)
class VerifierInfo:
    """A registered verifier.

    Attributes:
        name: registered name, e.g. ``"math"`` or ``"format.think"``.
        factory: builds the scoring callable from the options object (or no argument).
        options: the options dataclass, or ``None`` when the verifier takes none.
        description: one line shown by ``rewardkit verifiers``.
        uses_prompt: whether the result depends on the prompt (affects de-duplication).
        example: a sample (``{"response", "reference", ...}``) and ``"options"`` that must score
            1.0; the registry-wide contract test runs it.
    """

    name: str
    factory: Factory
    options: type | None
    description: str
    uses_prompt: bool = False
    example: dict[str, Any] | None = None

    @property
    def module(self) -> str:
        """Module that defines the factory (workers import it to find the verifier)."""
        return str(self.factory.__module__)

    def build(self, options: dict[str, Any] | None = None, where: str | None = None) -> ScoreFn:
        """Validate ``options`` and return the scoring callable."""
        where = where or f"verifier {self.name!r}"
        if self.options is None:
            if options:
                raise ValueError(f"{where}: takes no options, got {', '.join(sorted(options))}")
            return self.factory()
        return self.factory(parse_options(self.options, options, where))


_REGISTRY: dict[str, VerifierInfo] = {}
_LOCK = threading.RLock()
_LOADED = False


def verifier(
    name: str,
    *,
    options: type | None = None,
    description: str | None = None,
    uses_prompt: bool = False,
    example: dict[str, Any] | None = None,
) -> Callable[[Factory], Factory]:
    """Register a verifier factory under ``name``.

    Args:
        name: the registered name; a second, different factory under the same name is an error.
        options: frozen dataclass of options passed to the factory (validated from mappings).
        description: one-line description; defaults to the first docstring line.
        uses_prompt: set when the score depends on the prompt.
        example: ``{"response": ..., "reference": ..., "options": {...}}`` scoring 1.0, used by
            the registry-wide contract test.

    Example:
        >>> @verifier("demo.len", description="1.0 when the response is non-empty")
        ... def _demo():
        ...     return lambda s: float(bool(s.response))
    """
    if not isinstance(name, str) or not name or name.strip() != name:
        raise ValueError(f"verifier name must be a non-empty string without spaces, got {name!r}")

    def decorate(factory: Factory) -> Factory:
        doc = (factory.__doc__ or "").strip().splitlines()
        info = VerifierInfo(
            name=name,
            factory=factory,
            options=options,
            description=description or (doc[0] if doc else ""),
            uses_prompt=uses_prompt,
            example=example,
        )
        with _LOCK:
            old = _REGISTRY.get(name)
            if old is not None and not _same_source(old.factory, factory):
                raise ValueError(
                    f"verifier {name!r} is already registered by {old.module}.{old.factory.__qualname__}"
                )
            _REGISTRY[name] = info
        return factory

    return decorate


def _same_source(a: Factory, b: Factory) -> bool:
    """True when two factories are the same definition imported twice (e.g. as __main__)."""
    if a is b:
        return True
    code_a, code_b = getattr(a, "__code__", None), getattr(b, "__code__", None)
    return (
        code_a is not None
        and code_b is not None
        and a.__qualname__ == b.__qualname__
        and code_a.co_filename == code_b.co_filename
    )


def load_plugins() -> None:
    """Import the built-in verifiers and every ``rewardkit.verifiers`` entry point once."""
    global _LOADED
    with _LOCK:
        if _LOADED:
            return
        _LOADED = True
        importlib.import_module(_BUILTIN_PACKAGE)
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                ep.load()
            except Exception as exc:  # a broken plugin must not hide the others
                import warnings

                warnings.warn(
                    f"rewardkit plugin {ep.name!r} ({ep.value}) failed to load: {exc!r}",
                    stacklevel=2,
                )


def get_verifier(name: str) -> VerifierInfo:
    """Look up a registered verifier, loading built-ins and plugins on first use.

    Raises:
        KeyError: no verifier has that name; the message lists the known ones.
    """
    load_plugins()
    with _LOCK:
        info = _REGISTRY.get(name)
        if info is None:
            known = ", ".join(sorted(_REGISTRY))
            raise KeyError(f"no verifier named {name!r}; registered: {known}")
        return info


def verifiers() -> list[str]:
    """Names of every registered verifier, sorted."""
    load_plugins()
    with _LOCK:
        return sorted(_REGISTRY)


def verifier_infos() -> list[VerifierInfo]:
    """Every registered verifier with its description, sorted by name."""
    load_plugins()
    with _LOCK:
        return [_REGISTRY[n] for n in sorted(_REGISTRY)]


def run_scorer(fn: ScoreFn, sample: Sample) -> RewardResult:
    """Call a scoring callable and normalise what it returns or raises.

    ``InvalidInput`` becomes ``invalid_input``; any other exception becomes ``error`` with the
    exception as reason (never a silent 0.0, DESIGN.md "fail loud").
    """
    try:
        out = fn(sample)
    except InvalidInput as exc:
        return RewardResult.fail("invalid_input", str(exc) or "invalid input")
    except MemoryError:
        return RewardResult.fail("error", "MemoryError: the verifier ran out of memory")
    except RecursionError:
        return RewardResult.fail("error", "RecursionError: input nested too deeply")
    except Exception as exc:
        tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return RewardResult.fail("error", f"verifier raised {tb}")
    return coerce_result(out)


def coerce_result(out: Any) -> RewardResult:
    """Turn a scorer's return value (result, number, bool or (number, details)) into a result."""
    if isinstance(out, RewardResult):
        return out
    if isinstance(out, bool) or isinstance(out, (int, float)):
        value = float(out)
        if value != value:  # NaN
            return RewardResult.fail("error", "verifier returned NaN")
        if value in (math.inf, -math.inf):
            return RewardResult.fail("error", f"verifier returned {value}")
        return RewardResult.ok(value)
    if isinstance(out, tuple) and len(out) == 2 and isinstance(out[1], dict):
        result = coerce_result(out[0])
        result.details.update(out[1])
        return result
    if out is None:
        return RewardResult.fail("error", "verifier returned None")
    return RewardResult.fail("error", f"verifier returned unsupported type {type(out).__name__}")
