"""Loads the catalogues once and hands out persona engines.

The action server and the command line both go through here, so the data
files are read and validated in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from gesprekscoach.catalogue import CatalogueError
from gesprekscoach.engine import PersonaEngine
from gesprekscoach.feedback.next_step import NextSteps, load_next_steps
from gesprekscoach.feedback.rules import FeedbackRules, check_alternatives, load_rules
from gesprekscoach.feedback.tips import TipCatalogue, check_move_tips, load_tips
from gesprekscoach.language.check import LanguageChecker
from gesprekscoach.language.jargon import JargonLexicon, load_jargon
from gesprekscoach.moves import MoveCatalogue, load_moves
from gesprekscoach.personas import Persona, PersonaCatalogue, load_personas
from gesprekscoach.settings import load_settings


@dataclass(frozen=True)
class Catalogues:
    moves: MoveCatalogue
    personas: PersonaCatalogue
    jargon: JargonLexicon
    tips: TipCatalogue
    rules: FeedbackRules
    language: LanguageChecker
    next_steps: NextSteps
    """/tip: what to try in the next message (data/catalogues/next_steps.yml)."""

    def persona(self, persona_key: str, variant: str | None = None) -> Persona:
        """The persona as this session's variant plays it.

        A variant that is no longer in the file (edited while a session ran) gives the
        persona as described rather than ending the conversation.
        """
        persona = self.personas.get(persona_key)
        try:
            return persona.with_variant(variant)
        except KeyError:
            return persona

    def engine(self, persona_key: str, variant: str | None = None) -> PersonaEngine:
        return PersonaEngine(self.persona(persona_key, variant), self.jargon)


def load_catalogues(data_dir: Path) -> Catalogues:
    folder = data_dir / "catalogues"
    moves = load_moves(folder / "moves.yml")
    tips = load_tips(folder / "tips.yml")
    check_move_tips(tips, {m.id: m.tips for m in moves.moves.values()}, folder / "moves.yml")
    jargon = load_jargon(folder / "jargon.yml")
    personas = load_personas(data_dir / "personas", moves)
    rules = load_rules(folder / "feedback.yml", moves, tips)
    # Across files: every pitfall the flags name has a sentence in every persona, and
    # every focus tip exists.
    check_alternatives(rules, personas)
    for persona in personas:
        for tip in persona.focus_tips:
            if tip not in tips:
                raise CatalogueError(persona.source, "focus_tips", f"unknown tip {tip!r}")
    return Catalogues(
        moves=moves,
        personas=personas,
        jargon=jargon,
        tips=tips,
        rules=rules,
        language=LanguageChecker(jargon),
        next_steps=load_next_steps(folder / "next_steps.yml", moves, tips),
    )


@lru_cache(maxsize=1)
def default_catalogues() -> Catalogues:
    """The catalogues of this installation (read once per process, on first use)."""
    return load_catalogues(load_settings().data_dir)
