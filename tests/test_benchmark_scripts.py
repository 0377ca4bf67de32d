"""The benchmark scripts as people run them: their output cut short (`| head`) ends them
quietly, after their own clean-up, never with a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _run_into_closed_pipe(args: list[str], cwd: Path) -> tuple[int, bytes]:
    """Run a Python script whose stdout reader has already gone away."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, *args], cwd=cwd, stdout=write_end,
                              stderr=subprocess.PIPE, timeout=60)
    finally:
        os.close(write_end)
    return done.returncode, done.stderr


def test_a_script_whose_reader_went_away_ends_quietly_after_its_clean_up(tmp_path: Path):
    script = tmp_path / "loud.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(BENCHMARKS)!r})\n"
        "from closed_pipe import run\n"
        "def main(n):\n"
        "    try:\n"
        "        for i in range(n):\n"
        "            print('row', i)\n"
        "    finally:\n"
        "        open('cleaned-up', 'w').close()\n"
        "run(main, 100_000)\n")
    assert _run_into_closed_pipe([str(script)], tmp_path) == (141, b"")
    assert (tmp_path / "cleaned-up").exists()


def test_the_understanding_benchmark_into_a_closed_pipe_ends_quietly(tmp_path: Path):
    sample = tmp_path / "mine.jsonl"
    sample.write_text(json.dumps({"text": "the orders table is locked and writes pile up",
                                  "kind": "symptom", "layer": "database"}) + "\n")
    code, err = _run_into_closed_pipe([str(BENCHMARKS / "understanding.py"), "--file",
                                       str(sample)], tmp_path)
    assert (code, err) == (141, b"")


def test_the_learning_curve_draws_a_share_within_each_label(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import learning_curve

    rows = ([{"kind": "symptom", "layer": "database", "text": f"d{i}"} for i in range(8)]
            + [{"kind": "question", "topic": "cdn", "text": f"q{i}"} for i in range(4)]
            + [{"kind": "noise", "text": f"n{i}"} for i in range(2)])
    half = learning_curve.share_of(rows, 0.5, seed=1)
    by_label = sorted((r["kind"], r.get("layer") or r.get("topic")) for r in half)
    assert by_label == [("noise", None)] + [("question", "cdn")] * 2 + [("symptom", "database")] * 4
    assert half == learning_curve.share_of(rows, 0.5, seed=1)  # a draw is repeatable
    whole = learning_curve.share_of(rows, 1.0, seed=3)
    assert sorted(r["text"] for r in whole) == sorted(r["text"] for r in rows)
