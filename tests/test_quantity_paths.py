"""Every path reads quantities the same way: `ask`, `diagnose` and `size` flags, `stage`,
the interview, and Slack's `k=v`."""

from __future__ import annotations

import io
import json
import sqlite3

import pytest
from slack_harness import ALICE, BOT_USER_ID, PUBLIC_CHANNEL, FakeSlackAPI, SlackClient
from slack_sdk.models.blocks import Block

from advisor.metrics import MetricName as M
from bot.slack.blocks.validate import validate_message
from bot.slack.listeners.commands import flags_as_pairs, parse_pairs, routed, without_flags
from bot.slack.listeners.size import EXAMPLES
from bot.terminal.cli import main
from conversations.dialog import start, step


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out, inp=io.StringIO(""))
    return code, out.getvalue()


@pytest.fixture(autouse=True)
def _own_files(monkeypatch, tmp_path):
    monkeypatch.delenv("SCALE_PLAYBOOK", raising=False)
    monkeypatch.setenv("SCALE_DB", str(tmp_path / "advice.db"))


@pytest.mark.parametrize(
    ("argv", "result"),
    [
        (["size", "replicas", "--reads", "12000", "--per-replica", "3k/s"], 4),
        (["size", "replicas", "--reads", "12k reads/s", "--per-replica", "2.5k rps"], 5),
        (["size", "replicas", "--reads", "720k/min", "--per-replica", "3k/s"], 4),
        (["size", "capacity", "--peak", "60k/min", "--growth", "3x"], 4500),
        (["size", "capacity", "--peak", "3.6M/h"], 1500),
    ],
)
def test_size_flags_keep_multipliers_and_rates(argv, result):
    code, out = run(*argv, "--json")
    assert code == 0 and json.loads(out)["result"] == result


@pytest.mark.parametrize(
    ("argv", "inputs", "note"),
    [
        (["pool", "8", "cores", "ssd"], {"cores": 8, "spindles": 1, "disk": "SSD"},
         'Read from "8 cores": cores 8.'),
        (["pool", "8", "cores", "4", "spindles"], {"cores": 8, "spindles": 4, "disk": "4 spindles"},
         'Read from "8 cores 4 spindles": cores 8, spindles 4.'),
        (["pool", "8"], {"cores": 8, "spindles": 1, "disk": "SSD (assumed)"},
         'Read from "8": cores 8.'),
        (["replicas", "12k", "reads/s,", "3k", "per", "replica"],
         {"reads_rps": 12_000, "per_replica_rps": 3000},
         'Read from "12k reads/s, 3k per replica": db reads 12,000 req/s, per replica '
         '3,000 req/s.'),
        (["cache", "10GB"], {"working_set_gb": 10, "multiplier": 1.5},
         'Read from "10GB": working set 10 GB.'),
        (["capacity", "60k/min", "3x", "growth"],
         {"peak_rps": 1000, "growth_factor": 3, "safety_margin": 1.5},
         'Read from "60k/min 3x growth": peak 1,000 req/s, growth 3x. (60,000 per minute '
         '= 1,000 per second.)'),
    ],
)
def test_size_reads_plain_words_as_slack_does(argv, inputs, note, capsys):
    code, out = run("size", *argv, "--json")
    assert (code, json.loads(out)["inputs"]) == (0, inputs)
    assert capsys.readouterr().err == f"scale-advisor: note: {note}\n"


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["pool"], "size pool: give --cores (or in words: size pool 8 cores ssd)"),
        (["pool", "banana"], "size pool: no value in 'banana' (use --cores, --spindles, --ssd)"),
        (["pool", "1.5", "cores"], "size pool: not read: 1.5 cores (CPU cores is a whole number)"),
        (["pool", "8", "ssd", "--spindles", "2"], "size pool: give --spindles or ssd, not both"),
        (["pool", "--cores", "8", "--spindles", "4", "ssd"],
         "size pool: give --spindles or ssd, not both"),
        (["pool", "8", "cores", "hdd"],
         "size pool: hdd: how many spinning disks? give their number, e.g. --spindles 4"),
        (["pool", "--cores", "8", "spinning"],
         "size pool: spinning: how many spinning disks? give their number, e.g. --spindles 4"),
        (["cache", "10"], "size cache: --working-set: 10 MB or 10 GB? Give the unit, e.g. 10 GB."),
        (["capacity", "1k", "rps", "--peak", "2000"],
         "size capacity: --peak given twice (a flag and words); give it once"),
        (["replicas", "12k", "reads/s"],
         "size replicas: give --per-replica (or in words: size replicas 12k reads/s 3k per "
         "replica)"),
    ],
)
def test_size_words_it_cannot_use_are_one_line(argv, said, capsys):
    assert run("size", *argv) == (2, "")
    assert capsys.readouterr().err == f"scale-advisor: error: {said}\n"


@pytest.mark.parametrize("argv", [["--cores", "8", "--spindles", "4", "hdd"],
                                  ["8", "cores", "4", "hdd"]])
def test_size_pool_takes_spinning_disks_with_their_count(argv):
    code, out = run("size", "pool", *argv, "--json")
    assert (code, json.loads(out)["inputs"]) == (
        0, {"cores": 8, "spindles": 4, "disk": "4 spindles"})


@pytest.mark.parametrize("argv", [["--cores", "8", "ssd"], ["ssd", "--cores", "8"],
                                  ["--cores", "8", "nvme"]])
def test_size_pool_reads_ssd_as_the_disk_wherever_it_stands(argv):
    code, out = run("size", "pool", *argv, "--json")
    assert (code, json.loads(out)["inputs"]) == (0, {"cores": 8, "spindles": 1, "disk": "SSD"})


def test_stage_understands_a_misspelt_number_word():
    code, out = run("stage", "40 thousnad", "--json")
    assert code == 0 and json.loads(out)["users"] == 40_000
    assert json.loads(out)["stage"]["number"] == 2


def test_bare_time_flag_is_refused_with_both_readings(capsys):
    code, out = run("diagnose", "--users", "50k", "--p95", "1.2")
    err = capsys.readouterr().err
    assert code == 2 and out == ""
    assert err == ("scale-advisor diagnose: argument --p95-ms/--p95: 1.2 ms or 1.2 s? "
                   "Give the unit, e.g. 1.2 s.\n")


def test_a_flag_named_with_its_unit_gives_a_bare_number_that_unit(capsys):
    code, out = run("diagnose", "--users", "5k", "--p95-ms", "1.2", "--replica-lag-s", "30",
                    "--working-set-gb", "10", "--json")
    assert (code, json.loads(out)["inputs"]["metrics"]) == (
        0, {"users": 5000, "p95_ms": 1.2, "replica_lag_s": 30, "working_set_gb": 10})
    assert capsys.readouterr().err.splitlines() == [
        "scale-advisor: note: --p95-ms: 1.2 read in ms, the unit its name says",
        "scale-advisor: note: --replica-lag-s: 30 read in s, the unit its name says",
        "scale-advisor: note: --working-set-gb: 10 read in GB, the unit its name says"]
    code, out = run("diagnose", "--replica-lag-s", "30", "ms", "--json")  # a unit typed wins
    assert (code, json.loads(out)["inputs"]["metrics"]) == (0, {"replica_lag_s": 0.03})
    assert run("diagnose", "--lag", "30")[0] == 2
    assert capsys.readouterr().err.endswith("30 ms or 30 s? Give the unit, e.g. 30 s.\n")


def test_misspelt_number_word_close_to_none_is_refused(capsys):
    code, _ = run("stage", "40 thsnad")
    assert code == 2
    assert "did you mean thousand?" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [("stage", "40", "thsnd"), ("stage", "40thsnd"),
                                  ("diagnose", "--users", "40", "thsnd")])
def test_a_cut_number_word_after_a_flag_value_is_asked_back(argv, capsys):
    code, out = run(*argv)
    assert (code, out) == (2, "")
    assert capsys.readouterr().err.endswith(
        ": 'thsnd' is not a number word I know; did you mean thousand? "
        "Write it as 40 thousand or with k/M/B.\n")


def test_a_dot_grouped_count_is_asked_back_in_the_interview():
    reply = step(start().state, "50.000")
    assert [(r.text, [c.value for c in r.choices]) for r in reply.replies] == [
        ("50 or 50,000?", ["50", "50,000"])]
    assert step(reply.state, "50,000").replies[0].text == "Read: users 50,000."


@pytest.mark.parametrize(("argv", "said"), [
    (("diagnose", "--users", "--"), "diagnose: argument --users: expected one argument"),
    (("diagnose", "--users=--"), "diagnose: argument --users: expected one argument"),
    (("size", "pool", "--cores", "--"), "size pool: argument --cores: expected one argument"),
    (("size", "cache", "--working-set", "1e400"), "size cache: argument --working-set: "
     "Expected a finite number: a size such as 10GB, 512 MiB or 1.5TB."),
    (("diagnose", "--p95", "1e400"), "diagnose: argument --p95-ms/--p95: "
     "Expected a finite number: a time such as 850 ms or 1.4s."),
])
def test_a_missing_or_overflowing_flag_value_is_one_line(argv, said, capsys):
    code, out = run(*argv)
    assert (code, out, capsys.readouterr().err) == (2, "", f"scale-advisor {said}\n")


def test_diagnose_flags_read_every_form():
    code, out = run("diagnose", "--users", "40 thousnad", "--p95", "300ms -> 2.4s",
                    "--pool", "45/50", "--cache-hit", "0.62", "--peak", "60k/min",
                    "--queries", "45", "--json")
    metrics = json.loads(out)["inputs"]["metrics"]
    assert code == 0 and metrics == {"users": 40_000, "p95_ms": 2400, "pool_used_pct": 90,
                                     "cache_hit_pct": 62, "peak_rps": 1000,
                                     "queries_per_request": 45}


def test_flag_values_run_on_past_a_space_unquoted():
    code, out = run("diagnose", "--users", "50", "thousand", "--p95", "1.2", "s",
                    "--peak=60k", "/min", "--json")
    assert code == 0
    assert json.loads(out)["inputs"]["metrics"] == {"users": 50_000, "p95_ms": 1200,
                                                    "peak_rps": 1000}
    code, out = run("stage", "15", "lakh", "--json")
    assert code == 0 and json.loads(out)["users"] == 1_500_000
    code, out = run("stage", "--json", "40", "thousnad")
    assert code == 0 and json.loads(out)["users"] == 40_000
    code, out = run("size", "capacity", "--peak", "two", "thousand", "--growth", "3x", "--json")
    assert code == 0 and json.loads(out)["result"] == 9000


def test_a_word_that_does_not_change_a_flag_value_is_still_refused(capsys):
    code, out = run("diagnose", "--users", "50k", "checkout")
    assert (code, out) == (2, "")
    assert capsys.readouterr().err == "scale-advisor: unrecognized arguments: checkout\n"


def test_ask_reads_and_echoes_every_number():
    code, out = run("ask", "p95 went from 300ms to 2.4s, 40 thousnad users, db cpu 85%",
                    "--json")
    result = json.loads(out)
    assert code == 0
    assert result["metrics"] == {"p95_ms": 2400, "users": 40_000, "db_cpu_pct": 85}
    assert result["answer"].splitlines()[-1] == "Read: p95 2,400 ms, users 40,000, db cpu 85%."


def test_ask_says_which_number_it_did_not_read():
    code, out = run("ask", "db cpu 95% with 40 thsnad users", "--json")
    answer = json.loads(out)["answer"]
    assert answer.splitlines()[-1] == (
        "Read: db cpu 95%. Not read: 40 thsnad ('thsnad' is not a number word I know; did you "
        "mean thousand? Write it as 40 thousand or with k/M/B.)")


# --- the interview -------------------------------------------------------------------


def at_p95():
    result = step(step(start().state, "50k").state, "symptom:database_slow")
    assert result.state.current == "p95_ms"
    return result.state


def test_interview_asks_back_a_bare_time_and_takes_either_reading():
    state = at_p95()
    out = step(state, "1.2")
    assert out.state == state.model_copy(update={"unit_readings": ["1.2 ms", "1.2 s"]})
    [reply] = out.replies
    assert (reply.kind, reply.text) == ("reprompt", "1.2 ms or 1.2 s?")
    assert [(c.label, c.value) for c in reply.choices] == [("1.2 ms", "1.2 ms"),
                                                           ("1.2 s", "1.2 s")]
    picked = step(state, reply.choices[1].value)
    assert picked.state.answers["p95_ms"].value == 1200
    assert picked.replies[0].text == "Read: p95 1,200 ms (1.2 s = 1,200 ms)."


def test_interview_echoes_every_number_with_its_unit():
    out = step(at_p95(), "went from 300ms to 2.4s")
    assert out.state.answers["p95_ms"].value == 2400
    assert out.replies[0].text == ("Read: p95 2,400 ms (took 2,400, the latest value in 300ms "
                                   "to 2.4s; 2.4 s = 2,400 ms).")
    users = step(start().state, "40 thousnad")
    assert users.state.answers["users"].value == 40_000
    assert users.replies[0].text == "Read: users 40,000 (read 'thousnad' as thousand)."


def test_interview_compounds_a_growth_per_month_to_a_year():
    state = at_p95()
    for skipped in ("skip", "skip"):  # the p95 and the peak
        state = step(state, skipped).state
    assert state.current == "growth_factor"
    out = step(state, "20% a month")
    assert out.state.answers["growth_factor"].value == 8.916
    assert out.replies[0].text == (
        "Read: growth 8.916x (20% compounded 12 times is 8.916x in 12 months).")


def test_interview_reads_a_pool_fraction_and_a_description():
    result = step(start().state, "50k")
    result = step(result.state, "db cpu 92% and 45/50 connections, cache hit ratio 0.62")
    answers = result.state.answers
    assert (answers["db_cpu_pct"].value, answers["pool_used_pct"].value,
            answers["cache_hit_pct"].value) == (92, 90, 62)
    assert result.replies[0].text == ("Noted from your description: database CPU 92%, "
                                      "connection pool in use 90%, cache hit rate 62%.")


def test_interview_refuses_a_word_only_close_to_a_number_word():
    out = step(start().state, "40 thsnad")
    assert out.replies[0].kind == "reprompt"
    assert "did you mean thousand?" in out.replies[0].text
    assert "users" not in out.state.answers


# --- Slack's k=v ---------------------------------------------------------------------


def test_slack_pairs_read_every_form():
    metrics, text, problems, _ = parse_pairs("users=50k p95=1.2s peak=60k/min pool=45/50 "
                                          "cache_hit=0.62 per_replica=3k/s")
    assert problems == [] and text == ""
    assert metrics == {M.USERS: 50_000, M.P95_MS: 1200, M.PEAK_RPS: 1000,
                       M.POOL_USED_PCT: 90, M.CACHE_HIT_PCT: 62, M.PER_REPLICA_RPS: 3000}
    assert parse_pairs("users=50k p95=1.2")[2] == [
        "`p95`: 1.2 ms or 1.2 s? Give the unit, e.g. 1.2 s."]


def test_slack_pairs_take_a_unit_said_as_a_word():
    assert parse_pairs("peak=3000 rps and checkout is slow")[:3] == (
        {M.PEAK_RPS: 3000}, "and checkout is slow", [])


@pytest.mark.parametrize("said", ["growth=20%/month", "growth=20% a month"])
def test_slack_pairs_compound_a_growth_per_month(said):
    assert parse_pairs(f"users=50k {said}") == (
        {M.USERS: 50_000, M.GROWTH_FACTOR: 8.916}, "", [],
        [f"Read {said} as 8.916x (20% compounded 12 times is 8.916x in 12 months)."])


def test_slack_pairs_under_a_full_name_take_its_unit():
    assert parse_pairs("p95_ms=1.2 replica_lag_s=30 peak_rps=1,200") == (
        {M.P95_MS: 1.2, M.REPLICA_LAG_S: 30, M.PEAK_RPS: 1200}, "", [],
        ["Read p95_ms=1.2 as 1.2 ms (the unit its name says).",
         "Read replica_lag_s=30 as 30 s (the unit its name says)."])


def test_a_hit_rate_is_the_cache_hit_share_under_the_names_people_use():
    for key in ("cache_hit", "hit_rate", "cache_hit_rate", "cache_hit_pct"):
        assert parse_pairs(f"{key}=0.62")[:3] == ({M.CACHE_HIT_PCT: 62}, "", []), key
        flag = "--" + key.replace("_", "-")
        code, out = run("diagnose", "--users", "5k", flag, "0.62", "--json")
        assert (code, json.loads(out)["inputs"]["metrics"]) == (
            0, {"users": 5000, "cache_hit_pct": 62}), flag


def test_slack_symptom_key_starts_the_description():
    assert parse_pairs("users=50k symptom=checkout is slow p95=2s")[:3] == (
        {M.USERS: 50_000, M.P95_MS: 2000}, "checkout is slow", [])
    assert parse_pairs('symptom="API timeouts" users=5k')[:3] == (
        {M.USERS: 5000}, "API timeouts", [])


def test_slack_pair_values_run_on_past_a_space():
    metrics, text, problems, notes = parse_pairs(
        "users=50 thousand p95=1.2 s peak=60k /min pool=45 of 50 checkout is slow")
    assert (metrics, text, problems) == (
        {M.USERS: 50_000, M.P95_MS: 1200, M.PEAK_RPS: 1000, M.POOL_USED_PCT: 90},
        "checkout is slow", [])
    assert notes == [
        "Read p95=1.2 s as 1,200 ms (1.2 s = 1,200 ms).",
        "Read peak=60k /min as 1,000 req/s (60,000 per minute = 1,000 per second).",
        "Read pool=45 of 50 as 90% (45 of 50 = 90%).",
    ]
    assert parse_pairs("users=fifty thousand")[:3] == ({M.USERS: 50_000}, "", [])
    assert parse_pairs("users=two hundred and fifty")[:3] == ({M.USERS: 250}, "", [])
    assert parse_pairs("users=40 thousnad")[:3] == ({M.USERS: 40_000}, "", [])
    assert parse_pairs("users=1.5 lakh")[:3] == ({M.USERS: 150_000}, "", [])
    # A word that does not change the value stays with the description.
    assert parse_pairs("users=50k and checkout is slow")[:3] == (
        {M.USERS: 50_000}, "and checkout is slow", [])
    assert parse_pairs("p95=1.2 and db is slow")[2] == [
        "`p95`: 1.2 ms or 1.2 s? Give the unit, e.g. 1.2 s."]


def test_slack_size_values_run_on_past_a_space(slack: SlackClient) -> None:
    body = slack.command("size capacity peak=60 thousand /min growth=3x").json()
    assert body["blocks"][0]["elements"][0]["text"] == (
        "Read peak=60 thousand /min as 1,000 req/s (60,000 per minute = 1,000 per second).")
    assert "1,000 × 3 × 1.5 = 4,500 req/s" in json.dumps(body, ensure_ascii=False)


def test_slack_size_and_diagnose_read_rates_and_refuse_bare_times(
        slack: SlackClient, fake_slack: FakeSlackAPI) -> None:
    body = slack.command("size replicas reads=12000 per_replica=3k/s").json()
    assert "= 4 replicas" in json.dumps(body)
    body = slack.command("diagnose users=50k p95=1.2").json()
    assert "1.2 ms or 1.2 s?" in body["blocks"][0]["text"]["text"]


POOL_ON_AN_SSD = {"text": "pool: 17 connections per instance", "blocks": [{
    "type": "section", "text": {"type": "mrkdwn", "text": (
        "*Pool*: *17 connections per instance*\n"
        "`connections = (num_cores × 2) + effective_spindle_count`\n"
        "(8 × 2) + 1 = 17 connections per instance")}}]}


@pytest.mark.parametrize("said", ["cores=8 ssd", "ssd cores=8", "--cores 8 ssd", "cores=8 nvme"])
def test_slack_size_pool_reads_ssd_as_the_disk_wherever_it_stands(slack: SlackClient,
                                                                   said: str) -> None:
    assert slack.command(f"size pool {said}").json() == POOL_ON_AN_SSD


@pytest.mark.parametrize(("said", "word"), [
    ("8 cores hdd", "hdd"), ("cores=8 hdd", "hdd"), ("--cores 8 hdd", "hdd"),
    ("hdd 8 cores", "hdd"), ("cores=8 spinning", "spinning")])
def test_slack_size_pool_asks_how_many_spinning_disks(slack: SlackClient, said: str,
                                                      word: str) -> None:
    assert slack.command(f"size pool {said}").json()["text"] == (
        f"`{word}`: how many spinning disks? Give their number, e.g. `spindles=4`. {EXAMPLES}")


@pytest.mark.parametrize("said", ["cores=8 spindles=4 hdd", "8 cores 4 hdd"])
def test_slack_size_pool_takes_spinning_disks_with_their_count(slack: SlackClient,
                                                               said: str) -> None:
    assert slack.command(f"size pool {said}").json()["text"] == (
        "pool: 20 connections per instance")


@pytest.mark.parametrize("said", ["cores 8 spindles 4", "8 cores 4 spindles",
                                  "--cores 8 spindles 4"])
def test_slack_size_pool_reads_each_count_beside_its_own_name(slack: SlackClient,
                                                              said: str) -> None:
    body = slack.command(f"size pool {said}").json()
    assert (body["text"], body["blocks"][-1]["text"]["text"].splitlines()[-1]) == (
        "pool: 20 connections per instance", "(8 × 2) + 4 = 20 connections per instance")


@pytest.mark.parametrize("said", ["cores=8 spindles=4 ssd", "ssd cores=8 spindles=4",
                                  "cores=8 --spindles 4 ssd"])
def test_slack_size_pool_refuses_spindles_and_ssd_in_any_order(slack: SlackClient,
                                                               said: str) -> None:
    assert slack.command(f"size pool {said}").json()["text"] == (
        f"Give `spindles` or `ssd`, not both. {EXAMPLES}")


@pytest.mark.parametrize(("said", "problem"), [
    ("diagnose system=", "`system`: a system name cannot be empty (at most 60 characters, "
                         "e.g. checkout-api). Nothing was assessed."),
    ("diagnose system= users=5k", "`system`: a system name cannot be empty (at most 60 "
                                  "characters, e.g. checkout-api). Nothing was assessed."),
    ("diagnose =5", "A name is missing before `=5` (e.g. `users=50k`). Nothing was assessed."),
    ("size pool =8", f"A name is missing before `=8` (use cores, spindles, ssd). {EXAMPLES}"),
])
def test_slack_an_empty_name_or_value_is_said_to_be_empty(slack: SlackClient, said: str,
                                                          problem: str) -> None:
    assert slack.command(said).json()["text"] == problem


@pytest.mark.parametrize(("said", "problem"), [
    ("size capacity peak=1000 growth=3x growth=4x", "`growth` given twice; give it once."),
    ("size capacity peak=1000 growth=3x --growth 4", "`growth` given twice; give it once."),
    ("diagnose users=50k users=60k", "`users` given twice; give it once. Nothing was assessed."),
    ("diagnose p95=1.2s p95_ms=1300",
     "`p95` and `p95_ms` give the same metric; give it once. Nothing was assessed."),
])
def test_slack_a_name_given_twice_with_two_values_is_refused(slack: SlackClient, said: str,
                                                             problem: str) -> None:
    text = slack.command(said).json()["text"]
    assert text == (f"{problem} {EXAMPLES}" if said.startswith("size") else problem)


def test_slack_a_name_given_twice_with_one_value_is_read_once(slack: SlackClient) -> None:
    assert slack.command("size capacity peak=1000 growth=3x growth=3").json()["text"] == (
        "capacity: 4,500 req/s")
    assert parse_pairs("users=50k users=50,000 p95=1.2s p95_ms=1200")[:3] == (
        {M.USERS: 50_000, M.P95_MS: 1200}, "", [])


def test_slack_reads_pasted_terminal_flags_as_pairs():
    assert flags_as_pairs("--users 50k --db-cpu 90% --system shop --what-if --json") == (
        "users=50k db-cpu=90% system=shop --what-if --json")
    assert flags_as_pairs("--users --p95 1.2s --colour red") == "--users p95=1.2s --colour red"
    assert routed("--users", "50k --db-cpu 90%") == "diagnose"
    # The flags left over are no description: each is said once, in Slack's words.
    assert without_flags("users=50k checkout is slow --what-if --json --colour") == (
        "users=50k checkout is slow",
        ["`--what-if` is a terminal flag; here, use the What-if buttons under the answer.",
         "`--json` has no meaning in Slack; the answer is always a message.",
         "`--colour` is not something `/scale diagnose` takes; left out."],
        [])
    assert without_flags("--users p95=1.2s") == (
        "p95=1.2s", [], ["`--users` has no value; give it as `users=...`."])


def test_slack_diagnose_leaves_valueless_terminal_flags_out_of_the_description(
        slack: SlackClient, fake_slack: FakeSlackAPI, slack_db) -> None:
    """`--what-if --json` was the symptom description: read as a stage question and
    logged as what the person said."""
    assert slack.command("diagnose --users 50k --p95 1.2s --what-if --json").status == 200
    post = fake_slack.wait_for("chat.postMessage", 1)[0].args
    assert post["text"] == "Stage 2: Growth"
    assert post["blocks"][0] == {"type": "context", "elements": [{
        "type": "mrkdwn",
        "text": "Read p95=1.2s as 1,200 ms (1.2 s = 1,200 ms).\n"
                "`--what-if` is a terminal flag; here, use the What-if buttons under the "
                "answer.\n"
                "`--json` has no meaning in Slack; the answer is always a message."}]}
    with sqlite3.connect(slack_db) as db:
        [(inputs,)] = db.execute("SELECT inputs_json FROM advice").fetchall()
    assert json.loads(inputs)["text"] == ""
    assert slack.command("diagnose --users --p95 1.2s").json()["text"] == (
        "`--users` has no value; give it as `users=...`. Nothing was assessed.")


def test_slack_diagnose_leaves_terminal_flags_with_values_out_with_their_value(
        slack: SlackClient, fake_slack: FakeSlackAPI, slack_db) -> None:
    """`--done add_indexes` left "add_indexes" as what people see, naming the ladder it
    meant to climb past."""
    text = "diagnose --users 50k --done add_indexes --signal write_overload --db-cpu 90%"
    assert slack.command(text).status == 200
    post = fake_slack.wait_for("chat.postMessage", 1)[0].args
    assert post["blocks"][0] == {"type": "context", "elements": [{
        "type": "mrkdwn",
        "text": "`--done` is a terminal flag; here, use the Done buttons under the ladder.\n"
                "`--signal` is a terminal flag; here, say it in words after the numbers."}]}
    with sqlite3.connect(slack_db) as db:
        [(inputs,)] = db.execute("SELECT inputs_json FROM advice").fetchall()
    assert json.loads(inputs)["text"] == ""


@pytest.mark.parametrize("flags", ["diagnose --users 50k --p95 1.2s", "--users 50k --p95 1.2s"])
def test_slack_diagnose_with_terminal_flags_answers_as_with_pairs(
        slack: SlackClient, fake_slack: FakeSlackAPI, flags: str) -> None:
    said = []
    for text in (flags, "diagnose users=50k p95=1.2s"):
        before = len(fake_slack.calls("chat.postMessage"))
        assert slack.command(text).status == 200
        said.append(fake_slack.wait_for("chat.postMessage", before + 1)[before].args["text"])
    assert said == ["Stage 2: Growth"] * 2  # no bottleneck named from the flags as words


def test_slack_size_and_stage_say_how_converted_and_worded_values_were_read(
        slack: SlackClient) -> None:
    body = slack.command("size capacity peak=60k/min growth=3x").json()
    assert validate_message(body["blocks"], body["text"]) == []
    assert body["blocks"][0] == {"type": "context", "elements": [{
        "type": "mrkdwn",
        "text": "Read peak=60k/min as 1,000 req/s (60,000 per minute = 1,000 per second)."}]}
    body = slack.command("size replicas --reads 720k/min --per-replica 3k/s").json()
    assert body["blocks"][0]["elements"][0]["text"] == (
        "Read reads=720k/min as 12,000 req/s (720,000 per minute = 12,000 per second).")
    body = slack.command("size pool cores=8 ssd").json()
    assert body["blocks"][0]["type"] != "context"  # nothing converted: nothing said
    body = slack.command("stage 40 thousnad").json()
    assert validate_message(body["blocks"], body["text"]) == []
    assert body["blocks"][0]["elements"][0]["text"] == (
        "Read 40 thousnad as 40,000 users (read 'thousnad' as thousand).")
    assert body["blocks"][1]["text"]["text"] == "40,000 users: Stage 2, Growth"


def test_slack_stage_costs_exactly_10k_users_at_the_10k_row(slack: SlackClient) -> None:
    body = slack.command("stage 10k").json()
    assert validate_message(body["blocks"], body["text"]) == []
    costs = [b for b in body["blocks"]
             if b["type"] == "section" and "text" in b and b["text"]["text"].startswith("*Cost*")]
    assert costs == [{"type": "section", "text": {"type": "mrkdwn", "text": (
        "*Cost*: *$100-300 USD/month*\n"
        "`cost table: users \u2192 architecture \u2192 monthly cost`\n"
        "10K users, Single server: $100-300 per month")}}]


def test_slack_pairs_say_how_converted_and_worded_values_were_read():
    metrics, text, problems, notes = parse_pairs(
        "users=fifty-thousand peak=60k/min p95=1.2s db_cpu=90% pool=45/50 cores=eight")
    assert (metrics, text, problems) == (
        {M.USERS: 50_000, M.PEAK_RPS: 1000, M.P95_MS: 1200, M.DB_CPU_PCT: 90,
         M.POOL_USED_PCT: 90, M.CORES: 8}, "", [])
    assert notes == [
        "Read users=fifty-thousand as 50,000 users.",
        "Read peak=60k/min as 1,000 req/s (60,000 per minute = 1,000 per second).",
        "Read p95=1.2s as 1,200 ms (1.2 s = 1,200 ms).",
        "Read pool=45/50 as 90% (45 of 50 = 90%).",
        "Read cores=eight as 8 cores.",
    ]
    assert parse_pairs("users=50k db_cpu=90%")[3] == []  # nothing converted, nothing said
    assert parse_pairs("users=50k checkout is slow at 10M requests daily")[3] == [
        "Read from your words: peak 115.741 req/s. (10,000,000 per day is 115.741 per second "
        "on average; the busiest hour runs higher, so give the peak if you know it.)"]


def test_slack_one_shot_diagnose_opens_with_how_it_read_the_numbers(
        slack: SlackClient, fake_slack: FakeSlackAPI) -> None:
    before = len(fake_slack.calls("chat.postMessage"))
    assert slack.command("diagnose users=50k peak=60k/min p95=1.2s").status == 200
    post = fake_slack.wait_for("chat.postMessage", before + 1)[before].args
    assert validate_message(post["blocks"], post["text"]) == []
    for block in post["blocks"]:
        Block.parse(block).to_dict()
    assert post["blocks"][0] == {"type": "context", "elements": [{
        "type": "mrkdwn",
        "text": "Read peak=60k/min as 1,000 req/s (60,000 per minute = 1,000 per second).\n"
                "Read p95=1.2s as 1,200 ms (1.2 s = 1,200 ms)."}]}
    before += 1
    assert slack.command("diagnose users=50k db_cpu=90%").status == 200
    post = fake_slack.wait_for("chat.postMessage", before + 1)[before].args
    assert post["blocks"][0]["type"] != "context"  # nothing converted: no lead line
    before += 1
    assert slack.command("diagnose system=checkout users=50k peak=60k/min").status == 200
    post = fake_slack.wait_for("chat.postMessage", before + 1)[before].args
    assert validate_message(post["blocks"], post["text"]) == []
    assert post["blocks"][0]["elements"][0]["text"] == (
        "Read peak=60k/min as 1,000 req/s (60,000 per minute = 1,000 per second).")


def test_slack_one_shot_diagnose_reads_a_named_unit_and_says_what_changed_nothing(
        slack: SlackClient, fake_slack: FakeSlackAPI) -> None:
    before = len(fake_slack.calls("chat.postMessage"))
    assert slack.command("diagnose users=50k p95_ms=1200 replica_lag_s=30 "
                         "cache_hit=40").status == 200
    post = fake_slack.wait_for("chat.postMessage", before + 1)[before].args
    assert validate_message(post["blocks"], post["text"]) == []
    assert post["blocks"][0]["elements"][0]["text"] == (
        "Read replica_lag_s=30 as 30 s (the unit its name says).")
    notes = [e["text"] for b in post["blocks"] if b["type"] == "context"
             for e in b["elements"] if e["text"].startswith("Given but not weighed")]
    assert notes == ["Given but not weighed: replica lag 30 s (the playbook draws no line "
                     "for it, so it changes no advice); cache hit rate 40% (the playbook draws "
                     "no line for it, so it changes no advice)"]  # in the order given


def test_interview_echoes_values_in_words_and_answers_holding_more_than_asked():
    users = step(start().state, "fifty thousand")
    assert users.state.answers["users"].value == 50_000
    assert users.replies[0].text == "Read: users 50,000 ('fifty thousand' read as 50,000)."
    both = step(start().state, "about 50k users at 2k rps")
    assert {k: a.value for k, a in both.state.answers.items()} == {
        "users": 50_000, "peak_rps": 2000}
    assert both.replies[0].text == "Read: users 50,000, peak 2,000 req/s."
    daily = step(users.state, "pages crawl and we get 10M requests daily")
    assert [r.text for r in daily.replies[:2]] == [
        "Noted from your description: peak traffic 115.741 req/s.",
        "(10,000,000 per day is 115.741 per second on average; the busiest hour runs higher, "
        "so give the peak if you know it.)"]


def test_terminal_interview_echoes_values_in_words(tmp_path, monkeypatch):
    monkeypatch.setenv("SCALE_DB", str(tmp_path / "advisor.db"))
    monkeypatch.delenv("SCALE_PLAYBOOK", raising=False)
    out = io.StringIO()
    main(["diagnose", "--interactive"], out=out, inp=io.StringIO("fifty thousand\n"))
    lines = out.getvalue().splitlines()
    assert ">   Read: users 50,000 ('fifty thousand' read as 50,000)." in lines


def test_slack_mention_answers_a_statement_of_scale_outright(
        slack: SlackClient, fake_slack: FakeSlackAPI) -> None:
    event = {"type": "app_mention", "user": ALICE, "channel": PUBLIC_CHANNEL,
             "ts": "1700000200.000100", "event_ts": "1700000200.000100",
             "text": f"<@{BOT_USER_ID}> about 50,000 daily active users"}
    assert slack.event(event).status == 200
    [post] = fake_slack.wait_for("chat.postMessage")
    assert validate_message(post.args["blocks"], post.args["text"]) == []
    for block in post.args["blocks"]:
        Block.parse(block).to_dict()
    texts = post.all_text()
    assert "Stage 2: Growth (10,000-100,000 users)" in texts
    assert "topic: stage · confidence 75%" in texts
    assert "Did you mean" not in texts


def test_slack_mention_answers_a_machines_make_up_with_its_pool(
        slack: SlackClient, fake_slack: FakeSlackAPI) -> None:
    assert slack.app_mention("16 cores and 4 spinning disks").status == 200
    [post] = fake_slack.wait_for("chat.postMessage")
    assert validate_message(post.args["blocks"], post.args["text"]) == []
    texts = post.all_text()
    assert "(16 × 2) + 4 = 36 connections per instance (4 spindles)" in texts
    assert "topic: connection pool · confidence 75%" in texts
    assert "Bottleneck" not in texts


@pytest.mark.parametrize(("said", "refused"), [
    ("p95 went from 300ms to 2 after the deploy", "Not read: p95 2 (2 ms or 2 s?)"),
    ("the api is slow, checkout is at 95%",
     "Not read: 95% (a share of what? Say, e.g., cpu or memory before it)"),
])
def test_slack_says_a_number_asked_back_whatever_the_reply(
        slack: SlackClient, fake_slack: FakeSlackAPI, said: str, refused: str) -> None:
    """An unsure reply shows buttons or what I can do instead of the answer; the number
    asked back must still be said, not lost with the answer it lived in."""
    assert slack.app_mention(said).status == 200
    [post] = fake_slack.wait_for("chat.postMessage")
    assert validate_message(post.args["blocks"], post.args["text"]) == []
    assert refused in post.all_text().splitlines()


@pytest.mark.parametrize(("argv", "said"), [
    (("size", "replicas", "--reads", "10k users", "--per-replica", "3k"),
     "size replicas: argument --reads: Expected a rate such as 2k rps or 450; 10k users is a "
     "count, not a rate."),
    (("size", "replicas", "--reads", "12k", "--per-replica", "3k sessions"),
     "size replicas: argument --per-replica: Expected a rate such as 2k rps or 450; 3k "
     "sessions is a count, not a rate."),
    (("size", "capacity", "--peak", "50k daily active users"),
     "size capacity: argument --peak: Expected a rate such as 2k rps or 450; 50k daily "
     "active users is a count, not a rate."),
])
def test_a_count_given_for_a_rate_is_refused(argv, said, capsys):
    """`--reads "10k users"` was read as 10,000 reads a second and sized 4 replicas."""
    code, out = run(*argv)
    assert (code, out, capsys.readouterr().err) == (2, "", f"scale-advisor {said}\n")
