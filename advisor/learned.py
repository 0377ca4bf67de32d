"""The learned part of the matcher: a linear model over advisor.features, as plain arrays.

`advisor/data/matcher.npz` holds two logistic regressions trained offline by
`python3 tools/train_matcher.py`: one over the flat labels (`noise`, `q:<topic>`,
`s:<layer>`), one over decision-matrix rows for symptoms (`none` when no row fits).
Scoring is a sum of weight rows, so it is deterministic, needs only numpy, and each
answer can say which words pushed it there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from io import BytesIO

import numpy as np

from advisor.features import featurise

NOISE = "noise"
OUT = "none"  # no decision-matrix row fits
EVIDENCE_WORDS = 5


def label_of(row: dict) -> str:
    """The flat label of a labelled row: noise, q:<topic> or s:<layer>."""
    if row["kind"] == "question":
        return "q:" + row["topic"]
    if row["kind"] == "symptom":
        return "s:" + row["layer"]
    return NOISE


def kind_of(label: str) -> str:
    return {"q": "question", "s": "symptom"}.get(label[:1], "noise") if label != NOISE else NOISE


@dataclass(frozen=True)
class Prediction:
    """What the model makes of a text: the kind and, per kind, the ranked names."""

    kind: str  # symptom | question | noise
    kind_share: dict[str, float]
    layers: list[tuple[str, float]]  # by probability within symptoms, best first
    topics: list[tuple[str, float]]
    symptoms: list[tuple[str, float]]  # decision-matrix rows, `none` included
    evidence: dict[str, list[str]] = field(default_factory=dict)  # label -> words

    @property
    def layer(self) -> str | None:
        return self.layers[0][0] if self.kind == "symptom" else None

    @property
    def topic(self) -> str | None:
        return self.topics[0][0] if self.kind == "question" else None


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


class Model:
    """Weights keyed by feature name; built from the arrays the training tool writes."""

    def __init__(self, features, classes, weights, bias, symptom_classes, symptom_weights,
                 symptom_bias) -> None:
        self.index = {str(name): i for i, name in enumerate(features)}
        self.classes = [str(c) for c in classes]
        self.weights = np.asarray(weights, dtype=np.float64)
        self.bias = np.asarray(bias, dtype=np.float64)
        self.symptom_classes = [str(c) for c in symptom_classes]
        self.symptom_weights = np.asarray(symptom_weights, dtype=np.float64)
        self.symptom_bias = np.asarray(symptom_bias, dtype=np.float64)

    @classmethod
    def from_arrays(cls, arrays) -> Model:
        return cls(**{k: arrays[k] for k in (
            "features", "classes", "weights", "bias", "symptom_classes", "symptom_weights",
            "symptom_bias")})

    def predict(self, text: str) -> Prediction:
        feats = featurise(text)
        rows, values, sources = [], [], []
        for name, value, source in zip(feats.names, feats.values, feats.sources, strict=True):
            i = self.index.get(name)
            if i is not None:
                rows.append(i)
                values.append(value)
                sources.append(source)
        x = np.asarray(values)
        w = self.weights[rows]
        probs = _softmax(x @ w + self.bias)
        sym_probs = _softmax(x @ self.symptom_weights[rows] + self.symptom_bias)
        by_kind: dict[str, float] = {"symptom": 0.0, "question": 0.0, NOISE: 0.0}
        for label, p in zip(self.classes, probs, strict=True):
            by_kind[kind_of(label)] += float(p)
        kind = max(by_kind, key=lambda k: (by_kind[k], k))
        layers = self._ranked("s:", probs, by_kind["symptom"])
        topics = self._ranked("q:", probs, by_kind["question"])
        symptoms = sorted(zip(self.symptom_classes, map(float, sym_probs), strict=True),
                          key=lambda kv: (-kv[1], kv[0]))
        best = {"symptom": "s:" + layers[0][0], "question": "q:" + topics[0][0],
                NOISE: NOISE}[kind]
        col = self.classes.index(best)
        evidence = {best: _evidence(x * w[:, col], sources)} if rows else {}
        return Prediction(kind, by_kind, layers, topics, symptoms, evidence)

    def _ranked(self, prefix: str, probs: np.ndarray, mass: float) -> list[tuple[str, float]]:
        mass = mass or 1.0
        found = [(c[len(prefix):], float(p) / mass) for c, p in zip(self.classes, probs,
                                                                    strict=True)
                 if c.startswith(prefix)]
        return sorted(found, key=lambda kv: (-kv[1], kv[0]))


def _evidence(contrib: np.ndarray, sources: list[str]) -> list[str]:
    """The words (or word pairs) that pushed hardest towards the winner, strongest first."""
    by_source: dict[str, float] = {}
    for value, source in zip(contrib.tolist(), sources, strict=True):
        if source and source != "#":
            by_source[source] = by_source.get(source, 0.0) + value
    ranked = sorted(by_source.items(), key=lambda kv: (-kv[1], kv[0]))
    return [s for s, v in ranked if v > 0][:EVIDENCE_WORDS]


@lru_cache(maxsize=1)
def default_model() -> Model:
    """The packaged arrays, loaded once (read-only afterwards, so sharing is safe)."""
    raw = resources.files("advisor").joinpath("data/matcher.npz").read_bytes()
    with np.load(BytesIO(raw), allow_pickle=False) as arrays:
        return Model.from_arrays(arrays)
