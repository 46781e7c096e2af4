"""``format.think``: the ``<think>...</think>`` then answer layout of reasoning models.

Two modes. ``strict`` (default) gives 1.0 only to a response that is exactly one reasoning
block followed by a non-empty answer (optionally wrapped in ``<answer>...</answer>``), and 0.0
with a ``reason`` otherwise; a ``<think>`` that is never closed earns nothing, so no reward is
given before thinking finished (verifiers PR #213). ``tag_count`` gives partial credit, 0.25 for
each of the four tags that appears exactly once (REFERENCE.md section 7, "Format").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from rewardkit.core.registry import verifier
from rewardkit.core.types import RewardResult, Sample
from rewardkit.verifiers._extract import THINK_CLOSE, THINK_OPEN, cap

ANSWER_OPEN = "<answer>"
ANSWER_CLOSE = "</answer>"
TAGS = (THINK_OPEN, THINK_CLOSE, ANSWER_OPEN, ANSWER_CLOSE)


@dataclass(frozen=True)
class FormatThinkOptions:
    """Options of the ``format.think`` verifier.

    Attributes:
        mode: ``"strict"`` (all or nothing, with a reason) or ``"tag_count"`` (0.25 per tag
            present exactly once).
        answer_tags: strict mode only: the answer must be ``<answer>...</answer>`` with nothing
            after it. Without it, any non-empty text after ``</think>`` is the answer.
        think_in_prompt: the chat template already opened ``<think>`` in the prompt (DeepSeek-R1,
            Qwen3), so the response must not repeat it and starts inside the reasoning. In
            ``tag_count`` mode ``<think>`` then earns its share when absent from the response.
        allow_empty_think: strict mode only: accept ``<think></think>`` with nothing inside.
    """

    mode: Literal["strict", "tag_count"] = "strict"
    answer_tags: bool = False
    think_in_prompt: bool = False
    allow_empty_think: bool = False


def _counts(text: str) -> dict[str, int]:
    return {tag: text.count(tag) for tag in TAGS}


def tag_count_score(text: str, think_in_prompt: bool = False) -> RewardResult:
    """Partial format credit: 0.25 for each of ``<think>``, ``</think>``, ``<answer>``,
    ``</answer>`` that occurs exactly once.

    Source: open-r1 ``tag_count_reward`` (``src/open_r1/rewards.py``), which counts the tags
    with their surrounding newlines (``"<think>\\n"``, ``"\\n</think>\\n"``, ...); here the bare
    tags are counted so that a response without those exact newlines is not penalised. A tag
    that is missing or repeated earns nothing; details name which.

    Args:
        text: the response.
        think_in_prompt: ``<think>`` was opened by the chat template, so it counts as present
            when the response holds none (and as repeated when it holds any).
    """
    counts = _counts(cap(text))
    missing: list[str] = []
    repeated: list[str] = []
    value = 0.0
    for tag, n in counts.items():
        want_present = not (think_in_prompt and tag == THINK_OPEN)
        expected = 1 if want_present else 0
        if n == expected:
            value += 0.25
        elif n < expected:
            missing.append(tag)
        else:
            repeated.append(tag)
    details: dict[str, Any] = {"tag_counts": counts}
    if missing or repeated:
        details["reason"] = "missing_tags" if not repeated else "repeated_tags"
        details["missing"] = missing
        details["repeated"] = repeated
    return RewardResult.ok(value, **details)


#: characters that render as nothing: zero-width space and joiners, word joiner, BOM, soft hyphen
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def _blank(text: str) -> bool:
    """Whether ``text`` shows nothing: whitespace or invisible characters only (red-team audit:
    ``<think>`` + U+200B + ``</think>`` + U+200B passed strict mode: ``str.strip`` keeps it)."""
    return not text.translate(_INVISIBLE).strip()


def strict_score(text: str, opts: FormatThinkOptions) -> RewardResult:
    """1.0 when ``text`` is exactly ``<think>reasoning</think>`` then a non-empty answer.

    Rules: nothing but whitespace before ``<think>``; each think tag exactly once and in
    order; the reasoning non-empty (unless ``allow_empty_think``); a non-empty answer after
    ``</think>``; with ``answer_tags`` the answer is one ``<answer>...</answer>`` with only
    whitespace around it. Any failure is 0.0 with the first broken rule as ``reason``:
    ``text_before_think``, ``missing_think``, ``think_unclosed``, ``repeated_tag``,
    ``tags_out_of_order``, ``empty_think``, ``empty_answer``, ``missing_answer_tags``,
    ``text_outside_answer``.
    """
    text = cap(text)
    counts = _counts(text)
    details: dict[str, Any] = {"tag_counts": counts}

    def fail(reason: str, **more: Any) -> RewardResult:
        return RewardResult.ok(0.0, reason=reason, **details, **more)

    if opts.think_in_prompt:
        if counts[THINK_OPEN]:
            return fail("repeated_tag", tag=THINK_OPEN)
        body_start = 0
    else:
        if counts[THINK_OPEN] == 0:
            return fail("missing_think")
        if counts[THINK_OPEN] > 1:
            return fail("repeated_tag", tag=THINK_OPEN)
        open_at = text.find(THINK_OPEN)
        if text[:open_at].strip():
            return fail("text_before_think")
        body_start = open_at + len(THINK_OPEN)
    if counts[THINK_CLOSE] == 0:
        return fail("think_unclosed")
    if counts[THINK_CLOSE] > 1:
        return fail("repeated_tag", tag=THINK_CLOSE)
    close_at = text.find(THINK_CLOSE)
    if close_at < body_start:
        return fail("tags_out_of_order")
    if not opts.allow_empty_think and _blank(text[body_start:close_at]):
        return fail("empty_think")
    after = text[close_at + len(THINK_CLOSE) :]
    if not opts.answer_tags:
        if _blank(after):
            return fail("empty_answer")
        return RewardResult.ok(1.0, **details)
    for tag in (ANSWER_OPEN, ANSWER_CLOSE):
        if counts[tag] == 0:
            return fail("missing_answer_tags", tag=tag)
        if counts[tag] > 1:
            return fail("repeated_tag", tag=tag)
    body = after.strip()
    if ANSWER_OPEN not in after or ANSWER_CLOSE not in after:
        return fail("tags_out_of_order")
    if not body.startswith(ANSWER_OPEN) or not body.endswith(ANSWER_CLOSE):
        return fail("text_outside_answer")
    inner = body[len(ANSWER_OPEN) : len(body) - len(ANSWER_CLOSE)]
    if ANSWER_CLOSE in inner or ANSWER_OPEN in inner or len(body) < len(ANSWER_OPEN + ANSWER_CLOSE):
        return fail("tags_out_of_order")
    if _blank(inner):
        return fail("empty_answer")
    return RewardResult.ok(1.0, **details)


@verifier(
    "format.think",
    options=FormatThinkOptions,
    description="<think>...</think> then an answer: strict all-or-nothing or 0.25 per tag",
    example={
        "response": "<think>\n2 + 2 is 4.\n</think>\nThe answer is 4.",
        "reference": None,
        "options": {},
    },
)
def format_think(opts: FormatThinkOptions) -> Callable[[Sample], RewardResult]:
    """Build the ``format.think`` scorer (the reference is not used).

    Details carry ``tag_counts`` and, below 1.0, a ``reason`` (strict mode) or
    ``missing``/``repeated`` tag lists (tag_count mode).
    """

    def score(sample: Sample) -> RewardResult:
        if opts.mode == "tag_count":
            return tag_count_score(sample.response, opts.think_in_prompt)
        return strict_score(sample.response, opts)

    return score


__all__ = ["FormatThinkOptions", "format_think", "strict_score", "tag_count_score"]
