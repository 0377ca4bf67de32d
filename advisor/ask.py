"""`ask`: free text in, a matched answer out (the contract of DESIGN.md's `ask --json`).

The matcher (advisor.matching) decides what the text is about; this module only turns
that Match into an answer, so it can be tested with a Match built by hand.
"""

from __future__ import annotations

from advisor.answers import help_text, restraint_lines, topic_answer
from advisor.engine import assess
from advisor.metrics import MetricName
from advisor.models import AskResult, Assessment, Match, Observations, Symptom, Topic
from advisor.playbook import Playbook, default_playbook
from advisor.report import assessment_text
from advisor.symptoms import match_for
from advisor.units import (
    ParseError,
    Reading,
    echo,
    numbers_said,
    parse_quantity,
    read_line,
    read_text,
    value_text,
    without_status_codes,
)
from advisor.vocab_match import asks_something, vocabulary_hits
from advisor.vocabulary import Vocabulary, default_vocabulary


def _label(pb: Playbook, symptom: Symptom | None) -> str:
    return pb.row(symptom).label if symptom is not None else "no decision-matrix row"


def recognised_line(match: Match, pb: Playbook) -> str | None:
    """"Recognised (<component>): <meaning> -> <layer>, <symptom label>" for a signature."""
    sig = match.signature
    if sig is None:
        return None
    where = (f"{match.layer.value}, {_label(pb, match.symptom)}" if match.layer is not None
             else "not a scaling bottleneck")
    return f"Recognised ({sig.name}): {sig.meaning} -> {where} (matched \"{sig.matched}\")"


# Said instead of "won't guess" when the text's one clear part is a number that reads two
# ways ("replica lag 30"): what was said is a measurement, so it is worth asking about.
UNIT_FIRST = ("A number there reads two ways, so I can't weigh it yet: say it again with its "
              "unit and I will.")


def candidate_lines(match: Match, pb: Playbook) -> list[str]:
    """The likely readings when the trouble is clear but the layer is not."""
    if not match.candidates:
        return []
    shown = [f"  - {c.layer.value}, {_label(pb, c.symptom)} ({c.confidence:.2f})"
             for c in match.candidates]
    return ["Trouble, but the layer is not clear; the likeliest readings:", *shown]


def doubt_lines(match: Match, pb: Playbook) -> list[str]:
    """Text that reads mostly as chatter, but could be trouble: not "won't guess", but the
    likeliest readings and what would settle it (the same names Slack shows as buttons)."""
    shown = ", ".join(pb.label(name) for name in match.alternatives)
    return [f"Not clearly a scaling problem. If it is one, the likeliest: {shown}.",
            "Say which part is slow, paste the error line or give a number (p95, CPU, "
            "pool use) and I will name the bottleneck."]


def _symptom_answer(text: str, match: Match, pb: Playbook
                    ) -> tuple[str, Match, Assessment]:
    """The assessment's text, the match with the bottleneck and ladder it settled on, and
    the assessment."""
    obs = Observations(metrics=match.metrics, signals=match.signals, text=text, done=match.done)
    assessment = assess(obs, pb, match)
    lines = restraint_lines(None, text, match.metrics, pb)
    head = [line for line in [recognised_line(match, pb)] if line]
    settled = match
    if assessment.bottleneck is not None:  # one symptom, one bottleneck, one ladder
        settled = match.model_copy(update={
            "layer": assessment.bottleneck.layer,
            "symptom": assessment.ladder.symptom if assessment.ladder else None,
            # the bottleneck's, which weighs the numbers with the words: the one the
            # answer's text shows, so JSON and text never disagree
            "confidence": assessment.bottleneck.confidence})
    body = [*head, *candidate_lines(match, pb), *lines, assessment_text(assessment)]
    return "\n".join(body), settled, assessment


# The numbers of a system's size and make-up, as against a symptom's (a CPU share, a
# latency...): each that leads a statement, with the topic whose sizing it feeds, in the
# order a statement is answered; growth and margin only join a rate.
_LEADS: tuple[tuple[frozenset[MetricName], Topic], ...] = (
    (frozenset({MetricName.USERS}), Topic.STAGE),
    (frozenset({MetricName.PEAK_RPS}), Topic.CAPACITY_PLANNING),
    (frozenset({MetricName.CORES}), Topic.CONNECTION_POOL),
    (frozenset({MetricName.READS_RPS, MetricName.PER_REPLICA_RPS, MetricName.READ_PCT}),
     Topic.READ_REPLICAS),
    (frozenset({MetricName.WORKING_SET_GB}), Topic.CACHE_SIZING),
)
SCALE_METRICS = frozenset({MetricName.GROWTH_FACTOR, MetricName.SAFETY_MARGIN,
                           MetricName.SPINDLES}.union(*(said for said, _ in _LEADS)))
# A statement of scale is answered from its numbers, read for sure with their units; what
# is inferred is only that the words around them ask for nothing else.
STATEMENT_CONFIDENCE = 0.75
_STATEMENT_TOPICS = frozenset(topic for _, topic in _LEADS)
_SIDE_TOPIC = 1.0  # a vocabulary layer or topic hit this strong: the text is about that
# What a machine is made of and the mix of work it does: said with their numbers, these
# name no place of trouble ("8 vCPU, 32GiB RAM", "90% reads, 10% writes").
_MAKEUP_WORDS = frozenset({"core", "cores", "vcpu", "vcpus", "cpu", "cpus", "ram", "memory", "mem",
                         "ssd", "ssds", "nvme", "hdd", "hdds", "disk", "disks", "spindle",
                         "spindles", "spinning", "read", "reads", "write", "writes"})


def scale_statement(text: str, match: Match) -> bool:
    """Whether `text` only states the system's size ("about 50,000 daily active users",
    "traffic is 500 requests per minute", "16 cores"): numbers that feed a sizing rule (users,
    a rate, cores, replica inputs, a working set), no symptom's number, no word of trouble,
    no recognised message, and not put as a question (the vocabulary's question words and
    phrases, not the model's guess, which wavers near its bar)."""
    said = set(match.metrics)
    if not _led(said) or not said <= SCALE_METRICS:
        return False
    if match.signature is not None or match.signals or asks_something(text):
        return False
    if match.kind == "question" and match.topic not in _STATEMENT_TOPICS:
        return False
    lowered = text.lower()
    if without_status_codes(lowered) != lowered:
        return False
    hits = {name: said for name, said in vocabulary_hits(text).items()
            if name == "trouble" or not set(said[1].split()) <= _MAKEUP_WORDS}
    # a machine's make-up or its work's mix is no place of trouble; trouble names no words
    return not any(
        name == "trouble" or name.startswith("symptom:")
        or (name.startswith("layer:") and weight >= _SIDE_TOPIC)
        or (name.startswith("topic:") and Topic(name[6:]) not in _STATEMENT_TOPICS
            and weight >= _SIDE_TOPIC)
        for name, (weight, _) in hits.items())


def _led(said: set[MetricName]) -> list[Topic]:
    """The topics whose sizing the numbers said lead to, in answering order."""
    return [topic for lead, topic in _LEADS if said & lead]


def as_statement(match: Match) -> Match:
    """The match of a statement of scale: a question on the stage (given users), capacity
    (a rate), the pool (cores), replicas or the cache (their inputs), answered from the
    numbers; no layer, no candidates."""
    topic = _led(set(match.metrics))[0]
    return match.model_copy(update={
        "kind": "question", "topic": topic, "layer": None, "symptom": None,
        "confidence": STATEMENT_CONFIDENCE, "candidates": [], "alternatives": [],
        "evidence": ["numbers of scale, no question or symptom"]})


def _statement_answer(text: str, match: Match, pb: Playbook) -> str:
    """What each sizing rule the numbers feed says: the stage for users, the capacity for
    a rate, the pool for cores, replicas, the cache size."""
    parts = ["No question or trouble in that, so here is what the numbers say."]
    for topic in _led(set(match.metrics)):
        parts.append(topic_answer(topic, text, match.metrics, pb))
    parts.append("Say what hurts (slow pages, timeouts, CPU or memory, the database) and I "
                 "will name the bottleneck.")
    return "\n".join(parts)


def answer_for(text: str, match: Match, playbook: Playbook | None = None,
               reading: Reading | None = None, *, statement: bool = False) -> AskResult:
    """Answer `text` given what the matcher made of it (and `reading`, `read_text(text)`,
    when the caller has it already); a `statement` of scale is answered from its numbers."""
    pb = playbook or default_playbook()
    assessment = None
    if statement:
        answer = _statement_answer(text, match, pb)
    elif match.kind == "question" and match.topic is not None:
        match = _with_bare_users(text, match)
        answer = "\n".join([*past_a_line(match.topic, match.metrics),
                            topic_answer(match.topic, text, match.metrics, pb)])
    elif match.kind == "symptom" and (match.layer or match.symptom):
        answer, match, assessment = _symptom_answer(text, match, pb)
    elif restraint_lines(None, text, match.metrics, pb):
        answer = "\n".join(restraint_lines(None, text, match.metrics, pb))
    elif match.signature is not None:
        answer = "\n".join([recognised_line(match, pb) or "",
                             "It needs fixing, but more capacity will not fix it: no ladder."])
    else:  # chatter, or a number without its unit ("replica lag 30"): ask for the unit
        reading = reading or read_text(text)
        doubt = doubt_lines(match, pb) if match.kind == "noise" and match.alternatives else []
        if reading.asked:
            answer = "\n".join([UNIT_FIRST, *doubt[:1]])
        else:
            answer = "\n".join(doubt) or help_text(pb)
    reading = reading or read_text(text)
    echoed = read_line(match.metrics, reading.refused, reading.notes)  # numbers, with units
    if echoed:
        answer = f"{answer}\n{echoed}"
    return AskResult(
        layer=match.layer, symptom=match.symptom, topic=match.topic,
        confidence=match.confidence, metrics=match.metrics, answer=answer,
        signature=match.signature, candidates=match.candidates, match=match,
        assessment=assessment, read=echoed,
    )


def past_a_line(topic: Topic, metrics: dict[MetricName, float],
                vocabulary: Vocabulary | None = None) -> list[str]:
    """The numbers that point at `topic` and the line each is past ("cache hit rate 40%
    is below 80%"), so an answer a number led to says which number and why."""
    lines = []
    for hint in (vocabulary or default_vocabulary()).metric_hints:
        value = metrics.get(hint.metric)
        if (hint.topic is not topic or value is None or hint.line is None
                or not hint.applies(value)):
            continue  # a number with no line ("cores 8") is no reason to cite
        side, line = hint.line
        said = echo(hint.metric, value)
        lines.append(f"{said[:1].upper()}{said[1:]} is {side} {value_text(hint.metric, line)}.")
    return lines


_FEWEST_USERS = 10  # "stage 2" names a stage, not two users


def _with_bare_users(text: str, match: Match) -> Match:
    """A stage question with one bare count and no other number ("stage 50k", "what
    stage is 300k") counts that many users: users are the only count a stage is read
    from. Anything else is left as the matcher read it."""
    if match.topic is not Topic.STAGE or match.metrics:
        return match
    found = numbers_said(text)
    if len(found) != 1:
        return match
    try:
        users = parse_quantity(found[0], MetricName.USERS).value
    except ParseError:
        return match
    if users < _FEWEST_USERS:
        return match
    return match.model_copy(update={"metrics": {MetricName.USERS: users}})


def ask(text: str, playbook: Playbook | None = None) -> AskResult:
    """Match free text and answer it from the playbook."""
    pb = playbook or default_playbook()
    reading = read_text(text)  # once, for the matcher and the answer's echo
    found = match_for(text, pb, reading)  # a label is a pick
    if scale_statement(text, found):
        return answer_for(text, as_statement(found), pb, reading, statement=True)
    return answer_for(text, found, pb, reading)


CLEAR_CONFIDENCE = 0.5


def is_clear(result: AskResult) -> bool:
    """Sure enough to answer outright; below this, or when the matcher listed layer
    candidates, offer the candidates instead of a guess."""
    return (result.layer is not None or result.topic is not None) and (
        result.confidence >= CLEAR_CONFIDENCE
    ) and not result.candidates


def candidates(result: AskResult, limit: int = 3) -> list[str]:
    """Likely symptom or topic names for an unclear text, best first (the matcher's
    layer candidates first, by the matrix row each would climb)."""
    own = [x.value for x in (result.symptom, result.topic) if x is not None]
    rows = [c.symptom.value for c in result.candidates if c.symptom is not None]
    return list(dict.fromkeys([*own, *rows, *result.match.alternatives]))[:limit]


def answer_as(name: str, text: str, playbook: Playbook | None = None) -> AskResult:
    """Answer `text` as the symptom or topic `name` a person picked from the candidates."""
    from advisor.matching import match as match_text

    pb = playbook or default_playbook()
    found = match_text(text, playbook=pb)
    if name in {s.value for s in Symptom}:
        symptom = Symptom(name)
        layer = pb.row(symptom).layer  # the playbook's one mapping, as on every path
        picked = found.model_copy(update={"kind": "symptom", "symptom": symptom, "layer": layer,
                                          "topic": None, "confidence": 1.0,
                                          "candidates": []})
    else:
        picked = found.model_copy(update={"kind": "question", "topic": Topic(name),
                                          "layer": None, "symptom": None, "confidence": 1.0})
    return answer_for(text, picked, pb)
