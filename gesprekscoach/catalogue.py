"""Shared helpers for loading YAML catalogues into validated, typed objects.

Every catalogue (moves, personas, jargon) fails at load with the file, the
field and what is wrong, so a broken data file never surfaces as a confusing
error halfway through a practice conversation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml


class CatalogueError(ValueError):
    """A data file is missing, unreadable or does not match its schema."""

    def __init__(self, path: Path | str, field: str, problem: str) -> None:
        self.path = str(path)
        self.field = field
        self.problem = problem
        where = f"{self.path}: {field}" if field else self.path
        super().__init__(f"{where}: {problem}")


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """Read a YAML file with ``yaml.safe_load`` and insist on a mapping at the top."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(path, "", f"cannot read file ({exc.strerror})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CatalogueError(path, "", f"invalid YAML{where}") from exc
    if not isinstance(data, dict):
        raise CatalogueError(path, "", "expected a mapping at the top of the file")
    return data


class Fields:
    """Typed access to one mapping in a catalogue, naming the field on error."""

    def __init__(self, path: Path, data: Any, prefix: str = "") -> None:
        self.path = path
        self.prefix = prefix
        if not isinstance(data, Mapping):
            raise CatalogueError(path, prefix or "(top)", "expected a mapping")
        self.data = data

    def name(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def error(self, key: str, problem: str) -> CatalogueError:
        return CatalogueError(self.path, self.name(key), problem)

    def has(self, key: str) -> bool:
        return key in self.data and self.data[key] is not None

    def raw(self, key: str) -> Any:
        if not self.has(key):
            raise self.error(key, "is required")
        return self.data[key]

    def text(self, key: str, *, default: str | None = None) -> str:
        if not self.has(key):
            if default is not None:
                return default
            raise self.error(key, "is required")
        value = self.data[key]
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "must be a non-empty text")
        return value.strip()

    def number(self, key: str, *, low: float, high: float, default: float | None = None) -> float:
        if not self.has(key):
            if default is not None:
                return default
            raise self.error(key, "is required")
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, f"must be a number, got {value!r}")
        if not low <= value <= high:
            raise self.error(key, f"must be between {low:g} and {high:g}, got {value:g}")
        return float(value)

    def sub(self, key: str) -> Fields:
        return Fields(self.path, self.raw(key), self.name(key))

    def optional_sub(self, key: str) -> Fields | None:
        return self.sub(key) if self.has(key) else None

    def texts(self, key: str, *, min_items: int = 1) -> tuple[str, ...]:
        value = self.raw(key)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, Sequence) or isinstance(value, str):
            raise self.error(key, "must be a list of texts")
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise CatalogueError(
                    self.path, f"{self.name(key)}[{i}]", "must be a non-empty text"
                )
            out.append(item.strip())
        if len(out) < min_items:
            raise self.error(key, f"needs at least {min_items} item(s), got {len(out)}")
        return tuple(out)

    def unknown_keys(self, allowed: set[str]) -> None:
        extra = sorted(str(k) for k in self.data if k not in allowed)
        if extra:
            raise CatalogueError(
                self.path, self.prefix or "(top)", f"unknown field(s): {', '.join(extra)}"
            )
