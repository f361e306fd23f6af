"""/tip: one suggestion for the next message, for the inwoner's state now, from the real
catalogue (data/catalogues/next_steps.yml) and the real personas."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from gesprekscoach.catalogue import CatalogueError
from gesprekscoach.domain import Catalogues
from gesprekscoach.engine.state import NeedStage, PersonaState
from gesprekscoach.feedback.next_step import NextSteps, Suggestion, load_next_steps, suggest
from gesprekscoach.personas.model import BANDS, Alternative, Persona

ROOT = Path(__file__).resolve().parents[2]
STEPS = ROOT / "data/catalogues/next_steps.yml"


def state(
    persona: Persona,
    moves: tuple[str, ...] = (),
    *,
    trust: float | None = None,
    stress: float | None = None,
    stage: NeedStage = NeedStage.HIDDEN,
    resolved: bool = False,
    also: tuple[str, ...] = (),
) -> PersonaState:
    return PersonaState(
        persona_id=persona.id,
        seed=1,
        trust=persona.start_trust if trust is None else trust,
        stress=persona.start_stress if stress is None else stress,
        turn=len(moves),
        need_stage=stage,
        moves=moves,
        also=also,
        resolved=tuple(c.id for c in persona.concerns) if resolved else (),
    )


def tip(catalogues: Catalogues, persona_id: str, now: PersonaState) -> Suggestion:
    persona = catalogues.personas.get(persona_id)
    return suggest(catalogues.next_steps, persona, now)


def test_the_suggestion_follows_the_state(catalogues: Catalogues) -> None:
    samira = catalogues.personas.get("samira")
    marco = catalogues.personas.get("marco")
    greeted = ("begroeten",)
    seen = {
        "start": tip(catalogues, "samira", state(samira)),
        "crisis": tip(catalogues, "samira", state(samira, greeted, stress=80)),
        "crisis dealt with": tip(
            catalogues, "samira", state(samira, greeted, trust=20, stress=50, resolved=True)
        ),
        "interrogation": tip(
            catalogues, "marco", state(marco, ("begroeten", "gesloten_vraag", "info_opvragen"))
        ),
        "hint": tip(catalogues, "marco", state(marco, greeted, trust=40, stage=NeedStage.HINTED)),
        "found": tip(
            catalogues,
            "marco",
            state(marco, ("begroeten", "vraag_wat_nodig"), trust=70, stage=NeedStage.FOUND),
        ),
    }
    assert len({s.message() for s in seen.values()}) == len(seen), "each state its own tip"
    assert seen["start"].rule == "beginnen"
    # What presses is named, from the persona's own concern.
    assert seen["crisis"].tip == "AO-4" and "stroom" in seen["crisis"].text
    assert "stroom" not in seen["crisis dealt with"].text
    assert seen["crisis dealt with"].tip in ("II-1", "AO-1"), "low trust: build it first"
    assert "verhoor" in seen["interrogation"].text
    assert seen["hint"].rule.startswith("signaal")
    assert seen["found"].rule == "plan_maken"


def test_what_was_tried_is_not_suggested_again(catalogues: Catalogues) -> None:
    marco = catalogues.personas.get("marco")
    rules = {r.id: r for r in catalogues.next_steps.rules}
    low = tip(catalogues, "marco", state(marco, ("begroeten",), trust=20))
    assert rules[low.rule].move == "empathie"
    # Empathy already shown (even as a second act): the next fitting rule, a new move.
    shown = tip(catalogues, "marco", state(marco, ("begroeten",), trust=20, also=("empathie",)))
    assert rules[shown.rule].move not in ("empathie", "begroeten")
    trusting = state(marco, ("begroeten",), trust=60)
    asked: tuple[str, ...] = ("begroeten",)
    suggested = []
    for _ in range(6):  # do what /tip says, six times: never the same move twice
        now = replace(trusting, moves=asked, turn=len(asked))
        move = rules[tip(catalogues, "marco", now).rule].move
        assert move not in asked, (move, asked)
        suggested.append(move)
        asked = (*asked, move)
    assert len(set(suggested)) == 6


def test_a_rule_that_fits_is_taken_when_every_fitting_move_was_made(
    catalogues: Catalogues,
) -> None:
    henk = catalogues.personas.get("henk")
    everything = tuple(catalogues.moves.ids)
    now = state(henk, everything, trust=50, stress=30, resolved=True)
    got = tip(catalogues, "henk", now)
    assert got.text and got.try_, "there is always a suggestion"


def test_the_name_is_filled_in(catalogues: Catalogues) -> None:
    for persona in catalogues.personas:
        first = persona.name.split()[0]
        for moves in ((), ("begroeten",), ("begroeten", "gesloten_vraag", "gesloten_vraag")):
            got = tip(catalogues, persona.id, state(persona, moves))
            assert "{" not in got.message() and "}" not in got.message()
            assert first in got.text, got
            assert got.message() == f'{got.text} Probeer: "{got.try_}"'


def test_the_persona_own_sentence_for_the_band(catalogues: Catalogues) -> None:
    marco = catalogues.personas.get("marco")
    own = {band: Alternative(f"Zin voor {band}.", "Omdat het past.") for band in BANDS}
    alternatives = {**marco.alternatives, "verhoor": own}
    with_own = replace(marco, alternatives=alternatives)
    streak = ("begroeten", "gesloten_vraag", "gesloten_vraag")
    low = suggest(catalogues.next_steps, with_own, state(marco, streak, trust=20))
    high = suggest(catalogues.next_steps, with_own, state(marco, streak, trust=80))
    assert (low.try_, high.try_) == ("Zin voor low.", "Zin voor high.")
    without = suggest(
        catalogues.next_steps, replace(marco, alternatives={}), state(marco, streak, trust=20)
    )
    rule = next(r for r in catalogues.next_steps.rules if r.id == without.rule)
    assert without.try_ == rule.try_


def _walk(steps: NextSteps, persona: Persona, moves_ids: tuple[str, ...]) -> set[str]:
    base: list[tuple[str, ...]] = [
        (),
        ("begroeten",),
        ("begroeten", "gesloten_vraag", "info_opvragen"),
        ("begroeten", "open_vraag", "gesloten_vraag", "gesloten_vraag"),
        ("begroeten", "empathie", "uitleg_eenvoudig"),
        ("begroeten", "open_vraag", "doorvragen", "empathie", "samenvatten", "open_vraag"),
        ("begroeten", "stappenplan", *("open_vraag",) * 9),
    ]
    # Everything tried but one move, ending open or on the last move of the catalogue.
    histories = base + [
        tuple(m for m in moves_ids if m != left) + end
        for left in moves_ids
        for end in ((), ("open_vraag",))
    ]
    reached: set[str] = set()
    for moves, trust, stress, stage, resolved in itertools.product(
        histories, (20, 50, 80), (30, 80), tuple(NeedStage), (False, True)
    ):
        now = state(persona, moves, trust=trust, stress=stress, stage=stage, resolved=resolved)
        reached.add(suggest(steps, persona, now).rule)
    return reached


def test_every_rule_can_be_reached(catalogues: Catalogues) -> None:
    reached: set[str] = set()
    for persona in catalogues.personas:
        reached |= _walk(catalogues.next_steps, persona, catalogues.moves.ids)
    assert reached == {r.id for r in catalogues.next_steps.rules}


def test_texts_and_sentences_are_plain(catalogues: Catalogues) -> None:
    for rule in catalogues.next_steps.rules:
        for persona in catalogues.personas:
            text = rule.text.format(persona=persona.name.split()[0], concern="")
            assert catalogues.jargon.find(text) == [], (rule.id, text)
        result = catalogues.language.check(rule.try_)
        assert result.b1_ok and not result.jargon, (rule.id, rule.try_)


def _broken(tmp_path: Path, change: dict[str, object], index: int = 0) -> Path:
    data = yaml.safe_load(STEPS.read_text(encoding="utf-8"))
    data["steps"][index].update(change)
    path = tmp_path / "next_steps.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "index", "field", "problem"),
    [
        ({"tip": "XX-9"}, 0, "steps[0].tip", "unknown tip"),
        ({"move": "zingen"}, 1, "steps[1].move", "unknown move"),
        ({"when": {"tried": ["zingen"]}}, 2, "steps[2].when.tried", "unknown move"),
        ({"when": {"need": ["kwijt"]}}, 2, "steps[2].when.need", "unknown stage"),
        ({"when": {"trust_below": "veel"}}, 2, "steps[2].when.trust_below", "number"),
        ({"when": {"kleur": "rood"}}, 2, "steps[2].when", "unknown field"),
        ({"text": "Hallo {naam}."}, 3, "steps[3].text", "placeholder"),
        ({"when": {}}, 1, "steps[1].text", "concern_open"),
        ({"when": {"turn_at_least": 2}}, -1, "when", "must always hold"),
    ],
)
def test_a_bad_file_names_file_and_field(
    tmp_path: Path,
    catalogues: Catalogues,
    change: dict[str, object],
    index: int,
    field: str,
    problem: str,
) -> None:
    path = _broken(tmp_path, change, index)
    with pytest.raises(CatalogueError) as caught:
        load_next_steps(path, catalogues.moves, catalogues.tips)
    assert caught.value.path == str(path)
    assert caught.value.field.endswith(field) and problem in caught.value.problem, caught.value


def test_every_persona_has_the_sentences_the_rules_ask_for(catalogues: Catalogues) -> None:
    wanted = {r.alternative for r in catalogues.next_steps.rules if r.alternative}
    assert wanted
    for persona in catalogues.personas:
        for pitfall in wanted:
            for trust in (10.0, 50.0, 90.0):
                assert persona.alternative(pitfall, trust) is not None, (persona.id, pitfall)
        # ... and /tip offers it at the moment it fits.
        streak = ("begroeten", "gesloten_vraag", "gesloten_vraag")
        now = state(persona, streak, trust=20, stress=30, resolved=True)
        got = suggest(catalogues.next_steps, persona, now)
        own = persona.alternative("verhoor", 20)
        assert own is not None and got.try_ == own.try_
