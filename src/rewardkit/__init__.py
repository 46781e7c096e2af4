"""rewardkit: the reward engine for RL post-training of LLM reasoners.

Public names only; implementation lives in the private sub-packages.
"""

from rewardkit._version import __version__
from rewardkit.core.errors import InvalidInput, RewardError, SpecError
from rewardkit.core.registry import verifier, verifiers
from rewardkit.core.types import RewardResult, Sample

__all__ = [
    "InvalidInput",
    "RewardError",
    "RewardResult",
    "Sample",
    "SpecError",
    "__version__",
    "verifier",
    "verifiers",
]
