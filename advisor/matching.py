"""What a piece of free text is about: a symptom in some layer, a question, or neither.

Three readers, most certain first:
1. a recognised error signature (advisor.signatures): the message a piece of software
   emits decides layer and symptom, or marks the text as recognised noise;
2. a decision-matrix label said on its own ("API timeouts"), taken from the playbook;
3. the learned model (advisor.learned), trained on labelled real phrases: the kind of
   text, then its layer and matrix row, or its question topic. Numbers past a threshold
   (`db cpu 92%`) back a layer the model already has in view.
Only text the model reads as ordinary engineering chatter gets no layer; when trouble is
clear but the layer is not, the match carries the top candidates instead of one guess.
Every answer keeps its evidence: the signature's matched text, or the words that weighed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from advisor.features import tokens
from advisor.learned import OUT, Model, Prediction, default_model
from advisor.metrics import MetricName
from advisor.models import Candidate, Layer, Match, SignatureRef, Symptom, Topic
from advisor.playbook import Playbook, default_playbook
from advisor.signatures import Catalogue, SignatureHit, default_catalogue
from advisor.units import Reading, extract_metrics, lone_value
from advisor.vocab_match import asks_something, found_in, vocabulary_hits
from advisor.vocabulary import Vocabulary, default_vocabulary

MAX_CHARS = 4000
CLEAR_LAYER = 0.6  # below this for the best layer (or overall), offer candidates
CANDIDATE_MIN = 0.1
SIGNATURE_CONFIDENCE = 0.95
LABEL_CONFIDENCE = 0.9
TROUBLE_SAID = 1.0  # a vocabulary trouble weight this strong is trouble said outright
NOISE_DOUBT = 0.4  # chatter this likely to be trouble still gets "did you mean"
ONE_WORD = 0.45  # below the bar for answering outright: offer the candidates
NUMBER_TOPIC = 0.7  # a number past a line only a topic covers: sure of the topic, not more
ASKED_FINE = 0.5  # how sure a question about whether something is fine must be to count
ASKED_TOPIC = 0.7  # chatter this sure of one topic, asked, may be a question on it...
TOPIC_NAMED = 3.0  # ...when the vocabulary's own words name that topic this strongly
_NON_WORD = re.compile(r"[^a-z0-9]+")
# What a "why" (or "what is causing") asks about: the rest of its clause.
_WHY = re.compile(r"\b(?:why|what(?:'s| is| was| could| might| would)?(?: be)? "
                  r"caus(?:e|es|ed|ing))\b([^.?!\n]*)", re.IGNORECASE)
# A word of growth with its planned multiple right after it ("growing 3x", "grows by 20%"):
# the multiple explains it. "The queue keeps growing" has none, and stays trouble.
_PLANNED_GROWTH = re.compile(r"\b(?:growing|grows|grow)(?:\s+by)?\s+[~≈]?\d[\d.,]*\s*"
                             r"(?:x|×|%|times|fold)\b", re.IGNORECASE)
# Incident-channel questions that report trouble: "anyone else seeing timeouts?"
_REPORT_ASKED = re.compile(
    r"\b(?:any(?:one|body)|some(?:one|body)|others?)\s+else\s+(?:seeing|getting|having|"
    r"hitting|experiencing|noticing|facing)\b|\bany(?:one|body)\s+(?:seeing|getting|hitting|"
    r"noticing)\b", re.IGNORECASE)


def match(text: str, vocabulary: Vocabulary | None = None, model: Model | None = None,
          catalogue: Catalogue | None = None, playbook: Playbook | None = None,
          reading: Reading | None = None) -> Match:
    """Classify free text; never raises, whatever the input. `reading` is
    `read_text(text)` when the caller has it already (used when no clipping applies)."""
    vocab = vocabulary or default_vocabulary()
    text = text if isinstance(text, str) else ""
    clipped = text[:MAX_CHARS]
    whole = reading is not None and len(clipped) == len(text)
    metrics = reading.metrics if whole else extract_metrics(clipped)
    signals, done = found_in(clipped, vocab)
    common = dict(metrics=metrics, signals=signals, done=done)
    hit = (catalogue or default_catalogue()).find(clipped)
    if hit is not None:
        return _recognised(hit, common)
    pb = playbook or default_playbook()
    row = _matrix_label(clipped, pb)
    if row is not None:
        return Match(kind="symptom", layer=pb.row(row).layer, symptom=row,
                     confidence=LABEL_CONFIDENCE, evidence=[pb.row(row).label], **common)
    prediction = (model or default_model()).predict(clipped)
    if prediction.known_words == 0 and asks_something(clipped, vocab):
        # "is eventual consistency ok for orders?": asking whether something is fine left
        # no words once the fine clauses were dropped; the question is about its words.
        # Taken only when it is plainly a question on a topic ("all good?" stays chatter).
        again = (model or default_model()).predict(clipped, keep_cleared=True)
        if again.kind == "question" and again.kinds[0][1] * again.topics[0][1] >= ASKED_FINE:
            prediction = again
    backing = _metric_layers(metrics, vocab)
    felt = _metric_symptom(metrics, vocab)
    # "peak growing 3x": with a planned multiple read, growing is the plan, not trouble.
    troubled = (_PLANNED_GROWTH.sub(" ", clipped) if MetricName.GROWTH_FACTOR in metrics
                else clipped)
    topical = None if backing or felt else _metric_topic(metrics, vocab)
    if topical is not None and prediction.kind != "symptom" and (
            prediction.kind != "question" or not prediction.topics):
        # "cache hit ratio dropped to 0.40": a number past a line that only a topic covers
        # is about that topic, whatever the words around it read as.
        return Match(kind="question", topic=topical[0], confidence=NUMBER_TOPIC,
                     evidence=[topical[1]], **common)
    if (prediction.known_words == 0 or lone_value(clipped) is not None) and not (
            backing or felt):
        return _noise(prediction, common, guess=False)  # nothing in it the model knows
    if prediction.kind != "symptom" and _REPORT_ASKED.search(clipped) and (
            prediction.kind == "question" or backing or felt or _trouble_said(troubled, vocab)):
        # "anyone else seeing 502s from the gateway?": asked, but what it asks about is
        # trouble the asker is seeing now, so it is a report of that trouble.
        found = _symptom(prediction, backing, pb, common, felt, asked=True)
    elif prediction.kind == "question" and _why_trouble(
            clipped, vocab, measured=bool(backing or felt)):
        # "why does checkout take 8s?": asking why trouble happens is troubleshooting,
        # not planning, so it is a report of that trouble.
        found = _symptom(prediction, backing, pb, common, felt, asked=True)
    elif prediction.kind == "question" and (
            backing or felt or _trouble_said(troubled, vocab)) and (
            not asks_something(clipped, vocab)):
        # "replica lag is 30 seconds and reads are stale", "the cdn is slow to purge":
        # numbers past a threshold or words of trouble, said and not asked about, are a
        # report of trouble, whatever topic the words recall.
        found = _symptom(prediction, backing, pb, common, felt)
    elif prediction.kind == "question" and prediction.topics:
        found = _question(prediction, common)
    elif prediction.kind == "symptom" or backing or felt:
        # "seeing this on the dashboard: p99 is 4s" is trouble even where the words read
        # as chatter; a number that names no layer leaves the layer to the candidates.
        found = _symptom(prediction, backing, pb, common, felt)
    elif _asked_on_topic(clipped, prediction, vocab):
        # "so how would i move the report emails onto a job queue": asked, and about one
        # topic, though worded like chatter. Offered rather than answered outright: the
        # topic is clear, that it is asked of us is not.
        found = _question(prediction, common, doubted=True)
    else:
        return _noise(prediction, common)
    if len(tokens(clipped)) <= 1:  # one word ("cache") is a subject, not yet a question
        found = found.model_copy(update={"confidence": min(found.confidence, ONE_WORD)})
    return found


def _recognised(hit: SignatureHit, common: dict) -> Match:
    sig = hit.signature
    ref = SignatureRef(id=sig.id, component=sig.component, name=sig.component_name,
                       meaning=sig.meaning, matched=hit.matched)
    evidence = [f"{sig.component}: {hit.matched}"]
    layer = sig.scaling_layer
    if layer is None:
        return Match(kind="noise", confidence=0.0, evidence=evidence, signature=ref, **common)
    return Match(kind="symptom", layer=layer, symptom=sig.symptom,
                 confidence=SIGNATURE_CONFIDENCE, evidence=evidence, signature=ref, **common)


def _plain(text: str) -> str:
    return _NON_WORD.sub(" ", text.lower()).strip()


def _matrix_label(text: str, pb: Playbook) -> Symptom | None:
    """A decision-matrix label said on its own ("API timeouts", "slow page loads?")."""
    said = _plain(text)
    if not said or len(said) > 40:
        return None
    for row in pb.decision_matrix:
        if said in _said_forms(row.label, row.symptom.value):
            return row.symptom
    return None


@lru_cache(maxsize=64)
def _said_forms(label: str, symptom: str) -> tuple[str, ...]:
    """How a matrix label is said on its own: as written, singular, plural, or by the
    name of its symptom; worked out once per label, not once per text."""
    plain = _plain(label)
    return plain, plain.rstrip("s"), plain + "s", symptom.replace("_", " ")


def _metric_layers(metrics: dict[MetricName, float], vocab: Vocabulary
                   ) -> dict[Layer, tuple[Symptom | None, str]]:
    """Layers that numbers past a threshold point at (`db_cpu_pct=92` -> database)."""
    found: dict[Layer, tuple[Symptom | None, str]] = {}
    if not metrics:  # most texts: no hint applies
        return found
    for hint in vocab.metric_hints:
        value = metrics.get(hint.metric)
        if value is None or hint.layer is None or not hint.applies(value):
            continue
        found.setdefault(hint.layer, (hint.symptom, f"{hint.metric.value}={value:g}"))
    return found


def _metric_symptom(metrics: dict[MetricName, float], vocab: Vocabulary
                   ) -> tuple[Symptom, str] | None:
    """The first matrix row a number past its threshold points at, whether or not the
    number names a layer (`p95_ms=4000` -> slow page loads)."""
    if not metrics:
        return None
    for hint in vocab.metric_hints:
        value = metrics.get(hint.metric)
        if value is not None and hint.symptom is not None and hint.applies(value):
            return hint.symptom, f"{hint.metric.value}={value:g}"
    return None


def _metric_topic(metrics: dict[MetricName, float], vocab: Vocabulary
                  ) -> tuple[Topic, str] | None:
    """The topic of the first number past a line that names no layer and no matrix row
    (`cache_hit_pct=40` -> caching strategy)."""
    if not metrics:
        return None
    for hint in vocab.metric_hints:
        value = metrics.get(hint.metric)
        if (value is not None and hint.topic is not None and hint.line is not None
                and hint.applies(value)):
            return hint.topic, f"{hint.metric.value}={value:g}"
    return None


def _question(p: Prediction, common: dict, *, doubted: bool = False) -> Match:
    """A question on the model's top topic; `doubted` when the kind head read chatter,
    which halves the confidence so the topic is offered rather than answered."""
    topic, share = p.topics[0]
    confidence = round(share / 2 if doubted else p.kinds[0][1] * share, 2)
    others = [name for name, s in p.topics[1:] if s >= CANDIDATE_MIN / 2][:3]
    return Match(kind="question", topic=Topic(topic), confidence=confidence,
                 evidence=p.evidence.get("topic", []),
                 alternatives=others, **common)


def _symptom(p: Prediction, backing: dict, pb: Playbook, common: dict,
             felt: tuple[Symptom, str] | None = None, *, asked: bool = False) -> Match:
    """A symptom in the layer the numbers back (among the model's top two) or the model's
    top layer. `asked` when a question was taken as a report of trouble: the model's
    share for "symptom" is then no measure of it, only its doubt that it is chatter."""
    kind_share = 1.0 - dict(p.kinds)["noise"] if asked else dict(p.kinds)["symptom"]
    layers = dict(p.layers)
    top_two = [name for name, _ in p.layers[:2]]
    chosen = next((lay for lay in backing if lay.value in top_two), None)
    if chosen is None and p.kind != "symptom":
        chosen = next(iter(backing), None)  # the model saw no trouble; the numbers did
    layer = chosen or Layer(p.layers[0][0])
    share = layers[layer.value]
    row, row_share = p.symptoms[0]
    symptom = Symptom(row) if row != OUT else None
    if symptom is not None and pb.row(symptom).layer != layer and row_share < CLEAR_LAYER:
        # A row of another layer is kept as what people see only when the words say it
        # clearly ("checkout times out"); an unclear guess would name what nobody said.
        symptom = None
    evidence = list(p.evidence.get("layer", []))
    if layer in backing:
        metric_symptom, said = backing[layer]
        symptom = symptom or metric_symptom
        evidence.append(said)
        kind_share, share = max(kind_share, 0.8), max(share, 0.8)
    elif felt is not None and p.kind != "symptom":
        symptom = felt[0]  # the model heard no trouble, so its row is no guide; the number is
        evidence.append(felt[1])
    for word in p.evidence.get("symptom", []) if symptom else []:
        if word not in evidence:
            evidence.append(word)
    confidence = round(min(0.99, kind_share * share), 2)
    if not evidence:  # no word, number or row pointed there: candidates, not an answer
        confidence = min(confidence, ONE_WORD)
    unclear = share < CLEAR_LAYER or confidence < CLEAR_LAYER
    candidates = _candidates(p, layer, symptom, pb, kind_share) if unclear else []
    return Match(kind="symptom", layer=layer, symptom=symptom, confidence=confidence,
                 evidence=evidence[:8], candidates=candidates,
                 alternatives=[c.symptom.value for c in candidates if c.symptom][:3], **common)


def _candidates(p: Prediction, layer: Layer, symptom: Symptom | None,
                pb: Playbook, kind_share: float) -> list[Candidate]:
    """The likeliest layers, each with the matrix row to climb there: the row people
    described when it belongs to that layer, else the layer's own row, so picking a
    candidate names the bottleneck it showed."""
    out = []
    for name, share in p.layers[:3]:
        if share < CANDIDATE_MIN and out:
            break
        here = Layer(name)
        said = symptom if here == layer and symptom is not None else None
        row = said if said is not None and pb.row(said).layer == here else pb.layer(here).symptom
        out.append(Candidate(layer=here, symptom=row, confidence=round(kind_share * share, 2)))
    return out


def _noise(p: Prediction, common: dict, *, guess: bool = True) -> Match:
    """Ordinary engineering text: no layer, and a confidence that says how little. Without
    `guess` (no word the model knows: "?", "asdfgh", emoji) no likely readings are offered
    either: letters alone are no ground for naming a symptom."""
    trouble = 1.0 - dict(p.kinds)["noise"]
    names = [name for name, _ in p.symptoms if name != OUT][:2] + [p.topics[0][0]]
    offered = guess and trouble >= NOISE_DOUBT
    return Match(kind="noise", confidence=round(min(0.3, trouble), 2),
                 evidence=p.evidence.get("kind", []),
                 alternatives=names[:3] if offered else [], **common)


def _asked_on_topic(text: str, p: Prediction, vocab: Vocabulary) -> bool:
    """Whether chatter is really a question on the model's top topic: asked, the model
    sure of the topic, and the vocabulary's own words naming that topic strongly. The
    topic head learnt from questions only, so on chatter ("can someone review my pull
    request?") it can be sure of anything; the vocabulary is the check."""
    topic, share = p.topics[0]
    if share < ASKED_TOPIC or not asks_something(text, vocab):
        return False
    hits = vocabulary_hits(text, vocab)
    return "noise" not in hits and hits.get(f"topic:{topic}", (0.0, ""))[0] >= TOPIC_NAMED


def _why_trouble(text: str, vocab: Vocabulary, measured: bool) -> bool:
    """Whether the text asks why trouble happens: a "why" or "what is causing" whose
    clause says trouble, or that comes with a number past a line ("why is our page
    loading in 7 seconds?", "what's causing the 502s on checkout?")."""
    found = _WHY.search(text)
    return found is not None and (measured or _trouble_said(found.group(1), vocab))


def _trouble_said(text: str, vocab: Vocabulary) -> bool:
    """Whether the vocabulary hears trouble in `text` ("slow", "timing out", "errors")."""
    return vocabulary_hits(text, vocab).get("trouble", (0.0, ""))[0] >= TROUBLE_SAID
