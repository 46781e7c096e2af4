"""Spec files: TOML and YAML, validation errors naming file, term and field; gates; built-ins."""

import pytest

import rewardkit as rk
from rewardkit.core.spec import parse_condition

pytest.importorskip  # noqa: B018 - keep pytest import used explicitly below

import faulty_verifiers  # noqa: E402,F401  registers test.faulty / test.len


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_toml_spec_round_trip(tmp_path):
    p = write(
        tmp_path,
        "s.toml",
        """
name = "demo"
on_error = "zero"
timeout = 5
[[terms]]
verifier = "test.faulty"
weight = 1.0
[[terms]]
verifier = "test.len"
weight = 0.1
[gate]
when = "test.faulty >= 1"
terms = ["test.len"]
""",
    )
    spec = rk.load_spec(p)
    assert spec.name == "demo" and spec.on_error == "zero" and spec.timeout == 5.0
    assert [t.name for t in spec.terms] == ["test.faulty", "test.len"]
    assert spec.gates[0].terms == ("test.len",)
    assert rk.load_spec(spec.to_dict()) == rk.load_spec(spec.to_dict())
    assert rk.load_spec(spec.to_dict()).fingerprint == spec.fingerprint


def test_yaml_spec(tmp_path):
    p = write(tmp_path, "s.yaml", "name: y\nterms:\n  - verifier: test.len\n    weight: 2\n")
    spec = rk.load_spec(p)
    assert spec.terms[0].weight == 2.0


@pytest.mark.parametrize(
    "body, message",
    [
        ('[[terms]]\nverifier = "nope"\n', "term 'nope': field 'verifier'"),
        ('[[terms]]\nverifier = "test.len"\nweight = "heavy"\n', "term 'test.len': field 'weight'"),
        ('[[terms]]\nverifier = "test.len"\nbogus = 1\n', "term 'test.len': unknown field(s) bogus"),
        ('on_error = "ignore"\n[[terms]]\nverifier = "test.len"\n', "field 'on_error'"),
        ("name = 'x'\n", "field 'terms'"),
        ('[[terms]]\nverifier = "test.len"\n[[terms]]\nverifier = "test.len"\n', "used twice"),
        ('[[terms]]\nverifier = "test.len"\n[gate]\nwhen = "x >= 1"\nterms = ["test.len"]\n', "unknown term"),
        (
            '[[terms]]\nverifier = "test.len"\n[gate]\nwhen = "import os"\nterms = ["test.len"]\n',
            "cannot read",
        ),
        ('[[terms]]\nverifier = "test.len"\n[terms.options]\nx = 1\n', "takes no options"),
        ("[[terms]\n", "invalid TOML"),
    ],
)
def test_spec_errors_name_file_term_field(tmp_path, body, message):
    p = write(tmp_path, "bad.toml", body)
    with pytest.raises(rk.SpecError) as exc:
        rk.load_spec(p)
    assert str(p) in str(exc.value)
    assert message in str(exc.value)


def test_missing_file_and_unknown_name():
    with pytest.raises(rk.SpecError, match="not found"):
        rk.load_spec("does/not/exist.toml")
    with pytest.raises(rk.SpecError, match="unknown spec"):
        rk.load_spec("no-such-spec")


def test_verifier_name_is_a_one_term_spec():
    spec = rk.load_spec("test.len")
    assert [t.verifier for t in spec.terms] == ["test.len"]


def test_condition_grammar_and_precedence():
    c = parse_condition("a >= 1 and b < 0.5 or c == 2")
    assert c.evaluate({"a": 1, "b": 0.1})
    assert not c.evaluate({"a": 1, "b": 0.9})
    assert c.evaluate({"c": 2})
    assert not c.evaluate({})  # a missing term fails its clause


def test_builtin_specs_load_by_name():
    from rewardkit.core.spec import builtin_specs

    names = builtin_specs()
    assert "mcq" in names
    for name in names:
        spec = rk.load_spec(name)
        assert spec.source == f"builtin:{name}" and spec.terms
