"""Persona files load into frozen objects, and broken ones fail with file, field and problem."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gesprekscoach.catalogue import CatalogueError
from gesprekscoach.moves import MoveCatalogue
from gesprekscoach.personas import load_persona, load_personas
from tests.factories import persona_data, variant, write_persona

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_personas_cover_the_three_types(moves: MoveCatalogue) -> None:
    catalogue = load_personas(ROOT / "data/personas", moves)
    assert {"wantrouwend", "laaggeletterd", "schulden"} <= set(catalogue.types)
    for persona in catalogue:
        for move in moves.ids:
            for band in ("low", "mid", "high"):
                assert len(persona.replies[move].for_band(band)) >= 2, (persona.id, move, band)
        assert persona.hidden_need.unlock.moves


def test_persona_is_frozen(tmp_path: Path, moves: MoveCatalogue) -> None:
    persona = load_persona(write_persona(tmp_path, persona_data()), moves)
    with pytest.raises(dataclasses.FrozenInstanceError):
        persona.name = "iemand anders"  # type: ignore[misc]


def test_lookup_by_id_or_type(moves: MoveCatalogue) -> None:
    catalogue = load_personas(ROOT / "data/personas", moves)
    assert catalogue.get("henk").type == "laaggeletterd"
    assert catalogue.get("SCHULDEN").id == "samira"
    with pytest.raises(KeyError):
        catalogue.get("onbekend")


def test_adding_a_persona_is_adding_a_file(tmp_path: Path, moves: MoveCatalogue) -> None:
    for source in (ROOT / "data/personas").glob("*.yml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    before = len(load_personas(tmp_path, moves))
    write_persona(tmp_path, persona_data("nieuwe_inwoner"))
    catalogue = load_personas(tmp_path, moves)
    assert len(catalogue) == before + 1
    assert catalogue.get("nieuwe_inwoner").name == "Test Persoon"


def _error(tmp_path: Path, moves: MoveCatalogue, data: dict) -> CatalogueError:
    path = write_persona(tmp_path, data)
    with pytest.raises(CatalogueError) as info:
        load_persona(path, moves)
    assert str(path) in str(info.value)
    return info.value


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        ({"start": {"trust": 130, "stress": 50}}, "start.trust", "between 0 and 100"),
        ({"start": {"trust": "hoog", "stress": 50}}, "start.trust", "must be a number"),
        ({"name": ""}, "name", "non-empty text"),
        ({"age": 12}, "age", "between"),
        ({"type": "Heel Boos"}, "type", "lower case"),
        ({"opening": []}, "opening", "at least 1"),
        ({"effects": {"vliegen": {"trust": 1}}}, "effects.vliegen", "not a known move"),
        ({"effects": {"empathie": {"trust": 99}}}, "effects.empathie.trust", "between -50 and 50"),
        ({"effects": {"empathie": {"vertrouwen": 3}}}, "effects.empathie", "unknown field"),
        ({"kleur": "blauw"}, "(top)", "unknown field(s): kleur"),
    ],
)
def test_broken_field_is_named(
    tmp_path: Path, moves: MoveCatalogue, change: dict, field: str, problem: str
) -> None:
    error = _error(tmp_path, moves, variant(**change))
    assert error.field == field
    assert problem in error.problem


def test_missing_move_replies_are_named(tmp_path: Path, moves: MoveCatalogue) -> None:
    data = persona_data()
    del data["replies"]["empathie"]
    error = _error(tmp_path, moves, data)
    assert error.field == "replies.empathie"
    assert "missing" in error.problem


def test_too_few_variants_in_a_band(tmp_path: Path, moves: MoveCatalogue) -> None:
    data = persona_data()
    data["replies"]["open_vraag"]["mid"] = ["alleen deze"]
    error = _error(tmp_path, moves, data)
    assert error.field == "replies.open_vraag.mid"
    assert "at least 2" in error.problem


def test_unknown_move_in_a_reaction(tmp_path: Path, moves: MoveCatalogue) -> None:
    data = persona_data()
    data["reactions"][0]["when"]["moves"] = ["dansen"]
    error = _error(tmp_path, moves, data)
    assert error.field == "reactions[0].when.moves"
    assert "dansen" in error.problem


def test_hidden_need_needs_unlock_moves(tmp_path: Path, moves: MoveCatalogue) -> None:
    data = persona_data()
    data["hidden_need"]["unlock"] = {"trust_at_least": 50}
    error = _error(tmp_path, moves, data)
    assert error.field == "hidden_need.unlock.moves"


def test_id_must_match_file_name(tmp_path: Path, moves: MoveCatalogue) -> None:
    data = persona_data()
    path = write_persona(tmp_path, data)
    renamed = path.with_name("anders.yml")
    path.rename(renamed)
    with pytest.raises(CatalogueError) as info:
        load_persona(renamed, moves)
    assert info.value.field == "id"


def test_invalid_yaml_names_the_line(tmp_path: Path, moves: MoveCatalogue) -> None:
    path = tmp_path / "kapot.yml"
    path.write_text("id: kapot\nname: [niet dicht\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_persona(path, moves)
    assert "invalid YAML at line" in str(info.value)


def test_empty_folder(tmp_path: Path, moves: MoveCatalogue) -> None:
    with pytest.raises(CatalogueError, match="no persona files"):
        load_personas(tmp_path, moves)


def test_duplicate_ids_across_files(tmp_path: Path, moves: MoveCatalogue) -> None:
    write_persona(tmp_path, persona_data())
    other = tmp_path / "sub"
    write_persona(other, persona_data())
    (tmp_path / "kopie.yaml").write_text(
        (other / "testpersoon.yml")
        .read_text(encoding="utf-8")
        .replace("id: testpersoon", "id: kopie"),
        encoding="utf-8",
    )
    catalogue = load_personas(tmp_path, moves)
    assert set(catalogue.personas) == {"testpersoon", "kopie"}
