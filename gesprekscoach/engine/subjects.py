"""What a message is about, for the persona: its topics and its concerns.

The move says how the casemanager spoke; the subject says what about. This
module decides, from the persona file and what was said before, which topic
the inwoner answers, whether a concern was dealt with, and whether a promise
should come back.
"""

from __future__ import annotations

from dataclasses import dataclass

from gesprekscoach.engine.state import PersonaState
from gesprekscoach.language.acts import words
from gesprekscoach.language.topics import touched
from gesprekscoach.moves import FALLBACK
from gesprekscoach.personas.model import Concern, Persona, Topic

# Moves whose reply may be about a topic of the inwoner's life: questions,
# reflections and small talk are about something ("Kan uw broer helpen?" asks
# what they can do themselves, about the brother). The needs questions, offers,
# explanations and pitfalls keep their own replies (they are the point of the
# move), as do greeting and closing.
TOPIC_MOVES = frozenset(
    {
        *("open_vraag", "gesloten_vraag", "doorvragen", "info_opvragen", "vraag_zelf_doen"),
        *("empathie", "samenvatten", "geruststellen", "luchtig_contact"),
        FALLBACK,
    }
)
# Moves that stay on the subject of the inwoner's last answer when they name
# no topic of their own but point back at it ("En hoe is dat voor hem?").
FOLLOW_UP_MOVES = frozenset(
    {"doorvragen", "open_vraag", "gesloten_vraag", "empathie", "samenvatten", FALLBACK}
)
POINTING_BACK = frozenset(
    {
        *("hij", "hem", "zij", "ze", "haar", "zijn", "hun"),
        *("dat", "die", "dit", "daar", "toen"),
        *("daarover", "daarmee", "daarvan", "ervan", "erover"),
    }
)
# "dat" after these words opens a clause ("Fijn dat je er bent", "Ik snap dat het zwaar
# is"): a conjunction, not a pointer back to what the inwoner said.
CLAUSE_OPENERS = frozenset(
    {
        *("fijn", "goed", "mooi", "knap", "leuk", "sterk", "jammer", "vervelend", "naar"),
        *("zonde", "logisch", "begrijpelijk", "blij", "zo", "zodat", "omdat"),
        *("snap", "begrijp", "weet", "denk", "hoop", "vind", "zie", "merk", "hoor", "voel"),
        *("zeg", "zei", "lees", "geloof"),
    }
)
# Acts that arrange or promise something: what was promised can come back.
PROMISE_MOVES = frozenset({"belofte", "regie_nemen", "afspraak_maken", "stappenplan"})
MAX_TOPICS_PER_REPLY = 2


@dataclass(frozen=True)
class Subjects:
    topics: tuple[Topic, ...]
    """The topics the reply speaks to (at most two), most clearly named first."""
    named: tuple[str, ...]
    """Every topic the message names (ids), for the log."""
    follow_up: bool
    """No topic named: the message points back at the persona's last topic."""
    concerns: tuple[Concern, ...]
    """Concerns the message touches (by their trigger words)."""


def find_subjects(persona: Persona, state: PersonaState, text: str, main: str) -> Subjects:
    named = touched(text, ((t.id, t.triggers) for t in persona.topics))
    concerns = tuple(c for c in persona.concerns if c.id in touched(text, ((c.id, c.triggers),)))
    follow_up = False
    # Two topics are answered only when two things are asked ("Hoe gaat het met Daan
    # en met uw werk?"); otherwise a side word would pull the answer off course.
    two_things = "en" in words(text) or text.count("?") > 1
    topic_ids = named[: MAX_TOPICS_PER_REPLY if two_things else 1]
    points_back = _points_back(words(text)) or main == "doorvragen"
    if (
        not topic_ids
        and points_back
        and main in FOLLOW_UP_MOVES
        and persona.topic(state.subject or "")
    ):
        topic_ids, follow_up = (str(state.subject),), True
    topics = tuple(t for tid in topic_ids if (t := persona.topic(tid)) is not None)
    return Subjects(topics, named, follow_up, concerns)


def resolved_now(
    persona: Persona, state: PersonaState, acts: tuple[str, ...], subjects: Subjects
) -> Concern | None:
    """The open concern this message deals with: an act that can resolve it, about it."""
    for concern in persona.concerns:
        if concern.id in state.resolved or not (concern.resolved_by & set(acts)):
            continue
        if concern in subjects.concerns or state.subject == concern.id:
            return concern
    return None


def recall_due(
    persona: Persona, state: PersonaState, acts: tuple[str, ...], subjects: Subjects
) -> Concern | None:
    """A promise to bring up again: at the close, or when its subject comes back."""
    for concern_id in state.promised:
        concern = persona.concern(concern_id)
        if concern is None or concern_id in state.recalled:
            continue
        if "afsluiten" in acts or (concern in subjects.concerns and not set(acts) & PROMISE_MOVES):
            return concern
    return None


def _points_back(tokens: list[str]) -> bool:
    """Whether the message refers to what was just said ("Hoe was dat voor je?")."""
    for i, token in enumerate(tokens):
        if token not in POINTING_BACK:
            continue
        if token == "dat" and i > 0 and tokens[i - 1] in CLAUSE_OPENERS:
            continue
        return True
    return False
