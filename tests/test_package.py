"""Packaging contracts: lazy heavy imports, extras errors, one version source, public surface."""

import subprocess
import sys
from pathlib import Path

import pytest

import rewardkit as rk
from rewardkit._extras import MissingExtraError, require

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ["sympy", "latex2sympy2_extended", "pyarrow", "duckdb", "sqlglot", "torch", "transformers", "ray"]


def test_import_is_light():
    """`import rewardkit` (and listing verifiers) must not import heavy back-ends."""
    code = f"import sys, rewardkit as rk\nrk.verifiers()\nprint([m for m in {HEAVY!r} if m in sys.modules])\n"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONPATH": str(ROOT / "src")}
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_missing_extra_names_install_line():
    with pytest.raises(MissingExtraError, match=r"pip install 'rewardkit\[ray\]'"):
        require("surely_not_installed_module_xyz", "ray")


def test_version_single_source():
    text = (ROOT / "pyproject.toml").read_text()
    assert 'version = { attr = "rewardkit._version.__version__" }' in text
    assert rk.__version__ and rk.__version__.count(".") == 2


def test_public_surface():
    assert set(rk.__all__) >= {
        "Sample",
        "RewardResult",
        "score",
        "ascore",
        "load_spec",
        "verifiers",
        "verifier",
        "InvalidInput",
    }
    assert (ROOT / "src" / "rewardkit" / "py.typed").exists()


def test_console_script_declared():
    assert 'rewardkit = "rewardkit.cli:main"' in (ROOT / "pyproject.toml").read_text()
