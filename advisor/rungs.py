"""Finding a decision-matrix rung from what a person typed ("add indexes", "replicas")."""

from __future__ import annotations

from rapidfuzz import fuzz, process, utils

from advisor.models import Symptom
from advisor.playbook import MatrixRung, Playbook

MIN_SCORE = 70


class UnknownRung(ValueError):
    """No rung is close enough; the message lists the ones there are."""


_ENDINGS = ("ing", "es", "s")


def _stems(text: str) -> str:
    """Lower-case words with a plural or -ing dropped: "indexing" and "add indexes" meet at
    "index"."""
    words = utils.default_process(text).split()
    return " ".join(next((w[: -len(e)] for e in _ENDINGS if w.endswith(e) and len(w) > len(e) + 3),
                         w) for w in words)


def find_rung(text: str, pb: Playbook, prefer: Symptom | None = None) -> MatrixRung:
    """The rung `text` names, by id or wording; rungs of `prefer`'s row win ties."""
    rows = sorted(pb.decision_matrix, key=lambda r: r.symptom != prefer)
    rungs = [rung for row in rows for rung in row.rungs]
    said = text.strip().casefold()
    exact = next((r for r in rungs if said in _names(r)), None)
    if exact is not None:
        return exact
    # Each way of naming a rung is scored on its own, so a long alias list cannot bury
    # the words that matter ("scale out" is horizontal, however much "scale" vertical has).
    choices = [(i, name) for i, r in enumerate(rungs) for name in _names(r)]
    found = process.extract(text, [name for _, name in choices], scorer=fuzz.WRatio,
                            processor=_stems, score_cutoff=MIN_SCORE, limit=None)
    best: dict[int, float] = {}  # rung index -> its best score, best rungs first
    for _name, score, k in found:
        best.setdefault(choices[k][0], score)
    ranked = list(best.items())
    if not ranked:
        known = ", ".join(r.text for r in rungs)
        raise UnknownRung(f"no rung matches '{text.strip()}' (rungs: {known})")
    tied = [rungs[i] for i, score in ranked if score == ranked[0][1]]
    if prefer is not None and len(tied) > 1:  # the system's own ladder settles a tie
        own = {r.id for r in pb.row(prefer).rungs}
        tied = [r for r in tied if r.id in own] or tied
    if len(tied) > 1:
        raise UnknownRung(f"'{text.strip()}' could be {' or '.join(r.text for r in tied)}; "
                          "say which")
    return tied[0]


def _names(rung: MatrixRung) -> list[str]:
    return [rung.text.casefold(), rung.id.casefold(), rung.id.replace("_", " "),
            *(alias.casefold() for alias in rung.aliases)]
