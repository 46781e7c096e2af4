"""Property tests for exact, choice and format.think: arbitrary text never crashes them.

Text is drawn from an alphabet rich in the tokens the parsers look for (think tags, boxes,
braces, option letters, answer phrases) so the odd corners are reached, not just prose.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rewardkit.core.registry import get_verifier, run_scorer
from rewardkit.core.types import Sample
from rewardkit.verifiers._extract import all_boxed, last_boxed, normalize_text, strip_think
from rewardkit.verifiers.choice import options_from_prompt

PIECES = [
    "<think>", "</think>", "<answer>", "</answer>", "\\boxed", "\\boxed{", "\\fbox{", "{", "}",
    "\\{", "\\}", "\\", "$", "\\(", "\\)", "\\text{", "(", ")", "[", "]", "A", "B", "C", "a",
    "I", "J", " or ", ", ", ". ", "Answer: ", "the answer is ", "option ", " is correct",
    "I choose ", "\n", " ", "*", "**", "(A) ", "B. ", "Paris", "é", "Ｂ", "\x00", "\u200b",
]  # fmt: skip
TEXT = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=5)), max_size=40).map("".join)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(name: str, options: dict[str, Any], sample: Sample) -> None:
    result = run_scorer(get_verifier(name).build(options), sample)
    assert result.status in {"ok", "invalid_input"}, result
    if result.status == "ok":
        assert result.value is not None and 0.0 <= result.value <= 1.0
        if result.value < 1.0:
            assert result.reason, result


@SETTINGS
@given(TEXT)
def test_helpers_never_crash(text: str) -> None:
    answer, closed = strip_think(text)
    assert isinstance(answer, str) and isinstance(closed, bool)
    boxes = all_boxed(text)
    assert last_boxed(text) == (boxes[-1] if boxes else None)
    assert isinstance(normalize_text(text), str)
    options_from_prompt(text)


@SETTINGS
@given(
    TEXT,
    st.one_of(TEXT, st.lists(TEXT, max_size=3), st.none(), st.integers()),
    st.sampled_from(["auto", "boxed", "answer-line", "last-line", "whole"]),
    st.sampled_from(["edges", "all", "keep"]),
)
def test_exact_never_crashes(response: str, reference: Any, answer: str, punct: str) -> None:
    _check(
        "exact",
        {"answer": answer, "punctuation": punct},
        Sample(response=response, reference=reference),
    )


@SETTINGS
@given(
    TEXT,
    st.one_of(
        st.sampled_from(["A", "B", "c", "(D)", "J"]),
        TEXT,
        st.fixed_dictionaries(
            {
                "answer": st.sampled_from(["A", "B", 0, 1]),
                "options": st.lists(TEXT, min_size=2, max_size=10),
            }
        ),
    ),
    TEXT,
    st.integers(min_value=2, max_value=10),
)
def test_choice_never_crashes(response: str, reference: Any, prompt: str, letters: int) -> None:
    _check(
        "choice",
        {"letters": letters},
        Sample(prompt=prompt, response=response, reference=reference),
    )


@SETTINGS
@given(TEXT, st.sampled_from(["strict", "tag_count"]), st.booleans(), st.booleans())
def test_format_never_crashes(response: str, mode: str, answer_tags: bool, in_prompt: bool) -> None:
    options = {"mode": mode, "answer_tags": answer_tags, "think_in_prompt": in_prompt}
    _check("format.think", options, Sample(response=response))


@SETTINGS
@given(TEXT)
def test_strict_answer_format_implies_full_tag_count(response: str) -> None:
    """A response passing the strict <answer> layout has every tag exactly once."""
    strict = run_scorer(
        get_verifier("format.think").build({"answer_tags": True}), Sample(response=response)
    )
    if strict.value == 1.0:
        counted = run_scorer(
            get_verifier("format.think").build({"mode": "tag_count"}), Sample(response=response)
        )
        assert counted.value == 1.0


WORDS = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd", "Zs")), min_size=1, max_size=30
)


@SETTINGS
@given(WORDS)
def test_exact_accepts_its_own_reference(text: str) -> None:
    """Any answer text matches itself, bare or boxed."""
    if not normalize_text(text) or "answer" in text.lower():
        return
    fn = get_verifier("exact").build({})
    assert run_scorer(fn, Sample(response=text, reference=text)).value == 1.0
    boxed = f"Reasoning.\n\\boxed{{{text}}}"
    assert run_scorer(fn, Sample(response=boxed, reference=text)).value == 1.0


FORMATS = [
    "{L}",
    "({L})",
    "({L}).",
    "\\boxed{{{L}}}",
    "Answer: {l}",
    "the answer is {l}",
    "**{L}**",
]


@SETTINGS
@given(
    st.sampled_from("ABCDEFGHIJ"),
    st.sampled_from("ABCDEFGHIJ"),
    st.sampled_from(FORMATS),
    st.sampled_from(["", "<think>hmm</think>", "Some reasoning.\n"]),
)
def test_choice_formats_and_hedges(gold: str, other: str, fmt: str, prefix: str) -> None:
    """Every answer format of Math-Verify #16 matches; two letters joined are a hedge."""
    fn = get_verifier("choice").build({"letters": 10})
    said = prefix + fmt.format(L=gold, l=gold.lower())
    result = run_scorer(fn, Sample(response=said, reference=gold))
    if gold == "I" and "{l}" in fmt:
        assert result.value in {0.0, 1.0}  # lower-case "i" alone is ambiguous but never a crash
    else:
        assert result.value == 1.0, (said, result)
    if other != gold:
        hedge = run_scorer(fn, Sample(response=f"{prefix}{gold} or {other}", reference=gold))
        assert hedge.value == 0.0
        assert hedge.reason == "multiple_answers", (gold, other, hedge)
