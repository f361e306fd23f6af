"""The tip catalogue: what every piece of feedback points at (ids of shared/spec/tips.yml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gesprekscoach.catalogue import CatalogueError, Fields, read_yaml_mapping

SOURCES = frozenset(
    ("communicatiekaart", "ao_werkateliers", "inwoner_interactie", "oco_stappenplan", "enschede")
)


@dataclass(frozen=True)
class Tip:
    id: str
    theme: str
    source: str
    heading: str
    good: str
    pitfall: str
    try_: tuple[str, ...]
    """Sentences to try next time ("Probeer de volgende keer: ...")."""

    @property
    def title(self) -> str:
        return f"{self.id} {self.heading}"


@dataclass(frozen=True)
class TipCatalogue:
    themes: dict[str, str]
    tips: dict[str, Tip]

    def __getitem__(self, tip_id: str) -> Tip:
        return self.tips[tip_id]

    def __contains__(self, tip_id: object) -> bool:
        return tip_id in self.tips

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.tips)

    @property
    def theme_of(self) -> dict[str, str]:
        """Tip id to the Dutch label of its theme (for charts per theme)."""
        return {tip.id: self.themes[tip.theme] for tip in self.tips.values()}


def load_tips(path: Path) -> TipCatalogue:
    top = Fields(path, read_yaml_mapping(path))
    top.unknown_keys({"themes", "tips"})
    themes_f = top.sub("themes")
    themes = {str(key): themes_f.text(str(key)) for key in themes_f.data}
    raw = top.raw("tips")
    if not isinstance(raw, dict) or not raw:
        raise top.error("tips", "must be a non-empty mapping of tip id to tip")
    tips: dict[str, Tip] = {}
    for tip_id in raw:
        f = top.sub("tips").sub(str(tip_id))
        f.unknown_keys({"theme", "source", "heading", "good", "pitfall", "try"})
        theme = f.text("theme")
        if theme not in themes:
            raise f.error("theme", f"unknown theme {theme!r}; known: {', '.join(themes)}")
        source = f.text("source")
        if source not in SOURCES:
            raise f.error("source", f"unknown source {source!r}")
        tips[str(tip_id)] = Tip(
            id=str(tip_id),
            theme=theme,
            source=source,
            heading=f.text("heading"),
            good=f.text("good"),
            pitfall=f.text("pitfall"),
            try_=f.texts("try", min_items=1),
        )
    return TipCatalogue(themes, tips)


def check_move_tips(tips: TipCatalogue, move_tips: dict[str, tuple[str, ...]], path: Path) -> None:
    """Every tip a move points at must exist in the catalogue."""
    for move, ids in move_tips.items():
        for tip_id in ids:
            if tip_id not in tips:
                raise CatalogueError(path, f"moves.{move}.tips", f"unknown tip {tip_id!r}")
