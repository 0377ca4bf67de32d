"""The CLI under bad settings, unusable databases, full disks, closed pipes and Ctrl-C.

Each problem must end in one line on stderr and exit 2 (never a traceback); advice that
was computed is still printed when only logging it failed. Subprocess runs check what a
shell sees; in-process runs cover every database case cheaply.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_dbcheck import REFUSED, other_apps_file

from bot import main as entry
from bot.terminal import cli
from bot.terminal.cli import main
from conversations.advice_log import AdviceEntry, Viewer
from conversations.store import Store
from conversations.systems import get_system

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*argv: str, cwd: Path, env: dict[str, str] | None = None,
            stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`python -m bot.main` from this tree, with no Slack or SCALE_ settings but `env`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SCALE_", "SLACK_"))}
    clean.update(PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run([sys.executable, "-m", "bot.main", *argv], cwd=cwd, env=clean,
                          input=stdin, capture_output=True, text=True, timeout=60)


def popen_cli(*argv: str, cwd: Path, env: dict[str, str], **kw) -> subprocess.Popen:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SCALE_", "SLACK_"))}
    clean.update(PYTHONPATH=str(ROOT), **env)
    return subprocess.Popen([sys.executable, "-m", "bot.main", *argv], cwd=cwd, env=clean,
                            **kw)


def assert_one_line_error(done: subprocess.CompletedProcess[str], line: str) -> None:
    assert (done.returncode, done.stderr) == (2, line + "\n")
    assert done.stdout == ""



@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path: Path):
    for name in list(os.environ):
        if name.startswith(("SCALE_", "SLACK_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


def inproc(*argv: str, stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out, inp=io.StringIO(stdin)), out.getvalue()


# -- settings ---------------------------------------------------------------------------


def test_bad_ttl_is_one_line_for_every_command(tmp_path: Path):
    done = run_cli("stage", "50k", cwd=tmp_path, env={"SCALE_DIALOG_TTL_S": "abc"})
    assert_one_line_error(done, "scale-advisor: error: SCALE_DIALOG_TTL_S='abc': Input should "
                                "be a valid integer, unable to parse string as an integer")


def test_bad_ttl_in_process(monkeypatch, capsys):
    monkeypatch.setenv("SCALE_DIALOG_TTL_S", "0")
    assert inproc("history") == (2, "")
    assert capsys.readouterr().err == ("scale-advisor: error: SCALE_DIALOG_TTL_S='0': "
                                       "Input should be greater than 0\n")


def test_non_utf8_env_file_is_one_line(tmp_path: Path):
    (tmp_path / ".env").write_bytes(b"SCALE_DB=caf\xe9.db\n")
    done = run_cli("history", cwd=tmp_path)
    assert_one_line_error(done, "scale-advisor: error: .env is not UTF-8 text "
                                "(byte 0xe9 at position 12)")
    serve = run_cli("serve", cwd=tmp_path)
    assert (serve.returncode, serve.stderr) == (
        2, "scale-advisor serve: cannot start: .env is not UTF-8 text (byte 0xe9 at position 12)\n")


def test_non_utf8_playbook_is_one_line(tmp_path: Path, capsys):
    (tmp_path / "team.toml").write_bytes(b"\xff\xfe")
    assert inproc("--playbook", "team.toml", "stage", "5k") == (2, "")
    assert capsys.readouterr().err == ("scale-advisor: error: team.toml: cannot read playbook: "
                                       "not UTF-8 text (byte 0xff at position 0)\n")


def test_blank_playbook_setting_means_the_packaged_one(monkeypatch):
    monkeypatch.setenv("SCALE_PLAYBOOK", "")
    code, out = inproc("stage", "5k")
    assert code == 0 and out.startswith("Stage 1: Startup")


# -- unusable databases ------------------------------------------------------------------

IDS = [m.__name__ for m, _ in REFUSED]


@pytest.mark.parametrize(("argv", "stdin"), [(("history",), ""), (("diagnose", "-i"), "50k\n")],
                         ids=["history", "interview"])
@pytest.mark.parametrize(("make", "reason"), REFUSED, ids=IDS)
def test_logging_commands_refuse_unusable_database(folder: Path, make, reason, argv, stdin,
                                                   monkeypatch, capsys):
    path = make(folder / "advisor.db")
    monkeypatch.setenv("SCALE_DB", str(path))
    assert inproc(*argv, stdin=stdin) == (2, "")
    assert capsys.readouterr().err == (
        f"scale-advisor: error: cannot use database {path}: {reason.format(folder=folder)}\n")


@pytest.mark.parametrize(("make", "reason"), REFUSED, ids=IDS)
def test_one_shot_diagnose_still_advises(folder: Path, make, reason, monkeypatch, capsys):
    path = make(folder / "advisor.db")
    monkeypatch.setenv("SCALE_DB", str(path))
    code, out = inproc("diagnose", "--users", "50k", "--db-cpu", "85%")
    assert code == 0 and "Stage 2: Growth" in out
    assert capsys.readouterr().err == (
        f"scale-advisor: note: advice not logged (cannot use database {path}: "
        f"{reason.format(folder=folder)})\n")


def test_history_on_another_apps_file_in_a_shell(folder: Path):
    path = other_apps_file(folder / "photos.db")
    done = run_cli("history", cwd=folder, env={"SCALE_DB": str(path)})
    assert_one_line_error(done, f"scale-advisor: error: cannot use database {path}: it is "
                                "another application's SQLite file (tables: photos); "
                                "left untouched")
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_interview_on_a_directory_in_a_shell(folder: Path):
    done = run_cli("diagnose", "-i", cwd=folder, env={"SCALE_DB": str(folder)}, stdin="50k\n")
    assert_one_line_error(done, f"scale-advisor: error: cannot use database {folder}: it is "
                                "a directory, not a database file")


def test_one_shot_diagnose_on_a_newer_schema_in_a_shell(folder: Path):
    path = folder / "a.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    done = run_cli("diagnose", "--users", "50k", "--json", cwd=folder,
                   env={"SCALE_DB": str(path)})
    assert done.returncode == 0 and json.loads(done.stdout)["stage"]["number"] == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("scale-advisor: note: advice not logged (cannot use "
                                  f"database {path}: its schema version 99 is newer")


# -- a full disk: SQLite's SQLITE_FULL error, injected where every write begins ------------


@pytest.fixture
def full_disk(tmp_path: Path, monkeypatch):
    path = tmp_path / "full.db"
    Store(path).close()
    monkeypatch.setenv("SCALE_DB", str(path))

    @contextmanager
    def no_room(self: Store):
        raise sqlite3.OperationalError("database or disk is full")
        yield self

    monkeypatch.setattr(Store, "transaction", no_room)
    return path


def test_full_disk_during_the_interview_is_one_line(full_disk: Path, capsys):
    code, out = inproc("diagnose", "-i", stdin="50k\n")
    assert code == 2
    err = capsys.readouterr().err
    assert err == (f"scale-advisor: error: database {full_disk}: "
                   "database or disk is full\n")


def test_full_disk_one_shot_diagnose_prints_advice_and_a_note(full_disk: Path, capsys):
    code, out = inproc("diagnose", "--users", "50k")
    assert code == 0 and "Stage 2: Growth" in out
    assert capsys.readouterr().err == ("scale-advisor: note: advice not logged "
                                       "(database or disk is full)\n")


def test_full_output_disk_is_one_line(capsys):
    class FullFile(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(28, "No space left on device")

    assert main(["stage", "5k"], out=FullFile()) == 2
    assert capsys.readouterr().err == ("scale-advisor: error: [Errno 28] No space left on "
                                       "device\n")


# -- closed pipes ----------------------------------------------------------------------------


def _log_rows(path: Path, n: int) -> None:
    with Store(path) as s:
        s.log_advice_many(AdviceEntry(created_at=1_700_000_000 + i, team="local",
                                      channel="terminal", asked_by="me", kind="diagnose",
                                      summary="x" * 400) for i in range(n))


def _read_one_line_then_close(proc: subprocess.Popen) -> tuple[bytes, int, bytes]:
    first = proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read()
    return first, proc.wait(timeout=60), stderr


def test_history_into_a_closed_pipe_ends_quietly(tmp_path: Path):
    _log_rows(tmp_path / "a.db", 1000)
    proc = popen_cli("history", "--limit", "1000", cwd=tmp_path,
                     env={"SCALE_DB": str(tmp_path / "a.db")},
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first, code, err = _read_one_line_then_close(proc)
    assert first.startswith(b"#1000  ")
    assert (code, err) == (cli.BROKEN_PIPE, b"")


def test_ask_stdin_into_a_closed_pipe_ends_quietly(tmp_path: Path):
    questions = tmp_path / "q.txt"
    questions.write_text("how many read replicas for 10k reads/s at 3k each?\n" * 3000)
    with questions.open() as stdin:
        proc = popen_cli("ask", "-", cwd=tmp_path, env={}, stdin=stdin,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first, code, err = _read_one_line_then_close(proc)
    assert json.loads(first)["topic"] == "read_replicas"
    assert (code, err) == (cli.BROKEN_PIPE, b"")


# -- Ctrl-C ------------------------------------------------------------------------------------


class InterruptAfter(io.StringIO):
    """Stdin that delivers its lines, then Ctrl-C (KeyboardInterrupt) instead of EOF."""

    def readline(self, *args) -> str:  # type: ignore[override]
        line = super().readline(*args)
        if not line:
            raise KeyboardInterrupt
        return line


def test_ctrl_c_pauses_the_interview_and_keeps_answers(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SCALE_DB", str(tmp_path / "a.db"))
    out = io.StringIO()
    assert main(["diagnose", "-i"], out=out, inp=InterruptAfter("50k\n")) == 0
    assert out.getvalue().endswith(
        "> \n  Paused. Run `scale-advisor diagnose --interactive` again to resume.\n")
    with Store(tmp_path / "a.db") as s:
        [row] = s.open_dialogs("cli:")
    assert len(row.state["asked"]) == 1


def test_ctrl_c_at_the_resume_question_pauses_too(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SCALE_DB", str(tmp_path / "a.db"))
    assert inproc("diagnose", "-i", stdin="50k\n")[0] == 0
    out = io.StringIO()
    assert main(["diagnose", "-i"], out=out, inp=InterruptAfter("")) == 0
    assert out.getvalue().endswith(
        "[Y/n] \n  Paused. Run `scale-advisor diagnose --interactive` again to resume.\n")


def test_sigint_in_a_real_interview(tmp_path: Path):
    proc = popen_cli("diagnose", "-i", cwd=tmp_path, env={"SCALE_DB": str(tmp_path / "a.db")},
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = b""
    while not seen.endswith(b"> "):
        chunk = proc.stdout.read1(4096)
        assert chunk, seen
        seen += chunk
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=60)
    assert (proc.returncode, err) == (0, b"")
    assert rest == b"\n  Paused. Run `scale-advisor diagnose --interactive` again to resume.\n"


# -- history --limit, stage -- -5k, --playbook serve ------------------------------------------


def test_history_limit_500_returns_500_rows(tmp_path: Path, monkeypatch, capsys):
    _log_rows(tmp_path / "a.db", 600)
    monkeypatch.setenv("SCALE_DB", str(tmp_path / "a.db"))
    code, out = inproc("history", "--limit", "500", "--json")
    assert code == 0 and len(out.splitlines()) == 500
    assert inproc("history", "--limit", "1001") == (2, "")
    assert capsys.readouterr().err == ("scale-advisor: error: history: --limit must be between "
                                       "1 and 1000\n")


def test_history_query_with_no_word_lists_the_latest_and_says_so(tmp_path: Path,
                                                                   monkeypatch, capsys):
    _log_rows(tmp_path / "a.db", 3)
    monkeypatch.setenv("SCALE_DB", str(tmp_path / "a.db"))
    code, out = inproc("history", "%", "--json")
    assert code == 0 and len(out.splitlines()) == 3
    assert capsys.readouterr().err == ("scale-advisor: note: '%' has no word to search for; "
                                       "showing the latest advice.\n")


def test_stage_after_double_dash_with_a_negative_number(tmp_path: Path):
    done = run_cli("stage", "--", "-5k", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("scale-advisor stage: argument USERS: users cannot be "
                                  "negative (got -5000).")
    assert done.stderr.count("\n") == 1
    assert inproc("stage", "--", "5k")[1].startswith("Stage 1: Startup")


@pytest.mark.parametrize("argv", [["--playbook", "team.toml", "serve", "--port", "1"],
                                  ["--playbook=team.toml", "serve"]])
def test_playbook_flag_reaches_serve(argv, monkeypatch):
    from bot.settings import read_settings

    monkeypatch.setenv("SCALE_PLAYBOOK", "")  # restored after the test: main() sets it
    seen = []
    from bot.slack import server

    monkeypatch.setattr(server, "serve_main",
                        lambda args: seen.append((read_settings().scale_playbook, args)) or 0)
    assert entry.main(argv) == 0
    assert seen == [(Path("team.toml"), argv[argv.index("serve") + 1:])]


def test_the_terminal_front_alone_does_not_start_the_server(capsys):
    # Only the entry point (bot.main) hands `serve` to the Slack front.
    assert main(["serve"]) == 2
    assert capsys.readouterr().err == (
        "scale-advisor: error: start the Slack app with `scale-advisor serve`\n")


def test_playbook_flag_that_does_not_load_stops_serve(tmp_path: Path):
    env = {"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_SIGNING_SECRET": "abc123",
           "SCALE_DB": str(tmp_path / "a.db")}
    done = run_cli("--playbook", "missing.toml", "serve", "--port", "1", cwd=tmp_path, env=env)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "missing.toml" in done.stderr and "Traceback" not in done.stderr


# -- bytes that are not UTF-8 -----------------------------------------------------------


def run_bytes(*argv: bytes, cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """`python -m bot.main` with raw bytes in argv and stdin, as a shell hands them over."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SCALE_", "SLACK_"))}
    clean.update(PYTHONPATH=str(ROOT), SCALE_DB=str(cwd / "advice.db"), LC_ALL="C.UTF-8")
    return subprocess.run([sys.executable.encode(), b"-m", b"bot.main", *argv], cwd=cwd,
                          env=clean, input=stdin, capture_output=True, timeout=60)


_ASSESSED = {"metrics": {"users": 5000.0}, "signals": [], "done": [], "deferred": []}


@pytest.mark.parametrize(("argv", "inputs", "summary", "system"), [
    ((b"ask", b"db cpu 90% \xff"), {"text": "db cpu 90% \ufffd"},
     "db cpu 90% \ufffd \u2192 bottleneck: database (Database slow)", None),
    ((b"diagnose", b"--users", b"5k", b"--symptom", b"slow \xff"),
     {**_ASSESSED, "text": "slow \ufffd"},
     "Stage 1 (Startup); bottleneck: database; next: Add indexes", None),
    ((b"diagnose", b"--users", b"5k", b"--system", b"\xff"), {**_ASSESSED, "text": ""},
     "Stage 1 (Startup)", "\ufffd"),
], ids=["ask", "symptom", "system"])
def test_undecodable_argument_is_advised_and_logged_as_replacement_characters(
        tmp_path: Path, argv: tuple[bytes, ...], inputs: dict, summary: str,
        system: str | None):
    done = run_bytes(*argv, cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, b"")
    logged = run_cli("history", "--json", cwd=tmp_path,
                     env={"SCALE_DB": str(tmp_path / "advice.db")})
    assert (logged.returncode, logged.stderr) == (0, "")
    assert [json.loads(line)["summary"] for line in logged.stdout.splitlines()] == [summary]
    store = Store(tmp_path / "advice.db", dialog_ttl_s=60)
    try:
        [row] = store.search_advice(None, viewer=Viewer(team="local", unrestricted=True),
                                    limit=5)
        named = get_system(store, row.system_id).name if row.system_id else None
    finally:
        store.close()
    assert (row.inputs, row.summary, named) == (inputs, summary, system)


def test_undecodable_stdin_is_read_as_replacement_characters(tmp_path: Path):
    done = run_bytes(b"ask", cwd=tmp_path, stdin=b"db cpu 90% \xff\n")
    assert (done.returncode, done.stderr) == (0, b"")
    store = Store(tmp_path / "advice.db", dialog_ttl_s=60)
    rows = store.search_advice(None, viewer=Viewer(team="local", unrestricted=True), limit=5)
    store.close()
    assert [r.inputs for r in rows] == [{"text": "db cpu 90% \ufffd\n"}]


@pytest.mark.parametrize("argv", [(b"history", b"--system", b"\xff"),
                                  (b"done", b"\xff", b"indexing")], ids=["history", "done"])
def test_undecodable_system_name_is_answered_in_one_line(tmp_path: Path, argv):
    done = run_bytes(*argv, cwd=tmp_path)
    expected = {b"history": (0, b"No assessments of a system called '\xef\xbf\xbd'.\n", b""),
                b"done": (2, b"", b"scale-advisor: error: done: no system called "
                                  b"'\xef\xbf\xbd' has been assessed here\n")}[argv[0]]
    assert (done.returncode, done.stdout, done.stderr) == expected


def test_undecodable_interview_answer_is_kept_and_the_interview_finishes(tmp_path: Path):
    done = run_bytes(b"diagnose", b"-i", b"--json", cwd=tmp_path,
                     stdin=b"50k\nslow \xff pages\ndone\n")
    assert done.returncode == 0
    assert done.stderr.decode().split("\n") == [  # the interview, and nothing else
        "Scaling check-up: answer in your own words; say skip, back, done, help or cancel "
        "at any point.",
        "[1] Roughly how many users does the system serve (monthly actives are fine)?",
        "    quick answers: ~1K | ~10K | ~100K | ~1M | 10M+",
        "  (Enter on its own skips a question.)",
        ">   Read: users 50,000.",
        "[2] What is hurting? Describe it in your own words (numbers welcome), or pick the "
        "closest.",
        "    quick answers: Slow page loads | Database slow | API timeouts | High server CPU "
        "| High memory | Nothing yet, planning",
        "> [3] What is the P95 response time at peak?",
        "> "]
    assert json.loads(done.stdout)["inputs"]["text"] == "slow \ufffd pages"
