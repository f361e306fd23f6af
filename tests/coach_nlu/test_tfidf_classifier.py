"""The TF-IDF intent classifier as a Rasa graph component on its own, without Rasa's processor.

Built the way Rasa builds it (`create` with a LocalModelStorage), trained on a
few Dutch sentences per move, persisted, loaded again and asked to `process`
messages: the parse data the action server reads must hold for clear moves,
several acts, and for text the inwoner cannot place (empty, markup, gibberish).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from coach_nlu.tfidf_classifier import MODEL_FILE, TfidfIntentClassifier
from gesprekscoach.language.acts import QUESTION_MOVES
from gesprekscoach.moves import FALLBACK
from gesprekscoach.protocol import ACTS

EXAMPLES = {
    "begroeten": [
        "Goedemiddag, ik ben Sanne van de gemeente.",
        "Hallo, mijn naam is Pieter, ik ben uw casemanager.",
        "Goedemorgen mevrouw, ik ben Lotte van het wijkteam.",
        "Dag meneer, ik ben Ahmed en ik werk bij de gemeente.",
        "Hoi, ik ben Eva, uw contactpersoon bij de gemeente.",
        "Goedenavond, fijn dat u er bent, ik ben Tom.",
    ],
    "open_vraag": [
        "Hoe gaat het op dit moment met u?",
        "Wat speelt er allemaal bij u thuis?",
        "Hoe ziet een gewone dag er voor u uit?",
        "Wat houdt u op dit moment het meest bezig?",
        "Hoe is het de laatste tijd gegaan?",
        "Wat is er gebeurd sinds we elkaar spraken?",
    ],
    "empathie": [
        "Dat klinkt echt zwaar voor u.",
        "Ik kan me voorstellen dat u daar moe van wordt.",
        "Wat vervelend dat u dat meemaakt.",
        "Ik hoor dat dit u veel zorgen geeft.",
        "Dat is ook niet niks, zo lang zonder geld.",
        "Logisch dat u daar boos over bent.",
    ],
    "info_opvragen": [
        "Wat is uw burgerservicenummer?",
        "Mag ik uw geboortedatum noteren?",
        "Wat is uw adres en postcode?",
        "Kunt u uw rekeningnummer doorgeven?",
        "Wat is uw telefoonnummer?",
        "Hoe hoog is uw huur per maand?",
    ],
    "oordelen": [
        "Dat had u zelf beter moeten regelen.",
        "U had die brieven gewoon moeten openen.",
        "Dat is toch uw eigen schuld.",
        "Zo los je dat natuurlijk niet op.",
        "U maakt het uzelf wel erg moeilijk.",
        "Daar had u eerder aan moeten denken.",
    ],
}
# Messages the inwoner cannot place: no words, markup, no Dutch.
NOT_UNDERSTOOD = [
    "",
    "   ",
    "<b>hallo</b>",
    "<script>alert(1)</script>",
    "asdkj qwpoe zxcvb",
    "xqzt vbnm?",
    "Could you send me the documents?",
]
SAMPLES = [
    "Goedemiddag, ik ben Sanne van de gemeente.",
    "Hoe gaat het nu met u?",
    "Dat klinkt zwaar, hoe gaat het nu met de kinderen?",
    "Goedemiddag. Wat is uw BSN?",
    *NOT_UNDERSTOOD,
]


@dataclass(frozen=True)
class Trained:
    """A trained component and where it persisted itself."""

    component: TfidfIntentClassifier
    storage: LocalModelStorage
    resource: Resource


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test-model")


def _training_data() -> TrainingData:
    messages = [
        Message(data={"text": text, "intent": move})
        for move, texts in EXAMPLES.items()
        for text in texts
    ]
    return TrainingData(messages)


def _train(storage_path: Path, config: dict[str, Any]) -> Trained:
    storage = LocalModelStorage(storage_path)
    resource = Resource("tfidf_intent_classifier")
    component = TfidfIntentClassifier.create(config, storage, resource, _context())
    assert component.train(_training_data()) == resource
    return Trained(component, storage, resource)


def _load(trained: Trained, config: dict[str, Any] | None = None) -> TfidfIntentClassifier:
    settings = config if config is not None else trained.component.config
    return TfidfIntentClassifier.load(settings, trained.storage, trained.resource, _context())


def _parse(component: TfidfIntentClassifier, text: str) -> dict[str, Any]:
    """What Rasa passes on of the message: its output properties only."""
    [message] = component.process([Message(data={"text": text})])
    return message.as_dict(only_output_properties=True)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Trained:
    config = TfidfIntentClassifier.get_default_config()
    return _train(tmp_path_factory.mktemp("model_storage"), config)


@pytest.mark.parametrize(
    ("text", "move"),
    [
        ("Goedemiddag, ik ben Sanne van de gemeente.", "begroeten"),
        ("Hoe gaat het nu met u?", "open_vraag"),
        ("Dat klinkt zwaar.", "empathie"),
        ("Wat is uw BSN?", "info_opvragen"),
        ("Dat is uw eigen schuld.", "oordelen"),
    ],
)
def test_a_clear_message_gets_its_move(trained: Trained, text: str, move: str) -> None:
    parsed = _parse(trained.component, text)
    assert parsed["text"] == text
    assert parsed["intent"]["name"] == move
    assert parsed["intent"]["confidence"] >= trained.component.config["act_threshold"]
    assert parsed[ACTS] == [
        {"text": text, "move": move, "confidence": parsed["intent"]["confidence"]}
    ]


@pytest.mark.parametrize("text", SAMPLES)
def test_the_ranking_holds_every_move_best_first(trained: Trained, text: str) -> None:
    parsed = _parse(trained.component, text)
    ranking = parsed["intent_ranking"]
    assert sorted(r["name"] for r in ranking) == sorted(EXAMPLES)
    confidences = [r["confidence"] for r in ranking]
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0)
    assert 0.0 <= parsed["intent"]["confidence"] <= 1.0
    assert all(0.0 <= act["confidence"] <= 1.0 for act in parsed[ACTS])


def test_the_ranking_is_cut_to_its_configured_length(trained: Trained) -> None:
    short = _load(trained, {**trained.component.config, "ranking_length": 2})
    ranking = _parse(short, "Hoe gaat het nu met u?")["intent_ranking"]
    assert [r["name"] for r in ranking][:1] == ["open_vraag"]
    assert len(ranking) == 2


@pytest.mark.parametrize(
    ("text", "acts"),
    [
        (
            "Dat klinkt zwaar, hoe gaat het nu met de kinderen?",
            [("hoe gaat het nu met de kinderen?", "open_vraag"), ("Dat klinkt zwaar", "empathie")],
        ),
        (
            "Goedemiddag. Wat is uw BSN?",
            [("Wat is uw BSN?", "info_opvragen"), ("Goedemiddag.", "begroeten")],
        ),
    ],
)
def test_every_act_is_classified_and_the_main_act_comes_first(
    trained: Trained, text: str, acts: list[tuple[str, str]]
) -> None:
    parsed = _parse(trained.component, text)
    assert [(a["text"], a["move"]) for a in parsed[ACTS]] == acts
    main = parsed[ACTS][0]
    assert parsed["intent"] == {"name": main["move"], "confidence": main["confidence"]}


@pytest.mark.parametrize("text", NOT_UNDERSTOOD)
def test_what_the_inwoner_cannot_place_is_fallback(trained: Trained, text: str) -> None:
    parsed = _parse(trained.component, text)
    assert parsed["text"] == text
    assert parsed["intent"]["name"] == FALLBACK
    assert [a["move"] for a in parsed[ACTS]] == [FALLBACK]
    assert len(parsed["intent_ranking"]) == len(EXAMPLES), "the ranking still lists the moves"


def test_an_unsure_question_is_the_likeliest_question_not_fallback(trained: Trained) -> None:
    # A high threshold makes both messages unsure; only the question is still placed.
    strict = _load(trained, {**trained.component.config, "fallback_threshold": 0.6})
    question = _parse(strict, "Heeft u een auto?")
    assert question["intent"]["confidence"] < 0.6
    assert question["intent"]["name"] in QUESTION_MOVES
    statement = _parse(strict, "Het regent vandaag in de stad.")
    assert statement["intent_ranking"][0]["confidence"] < 0.6
    assert statement["intent"]["name"] == FALLBACK


def test_the_loaded_component_predicts_what_the_trained_one_did(trained: Trained) -> None:
    with trained.storage.read_from(trained.resource) as directory:
        assert (directory / MODEL_FILE).is_file()
    loaded = _load(trained)
    assert loaded.pipeline is not None
    before = [_parse(trained.component, text) for text in SAMPLES]
    after = [_parse(loaded, text) for text in SAMPLES]
    assert after == before


def test_a_batch_gives_what_each_message_gives_alone(trained: Trained) -> None:
    messages = [Message(data={"text": text}) for text in SAMPLES]
    together = [m.as_dict() for m in trained.component.process(messages)]
    assert together == [_parse(trained.component, text) for text in SAMPLES]


def test_without_examples_nothing_is_trained_and_messages_pass_untouched(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("empty")
    component = TfidfIntentClassifier.create({}, storage, resource, _context())
    unlabelled = TrainingData([Message(data={"text": "Hoe gaat het met u?"})])
    assert component.train(unlabelled) == resource
    assert component.pipeline is None
    [message] = component.process([Message(data={"text": "Hoe gaat het met u?"})])
    assert message.as_dict() == {"text": "Hoe gaat het met u?"}
    # Nothing was persisted, so loading gives the same untrained component.
    loaded = TfidfIntentClassifier.load({}, storage, resource, _context())
    assert loaded.pipeline is None


def test_a_model_file_that_would_call_code_is_refused(trained: Trained, tmp_path: Path) -> None:
    import os

    import skops.io as sio
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    # A tampered file: a step that calls a function of the OS when it is used.
    assert trained.component.pipeline is not None
    steps = [("call", FunctionTransformer(func=os.getcwd)), *trained.component.pipeline.steps]
    tampered = Pipeline(steps)
    storage = LocalModelStorage(tmp_path)
    resource = Resource("tampered")
    with storage.write_to(resource) as directory:
        sio.dump(tampered, directory / MODEL_FILE)

    loaded = TfidfIntentClassifier.load({}, storage, resource, _context())
    assert loaded.pipeline is None
    [message] = loaded.process([Message(data={"text": "Hoe gaat het met u?"})])
    assert "intent" not in message.as_dict()
