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
from advisor.units import read_line, read_text


def _symptom_answer(text: str, match: Match, pb: Playbook) -> str:
    obs = Observations(metrics=match.metrics, signals=match.signals, text=text, done=match.done)
    assessment = assess(obs, pb, match)
    lines = restraint_lines(None, text, match.metrics, pb)
    return "\n".join([*lines, assessment_text(assessment)])


def answer_for(text: str, match: Match, playbook: Playbook | None = None) -> AskResult:
    """Answer `text` given what the matcher made of it."""
    pb = playbook or default_playbook()
    if match.kind == "question" and match.topic is not None:
        answer = topic_answer(match.topic, text, match.metrics, pb)
    elif match.kind == "symptom" and (match.layer or match.symptom):
        answer = _symptom_answer(text, match, pb)
    elif restraint_lines(None, text, match.metrics, pb):
        answer = "\n".join(restraint_lines(None, text, match.metrics, pb))
    else:
        answer = help_text(pb)
    echoed = read_line(match.metrics, read_text(text).refused)  # every number, with its unit
    if echoed:
        answer = f"{answer}\n{echoed}"
    return AskResult(
        layer=match.layer, symptom=match.symptom, topic=match.topic,
        confidence=match.confidence, metrics=match.metrics, answer=answer, match=match,
    )


def ask(text: str, playbook: Playbook | None = None) -> AskResult:
    """Match free text and answer it from the playbook."""
    from advisor.matching import match  # the matcher is heavier; load it on first use

    return answer_for(text, match(text), playbook)


CLEAR_CONFIDENCE = 0.5


def is_clear(result: AskResult) -> bool:
    """Sure enough to answer outright; below this, offer candidates instead of a guess."""
    return (result.layer is not None or result.topic is not None) and (
        result.confidence >= CLEAR_CONFIDENCE
    )


def candidates(result: AskResult, limit: int = 3) -> list[str]:
    """Likely symptom or topic names for an unclear text, best first."""
    own = [x.value for x in (result.symptom, result.topic) if x is not None]
    return list(dict.fromkeys([*own, *result.match.alternatives]))[:limit]


def answer_as(name: str, text: str, playbook: Playbook | None = None) -> AskResult:
    """Answer `text` as the symptom or topic `name` a person picked from the candidates."""
    from advisor.matching import match as match_text

    pb = playbook or default_playbook()
    found = match_text(text)
    if name in {s.value for s in Symptom}:
        symptom = Symptom(name)
        layer = found.layer or pb.row(symptom).layer
        picked = found.model_copy(update={"kind": "symptom", "symptom": symptom, "layer": layer,
                                          "topic": None, "confidence": 1.0})
    else:
        picked = found.model_copy(update={"kind": "question", "topic": Topic(name),
                                          "layer": None, "symptom": None, "confidence": 1.0})
    return answer_for(text, picked, pb)
