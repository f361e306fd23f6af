"""Rasa's own tools on our data and model: validation, NLU hold-out, test stories."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from coach.processes import quiet_env
from coach.training import data_paths
from gesprekscoach.moves import MoveCatalogue

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
MACRO_F1_THRESHOLD = 0.85


def rasa(*args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rasa", *args],
        cwd=ROOT,
        env=quiet_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_rasa_data_validate_accepts_the_data() -> None:
    data = ("--data", *data_paths(ROOT))
    result = rasa("data", "validate", "--domain", "domain.yml", *data, "--fail-on-warnings")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_nlu_holdout_macro_f1(model: Path, moves: MoveCatalogue, tmp_path: Path) -> None:
    out = ROOT / "var/results/nlu"
    paths = ("--nlu", "tests/nlu", "--model", str(model), "--out", str(out))
    result = rasa("test", "nlu", *paths, "--no-plot")
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((out / "intent_report.json").read_text())
    per_move = {m: report[m]["f1-score"] for m in moves.ids}
    macro = report["macro avg"]["f1-score"]
    lines = ["| move | F1 | support |", "|---|---|---|"]
    lines += [f"| {m} | {f1:.2f} | {report[m]['support']} |" for m, f1 in per_move.items()]
    lines.append(f"| **macro avg** | **{macro:.3f}** | {report['macro avg']['support']} |")
    (out / "per_move_f1.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    assert macro >= MACRO_F1_THRESHOLD, f"macro-F1 {macro:.3f} < {MACRO_F1_THRESHOLD}"


def test_test_stories_pass_end_to_end(model: Path) -> None:
    """Every line of the scripted conversations gets its move, and the right action follows."""
    paths = ("--stories", "tests/test_stories.yml", "--model", str(model))
    out = ("--out", str(ROOT / "var/results/core"))
    flags = ("--fail-on-prediction-errors", "--no-plot")
    result = rasa("test", "core", "--e2e", *paths, *out, *flags)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert "Correct:" in result.stdout + result.stderr


def test_test_stories_match_the_conversation_scripts() -> None:
    check = subprocess.run(
        [sys.executable, str(ROOT / "scripts/make_test_stories.py"), "--check"], cwd=ROOT
    )
    assert check.returncode == 0, "run scripts/make_test_stories.py after changing a script"
