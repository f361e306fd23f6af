"""Builders for small, valid persona files, so tests can vary one field at a time."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from gesprekscoach.personas.model import SPECIAL_REPLIES

ROOT = Path(__file__).resolve().parents[1]
MOVES = list(yaml.safe_load((ROOT / "data/catalogues/moves.yml").read_text())["moves"])
_FLAGS = yaml.safe_load((ROOT / "data/catalogues/feedback.yml").read_text())["flags"]
PITFALLS = sorted({flag["alternative"] for flag in _FLAGS})
"""The pitfalls feedback.yml's flags name: every persona has a better sentence for each."""


def _banded(what: str) -> dict[str, str]:
    return {band: f"{what} ({band})" for band in ("low", "mid", "high")}


def persona_data(persona_id: str = "testpersoon") -> dict[str, Any]:
    replies: dict[str, Any] = {}
    for key in [*MOVES, *SPECIAL_REPLIES]:
        replies[key] = {
            band: [f"{key} {band} {i}" for i in range(1, 4)] for band in ("low", "mid", "high")
        }
    return {
        "id": persona_id,
        "name": "Test Persoon",
        "type": "wantrouwend",
        "age": 40,
        "summary": "Een testpersoon.",
        "briefing": "Dit is een testpersoon voor de tests.",
        "opening": ["Hallo.", "Dag.", "Goedemiddag."],
        "start": {"trust": 30, "stress": 50},
        "effects": {
            "empathie": {"trust": 10, "stress": -5},
            "geruststellen": {"trust": 10, "stress": -5},
            "vraag_wat_nodig": {"trust": 5, "stress": -2},
            "oordelen": {"trust": -15, "stress": 20},
            "info_opvragen": {"trust": -2, "stress": 3},
        },
        "reactions": [
            {
                "id": "bsn_te_vroeg",
                "when": {"moves": ["info_opvragen"], "turn_at_most": 3},
                "effects": {"trust": -20, "stress": 10},
                "replies": [
                    "Waarom wilt u dat nu al weten?",
                    "Eerst wil ik weten wie u bent.",
                    "Dat geef ik niet zomaar.",
                ],
            },
            {
                "id": "jargon",
                "when": {"jargon": True},
                "effects": {"trust": 0, "stress": 8},
                "replies": ["Ja ja, dat snap ik.", "Ja, natuurlijk.", "Oké. Ja."],
            },
        ],
        "hidden_need": {
            "summary": "Wil een vaste contactpersoon.",
            "unlock": {"moves": ["vraag_wat_nodig", "doorvragen"], "trust_at_least": 50},
            "hint": ["Tja, wat ik nodig heb...", "Daar moet ik over nadenken.", "Misschien later."],
            "reveal": {
                "replies": ["Eigenlijk wil ik gewoon één vast iemand."],
                "effects": {"trust": 5, "stress": -10},
            },
            "elements": [
                {
                    "id": "vast_iemand",
                    "label": "één vaste contactpersoon",
                    "triggers": ["vaste contactpersoon", "vast aanspreekpunt"],
                    "phrases": ["één vast iemand", "steeds dezelfde persoon", "een vast contact"],
                },
                {
                    "id": "gehoord",
                    "label": "gehoord worden",
                    "triggers": ["gehoord", "luisteren"],
                    "phrases": [
                        "dat er naar hem geluisterd wordt",
                        "serieus genomen worden",
                        "dat iemand echt luistert",
                    ],
                },
            ],
        },
        "replies": replies,
        "thoughts": {
            "moves": {key: _banded(f"denkt bij {key}") for key in [*MOVES, *SPECIAL_REPLIES]},
            "reactions": {"bsn_te_vroeg": "Waarom wil ze dat nu al?", "jargon": _banded("huh")},
            "hidden_need": "Nu durf ik het te zeggen.",
            "hint": _banded("bijna"),
        },
        "alternatives": {
            key: {"try": f"Beter bij {key}.", "why": f"Test vindt {key} lastig."}
            for key in PITFALLS
        },
        "focus_tips": ["CK-H1", "CK-B3"],
    }


def write_persona(directory: Path, data: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{data['id']}.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def variant(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(persona_data())
    data.update(changes)
    return data


def with_topics(data: dict[str, Any] | None = None) -> dict[str, Any]:
    """A persona with two topics (one told only at trust 50+) and one concern."""
    data = copy.deepcopy(data or persona_data())
    data["topics"] = [
        {
            "id": "zoon",
            "fact": "Daan is vijftien en zit op het vmbo.",
            "triggers": ["zoon", "daan", "jongen", "school"],
            "answers": {
                "low": ["Daan? Waarom wilt u dat weten?", "Mijn zoon laat u erbuiten."],
                "mid": ["Daan is vijftien. Hij zit op het vmbo.", "Hij doet het goed op school."],
                "high": ["Daan is mijn alles. Vijftien, en slim ook.", "Op school gaat het top."],
            },
            "again": ["Zoals ik zei, Daan is vijftien.", "Dat zei ik al: vijftien, vmbo."],
        },
        {
            "id": "schulden",
            "fact": "Hij leende geld bij zijn broer.",
            "triggers": ["schulden", "lenen*", "geleend"],
            "min_trust": 50,
            "guarded": ["Daar begin ik nu niet over.", "Dat gaat u niks aan."],
            "answers": [
                "Ik heb bij mijn broer geleend.",
                "Mijn broer hielp me uit de brand.",
                "Ik sta bij mijn broer in het krijt.",
            ],
            "again": ["Dat van mijn broer zei ik al.", "Zoals ik zei: bij mijn broer."],
        },
    ]
    data["concerns"] = [
        {
            "id": "stroom",
            "about": "De stroom gaat dinsdag af.",
            "triggers": ["stroom", "energiebedrijf", "afsluiting"],
            "resolved_by": ["regie_nemen", "belofte"],
            "acknowledge": ["Oké, dan kan ik weer ademen.", "Gelukkig, dank u."],
            "remind": ["Maar eerst die stroom.", "Mijn hoofd zit bij dinsdag."],
            "recall": ["U zou toch het energiebedrijf bellen?", "Vergeet u dat bellen niet?"],
        }
    ]
    data["reactions"] = [
        {
            "id": "eerst_de_stroom",
            "when": {"moves": ["open_vraag", "gesloten_vraag"], "concern_open": "stroom"},
            "effects": {"trust": 0, "stress": 2},
            "replies": ["Eerst de stroom!", "Dinsdag gaat alles uit.", "Alleen daar denk ik aan."],
        },
        *data["reactions"],
    ]
    data["thoughts"]["reactions"]["eerst_de_stroom"] = "Ik kan alleen aan dinsdag denken."
    data["thoughts"]["concerns"] = {
        "stroom": {"acknowledge": "Eindelijk iemand die het oppakt.", "recall": "Vergeet ze het?"}
    }
    return data
