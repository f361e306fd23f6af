"""Settings read from the environment: bad values fail early with the variable's name."""

from __future__ import annotations

import pytest

from coach.processes import free_port
from gesprekscoach.settings import load_settings


def test_defaults_give_every_server_its_own_port() -> None:
    settings = load_settings({})
    assert len({settings.rasa_port, settings.action_port, settings.review_port}) == 3


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"RASA_PORT": "5055"}, "RASA_PORT=5055"),
        ({"REVIEW_PORT": "5005"}, "REVIEW_PORT=5005"),
        ({"ACTION_PORT": "0"}, "ACTION_PORT"),
        ({"RASA_PORT": "70000"}, "RASA_PORT"),
        ({"RASA_PORT": "vijf"}, "RASA_PORT"),
    ],
)
def test_a_bad_or_shared_port_is_refused_by_name(env: dict[str, str], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        load_settings(env)


def test_free_port_never_hands_out_a_port_twice() -> None:
    ports = [free_port() for _ in range(300)]
    assert len(set(ports)) == len(ports)
    assert all(port >= 10000 for port in ports)
