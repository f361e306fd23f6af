"""The classifier scores a message in one batch, with the result scikit-learn's own path gives.

`TfidfIntentClassifier.process` scores a message's acts (and the whole message)
in one batch through `MoveScorer`, which keeps the weights laid out for the
product instead of calling `Pipeline.predict_proba` per act. On the trained
model and the held-out realistic messages, every intent, act and ranking must be
what the pipeline's own `predict_proba`, called the way the classifier used to
call it, gives.
"""

from __future__ import annotations

import tarfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import skops.io as sio
import yaml
from rasa.shared.nlu.training_data.message import Message
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from coach_nlu.scorer import MoveScorer
from coach_nlu.tfidf_classifier import MODEL_FILE, TRUSTED_TYPES, TfidfIntentClassifier
from gesprekscoach.language.acts import label_acts
from gesprekscoach.moves import FALLBACK
from gesprekscoach.protocol import ACTS

ROOT = Path(__file__).resolve().parents[2]
EXTRA = [
    "",
    "   ",
    "asdkj qwpoe zxcvb",
    "Could you send me the documents?",
    "Goedemiddag. Wat is uw BSN? Dat klinkt zwaar, hoe gaat het met de kinderen?",
    "Vier maanden zonder geld. Dat had nooit zo mogen gaan. Ik snap dat u op uw hoede bent.",
    "Hoe " * 400,
]


def _config() -> dict[str, Any]:
    """The classifier's settings in config.yml, over its defaults."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    [step] = [s for s in config["pipeline"] if s["name"].endswith("TfidfIntentClassifier")]
    settings = {k: v for k, v in step.items() if k != "name"}
    return {**TfidfIntentClassifier.get_default_config(), **settings}


@pytest.fixture(scope="module")
def pipeline(model: Path) -> Pipeline:
    """The trained pipeline inside the current model."""
    with tarfile.open(model) as archive:
        [member] = [m for m in archive.getmembers() if m.name.endswith(MODEL_FILE)]
        data = archive.extractfile(member)
        assert data is not None
        loaded: Pipeline = sio.loads(data.read(), trusted=TRUSTED_TYPES)
    return loaded


def _messages() -> list[str]:
    path = ROOT / "tests/nlu_realistic/messages.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [str(m["text"]) for m in data["messages"]] + EXTRA


def _by_predict_proba(pipeline: Pipeline, config: dict[str, Any], text: str) -> dict[str, Any]:
    """What the classifier gave when it called predict_proba per act and again for the main act."""
    classes = [str(c) for c in pipeline.classes_]

    def classify(texts: list[str]) -> list[dict[str, float]]:
        rows = pipeline.predict_proba(texts)
        return [dict(zip(classes, map(float, row), strict=True)) for row in rows]

    acts = label_acts(
        text, classify, config["fallback_threshold"], FALLBACK, config["act_threshold"]
    )
    best = sorted(classify([acts[0].text])[0].items(), key=lambda kv: -kv[1])
    return {
        "intent": {"name": acts[0].move, "confidence": acts[0].confidence},
        "intent_ranking": [
            {"name": n, "confidence": p} for n, p in best[: config["ranking_length"]]
        ],
        ACTS: [asdict(a) for a in acts],
    }


def _processed(component: TfidfIntentClassifier, text: str) -> dict[str, Any]:
    [message] = component.process([Message(data={"text": text})])
    return message.as_dict(only_output_properties=True)


def test_the_model_is_scored_the_cheap_way(pipeline: Pipeline) -> None:
    scorer = MoveScorer(pipeline)
    assert scorer.direct
    assert scorer.classes == [str(c) for c in pipeline.classes_]


def test_every_realistic_message_is_read_as_predict_proba_reads_it(pipeline: Pipeline) -> None:
    config = _config()
    component = TfidfIntentClassifier(config, None, None, pipeline)  # type: ignore[arg-type]
    texts = _messages()
    assert len(texts) > 250
    for text in texts:
        expected = _by_predict_proba(pipeline, config, text)
        got = _processed(component, text)
        assert got["intent"] == expected["intent"], text
        assert got[ACTS] == expected[ACTS], text
        names = [r["name"] for r in got["intent_ranking"]]
        assert names == [r["name"] for r in expected["intent_ranking"]], text
        for ours, theirs in zip(got["intent_ranking"], expected["intent_ranking"], strict=True):
            assert ours["confidence"] == pytest.approx(theirs["confidence"], abs=1e-9), text


def test_the_probabilities_are_those_of_predict_proba(pipeline: Pipeline) -> None:
    texts = _messages()
    ours = MoveScorer(pipeline).probabilities(texts)
    np.testing.assert_allclose(ours, pipeline.predict_proba(texts), rtol=0, atol=1e-12)


class CountingScorer(MoveScorer):
    def __init__(self, pipeline: Pipeline) -> None:
        super().__init__(pipeline)
        self.batches: list[list[str]] = []

    def classify(self, texts: list[str]) -> list[dict[str, float]]:
        self.batches.append(list(texts))
        return super().classify(texts)


@pytest.mark.parametrize(
    "text",
    [
        "Hoe gaat het nu met u?",
        "Goedemiddag. Wat is uw BSN?",
        "Vier maanden zonder geld. Dat had nooit zo mogen gaan. Ik snap dat u op uw hoede bent.",
        "",
    ],
)
def test_a_message_is_scored_in_one_batch(pipeline: Pipeline, text: str) -> None:
    component = TfidfIntentClassifier(_config(), None, None, pipeline)  # type: ignore[arg-type]
    counting = CountingScorer(pipeline)
    component._scorer = counting
    _processed(component, text)
    assert len(counting.batches) == 1, counting.batches


def test_a_pipeline_of_another_shape_is_scored_by_predict_proba() -> None:
    """Two moves make a one-vs-rest model: its probabilities are not a softmax."""
    texts = ["Hoe gaat het met u?", "Wat is uw BSN?", "Hoe is het thuis?", "Uw adres graag."]
    features = FeatureUnion([("words", TfidfVectorizer())])
    two = Pipeline([("features", features), ("model", LogisticRegression())])
    two.fit(texts, ["open_vraag", "info_opvragen", "open_vraag", "info_opvragen"])
    scorer = MoveScorer(two)
    assert not scorer.direct
    np.testing.assert_array_equal(scorer.probabilities(texts), two.predict_proba(texts))
