"""Shared extraction helpers: think stripping, boxed answers, normalisation."""

from __future__ import annotations

import pytest

from rewardkit.core.types import MAX_RESPONSE_CHARS
from rewardkit.verifiers._extract import (
    all_boxed,
    answer_line,
    last_boxed,
    last_line,
    normalize_text,
    strip_latex,
    strip_think,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<think>reasoning</think>The answer is 4.", ("The answer is 4.", True)),
        # template put <think> in the prompt (DeepSeek-R1, Qwen3): only the close tag is there
        ("reasoning</think>\n4", ("\n4", True)),
        ("no tags at all", ("no tags at all", True)),
        # rewards given before thinking finished (verifiers PR #213): nothing counts
        ("<think>the answer is 4 but let me check", ("", False)),
        # re-opened thinking after an answer: the answer stands but thinking is unfinished
        ("<think>a</think>4<think>hmm", ("4", False)),
        # the last close wins: an answer inside an earlier block is not the answer
        ("<think>x</think>\\boxed{1}<think>y</think>\\boxed{2}", ("\\boxed{2}", True)),
        ("", ("", True)),
    ],
)
def test_strip_think(text: str, expected: tuple[str, bool]) -> None:
    assert strip_think(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("so \\boxed{42}.", ["42"]),
        ("\\boxed{\\frac{1}{2}} and \\boxed{3}", ["\\frac{1}{2}", "3"]),
        ("\\fbox{7}", ["7"]),
        ("$\\boxed 5$", ["5"]),
        ("hence \\boxed 5.", ["5"]),
        ("\\boxed {x + 1}", ["x + 1"]),
        ("\\boxed{\\boxed{7}}", ["7"]),
        ("\\boxed{\\{1, 2\\}}", ["\\{1, 2\\}"]),
        ("\\boxed{}", [""]),
        # unbalanced box: no answer rather than the rest of the text
        ("\\boxed{1 + {2", []),
        ("\\boxed{a}\\boxed{b", ["a"]),
        # \boxedfoo is a different command
        ("\\boxedfoo{1}", []),
        ("no box here", []),
        ("\\boxed", []),
        ("\\boxed{\\text{B}} then \\boxed{C}", ["\\text{B}", "C"]),
    ],
)
def test_all_boxed(text: str, expected: list[str]) -> None:
    assert all_boxed(text) == expected
    assert last_boxed(text) == (expected[-1] if expected else None)


def test_boxed_many_unbalanced_is_linear() -> None:
    """Thousands of unclosed boxes must not make extraction quadratic (cap before parsing)."""
    text = "\\boxed{" * 100_000 + "\\boxed{9}"
    assert all_boxed(text) == ["9"]


def test_boxed_caps_input() -> None:
    text = "x" * MAX_RESPONSE_CHARS + "\\boxed{1}"
    assert last_boxed(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The answer is Paris.", "Paris"),
        ("Answer: 3.14", "3.14"),
        ("**Final Answer:** $x = 2$", "$x = 2$"),
        ("The answer is 5. Because 2 + 3 = 5.", "5"),
        ("answer: 1\nthen answer: 2", "2"),
        ("The final answer is: Paris", "Paris"),
        ("answer is\n", None),
        ("nothing", None),
    ],
)
def test_answer_line(text: str, expected: str | None) -> None:
    assert answer_line(text) == expected


def test_last_line() -> None:
    assert last_line("a\nb\n\n  ") == "b"
    assert last_line(" \n ") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$Paris$", "Paris"),
        ("\\(x\\)", "x"),
        ("\\[ 5 \\]", "5"),
        ("\\text{Paris}", "Paris"),
        ("\\textbf{\\text{Paris}}", "Paris"),
        ("\\mathrm{kg}", "kg"),
        ("50\\%", "50%"),
        ("\\boxed{7}", "7"),
        ("1\\,000", "1 000"),
    ],
)
def test_strip_latex(text: str, expected: str) -> None:
    assert strip_latex(text) == expected


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        ("  Paris. ", {}, "paris"),
        ("**Paris**", {}, "paris"),
        ("$\\text{Paris}$.", {}, "paris"),
        ("New   York", {}, "new york"),
        ("New   York", {"collapse_whitespace": False}, "new   york"),
        ("Paris", {"case_sensitive": True}, "Paris"),
        ("-5", {}, "-5"),
        ("C++", {}, "c++"),
        ("U.S.A.", {"punctuation": "all"}, "usa"),
        ("Paris.", {"punctuation": "keep"}, "paris."),
        # full-width letters (NFKC)
        ("Ｐａｒｉｓ", {}, "paris"),
    ],
)
def test_normalize_text(text: str, options: dict[str, object], expected: str) -> None:
    assert normalize_text(text, **options) == expected  # type: ignore[arg-type]
