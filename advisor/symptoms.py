"""The decision matrix's symptoms by name: one mapping, the playbook's, on every path.

A person may name a symptom instead of describing it: by its label ("API timeouts"), its
id (`api_timeouts`), in any case or spacing, or with a slip ("API timeout"). Naming one is
an exact pick: the layer is the one the playbook's decision-matrix row gives it, so the
CLI, the interview, Slack buttons and `ask` all name the same bottleneck for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rapidfuzz import fuzz, process

from advisor.models import Match, Symptom
from advisor.playbook import Playbook
from advisor.units import Reading, extract_metrics

NEAR_MISS = 85  # rapidfuzz ratio of the whole name: "api timeout" is in, "high cpu" is not
MAX_NAME_CHARS = 40


def _norm(text: str) -> str:
    text = text.casefold().strip().removeprefix("symptom:")
    text = re.sub(r"[_\-\s]+", " ", text)
    return re.sub(r"[^\w ]", "", text).strip()


def playbook_names(pb: Playbook) -> dict[str, Symptom]:
    """Each symptom's id and decision-matrix label."""
    names: dict[str, Symptom] = {}
    for row in pb.decision_matrix:
        names[row.symptom.value] = row.symptom
        names[row.label] = row.symptom
    return names


def symptom_from(text: str, names: Mapping[str, Symptom]) -> Symptom | None:
    """The symptom `text` names among `names` (exact after folding, or a near miss)."""
    norm = _norm(text or "")
    if not norm or len(norm) > MAX_NAME_CHARS:
        return None
    folded = {_norm(name): symptom for name, symptom in names.items()}
    if norm in folded:
        return folded[norm]
    best = process.extractOne(norm, list(folded), scorer=fuzz.ratio, score_cutoff=NEAR_MISS)
    return folded[best[0]] if best else None


def symptom_named(text: str, pb: Playbook) -> Symptom | None:
    """The symptom `text` names (label, id, or a near miss of either), else None."""
    return symptom_from(text, playbook_names(pb))


def symptom_list(pb: Playbook) -> str:
    """The valid names, for a refusal: "Slow page loads (slow_page_loads), ..."."""
    return ", ".join(f"{row.label} ({row.symptom.value})" for row in pb.decision_matrix)


def named_match(symptom: Symptom, text: str, pb: Playbook, how: str = "named",
                reading: Reading | None = None) -> Match:
    """A sure Match for a named symptom, its layer from the playbook's row."""
    row = pb.row(symptom)
    metrics = reading.metrics if reading is not None else extract_metrics(text)
    return Match(kind="symptom", symptom=symptom, layer=row.layer, confidence=1.0,
                 evidence=[f"{how}: {row.label}"], metrics=metrics)


def match_for(text: str, pb: Playbook, reading: Reading | None = None) -> Match:
    """A named symptom as an exact pick; anything else goes to the free-text matcher.
    `reading` is `read_text(text)` when the caller has it already."""
    symptom = symptom_named(text, pb)
    if symptom is not None:
        return named_match(symptom, text, pb, reading=reading)
    from advisor.matching import match  # the matcher is heavier; load it on first use

    return match(text, playbook=pb, reading=reading)
