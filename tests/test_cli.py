"""The `scale-advisor` command: in-process through main(), plus one run of the installed script."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.terminal.cli import build_parser, main


def run(*argv: str, stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out, inp=io.StringIO(stdin))
    return code, out.getvalue()


@pytest.fixture(autouse=True)
def _no_team_playbook(monkeypatch, tmp_path):
    monkeypatch.delenv("SCALE_PLAYBOOK", raising=False)
    monkeypatch.setenv("SCALE_DB", str(tmp_path / "advisor.db"))  # not the checkout's file


def test_size_worked_examples_text():
    assert "= 17 connections per instance" in run("size", "pool", "--cores", "8", "--ssd")[1]
    assert "= 4 replicas" in run("size", "replicas", "--reads", "10000",
                                 "--per-replica", "3000")[1]
    assert "10GB × 1.5 = 15GB" in run("size", "cache", "--working-set", "10GB")[1]
    assert "= 4,500 req/s" in run("size", "capacity", "--peak", "1000", "--growth", "3",
                                  "--safety", "1.5")[1]


def test_size_json_and_units_as_people_write_them():
    code, out = run("size", "cache", "--working-set", "10 GB", "--json")
    assert code == 0 and json.loads(out)["result"] == 15
    code, out = run("size", "replicas", "--reads", "12k", "--per-replica", "3k", "--json")
    assert json.loads(out)["result"] == 4
    code, out = run("size", "pool", "--cores", "8", "--spindles", "4", "--json")
    assert json.loads(out)["result"] == 20


def test_stage_accepts_50k():
    code, out = run("stage", "50k")
    assert code == 0 and out.startswith("Stage 2: Growth")
    data = json.loads(run("stage", "1.2M", "--json")[1])
    assert (data["users"], data["stage"]["number"], data["cost"]) == (1_200_000, 4, "$100,000+")


def test_stage_and_ask_cost_exactly_10k_users_at_the_10k_row():
    stage_out = run("stage", "10k")[1]
    ask_out = run("ask", "what does hosting cost for 100k users?")[1]
    assert [line for line in (stage_out + ask_out).splitlines() if "Cost table" in line] == [
        "  Cost table: 10K users, Single server: $100-300 per month",
        "Cost table: 100K users, Load balanced + cache: $1,000-3,000/month."]


def test_diagnose_from_flags():
    code, out = run("diagnose", "--users", "50k", "--p95", "1.2s", "--db-cpu", "85%")
    assert code == 0
    assert "Stage 2: Growth" in out
    assert "[WARNING] Response time (P95) is 1,200ms" in out
    assert "Bottleneck: database" in out and "First try: Add indexes <- next" in out


def test_diagnose_json_with_done_signal_and_what_if():
    code, out = run("diagnose", "--users", "50000", "--db-cpu-pct", "0.92", "--done",
                    "add_indexes", "--signal", "write_overload", "--what-if", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["inputs"]["metrics"] == {"users": 50000.0, "db_cpu_pct": 92.0}
    assert data["ladder"]["next_index"] == 1
    assert data["pushed_toward"] == 3
    assert [w["factor"] for w in data["what_if"]] == [10, 100, 1000]


@pytest.mark.parametrize("argv, reason", [
    (["diagnose", "--db-cpu", "140%"], "at most 100%"),
    (["diagnose", "--users", "-5"], "cannot be negative"),
    (["diagnose", "--p95", "nan"], "finite"),
    (["diagnose", "--users", "1e15"], "beyond any real system"),
    (["size", "cache", "--working-set", "-5GB"], "cannot be negative"),
    (["size", "pool", "--cores", "8", "--spindles", "2", "--ssd"], "not allowed with"),
    (["diagnose", "--signal", "bogus"], "unknown signal bogus"),
    (["diagnose"], "give at least one metric flag"),
    (["frobnicate"], "invalid choice"),
    (["size"], "required"),
    (["stage", "lots"], "argument USERS"),
])
def test_bad_input_exits_2_with_a_reason(argv, reason, capsys):
    code, out = run(*argv)
    err = capsys.readouterr().err
    assert code == 2 and out == ""
    assert reason in err and "Traceback" not in err


def test_a_broken_team_playbook_is_named(tmp_path, capsys, monkeypatch):
    bad = tmp_path / "team.toml"
    bad.write_text("version = 1\n", encoding="utf-8")
    monkeypatch.setenv("SCALE_PLAYBOOK", str(bad))
    code, _ = run("stage", "50k")
    err = capsys.readouterr().err
    assert code == 2 and str(bad) in err and "field stages" in err


def test_help_exits_zero(capsys):
    assert run("--help")[0] == 0
    assert "diagnose" in capsys.readouterr().out


@pytest.mark.parametrize("command", [("ask",), ("size",), ("size", "pool"), ("size", "replicas"),
                                     ("size", "cache"), ("size", "capacity"), ("stage",),
                                     ("diagnose",), ("history",), ("systems",), ("done",),
                                     ("serve",)])
def test_every_subcommand_has_help(command, capsys):
    assert run(*command, "--help")[0] == 0
    assert capsys.readouterr().out.startswith(f"usage: scale-advisor {' '.join(command)}")


def test_a_converted_flag_value_is_said_on_stderr(capsys):
    code, out = run("size", "capacity", "--peak", "60k/min", "--growth", "20%")
    assert (code, out.splitlines()[0]) == (0, "capacity: 1,000 × 1.2 × 1.5 = 1,800 req/s")
    assert capsys.readouterr().err.splitlines() == [
        "scale-advisor: note: --peak: 60,000 per minute = 1,000 per second",
        "scale-advisor: note: --growth: read +20% as a factor of 1.2x",
    ]


@pytest.mark.parametrize(("argv", "first"), [
    (["size", "replicas", "--reads", "12k/s", "--per-replica", "3000", "rps"],
     "replicas: ceiling(12,000 / 3,000) = 4 replicas"),
    (["size", "capacity", "--peak", "3000", "rps", "--growth", "3", "x"],
     "capacity: 3,000 × 3 × 1.5 = 13,500 req/s"),
    (["size", "pool", "--cores", "8", "cores", "--spindles", "2", "spindles"],
     "pool: (8 × 2) + 2 = 18 connections per instance"),
])
def test_a_flag_value_may_say_its_unit_as_a_word(argv, first):
    """`--per-replica 3000 rps` failed with "no value in 'rps'": the unit it already had,
    said as the next word, belongs to the value."""
    code, out = run(*argv)
    assert (code, out.splitlines()[0]) == (0, first)


def test_a_growth_per_month_flag_is_compounded_to_a_year(capsys):
    """`--growth "20% a month"` planned for 1.2x: the guide's growth is over 12 months."""
    code, out = run("size", "capacity", "--peak", "1000", "--growth", "20% a month")
    assert (code, out.splitlines()[0]) == (0, "capacity: 1,000 × 8.92 × 1.5 = 13,374 req/s")
    assert capsys.readouterr().err.splitlines() == [
        "scale-advisor: note: --growth: 20% compounded 12 times is 8.916x in 12 months"]


def test_parser_has_one_subcommand_per_contract_command():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert {"ask", "size", "stage", "diagnose"} <= set(sub.choices)


def _parsers(parser):
    yield parser
    for action in parser._actions:
        for child in (getattr(action, "choices", None) or {}).values():
            if hasattr(child, "_actions"):
                yield from _parsers(child)


def test_every_option_of_every_command_says_what_it_takes():
    silent = [(parser.prog, action.option_strings[0])
              for parser in _parsers(build_parser()) for action in parser._actions
              if action.option_strings and not action.help]
    assert silent == []


def test_ask_reads_a_paste_piped_in_as_one_text():
    paste = ("NAME      CPU(cores)   CPU%   MEMORY(bytes)   MEMORY%\n"
             "node-1    1200m        30%    9000Mi          56%\n"
             "node-2    3800m        95%    14000Mi         88%\n")
    code, out = run("ask", "--json", stdin=paste)
    got = json.loads(out)
    assert code == 0
    assert (got["layer"], got["metrics"]) == ("application",
                                              {"server_cpu_pct": 95.0, "memory_pct": 88.0})


def test_ask_with_nothing_to_read_says_what_it_takes(capsys):
    code, out = run("ask", stdin="")
    assert (code, out) == (2, "")
    assert capsys.readouterr().err == ("scale-advisor: error: ask: give a question, pipe a "
                                       "paste in, or '-' to read questions from stdin\n")


def test_ask_stdin_one_json_object_per_line():
    code, out = run("ask", "-", stdin="how many read replicas for 12k reads/s if one handles "
                    "3k\n\nour cert expired\n")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(lines) == 2
    assert set(lines[0]) == {"layer", "symptom", "topic", "confidence", "metrics", "answer",
                             "signature", "candidates"}
    assert lines[0]["topic"] == "read_replicas" and "= 4 replicas" in lines[0]["answer"]
    assert (lines[0]["signature"], lines[0]["candidates"]) == (None, [])
    assert lines[1]["layer"] is None


def test_ask_json_names_a_recognised_signature():
    code, out = run("ask", "FATAL: sorry, too many clients already", "--json")
    data = json.loads(out)
    assert code == 0 and (data["layer"], data["symptom"]) == ("database", "database_slow")
    assert set(data["signature"]) == {"id", "component", "name", "meaning", "matched"}
    assert (data["signature"]["id"], data["signature"]["name"],
            data["signature"]["matched"]) == (
        "postgresql.too_many_clients", "PostgreSQL", "sorry, too many clients already")
    assert data["answer"].startswith("Recognised (PostgreSQL): ")


def test_ask_json_lists_candidates_when_the_layer_is_unclear():
    data = json.loads(run("ask", "things are slow", "--json")[1])
    assert 1 <= len(data["candidates"]) <= 3
    assert all(set(c) == {"layer", "symptom", "confidence"} for c in data["candidates"])
    assert data["candidates"][0]["layer"] == data["layer"]
    assert "the likeliest readings:" in data["answer"]


@pytest.mark.skipif(shutil.which("scale-advisor") is None, reason="console script not installed")
def test_installed_console_script():
    done = subprocess.run(["scale-advisor", "size", "capacity", "--peak", "1000", "--growth",
                           "3x", "--json"], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).parent)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["result"] == 4500
    bad = subprocess.run(["scale-advisor", "stage", "-3"], capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode == 2 and "negative" in bad.stderr and "Traceback" not in bad.stderr


def test_ask_reads_no_cpu_from_an_error_share_of_a_status_class():
    data = json.loads(run("ask", "--json", "5xx at 3% and db cpu 90%")[1])
    assert data["metrics"] == {"db_cpu_pct": 90.0}
    assert data["answer"].endswith("\nRead: db cpu 90%.")
    assert "Server CPU" not in data["answer"]
    data = json.loads(run("ask", "--json", "we see 502s at 2%")[1])
    assert data["metrics"] == {}
    assert "Read:" not in data["answer"]


def test_ask_answers_a_statement_of_users_with_the_stage():
    code, out = run("ask", "about 50,000 daily active users")
    assert code == 0
    assert out == (
        "No question or trouble in that, so here is what the numbers say.\n"
        "Scaling stage: The stage follows mostly from how many users you serve; the trigger "
        "signals say when to move on.\n"
        "50,000 users puts you in:\n"
        "Stage 2: Growth (10,000-100,000 users)\n"
        "  Architecture: Add caching, read replicas\n"
        "  Monthly cost: about $1K/mo\n"
        "Cost table: 100K users, Load balanced + cache: $1,000-3,000/month.\n"
        "Move to Stage 3 (Scale) when: Write traffic is more than a single primary can "
        "take; Cache hit rate has stopped improving despite tuning; Read replicas fall "
        "behind on replication lag; Components need to scale independently.\n"
        "Say what hurts (slow pages, timeouts, CPU or memory, the database) and I will name "
        "the bottleneck.\n"
        "Read: users 50,000.\n")


def test_ask_answers_a_statement_of_a_machine_with_its_pool():
    """"16 cores and 4 spinning disks" was answered as a storage bottleneck, and the disks
    were not read."""
    code, out = run("ask", "16 cores and 4 spinning disks")
    assert code == 0
    assert out == (
        "No question or trouble in that, so here is what the numbers say.\n"
        "Connection pool size: Size the pool from the hardware, not from traffic: each core "
        "can keep about two connections busy, plus one per disk that can seek on its own.\n"
        "connections = (num_cores × 2) + effective_spindle_count\n"
        "(16 × 2) + 4 = 36 connections per instance (4 spindles)\n"
        "Say what hurts (slow pages, timeouts, CPU or memory, the database) and I will name "
        "the bottleneck.\n"
        "Read: cores 16, spindles 4.\n")


def test_ask_json_answers_a_statement_of_a_rate_with_capacity():
    data = json.loads(run("ask", "--json", "traffic is 500 requests per minute")[1])
    answer = data.pop("answer")
    assert data == {"layer": None, "symptom": None, "topic": "capacity_planning",
                    "confidence": 0.75, "metrics": {"peak_rps": 500 / 60},
                    "signature": None, "candidates": []}
    assert answer.splitlines()[2:4] == [
        "Required Capacity = Peak Traffic × Growth Factor × Safety Margin",
        "8.33 × 1 × 1.5 = 12.5 req/s"]
    assert answer.endswith("\nRead: peak 8.333 req/s. (500 per minute = 8.333 per second.)")


@pytest.mark.parametrize(("text", "topic"), [
    ("we have 2 million users", "stage"),
    ("50k users and 2k rps at peak", "stage"),
    ("we serve 3k rps", "capacity_planning"),
    ("we run 16 cores", "connection_pool"),
    ("8 cores, ssd", "connection_pool"),
    ("8 vCPU, 32GiB RAM", "connection_pool"),  # a machine's make-up, no place of trouble
    ("the working set is about 8GB", "cache_sizing"),
    ("90% reads, 10% writes", "read_replicas"),  # the mix of work is no place of trouble
    ("we do about 1.2k writes/s and 9k reads/s", "read_replicas"),
])
def test_ask_answers_every_statement_of_scale_without_candidates(text, topic):
    data = json.loads(run("ask", "--json", text)[1])
    assert (data["layer"], data["topic"], data["candidates"]) == (None, topic, [])
    assert data["confidence"] >= 0.5


@pytest.mark.parametrize("text", [
    "pages are slow with 40k users",
    "40k users and checkout times out",
    "5xx at 3% and 40k users",
    "users complain at 40k users",
    "we have 40k users, is that a lot?",
    "8 cores and the disk is slow",
    "8 cores, cpu pegged",
    "reads are slow, 90% reads",
])
def test_trouble_or_a_question_beside_the_numbers_is_no_statement_of_scale(text):
    data = json.loads(run("ask", "--json", text)[1])
    assert not data["answer"].startswith("No question or trouble in that")


def test_diagnose_says_which_readings_changed_nothing():
    code, out = run("diagnose", "--users", "50k", "--cache-hit", "40", "--growth", "3")
    assert code == 0
    assert out.splitlines()[-2] == (
        "Given but not weighed: growth 3x (the capacity plan also needs peak_rps); cache hit "
        "rate 40% (the playbook draws no line for it, so it changes no advice)")


@pytest.mark.parametrize(("text", "layer", "confidence"), [
    ("memory at 15GB of 16GB on the api boxes", "application", 0.86),
    ("pool shows 47/50 connections busy", "database", 0.9),
])
def test_ask_json_confidence_is_the_one_the_answer_shows(text: str, layer: str,
                                                         confidence: float):
    code, out = run("ask", "--json", text)
    data = json.loads(out)
    shown = next(line for line in data["answer"].splitlines() if line.startswith("Bottleneck"))
    assert (code, data["layer"], data["confidence"], shown) == (
        0, layer, confidence, f"Bottleneck: {layer} (confidence {round(confidence * 100)}%)")


def test_history_shows_no_stage_for_an_assessment_with_no_user_count():
    run("diagnose", "--db-cpu", "90%")
    run("diagnose", "--users", "50k", "--db-cpu", "90%")
    rows = [json.loads(line) for line in run("history", "--json")[1].splitlines()]
    assert [(r["stage"], r["summary"].split(";")[0]) for r in rows] == [
        (2, "Stage 2 (Growth)"), (None, "Stage not placed (no user count)")]
    text = run("history")[1].splitlines()
    assert [line.split("  ")[2] for line in text[::2]] == ["stage 2", "stage -"]


def test_what_if_names_no_stage_without_a_user_count():
    code, out = run("diagnose", "--db-cpu", "90%", "--peak", "500", "--what-if")
    heads = [line for line in out.splitlines() if line.startswith("At ")]
    assert (code, heads) == (0, ["At 10x (stage needs a user count):",
                                 "At 100x (stage needs a user count):",
                                 "At 1,000x (stage needs a user count):"])
    data = json.loads(run("diagnose", "--db-cpu", "90%", "--peak", "500", "--what-if",
                          "--json")[1])
    assert [w["stage_known"] for w in data["what_if"]] == [False, False, False]


def test_what_if_same_stage_line_points_at_figures_that_are_there():
    out = run("diagnose", "--users", "2M", "--peak", "500", "--what-if")[1]
    step = out[out.index("At 10x"):].split("\n\n")[0].splitlines()
    assert step[0] == "At 10x (20,000,000 users, Stage 4 Enterprise):"
    assert step[-1] == ("  - Still Stage 4 (Enterprise): the same architecture, at the sizes "
                        "above for this load.")
    assert [line.split(":")[0] for line in step[1:-1]] == ["  users", "  capacity", "  cost"]


def test_stage_notes_name_its_positional_as_usage_does(capsys):
    assert run("stage", "40-60k")[0] == 0
    assert capsys.readouterr().err == (
        "scale-advisor: note: USERS: took 60,000, the upper end of 40-60k\n")
