"""The import rules of the architecture (README, "Architecture"), checked by `make lint`.

- The domain core (`gesprekscoach/`) imports no adapter and no framework of one:
  no Rasa, no Rasa SDK, no Telegram, no Flask, no web server.
- An adapter imports the core and its own framework, never another adapter. `coach`
  starts the others as processes (`python -m bot`, `python -m dashboard`), by name.

Every import statement counts, also one inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = "gesprekscoach"
ADAPTERS = ("actions", "bot", "coach", "coach_channel", "coach_nlu", "dashboard")
FRAMEWORKS = ("rasa", "rasa_sdk", "telegram", "flask", "flask_wtf", "werkzeug", "waitress", "sanic")


def imported_packages(path: Path) -> set[str]:
    """The top-level package of every absolute import in a file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def files_of(package: str) -> list[Path]:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no Python files in {package}/"
    return files


def offences(package: str, forbidden: set[str]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in files_of(package)
        for name in sorted(imported_packages(path) & forbidden)
    ]


def test_the_core_imports_no_adapter_and_no_framework() -> None:
    assert offences(CORE, set(ADAPTERS) | set(FRAMEWORKS)) == []


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_no_adapter_imports_another(adapter: str) -> None:
    assert offences(adapter, set(ADAPTERS) - {adapter}) == []


def test_the_rule_sees_imports_inside_functions(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from bot.app import x\n    import flask.json\n")
    assert imported_packages(sample) == {"bot", "flask"}
