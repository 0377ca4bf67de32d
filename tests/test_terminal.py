"""The terminal front end: the guided dialog, resuming after a kill, and history."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.terminal.cli import main
from conversations.store import Store


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "advice.db"
    monkeypatch.setenv("SCALE_DB", str(path))
    return path


def cli(*argv: str, stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out, inp=io.StringIO(stdin))
    return code, out.getvalue()


def test_piped_dialog_ends_in_an_assessment(db: Path):
    answers = "50k\ncheckout is slow and db cpu is at 92%\n1.4s\n1000\n3x\ndone\n"
    code, out = cli("diagnose", "--interactive", stdin=answers)
    assert code == 0
    assert "[1] Roughly how many users" in out
    assert "Noted from your description: database CPU" in out
    assert "Stage 2: Growth" in out
    assert "db_cpu_pct 92% > 70%" in out
    assert "1,000 × 3 × 1.5 = 4,500 req/s" in out


def test_bad_answer_reprompts_and_keeps_going(db: Path):
    code, out = cli("diagnose", "-i", stdin="lots\n50k\nnone\ndone\n")
    assert code == 0
    assert "That didn't work" in out and "For example: 50k" in out
    assert "Stage 2: Growth" in out


def test_enter_alone_skips_a_question_as_the_interview_says(db: Path):
    code, out = cli("diagnose", "-i", stdin="50k\n\n\n\n")
    assert code == 0
    assert "  (Enter on its own skips a question.)\n" in out
    assert "The answer was empty" not in out
    assert "[4] What is peak traffic" in out  # the three empty lines passed three questions
    assert out.endswith("Paused. Run `scale-advisor diagnose --interactive` again to resume.\n")


def test_json_prints_only_the_assessment_object_last(db: Path):
    code, out = cli("diagnose", "-i", "--json", stdin="2M\nnone\ndone\n")
    assert code == 0
    assessment = json.loads(out.strip().splitlines()[-1])
    assert assessment["stage"]["number"] == 4
    assert assessment["inputs"]["metrics"]["users"] == 2_000_000


def test_input_ending_early_leaves_the_dialog_resumable(db: Path):
    code, out = cli("diagnose", "-i", stdin="50k\n")
    assert code == 0 and "Paused" in out
    code, out = cli("diagnose", "-i", stdin="y\ndone\n")
    assert "Resume it?" in out and "Stage 2: Growth" in out
    code, out = cli("diagnose", "-i", stdin="")
    assert "Resume it?" not in out  # that one finished


def test_declining_resume_starts_afresh(db: Path):
    cli("diagnose", "-i", stdin="50k\n")
    code, out = cli("diagnose", "-i", stdin="n\n5k\ndone\n")
    assert "Stage 1: Startup" in out


def test_an_answer_typed_at_the_resume_prompt_is_not_taken_for_yes(db: Path):
    cli("diagnose", "-i", stdin="50k\n")
    code, out = cli("diagnose", "-i", stdin="2M users\nno\n2M\ndone\n")
    assert "Please answer y to resume, n to start afresh or cancel." in out
    assert "Stage 4: Enterprise" in out  # started afresh, so the 50k was not kept


def _save_raw_state(db: Path, state: dict) -> None:
    """Overwrite the open terminal dialog's saved state, as an older or damaged row."""
    store = Store(db)
    try:
        key = store.open_dialogs("cli:")[0].key
        store.conn.execute("UPDATE dialogs SET state_json = ? WHERE key = ?",
                           (json.dumps(state), key))
        store.conn.commit()
    finally:
        store.close()


def test_a_saved_answer_with_undecodable_bytes_resumes_and_finishes(db: Path):
    cli("diagnose", "-i", stdin="50k\n")
    _save_raw_state(db, {"answers": {
        "users": {"raw": "50k", "value": 50000.0, "source": "users"},
        "symptoms": {"raw": "slow \udcff pages", "value": "slow \udcff pages",
                     "source": "symptoms"}},
        "asked": ["users", "symptoms"], "current": "p95_ms"})
    code, out = cli("diagnose", "-i", "--json", stdin="y\ndone\n")
    assert code == 0
    assert json.loads(out.splitlines()[-1])["inputs"]["text"] == "slow \ufffd pages"


def test_a_saved_dialog_that_cannot_be_read_is_set_aside_for_a_new_one(db: Path):
    cli("diagnose", "-i", stdin="50k\n")
    _save_raw_state(db, {"status": "half-written", "asked": 3})
    code, out = cli("diagnose", "-i", stdin="cancel\n")
    assert code == 0
    assert out.splitlines()[:3] == [
        "Scaling check-up: answer in your own words; say skip, back, done, help or cancel "
        "at any point.",
        "Your unfinished diagnosis was saved in a form that cannot be read any more, so it "
        "cannot be resumed. Starting a new one (say cancel to stop).",
        "[1] Roughly how many users does the system serve (monthly actives are fine)?"]
    assert cli("diagnose", "-i", stdin="")[1].count("Resume it?") == 0


def _wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def _answers_saved(db: Path, count: int) -> bool:
    if not db.exists():
        return False
    store = Store(db)
    try:
        rows = store.open_dialogs("cli:")
        return bool(rows) and len(rows[0].state.get("asked", [])) >= count
    finally:
        store.close()


def test_sigkill_mid_dialog_then_resume_with_every_answer(db: Path):
    env = {**os.environ, "SCALE_DB": str(db)}
    cmd = [sys.executable, "-m", "bot.main", "diagnose", "--interactive"]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env, text=True)
    try:
        proc.stdin.write("50k\ndb cpu 90% and p95 2s\n1000\n")
        proc.stdin.flush()
        _wait_for(lambda: _answers_saved(db, 3))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL

    code, out = cli("diagnose", "-i", "--json", stdin="y\ndone\n")
    assert code == 0
    assessment = json.loads(out.strip().splitlines()[-1])
    metrics = assessment["inputs"]["metrics"]
    assert metrics == {"users": 50000.0, "db_cpu_pct": 90.0, "p95_ms": 2000.0,
                       "peak_rps": 1000.0}


def test_history_lists_newest_first_and_searches(db: Path):
    cli("diagnose", "--users", "5k")
    cli("diagnose", "--users", "50k", "--db-cpu", "90%", "--symptom", "database is slow")
    code, out = cli("history", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["stage"] for r in rows] == [2, 1]
    code, out = cli("history", "database", "--json")
    assert [json.loads(line)["layer"] for line in out.splitlines()] == ["database"]
    assert cli("history", "database", "slow", "--json") == cli("history", "database slow",
                                                               "--json") == (0, out)
    code, out = cli("history", "--csv", "--limit", "1")
    lines = out.splitlines()
    assert lines[0].startswith("id,created_at,kind,stage") and len(lines) == 2
    code, out = cli("history", "nothing-like-this")
    assert code == 0 and "No advice logged yet matching" in out
    assert cli("history", '"AND*')[0] == 0


def test_history_finds_what_an_answer_said_about_the_problem_not_the_stages_standing_advice(
        db: Path):
    cli("diagnose", "--users", "50k", "--db-cpu", "90%", "--symptom", "checkout is slow")
    cli("diagnose", "--users", "5k", "--p95", "300ms")
    cli("ask", "FATAL: sorry, too many clients already")
    cli("ask", "how big should the connection pool be for 8 cores")

    def found(*query: str) -> list[int]:
        code, out = cli("history", *query, "--json")
        return [json.loads(line)["id"] for line in out.splitlines()] if code == 0 else []

    # Every stage's "not yet" list warns about microservices and multi-region.
    assert found("microservices") == found("multi-region") == []
    assert found("read replicas") == [3, 1]  # the ladder each database answer climbs
    assert found("PostgreSQL") == [3]  # the recognised message, named
    assert found("checkout") == [1]
    assert found("spindle") == [4]  # a question's answer is indexed whole


def test_a_clear_answer_at_the_terminal_is_logged_with_what_was_asked(db: Path):
    cli("ask", "disk full on the kafka brokers")
    cli("ask", "how many read replicas for 12k reads/s if one handles 3k")
    cli("ask", "hello")  # not a scaling matter: answered, not logged
    cli("ask", "-", stdin="db slow\n")  # a script's batch: not logged
    code, out = cli("history", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["kind"], r["summary"]) for r in rows] == [
        ("ask", "how many read replicas for 12k reads/s if one handles 3k → Read replicas"),
        ("ask", "disk full on the kafka brokers → bottleneck: storage"),
    ]


def test_an_unusable_log_does_not_hide_the_answer(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("SCALE_DB", str(tmp_path / "missing" / "advice.db"))
    code, out = cli("ask", "db slow")
    assert code == 0 and "Bottleneck: database" in out
    assert capsys.readouterr().err.startswith("scale-advisor: note: advice not logged (")


def test_history_rejects_a_silly_limit(db: Path, capsys: pytest.CaptureFixture[str]):
    assert cli("history", "--limit", "0")[0] == 2
    assert "--limit" in capsys.readouterr().err


def test_a_sentence_with_no_command_is_asked(db: Path):
    plain = cli("why", "is", "checkout", "slow", "--json")
    quoted = cli("why is checkout slow", "--json")
    asked = cli("ask", "why is checkout slow", "--json")
    unquoted = cli("ask", "why", "is", "checkout", "slow", "--json")
    assert plain == quoted == asked == unquoted and asked[0] == 0


@pytest.mark.parametrize("argv", [("diagnos",), ("foo",), ("diagnos", "--users", "5k")])
def test_a_lone_word_or_a_near_miss_still_names_the_commands(db: Path, argv, capsys):
    assert cli(*argv) == (2, "")
    assert capsys.readouterr().err.startswith(
        f"scale-advisor: argument COMMAND: invalid choice: '{argv[0]}' (choose from 'ask'")


def test_no_command_prints_what_it_can_do(db: Path):
    code, out = cli()
    assert code == 0 and out.startswith("usage: scale-advisor [-h] [--playbook FILE] COMMAND")
    assert "  ask            answer a question or a symptom description\n" in out


def test_a_unit_word_answers_the_ask_back_across_saved_steps(db: Path):
    code, out = cli("diagnose", "-i", "--json", stdin="50k\nslow pages\n1.2\nseconds\ndone\n")
    assert (code, json.loads(out.splitlines()[-1])["inputs"]["metrics"]["p95_ms"]) == (0, 1200)


def test_cancel_says_how_to_begin_again_once(db: Path):
    code, out = cli("diagnose", "-i", stdin="50k\ncancel\n")
    assert (code, out.splitlines()[-1]) == (0, ">   Cancelled. Nothing was assessed. Run "
                                               "`scale-advisor diagnose --interactive` to "
                                               "begin again.")


def test_cancel_at_the_resume_question_drops_the_unfinished_diagnosis(db: Path):
    cli("diagnose", "-i", stdin="50k\n")
    code, out = cli("diagnose", "-i", stdin="cancel\n")
    assert (code, out.splitlines()[1:]) == (0, [
        "You have an unfinished diagnosis (1 answered). Resume it? [Y/n]   Cancelled. Nothing "
        "was assessed. Run `scale-advisor diagnose --interactive` to begin again."])
    assert "Resume it?" not in cli("diagnose", "-i", stdin="")[1]
