"""Text to sparse features: the one featuriser shared by training and run time.

The learned matcher (advisor.learned) and the training tool (tools/train_matcher.py) both
call `featurise`, so what the model saw while learning is exactly what it sees when
answering. Features are plain strings: words (`w:`), word pairs (`b:`), character
n-grams inside words (`c:`), so typos and unseen inflections still share most of their
features with known words, a few cues about the shape of the text (`x:`), and what the
hand-written vocabulary's words point at (`v:`, e.g. `v:layer:database` for "hikari"), and
the text's meaning as a dense vector (`e:0` ... `e:127`, advisor.wordvectors), which lets
words no labelled phrase used count by their likeness to words that did. Each feature
remembers the words it came from, which is what an answer shows as evidence (the vector
names no word, so it is never shown).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from advisor.cleared import without_cleared
from advisor.vocabulary import CODE_PLURAL, plain_names
from advisor.wordvectors import default_vectors

MAX_CHARS = 2000
CHAR_SIZES = (3, 4, 5)
# Weights of the feature families in the vector (each family is scaled to unit length
# first, so a long pasted log line does not drown its words in character n-grams).
FAMILY_WEIGHTS = {"w": 1.0, "b": 0.6, "c": 1.0, "x": 0.5, "v": 1.0, "e": 1.0}
VOCAB_CAP = 3.0  # a vocabulary weight of 3 is "decisive"; more adds nothing

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_CAMEL_NEED = re.compile(r"[a-zA-Z][A-Z]")  # what any place `_CAMEL` cuts holds
_TOKEN = re.compile(r"[a-z][a-z0-9]*|[45]xx\b|\d+(?:\.\d+)?")
_CLOCK = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?![\d:])")
_DIGIT = re.compile(r"\d")  # what `_TOKEN`, `_CLOCK` and CODE_PLURAL need to read a number
_QUESTION_WORDS = frozenset({
    "how", "what", "when", "which", "should", "is", "are", "can", "do", "does", "why",
    "would", "will", "could", "where", "any", "best",
})


@dataclass(frozen=True)
class Features:
    """Feature names with their values, and for each the words it came from."""

    names: list[str]
    values: list[float]
    sources: list[str]
    vector: np.ndarray | None = None  # the meaning vector, weighted: features e:0, e:1, ...

    def vector_names(self) -> tuple[str, ...]:
        return _vector_names(0 if self.vector is None else len(self.vector))


def tokens(text: str) -> list[str]:
    """Lower-case words, with glued identifiers split (`OOMKilled` -> oom, killed) and
    numbers reduced to what carries meaning (HTTP-like codes stay, the rest is `#`)."""
    return list(_recent_tokens(text[:MAX_CHARS]))


@lru_cache(maxsize=8)
def _recent_tokens(text: str) -> tuple[str, ...]:
    """`tokens` of the last few texts: the matcher reads a text's words more than once
    (its features, then whether it is one word)."""
    spaced = plain_names(text)
    if _CAMEL_NEED.search(spaced) is not None:
        spaced = _CAMEL.sub(" ", spaced)
    spaced = spaced.lower()
    if _DIGIT.search(spaced) is None:
        return tuple(_TOKEN.findall(spaced))  # words alone: no clock, number or code to read
    spaced = _CLOCK.sub(" ", spaced)  # "at 09:02": when, which says nothing of where
    out: list[str] = []
    for tok in _TOKEN.findall(CODE_PLURAL.sub(r"\1", spaced)):
        if tok[0].isdigit():  # an HTTP error code or class (503, 5xx) keeps its meaning
            code = tok[1:] == "xx" or (len(tok) == 3 and tok[0] in "45" and tok.isdigit())
            out.append(tok if code else "#")
        else:
            out.append(tok)
    return tuple(out)


def featurise(text: str, *, keep_cleared: bool = False) -> Features:
    """The features of `text`, each family scaled to unit length (vocabulary hits keep
    their own strength). Clauses that only say something is fine are dropped unless
    `keep_cleared`."""
    from advisor.vocab_match import vocabulary_hits

    if not keep_cleared:
        text = without_cleared(text)  # "db looks fine" is no evidence for the database
    toks = tokens(text)
    fams: dict[str, dict[str, str]] = {"w": {}, "b": {}, "c": {}, "x": {}}
    words = fams["w"]
    first_source = fams["c"].setdefault  # the first word a gram came from is its source
    for tok in toks:
        word = "w:" + tok
        if word in words:
            continue  # a repeated word adds no feature and no source
        words[word] = tok
        for gram in _char_grams(tok):
            first_source(gram, tok)
    for a, b in zip(toks, toks[1:], strict=False):
        fams["b"].setdefault(f"b:{a} {b}", f"{a} {b}")
    stripped = text.strip()
    if "?" in stripped:
        fams["x"]["x:qmark"] = "?"
    if toks and toks[0] in _QUESTION_WORDS:
        fams["x"]["x:starts_" + toks[0]] = toks[0]
    if "%" in stripped:
        fams["x"]["x:percent"] = "%"
    if len(toks) <= 4:
        fams["x"]["x:short"] = ""
    names: list[str] = []
    values: list[float] = []
    sources: list[str] = []
    for fam, feats in fams.items():
        if not feats:
            continue
        names.extend(feats)  # a family's features share one value; extend, not append
        values.extend([FAMILY_WEIGHTS[fam] / math.sqrt(len(feats))] * len(feats))
        sources.extend(feats.values())
    for hit, (weight, words) in sorted(vocabulary_hits(text).items()):
        names.append("v:" + hit)
        values.append(FAMILY_WEIGHTS["v"] * min(weight, VOCAB_CAP) / VOCAB_CAP)
        sources.append(words)
    meaning = default_vectors().of(text)
    vector = None if meaning is None else FAMILY_WEIGHTS["e"] * meaning
    return Features(names, values, sources, vector)


@lru_cache(maxsize=8192)
def _char_grams(tok: str) -> tuple[str, ...]:
    """The character n-gram features of one word, in order (none for short or non-alphabetic
    words); words recur across texts, so each is cut up once per process."""
    if not (tok.isalpha() and len(tok) >= 3):
        return ()
    padded = f"<{tok}>"
    return tuple("c:" + padded[i: i + n] for n in CHAR_SIZES
                 for i in range(len(padded) - n + 1))


@lru_cache(maxsize=4)
def _vector_names(dims: int) -> tuple[str, ...]:
    return tuple(f"e:{i}" for i in range(dims))
