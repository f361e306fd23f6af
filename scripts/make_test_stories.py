"""Write tests/test_stories.yml from the labelled scripts in tests/conversations/.

Run after changing a script: `.venv/bin/python scripts/make_test_stories.py`.
tests/rasa/test_rasa_cli.py checks that the two stay in step.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def build() -> str:
    out = [
        'version: "3.1"',
        "",
        "# Generated from tests/conversations/*.yml by scripts/make_test_stories.py.",
        "# `rasa test` plays each casemanager line through NLU (user text) and checks",
        "# the move it gets and the action that follows.",
        "stories:",
    ]
    for path in sorted((ROOT / "tests/conversations").glob("*.yml")):
        script = yaml.safe_load(path.read_text(encoding="utf-8"))
        # One entity: rasa test compares lists in order.
        start = json.dumps({"persona": script["persona"]})
        out += [
            f"- story: {path.stem}",
            "  steps:",
            f"  - user: '/start_oefening{start}'",
            "    intent: start_oefening",
            "  - action: action_start_practice",
        ]
        for line in script["lines"]:
            out += [
                f"  - user: {json.dumps(line['text'], ensure_ascii=False)}",
                f"    intent: {line['move']}",
                "  - action: action_persona_reply",
            ]
        out += [
            "  - user: /stop_oefening",
            "    intent: stop_oefening",
            "  - action: action_end_practice",
            "",
        ]
    return "\n".join(out)


if __name__ == "__main__":
    target = ROOT / "tests/test_stories.yml"
    if "--check" in sys.argv:
        sys.exit(0 if target.read_text(encoding="utf-8") == build() else 1)
    target.write_text(build(), encoding="utf-8")
