"""Personas: the inwoners a casemanager practises with, one YAML file each."""

from gesprekscoach.personas.loader import PersonaCatalogue, load_persona, load_personas
from gesprekscoach.personas.model import (
    BANDS,
    SPECIAL_REPLIES,
    Condition,
    Effect,
    HiddenNeed,
    Persona,
    Reaction,
    ReplySet,
    band_for,
)

__all__ = [
    "BANDS",
    "SPECIAL_REPLIES",
    "Condition",
    "Effect",
    "HiddenNeed",
    "Persona",
    "PersonaCatalogue",
    "Reaction",
    "ReplySet",
    "band_for",
    "load_persona",
    "load_personas",
]
