"""Finding a decision-matrix rung from what a person typed ("add indexes", "replicas")."""

from __future__ import annotations

from rapidfuzz import fuzz, process, utils

from advisor.models import Symptom
from advisor.playbook import MatrixRung, Playbook

MIN_SCORE = 70


class UnknownRung(ValueError):
    """No rung is close enough; the message lists the ones there are."""


def find_rung(text: str, pb: Playbook, prefer: Symptom | None = None) -> MatrixRung:
    """The rung `text` names, by id or wording; rungs of `prefer`'s row win ties."""
    rows = sorted(pb.decision_matrix, key=lambda r: r.symptom != prefer)
    rungs = [rung for row in rows for rung in row.rungs]
    names = {i: f"{r.text} {r.id.replace('_', ' ')}" for i, r in enumerate(rungs)}
    exact = next((r for r in rungs if text.strip().casefold() in
                  (r.id.casefold(), r.text.casefold())), None)
    if exact is not None:
        return exact
    found = process.extractOne(text, names, scorer=fuzz.WRatio, processor=utils.default_process,
                               score_cutoff=MIN_SCORE)
    if found is None:
        known = ", ".join(r.text for r in rungs)
        raise UnknownRung(f"no rung matches '{text.strip()}' (rungs: {known})")
    return rungs[found[2]]
