"""A round (rondje): a group holds one conversation with the inwoner together.

Each member writes casemanager turns; optionally in a fixed order (the order in
which they joined). Every turn is counted for its writer, so the group report
can show each member's contribution. Plain data (a dict in the bot's chat
state), so a restart of the bot carries on the round.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from gesprekscoach.moves import MoveCatalogue


@dataclass(frozen=True)
class Member:
    key: str
    """A pseudonym of the member (never the raw Telegram id)."""
    name: str
    moves: tuple[str, ...] = ()
    found_need: bool = False


@dataclass(frozen=True)
class Round:
    persona: str
    ordered: bool = False
    members: tuple[Member, ...] = ()
    next_index: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Round:
        members = tuple(
            Member(m["key"], m["name"], tuple(m.get("moves") or ()), bool(m.get("found_need")))
            for m in data.get("members") or ()
        )
        ordered, index = bool(data.get("ordered")), int(data.get("next_index") or 0)
        return cls(str(data["persona"]), ordered, members, index)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def named(self, names: Mapping[str, str]) -> Round:
        """The round as the group reads it: the first names the chat adapter knows (kept in
        its memory only) instead of the stored "Deelnemer N"."""
        members = tuple(replace(m, name=names.get(m.key) or m.name) for m in self.members)
        return replace(self, members=members)

    def member(self, key: str) -> Member | None:
        return next((m for m in self.members if m.key == key), None)

    def join(self, key: str, name: str) -> Round:
        if self.member(key) is not None:
            return self
        return replace(self, members=(*self.members, Member(key, name)))

    @property
    def whose_turn(self) -> Member | None:
        if not self.ordered or not self.members:
            return None
        return self.members[self.next_index % len(self.members)]

    def may_write(self, key: str) -> bool:
        turn = self.whose_turn
        return self.member(key) is not None and (turn is None or turn.key == key)

    def record(self, key: str, move: str, found_need: bool) -> Round:
        """A member's turn was answered: count it for them, and pass the turn on."""

        def counted(m: Member) -> Member:
            return replace(m, moves=(*m.moves, move), found_need=m.found_need or found_need)

        members = tuple(counted(m) if m.key == key else m for m in self.members)
        index = self.next_index + 1 if self.ordered else self.next_index
        return replace(self, members=members, next_index=index)

    def order_text(self) -> str:
        if not self.members:
            return "Er doet nog niemand mee. Druk op 'Ik doe mee'."
        if not self.ordered:
            names = ", ".join(m.name for m in self.members)
            return f"Iedereen die meedoet mag schrijven, in elke volgorde. Mee doen: {names}."
        count = len(self.members)
        upcoming = [self.members[(self.next_index + i) % count].name for i in range(count)]
        later = f" Daarna: {', '.join(upcoming[1:])}." if count > 1 else ""
        return f"Het is de beurt van {upcoming[0]}.{later}"


def contributions(round_: Round, moves: MoveCatalogue) -> str:
    """Each member's part in the conversation, in plain Dutch."""
    lines = ["Wie deed wat:"]
    for m in round_.members:
        if not m.moves:
            lines.append(f"- {m.name}: schreef niets.")
            continue
        good = [moves.label(x) for x in m.moves if x in moves and moves.moves[x].polarity == "+"]
        poor = [moves.label(x) for x in m.moves if x in moves and moves.moves[x].polarity == "-"]
        parts = [f"{len(m.moves)} bericht{'en' if len(m.moves) != 1 else ''}"]
        if good:
            parts.append("sterk: " + ", ".join(dict.fromkeys(good)).lower())
        if poor:
            parts.append("valkuil: " + ", ".join(dict.fromkeys(poor)).lower())
        line = f"- {m.name}: " + "; ".join(parts) + "."
        if m.found_need:
            line += " Bracht de verborgen behoefte boven!"
        lines.append(line)
    return "\n".join(lines)
