"""How well the trained model reads realistic chat: main act, every act, and fallbacks.

`rasa test nlu` scores one intent per message. Realistic messages do several
things at once, so this evaluation runs the trained model's NLU pipeline on a
set of messages labelled with the moves of all their acts (main act first)
and reports:

- main act: accuracy and macro-F1 of the message's intent;
- acts: the share of labelled moves found among the predicted acts (recall)
  and the share of predicted acts that were labelled (precision);
- fallback: the share of clear questions that became nlu_fallback (must be 0)
  and of all messages.

    python -m coach_nlu.evaluate tests/nlu_realistic/messages.yml [--model PATH] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml
from sklearn.metrics import f1_score

from gesprekscoach.language.acts import QUESTION_MOVES
from gesprekscoach.moves import FALLBACK
from gesprekscoach.protocol import ACTS


@dataclass(frozen=True)
class Scores:
    messages: int
    main_accuracy: float
    main_macro_f1: float
    act_recall: float
    act_precision: float
    question_fallback_rate: float
    fallback_rate: float
    misses: list[dict[str, Any]]


def _share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def load_labelled(path: Path) -> list[tuple[str, list[str]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(str(m["text"]), [str(x) for x in m["moves"]]) for m in data["messages"]]


def score(labelled: list[tuple[str, list[str]]], predicted: list[list[str]]) -> Scores:
    gold_main = [moves[0] for _, moves in labelled]
    pred_main = [moves[0] if moves else FALLBACK for moves in predicted]
    found = sum(len(set(g) & set(p)) for (_, g), p in zip(labelled, predicted, strict=True))
    gold_total = sum(len(g) for _, g in labelled)
    pred_total = sum(len(p) for p in predicted)
    questions = [p for g, p in zip(gold_main, pred_main, strict=True) if g in QUESTION_MOVES]
    misses = [
        {"text": text, "gold": gold, "predicted": pred}
        for (text, gold), pred in zip(labelled, predicted, strict=True)
        if gold[0] != (pred[0] if pred else FALLBACK)
    ]
    labels = sorted(set(gold_main))
    return Scores(
        messages=len(labelled),
        main_accuracy=round(
            sum(g == p for g, p in zip(gold_main, pred_main, strict=True)) / len(labelled), 3
        ),
        main_macro_f1=round(
            float(f1_score(gold_main, pred_main, labels=labels, average="macro", zero_division=0)),
            3,
        ),
        act_recall=round(found / gold_total, 3),
        act_precision=round(found / pred_total, 3) if pred_total else 0.0,
        question_fallback_rate=_share(sum(p == FALLBACK for p in questions), len(questions)),
        fallback_rate=round(sum(p == FALLBACK for p in pred_main) / len(pred_main), 3),
        misses=misses,
    )


def quiet_rasa() -> None:
    """Rasa logs every parse at debug level through structlog; keep the figures readable."""
    import logging

    import structlog

    logging.getLogger("rasa").setLevel(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def predict(model: Path, texts: list[str]) -> list[list[str]]:
    """The moves of every act of each text (main act first), by the model's NLU pipeline."""
    from rasa.core.agent import Agent

    quiet_rasa()
    agent = Agent.load(str(model))

    async def run() -> list[list[str]]:
        out = []
        for text in texts:
            parsed = await agent.parse_message(text)
            acts = parsed.get(ACTS) or []
            moves = [str(a["move"]) for a in acts] or [str(parsed["intent"]["name"])]
            out.append(moves)
        return out

    return asyncio.run(run())


def latest_model(directory: Path = Path("models")) -> Path:
    models = sorted(directory.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise SystemExit("Geen getraind model in models/: draai eerst `coach train`.")
    return models[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("messages", type=Path)
    parser.add_argument("--model", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    labelled = load_labelled(args.messages)
    scores = score(labelled, predict(args.model or latest_model(), [t for t, _ in labelled]))
    if args.json:
        json.dump(asdict(scores), sys.stdout, ensure_ascii=False, indent=1)
        return 0
    summary = {k: v for k, v in asdict(scores).items() if k != "misses"}
    for key, value in summary.items():
        print(f"{key:24} {value}")
    for miss in scores.misses:
        print(f"  {miss['gold']} -> {miss['predicted']}: {miss['text']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
