"""The training data keeps the contract: every move an intent, enough varied examples."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gesprekscoach.moves import MoveCatalogue

ROOT = Path(__file__).resolve().parents[2]
SHARED_SPEC = ROOT.parent / "shared/spec"


def examples(folder: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            lines = [x[2:].strip() for x in block["examples"].splitlines() if x.startswith("- ")]
            out.setdefault(block["intent"], []).extend(lines)
    return out


def test_every_move_has_at_least_40_training_examples(moves: MoveCatalogue) -> None:
    train = examples(ROOT / "data/nlu")
    assert set(train) == set(moves.ids)
    for move in moves.ids:
        assert len(train[move]) >= 40, move
        assert len({x.lower() for x in train[move]}) == len(train[move]), f"duplicates in {move}"


def test_holdout_is_separate_from_training(moves: MoveCatalogue) -> None:
    train = {x.lower() for xs in examples(ROOT / "data/nlu").values() for x in xs}
    holdout = examples(ROOT / "tests/nlu")
    assert set(holdout) == set(moves.ids)
    for move, xs in holdout.items():
        assert len(xs) >= 10, move
        assert not {x.lower() for x in xs} & train, f"held-out examples of {move} are in training"


def test_domain_and_rules_cover_every_move(moves: MoveCatalogue) -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}
    assert set(moves.ids) <= intents
    rules = yaml.safe_load((ROOT / "data/rules.yml").read_text())["rules"]
    answered = {r["steps"][0]["intent"] for r in rules}
    assert set(moves.ids) | {"nlu_fallback"} <= answered


def test_every_rasa_yaml_is_version_3_1() -> None:
    files = [
        ROOT / "domain.yml",
        ROOT / "data/rules.yml",
        ROOT / "tests/test_stories.yml",
        *(ROOT / "data/nlu").glob("*.yml"),
        *(ROOT / "data/stories").glob("*.yml"),
        *(ROOT / "tests/nlu").glob("*.yml"),
    ]
    for path in files:
        assert yaml.safe_load(path.read_text())["version"] == "3.1", path


@pytest.mark.skipif(not SHARED_SPEC.exists(), reason="no ../shared/spec beside this clone")
def test_move_and_tip_ids_keep_the_shared_contract(moves: MoveCatalogue) -> None:
    spec = yaml.safe_load((SHARED_SPEC / "moves.yml").read_text())["moves"]
    assert list(moves.ids) == list(spec)
    for move_id, move in moves.moves.items():
        assert list(move.tips) == spec[move_id]["tips"], move_id
        assert move.polarity == str(spec[move_id]["polarity"]), move_id
