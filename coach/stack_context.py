"""Shared by the commands that need the servers: start them, or use running ones."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from coach.processes import say
from coach.stack import Stack
from coach.training import current_model, train
from gesprekscoach.rasa_client import RasaClient
from gesprekscoach.settings import Settings


@dataclass(frozen=True)
class Running:
    client: RasaClient
    recover: Callable[[], bool] | None
    """Restarts a server that died, when the servers were started here."""


@contextmanager
def running_client(
    settings: Settings, rasa_url: str | None, metadata: dict[str, str] | None = None
) -> Iterator[Running]:
    """A client for the given server, or for a stack started (and stopped) here."""
    if rasa_url:
        client = RasaClient.for_settings(settings, rasa_url, metadata=metadata)
        if not client.healthy():
            raise RuntimeError(f"Geen Rasa-server bereikbaar op {rasa_url}.")
        yield Running(client, None)
        return
    model = current_model(settings)
    if model is None:
        say("==> Er is nog geen actueel model; eerst trainen.")
        model = train(settings).model
    with Stack(settings, model) as stack:
        yield Running(RasaClient.for_settings(stack.settings, metadata=metadata), stack.revive)
        say("==> De servers stoppen...")
