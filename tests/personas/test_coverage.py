"""Every persona comes with the scripts that try it: three conversations and a content check.

The README's "how to add a persona" names these files; this test names the one missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gesprekscoach.domain import Catalogues

ROOT = Path(__file__).resolve().parents[2]
STYLES = ("goed", "slecht", "gehaast")


def persona_ids(catalogues: Catalogues) -> list[str]:
    return [persona.id for persona in catalogues.personas]


def test_every_persona_has_a_good_a_poor_and_a_hurried_conversation(
    catalogues: Catalogues,
) -> None:
    missing = [
        f"tests/conversations/{pid}_{style}.yml"
        for pid in persona_ids(catalogues)
        for style in STYLES
        if not (ROOT / "tests" / "conversations" / f"{pid}_{style}.yml").is_file()
    ]
    assert missing == []


def test_every_persona_has_a_believability_script(catalogues: Catalogues) -> None:
    for pid in persona_ids(catalogues):
        path = ROOT / "tests" / "believability" / f"{pid}.yml"
        assert path.is_file(), f"{path.relative_to(ROOT)} is missing"
        assert yaml.safe_load(path.read_text(encoding="utf-8")), f"{path.name} is empty"


@pytest.mark.parametrize("folder", ["conversations", "believability", "believability_blind"])
def test_no_script_belongs_to_an_unknown_persona(catalogues: Catalogues, folder: str) -> None:
    known = set(persona_ids(catalogues))
    for path in (ROOT / "tests" / folder).glob("*.yml"):
        assert path.stem.split("_")[0] in known, f"{path.relative_to(ROOT)}: no such persona"
