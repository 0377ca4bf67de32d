"""The learned part of the matcher: a linear model over advisor.features, as plain arrays.

`advisor/data/matcher.npz` holds four logistic regressions trained offline by
`python3 tools/train_matcher.py`: the kind of text (symptom, question, noise), the layer
of a symptom, the topic of a question, and the decision-matrix row of a symptom (`none`
when no row fits).
Scoring is a sum of weight rows, so it is deterministic, needs only numpy, and each
answer can say which words pushed it there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from io import BytesIO
from itertools import repeat

import numpy as np

from advisor.features import featurise

NOISE = "noise"
OUT = "none"  # no decision-matrix row fits
EVIDENCE_WORDS = 5
EVIDENCE_SHARE = 0.1  # a word weighing under a tenth of the strongest is not shown
_FILLER = frozenset({
    "a", "an", "the", "is", "are", "was", "be", "to", "of", "in", "on", "at", "for", "and",
    "or", "it", "we", "i", "our", "my", "this", "that", "with", "s", "ms", "%", "?",
    "from", "went", "has", "have", "had", "been", "as", "by", "so", "but", "if", "its",
    "they", "there", "then", "than", "into",
    "re", "ve", "ll", "d", "m", "t",  # what is left of "we're", "I've", "we'll", "don't"
})
HEADS = ("kind", "layer", "topic", "symptom")
# The heads whose winner an answer of each kind shows the words for (chatter keeps its
# topic's words too: a question the kind head doubted may still be taken as one).
_EXPLAINED = {"symptom": ("layer", "symptom"), "question": ("topic",),
              NOISE: ("kind", "topic")}


def label_of(row: dict) -> str:
    """The flat label of a labelled row: noise, q:<topic> or s:<layer> (for folds)."""
    if row["kind"] == "question":
        return "q:" + row["topic"]
    if row["kind"] == "symptom":
        return "s:" + row["layer"]
    return NOISE


def head_label(head: str, row: dict) -> str | None:
    """What `row` teaches one head; None when the row says nothing to it."""
    if head == "kind":
        return row["kind"]
    if head == "layer":
        return row.get("layer") if row["kind"] == "symptom" else None
    if head == "topic":
        return row.get("topic") if row["kind"] == "question" else None
    return (row.get("symptom") or OUT) if row["kind"] == "symptom" else None


Ranked = list[tuple[str, float]]


@dataclass(frozen=True)
class Prediction:
    """What the model makes of a text: each head's names ranked by probability."""

    kinds: Ranked  # symptom | question | noise
    layers: Ranked
    topics: Ranked
    symptoms: Ranked  # decision-matrix rows, `none` included
    evidence: dict[str, list[str]] = field(default_factory=dict)  # head -> words
    known_words: int = 0  # words (or vocabulary hits) the model has weights for

    @property
    def kind(self) -> str:
        return self.kinds[0][0]

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
    """Four logistic regressions side by side in one weight matrix, one column per
    `head:name` class, rows keyed by feature name."""

    def __init__(self, features, classes, weights, bias) -> None:
        self.index = {str(name): i for i, name in enumerate(features)}
        self.weights = np.asarray(weights, dtype=np.float64)
        self.bias = np.asarray(bias, dtype=np.float64)
        names = [str(c) for c in classes]
        # Rows that stand for words (or vocabulary terms), not letters, shape or a bare
        # number (`w:#`: "927" alone says nothing): only they count as known words and as
        # evidence.
        self.wordly = np.array([str(name)[0] in "wbv" and str(name) != "w:#"
                                for name in features], dtype=bool)
        dims = sum(name.startswith("e:") for name in self.index)
        vector_rows = [self.index[f"e:{d}"] for d in range(dims)]
        # The meaning vector's weights, dense: one product per text, not a lookup per dim.
        self.vector_weights = self.weights[vector_rows]
        self.heads: dict[str, tuple[list[str], slice]] = {}
        for head in HEADS:
            cols = [i for i, c in enumerate(names) if c.startswith(head + ":")]
            self.heads[head] = ([names[i].split(":", 1)[1] for i in cols],
                                slice(cols[0], cols[-1] + 1))

    @classmethod
    def from_arrays(cls, arrays) -> Model:
        return cls(**{k: arrays[k] for k in ("features", "classes", "weights", "bias")})

    def predict(self, text: str, *, keep_cleared: bool = False) -> Prediction:
        feats = featurise(text, keep_cleared=keep_cleared)
        every = np.fromiter(map(self.index.get, feats.names, repeat(-1)), dtype=np.intp,
                            count=len(feats.names))
        kept = np.flatnonzero(every >= 0)  # the features the model has a row for, in order
        rows = every[kept]
        wordly = self.wordly[rows]
        known_words = int(wordly.sum())
        x = np.asarray(feats.values)[kept]
        w = self.weights[rows]
        z = x @ w + self.bias
        if feats.vector is not None and len(feats.vector) == len(self.vector_weights):
            z += feats.vector @ self.vector_weights
        ranked: dict[str, Ranked] = {}
        for head, (names, cols) in self.heads.items():
            probs = _softmax(z[cols]).tolist()
            ranked[head] = sorted(zip(names, probs, strict=True),
                                  key=lambda kv: (-kv[1], kv[0]))
        evidence: dict[str, list[str]] = {}
        explained = _EXPLAINED[ranked["kind"][0][0]] if len(rows) else ()
        sources = [feats.sources[k] for k in kept.tolist()] if explained else []
        for head in explained:
            names, cols = self.heads[head]
            best = cols.start + names.index(ranked[head][0][0])
            evidence[head] = _evidence(x * w[:, best], sources, wordly)
        return Prediction(ranked["kind"], ranked["layer"], ranked["topic"], ranked["symptom"],
                          evidence, known_words)


def _evidence(contrib: np.ndarray, sources: list[str], wordly: np.ndarray) -> list[str]:
    """The words (or word pairs) that pushed hardest towards the winner, strongest first.
    A word counts only if it weighs as a word (or a vocabulary term), not merely through
    its letters."""
    by_source: dict[str, float] = {}
    backed: set[str] = set()
    positive = np.flatnonzero(contrib > 0)
    for i, value, word in zip(positive.tolist(), contrib[positive].tolist(),
                              wordly[positive].tolist(), strict=True):
        source = sources[i]
        if source:
            by_source[source] = by_source.get(source, 0.0) + value
            if word:
                backed.add(source)
    by_source = {s: v for s, v in by_source.items() if s in backed}
    ranked = sorted(by_source.items(), key=lambda kv: (-kv[1], kv[0]))
    shown: list[str] = []
    floor = EVIDENCE_SHARE * ranked[0][1] if ranked else 0.0
    for source, value in ranked:
        words = source.split()
        if value <= floor or "#" in words or all(w in _FILLER for w in words):
            continue
        if any(source in kept.split() for kept in shown):
            continue  # "cpu" adds nothing after "db cpu"
        shown.append(source)
        if len(shown) == EVIDENCE_WORDS:
            break
    return shown


@lru_cache(maxsize=1)
def default_model() -> Model:
    """The packaged arrays, loaded once (read-only afterwards, so sharing is safe)."""
    raw = resources.files("advisor").joinpath("data/matcher.npz").read_bytes()
    with np.load(BytesIO(raw), allow_pickle=False) as arrays:
        return Model.from_arrays(arrays)
