"""Move probabilities from the trained pipeline, computed the cheap way.

`Pipeline.predict_proba` on the classifier's pipeline did two things per call
that cost without need:
- FeatureUnion runs its two vectorizers through joblib (a Parallel per call);
- LogisticRegression computes `X @ coef_.T`: the transposed weights are not
  C-contiguous, so scipy copies the whole features x moves matrix (43,000 x 26
  floats) on every call before multiplying. That copy was 8% of the Rasa
  process's time.

`MoveScorer` keeps a C-contiguous copy of the weights once, calls the
vectorizers directly and applies sklearn's own softmax: the same arithmetic in
the same order, so the same probabilities. A pipeline of another shape (a
one-vs-rest model, weighted or dropped features) is scored by `predict_proba`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils.extmath import softmax


def _is_multinomial(model: LogisticRegression) -> bool:
    """LogisticRegression.predict_proba's own test for softmax over the decision."""
    ovr = model.multi_class in ("ovr", "warn") or (
        model.multi_class == "auto" and (model.classes_.size <= 2 or model.solver == "liblinear")
    )
    return not ovr


class MoveScorer:
    """The pipeline's `predict_proba`, with the weights laid out once for the product."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.classes = [str(c) for c in pipeline.classes_]
        self._vectorizers: list[TfidfVectorizer] = []
        self._weights: np.ndarray[Any, Any] | None = None
        self._intercept: np.ndarray[Any, Any] | None = None
        steps = dict(pipeline.steps)
        features, model = steps.get("features"), steps.get("model")
        if (
            len(pipeline.steps) == 2
            and isinstance(features, FeatureUnion)
            and isinstance(model, LogisticRegression)
            and features.transformer_weights is None
            and all(isinstance(t, TfidfVectorizer) for _, t in features.transformer_list)
            and _is_multinomial(model)
        ):
            self._vectorizers = [t for _, t in features.transformer_list]
            # coef_ is moves x features; the product needs features x moves in C order.
            self._weights = np.ascontiguousarray(model.coef_.T)
            self._intercept = model.intercept_

    @property
    def direct(self) -> bool:
        """Whether the cheap path is used (False: the pipeline's own predict_proba)."""
        return self._weights is not None

    def probabilities(self, texts: list[str]) -> np.ndarray[Any, Any]:
        """One row of move probabilities per text, in the order of `classes`."""
        if self._weights is None or self._intercept is None:
            result: np.ndarray[Any, Any] = self.pipeline.predict_proba(texts)
            return result
        blocks = [v.transform(texts) for v in self._vectorizers]
        features = sparse.hstack(blocks).tocsr()
        scores = features @ self._weights + self._intercept
        result = softmax(scores, copy=False)
        return result

    def classify(self, texts: list[str]) -> list[dict[str, float]]:
        """Each text's probability per move, as `label_acts` takes them."""
        rows = self.probabilities(texts)
        return [dict(zip(self.classes, map(float, row), strict=True)) for row in rows]
