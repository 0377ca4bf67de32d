"""The terminal's systems commands, end to end through main() on a real SQLite file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bot.terminal.cli import main


@pytest.fixture(autouse=True)
def _db(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SCALE_DB", str(tmp_path / "cli.db"))
    monkeypatch.delenv("SCALE_PLAYBOOK", raising=False)


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out, inp=io.StringIO(""))
    return code, out.getvalue()


def test_two_runs_show_the_changes_in_text_and_json():
    code, first = run("diagnose", "--system", "checkout-api", "--users", "50k", "--db-cpu", "85%",
                      "--p95", "1.2s")
    assert code == 0
    assert first.startswith("System: checkout-api (assessment #1); first assessment, nothing "
                            "to compare yet.\n")
    code, second = run("diagnose", "--system", "Checkout-API", "--users", "50k", "--db-cpu",
                       "60%", "--p95", "400ms")
    assert second.splitlines()[:6] == [
        "System: checkout-api (assessment #2)",
        "Since last time (#1, just now):",
        "  users: 50,000 users -> 50,000 users (same)",
        "  p95_ms: 1,200ms -> 400ms (better)",
        "  db_cpu_pct: 85% -> 60% (better)",
        "  stage: still 2",
    ]
    code, out = run("diagnose", "--system", "checkout-api", "--users", "50k", "--db-cpu", "75%",
                    "--json")
    data = json.loads(out)
    assert data["system"] == "checkout-api"
    assert data["changes"] == [
        {"metric": "users", "before": 50000.0, "after": 50000.0, "better": None},
        {"metric": "db_cpu_pct", "before": 60.0, "after": 75.0, "better": False},
    ]
    assert data["since"]["id"] == 2
    assert data["since"]["stage"] == {"before": 2, "after": 2}
    assert data["since"]["bottleneck"] == {"before": None, "after": "database"}
    assert set(data["since"]) == {"id", "at", "stage", "bottleneck", "rungs_done"}


def test_history_of_one_system_lists_its_runs_only():
    run("diagnose", "--system", "checkout-api", "--users", "50k", "--db-cpu", "85%")
    run("diagnose", "--system", "search", "--users", "50k", "--db-cpu", "85%")
    run("diagnose", "--users", "50k", "--db-cpu", "85%")
    run("diagnose", "--system", "checkout-api", "--users", "60k", "--db-cpu", "70%")
    code, out = run("history", "--system", "checkout-api")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines() if line.startswith("#")] == ["#4", "#1"]
    code, out = run("history", "--system", "CHECKOUT-API", "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["id"], r["system"]) for r in rows] == [("4", "checkout-api"), ("1", "checkout-api")]
    code, out = run("history", "--system", "checkout-api", "--json")
    assert [json.loads(line)["id"] for line in out.splitlines()] == [4, 1]
    assert run("history", "--system", "nothing")[1] == (
        "No assessments of a system called 'nothing'.\n")
    assert len(run("history", "--json")[1].splitlines()) == 4  # the whole log still lists


def test_done_moves_that_system_to_read_replicas_only():
    for name in ("checkout-api", "other"):
        run("diagnose", "--system", name, "--users", "50k", "--db-cpu", "90%")
    code, out = run("done", "checkout-api", "add indexes")
    assert (code, out) == (0, "checkout-api: Add indexes is done; the next assessment climbs "
                              "past it.\n")
    assert "Then try: Read replicas <- next" in run(
        "diagnose", "--system", "checkout-api", "--users", "50k", "--db-cpu", "90%")[1]
    assert "First try: Add indexes <- next" in run(
        "diagnose", "--system", "other", "--users", "50k", "--db-cpu", "90%")[1]
    run("reopen", "checkout-api", "indexes")
    assert "First try: Add indexes <- next" in run(
        "diagnose", "--system", "checkout-api", "--users", "50k", "--db-cpu", "90%")[1]


def test_a_rung_put_off_is_not_listed_open_and_marks_say_what_they_did():
    run("diagnose", "--system", "s1", "--users", "50k", "--db-cpu", "85%")
    assert run("not-now", "s1", "read replicas") == (0, (
        "s1: Read replicas is put off for now; the next assessment passes over it to the "
        "rung after.\n"))
    assert run("systems", "s1")[1].splitlines()[2] == (
        "  open: Add indexes, Sharding; done: -; not now: Read replicas")
    assert run("reopen", "s1", "add indexes") == (
        0, "s1: Add indexes was already open; nothing changed.\n")
    assert run("reopen", "s1", "read replicas") == (
        0, "s1: Read replicas is open again; the next assessment counts it as not yet tried.\n")


def test_mark_errors_are_one_line(capsys):
    assert run("done", "nope", "add indexes")[0] == 2
    assert capsys.readouterr().err == (
        "scale-advisor: error: done: no system called 'nope' has been assessed here\n")
    assert run("diagnose", "--system", "x" * 61, "--users", "5k")[0] == 2
    assert "at most 60 characters" in capsys.readouterr().err


def test_systems_lists_each_with_its_trend_lines():
    for cpu in ("90%", "80%", "50%", "75%"):
        run("diagnose", "--system", "checkout-api", "--users", "50k", "--db-cpu", cpu)
    run("diagnose", "--system", "search", "--users", "2k", "--p95", "300ms")
    run("done", "checkout-api", "add indexes")
    code, out = run("systems")
    lines = out.splitlines()
    assert code == 0
    assert lines[0].startswith("search  (last assessed ") and lines[0].endswith(
        ", 1 assessment)")
    assert lines[1:4] == ["  stage 1; bottleneck: none; next: -",
                          "  users                ▄            2,000 users",
                          "  p95_ms               ▄            300ms"]
    assert lines[5:9] == [
        "  stage 2; bottleneck: database; next: Read replicas",
        "  open: Read replicas, Sharding; done: Add indexes",
        "  users                ▄▄▄▄         50,000 users",
        "  db_cpu_pct           █▆▁▅         75%",
    ]
    records = [json.loads(line) for line in run("systems", "--json")[1].splitlines()]
    assert [r["name"] for r in records] == ["search", "checkout-api"]
    assert records[1]["trends"]["db_cpu_pct"] == {"values": [90.0, 80.0, 50.0, 75.0],
                                                  "line": "█▆▁▅"}
    assert (records[1]["next_rung"], records[1]["done_rungs"]) == ("Read replicas",
                                                                   ["Add indexes"])


def test_systems_name_shows_that_one_only():
    run("diagnose", "--system", "checkout api", "--users", "50k", "--db-cpu", "90%")
    run("diagnose", "--system", "search", "--users", "2k")
    code, out = run("systems", "Checkout", "API")
    assert code == 0 and out.splitlines()[0].startswith("checkout api  (last assessed ")
    assert "search" not in out
    assert run("systems", "nope") == (0, "No system called 'nope' has been assessed.\n")


def test_what_if_example_shows_the_numbers():
    code, out = run("diagnose", "--users", "50k", "--peak", "1000", "--reads", "900",
                    "--per-replica", "3000", "--what-if")
    assert code == 0
    ten = out[out.index("At 10x"):out.index("At 100x")]
    hundred = out[out.index("At 100x"):out.index("At 1,000x")]
    assert ("  capacity: 1,000 × 10 = 10,000 req/s peak; × 1 growth × 1.5 safety = 15,000 req/s "
            "(no growth factor given, so 1x)") in ten.splitlines()
    assert "  replicas: ceiling(9,000 / 3,000) = 3 replicas" in ten.splitlines()
    assert "  replicas: ceiling(90,000 / 3,000) = 30 replicas" in hundred.splitlines()
    data = json.loads(run("diagnose", "--users", "50k", "--peak", "1000", "--reads", "900",
                          "--per-replica", "3000", "--what-if", "--json")[1])
    got = {(w["factor"], n["kind"]): n["value"] for w in data["what_if"] for n in w["numbers"]}
    assert (got[(10, "capacity")], got[(10, "replicas")], got[(100, "replicas")]) == (15000, 3,
                                                                                       30)


def test_marks_take_json():
    run("diagnose", "--system", "s1", "--users", "50k", "--db-cpu", "85%")
    results = [json.loads(run(*argv, "--json")[1]) for argv in (
        ("done", "s1", "indexing"), ("done", "s1", "add indexes"),
        ("not-now", "s1", "read", "replicas"), ("reopen", "s1", "sharding"))]
    assert results == [
        {"system": "s1", "rung": "add_indexes", "text": "Add indexes", "state": "done",
         "before": "open", "changed": True},
        {"system": "s1", "rung": "add_indexes", "text": "Add indexes", "state": "done",
         "before": "done", "changed": False},
        {"system": "s1", "rung": "read_replicas", "text": "Read replicas", "state": "not_now",
         "before": "open", "changed": True},
        {"system": "s1", "rung": "sharding", "text": "Sharding", "state": "open",
         "before": "open", "changed": False}]


def test_diagnose_done_finds_a_rung_as_done_does(capsys):
    code, out = run("diagnose", "--users", "5k", "--db-cpu", "90%", "--done", "indexing",
                    "--json")
    assert (code, json.loads(out)["inputs"]["done"]) == (0, ["add_indexes"])
    assert run("diagnose", "--users", "5k", "--done", "frobnicate")[0] == 2
    assert capsys.readouterr().err.startswith(
        "scale-advisor: error: diagnose: --done: no rung matches 'frobnicate' (rungs: ")
