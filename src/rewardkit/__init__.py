"""rewardkit: the reward engine for RL post-training of LLM reasoners.

Public names only; implementation lives in the private sub-packages::

    import rewardkit as rk
    results = rk.score([rk.Sample(prompt="1+1?", response="\\\\boxed{2}", reference="2")], spec="math")
"""

from rewardkit._version import __version__
from rewardkit.core.engine import ascore, score, score_iter
from rewardkit.core.errors import InvalidInput, RewardError, SpecError
from rewardkit.core.registry import verifier, verifiers
from rewardkit.core.spec import Spec, load_spec
from rewardkit.core.types import RewardResult, Sample

# Load the built-in verifiers now: importing the ``rewardkit.verifiers`` sub-package binds the
# name ``verifiers`` on this package, so the public function is bound again right after.
import rewardkit.verifiers as _builtin_verifiers  # noqa: E402,F401  isort: skip
from rewardkit.core import registry as _registry  # noqa: E402  isort: skip

verifiers = _registry.verifiers  # noqa: F811  the function, not the sub-package

__all__ = [
    "InvalidInput",
    "RewardError",
    "RewardResult",
    "Sample",
    "Spec",
    "SpecError",
    "__version__",
    "ascore",
    "load_spec",
    "score",
    "score_iter",
    "verifier",
    "verifiers",
]
