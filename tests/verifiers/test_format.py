"""``format.think``: strict layout and tag-count partial credit."""

from __future__ import annotations

from typing import Any

import pytest

from rewardkit.core.registry import get_verifier, run_scorer
from rewardkit.core.types import RewardResult, Sample


def score(response: str, **options: Any) -> RewardResult:
    fn = get_verifier("format.think").build(options)
    return run_scorer(fn, Sample(response=response))


@pytest.mark.parametrize(
    ("response", "reference", "expected"),
    [
        ("<think>\n2 + 2 = 4\n</think>\nThe answer is 4.", None, (1.0, None)),
        ("<think>x</think>4", None, (1.0, None)),
        ("\n  <think>x</think>4", None, (1.0, None)),
        ("Sure! <think>x</think>4", None, (0.0, "text_before_think")),
        ("<think>x</think>", None, (0.0, "empty_answer")),
        ("<think>x</think>  \n ", None, (0.0, "empty_answer")),
        ("<think>  </think>4", None, (0.0, "empty_think")),
        ("The answer is 4.", None, (0.0, "missing_think")),
        # rewards given before thinking finished (verifiers PR #213)
        ("<think>The answer is 4", None, (0.0, "think_unclosed")),
        ("x</think>4", None, (0.0, "missing_think")),
        ("<think>a<think>b</think>4", None, (0.0, "repeated_tag")),
        ("<think>a</think>b</think>4", None, (0.0, "repeated_tag")),
        ("<think>a</think>4<think>", None, (0.0, "repeated_tag")),
        ("</think><think>4", None, (0.0, "text_before_think")),
        ("", None, (0.0, "missing_think")),
    ],
)
def test_strict_golden(response: str, reference: Any, expected: tuple[float, str | None]) -> None:
    fn = get_verifier("format.think").build({})
    result = run_scorer(fn, Sample(response=response, reference=reference))
    assert result.status == "ok"
    assert (result.value, result.reason) == expected


def test_tags_out_of_order() -> None:
    result = score("</think>x<think>4", think_in_prompt=False)
    assert result.value == 0.0
    assert result.reason in {"missing_think", "tags_out_of_order", "text_before_think"}
    assert score("a</think>\n<think>b").value == 0.0


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("<think>\nx\n</think>\n<answer>\n4\n</answer>", (1.0, None)),
        ("<think>x</think><answer>4</answer>\n", (1.0, None)),
        ("<think>x</think>4", (0.0, "missing_answer_tags")),
        ("<think>x</think><answer>4", (0.0, "missing_answer_tags")),
        ("<think>x</think>So: <answer>4</answer>", (0.0, "text_outside_answer")),
        ("<think>x</think><answer>4</answer> and 5", (0.0, "text_outside_answer")),
        ("<think>x</think><answer> </answer>", (0.0, "empty_answer")),
        ("<think>x</think><answer>4</answer><answer>5</answer>", (0.0, "repeated_tag")),
        ("<think>x<answer>4</answer></think>done", (0.0, "tags_out_of_order")),
        ("<think>x</think></answer>4<answer>", (0.0, "text_outside_answer")),
    ],
)
def test_strict_answer_tags(response: str, expected: tuple[float, str | None]) -> None:
    result = score(response, answer_tags=True)
    assert (result.value, result.reason) == expected


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("reasoning\n</think>\n4", (1.0, None)),
        ("</think>4", (0.0, "empty_think")),
        ("<think>reasoning</think>4", (0.0, "repeated_tag")),
        ("still thinking", (0.0, "think_unclosed")),
    ],
)
def test_think_in_prompt(response: str, expected: tuple[float, str | None]) -> None:
    """Chat templates that open <think> in the prompt (DeepSeek-R1, Qwen3)."""
    result = score(response, think_in_prompt=True)
    assert (result.value, result.reason) == expected


def test_allow_empty_think() -> None:
    assert score("<think></think>4", allow_empty_think=True).value == 1.0
    assert score("<think></think>4").reason == "empty_think"


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("<think>\nx\n</think>\n<answer>\n4\n</answer>", 1.0),
        ("<think>x</think><answer>4</answer>", 1.0),
        ("<think>x</think>4", 0.5),
        ("<think>x", 0.25),
        ("<answer>4</answer>", 0.5),
        ("no tags", 0.0),
        ("", 0.0),
        # repeating a tag earns nothing for it: spamming tags does not pay
        ("<think><think>x</think><answer>4</answer>", 0.75),
        ("<think>" * 50 + "</think>" * 50 + "<answer></answer>" * 50, 0.0),
    ],
)
def test_tag_count(response: str, expected: float) -> None:
    """0.25 per tag present exactly once (open-r1 tag_count_reward)."""
    assert score(response, mode="tag_count").value == expected


def test_tag_count_details() -> None:
    result = score("<think><think>x</think>4", mode="tag_count")
    assert result.value == 0.25
    assert result.details["repeated"] == ["<think>"]
    assert result.details["missing"] == ["<answer>", "</answer>"]
    assert result.details["tag_counts"]["<think>"] == 2
    assert result.reason == "repeated_tags"
    assert score("<think>x</think>4", mode="tag_count").reason == "missing_tags"
    assert score("<think>x</think><answer>4</answer>", mode="tag_count").reason is None


def test_tag_count_think_in_prompt() -> None:
    assert score("x</think><answer>4</answer>", mode="tag_count", think_in_prompt=True).value == 1.0
    opts = {"mode": "tag_count", "think_in_prompt": True}
    assert score("<think>x</think><answer>4</answer>", **opts).value == 0.75


def test_bad_mode_names_the_field() -> None:
    with pytest.raises(ValueError, match="mode"):
        get_verifier("format.think").build({"mode": "lenient"})


@pytest.mark.parametrize(
    ("response", "reason"),
    [("<think>\u200b</think>\u200b", "empty_think"), ("<think>plan</think>\u200b\ufeff", "empty_answer")],
)
def test_invisible_characters_are_not_content(response: str, reason: str) -> None:
    """Red-team audit (2026-12-02): zero-width characters passed strict mode as think/answer text."""
    result = score(response)
    assert (result.value, result.details["reason"]) == (0.0, reason)
