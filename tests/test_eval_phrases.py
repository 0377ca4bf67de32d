"""The matcher on real phrases it never learned from: ../shared/eval/holdout.jsonl.

Floors sit a little below what benchmarks/understanding.py measured, so a change that
makes the matcher worse on unseen text fails here. The phrases are read in place and
never copied into the repository.
"""

import json

from conftest import shared_file

from advisor.matching import match

# Measured 2026-11-29 with benchmarks/understanding.py: layer 0.823, noise 0.850, topic 0.706
# (the model chosen by thread-grouped cross-validation on tune+dev over five fold seeds; the
# holdout only reports, and on its 130 symptoms and 17 questions a few phrases move a
# figure by several points). Layer and topic are below the bars (0.85, 0.85, 0.90):
# these floors catch regressions, they are not the goal.
FLOORS = {"layer": 0.79, "noise": 0.85, "topic": 0.64}


def _rows() -> list[dict]:
    text = shared_file("eval", "holdout.jsonl").read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _measure(row: dict) -> tuple[str, bool]:
    m = match(row["text"])
    layer = m.layer.value if m.layer else None
    if row["kind"] == "symptom":
        return "layer", layer == row["layer"]
    if row["kind"] == "noise":
        return "noise", layer is None
    return "topic", (m.topic.value if m.topic else None) == row["topic"]


def test_matcher_stays_above_its_floors_on_unseen_phrases():
    results: dict[str, list[bool]] = {key: [] for key in FLOORS}
    for row in _rows():
        key, ok = _measure(row)
        results[key].append(ok)
    scores = {key: sum(v) / len(v) for key, v in results.items() if v}
    report = ", ".join(f"{k} {scores[k]:.3f} (floor {FLOORS[k]:.2f}, n={len(results[k])})"
                       for k in scores)
    assert set(scores) == set(FLOORS), report
    assert [k for k in FLOORS if scores[k] < FLOORS[k]] == [], report
