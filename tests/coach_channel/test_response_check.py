"""Rasa's check of the action server's answers, with its schema checked once.

The tracker store puts `_checked_response` in place of RemoteAction's own
method when Rasa creates the store, never on import. It must accept and refuse
exactly what Rasa's method does, with the same error message.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain

from coach_channel import tracker_store
from coach_channel.tracker_store import CoachTrackerStore, response_check_installed

ROOT = Path(__file__).resolve().parents[2]
RASA_CHECK = tracker_store._RASA_RESPONSE_CHECK
GOOD: list[dict[str, Any]] = [
    {},
    {"events": [], "responses": []},
    {
        "events": [
            {"event": "slot", "name": "trust", "value": 42.0, "timestamp": None},
            {"event": "slot", "name": "persona_state", "value": {"turn": 3, "said": ["ab"] * 40}},
            {"event": "user_featurization", "use_text_for_featurization": False},
        ],
        "responses": [{"text": "Ja. Dat snap ik.", "custom": {"coach": {"kind": "turn"}}}],
    },
]
BAD: list[dict[str, Any]] = [
    {"events": "slot"},
    {"events": [{"name": "trust", "value": 1}]},
    {"events": [{"event": "slot", "name": 5}]},
    {"events": [{"event": "action", "name": "x", "confidence": "hoog"}]},
    {"responses": ["tekst"]},
]


def _action() -> RemoteAction:
    return RemoteAction("action_persona_reply", None)


@pytest.mark.parametrize("answer", GOOD)
def test_what_rasa_accepts_is_accepted(answer: dict[str, Any]) -> None:
    assert RASA_CHECK(_action(), answer) is True
    assert tracker_store._checked_response(_action(), answer) is True


@pytest.mark.parametrize("answer", BAD)
def test_what_rasa_refuses_is_refused_with_rasas_message(answer: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as rasas:
        RASA_CHECK(_action(), answer)
    with pytest.raises(ValidationError) as ours:
        tracker_store._checked_response(_action(), answer)
    assert ours.value.message == rasas.value.message
    assert list(ours.value.path) == list(rasas.value.path)
    assert "Failed to validate Action server response" in ours.value.message


def test_importing_the_store_changes_nothing_in_rasa() -> None:
    code = (
        "import coach_channel.tracker_store as t\n"
        "from rasa.core.actions.action import RemoteAction\n"
        "assert not t.response_check_installed()\n"
        "assert RemoteAction._validate_action_result is t._RASA_RESPONSE_CHECK\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def test_creating_the_store_installs_the_check(tmp_path: Path) -> None:
    CoachTrackerStore(
        Domain.load(str(ROOT / "domain.yml")), dialect="sqlite", db=str(tmp_path / "d")
    )
    assert response_check_installed()
    assert RemoteAction._validate_action_result is tracker_store._checked_response
    with pytest.raises(ValidationError):
        _action()._validate_action_result({"events": "slot"})
