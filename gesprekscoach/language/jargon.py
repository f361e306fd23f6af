"""The jargon lexicon: ambtelijke words with a plain alternative (tip CK-B2)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from gesprekscoach.catalogue import CatalogueError, Fields, read_yaml_mapping


@dataclass(frozen=True)
class JargonTerm:
    term: str
    alternative: str
    forms: tuple[str, ...] = ()

    @property
    def all_forms(self) -> tuple[str, ...]:
        return (self.term, *self.forms)


@dataclass(frozen=True)
class JargonHit:
    term: str
    alternative: str
    found: str
    """The words as the casemanager wrote them."""


@dataclass(frozen=True)
class JargonLexicon:
    terms: tuple[JargonTerm, ...]

    @cached_property
    def _by_form(self) -> dict[str, JargonTerm]:
        return {form: term for term in self.terms for form in term.all_forms}

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        # Longest forms first so "inkomensafhankelijke bijdrage" wins over "bijdrage".
        forms = sorted(self._by_form, key=len, reverse=True)
        body = "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms)
        return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)

    def find(self, text: str) -> list[JargonHit]:
        """All jargon in ``text``, in order of appearance, each term once."""
        hits: list[JargonHit] = []
        seen: set[str] = set()
        for match in self._pattern.finditer(text):
            found = match.group(0)
            key = re.sub(r"\s+", " ", found.lower())
            term = self._by_form.get(key)
            if term is None or term.term in seen:
                continue
            seen.add(term.term)
            hits.append(JargonHit(term.term, term.alternative, found))
        return hits


def load_jargon(path: Path) -> JargonLexicon:
    top = Fields(path, read_yaml_mapping(path))
    raw = top.raw("terms")
    if not isinstance(raw, list) or not raw:
        raise top.error("terms", "must be a non-empty list")
    terms: list[JargonTerm] = []
    owner: dict[str, str] = {}
    for i, item in enumerate(raw):
        f = Fields(path, item, f"terms[{i}]")
        f.unknown_keys({"term", "alternative", "forms"})
        term = f.text("term").lower()
        forms = tuple(x.lower() for x in f.texts("forms")) if f.has("forms") else ()
        for form in (term, *forms):
            if form in owner:
                raise CatalogueError(
                    path, f"terms[{i}]", f"{form!r} is already listed under {owner[form]!r}"
                )
            owner[form] = term
        terms.append(JargonTerm(term, f.text("alternative"), forms))
    return JargonLexicon(tuple(terms))
