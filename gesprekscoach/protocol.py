"""What the action server sends to clients beside the persona's words.

Every reply carries a JSON payload under this key (turn details, the report at
the end); clients and feedback read it from the REST output or the tracker.
Its `kind` says which payload it is; a turn's payload is read and written only
by `gesprekscoach.turn.TurnEvent`.
"""

from __future__ import annotations

from typing import Any

PAYLOAD_KEY = "coach"

# The parse data key under which the NLU component lists a message's acts
# (text, move, confidence), the main act first.
ACTS = "acts"

# The parse data key under which the channel passes the casemanager's reflection(s)
# with the stop command: what they think the inwoner needed (always text).
REFLECTIONS = "reflections"

# The kinds of payload: a practice starts, has turns and ends; switching hints,
# going back, a tip on request and refusals have their own.
START = "start"
TURN = "turn"
END = "end"
HINTS = "hints"
REWIND = "rewind"
TIP = "tip"
ERROR = "error"

# The intents of the clients' control commands (never typed text, never from NLU).
CONTROL_INTENTS = {
    "start": "start_oefening",
    "stop": "stop_oefening",
    "hints": "hints_instellen",
    "terug": "terug_nemen",
    "opnieuw": "opnieuw_vanaf",
    "tip": "tip_vragen",
}


def kind_of(payload: dict[str, Any]) -> str | None:
    """Which payload this is (START, TURN, END...), None when it does not say."""
    kind = payload.get("kind")
    return kind if isinstance(kind, str) else None
