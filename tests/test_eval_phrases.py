"""Scores the matcher on the hand-labelled phrases in ../shared/eval (a sample, not the exam)."""

import json
from pathlib import Path

import pytest

from advisor.matching import match

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev_phrases.jsonl"
BARS = {"symptom": 0.90, "noise": 0.85, "question": 0.90}


def _rows() -> list[dict]:
    if not EVAL.exists():
        pytest.skip(f"eval set not found at {EVAL} (clone the repo beside shared/)")
    return [json.loads(line) for line in EVAL.read_text("utf-8").splitlines() if line.strip()]


def _right(row: dict) -> bool:
    m = match(row["text"])
    if row["kind"] == "symptom":
        return (m.layer.value if m.layer else None) == row["layer"]
    if row["kind"] == "noise":
        return m.layer is None
    return (m.topic.value if m.topic else None) == row["topic"]


def test_matcher_meets_the_quality_bars():
    results: dict[str, list[bool]] = {kind: [] for kind in BARS}
    misses: list[str] = []
    for row in _rows():
        ok = _right(row)
        results[row["kind"]].append(ok)
        if not ok:
            misses.append(f"  [{row['kind']}] {row['text'][:100]}")
    scores = {kind: sum(v) / len(v) for kind, v in results.items() if v}
    report = "\n".join(
        [f"{kind}: {scores[kind]:.1%} (bar {BARS[kind]:.0%}, n={len(results[kind])})"
         for kind in scores] + ["misses:"] + misses
    )
    print(report)
    assert set(scores) == set(BARS), report
    assert all(scores[kind] >= BARS[kind] for kind in BARS), report
