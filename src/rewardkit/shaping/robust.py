"""Robust rewards: PAR shaping, reward-model ensembles, noisy-verifier corrections."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from rewardkit.shaping._util import clip, finite, is_finite, mean, sigmoid, variance

EnsembleMethod = Literal["mean", "wco", "uwo"]


def par_reward(reward: float, reference_rewards: Sequence[float]) -> float:
    """Preference As Reward (PAR): ``r_RL = mean_m sigmoid(r - r_ref_m)``.

    ``r_ref_m`` is the reward of the ``m``-th reference response to the same prompt. The
    sigmoid bounds the shaped reward in ``(0, 1)`` and flattens it once the policy beats the
    references, which takes away the incentive to push the reward model further (hacking).
    It is increasing in ``r``, so within one prompt the order of responses is kept.

    Source: Fu et al., "Reward Shaping to Mitigate Reward Hacking in RLHF" (arXiv 2502.18770).

    Returns:
        A value in ``[0, 1]``; ``NaN`` when ``reward`` is not finite or no reference is finite.
    """
    refs = finite(reference_rewards)
    if not is_finite(reward) or not refs:
        return math.nan
    return mean([sigmoid(float(reward) - ref) for ref in refs])


def ensemble_reward(rewards: Sequence[float], method: EnsembleMethod = "mean", lam: float = 0.5) -> float:
    """Combine the rewards of an ensemble of reward models for one response.

    - ``"mean"``: the average.
    - ``"wco"`` (worst-case optimization): ``min_i R_i``.
    - ``"uwo"`` (uncertainty-weighted optimization): ``mean - lam * var`` with the population
      variance across members.

    Source: Coste et al., "Reward Model Ensembles Help Mitigate Overoptimization" (arXiv
    2310.02743). The paper tunes ``lam``; 0.5 is rewardkit's default.

    Returns:
        The combined reward over the finite members (``NaN`` when none is finite). ``mean``
        and ``wco`` lie in ``[min_i R_i, max_i R_i]``; ``uwo <= mean``.
    """
    vals = finite(rewards)
    if not vals:
        return math.nan
    if method == "mean":
        return clip(mean(vals), min(vals), max(vals))
    if method == "wco":
        return min(vals)
    if method == "uwo":
        return mean(vals) - lam * variance(vals, ddof=0)
    raise ValueError(f"unknown ensemble method {method!r}")


def noisy_backward_correction(observed: float, rho0: float, rho1: float) -> float:
    """Backward correction of a noisy binary verifier: ``R_hat = (R_obs - rho0) / (1 - rho0 - rho1)``.

    With false-positive rate ``rho0 = P(R_obs = 1 | wrong)`` and false-negative rate
    ``rho1 = P(R_obs = 0 | right)``, ``E[R_hat | response] = R_true``: an unbiased surrogate.
    It is increasing in ``R_obs``, so a verifier-accepted answer still outscores a rejected one.
    The surrogate leaves ``[0, 1]``: a rejection maps to ``-rho0 / (1 - rho0 - rho1)``.

    Source: Cai et al., "Reinforcement Learning with Verifiable yet Noisy Rewards under
    Imperfect Verifiers" (arXiv 2510.00915), backward correction.

    Raises:
        ValueError: ``rho0`` or ``rho1`` outside ``[0, 1)`` or ``rho0 + rho1 >= 1`` (the
            channel is not invertible).
    """
    _check_rates(rho0, rho1)
    if not is_finite(observed):
        return math.nan
    return (float(observed) - rho0) / (1.0 - rho0 - rho1)


def noisy_forward_correction(observed: Sequence[bool], rho1: float) -> list[float]:
    """Forward correction of false negatives over one group of responses to the same prompt.

    Needs only the false-negative rate ``rho1``. A verifier that rejects right answers with
    probability ``rho1`` (and accepts no wrong ones) turns the group's true pass rate ``p``
    into an observed rate ``q = (1 - rho1) p``. Passing the model forward through that channel
    gives ``p = q / (1 - rho1)`` and, for a rejected response, the posterior probability that
    it was right::

        P(right | rejected) = rho1 p / (1 - q) = rho1 q / ((1 - rho1)(1 - q))

    An accepted response keeps 1; a rejected one gets that posterior (clipped to ``[0, 1]``).
    The group mean of the corrected rewards equals ``p``, the de-noised pass rate, and an
    accepted response never scores below a rejected one.

    Source: Cai et al. (arXiv 2510.00915) derive a forward correction that reweights the
    policy-gradient terms inside the trainer and needs only the FN rate. A reward engine cannot
    touch the gradient, so this is rewardkit's reward-level reading of the same forward noise
    model (the channel applied to the clean pass rate); the paper's exact weights belong in the
    trainer.

    Returns:
        One value per response, each in ``[0, 1]``.
    """
    _check_rates(0.0, rho1)
    n = len(observed)
    if n == 0:
        return []
    q = sum(1 for x in observed if x) / n
    if q >= 1.0:
        return [1.0] * n
    posterior = clip(rho1 * q / ((1.0 - rho1) * (1.0 - q)), 0.0, 1.0)
    return [1.0 if x else posterior for x in observed]


def _check_rates(rho0: float, rho1: float) -> None:
    for name, rho in (("rho0", rho0), ("rho1", rho1)):
        if not is_finite(rho) or not 0.0 <= rho < 1.0:
            raise ValueError(f"{name} must be in [0, 1), got {rho!r}")
    if rho0 + rho1 >= 1.0:
        raise ValueError(f"rho0 + rho1 must be < 1, got {rho0 + rho1}")


__all__ = [
    "EnsembleMethod",
    "ensemble_reward",
    "noisy_backward_correction",
    "noisy_forward_correction",
    "par_reward",
]
