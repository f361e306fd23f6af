"""The persona engine: how an inwoner reacts to each move of the casemanager."""

from gesprekscoach.engine.engine import PersonaEngine, TurnResult
from gesprekscoach.engine.inputs import InputKind, classify_input
from gesprekscoach.engine.state import NeedStage, PersonaState, Utterance

__all__ = [
    "InputKind",
    "NeedStage",
    "PersonaEngine",
    "PersonaState",
    "TurnResult",
    "Utterance",
    "classify_input",
]
