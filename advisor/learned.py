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
        known_words = int(np.count_nonzero(wordly))
        # From floats, what np.asarray gives, without looking for a shape in each one.
        x = np.fromiter(feats.values, dtype=np.float64, count=len(feats.values))[kept]
        w = self.weights.take(rows, axis=0)  # what `self.weights[rows]` gives, sooner
        z = x @ w + self.bias
        if feats.vector is not None and len(feats.vector) == len(self.vector_weights):
            z += feats.vector @ self.vector_weights
        ranked = self._ranked(z)
        evidence: dict[str, list[str]] = {}
        explained = _EXPLAINED[ranked["kind"][0][0]] if len(rows) else ()
        for head in explained:
            names, cols = self.heads[head]
            best = cols.start + names.index(ranked[head][0][0])
            evidence[head] = _evidence(x * w[:, best], feats.sources, kept, wordly)
        return Prediction(ranked["kind"], ranked["layer"], ranked["topic"], ranked["symptom"],
                          evidence, known_words)

    def _ranked(self, z: np.ndarray) -> dict[str, Ranked]:
        """Each head's names by probability (a softmax over its columns), highest first,
        ties by name. numpy's own reductions are called directly: a head has a handful
        of columns, so their Python wrappers cost more than the sums."""
        scores = z.tolist()
        ranked: dict[str, Ranked] = {}
        for head, (names, cols) in self.heads.items():
            e = np.exp(z[cols] - max(scores[cols]))  # the max is exact, as ndarray.max's
            probs = (e / np.add.reduce(e)).tolist()  # what `e / e.sum()` gives
            ranked[head] = sorted(zip(names, probs, strict=True),
                                  key=lambda kv: (-kv[1], kv[0]))
        return ranked


def _evidence(contrib: np.ndarray, sources: list[str], places: np.ndarray,
              wordly: np.ndarray) -> list[str]:
    """The words (or word pairs) that pushed hardest towards the winner, strongest first.
    A word counts only if it weighs as a word (or a vocabulary term), not merely through
    its letters. `places` says where each contribution's feature is in `sources`."""
    positive = np.flatnonzero(contrib > 0)
    at = places[positive]
    backed = {sources[i] for i in at[wordly[positive]].tolist()}
    backed.discard("")
    by_source: dict[str, float] = {}
    total = by_source.get
    for i, value in zip(at.tolist(), contrib[positive].tolist(), strict=True):
        source = sources[i]
        if source in backed:  # summed in feature order, as always
            by_source[source] = total(source, 0.0) + value
    ranked = sorted(by_source.items(), key=lambda kv: (-kv[1], kv[0]))
    shown: list[str] = []
    floor = EVIDENCE_SHARE * ranked[0][1] if ranked else 0.0
    for source, value in ranked:
        if value <= floor:
            break  # ranked by weight: every word after this one weighs no more
        words = source.split()
        if "#" in words or all(w in _FILLER for w in words):
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
