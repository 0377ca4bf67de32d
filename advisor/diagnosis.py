"""Naming the bottleneck, climbing the decision matrix, and holding back what is premature.

A Match from the text matcher says which layer and symptom the words point to; numbers
alone can also point to a layer (db CPU high means the database). Both kinds of evidence
are kept, so the answer can show why it names the layer it names.
"""

from __future__ import annotations

from collections import defaultdict

from advisor.models import Bottleneck, Ladder, Layer, Match, Observations, Rung, Symptom
from advisor.playbook import LayerRule, Playbook


def _rule_evidence(rule: LayerRule, obs: Observations) -> str | None:
    cond = rule.condition
    return cond.evidence(obs.metrics[cond.metric]) if cond.met_by(obs.metrics) else None


Evidence = dict[Layer, list[tuple[Symptom, str]]]


def metric_evidence(obs: Observations, playbook: Playbook) -> Evidence:
    """Per layer, the (symptom, evidence) pairs the numbers support."""
    found: Evidence = defaultdict(list)
    for rule in playbook.layer_rules:
        evidence = _rule_evidence(rule, obs)
        if evidence is not None:
            found[rule.layer].append((rule.symptom, evidence))
    return dict(found)


def _from_metrics(obs: Observations, playbook: Playbook) -> tuple[Layer, Symptom, list[str]] | None:
    found = metric_evidence(obs, playbook)
    if not found:
        return None
    # Most pieces of evidence wins; ties go to the playbook's layer order (database first).
    order = [entry.layer for entry in playbook.layers]
    layer = max(found, key=lambda lay: (len(found[lay]), -order.index(lay)))
    symptom = found[layer][0][0]
    return layer, symptom, [e for _, e in found[layer]]


def _seen(symptom: Symptom, playbook: Playbook) -> str:
    return f"what people see: {playbook.row(symptom).label}"


def _row_for(layer: Layer, symptom: Symptom | None, fallback: Symptom | None,
             playbook: Playbook) -> Symptom | None:
    """The ladder for `layer`: the words' symptom when its row is that layer's, else the
    layer's own row (the evidence's row, then the playbook's default for the layer)."""
    if symptom is not None and playbook.row(symptom).layer == layer:
        return symptom
    if fallback is not None and playbook.row(fallback).layer == layer:
        return fallback
    return playbook.layer(layer).symptom  # none for a layer without a row (storage)


def diagnose(
    obs: Observations, playbook: Playbook, match: Match | None = None
) -> tuple[Bottleneck | None, Symptom | None]:
    """The bottleneck layer with its evidence, and the decision-matrix symptom to climb.

    One bottleneck, one ladder: the ladder is always a row of the named layer. Numbers
    outrank words: when the metrics point at a layer, that is the bottleneck and its row
    the ladder; a symptom the words named for another layer is kept as what people see
    ("db cpu 95% and checkout times out": database, the database ladder, timeouts seen).
    """
    layer: Layer | None = None
    words: Symptom | None = None
    evidence: list[str] = []
    confidence = 0.0
    if match is not None and match.kind == "symptom" and (match.layer or match.symptom):
        words = match.symptom
        layer = match.layer or playbook.row(words).layer  # type: ignore[arg-type]
        evidence = list(match.evidence)
        confidence = match.confidence
    inferred = _from_metrics(obs, playbook)
    m_symptom: Symptom | None = None
    if inferred is not None:
        m_layer, m_symptom, m_evidence = inferred
        if layer is None:
            confidence = min(0.9, 0.5 + 0.1 * len(m_evidence))
            evidence = m_evidence
        elif m_layer == layer:
            evidence += [e for e in m_evidence if e not in evidence]
            confidence = min(1.0, max(confidence, 0.5) + 0.1)
        else:
            evidence = [*m_evidence, *(e for e in evidence if e not in m_evidence)]
            confidence = min(0.9, 0.5 + 0.1 * len(m_evidence))
        layer = m_layer
    if layer is None:
        return None, None
    entry = playbook.layer(layer)
    symptom = _row_for(layer, words, m_symptom, playbook)
    if words is not None and symptom != words:
        evidence.append(_seen(words, playbook))
    bottleneck = Bottleneck(
        layer=layer, confidence=round(confidence, 2), evidence=evidence,
        symptoms=list(entry.symptoms), solutions=list(entry.solutions),
    )
    return bottleneck, symptom


def ladder(
    symptom: Symptom, done: set[str], playbook: Playbook,
    deferred: frozenset[str] | set[str] = frozenset(),
) -> Ladder:
    """The symptom's three rungs; the next one to try is the first neither done nor put off
    ("not now")."""
    rungs = [Rung(id=r.id, text=r.text, done=r.id in done, deferred=r.id in deferred - done)
             for r in playbook.row(symptom).rungs]
    next_index = next((i for i, r in enumerate(rungs) if not r.done and not r.deferred), None)
    return Ladder(symptom=symptom, rungs=rungs, next_index=next_index)


def not_yet(stage: int, playbook: Playbook) -> list[str]:
    """The DON'Ts that still hold at this stage (each stops applying at its until_stage)."""
    return [
        d.text for d in playbook.focus.dont
        if d.until_stage is not None and stage < d.until_stage
    ]
