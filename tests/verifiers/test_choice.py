"""``choice``: multiple-choice letters and option texts."""

from __future__ import annotations

from typing import Any

import pytest

from rewardkit.core.registry import get_verifier, run_scorer
from rewardkit.core.types import RewardResult, Sample
from rewardkit.verifiers.choice import options_from_prompt, parse_letters

CAPITALS = {"answer": "B", "options": {"A": "Lyon", "B": "Paris", "C": "Nice", "D": "Lille"}}
PROMPT = """Which city is the capital of France?
(A) Lyon
(B) Paris
(C) Nice
(D) Lille
Answer with the letter."""


def score(response: str, reference: Any, prompt: str = "", **options: Any) -> RewardResult:
    fn = get_verifier("choice").build(options)
    return run_scorer(fn, Sample(prompt=prompt, response=response, reference=reference))


@pytest.mark.parametrize(
    ("response", "reference", "expected"),
    [
        # Math-Verify #16: \boxed{B}, (B). and "Answer: b" are not matched by Math-Verify 0.9.0
        ("\\boxed{B}", "B", 1.0),
        ("(B).", "B", 1.0),
        ("Answer: b", "B", 1.0),
        ("the answer is b", "B", 1.0),
        ("B", "B", 1.0),
        ("b", "B", 1.0),
        ("**B**", "B", 1.0),
        ("B) Paris", "B", 1.0),
        ("B. Paris", "B", 1.0),
        ("$\\boxed{\\text{(B)}}$", "B", 1.0),
        ("Final Answer: **(B)**", "B", 1.0),
        ("The correct option is (C).", "C", 1.0),
        ("Option C is correct.", "C", 1.0),
        ("C is the correct answer.", "C", 1.0),
        ("Checking all four. So (C) is the right one.", "C", 1.0),
        ("Checking all four. So (C) is the right choice.", "C", 1.0),
        ("Checking all four. Thus C is correct.", "C", 1.0),
        # a capital letter inside a name is not an option
        ("Vitamin C is the best source of it.", "C", 0.0),
        ("Vitamin C is the best source of it.", "A", 0.0),
        ("I choose D.", "D", 1.0),
        ("My final choice is A.", "A", 1.0),
        ("The answer is (a).", "A", 1.0),
        ("a", "A", 1.0),
        ("The answer is A.", "A", 1.0),
        ("The answer is B.", "A", 0.0),
        # a reasoning that weighs every option, then commits: the commitment counts
        ("Option A is wrong, option C is wrong.\nSo the answer is B.", "B", 1.0),
        ("Answer: A\nWait, that is wrong. Answer: B", "B", 1.0),
        # a box beats answer phrases
        ("The answer is A.\n\\boxed{B}", "B", 1.0),
        # think stripping: letters in the reasoning do not count
        ("<think>Maybe the answer is A.</think>The answer is B.", "B", 1.0),
        ("<think>The answer is B.</think>The answer is A.", "B", 0.0),
        # "a" as an English article is not the letter A
        ("The answer is a cat.", "A", 0.0),
        ("A cat.", "A", 0.0),
        # "I" as the pronoun is not the letter I (even with ten options)
        ("I think so.", "I", 0.0),
        ("", "B", 0.0),
        ("I do not know.", "B", 0.0),
        ("The answer is not A.", "A", 0.0),
        ("C programming is hard.", "C", 0.0),
        # letters out of the option range are not options
        ("Answer: F", "B", 0.0),
    ],
)
def test_choice_golden(response: str, reference: Any, expected: float) -> None:
    result = score(response, reference)
    assert result.status == "ok"
    assert result.value == expected, result.details


@pytest.mark.parametrize("response", ["\\boxed{B}", "(B).", "Answer: b", "$\\boxed{\\text{B}}$"])
def test_math_verify_16_letter_formats(response: str) -> None:
    """Math-Verify #16: multiple-choice letters in these forms are not matched by 0.9.0."""
    result = score(response, "B")
    assert result.value == 1.0, result.details
    assert result.details["extracted"] == "B"


@pytest.mark.parametrize(
    "response",
    [
        "A or B",
        "The answer is A or B.",
        "The answer is either B or C.",
        "\\boxed{A} then \\boxed{C}",
        "\\boxed{B}\n\\boxed{A}",
        "A, B, C, D",
        "A B C D",
        "\\boxed{A, B}",
        "\\boxed{A \\text{ or } B}",
        "Answer: B/C",
        "The answer is B, or maybe C.",
    ],
)
def test_hedging_scores_zero(response: str) -> None:
    """Listing several options is a wrong answer (hedging, verifiers PR #1028)."""
    result = score(response, "B")
    assert result.status == "ok"
    assert result.value == 0.0
    assert result.reason == "multiple_answers"
    assert len(result.details["candidates"]) > 1


def test_repeating_the_same_letter_is_not_hedging() -> None:
    assert score("\\boxed{B} so \\boxed{(B)}", "B").value == 1.0


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("The answer is Paris.", 1.0),
        ("\\boxed{Paris}", 1.0),
        ("paris", 1.0),
        ("\\boxed{Lyon}", 0.0),
        ("The answer is (B) Paris.", 1.0),
        ("The answer is Paris, the capital.", 0.0),
    ],
)
def test_option_text(response: str, expected: float) -> None:
    assert score(response, CAPITALS).value == expected


def test_option_text_from_prompt() -> None:
    result = score("The answer is Paris.", "B", prompt=PROMPT)
    assert result.value == 1.0
    assert result.details["options_from"] == "prompt"


def test_option_text_from_chat_prompt() -> None:
    chat = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": PROMPT}]
    fn = get_verifier("choice").build({})
    result = run_scorer(fn, Sample(prompt=chat, response="Paris", reference="B"))
    assert result.value == 1.0


def test_option_text_off() -> None:
    assert score("The answer is Paris.", CAPITALS, match_text=False).value == 0.0


def test_reference_forms() -> None:
    as_list = {"answer": "B", "options": ["Lyon", "Paris", "Nice"]}
    assert score("Paris", as_list).value == 1.0
    assert score("(B)", {"answer": 1, "options": ["Lyon", "Paris"]}).value == 1.0
    assert score("(B)", {"answer": "Paris", "options": ["Lyon", "Paris"]}).value == 1.0
    assert score("(B)", "(b)").value == 1.0
    # the reference is the option's text and the prompt lists the options
    assert score("B", "Paris", prompt=PROMPT).value == 1.0


@pytest.mark.parametrize(
    "reference",
    [
        None,
        "",
        "Paris",  # not a letter and no options to look it up in
        7,
        True,
        ["B"],
        {"options": ["x", "y"]},
        {"answer": "B", "options": "AB"},
        {"answer": "B", "options": {"AA": "x", "B": "y"}},
        {"answer": "B", "options": ["only one"]},
        {"answer": 5, "options": ["x", "y"]},
        {"answer": "B", "options": [str(i) for i in range(11)]},
    ],
)
def test_unreadable_reference_is_invalid_input(reference: Any) -> None:
    """An unreadable reference is an error, not a reward (open-r1 #86, #215, #293)."""
    result = score("B", reference)
    assert result.status == "invalid_input", result
    assert result.value is None


def test_letter_range() -> None:
    # default A-D: "E" is not an option, so "Answer: E" names nothing
    assert score("Answer: E", "B").reason == "no_answer"
    assert score("Answer: E", "B", letters=5).reason == "wrong_answer"
    assert score("Answer: J", "J").value == 1.0  # the gold letter is always an option
    assert score("Answer: H", "B", letters=10).reason == "wrong_answer"
    # options listed in the reference decide the range
    five = {"answer": "E", "options": list("vwxyz")}
    assert score("(E)", five).value == 1.0
    with pytest.raises(ValueError, match="letters"):
        get_verifier("choice").build({"letters": 11})
    with pytest.raises(ValueError, match="letters"):
        get_verifier("choice").build({"letters": 1})


def test_pronoun_i_with_ten_options() -> None:
    """With ten options "I" is a letter: the pronoun must still not be read as one."""
    assert score("I think the answer is B.", "B", letters=10).value == 1.0
    assert score("B, I think.", "B", letters=10).value == 1.0
    assert score("I believe it is C.", "I", letters=10).value == 0.0
    assert score("Answer: I", "I", letters=10).value == 1.0
    assert score("(I)", "I", letters=10).value == 1.0


def test_unclosed_think_earns_nothing() -> None:
    """Rewards given before thinking finished (verifiers PR #213)."""
    result = score("<think>The answer is B", "B")
    assert result.value == 0.0
    assert result.reason == "think_unclosed"


def test_details() -> None:
    ok = score("so \\boxed{B}", CAPITALS)
    assert ok.details == {
        "extracted": "B",
        "source": "boxed",
        "gold": "B",
        "options_from": "reference",
    }
    wrong = score("Answer: C", "B")
    assert wrong.reason == "wrong_answer"
    assert wrong.details["extracted"] == "C"


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        (PROMPT, {"A": "Lyon", "B": "Paris", "C": "Nice", "D": "Lille"}),
        ("Q?\nA. one\nB. two\nC) three", {"A": "one", "B": "two", "C": "three"}),
        ("Q?\nA: one\nB: two", {"A": "one", "B": "two"}),
        ("Pick: (A) red (B) green (C) blue", {"A": "red", "B": "green", "C": "blue"}),
        # few-shot: the last question's options
        ("A. x\nB. y\nAnswer: A\n\nA. p\nB. q\nC. r", {"A": "p", "B": "q", "C": "r"}),
        ("I. Introduction\nNo options here", None),
        ("", None),
    ],
)
def test_options_from_prompt(prompt: str, expected: dict[str, str] | None) -> None:
    assert options_from_prompt(prompt) == expected


@pytest.mark.parametrize(
    ("segment", "strict", "expected"),
    [
        ("B", True, ["B"]),
        ("(B) Paris", True, ["B"]),
        ("B because it is", True, []),
        ("B because it is", False, ["B"]),
        ("A or B", True, ["A", "B"]),
        ("a cat", False, []),
        ("A is correct", False, ["A"]),
        ("option (c)", True, ["C"]),
    ],
)
def test_parse_letters(segment: str, strict: bool, expected: list[str]) -> None:
    assert parse_letters(segment, "ABCD", strict=strict) == expected


# Red-team audit (2026-12-02): a correction later on the same line was ignored (the first
# phrase's tail swallowed it), and a letter offered beside the answer was not a second letter.
@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("The answer is A. Wait, no, the answer is C.", 0.0),
        ("The answer is C. Wait, no, the answer is A.", 1.0),
        ("The answer is A? No, actually the correct answer is C.", 0.0),
        ("The answer is A (or possibly C).", 0.0),
        (r"\boxed{A} or maybe C", 0.0),
        ("Answer: A\nThe answer could be C though.", 0.0),
        ("Answer: A, although C is also defensible.", 0.0),
        ("Answer: A. This is because Lyon is a city.", 1.0),
    ],
)
def test_same_line_corrections_and_offered_letters(response, expected):
    fn = get_verifier("choice").build({}, "t")
    ref = {"answer": "A", "options": {"A": "Lyon", "B": "Paris", "C": "Nice", "D": "Nantes"}}
    assert run_scorer(fn, Sample(response=response, reference=ref)).value == expected
