"""Adapters for verl, TRL and OpenRLHF: each trainer calls rewardkit the way it calls its own
reward functions.

- verl: :func:`rewardkit.integrations.verl.compute_score` (``NaiveRewardManager``) and
  :func:`~rewardkit.integrations.verl.compute_score_batch` (``BatchRewardManager``), as
  ``custom_reward_function``; :func:`~rewardkit.integrations.verl.make_compute_score` for fixed
  settings. Failed samples score 0.0 with ``rk_failed = 1``.
- TRL: :func:`rewardkit.integrations.trl.reward_function` for ``GRPOTrainer(reward_funcs=...)``.
  Failed samples are ``None``.
- OpenRLHF: :func:`rewardkit.integrations.openrlhf.reward_func` for ``--remote_rm_url file.py``;
  :func:`~rewardkit.integrations.openrlhf.make_reward_func` for fixed settings. Failed samples
  score 0.0 with ``rk_failed = 1`` in ``extra_logs``.

None of them imports its trainer; torch is imported lazily by the OpenRLHF adapter only.
:func:`failure_counts` reports the failed samples every adapter has seen in this process.
"""

from rewardkit.integrations._common import SPEC_ENV, failure_counts, reset_failure_counts
from rewardkit.integrations.openrlhf import make_reward_func, reward_func
from rewardkit.integrations.trl import reward_function
from rewardkit.integrations.verl import compute_score, compute_score_batch, make_compute_score, spec_for

__all__ = [
    "SPEC_ENV",
    "compute_score",
    "compute_score_batch",
    "failure_counts",
    "make_compute_score",
    "make_reward_func",
    "reset_failure_counts",
    "reward_func",
    "reward_function",
    "spec_for",
]
