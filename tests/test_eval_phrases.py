"""The matcher on real phrases it never learned from: ../shared/eval/holdout.jsonl.

Floors sit a little below what benchmarks/understanding.py measured, so a change that
makes the matcher worse on unseen text fails here. The phrases are read in place and
never copied into the repository.
"""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import shared_file

from advisor.matching import match

# Measured 2026-11-29 with benchmarks/understanding.py: layer 0.838, noise 0.900, topic 0.765
# (changes chosen by thread-grouped cross-validation on tune+dev and on fresh samples kept
# outside the repository; the holdout only reports, and on its 130 symptoms and 17
# questions a few phrases move a figure by several points). Layer and topic are below the
# issue's bars (0.85, 0.85, 0.90): these floors catch regressions, they are not the goal.
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


def _understanding():
    """benchmarks/understanding.py, loaded as a module (the benchmarks are scripts)."""
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "understanding.py"
    spec = importlib.util.spec_from_file_location("understanding", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_teams_own_labelled_sample_is_measured_the_same_way(tmp_path):
    """`--file` measures any sample labelled like ../shared/eval, so a team can check the
    matcher on its own channels' text without adding it to the repository."""
    bench = _understanding()
    sample = tmp_path / "ours.jsonl"
    sample.write_text("\n".join(json.dumps(row) for row in [
        {"text": "the disk on the primary is 100% full", "kind": "symptom", "layer": "storage"},
        {"text": "who is buying lunch today?", "kind": "noise"},
        {"text": "how many read replicas do we need for 20k reads/s?", "kind": "question",
         "topic": "read_replicas"},
    ]) + "\n\n", encoding="utf-8")
    data = bench.read(sample)
    lines = bench.report(bench.evaluate(data))
    assert [len(data), *lines[:4]] == [
        3,
        "layer                  1.000  (1/1)",
        "layer:storage          1.000  (1/1)",
        "noise                  1.000  (1/1)",
        "topic                  1.000  (1/1)",
    ]


@pytest.mark.parametrize(("content", "message"), [
    ('{"text": "slow", "kind": "symptom", "layer": "database"}\nnot json\n',
     "ours.jsonl:2: not JSON"),
    ('{"text": "db is slow", "kind": "symptom"}\n',
     "ours.jsonl:1: needs text and kind (symptom with a layer, question with a topic, "
     "or noise)"),
    ('["a list"]\n', "ours.jsonl:1: needs text and kind"),
])
def test_a_sample_that_cannot_be_measured_says_which_line(tmp_path, content, message):
    sample = tmp_path / "ours.jsonl"
    sample.write_text(content, encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        _understanding().read(sample)
    assert message in str(stop.value)


def test_any_reader_is_scored_the_way_the_matcher_is(tmp_path):
    """The yardstick model is scored by the same function as the matcher: a reader that
    calls everything a database symptom is right on the database row only."""
    bench = _understanding()
    data = [
        {"text": "queries pile up on the primary", "kind": "symptom", "layer": "database"},
        {"text": "the disk on the primary is 100% full", "kind": "symptom", "layer": "storage"},
        {"text": "who is buying lunch today?", "kind": "noise"},
        {"text": "how big should the redis cache be?", "kind": "question",
         "topic": "cache_sizing"},
    ]
    result = bench.evaluate(data, lambda text: ("symptom", "database", None))
    assert {k: (result["right"][k], v) for k, v in result["total"].items()} == {
        "layer": (1, 2), "layer:database": (1, 1), "layer:storage": (0, 1),
        "noise": (0, 1), "topic": (0, 1)}
    assert dict(result["confusion"]) == {("database", "database"): 1,
                                         ("storage", "database"): 1}


@pytest.mark.skipif(importlib.util.find_spec("sentence_transformers") is not None,
                    reason="the extras are installed: the script would fit the whole model")
def test_the_yardstick_without_its_extras_says_what_to_install():
    script = Path(__file__).resolve().parents[1] / "benchmarks" / "embedding_baseline.py"
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.startswith("needs the train and vectors extras (")
    assert done.stderr.endswith("pip install -e '.[train,vectors]'\n")


def test_the_yardstick_hands_its_model_only_what_the_matcher_is_unsure_of(monkeypatch):
    """The third column's reader: a recognised signature (even one that claims no layer,
    at confidence 0) and a confident reading stay the matcher's; the rest go to the model."""
    benchmarks = Path(__file__).resolve().parents[1] / "benchmarks"
    monkeypatch.syspath_prepend(str(benchmarks))
    spec = importlib.util.spec_from_file_location("embedding_baseline",
                                                  benchmarks / "embedding_baseline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    handed: list[str] = []
    read = module.handoff_reader(lambda text: ("symptom", "storage", None), handed=handed)
    texts = ["Failed to connect to 127.0.0.1 port 5432 after 3 ms: Couldn't connect to server",
             "FATAL:  sorry, too many clients already",
             "how many read replicas do we need for 12k reads/s",
             "things are weird today"]
    assert [read(text) for text in texts] == [
        ("noise", None, None), ("symptom", "database", None),
        ("question", None, "read_replicas"), ("symptom", "storage", None)]
    assert handed == ["things are weird today"]
