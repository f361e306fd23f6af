"""The tip catalogue and the feedback rules load, keep the contract, and fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gesprekscoach.catalogue import CatalogueError
from gesprekscoach.charts import theme_chart
from gesprekscoach.domain import Catalogues
from gesprekscoach.feedback.rules import load_rules
from gesprekscoach.feedback.tips import load_tips
from tests.feedback.scripts import play_file

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT.parent / "shared/spec/tips.yml"


@pytest.mark.skipif(not SPEC.exists(), reason="no ../shared/spec beside this clone")
def test_tip_ids_themes_and_sources_keep_the_contract(catalogues: Catalogues) -> None:
    spec = yaml.safe_load(SPEC.read_text())["tips"]
    assert set(catalogues.tips.ids) == set(spec)
    for tip_id, tip in catalogues.tips.tips.items():
        assert tip.theme == spec[tip_id]["theme"] and tip.source == spec[tip_id]["source"]


def test_try_sentences_are_plain(catalogues: Catalogues) -> None:
    for tip in catalogues.tips.tips.values():
        assert tip.try_ and tip.good and tip.heading
        for sentence in tip.try_:
            assert catalogues.jargon.find(sentence) == [], (tip.id, sentence)
            assert catalogues.language.check(sentence).b1_ok, (tip.id, sentence)
    for flag in catalogues.rules.flags:
        if flag.try_:
            assert catalogues.language.check(flag.try_).b1_ok, (flag.id, flag.try_)


def test_every_pitfall_move_has_a_flag_text(catalogues: Catalogues) -> None:
    for move in catalogues.moves.moves.values():
        if move.polarity == "-":
            assert any(move.id in f.when.moves for f in catalogues.rules.flags), move.id


def test_unknown_tip_in_rules_is_named(tmp_path: Path, catalogues: Catalogues) -> None:
    path = tmp_path / "feedback.yml"
    path.write_text("flags:\n- {id: x, tip: XX-9, when: {moves: [oordelen]}, why: nee}\n")
    with pytest.raises(CatalogueError) as info:
        load_rules(path, catalogues.moves, catalogues.tips)
    assert info.value.field == "flags[0].tip"


def test_unknown_move_in_rules_is_named(tmp_path: Path, catalogues: Catalogues) -> None:
    path = tmp_path / "feedback.yml"
    path.write_text("hints:\n- {id: x, tip: CK-H1, when: {moves: [zingen]}, text: hoi}\n")
    with pytest.raises(CatalogueError) as info:
        load_rules(path, catalogues.moves, catalogues.tips)
    assert info.value.field == "hints[0].when.moves"


def test_bad_theme_in_tips_is_named(tmp_path: Path) -> None:
    path = tmp_path / "tips.yml"
    tip = "{theme: kleur, source: communicatiekaart, heading: a, good: b, pitfall: c, try: [d]}"
    path.write_text(f"themes: {{houding: Houding}}\ntips:\n  CK-H1: {tip}\n")
    with pytest.raises(CatalogueError) as info:
        load_tips(path)
    assert info.value.field == "tips.CK-H1.theme"


def test_chart_is_a_png(catalogues: Catalogues) -> None:
    end = play_file(catalogues, "henk_goed")
    png = theme_chart(end["report"], catalogues.tips.themes)
    assert png.startswith(b"\x89PNG") and len(png) > 5000
