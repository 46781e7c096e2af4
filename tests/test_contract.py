"""Registry-wide contract test (DESIGN.md style rule 8), run on every registered verifier.

Each verifier: scores its own registered example 1.0 (inline and through the worker pool);
empty and garbage responses give a floor value or ``invalid_input``, never a crash; it works
from a worker thread. Guards against crashes silently becoming 0.0 (verifiers' Rubric) and
SIGALRM-based timeouts that fail outside the main thread (Math-Verify #50, #55).
"""

from __future__ import annotations

import threading

import pytest

import rewardkit as rk
from rewardkit.core.registry import get_verifier

#: Verifiers shipped in the package; test-only ones registered by other test modules are left out.
BUILTIN = [n for n in rk.verifiers() if get_verifier(n).module.startswith("rewardkit.verifiers")]
#: Verifiers whose score does not depend on a reference at all (format checks).
REFERENCE_FREE = {"format.think"}
GARBAGE = [
    "",
    " ",
    "{",
    "}" * 50,
    "\\boxed{" * 200,
    "```\n```",
    "\x00\x01\x02 \ud7ff",
    "<think>" * 100,
    "x" * 200_000,
    "SELECT * FROM",
    "Answer: " + "9" * 5000,
]


def _spec(name: str) -> dict:
    example = get_verifier(name).example or {}
    return {"terms": [{"verifier": name, "options": example.get("options", {})}]}


def _example(name: str) -> rk.Sample:
    example = dict(get_verifier(name).example or {})
    example.pop("options", None)
    return rk.Sample.from_dict(example)


def test_every_builtin_has_an_example_and_description():
    assert BUILTIN, "no built-in verifiers registered"
    for name in BUILTIN:
        info = get_verifier(name)
        assert info.example is not None, f"{name} has no example"
        assert info.description, f"{name} has no description"


@pytest.mark.parametrize("name", BUILTIN)
def test_own_example_scores_one(name):
    sample = _example(name)
    inline = rk.score([sample], spec=_spec(name), workers=0)[0]
    assert inline.status == "ok" and inline.value == pytest.approx(1.0), inline
    pooled = rk.score([sample], spec=_spec(name), workers=1)[0]
    assert pooled.status == "ok" and pooled.value == pytest.approx(1.0), pooled


@pytest.mark.parametrize("name", BUILTIN)
def test_empty_and_garbage_never_crash(name):
    base = _example(name)
    samples = [
        rk.Sample(prompt=base.prompt, response=g, reference=base.reference, task=base.task, meta=base.meta)
        for g in GARBAGE
    ]
    results = rk.score(samples, spec=_spec(name), workers=0)
    for g, r in zip(GARBAGE, results, strict=True):
        assert r.status in ("ok", "invalid_input"), (name, g[:40], r)
        if r.status == "ok":
            assert r.value is not None and r.value < 1.0, (name, g[:40], r)


@pytest.mark.parametrize("name", BUILTIN)
def test_unreadable_reference_is_never_full_credit(name):
    base = _example(name)
    for reference in (None, "", {"bogus": object.__name__}):
        sample = rk.Sample(
            prompt=base.prompt, response=base.response, reference=reference, task=base.task, meta={}
        )
        r = rk.score([sample], spec=_spec(name), workers=0)[0]
        assert r.status != "error", (name, reference, r)
        if r.status == "ok":
            assert r.value is not None and r.value < 1.0 or name in REFERENCE_FREE, (name, reference, r)


@pytest.mark.parametrize("name", BUILTIN)
def test_from_worker_thread(name):
    out: dict[str, list[rk.RewardResult]] = {}
    t = threading.Thread(
        target=lambda: out.setdefault("r", rk.score([_example(name)], spec=_spec(name), workers=0))
    )
    t.start()
    t.join(60)
    assert out["r"][0].value == pytest.approx(1.0)
