"""Format shaping: partial credit for the reasoning/answer tags.

The full ``format.think`` verifier lives in ``rewardkit.verifiers.format``; this module only
holds the tag-count formula so that the shaping stage (and that verifier) can share it.
"""

from __future__ import annotations

from collections.abc import Sequence

#: open-r1's four tags, with the newlines its format reward expects around them.
THINK_ANSWER_TAGS: tuple[str, ...] = ("<think>\n", "\n</think>\n", "\n<answer>\n", "\n</answer>")


def tag_count_credit(text: str, tags: Sequence[str] = THINK_ANSWER_TAGS, credit: float = 0.25) -> float:
    """Partial format credit: ``credit`` for every tag that occurs exactly once in ``text``.

    A tag that is missing or repeated earns nothing, so stuffing tags does not pay.

    Source: open-r1 ``tag_count_reward`` (after willccbb's GRPO demo): 0.25 per tag present
    exactly once, tags ``<think>\\n``, ``\\n</think>\\n``, ``\\n<answer>\\n``, ``\\n</answer>``.

    Returns:
        A value in ``[0, credit * len(tags)]`` (``[0, 1]`` with the defaults).
    """
    return credit * sum(1 for tag in tags if tag and text.count(tag) == 1)


__all__ = ["THINK_ANSWER_TAGS", "tag_count_credit"]
