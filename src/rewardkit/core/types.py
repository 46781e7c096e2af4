"""The two public value types: :class:`Sample` in, :class:`RewardResult` out."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

Status = Literal["ok", "timeout", "error", "invalid_input"]
STATUSES: tuple[str, ...] = get_args(Status)

#: Largest response, in characters, that rewardkit reads; longer input is cut before parsing
#: (DESIGN.md style rule 5: cap input sizes before parsing).
MAX_RESPONSE_CHARS = 1_000_000

#: Deepest nesting of lists/dicts that rewardkit accepts in a sample's ``prompt``, ``reference``
#: or ``meta``: deeper values (a client's ``[[[...]]]`` 900 levels deep) would make pickling for
#: the worker processes fail with ``RecursionError``, so the engine scores such a sample
#: ``invalid_input`` before it reaches a worker.
MAX_NESTING = 64


def nesting_depth(value: Any, limit: int = MAX_NESTING) -> int:
    """Depth of nested lists, tuples and dicts in ``value`` (a scalar is 0, ``[]`` is 1).

    Iterative (never raises ``RecursionError``) and stops early: any depth above ``limit`` is
    reported as ``limit + 1``.
    """
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        depth += 1
        if depth > limit:
            return limit + 1
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in children)
    return deepest


def too_deep(sample: Sample, limit: int = MAX_NESTING) -> str | None:
    """The first of ``prompt``, ``reference``, ``meta`` nested deeper than ``limit``, else ``None``."""
    for name in ("prompt", "reference", "meta"):
        if nesting_depth(getattr(sample, name), limit) > limit:
            return name
    return None


@dataclass(frozen=True)
class Sample:
    """One thing to score.

    Args:
        prompt: the prompt as a string or a chat list of ``{"role", "content"}`` dicts.
        response: the model's response text.
        reference: the ground truth (answer string, test cases, SQL, ...); its shape is the
            verifier's business.
        task: optional task or data-source name (e.g. ``"math"``, ``"openai/gsm8k"``).
        meta: anything else (group id, database path, ...).
    """

    prompt: str | list[dict[str, Any]] = ""
    response: str = ""
    reference: Any = None
    task: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.response, str):
            raise TypeError(f"Sample.response must be str, got {type(self.response).__name__}")
        if not isinstance(self.prompt, (str, list)):
            raise TypeError(f"Sample.prompt must be str or a chat list, got {type(self.prompt).__name__}")
        if not isinstance(self.meta, dict):
            raise TypeError(f"Sample.meta must be a dict, got {type(self.meta).__name__}")

    @property
    def prompt_text(self) -> str:
        """The prompt flattened to text (chat contents joined by newlines)."""
        if isinstance(self.prompt, str):
            return self.prompt
        return "\n".join(str(m.get("content", "")) for m in self.prompt if isinstance(m, dict))

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (JSON-serialisable when the fields are)."""
        return {
            "prompt": self.prompt,
            "response": self.response,
            "reference": self.reference,
            "task": self.task,
            "meta": dict(self.meta),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Sample:
        """Build a sample from a dict with the field names of :class:`Sample`."""
        unknown = set(data) - {"prompt", "response", "reference", "task", "meta"}
        if unknown:
            raise ValueError(f"unknown Sample field(s): {', '.join(sorted(unknown))}")
        return cls(
            prompt=data.get("prompt", "") if data.get("prompt") is not None else "",
            response=data.get("response", ""),
            reference=data.get("reference"),
            task=data.get("task"),
            meta=data.get("meta") or {},
        )


@dataclass
class RewardResult:
    """The outcome of scoring one sample.

    ``value`` is ``None`` unless ``status == "ok"``. A failed check is ``ok`` with ``0.0``;
    a verifier that crashed, timed out or could not read its input carries that status and a
    ``details["reason"]``.
    """

    value: float | None
    status: Status = "ok"
    components: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"RewardResult.status must be one of {STATUSES}, got {self.status!r}")
        if self.status == "ok":
            if self.value is None:
                raise ValueError("RewardResult.value must be a number when status is 'ok'")
            value = float(self.value)
            if math.isnan(value):
                raise ValueError("RewardResult.value is NaN; report a failure status instead")
            if math.isinf(value):  # JSON output would hold Infinity, which is not JSON
                raise ValueError(f"RewardResult.value is {value}; report a failure status instead")
            self.value = value
        elif self.value is not None:
            raise ValueError(f"RewardResult.value must be None when status is {self.status!r}")

    @property
    def reason(self) -> str | None:
        """Why the sample failed or scored what it did, when the verifier said."""
        reason = self.details.get("reason")
        return None if reason is None else str(reason)

    @classmethod
    def ok(cls, value: float | bool, **details: Any) -> RewardResult:
        """A successful check with the given value and details."""
        return cls(value=float(value), status="ok", details=details)

    @classmethod
    def fail(cls, status: Status, reason: str, **details: Any) -> RewardResult:
        """A failure (``timeout``, ``error`` or ``invalid_input``) with its reason."""
        if status == "ok":
            raise ValueError("RewardResult.fail needs a failure status, not 'ok'")
        return cls(value=None, status=status, details={"reason": reason, **details})

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form used by the CLI and the server."""
        return {
            "value": self.value,
            "status": self.status,
            "components": dict(self.components),
            "details": dict(self.details),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RewardResult:
        """Inverse of :meth:`to_dict`."""
        return cls(
            value=data.get("value"),
            status=data.get("status", "ok"),
            components=dict(data.get("components") or {}),
            details=dict(data.get("details") or {}),
        )
