"""One symptom, one bottleneck, one ladder: the playbook's decision matrix is the one
symptom -> layer mapping, and its labels are understood on every path."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from slack_harness import FakeSlackAPI, SlackClient

from advisor.ask import answer_as, ask
from advisor.engine import assess
from advisor.metrics import MetricName as M
from advisor.models import Layer, Match, Observations, Symptom
from advisor.playbook import default_playbook, parse_playbook
from advisor.symptoms import symptom_named
from bot.terminal.cli import main
from conversations.dialog import current_layer, effective_match, finish, start, step
from conversations.script import default_script, script_for

PLAYBOOK_FILE = Path(__file__).resolve().parents[1] / "advisor" / "data" / "playbook.toml"


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out, inp=io.StringIO("")), out.getvalue()


@pytest.fixture(autouse=True)
def _own_files(monkeypatch, tmp_path):
    monkeypatch.delenv("SCALE_PLAYBOOK", raising=False)
    monkeypatch.setenv("SCALE_DB", str(tmp_path / "advice.db"))


def team_playbook():
    """The packaged playbook with API timeouts relabelled and moved to the network layer."""
    text = PLAYBOOK_FILE.read_text(encoding="utf-8").replace(
        'symptom = "api_timeouts"\nlabel = "API timeouts"\nlayer = "external_api"',
        'symptom = "api_timeouts"\nlabel = "Upstream timeouts"\nlayer = "network"')
    assert "Upstream timeouts" in text
    return parse_playbook(text, "team.toml")


def test_the_interview_takes_layers_and_labels_from_the_playbook():
    script = default_script()
    assert script.symptom_layers == {
        Symptom.SLOW_PAGE_LOADS: Layer.NETWORK, Symptom.DATABASE_SLOW: Layer.DATABASE,
        Symptom.API_TIMEOUTS: Layer.EXTERNAL_API, Symptom.HIGH_SERVER_CPU: Layer.APPLICATION,
        Symptom.HIGH_MEMORY: Layer.APPLICATION,
    }
    assert [(c.label, c.value) for c in script.question("symptoms").choices] == [
        ("Slow page loads", "symptom:slow_page_loads"),
        ("Database slow", "symptom:database_slow"),
        ("API timeouts", "symptom:api_timeouts"),
        ("High server CPU", "symptom:high_server_cpu"),
        ("High memory", "symptom:high_memory"),
        ("Nothing yet, planning", "symptom:none"),
    ]


def test_a_team_playbook_changes_label_and_layer_everywhere():
    pb = team_playbook()
    script = script_for(pb)
    assert script.symptom_layers[Symptom.API_TIMEOUTS] is Layer.NETWORK
    labels = [c.label for c in script.question("symptoms").choices]
    assert labels[2] == "Upstream timeouts"
    state = step(start(script).state, "50k", script, pb).state
    picked = step(state, "upstream timeouts", script, pb).state
    assert picked.picked_symptom is Symptom.API_TIMEOUTS
    assert current_layer(picked, script) is Layer.NETWORK
    assert symptom_named("Upstream timeout", pb) is Symptom.API_TIMEOUTS
    assert ask("Upstream timeouts", pb).layer is Layer.NETWORK


@pytest.mark.parametrize(
    "text",
    ["API timeouts", "api timeouts", "api_timeouts", "API-Timeouts", "  Api  Timeouts! ",
     "API timeout", "api timout", "symptom:api_timeouts"],
)
def test_label_id_and_near_misses_name_the_symptom(text):
    assert symptom_named(text, default_playbook()) is Symptom.API_TIMEOUTS


@pytest.mark.parametrize("text", ["high cpu", "checkout times out", "none", "", "x" * 60])
def test_other_text_names_no_symptom(text):
    assert symptom_named(text, default_playbook()) is None


@pytest.mark.parametrize("text", ["API timeouts", "api_timeouts", "Api Timeout"])
def test_diagnose_symptom_flag_names_the_playbook_bottleneck(text):
    code, out = run("diagnose", "--users", "50k", "--symptom", text, "--json")
    result = json.loads(out)
    assert code == 0
    assert result["bottleneck"]["layer"] == "external_api"
    assert [r["id"] for r in result["ladder"]["rungs"]] == [
        "async_processing", "circuit_breakers", "event_driven"]


def test_diagnose_symptom_flag_takes_its_words_unquoted():
    unquoted = run("diagnose", "--symptom", "API", "timeouts", "--users", "50k", "--json")
    quoted = run("diagnose", "--users", "50k", "--symptom", "API timeouts", "--json")
    assert unquoted == quoted and quoted[0] == 0
    assert json.loads(quoted[1])["bottleneck"]["layer"] == "external_api"


def test_diagnose_refuses_a_symptom_it_cannot_name(capsys):
    code, out = run("diagnose", "--users", "50k", "--symptom", "frobnicate the widget")
    assert code == 2 and out == ""
    assert capsys.readouterr().err == (
        "scale-advisor: error: diagnose: --symptom 'frobnicate the widget' names no symptom I "
        "know; give one of: Slow page loads (slow_page_loads), Database slow (database_slow), "
        "API timeouts (api_timeouts), High server CPU (high_server_cpu), High memory "
        "(high_memory); or describe what people see\n")


def at_symptoms():
    state = step(start().state, "50k").state
    assert state.current == "symptoms"
    return state


@pytest.mark.parametrize("text", ["API timeouts", "api_timeouts", "Api timeout",
                                  "symptom:api_timeouts", "symptom:API-Timeouts"])
def test_typed_answer_and_button_are_the_same_pick(text):
    state = step(at_symptoms(), text).state
    assert state.picked_symptom is Symptom.API_TIMEOUTS
    assert state.answers["symptoms"].value == "api_timeouts"
    match = effective_match(state, default_script())
    assert (match.layer, match.symptom) == (Layer.EXTERNAL_API, Symptom.API_TIMEOUTS)
    assessment = finish(state).assessment
    assert assessment.bottleneck.layer is Layer.EXTERNAL_API
    assert assessment.ladder.symptom is Symptom.API_TIMEOUTS


def test_an_unknown_button_value_is_reprompted_with_the_labels():
    out = step(at_symptoms(), "symptom:bogus")
    assert out.replies[0].kind == "reprompt"
    assert out.replies[0].text.startswith(
        "That didn't work: Pick one of the listed symptoms: Slow page loads, Database slow, "
        "API timeouts, High server CPU, High memory.")


def test_ask_and_a_candidate_pick_name_the_same_bottleneck():
    assert (ask("API timeouts").layer, ask("API timeouts").symptom) == (
        Layer.EXTERNAL_API, Symptom.API_TIMEOUTS)
    picked = answer_as("api_timeouts", "checkout is flaky")
    assert (picked.layer, picked.symptom) == (Layer.EXTERNAL_API, Symptom.API_TIMEOUTS)


def test_the_ladder_follows_the_named_bottleneck():
    words = Match(kind="symptom", layer=Layer.DATABASE, symptom=Symptom.API_TIMEOUTS,
                  confidence=0.6, evidence=["db cpu", "times out"])
    a = assess(Observations(), default_playbook(), words)
    assert a.bottleneck.layer is Layer.DATABASE
    assert a.ladder.symptom is Symptom.DATABASE_SLOW
    assert a.bottleneck.evidence == ["db cpu", "times out", "what people see: API timeouts"]


def test_a_layer_without_a_row_climbs_no_other_layers_ladder():
    """Storage has no decision-matrix row: the words' API-timeouts ladder was climbed under
    a storage bottleneck; now no ladder, and the timeouts are what people see."""
    words = Match(kind="symptom", layer=Layer.STORAGE, symptom=Symptom.API_TIMEOUTS,
                  confidence=0.42, evidence=["requests"])
    a = assess(Observations(), default_playbook(), words)
    assert (a.bottleneck.layer, a.ladder) == (Layer.STORAGE, None)
    assert a.bottleneck.evidence == ["requests", "what people see: API timeouts"]
    settled = answer_as("api_timeouts", "requests take 3s now")
    assert (settled.layer, settled.symptom) == (Layer.EXTERNAL_API, Symptom.API_TIMEOUTS)


def test_numbers_outrank_words_for_the_layer_and_its_ladder():
    words = Match(kind="symptom", layer=Layer.NETWORK, symptom=Symptom.SLOW_PAGE_LOADS,
                  confidence=0.7, evidence=["pages", "slow"])
    a = assess(Observations(metrics={M.DB_CPU_PCT: 95}), default_playbook(), words)
    assert a.bottleneck.layer is Layer.DATABASE
    assert a.ladder.symptom is Symptom.DATABASE_SLOW
    assert a.bottleneck.evidence == ["db_cpu_pct 95% > 70%", "pages", "slow",
                                     "what people see: Slow page loads"]


def test_db_cpu_pegged_and_timeouts_is_a_database_bottleneck():
    result = ask("db cpu is pegged and checkout times out")
    assert (result.layer, result.symptom) == (Layer.DATABASE, Symptom.DATABASE_SLOW)
    # the learned matcher settles on the database row itself; the timeouts stay as evidence
    assert "  evidence: db cpu; times out" in result.answer
    assert "Decision ladder (database_slow):" in result.answer


def test_slack_diagnose_words_name_the_matrix_row(
        slack: SlackClient, fake_slack: FakeSlackAPI) -> None:
    assert slack.command("diagnose users=50k API timeouts").status == 200
    post = fake_slack.wait_for("chat.postMessage")[0]
    text = post.all_text()
    assert "*Bottleneck: external api* (confidence 100%)" in text
    assert "*First try: Async processing*" in text
