"""Precision and recall of the language check on a hand-labelled set.

The labels (tests/language/labelled.yml) were written without looking at the
lexicon or the code, so the figures say how the check agrees with a human.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gesprekscoach.catalogue import CatalogueError, Fields, read_yaml_mapping
from gesprekscoach.language.check import LanguageChecker


@dataclass(frozen=True)
class Labelled:
    text: str
    b1: bool
    jargon: tuple[str, ...]


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 0.0 if total == 0 else 2 * self.precision * self.recall / total


def _scores(tp: int, fp: int, fn: int) -> Scores:
    return Scores(
        precision=tp / (tp + fp) if tp + fp else 1.0,
        recall=tp / (tp + fn) if tp + fn else 1.0,
        true_positives=tp,
        false_positives=fp,
        false_negatives=fn,
    )


def load_labelled(path: Path) -> list[Labelled]:
    top = Fields(path, read_yaml_mapping(path))
    raw = top.raw("messages")
    if not isinstance(raw, list):
        raise CatalogueError(path, "messages", "must be a list")
    out = []
    for i, item in enumerate(raw):
        f = Fields(path, item, f"messages[{i}]")
        b1 = f.raw("b1")
        if not isinstance(b1, bool):
            raise f.error("b1", "must be true or false")
        jargon = f.texts("jargon", min_items=0) if f.has("jargon") else ()
        out.append(Labelled(f.text("text"), b1, tuple(j.lower() for j in jargon)))
    return out


def _covers(label: str, found: list[str]) -> bool:
    return any(label in f or f in label for f in found)


def evaluate(checker: LanguageChecker, labelled: list[Labelled]) -> dict[str, Scores]:
    """`not_b1`: flagging a message as not plain enough; `jargon`: per jargon term."""
    b1 = [0, 0, 0]  # tp, fp, fn with "not B1" as the positive class
    jargon = [0, 0, 0]
    for item in labelled:
        result = checker.check(item.text)
        flagged, truly = not result.b1_ok, not item.b1
        b1[0] += flagged and truly
        b1[1] += flagged and not truly
        b1[2] += truly and not flagged
        found = [hit.found.lower() for hit in result.jargon]
        matched = [lab for lab in item.jargon if _covers(lab, found)]
        jargon[0] += len(matched)
        jargon[2] += len(item.jargon) - len(matched)
        jargon[1] += sum(1 for f in found if not any(_covers(lab, [f]) for lab in item.jargon))
    return {"not_b1": _scores(*b1), "jargon": _scores(*jargon)}
