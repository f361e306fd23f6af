"""A group round as the bot keeps it: the round (gesprekscoach.workshops.rounds) plus who
wrote which message, so taking messages back (/terug, /opnieuw N) un-counts them.

Stored as one dict in the chat's state (BotChat.round); only pseudonyms, never names.
The first names the group sees live in this process's memory only (ChatStore.names).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from bot.context import Deps
from gesprekscoach.turn import TurnEvent
from gesprekscoach.workshops.rounds import Round

WRITTEN = "written"
"""The key beside the round's own fields: [{"turn", "key", "found"}], oldest first."""


@dataclass(frozen=True)
class Written:
    turn: int
    key: str
    """The writer's pseudonym."""
    found: bool
    """This message brought the hidden need out."""


@dataclass(frozen=True)
class Tally:
    round: Round
    written: tuple[Written, ...] = ()

    @classmethod
    def of(cls, data: dict[str, Any]) -> Tally:
        """From the chat state; entries of members no longer in the round (erased) drop."""
        round_ = Round.from_dict(data)
        keys = {m.key for m in round_.members}
        written = tuple(
            Written(int(w["turn"]), str(w["key"]), bool(w.get("found")))
            for w in data.get(WRITTEN) or ()
            if isinstance(w, dict) and w.get("key") in keys and isinstance(w.get("turn"), int)
        )
        return cls(round_, written)

    def to_dict(self) -> dict[str, Any]:
        return {**self.round.to_dict(), WRITTEN: [asdict(w) for w in self.written]}

    def join(self, key: str, label: str) -> Tally:
        return replace(self, round=self.round.join(key, label))

    def record(self, key: str, event: TurnEvent) -> Tally:
        """A member's message was answered: counted for them, the turn passes on."""
        found = event.hidden_need_revealed
        round_ = self.round.record(key, event.move, found)
        return Tally(round_, (*self.written, Written(event.number, key, found)))

    def rewind(self, from_turn: int) -> Tally:
        """Message `from_turn` and all after it were taken back: un-count them."""
        kept = tuple(w for w in self.written if w.turn < from_turn)
        gone = [w for w in self.written if w.turn >= from_turn]
        if not gone:
            return self
        members = list(self.round.members)
        for w in gone:
            for i, m in enumerate(members):
                if m.key != w.key:
                    continue
                found = m.found_need
                if w.found:  # the need came out in a message that is gone
                    found = any(k.found for k in kept if k.key == m.key)
                members[i] = replace(m, moves=m.moves[:-1], found_need=found)
        index = self.round.next_index
        if self.round.ordered:
            index = max(0, index - len(gone))
        round_ = replace(self.round, members=tuple(members), next_index=index)
        return Tally(round_, kept)


def remember(deps: Deps, key: str, first_name: str | None) -> None:
    """The name the group sees, for this process only (the round stores "Deelnemer N")."""
    if first_name:
        deps.store.names[key] = first_name[:40]


def shown(deps: Deps, round_: Round) -> Round:
    return round_.named(deps.store.names)


def names_of(deps: Deps, round_: Round) -> dict[str, str]:
    """Pseudonym to the name the group knows (a first name, else "Deelnemer N")."""
    return {m.key: m.name for m in shown(deps, round_).members}
