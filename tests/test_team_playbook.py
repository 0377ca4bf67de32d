"""A team playbook that renames a stage and moves a threshold changes every output."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.settings import load_team_playbook
from bot.slack.blocks.assessment import assessment_message
from bot.slack.blocks.dialog import dialog_reply_message
from bot.terminal.cli import main
from conversations.script import script_for

PACKAGED = Path(__file__).resolve().parents[1] / "advisor" / "data" / "playbook.toml"


@pytest.fixture()
def team_playbook(tmp_path: Path, monkeypatch) -> Path:
    text = PACKAGED.read_text("utf-8")
    text = text.replace('name = "Growth"', 'name = "Traction"', 1)
    old = 'warning = { metric = "p95_ms", op = ">", value = 1000 }'
    assert old in text
    text = text.replace(old, 'warning = { metric = "p95_ms", op = ">", value = 800 }', 1)
    path = tmp_path / "team.toml"
    path.write_text(text, "utf-8")
    monkeypatch.setenv("SCALE_DB", str(tmp_path / "advice.db"))
    monkeypatch.delenv("SCALE_PLAYBOOK", raising=False)
    return path


def _run(*argv: str) -> str:
    out = io.StringIO()
    assert main(list(argv), out=out, inp=io.StringIO("")) == 0
    return out.getvalue()


def test_cli_text_shows_the_new_stage_name_and_threshold(team_playbook: Path):
    text = _run("--playbook", str(team_playbook), "diagnose", "--users", "50k", "--p95", "900ms")
    assert text.splitlines()[0] == (
        " 1 Startup   [2 Traction]   3 Scale    4 Enterprise    <- you are here: Traction")
    assert "Stage 2: Traction (10,000-100,000 users)" in text
    assert "[WARNING] Response time (P95) is 900ms: past the warning line (> 800ms)." in text
    assert "Growth" not in text


def test_cli_json_carries_the_new_names(team_playbook: Path):
    data = json.loads(_run("--playbook", str(team_playbook), "diagnose", "--users", "50k",
                           "--p95", "900ms", "--json"))
    assert data["stage"]["name"] == "Traction"
    assert data["stage"]["journey"] == ["Startup", "Traction", "Scale", "Enterprise"]
    p95 = [f for f in data["findings"] if f["metric"] == "p95_ms"]
    assert [(f["status"], f["warning"]["threshold"]) for f in p95] == [("warning", 800.0)]


def test_interview_help_quotes_the_team_threshold(team_playbook: Path):
    script = script_for(load_team_playbook(team_playbook))
    assert "above 800ms is a warning" in script.question("p95_ms").help
    packaged = script_for(load_team_playbook(None))
    assert "above 1s is a warning" in packaged.question("p95_ms").help


def test_slack_assessment_shows_the_team_stage_name(team_playbook: Path):
    from advisor.engine import assess
    from advisor.models import Observations

    pb = load_team_playbook(team_playbook)
    a = assess(Observations(metrics={"users": 50_000, "p95_ms": 900}), pb)
    message = assessment_message(a, "adv-1")
    texts = json.dumps(message.blocks)
    assert "*2. Traction* :round_pushpin: _you are here_" in texts
    assert "Growth" not in texts


def test_each_front_words_how_to_start_again():
    from bot.terminal.interview import render_reply
    from conversations.dialog import Reply

    reply = Reply(kind="cancelled", text="Cancelled. Nothing was assessed.")
    assert render_reply(reply) == ("  Cancelled. Nothing was assessed. "
                                   "Run `scale-advisor diagnose --interactive` to begin again.")
    slack = dialog_reply_message(reply, "ref")
    assert "/scale diagnose" in json.dumps(slack.blocks)
    assert "scale-advisor" not in json.dumps(slack.blocks)


P95_TARGET = 'target = { metric = "p95_ms", op = "<", value = 500 }'


def _p95_target(value: str) -> tuple[str, str]:
    return P95_TARGET, P95_TARGET.replace("500", value)


@pytest.mark.parametrize(("old", "new", "reason"), [
    (*_p95_target("nan"), "field key_metrics.0.target.value: Input should be a finite number"),
    (*_p95_target("inf"), "field key_metrics.0.target.value: Input should be a finite number"),
    (*_p95_target("-5"), "field key_metrics.0.target.value: Input should be greater than or "
                         "equal to 0"),
    (*_p95_target("1500"), "field key_metrics.0: Value error, target of p95_ms (< 1,500ms) must "
                           "not be above its warning line (> 1,000ms)"),
    ("users_max = 10000", "users_max = 20000",
     "field stages: Value error, stage 1 ends at users_max 20000 but stage 2 starts at "
     "users_min 10000; each range must end where the next begins"),
    ("multiplier = 1.5", "multiplier = -2",
     "field sizing.cache.multiplier: Input should be greater than or equal to 1"),
    ("safety_default = 1.5", "safety_default = 0",
     "field sizing.capacity.safety_default: Input should be greater than or equal to 1"),
    ('warning = { metric = "server_cpu_pct", op = ">", value = 85 }',
     'warning = { metric = "server_cpu_pct", op = ">", value = 150 }',
     "field key_metrics.2.warning: Value error, server CPU is a share, so at most 100% "
     "(got 150%)"),
    ("ssd_spindles = 1", "ssd_spindles = -1",
     "field sizing.pool.ssd_spindles: Input should be greater than or equal to 0"),
    ("working_set_share_min_pct = 10", "working_set_share_min_pct = 30",
     "field sizing.cache: Value error, working_set_share_min_pct and working_set_share_max_pct "
     "must be shares from 0 to 100, the first no more than the second"),
    ("users = 10000\n", "users = -10000\n",
     "field costs.0.users: Input should be greater than 0"),
], ids=["nan", "inf", "negative", "past-warning", "overlap", "cache-multiplier", "safety",
        "share-past-100", "spindles", "working-set-shares", "cost-users"])
@pytest.mark.parametrize("via", ["flag", "setting"])
def test_a_bad_value_is_refused_at_load_naming_file_and_field(
        tmp_path: Path, monkeypatch, capsys, old: str, new: str, reason: str, via: str):
    text = PACKAGED.read_text("utf-8")
    assert old in text
    path = tmp_path / "team.toml"
    path.write_text(text.replace(old, new, 1), "utf-8")
    monkeypatch.delenv("SCALE_PLAYBOOK", raising=False)
    argv = ["size", "cache", "--working-set", "10GB"]
    if via == "flag":
        argv = ["--playbook", str(path), *argv]
    else:
        monkeypatch.setenv("SCALE_PLAYBOOK", str(path))
    out = io.StringIO()
    assert main(argv, out=out, inp=io.StringIO("")) == 2
    assert (out.getvalue(), capsys.readouterr().err) == (
        "", f"scale-advisor: error: {path}: {reason}\n")
