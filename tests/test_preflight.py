"""Start-up checks for `serve`: each problem named in one line, nothing else touched."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from test_dbcheck import REFUSED

from bot.settings import Settings
from bot.slack.preflight import preflight
from conversations.schema import MIGRATIONS

BOT = "xoxb-1-2-abc"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture(autouse=True)
def _no_env(monkeypatch, tmp_path: Path):
    for name in list(os.environ):
        if name.startswith(("SCALE_", "SLACK_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)



def settings(folder: Path, **over) -> Settings:
    base = dict(slack_bot_token=BOT, slack_signing_secret=SECRET,
                scale_db=folder / "advisor.db")
    return Settings(_env_file=None, **{**base, **over})


def test_ready_creates_and_migrates_the_database(folder: Path):
    assert preflight(settings(folder)) == []
    conn = sqlite3.connect(folder / "advisor.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


# Each setting that stops start-up, a value it refuses, and the one line that names it.
SETTING_PROBLEMS = {
    "no-bot-token": ("slack_bot_token", None,
                     "SLACK_BOT_TOKEN is not set (expected a token starting with xoxb-)"),
    "bot-token-shape": ("slack_bot_token", "xoxp-1-2",
                        "SLACK_BOT_TOKEN is malformed (expected a token starting with xoxb-)"),
    "no-secret": ("slack_signing_secret", "", "SLACK_SIGNING_SECRET is not set "
                  "(copy it from the app's Basic Information page)"),
    "secret-shape": ("slack_signing_secret", "not a secret!", "SLACK_SIGNING_SECRET is "
                     "malformed (expected letters and digits only, as Slack issues it)"),
    "app-token-shape": ("slack_app_token", "xoxb-wrong",
                        "SLACK_APP_TOKEN is malformed (expected a token starting with xapp-)"),
    "api-url": ("slack_api_url", "localhost:3000",
                "SLACK_API_URL='localhost:3000' is not an http(s) URL"),
    "playbook-missing": ("scale_playbook", "missing.toml",
                         "SCALE_PLAYBOOK: missing.toml: cannot read playbook: "
                         "No such file or directory"),
}


@pytest.mark.parametrize(("setting", "value", "problem"), SETTING_PROBLEMS.values(),
                         ids=SETTING_PROBLEMS.keys())
def test_each_setting_problem_is_named(folder: Path, setting, value, problem):
    assert preflight(settings(folder, **{setting: value})) == [problem]


def test_a_playbook_that_does_not_validate_is_named(folder: Path):
    bad = folder / "team.toml"
    bad.write_text("[[stages]]\nnumber = 'one'\n")
    [problem] = preflight(settings(folder, scale_playbook=bad))
    assert problem.startswith(f"SCALE_PLAYBOOK: {bad}") and "\n" not in problem


def test_a_non_utf8_playbook_is_named(folder: Path):
    bad = folder / "team.toml"
    bad.write_bytes(b"\xff")
    assert preflight(settings(folder, scale_playbook=bad)) == [
        f"SCALE_PLAYBOOK: {bad}: cannot read playbook: not UTF-8 text (byte 0xff at position 0)"]


@pytest.mark.parametrize(("make", "reason"), REFUSED, ids=[m.__name__ for m, _ in REFUSED])
def test_each_unusable_database_is_named_and_left_alone(folder: Path, make, reason):
    path = make(folder / "advisor.db")
    before = path.read_bytes() if path.is_file() else None
    assert preflight(settings(folder, scale_db=path)) == [
        f"SCALE_DB: cannot use database {path}: {reason.format(folder=folder)}"]
    assert (path.read_bytes() if path.is_file() else None) == before


def test_a_locked_database_is_named(folder: Path, monkeypatch):
    path = folder / "advisor.db"
    assert preflight(settings(folder)) == []
    monkeypatch.setattr("conversations.store.BUSY_TIMEOUT_S", 0.0)  # fail at once, no wait
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert preflight(settings(folder)) == [
            f"SCALE_DB: cannot use database {path}: database is locked"]
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_every_problem_is_named_together(folder: Path):
    assert preflight(settings(folder, slack_bot_token=None, scale_db=folder)) == [
        "SLACK_BOT_TOKEN is not set (expected a token starting with xoxb-)",
        f"SCALE_DB: cannot use database {folder}: it is a directory, not a database file"]
