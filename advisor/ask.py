"""`ask`: free text in, a matched answer out (the contract of DESIGN.md's `ask --json`).

The matcher (advisor.matching) decides what the text is about; this module only turns
that Match into an answer, so it can be tested with a Match built by hand.
"""

from __future__ import annotations

from advisor.answers import help_text, restraint_lines, topic_answer
from advisor.engine import assess
from advisor.models import AskResult, Match, Observations, Symptom, Topic
from advisor.playbook import Playbook, default_playbook
from advisor.report import assessment_text
from advisor.symptoms import match_for
from advisor.units import Reading, read_line, read_text


def _label(pb: Playbook, symptom: Symptom | None) -> str:
    return pb.row(symptom).label if symptom is not None else "no decision-matrix row"


def recognised_line(match: Match, pb: Playbook) -> str | None:
    """"Recognised: <component>: <meaning> -> <layer>, <symptom label>" for a signature."""
    sig = match.signature
    if sig is None:
        return None
    where = (f"{match.layer.value}, {_label(pb, match.symptom)}" if match.layer is not None
             else "not a scaling bottleneck")
    return f"Recognised: {sig.component}: {sig.meaning} -> {where} (matched \"{sig.matched}\")"


def candidate_lines(match: Match, pb: Playbook) -> list[str]:
    """The likely readings when the trouble is clear but the layer is not."""
    if not match.candidates:
        return []
    shown = [f"  - {c.layer.value}, {_label(pb, c.symptom)} ({c.confidence:.2f})"
             for c in match.candidates]
    return ["Trouble, but the layer is not clear; the likeliest readings:", *shown]


def _symptom_answer(text: str, match: Match, pb: Playbook) -> tuple[str, Match]:
    """The assessment's text, and the match with the bottleneck and ladder it settled on."""
    obs = Observations(metrics=match.metrics, signals=match.signals, text=text, done=match.done)
    assessment = assess(obs, pb, match)
    lines = restraint_lines(None, text, match.metrics, pb)
    head = [line for line in [recognised_line(match, pb)] if line]
    settled = match
    if assessment.bottleneck is not None:  # one symptom, one bottleneck, one ladder
        settled = match.model_copy(update={
            "layer": assessment.bottleneck.layer,
            "symptom": assessment.ladder.symptom if assessment.ladder else match.symptom})
    body = [*head, *candidate_lines(match, pb), *lines, assessment_text(assessment)]
    return "\n".join(body), settled


def answer_for(text: str, match: Match, playbook: Playbook | None = None,
               reading: Reading | None = None) -> AskResult:
    """Answer `text` given what the matcher made of it (and `reading`, `read_text(text)`,
    when the caller has it already)."""
    pb = playbook or default_playbook()
    if match.kind == "question" and match.topic is not None:
        answer = topic_answer(match.topic, text, match.metrics, pb)
    elif match.kind == "symptom" and (match.layer or match.symptom):
        answer, match = _symptom_answer(text, match, pb)
    elif restraint_lines(None, text, match.metrics, pb):
        answer = "\n".join(restraint_lines(None, text, match.metrics, pb))
    elif match.signature is not None:
        answer = "\n".join([recognised_line(match, pb) or "",
                             "It needs fixing, but more capacity will not fix it: no ladder."])
    else:
        answer = help_text(pb)
    reading = reading or read_text(text)
    echoed = read_line(match.metrics, reading.refused, reading.notes)  # numbers, with units
    if echoed:
        answer = f"{answer}\n{echoed}"
    return AskResult(
        layer=match.layer, symptom=match.symptom, topic=match.topic,
        confidence=match.confidence, metrics=match.metrics, answer=answer,
        signature=match.signature, candidates=match.candidates, match=match,
    )


def ask(text: str, playbook: Playbook | None = None) -> AskResult:
    """Match free text and answer it from the playbook."""
    pb = playbook or default_playbook()
    reading = read_text(text)  # once, for the matcher and the answer's echo
    return answer_for(text, match_for(text, pb, reading), pb, reading)  # a label is a pick


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
