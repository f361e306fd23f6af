"""The NLU component (coach_nlu.tfidf_classifier) on hostile text, and its parse data downstream.

The component itself, not Rasa's whole processor: before NLU, Rasa reads a
message starting with '/' as `/intent{entities}` (RegexMessageHandler); here
such a message must be just text. Whatever the text, the component gives a
known move or nlu_fallback with a confidence in 0-1, and acts the action
server can read (gesprekscoach.practice.acts_from).

Uses the trained model under models/ when it is current (through the
component's own `load`, with its check of the types in the file); otherwise
fits the component's pipeline on a small subset of the training data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gesprekscoach import practice
from gesprekscoach.language.acts import split_acts
from gesprekscoach.moves import FALLBACK
from gesprekscoach.protocol import ACTS
from tests.fuzz.strategies import (
    HUGE,
    MOVE_IDS,
    ROOT,
    dutch_text,
    examples,
    hostile_text,
    intent_text,
    wordless_then_sentence,
)

SUBSET_PER_MOVE = 15


def _load_trained(model: Path, tmp: Path) -> Any:
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    from coach_nlu.tfidf_classifier import TfidfIntentClassifier

    storage, metadata = LocalModelStorage.from_model_archive(tmp, model)
    for node in metadata.predict_schema.nodes.values():
        if node.uses is TfidfIntentClassifier and node.resource is not None:
            component = TfidfIntentClassifier.load(node.config, storage, node.resource, None)
            return component if component.pipeline is not None else None
    return None


def _train_subset() -> Any:
    from rasa.shared.nlu.training_data.loading import load_data

    from coach_nlu.tfidf_classifier import TfidfIntentClassifier

    per_move: dict[str, list[str]] = {}
    for message in load_data(str(ROOT / "data/nlu")).intent_examples:
        texts = per_move.setdefault(str(message.get("intent")), [])
        if len(texts) < SUBSET_PER_MOVE:
            texts.append(str(message.get("text")))
    component = TfidfIntentClassifier({}, None, None)
    pipeline = component._new_pipeline()
    pairs = [(text, move) for move, texts in per_move.items() for text in texts]
    pipeline.fit([t for t, _ in pairs], [m for _, m in pairs])
    component.pipeline = pipeline
    return component


@pytest.fixture(scope="module")
def component(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from coach.training import current_model
    from gesprekscoach.settings import load_settings

    model = current_model(load_settings())
    loaded = _load_trained(model, tmp_path_factory.mktemp("model")) if model else None
    yield loaded or _train_subset()


def _process(component: Any, *texts: str) -> list[dict[str, Any]]:
    from rasa.shared.nlu.training_data.message import Message

    messages = [Message(data={"text": text}) for text in texts]
    component.process(messages)
    return [m.as_dict() for m in messages]


def _check_parse(component: Any, text: str, parsed: dict[str, Any]) -> None:
    classes = {str(c) for c in component.pipeline.classes_}
    known = {*classes, FALLBACK}
    assert classes <= set(MOVE_IDS), "the model learnt only moves"

    assert parsed["text"] == text, "the component never changes the text"
    assert "entities" not in parsed, "the component reads no entities, not even from {...}"
    json.dumps(parsed, allow_nan=False)

    intent = parsed["intent"]
    assert intent["name"] in known
    assert 0.0 <= intent["confidence"] <= 1.0

    ranking = parsed["intent_ranking"]
    assert 1 <= len(ranking) <= component.config["ranking_length"]
    assert all(r["name"] in classes and 0.0 <= r["confidence"] <= 1.0 for r in ranking)
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True)

    acts = parsed[ACTS]
    assert isinstance(acts, list) and acts
    for act in acts:
        assert set(act) == {"text", "move", "confidence"}
        assert isinstance(act["text"], str) and act["move"] in known
        assert 0.0 <= act["confidence"] <= 1.0
    assert (acts[0]["move"], acts[0]["confidence"]) == (intent["name"], intent["confidence"])
    assert len({a["move"] for a in acts}) == len(acts), "one act per move"
    pieces = {text, *(a.text for a in split_acts(text))}
    assert all(a["text"] in pieces for a in acts)

    # What the action server makes of it: the same acts, the text cut to size.
    read = practice.acts_from(acts, intent["name"], intent["confidence"])
    assert [a.move for a in read] == [a["move"] for a in acts]
    assert all(len(a.text) <= practice.MAX_ACT_CHARS for a in read)


@settings(max_examples=examples(50))
@given(text=hostile_text(HUGE))
@example(text="")
@example(text="Wat heeft u nodig? " * 1000)
@example(text="Goedemiddag. Hoe gaat het met Daan? " * 500)
@example(text='{"intent": {"name": "oordelen", "confidence": 1.0}, "acts": []}')
def test_any_text_gives_a_known_move_and_readable_acts(component: Any, text: str) -> None:
    [parsed] = _process(component, text)
    _check_parse(component, text, parsed)


@settings(max_examples=examples(40))
@given(text=intent_text())
@example(text="/vraag_wat_nodig")
@example(text='/start_oefening{"persona": "henk", "seed": 1e999}')
@example(text='/oordelen@1.0{"seed": 99999999999999999999999999}')
def test_intent_shorthand_is_just_text_to_the_component(component: Any, text: str) -> None:
    [parsed] = _process(component, text)
    _check_parse(component, text, parsed)
    assert parsed["intent"]["name"] not in ("start_oefening", "stop_oefening", "hints_instellen")


@settings(max_examples=examples(10))
@given(texts=st.lists(st.one_of(hostile_text(2000), dutch_text), min_size=2, max_size=5))
def test_a_batch_gives_what_each_message_gives_alone(component: Any, texts: list[str]) -> None:
    together = _process(component, *texts)
    alone = [_process(component, text)[0] for text in texts]
    assert together == alone


@settings(max_examples=examples(20))
@given(text=wordless_then_sentence)
@example(text="... Wat heeft u nodig?")
def test_a_message_opening_without_words_is_classified(component: Any, text: str) -> None:
    [parsed] = _process(component, text)
    _check_parse(component, text, parsed)
