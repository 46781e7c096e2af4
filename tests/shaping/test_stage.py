"""The group-aware shaping stage through ``rk.score`` and ``rk.load_spec``."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import shaping_verifiers  # noqa: F401  (registers shape.* verifiers)

import rewardkit as rk
from rewardkit.shaping.stage import KINDS, group_key
from rewardkit.shaping.tokens import measure_length

ACC = {"verifier": "test.shape_match", "name": "acc"}


def spec(*shaping: dict, terms: list | None = None, **extra) -> dict:
    return {"name": "t", "terms": terms or [ACC], "shaping": list(shaping), **extra}


def sample(response: str, prompt: str = "p", reference: str | None = "42", **meta) -> rk.Sample:
    return rk.Sample(prompt=prompt, response=response, reference=reference, meta=meta)


def score(samples, spec_, **kw):
    return rk.score(samples, spec_, workers=kw.pop("workers", 0), **kw)


# ----------------------------------------------------------------- layout: raw and shaped


def test_single_sample_scoring_keeps_working():
    [r] = score([sample("x 42")], spec({"kind": "length.cosine", "max_len": 100}))
    assert r.status == "ok"
    assert r.value == pytest.approx(0.5 + 0.25 * (1 + math.cos(math.pi * 4 / 100)))
    assert r.details["group"]["size"] == 1


def test_raw_and_shaped_values_are_both_kept():
    s = spec(
        {"kind": "length.cosine", "name": "length", "max_len": 100}, {"kind": "repetition", "weight": 0.5}
    )
    [r] = score([sample("a b c a b c 42")], s)
    assert r.components["acc"] == 1.0  # raw term value
    assert r.details["raw_value"] == 1.0
    cos = r.components["length"]
    rep = r.components["repetition"]
    assert rep == pytest.approx(-1 * (1 - 4 / 5))  # 3-grams: abc bca cab abc bc42 -> 4 unique of 5
    assert r.value == pytest.approx(cos + 0.5 * rep)
    d = r.details["shaping"]["length"]
    assert d["kind"] == "length.cosine" and d["mode"] == "replace" and d["replaced"] == {"acc": 1.0}
    assert d["length"] == len("a b c a b c 42") and d["unit"] == "chars" and d["correct"] is True
    assert d["contribution"] == pytest.approx(cos)
    assert r.details["shaping"]["repetition"]["contribution"] == pytest.approx(0.5 * rep)


def test_add_replace_record_modes():
    base = [sample("y" * 18_432 + " 42")]
    add = score(base, spec({"kind": "length.dapo"}))[0]
    assert add.value == pytest.approx(1.0 - 0.5 * (18_435 - 16_384) / 2048)
    rec = score(base, spec({"kind": "length.dapo", "mode": "record"}))[0]
    assert rec.value == 1.0 and rec.components["length.dapo"] < 0
    rep = score(base, spec({"kind": "length.dapo", "mode": "replace", "of": "reward", "weight": 2.0}))[0]
    assert rep.value == pytest.approx(2.0 * rep.components["length.dapo"])


def test_replace_keeps_other_terms_and_weights():
    terms = [{**ACC, "weight": 2.0}, {"verifier": "test.shape_rm", "name": "rm", "weight": 0.5}]
    s = spec({"kind": "length.cosine", "max_len": 10, "weight": 3.0}, terms=terms)
    [r] = score([sample("42", rm=[0.4])], s)
    cos = r.components["length.cosine"]
    assert r.details["raw_value"] == pytest.approx(2.0 + 0.2)
    assert r.value == pytest.approx(3.0 * cos + 0.2)  # acc's 2.0 replaced, rm's 0.2 kept


def test_replacing_a_gated_off_term_stays_off():
    terms = [ACC, {"verifier": "test.shape_rm", "name": "rm"}]
    s = spec(
        {"kind": "robust.par", "of": "rm", "reference_key": "ref"},
        terms=terms,
        gate={"when": "acc >= 1", "terms": ["rm"]},
    )
    wrong, right = score([sample("no", rm=[5.0], ref=0.0), sample("42", rm=[5.0], ref=0.0)], s)
    assert wrong.value == 0.0 and wrong.details["shaping"]["robust.par"]["gated_off"] is True
    assert right.value == pytest.approx(1.0 + 1 / (1 + math.exp(-5)))


# ----------------------------------------------------------------- groups


def test_groups_by_group_id_else_prompt():
    a = sample("42", prompt="same")
    b = sample("42", prompt="same")
    c = sample("42", prompt="same", group_id=7)
    d = sample("42", prompt="other", group_id=7)
    assert group_key(a) == group_key(b) != group_key(c) == group_key(d)
    chat = rk.Sample(prompt=[{"role": "user", "content": "q"}], response="r")
    chat2 = rk.Sample(prompt=[{"content": "q", "role": "user"}], response="s")
    assert group_key(chat) == group_key(chat2)  # canonical JSON: key order does not matter
    out = score([a, b, c, d], spec({"kind": "group.stats"}))
    assert [r.details["group"]["size"] for r in out] == [2, 2, 2, 2]
    assert out[2].details["group"]["id"] == 7


def test_kimi_is_computed_within_each_group():
    s = spec({"kind": "length.kimi", "weight": 1.0})
    samples = [
        sample("42", prompt="A"),
        sample("42" + "x" * 8, prompt="A"),
        sample("nope" * 10, prompt="B"),
    ]
    out = score(samples, s)
    assert [r.components["length.kimi"] for r in out] == pytest.approx([0.5, -0.5, 0.0])
    assert [r.value for r in out] == pytest.approx([1.5, 0.5, 0.0])
    assert out[0].details["shaping"]["length.kimi"]["group_size"] == 2


def test_failed_results_pass_through_and_are_excluded_from_group_stats():
    s = spec({"kind": "group.stats", "ks": [1, 2]}, {"kind": "length.kimi"})
    bad = sample("42", reference=None)  # shape.match raises InvalidInput
    out = score([sample("42"), bad, sample("no"), {"response": 3}], s)
    assert out[1].status == "invalid_input" and out[1].value is None
    assert "shaping" not in out[1].details and out[1].reason == "no reference"
    assert out[3].status == "invalid_input"
    g = out[0].details["group"]
    assert g["size"] == 2 and g["n_correct"] == 1 and g["pass@2"] == 1.0
    assert g["advantages"]["dr_grpo"] == pytest.approx(out[0].value - (out[0].value + out[2].value) / 2)


def test_group_stats_flag_all_equal_groups_for_dapo_filtering():
    out = score(
        [
            sample("42", prompt="easy"),
            sample("42", prompt="easy"),
            sample("no", prompt="mix"),
            sample("42", prompt="mix"),
        ],
        spec({"kind": "group.stats"}),
    )
    easy, mix = out[0].details["group"], out[2].details["group"]
    assert easy["all_equal"] is True and easy["all_correct_equal"] is True
    assert easy["advantages"] == {"grpo": 0.0, "dr_grpo": 0.0, "rloo": 0.0}
    assert mix["all_equal"] is False and mix["pass@1"] == 0.5


def test_group_advantage_can_replace_the_reward():
    s = spec({"kind": "group.advantage", "method": "rloo", "mode": "replace", "of": "reward"})
    out = score([sample("42"), sample("no"), sample("no")], s)
    assert [r.value for r in out] == pytest.approx([1.0, -0.5, -0.5])
    assert [r.details["raw_value"] for r in out] == [1.0, 0.0, 0.0]


def test_grpo_lambda_switches_per_group_correctness():
    s = spec({"kind": "length.grpo_lambda", "min_ratio": 0.5})
    samples = [
        sample("42", prompt="good"),
        sample("42 " + "x" * 20, prompt="good"),
        sample("42", prompt="hard"),
        sample("no " + "x" * 20, prompt="hard"),
        sample("no", prompt="hard"),
    ]
    out = score(samples, s)
    # "good": ratio 1.0 -> 1 + kimi; "hard": ratio 1/3 -> plain 0/1
    assert [r.value for r in out] == pytest.approx([1.5, 0.5, 1.0, 0.0, 0.0])
    assert out[0].details["shaping"]["length.grpo_lambda"]["length_penalty"] is True
    assert out[2].details["shaping"]["length.grpo_lambda"]["length_penalty"] is False


# ----------------------------------------------------------------- robust and process kinds


def test_par_against_meta_and_group_references():
    terms = [{"verifier": "test.shape_rm", "name": "rm"}]
    s = spec({"kind": "robust.par"}, terms=terms)
    out = score(
        [
            sample("a", prompt="m", rm=[2.0], reference_rewards=[1.0, 3.0]),
            sample("b", prompt="g", rm=[1.0], is_reference=True),
            sample("c", prompt="g", rm=[3.0]),
        ],
        s,
    )
    assert out[0].value == pytest.approx(0.5)  # (sigmoid(1) + sigmoid(-1)) / 2
    assert out[2].value == pytest.approx(1 / (1 + math.exp(-2)))
    assert out[2].details["shaping"]["robust.par"]["reference_source"] == "group"


def test_par_hacked_reward_saturates():
    """Exploit (reward hacking): a 1000x RM score buys almost nothing over a modest win under PAR."""
    terms = [{"verifier": "test.shape_rm", "name": "rm"}]
    out = score(
        [sample("a", rm=[5.0], reference_rewards=0.0), sample("b", rm=[5000.0], reference_rewards=0.0)],
        spec({"kind": "robust.par"}, terms=terms),
    )
    assert out[1].value - out[0].value < 0.01 and out[1].value <= 1.0


def test_ensemble_methods():
    terms = [{"verifier": "test.shape_rm", "name": f"rm{i}", "options": {"member": i}} for i in range(3)]
    for method, expected in (("mean", 2.0), ("wco", 1.0), ("uwo", 2.0 - 0.5 * 2 / 3)):
        s = spec({"kind": "robust.ensemble", "of": ["rm0", "rm1", "rm2"], "method": method}, terms=terms)
        [r] = score([sample("x", rm=[1.0, 2.0, 3.0])], s)
        assert r.value == pytest.approx(expected)
        assert r.details["raw_value"] == 6.0


def test_noisy_backward_and_forward():
    back = spec({"kind": "robust.noisy", "rho0": 0.1, "rho1": 0.2})
    out = score([sample("42"), sample("no")], back)
    assert [r.value for r in out] == pytest.approx([0.9 / 0.7, -0.1 / 0.7])
    fwd = spec({"kind": "robust.noisy", "method": "forward", "rho1": 0.2})
    out = score([sample("42"), sample("no"), sample("no"), sample("no")], fwd)
    assert [r.value for r in out] == pytest.approx([1.0, 1 / 12, 1 / 12, 1 / 12])


def test_gated_and_pure_process_rewards():
    terms = [ACC, {"verifier": "test.shape_prm", "name": "prm", "weight": 0.5}]
    gated = spec({"kind": "process.gated", "of": "prm", "correct": "acc"}, terms=terms)
    out = score([sample("42", steps=[0.8, 0.6]), sample("no", steps=[0.8, 0.6])], gated)
    assert out[0].value == pytest.approx(1.0 + 0.5 * 0.6)
    assert out[1].value == 0.0  # process reward does not pay for a wrong outcome
    assert out[1].details["raw_value"] == pytest.approx(0.3)

    pure = spec({"kind": "process.pure", "of": "prm"}, terms=terms)
    [r] = score([sample("42", steps=[0.5, 0.5, 0.5])], pure)
    assert r.components["process.pure"] == pytest.approx(0.5)
    assert r.details["shaping"]["process.pure"]["steps"] == 3
    assert r.details["shaping"]["process.pure"]["step_source"] == "details"
    assert r.value == pytest.approx(1.0 + 0.5 * 0.5)  # prm's weight 0.5 kept, its value replaced by PURE


def test_format_tag_count_and_soft_overlong():
    s = spec(
        {"kind": "format.tag_count", "weight": 0.1},
        {"kind": "length.soft_overlong", "max_len": 20, "cache": 10},
    )
    [r] = score([sample("<think>\nhm\n</think>\n<answer>\n42\n</answer>")], s)
    assert r.components["format.tag_count"] == 1.0
    n = len("<think>\nhm\n</think>\n<answer>\n42\n</answer>")
    assert r.components["length.soft_overlong"] == -1.0 and n > 20
    assert r.value == pytest.approx(1.0 + 0.1 - 1.0)


# ----------------------------------------------------------------- shaping failures follow on_error


@pytest.mark.parametrize("kind", ["length.l1_exact", "length.l1_max"])
def test_l1_target_from_meta_or_option(kind):
    out = score([sample("42" * 5, target_length=20)], spec({"kind": kind}))
    assert out[0].details["shaping"][kind]["target"] == 20
    out = score([sample("42" * 5)], spec({"kind": kind, "target": 1000}))
    assert out[0].status == "ok"


def test_missing_l1_target_follows_on_error():
    s = spec({"kind": "length.l1_max"})
    [r] = score([sample("42")], s)
    assert r.status == "invalid_input" and "target" in r.reason and r.value is None
    [r] = score([sample("42")], {**s, "on_error": "zero"})
    assert r.status == "ok" and r.value == 0.0 and "length.l1_max" in r.details["errors"]
    with pytest.raises(rk.RewardError, match="target"):
        score([sample("42")], {**s, "on_error": "raise"})


# ----------------------------------------------------------------- spec validation


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "spec.toml"
    p.write_text(text)
    return p


TERMS_TOML = '[[terms]]\nverifier = "test.shape_match"\nname = "acc"\n'


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('kind = "length.nope"', "shaping[0]: field 'kind' must be one of"),
        ('kind = "length.cosine"\nmax_lenn = 3', "shaping[0] (length.cosine): unknown option(s) 'max_lenn'"),
        ('kind = "length.cosine"\nmax_len = "long"', "option 'max_len' must be a number"),
        ('kind = "length.cosine"\nmax_len = 0', "option 'max_len' must be positive"),
        ('kind = "length.cosine"\ncorrect = "math"', "field 'correct' must name a term"),
        ('kind = "length.dapo"\nmode = "replace"', "field 'of' is required with mode = 'replace'"),
        ('kind = "length.dapo"\nmode = "sometimes"', "field 'mode' must be one of"),
        ('kind = "robust.ensemble"', "field 'of' is required"),
        ('kind = "robust.ensemble"\nof = ["acc", "rm"]', "field 'of' names unknown 'rm'"),
        ('kind = "robust.par"\nof = ["acc", "acc"]', "field 'of' takes a single name"),
        ('kind = "robust.noisy"\nrho0 = 0.6\nrho1 = 0.5', "rho1' must be < 1"),
        ('kind = "length.cosine"\nname = "acc"', "field 'name': 'acc' is already a term"),
        ('kind = "length.cosine"\nweight = "x"', "field 'weight' must be a finite number"),
        ('kind = "length.cosine"\ntokenizer = "no/such/dir"', "field 'tokenizer': 'no/such/dir' not found"),
        ('kind = "group.stats"\nmode = "add"', "field 'mode' must be one of record"),
        ('kind = "group.stats"\nks = [0]', "option 'ks' must be a non-empty list"),
    ],
)
def test_spec_errors_name_file_entry_and_field(tmp_path, table, message):
    path = _write(tmp_path, TERMS_TOML + "[[shaping]]\n" + table + "\n")
    with pytest.raises(rk.SpecError) as exc:
        rk.load_spec(path)
    assert str(path) in str(exc.value)
    assert message in str(exc.value)


def test_later_entries_can_read_earlier_ones(tmp_path):
    path = _write(
        tmp_path,
        TERMS_TOML
        + '[[shaping]]\nkind = "length.cosine"\nname = "len"\nmax_len = 50\n'
        + '[[shaping]]\nkind = "group.advantage"\nof = "len"\nmethod = "dr_grpo"\n',
    )
    loaded = rk.load_spec(path)
    assert len(loaded.shaping) == 2
    out = rk.score([sample("42"), sample("42" + "x" * 40)], loaded, workers=0)
    lens = [r.components["len"] for r in out]
    assert [r.components["group.advantage"] for r in out] == pytest.approx(
        [lens[0] - sum(lens) / 2, lens[1] - sum(lens) / 2]
    )
    assert rk.load_spec(loaded.to_dict()).fingerprint == loaded.fingerprint


def test_every_kind_is_documented():
    doc = (Path(__file__).parents[2] / "docs" / "shaping.md").read_text()
    for kind in KINDS:
        assert f"`{kind}`" in doc, kind


# ----------------------------------------------------------------- tokens vs characters


def _tiny_tokenizer(directory: Path) -> Path:
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {"[UNK]": 0, "the": 1, "answer": 2, "is": 3, "42": 4}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    directory.mkdir(parents=True, exist_ok=True)
    tok.save(str(directory / "tokenizer.json"))
    return directory


def test_length_in_tokens_when_the_spec_names_a_tokenizer(tmp_path):
    _tiny_tokenizer(tmp_path / "tok")
    path = _write(
        tmp_path, TERMS_TOML + '[[shaping]]\nkind = "length.cosine"\nmax_len = 10\ntokenizer = "tok"\n'
    )
    [r] = rk.score([sample("the answer is 42")], path, workers=0)
    d = r.details["shaping"]["length.cosine"]
    assert d["unit"] == "tokens" and d["length"] == 4
    assert r.value == pytest.approx(0.5 + 0.25 * (1 + math.cos(math.pi * 0.4)))
    no_tok = spec({"kind": "length.cosine", "max_len": 10})
    [c] = score([sample("the answer is 42")], no_tok)
    assert c.details["shaping"]["length.cosine"]["unit"] == "chars"
    assert c.details["shaping"]["length.cosine"]["length"] == 16


def test_measure_length_reads_a_local_directory_only(tmp_path):
    d = _tiny_tokenizer(tmp_path / "t2")
    assert measure_length("the the 42", str(d)) == (3, "tokens")
    assert measure_length("abc") == (3, "chars")


# ----------------------------------------------------------------- worker pool and CLI


def test_shaping_runs_after_the_worker_pool():
    s = spec({"kind": "length.kimi"}, {"kind": "group.stats"})
    out = rk.score([sample("42"), sample("42" + "x" * 10), sample("no")], s, workers=1)
    assert [r.components["length.kimi"] for r in out] == pytest.approx([0.5, -0.5, 0.0])
    assert out[0].details["group"]["size"] == 3


def test_cli_keeps_each_group_in_one_batch(tmp_path, monkeypatch, capsys):
    """Regression: a 1024-row batch boundary must not split a group (its stats would differ)."""
    from rewardkit.cli import main
    from rewardkit.cli import score as cli_score

    monkeypatch.setattr(cli_score, "BATCH_ROWS", 4)
    rows = []
    for g in range(3):
        for k in range(3):
            rows.append({"prompt": f"q{g}", "response": "42" if k else "no", "reference": "42"})
    inp = tmp_path / "in.jsonl"
    inp.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    spec_path = _write(tmp_path, TERMS_TOML + '[[shaping]]\nkind = "group.stats"\n')
    out = tmp_path / "out.jsonl"
    rc = main(
        ["score", str(inp), "-o", str(out), "--spec", str(spec_path), "--workers", "0", "--no-progress"]
    )
    assert rc == 0
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["details"]["group"]["size"] for r in got] == [3] * 9
    assert "already scored" not in capsys.readouterr().err


def test_cli_warns_when_a_group_is_not_contiguous(tmp_path, monkeypatch, capsys):
    from rewardkit.cli import main
    from rewardkit.cli import score as cli_score

    monkeypatch.setattr(cli_score, "BATCH_ROWS", 2)
    prompts = ["a", "a", "b", "b", "a"]
    inp = tmp_path / "in.jsonl"
    inp.write_text("\n".join(json.dumps({"prompt": p, "response": "42", "reference": "42"}) for p in prompts))
    spec_path = _write(tmp_path, TERMS_TOML + '[[shaping]]\nkind = "group.stats"\n')
    out = tmp_path / "out.jsonl"
    assert (
        main(["score", str(inp), "-o", str(out), "--spec", str(spec_path), "--workers", "0", "--no-progress"])
        == 0
    )
    assert "already scored in an earlier batch" in capsys.readouterr().err


# ----------------------------------------------------------------- the length.cosine verifier


def test_length_cosine_verifier_as_a_gated_term():
    """DESIGN.md's example: a length bonus that counts only when the answer is right."""
    s = {
        "name": "gated",
        "terms": [ACC, {"verifier": "length.cosine", "weight": 0.5, "options": {"max_len": 100}}],
        "gate": {"when": "acc >= 1", "terms": ["length.cosine"]},
    }
    right, wrong, right_long = score([sample("42"), sample("no"), sample("42" + "x" * 500)], s)
    assert right.value == pytest.approx(1.0 + 0.5 * (0.5 + 0.25 * (1 + math.cos(math.pi * 0.02))))
    assert wrong.value == 0.0 and wrong.details["gated_off"] == ["length.cosine"]
    assert right_long.value == pytest.approx(1.0 + 0.5 * 0.5)  # clipped at max_len
    assert right.details["terms"]["length.cosine"]["unit"] == "chars"


def test_length_cosine_verifier_example_and_garbage():
    from rewardkit.core.registry import get_verifier, run_scorer

    info = get_verifier("length.cosine")
    assert info.example is not None
    fn = info.build(info.example["options"])
    assert run_scorer(fn, rk.Sample(response=info.example["response"])).value == pytest.approx(1.0)
    assert run_scorer(fn, rk.Sample(response="")).value == 0.0  # the empty response earns no bonus
    assert run_scorer(fn, rk.Sample(response=" \n")).value == 0.0
    assert run_scorer(info.build({}), rk.Sample(response="\x00" * 10_000)).value == 0.5
    with pytest.raises(ValueError, match="max_len"):
        info.build({"max_len": 0})


def test_relative_tokenizer_path_with_the_worker_pool(tmp_path, monkeypatch):
    """Regression: workers rebuild the spec from a dict, where a path relative to the spec file
    cannot be resolved; they must not reject it (shaping runs in the parent only)."""
    _tiny_tokenizer(tmp_path / "tok")
    path = _write(
        tmp_path, TERMS_TOML + '[[shaping]]\nkind = "length.cosine"\nmax_len = 10\ntokenizer = "tok"\n'
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    [r] = rk.score([sample("the answer is 42")], path, workers=1)
    assert r.status == "ok", r
    assert r.details["shaping"]["length.cosine"]["unit"] == "tokens"
