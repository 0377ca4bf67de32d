"""The words the matcher knows, kept as data beside the playbook and validated on load.

`vocabulary.toml` says which words and phrases point to which layer, symptom and
question topic (with weights), which product names mean what, what is noise, and how
people say a signal fired or a rung is already done. Changing the matcher's knowledge
is an edit to that file, not to code. Loading compiles the phrases into a lookup index
once; `default_vocabulary()` caches the packaged file.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from advisor.metrics import MetricName
from advisor.models import Layer, Strict, Symptom, Topic

SIGNAL_IDS = frozenset({
    "response_times_degrading", "server_resources_maxed", "repeated_queries",
    "background_tasks_blocking", "write_overload", "cache_hit_plateau", "replica_lag_growing",
    "independent_scaling", "geo_latency", "data_residency", "single_region_failover",
    "global_users",
})
RUNG_IDS = frozenset({
    "add_caching", "cdn", "edge_compute", "add_indexes", "read_replicas", "sharding",
    "async_processing", "circuit_breakers", "event_driven", "vertical_scale",
    "horizontal_scale", "optimize_code", "increase_ram", "fix_memory_leaks",
    "redesign_data_structures",
})
MAX_PHRASE_TOKENS = 4

TargetKind = Literal["layer", "symptom", "topic", "noise", "trouble"]
# (id, phrase) pairs by one word of the phrase: a phrase can only be in a text that has it.
PhraseIndex = dict[str, tuple[tuple[str, str], ...]]


def _positive(terms: dict[str, float]) -> dict[str, float]:
    for term, weight in terms.items():
        if not term.strip():
            raise ValueError("a term must not be empty")
        if weight <= 0:
            raise ValueError(f"weight of '{term}' must be positive (got {weight})")
    return terms


class TermSet(Strict):
    terms: dict[str, float] = Field(default_factory=dict)

    @field_validator("terms")
    @classmethod
    def _weights(cls, terms: dict[str, float]) -> dict[str, float]:
        return _positive(terms)


class LayerVocab(TermSet):
    default_symptom: Symptom | None = None


class SymptomVocab(TermSet):
    layer: Layer | None = None  # where this symptom usually lives, a hint only


class Product(Strict):
    aliases: list[str] = Field(min_length=1)
    layer: Layer | None = None
    topics: list[Topic] = Field(default_factory=list)
    weight: float = Field(default=2.5, gt=0)


class MetricHint(Strict):
    """A number that points somewhere: e.g. db_cpu_pct above 70 -> database."""

    metric: MetricName
    above: float | None = None
    below: float | None = None
    layer: Layer | None = None
    symptom: Symptom | None = None
    topic: Topic | None = None
    weight: float = Field(default=2.0, gt=0)

    def applies(self, value: float) -> bool:
        if self.above is not None and not value > self.above:
            return False
        return self.below is None or value < self.below

    @property
    def line(self) -> tuple[str, float] | None:
        """The line a value must be past ("below", 80), or None for a hint that any
        value of its metric gives ("cores" -> connection pool)."""
        if self.below is not None:
            return "below", self.below
        return None if self.above is None else ("above", self.above)


class QuestionCues(Strict):
    starters: list[str]
    phrases: list[str]


class Tuning(Strict):
    fuzzy_cutoff: float = Field(default=86, ge=50, le=100)
    fuzzy_min_len: int = Field(default=5, ge=3)
    fuzzy_weight: float = Field(default=0.85, gt=0, le=1)
    layer_min: float = Field(default=2.0, gt=0)
    topic_min: float = Field(default=1.5, gt=0)
    noise_ratio: float = Field(default=0.8, gt=0)
    symptom_layer_share: float = Field(default=0.5, ge=0, le=1)
    max_chars: int = Field(default=4000, ge=100)
    negation_window: int = Field(default=3, ge=0)
    adjacency: int = Field(default=2, ge=0)


class Hit(Strict):
    kind: TargetKind
    key: str
    weight: float


class Vocabulary(Strict):
    tuning: Tuning = Field(default_factory=Tuning)
    stopwords: list[str]
    negations: list[str]
    fillers: list[str]  # dropped when matching signal and done phrases, which keep stopwords
    compound_parts: list[str] = Field(default_factory=list)
    synonyms: dict[str, list[str]] = Field(default_factory=dict)
    layers: dict[Layer, LayerVocab]
    symptoms: dict[Symptom, SymptomVocab]
    topics: dict[Topic, TermSet]
    products: dict[str, Product]
    noise: TermSet
    trouble: TermSet
    question: QuestionCues
    metric_hints: list[MetricHint] = Field(default_factory=list)
    signals: dict[str, list[str]]
    done: dict[str, list[str]]

    _index: dict[tuple[str, ...], tuple[Hit, ...]] = PrivateAttr(default_factory=dict)
    _reach: dict[str, int] = PrivateAttr(default_factory=dict)
    _fuzzy: dict[str, tuple[str, ...]] = PrivateAttr(default_factory=dict)
    _parts: frozenset[str] = PrivateAttr(default_factory=frozenset)
    _stop: frozenset[str] = PrivateAttr(default_factory=frozenset)
    _fillers: frozenset[str] = PrivateAttr(default_factory=frozenset)
    _negations: frozenset[str] = PrivateAttr(default_factory=frozenset)
    _rewrite: dict[str, str] = PrivateAttr(default_factory=dict)
    _signals: dict[str, tuple[str, ...]] = PrivateAttr(default_factory=dict)
    _done: dict[str, tuple[str, ...]] = PrivateAttr(default_factory=dict)
    _signals_by_word: PhraseIndex = PrivateAttr(default_factory=dict)
    _done_by_word: PhraseIndex = PrivateAttr(default_factory=dict)
    _question_phrases: tuple[str, ...] = PrivateAttr(default=())
    _recent: Callable[[str], tuple[tuple[str, str], ...]] = PrivateAttr()
    _word_pairs: Callable[[str], tuple[tuple[str, str], ...]] = PrivateAttr()
    _unknown: dict[str, tuple] = PrivateAttr(default_factory=dict)

    # Compiled parts are read through `__pydantic_private__` directly: pydantic's own path
    # for a private attribute costs about 2 µs a read, and a text takes dozens of reads.

    @model_validator(mode="after")
    def _complete(self) -> Vocabulary:
        for name, enum, given in (
            ("layers", Layer, self.layers), ("symptoms", Symptom, self.symptoms),
            ("topics", Topic, self.topics),
        ):
            missing = sorted(set(enum) - set(given))
            if missing:
                raise ValueError(f"{name} lacks entries for: {', '.join(missing)}")
        for name, known, given in (("signals", SIGNAL_IDS, self.signals),
                                   ("done", RUNG_IDS, self.done)):
            unknown = sorted(set(given) - known)
            if unknown:
                raise ValueError(f"{name} has unknown ids: {', '.join(unknown)}")
            missing = sorted(known - set(given))
            if missing:
                raise ValueError(f"{name} lacks phrases for: {', '.join(missing)}")
        return self

    def model_post_init(self, _context: object) -> None:
        # A text is read by several matchers in turn (signals, vocabulary hits); each
        # vocabulary splits its last few texts once.
        self._recent = lru_cache(maxsize=8)(self._split)
        # Words recur across texts: each is split and normalised once per process.
        self._word_pairs = lru_cache(maxsize=8192)(self._pairs_of)
        self._stop = frozenset(self.stopwords)
        self._negations = frozenset(self.negations)
        self._fillers = frozenset(self.fillers)
        self._rewrite = {v.lower(): k.lower() for k, vs in self.synonyms.items() for v in vs}
        self._parts = frozenset(p.lower() for p in self.compound_parts)
        index: dict[tuple[str, ...], list[Hit]] = {}
        for phrase, hit in self._entries():
            key = tuple(self.normalise(phrase))
            if not key:
                raise ValueError(f"term '{phrase}' is only stopwords, so it can never match")
            if len(key) > MAX_PHRASE_TOKENS:
                raise ValueError(f"term '{phrase}' is longer than {MAX_PHRASE_TOKENS} words")
            same = [h for h in index.setdefault(key, []) if (h.kind, h.key) == (hit.kind, hit.key)]
            if same:  # "request per second" and "requests per second" are one phrase
                if hit.weight > same[0].weight:
                    index[key][index[key].index(same[0])] = hit
                continue
            index[key].append(hit)
        self._index = {k: tuple(v) for k, v in index.items()}
        reach: dict[str, int] = {}
        for key in index:
            reach[key[0]] = max(reach.get(key[0], 0), len(key))
        self._reach = reach
        buckets: dict[str, set[str]] = {}
        for key in self.__pydantic_private__["_index"]:
            if len(key) == 1 and len(key[0]) >= self.tuning.fuzzy_min_len and key[0].isalpha():
                buckets.setdefault(key[0][0], set()).add(key[0])
        self._fuzzy = {k: tuple(sorted(v)) for k, v in buckets.items()}
        self._signals = {k: self._phrases("signals", k, v) for k, v in self.signals.items()}
        self._done = {k: self._phrases("done", k, v) for k, v in self.done.items()}
        self._signals_by_word = phrase_index(self.__pydantic_private__["_signals"])
        self._done_by_word = phrase_index(self.__pydantic_private__["_done"])
        # kept with their stopwords: "do we need" is a question, "need" alone is not
        self._question_phrases = tuple(" " + " ".join(self.phrase_words(p)) + " "
                                       for p in self.question.phrases)

    def _entries(self):
        """Every (phrase, hit) pair the vocabulary defines, products and hints expanded."""
        share = self.tuning.symptom_layer_share
        for layer, vocab in self.layers.items():
            for term, w in vocab.terms.items():
                yield term, Hit(kind="layer", key=layer.value, weight=w)
        for symptom, vocab in self.symptoms.items():
            for term, w in vocab.terms.items():
                yield term, Hit(kind="symptom", key=symptom.value, weight=w)
                if vocab.layer is not None and share > 0:
                    yield term, Hit(kind="layer", key=vocab.layer.value, weight=w * share)
        for topic, vocab in self.topics.items():
            for term, w in vocab.terms.items():
                yield term, Hit(kind="topic", key=topic.value, weight=w)
        for product in self.products.values():
            for alias in product.aliases:
                if product.layer is not None:
                    yield alias, Hit(kind="layer", key=product.layer.value, weight=product.weight)
                for topic in product.topics:
                    yield alias, Hit(kind="topic", key=topic.value, weight=product.weight)
        for term, w in self.noise.terms.items():
            yield term, Hit(kind="noise", key="noise", weight=w)
        for term, w in self.trouble.terms.items():
            yield term, Hit(kind="trouble", key="trouble", weight=w)

    # ------------------------------------------------------------ text normalisation

    def tokens(self, text: str) -> tuple[tuple[str, str], ...]:
        """(normalised, original) word pairs: lower case, synonyms applied, plurals folded."""
        return self.__pydantic_private__["_recent"](text)

    def _split(self, text: str) -> tuple[tuple[str, str], ...]:
        pairs = self.__pydantic_private__["_word_pairs"]
        out: list[tuple[str, str]] = []
        text = plain_names(text)
        for raw in _WORD_RE.findall(text.lower().replace("'", "").replace("’", "")):
            out.extend(pairs(raw))
        return tuple(out)

    def _pairs_of(self, raw: str) -> tuple[tuple[str, str], ...]:
        """The (normalised, original) pairs of one raw word (`threads/processes` is two)."""
        rewrite = self.__pydantic_private__["_rewrite"]
        out: list[tuple[str, str]] = []
        for word in _split_slash(raw, rewrite):
            folded = stem(rewrite.get(word, word))
            out.append((rewrite.get(folded, folded), word))
        return tuple(out)

    def fold(self, word: str) -> str:
        """One bare word in normalised form (synonyms applied, plural folded)."""
        canonical = self.__pydantic_private__["_rewrite"].get(word, word)
        folded = stem(canonical)
        return self.__pydantic_private__["_rewrite"].get(folded, folded)

    def normalise(self, text: str) -> list[str]:
        """Normalised words without stopwords: the form phrases are indexed and matched in."""
        stop = self.__pydantic_private__["_stop"]
        return [norm for norm, _ in self.tokens(text) if norm not in stop]

    def _phrases(self, section: str, ident: str, phrases: list[str]) -> tuple[str, ...]:
        """Phrases as normalised text; one word alone would fire on too much."""
        out = []
        for phrase in phrases:
            words = self.phrase_words(phrase)
            if len(words) < 2:
                raise ValueError(f"{section}.{ident}: '{phrase}' needs two or more words")
            out.append(" " + " ".join(words) + " ")
        return tuple(out)

    def phrase_words(self, text: str, tokens: Sequence[tuple[str, str]] | None = None
                     ) -> list[str]:
        """Normalised words keeping stopwords ("we have a cache" needs its "have")."""
        fillers = self.__pydantic_private__["_fillers"]
        pairs = self.tokens(text) if tokens is None else tokens
        return [norm for norm, _ in pairs if norm not in fillers]

    def _joined(self, phrase: str) -> str:
        return " " + " ".join(self.normalise(phrase)) + " "

    @property
    def index(self) -> dict[tuple[str, ...], tuple[Hit, ...]]:
        return self.__pydantic_private__["_index"]

    @property
    def reach(self) -> dict[str, int]:
        """How many words the longest term starting with each word has (a word no term
        starts with is absent): a text need not look up longer runs of its words."""
        return self.__pydantic_private__["_reach"]

    @property
    def unknown_words(self) -> dict[str, tuple]:
        """What each word the vocabulary lacks was found to stand for (its digit-free
        form, its glued parts or a typo's term), worked out once per word: words recur,
        and the typo search is the costliest step of reading a text. Bounded by
        advisor.vocab_match."""
        return self.__pydantic_private__["_unknown"]

    @property
    def fuzzy_buckets(self) -> dict[str, tuple[str, ...]]:
        return self.__pydantic_private__["_fuzzy"]

    @property
    def stop(self) -> frozenset[str]:
        return self.__pydantic_private__["_stop"]

    @property
    def negation_words(self) -> frozenset[str]:
        return self.__pydantic_private__["_negations"]

    @property
    def parts(self) -> frozenset[str]:
        return self.__pydantic_private__["_parts"]

    @property
    def signal_phrases(self) -> dict[str, tuple[str, ...]]:
        return self.__pydantic_private__["_signals"]

    @property
    def done_phrases(self) -> dict[str, tuple[str, ...]]:
        return self.__pydantic_private__["_done"]

    @property
    def signals_by_word(self) -> PhraseIndex:
        """`signal_phrases` by a word each phrase needs (see `phrase_index`)."""
        return self.__pydantic_private__["_signals_by_word"]

    @property
    def done_by_word(self) -> PhraseIndex:
        """`done_phrases` by a word each phrase needs (see `phrase_index`)."""
        return self.__pydantic_private__["_done_by_word"]

    @property
    def question_phrases(self) -> tuple[str, ...]:
        return self.__pydantic_private__["_question_phrases"]


_WORD_RE = re.compile(r"[a-z0-9µ]+(?:[/.+#-][a-z0-9]+)*")
# An acronym's plural (`GCs`, `VMs`, `APIs`) is the acronym. Only the case tells it from
# another word: `GCs` are collections, `GCS` is Google's storage.
ACRONYM_PLURAL = re.compile(r"\b([A-Z]{2,})s\b")
# A name's `.io` (socket.io, gcr.io, quay.io) is a domain, not I/O: dropped before words
# are read, so a websocket library or a registry is no disk.
DOMAIN_IO = re.compile(r"(?<=[a-z0-9])\.io\b", re.IGNORECASE)
# "503s" and "5xxs" are the code itself, said as a plural.
CODE_PLURAL = re.compile(r"\b([45](?:\d\d|xx))s\b")
# What any match of the two above holds: a quick scan for it passes over most texts,
# where the patterns themselves would be tried at every position.
_DOMAIN_IO_NEED = re.compile(r"\.io", re.IGNORECASE)
_ACRONYM_PLURAL_NEED = re.compile(r"[A-Z]{2}s")


def plain_names(text: str) -> str:
    """`text` with a domain's `.io` dropped and an acronym's plural made the acronym
    (DOMAIN_IO, ACRONYM_PLURAL), each rewrite run only where it can change something."""
    if _DOMAIN_IO_NEED.search(text) is not None:
        text = DOMAIN_IO.sub("", text)
    if _ACRONYM_PLURAL_NEED.search(text) is not None:
        text = ACRONYM_PLURAL.sub(r"\1", text)
    return text


def phrase_index(table: dict[str, tuple[str, ...]]) -> PhraseIndex:
    """Each (id, phrase) of `table` under the longest of its space-separated words. A
    phrase (" cpu maxed ") is found in a text (" our cpu maxed out ") only where each of
    its words is one of the text's words split at spaces, so a text need only try the
    phrases filed under its own words, not all two hundred."""
    index: dict[str, list[tuple[str, str]]] = {}
    for ident, phrases in table.items():
        for phrase in phrases:
            word = max(phrase.split(" "), key=len)  # the first of the longest
            index.setdefault(word, []).append((ident, phrase))
    return {word: tuple(pairs) for word, pairs in index.items()}


def _split_slash(word: str, rewrite: dict[str, str]) -> list[str]:
    """`i/o` and `node.js` stay whole when known; `threads/processes` becomes two words."""
    if word in rewrite or not any(c in word for c in "/.+#-"):
        return [word]
    return [part for part in re.split(r"[/.+#-]", word) if part]


def stem(word: str) -> str:
    """A light plural fold so `replicas`, `queries` and `indexes` meet their terms, and
    `502s` or `5xxs` the status code itself."""
    if CODE_PLURAL.fullmatch(word):
        return word[:-1]
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "os")):
        return word[:-1]
    return word


class VocabularyError(ValueError):
    """A vocabulary file that does not validate; the message names the bad field."""


def load_vocabulary(text: str, source: str = "vocabulary") -> Vocabulary:
    """Validate TOML text into a Vocabulary, or raise VocabularyError naming the field."""
    try:
        data = tomllib.loads(text)
        return Vocabulary.model_validate(data)
    except tomllib.TOMLDecodeError as exc:
        raise VocabularyError(f"{source}: not valid TOML: {exc}") from exc
    except ValueError as exc:
        raise VocabularyError(f"{source}: {exc}") from exc


@lru_cache(maxsize=1)
def default_vocabulary() -> Vocabulary:
    """The packaged vocabulary, read and compiled once per process."""
    text = resources.files("advisor").joinpath("data/vocabulary.toml").read_text("utf-8")
    return load_vocabulary(text, "advisor/data/vocabulary.toml")
