"""Length verifiers: per-sample length rewards usable as spec terms (and so as gated terms).

``length.cosine`` is the correct-answer branch of the cosine-scaled length reward. As a term it
is meant to be gated on correctness, as in DESIGN.md's example::

    [[terms]]
    verifier = "length.cosine"
    weight = 0.5
    [gate]
    when = "math >= 1"
    terms = ["length.cosine"]

so short right answers earn a bonus and wrong ones earn nothing from it. The full two-branch
formula (wrong answers penalized, lengths in tokens of the spec's tokenizer, group-level length
rewards) is the ``[[shaping]]`` kind of the same name; see docs/shaping.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rewardkit.core.registry import verifier
from rewardkit.core.types import RewardResult, Sample


@dataclass(frozen=True)
class CosineLengthOptions:
    """Options of ``length.cosine`` (defaults: open-r1's correct-answer branch)."""

    max_len: float = 1000
    min_value: float = 0.5
    max_value: float = 1.0
    tokenizer: str | None = None

    def __post_init__(self) -> None:
        if self.max_len <= 0:
            raise ValueError(f"option 'max_len' must be positive, got {self.max_len!r}")


@verifier(
    "length.cosine",
    options=CosineLengthOptions,
    description="cosine-scaled length reward of a correct answer (gate it on correctness)",
    example={"response": "42", "reference": None, "options": {"max_len": 1_000_000}},
)
def cosine_length(opts: CosineLengthOptions) -> Callable[[Sample], RewardResult]:
    """Cosine-scaled length reward, correct branch: ``max`` at length 0, ``min`` at ``max_len``.

    Source: Yeo et al. (arXiv 2502.03373); open-r1 ``get_cosine_scaled_reward``, with the length
    clipped at ``max_len`` (see :func:`rewardkit.shaping.length.cosine_length_reward`).
    """
    from rewardkit.shaping.length import cosine_length_reward
    from rewardkit.shaping.tokens import measure_length

    def run(sample: Sample) -> RewardResult:
        if not sample.response.strip():
            # Exploit guard: the empty response is the shortest of all and would earn the
            # full bonus; it has no answer, so it gets the floor.
            return RewardResult.ok(0.0, reason="empty_response", length=0)
        n, unit = measure_length(sample.response, opts.tokenizer)
        value = cosine_length_reward(
            n, True, opts.max_len, min_value_correct=opts.min_value, max_value_correct=opts.max_value
        )
        return RewardResult.ok(value, length=n, unit=unit)

    return run
