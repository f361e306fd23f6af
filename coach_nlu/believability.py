"""Run the believability check on the trained model: the content fit per persona.

python -m coach_nlu.believability [tests/believability] [--model PATH] [--misses]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from coach_nlu.evaluate import latest_model, quiet_rasa
from gesprekscoach.believability import Fit, content_fit
from gesprekscoach.domain import default_catalogues


def run(directory: Path, model: Path) -> dict[str, Fit]:
    from rasa.core.agent import Agent

    quiet_rasa()
    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()
    try:

        def parse(text: str) -> dict[str, Any]:
            return loop.run_until_complete(agent.parse_message(text))

        return content_fit(default_catalogues(), directory, parse)
    finally:
        loop.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path, nargs="?", default=Path("tests/believability"))
    parser.add_argument("--model", type=Path)
    parser.add_argument("--misses", action="store_true", help="show the off-topic replies")
    args = parser.parse_args(argv)
    fits = run(args.directory, args.model or latest_model())
    total = Fit(
        "alle", sum(f.questions for f in fits.values()), sum(f.on_topic for f in fits.values())
    )
    for fit in [*fits.values(), total]:
        print(f"{fit.persona:10} {fit.on_topic:4}/{fit.questions:<4} content fit {fit.share:.3f}")
        for miss in fit.misses if args.misses else []:
            print(f"   - {miss['text']}\n     {miss['moves']} {miss['topics']}: {miss['reply']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
