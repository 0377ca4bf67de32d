"""The hand-written vocabulary's reading of free text (the matcher before the learned one).

advisor.matching now decides with signatures and a learned model; this module lends it
the vocabulary's knowledge: `vocabulary_hits` (product names, synonyms, typos, glued
identifiers, as features of the model), and the signals and "already done" rungs a
text reports. `match` is kept as the baseline the training tool measures against.

The vocabulary matcher scores the words of the text against the vocabulary (exact phrases, then
digit-suffixed names like `mysql1`, glued identifiers like `MaxPoolSize`, then typos
via rapidfuzz) and the numbers in it (`db cpu 92%` points at the database). It prefers
saying "not a scaling problem" with low confidence over guessing: a layer needs both
a place (database, disk, DNS...) and trouble (slow, exhausted, timeout...) that
outweigh any sign of ordinary incidents (expired certificates, bad deploys, small talk).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from advisor.metrics import MetricName
from advisor.models import Layer, Match, Symptom, Topic
from advisor.units import extract_metrics
from advisor.vocabulary import (
    MAX_PHRASE_TOKENS,
    Hit,
    PhraseIndex,
    Vocabulary,
    default_vocabulary,
)
from advisor.wordvectors import default_vectors

MAX_REPEATS = 1  # a word said twice is not twice the evidence
MAX_COMPOUND = 64  # letters in a glued identifier worth splitting (`maxpoolsize`)
MAX_REMEMBERED_WORDS = 20_000  # unknown words whose stand-ins are kept (a few MB at most)
_SENTENCE_RE = re.compile(r"[.!?\n]+\s*")
_FIRST_WORD_RE = re.compile(r"[a-z']+")


@dataclass
class _Scores:
    """Weights gathered per target, and which words earned them."""

    layer: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    symptom: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    topic: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    noise: float = 0.0
    trouble: float = 0.0
    why: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    layer_at: list[tuple[int, str]] = field(default_factory=list)
    trouble_at: list[tuple[int, float]] = field(default_factory=list)

    def add(self, hit: Hit, words: str, factor: float = 1.0, at: int | None = None,
            decisive: float = 2.5) -> None:
        weight = hit.weight * factor
        if hit.kind == "noise":
            self.noise += weight
        elif hit.kind == "trouble":
            self.trouble += weight
            if at is not None:
                self.trouble_at.append((at, weight))
        else:
            getattr(self, hit.kind)[hit.key] += weight
            if hit.kind == "layer" and at is not None:
                self.layer_at.append((at, hit.key))
            if hit.kind == "symptom" and hit.weight >= decisive:
                self.trouble += weight  # "high cpu" is trouble; a bare "cpu" is not
        reasons = self.why[(hit.kind, hit.key)]
        if words not in reasons:
            reasons.append(words)

    def evidence(self, kind: str, key: str | None) -> list[str]:
        return list(self.why.get((kind, key or ""), []))


def match(text: str, vocabulary: Vocabulary | None = None) -> Match:
    """Classify free text; never raises, whatever the input."""
    vocab = vocabulary or default_vocabulary()
    text = text if isinstance(text, str) else ""
    clipped = text[: vocab.tuning.max_chars]
    metrics = extract_metrics(clipped)
    pairs = vocab.tokens(clipped)
    words = _content_words(pairs, vocab)
    scores = _Scores()
    _score_words(words, vocab, scores)
    _score_metrics(metrics, vocab, scores)
    said = " " + " ".join(vocab.phrase_words(clipped, pairs)) + " "
    found = _Found(
        metrics=metrics,
        signals=_phrases_present(said, vocab.signals_by_word, vocab, negatable=False),
        done=_phrases_present(said, vocab.done_by_word, vocab, negatable=True),
        question=_looks_like_question(clipped, said, vocab),
    )
    return _decide(scores, found, vocab)


def vocabulary_hits(text: str, vocabulary: Vocabulary | None = None
                    ) -> dict[str, tuple[float, str]]:
    """What the vocabulary's words point at (`layer:database`, `topic:cdn`, `noise`...),
    with their summed weights and the words that said so: features for the learned model."""
    vocab = vocabulary or default_vocabulary()
    words = _content_words(vocab.tokens(text[: vocab.tuning.max_chars]), vocab)
    scores = _Scores()
    _score_words(words, vocab, scores)
    hits = {f"{kind}:{key}": (value, " ".join(scores.evidence(kind, key)))
            for kind in ("layer", "symptom", "topic")
            for key, value in getattr(scores, kind).items() if value > 0}
    if scores.noise > 0:
        hits["noise"] = (scores.noise, " ".join(scores.evidence("noise", "noise")))
    if scores.trouble > 0:
        hits["trouble"] = (scores.trouble, "")
    return hits


def asks_something(text: str, vocabulary: Vocabulary | None = None) -> bool:
    """Whether the text is put as a question: a "?", a sentence opening with a question
    word, or a question phrase ("how many", "should we") from the vocabulary."""
    vocab = vocabulary or default_vocabulary()
    clipped = text[: vocab.tuning.max_chars]
    said = " " + " ".join(vocab.phrase_words(clipped)) + " "
    return _looks_like_question(clipped, said, vocab)


def found_in(text: str, vocabulary: Vocabulary | None = None) -> tuple[set[str], set[str]]:
    """The signals a text reports and the rungs it says are already done."""
    vocab = vocabulary or default_vocabulary()
    clipped = text[: vocab.tuning.max_chars]
    said = " " + " ".join(vocab.phrase_words(clipped, vocab.tokens(clipped))) + " "
    return (_phrases_present(said, vocab.signals_by_word, vocab, negatable=False),
            _phrases_present(said, vocab.done_by_word, vocab, negatable=True))


def _content_words(pairs: Sequence[tuple[str, str]], vocab: Vocabulary
                   ) -> list[tuple[str, str]]:
    """The words that carry meaning, with a number kept where it ends a term with the word
    before it ("route 53")."""
    stop, index = vocab.stop, vocab.index
    words: list[tuple[str, str]] = []
    for norm, original in pairs:
        if _content(norm, stop, index) or (words and (words[-1][0], norm) in index):
            words.append((norm, original))
    return words


def _content(word: str, stop: frozenset[str], index: dict) -> bool:
    """Words that carry meaning: no stopwords, no bare numbers (metrics cover those)
    unless the number is itself a term, like 429 or 504."""
    if word in stop:
        return False
    return not word.isdigit() or (word,) in index


@dataclass(frozen=True)
class _Found:
    metrics: dict[MetricName, float]
    signals: set[str]
    done: set[str]
    question: bool


# ---------------------------------------------------------------- scoring words


def _score_words(words: list[tuple[str, str]], vocab: Vocabulary, scores: _Scores) -> None:
    """Longest vocabulary phrase first at each word; a word counts in one phrase only."""
    index, reach = vocab.index, vocab.reach
    seen: dict[tuple[str, ...], int] = defaultdict(int)
    norms = [n for n, _ in words]
    i = 0
    while i < len(norms):
        longest = min(MAX_PHRASE_TOKENS, len(norms) - i, reach.get(norms[i], 0))
        for size in range(longest, 0, -1):
            key = tuple(norms[i: i + size])
            hits = index.get(key)
            if hits:
                said = " ".join(o for _, o in words[i: i + size])
                _add_all(hits, said, scores, seen, key, at=i)
                i += size
                break
        else:
            _score_unknown_word(words[i], vocab, scores, seen, at=i)
            i += 1
    _credit_troubled_places(scores, vocab.tuning.adjacency)


def _credit_troubled_places(scores: _Scores, reach: int) -> None:
    """Trouble said right beside a place ("database gets DDoSed") points at that place."""
    for t_at, t_weight in scores.trouble_at:
        near = {layer for l_at, layer in scores.layer_at if abs(l_at - t_at) <= reach}
        for layer in near:
            scores.layer[layer] += 0.5 * t_weight


def _score_unknown_word(
    word: tuple[str, str], vocab: Vocabulary, scores: _Scores, seen: dict, at: int
) -> None:
    """A word not in the vocabulary: try `mysql1` -> mysql, `maxpoolsize`, then typos."""
    norm, original = word
    known = vocab.unknown_words
    found = known.get(norm)
    if found is None:
        if len(known) >= MAX_REMEMBERED_WORDS:
            known.clear()  # a flood of made-up words must not grow memory without end
        found = known[norm] = _stand_ins(norm, vocab)
    index = vocab.index
    for key, factor, note in found:
        _add_all(index[key], original + note, scores, seen, key, at, factor)


def _stand_ins(norm: str, vocab: Vocabulary) -> tuple[tuple[tuple[str, ...], float, str], ...]:
    """The vocabulary keys an unknown word stands for, each with its weight factor and the
    note shown beside the word (a typo's term): `mysql1` -> mysql, `maxpoolsize` -> its
    parts, `postgress` -> postgres (fuzzy, for words the language does not have).
    Empty when it stands for nothing."""
    index = vocab.index
    stripped = norm.rstrip("0123456789")
    if stripped != norm and len(stripped) >= 2:
        folded = vocab.fold(stripped)
        if (folded,) in index:
            return (((folded,), 1.0, ""),)
    if not norm.isalpha():
        return ()
    parts = _split_compound(norm, vocab)
    if parts:
        return tuple((key, 1.0, "")
                     for size in range(len(parts), 0, -1)
                     for start in range(len(parts) - size + 1)
                     if (key := tuple(parts[start: start + size])) in index)
    if len(norm) < vocab.tuning.fuzzy_min_len or default_vectors().is_word(norm):
        return ()  # a word of the language is no typo: "launch" is not "lunch"
    choices = vocab.fuzzy_buckets.get(norm[0], ())
    best = process.extractOne(
        norm, choices, scorer=fuzz.ratio, score_cutoff=vocab.tuning.fuzzy_cutoff
    )
    if best is None:
        return ()
    factor = vocab.tuning.fuzzy_weight * best[1] / 100
    return (((best[0],), factor, f" (~{best[0]})"),)


def _add_all(hits, said: str, scores: _Scores, seen: dict, key, at: int,
             factor: float = 1.0) -> None:
    seen[key] += 1
    if seen[key] > MAX_REPEATS:
        return
    for hit in hits:
        scores.add(hit, said, factor, at)


def _split_compound(word: str, vocab: Vocabulary) -> list[str] | None:
    """`maxpoolsize` -> [max, pool, size] when every piece is known and one is a term.
    A glued identifier is short; past MAX_COMPOUND letters a word is noise, and splitting it
    would cost the cube of its length."""
    if not 6 <= len(word) <= MAX_COMPOUND:
        return None
    known, glue = vocab.index, vocab.parts
    best: list[list[str] | None] = [None] * (len(word) + 1)
    best[0] = []
    for end in range(3, len(word) + 1):
        for start in range(0, end - 2):
            head = best[start]
            if head is None:
                continue
            piece = word[start:end]
            if (piece,) in known or piece in glue:
                candidate = head + [piece]
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    parts = best[len(word)]
    if not parts or len(parts) < 2 or not any((p,) in known for p in parts):
        return None
    return parts


def _score_metrics(metrics: dict[MetricName, float], vocab: Vocabulary, scores: _Scores) -> None:
    """Numbers are evidence too: a high db_cpu_pct points at the database."""
    for hint in vocab.metric_hints:
        value = metrics.get(hint.metric)
        if value is None or not hint.applies(value):
            continue
        said = f"{hint.metric.value}={value:g}"
        if hint.layer is not None or hint.symptom is not None:
            scores.trouble += hint.weight  # past a threshold, a number is trouble
        if hint.layer is not None:
            scores.add(Hit(kind="layer", key=hint.layer.value, weight=hint.weight), said)
        if hint.symptom is not None:
            scores.add(Hit(kind="symptom", key=hint.symptom.value, weight=hint.weight), said)
        if hint.topic is not None:
            scores.add(Hit(kind="topic", key=hint.topic.value, weight=hint.weight), said)


# ---------------------------------------------------------------- phrases and questions


def _phrases_present(joined: str, index: PhraseIndex, vocab: Vocabulary, negatable: bool
                     ) -> set[str]:
    """Ids with a phrase in the normalised text (where it first occurs, unless just negated);
    only the phrases filed under the text's own words can be there."""
    present: set[str] = set()
    for word in index.keys() & joined.split(" "):
        for ident, phrase in index[word]:
            if ident in present:
                continue
            at = joined.find(phrase)
            if at < 0 or (negatable and _negated(joined[:at], vocab)):
                continue
            present.add(ident)
    return present


def _negated(before: str, vocab: Vocabulary) -> bool:
    window = before.split()[-vocab.tuning.negation_window:] if vocab.tuning.negation_window else []
    return any(word in vocab.negation_words for word in window)


# "When should we shard?" asks; "When writing to the primary, reads come back stale" is a
# clause of time: a sentence opening with "when" asks only with one of these after it.
_WHEN_ASKS = frozenset({"should", "do", "does", "did", "is", "are", "was", "were", "will",
                        "would", "can", "could", "shall", "to", "might", "must"})


_LEAD_INS = frozenset({"so", "ok", "okay", "also", "and", "but", "hey", "hi", "well", "btw",
                       "then", "now", "hmm", "right"})


def _looks_like_question(text: str, said: str, vocab: Vocabulary) -> bool:
    if "?" in text:
        return True
    starters = set(vocab.question.starters)
    for sentence in _SENTENCE_RE.split(text.lower()):
        words = _FIRST_WORD_RE.findall(sentence)
        while words and words[0] in _LEAD_INS:  # "so how would i ...", "ok what if ..."
            words = words[1:]
        words = words[:2]
        if words and words[0].replace("'", "") in starters and (
                words[0] != "when" or words[1:] and words[1] in _WHEN_ASKS):
            return True
    return any(phrase in said for phrase in vocab.question_phrases if phrase.strip())


# ---------------------------------------------------------------- the verdict


def _ranked(table: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(((k, v) for k, v in table.items() if v > 0), key=lambda kv: (-kv[1], kv[0]))


def _confidence(top: float, runner_up: float, against: float, scale: float) -> float:
    """High when the winner is strong, clearly ahead, and little argues against it."""
    if top <= 0:
        return 0.0
    strength = 1 - math.exp(-top / scale)
    margin = (top - runner_up) / top
    doubt = against / (top + against) if against > 0 else 0.0
    return round(max(0.0, min(0.99, strength * (0.55 + 0.45 * margin) * (1 - doubt))), 2)


def _decide(scores: _Scores, found: _Found, vocab: Vocabulary) -> Match:
    tuning = vocab.tuning
    layers, topics, symptoms = (_ranked(scores.layer), _ranked(scores.topic),
                                _ranked(scores.symptom))
    layer_top = layers[0][1] if layers else 0.0
    topic_top = topics[0][1] if topics else 0.0
    trouble = scores.trouble
    # Trouble words fit both readings ("crash" after a bad config), so noise is weighed
    # against the strongest place only.
    noisy = scores.noise > 0 and scores.noise >= tuning.noise_ratio * max(layer_top, topic_top)
    common = dict(metrics=found.metrics, signals=found.signals, done=found.done)

    if found.question and topic_top >= tuning.topic_min and not noisy:
        return _question(scores, topics, common)
    if layer_top >= tuning.layer_min and trouble > 0 and not noisy:
        return _symptom(scores, layers, symptoms, trouble, vocab, common)
    if topic_top >= tuning.topic_min and not noisy and topic_top >= layer_top:
        return _question(scores, topics, common)
    return _noise(scores, symptoms, topics, common)


def _question(scores: _Scores, topics, common) -> Match:
    topic, top = topics[0]
    runner = topics[1][1] if len(topics) > 1 else 0.0
    confidence = _confidence(top, runner, scores.noise, scale=3.0)
    evidence = scores.evidence("topic", topic)
    alternatives = _alternatives(topics[1:], top, confidence)
    return Match(kind="question", topic=Topic(topic), confidence=confidence, evidence=evidence,
                 alternatives=alternatives, **common)


def _symptom(scores: _Scores, layers, symptoms, trouble: float, vocab: Vocabulary,
             common) -> Match:
    layer, top = layers[0]
    runner = layers[1][1] if len(layers) > 1 else 0.0
    if symptoms:
        symptom: str | None = symptoms[0][0]
    else:
        default = vocab.layers[Layer(layer)].default_symptom
        symptom = default.value if default else None
    confidence = _confidence(top + 0.25 * trouble, runner, scores.noise, scale=4.0)
    evidence = scores.evidence("layer", layer)
    for word in scores.evidence("symptom", symptom):
        if word not in evidence:
            evidence.append(word)
    others = [kv for kv in symptoms if kv[0] != symptom]
    return Match(kind="symptom", layer=Layer(layer),
                 symptom=Symptom(symptom) if symptom else None, confidence=confidence,
                 evidence=evidence, alternatives=_alternatives(others, top, confidence),
                 **common)


def _noise(scores: _Scores, symptoms, topics, common) -> Match:
    """Not a scaling problem we can place: no layer, and a confidence that says so."""
    scaling = max([v for _, v in symptoms[:1] + topics[:1]], default=0.0)
    confidence = round(min(0.3, 0.3 * (1 - math.exp(-scaling / 4))), 2)
    candidates = sorted(symptoms + topics, key=lambda kv: (-kv[1], kv[0]))
    evidence = scores.evidence("noise", "noise")
    return Match(kind="noise", confidence=confidence, evidence=evidence,
                 alternatives=[name for name, _ in candidates[:3]], **common)


def _alternatives(others, top: float, confidence: float) -> list[str]:
    """Up to three runner-up names, only when the winner is not clear."""
    if confidence >= 0.75:
        return []
    return [name for name, score in others if score >= 0.4 * top][:3]
