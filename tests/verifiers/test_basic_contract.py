"""Registry contract for exact, choice and format.think (DESIGN.md style rule 8)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from rewardkit.core.registry import get_verifier, run_scorer, verifiers
from rewardkit.core.types import RewardResult, Sample

NAMES = ["exact", "choice", "format.think"]
GARBAGE = ["", " ", "\x00\x01", "}{" * 1000, "\\boxed{" * 1000, "<think>" * 100, "é" * 10_000]


def _example(name: str) -> tuple[dict[str, object], Sample]:
    info = get_verifier(name)
    assert info.example is not None, f"{name} registers no example"
    sample = Sample(
        prompt=str(info.example.get("prompt", "")),
        response=str(info.example["response"]),
        reference=info.example.get("reference"),
    )
    options = info.example.get("options") or {}
    assert isinstance(options, dict)
    return options, sample


@pytest.mark.parametrize("name", NAMES)
def test_registered_with_description(name: str) -> None:
    assert name in verifiers()
    assert get_verifier(name).description


@pytest.mark.parametrize("name", NAMES)
def test_example_scores_one(name: str) -> None:
    options, sample = _example(name)
    result = run_scorer(get_verifier(name).build(options), sample)
    assert (result.status, result.value) == ("ok", 1.0), result


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("response", GARBAGE)
def test_garbage_floors_or_is_invalid(name: str, response: str) -> None:
    options, sample = _example(name)
    fn = get_verifier(name).build(options)
    result = run_scorer(
        fn, Sample(prompt=sample.prompt, response=response, reference=sample.reference)
    )
    assert result.status == "ok", result
    assert result.value == 0.0
    assert result.reason


@pytest.mark.parametrize("name", NAMES)
def test_from_worker_threads(name: str) -> None:
    """No signal-based timeouts: scoring works off the main thread (Math-Verify #50, #55)."""
    options, sample = _example(name)
    fn = get_verifier(name).build(options)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results: list[RewardResult] = list(pool.map(lambda _: run_scorer(fn, sample), range(16)))
    assert all(r.value == 1.0 for r in results)


def test_choice_declares_prompt_use() -> None:
    assert get_verifier("choice").uses_prompt
    assert not get_verifier("exact").uses_prompt
