"""Registry: decorated factories, duplicate rejection, entry points, result coercion."""

from dataclasses import dataclass
from typing import Literal

import pytest

import rewardkit as rk
from rewardkit.core import registry
from rewardkit.core.registry import coerce_result, get_verifier, run_scorer


@dataclass(frozen=True)
class _Opts:
    mode: Literal["a", "b"] = "a"
    scale: float = 1.0


@rk.verifier("test.registry.opts", options=_Opts, description="options demo")
def _opts_factory(opts: _Opts):
    return lambda s: opts.scale if opts.mode == "a" else 0.0


def test_duplicate_name_rejected():
    """reasoning-gym style duplicate check: a second factory under a taken name is an error."""
    with pytest.raises(ValueError, match="already registered"):

        @rk.verifier("test.registry.opts")
        def _other():  # pragma: no cover - never built
            return lambda s: 0.0


def test_bad_name_rejected():
    with pytest.raises(ValueError, match="name"):
        rk.verifier(" spaced ")


def test_options_validated_with_field_name():
    info = get_verifier("test.registry.opts")
    assert info.build({"scale": 2})(rk.Sample(response="x")) == 2.0
    with pytest.raises(ValueError, match="'mode' must be one of"):
        info.build({"mode": "c"})
    with pytest.raises(ValueError, match="unknown option"):
        info.build({"nope": 1})
    with pytest.raises(ValueError, match="'scale' must be a number"):
        info.build({"scale": "big"})


def test_unknown_verifier_lists_known():
    with pytest.raises(KeyError, match="registered:"):
        get_verifier("no.such.verifier")


def test_run_scorer_never_turns_errors_into_zero():
    """verifiers' Rubric defect: exceptions silently become 0.0. Ours carry a status."""

    def boom(sample):
        raise ZeroDivisionError("x")

    r = run_scorer(boom, rk.Sample(response="a"))
    assert r.status == "error" and r.value is None and "ZeroDivisionError" in r.reason

    def invalid(sample):
        raise rk.InvalidInput("reference unreadable")

    r = run_scorer(invalid, rk.Sample(response="a"))
    assert r.status == "invalid_input" and r.reason == "reference unreadable"


@pytest.mark.parametrize(
    "out, status, value",
    [
        (True, "ok", 1.0),
        (0, "ok", 0.0),
        ((0.5, {"k": 1}), "ok", 0.5),
        (None, "error", None),
        (float("nan"), "error", None),
        ("1", "error", None),
    ],
)
def test_coerce_result(out, status, value):
    r = coerce_result(out)
    assert r.status == status and r.value == value


def test_entry_point_plugins_load(monkeypatch, tmp_path):
    """Plugins come through the entry-point group rewardkit.verifiers."""
    mod = tmp_path / "rk_plugin_demo.py"
    mod.write_text(
        "import rewardkit as rk\n"
        "@rk.verifier('plugin.demo', description='from a plugin')\n"
        "def f():\n    return lambda s: 1.0\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    class EP:
        name = "demo"
        value = "rk_plugin_demo"

        def load(self):
            import importlib

            return importlib.import_module("rk_plugin_demo")

    monkeypatch.setattr(
        registry, "entry_points", lambda group: [EP()] if group == "rewardkit.verifiers" else []
    )
    monkeypatch.setattr(registry, "_LOADED", False)
    assert "plugin.demo" in rk.verifiers()
    assert get_verifier("plugin.demo").description == "from a plugin"


def test_public_verifiers_is_the_function_not_the_subpackage():
    """Importing the rewardkit.verifiers sub-package must not shadow rk.verifiers()."""
    import rewardkit.verifiers.text  # noqa: F401

    assert callable(rk.verifiers) and {"exact", "choice", "format.think"} <= set(rk.verifiers())
