"""Answers to `ask`, given what the matcher made of the text (built by hand here)."""

from __future__ import annotations

import pytest

from advisor.ask import answer_for, ask
from advisor.metrics import MetricName as M
from advisor.models import Match, Topic


def question(topic: str, **metrics) -> Match:
    return Match(kind="question", topic=topic, confidence=0.8, metrics=metrics)


def test_replica_question_uses_its_numbers():
    text = "how many read replicas for 12k reads/s if one handles 3k"
    r = answer_for(text, question("read_replicas", reads_rps=12_000, per_replica_rps=3_000))
    assert "ceiling(12,000 / 3,000) = 4 replicas" in r.answer
    assert "replicas = ceiling(read_traffic / single_replica_capacity)" in r.answer
    assert (r.topic, r.layer, r.metrics) == (Topic.READ_REPLICAS, None,
                                             {M.READS_RPS: 12_000, M.PER_REPLICA_RPS: 3_000})


@pytest.mark.parametrize("topic, metrics, expected", [
    ("connection_pool", {"cores": 16}, "(16 × 2) + 1 = 33 connections per instance"),
    ("connection_pool", {}, "(8 × 2) + 1 = 17 connections per instance"),
    ("cache_sizing", {"working_set_gb": 4}, "4GB × 1.5 = 6GB"),
    ("cache_sizing", {}, "10GB × 1.5 = 15GB"),
    ("capacity_planning", {"peak_rps": 2000, "growth_factor": 2}, "2,000 × 2 × 1.5 = 6,000 req/s"),
    ("capacity_planning", {}, "1,000 × 3 × 1.5 = 4,500 req/s"),
    ("sharding", {}, "Range-based (user_id 1-1M → shard 1): + Easy to add shards"),
    ("caching_strategy", {}, "Database query results: TTL 1-5 minutes"),
    ("multi_region", {}, "Active-Active: consistency Eventual, latency Low, complexity High"),
    ("consistency", {}, "Use for: Messaging, collaboration."),
    ("cdn", {"static_bandwidth_pct": 35}, "You have 35% against > 20%: yes, it is time."),
    ("load_balancer", {"server_cpu_pct": 50}, "You have 50% against > 70%: not yet by this rule."),
    ("job_queue", {}, "API → Service A → Queue → Response (fast)"),
    ("stage", {"users": 50_000}, "Cost table: 100K users, Load balanced + cache: $1,000-3,000"),
    ("stage", {}, "Stage 4 Enterprise: 1M+ users"),
])
def test_each_topic_answers_from_the_playbook(topic, metrics, expected):
    assert expected in answer_for("q", question(topic, **metrics)).answer


STAGE_2_WHEN = ("Move to Stage 2 (Growth) when: Database CPU stays above 70%; Response times "
                "keep getting worse; A single query takes more than 100ms; The server has no "
                "headroom left.")
STAGE_4_WHEN = ("Move to Stage 4 (Enterprise) when: Users need geographic distribution for "
                "latency; Regulation requires data residency; One region cannot provide the "
                "failover you need; A global user base with latency requirements.")


@pytest.mark.parametrize("text, metrics, expected", [
    ("when should we move to stage 2?", {}, [STAGE_2_WHEN]),
    ("what tells us it's time for the enterprise stage", {}, [STAGE_4_WHEN]),
    ("are we out of stage 1 yet", {}, [STAGE_2_WHEN]),
    ("which stage is this", {"users": 5_000}, [STAGE_2_WHEN]),
    ("which stage is this", {"users": 2_000_000}, []),
])
def test_a_stage_question_says_when_to_move_on(text, metrics, expected):
    lines = answer_for(text, question("stage", **metrics)).answer.splitlines()
    assert [line for line in lines if line.startswith("Move to")] == expected


def test_the_stages_overview_says_when_to_move_to_each_later_stage():
    lines = answer_for("what are the stages", question("stage")).answer.splitlines()
    assert [line.split(" when:")[0] for line in lines if line.startswith("Move to")] == [
        "Move to Stage 2 (Growth)", "Move to Stage 3 (Scale)", "Move to Stage 4 (Enterprise)"]


@pytest.mark.parametrize(("text", "topic", "expected"), [
    ("what is a good p95 response time target?", "stage",
     ["Response time (P95): target < 500ms, warning > 1s."]),
    ("what should our server cpu target be", "capacity_planning",
     ["Server CPU: target < 70%, warning > 85%."]),
    ("how many queries per request is too many", "capacity_planning",
     ["Database queries/request: target < 10, warning > 20."]),
    ("is a pool at 60% of its connections ok?", "connection_pool",
     ["Database connections: target < 50% pool, warning > 80% pool."]),
    ("what is a healthy db cpu", "read_replicas", []),  # no key metric of the server's
    ("how do I size the pool for 8 cores", "connection_pool", []),  # no line asked
])
def test_a_question_on_a_key_metrics_line_gets_the_playbooks_line(text, topic, expected):
    lines = answer_for(text, question(topic)).answer.splitlines()
    assert [line for line in lines if ": target <" in line] == expected


def test_sharding_at_an_early_stage_says_not_yet_with_why():
    r = answer_for("should we shard postgres? we have 5k users",
                   question("sharding", users=5_000))
    first = r.answer.splitlines()[0]
    assert first.startswith("Not yet: at 5,000 users you are at Stage 1.")
    assert "a Stage 3 pattern (100K-1M users)" in first


def test_sharding_at_stage_three_is_answered_plainly():
    r = answer_for("how to shard", question("sharding", users=400_000))
    assert not r.answer.startswith("Not yet")
    assert "Hash-based" in r.answer


def test_microservices_question_without_a_topic_gets_restraint():
    match = Match(kind="noise", confidence=0.2, metrics={M.USERS: 8_000})
    r = answer_for("should we split into microservices?", match)
    assert r.answer.startswith("Not yet: at 8,000 users you are at Stage 1.")


def test_multi_region_without_users_says_when():
    r = answer_for("multi-region?", question("multi_region"))
    assert r.answer.startswith("Only from Stage 4:")


def test_symptom_gets_bottleneck_ladder_and_solutions():
    match = Match(kind="symptom", layer="database", symptom="database_slow", confidence=0.85,
                  evidence=["db cpu"], metrics={M.DB_CPU_PCT: 92, M.USERS: 40_000},
                  done={"add_indexes"})
    r = answer_for("db cpu 92%, 40k users, we already added indexes", match)
    assert "Bottleneck: database (confidence 95%)" in r.answer
    assert "evidence: db cpu; db_cpu_pct 92% > 70%" in r.answer
    assert "Then try: Read replicas <- next" in r.answer
    assert "usual fixes: Indexing, read replicas, caching" in r.answer
    assert (r.layer, r.symptom, r.confidence) == ("database", "database_slow", 0.95)


def test_noise_gets_no_layer_and_a_short_help():
    r = answer_for("our TLS certificate expired", Match(kind="noise", confidence=0.1))
    assert (r.layer, r.symptom, r.topic) == (None, None, None)
    assert r.answer.startswith("That doesn't read like a scaling problem")
    assert len(r.answer) < 400


def test_an_answer_a_number_led_to_says_the_number_and_its_line():
    r = ask("cache hit ratio dropped from 0.92 to 0.40 after the key change")
    lines = r.answer.splitlines()
    assert (r.topic, lines[0], lines[-1]) == (
        Topic.CACHING_STRATEGY, "Cache hit rate 40% is below 80%.", "Read: cache hit rate 40%.")
    assert lines[1].startswith("Caching strategy:")
    unmoved = ask("which caching strategy suits a hit rate of 95%?").answer.splitlines()
    assert unmoved[0].startswith("Caching strategy:")


def test_chatter_that_could_be_trouble_names_the_likeliest_readings():
    match = Match(kind="noise", confidence=0.3,
                  alternatives=["slow_page_loads", "database_slow", "stage"])
    r = answer_for("p99 doubled since the deploy", match)
    assert (r.layer, r.symptom, r.topic, r.candidates) == (None, None, None, [])
    assert r.answer.splitlines() == [
        "Not clearly a scaling problem. If it is one, the likeliest: Slow page loads, "
        "Database slow, Scaling stage.",
        "Say which part is slow, paste the error line or give a number (p95, CPU, pool use) "
        "and I will name the bottleneck.",
    ]


def test_impossible_numbers_in_a_question_are_explained():
    r = answer_for("q", question("capacity_planning", peak_rps=1000, growth_factor=0.001))
    assert "can't be used" in r.answer


def test_a_recognised_signature_is_named_before_the_ladder():
    from advisor.models import SignatureRef

    ref = SignatureRef(id="postgresql.too_many_clients", component="postgresql",
                       name="PostgreSQL", meaning="The server has no connection slots left.",
                       matched="sorry, too many clients already")
    match = Match(kind="symptom", layer="database", symptom="database_slow", confidence=0.95,
                  evidence=["postgresql: sorry, too many clients already"], signature=ref)
    r = answer_for("FATAL: sorry, too many clients already", match)
    assert r.answer.splitlines()[0] == (
        "Recognised (PostgreSQL): The server has no connection slots left. -> database, "
        "Database slow (matched \"sorry, too many clients already\")")
    assert "First try: Add indexes" in r.answer
    assert r.signature == ref


def test_unclear_layers_are_listed_as_candidates():
    from advisor.models import Candidate

    cands = [Candidate(layer="network", symptom="slow_page_loads", confidence=0.4),
             Candidate(layer="application", symptom="high_server_cpu", confidence=0.3)]
    match = Match(kind="symptom", layer="network", symptom="slow_page_loads", confidence=0.4,
                  candidates=cands)
    r = answer_for("everything is slow", match)
    assert r.answer.splitlines()[:3] == [
        "Trouble, but the layer is not clear; the likeliest readings:",
        "  - network, Slow page loads (0.40)",
        "  - application, High server CPU (0.30)",
    ]
    assert r.candidates == cands


@pytest.mark.parametrize(("text", "users"), [
    ("stage 50k", 50_000), ("what stage is 300k", 300_000), ("stage for 1.2M", 1_200_000)])
def test_a_stage_question_with_one_bare_count_counts_users(text, users):
    r = ask(text)
    assert (r.topic, r.metrics) == ("stage", {"users": users})
    assert r.answer.splitlines()[-1] == f"Read: users {users:,}."


@pytest.mark.parametrize("text", ["stage 2", "what does stage 2 mean", "which stage are we at"])
def test_a_stage_number_is_no_user_count(text):
    r = ask(text)
    assert (r.topic, r.metrics) == ("stage", {})


def test_a_trigger_fired_by_what_people_report_is_not_called_their_numbers():
    answer = ask("Replication lag grows when the analytics job runs").answer
    assert ("What you report pushes toward Stage 3.\nTriggers fired:\n"
            "  - Read replicas fall behind on replication lag (reported: replica_lag_growing)"
            ) in answer


def test_text_said_only_what_a_formula_still_needs():
    """Numbers read from text were weighed by the matcher (and echoed on the Read line), so
    only a sizing input short of its partner is listed as not weighed."""
    result = ask("cache hit ratio dropped from 0.95 to 0.4 and we serve 12k reads/s")
    assert result.metrics == {M.CACHE_HIT_PCT: 40, M.READS_RPS: 12_000}
    assert "Given but not weighed: db reads 12,000 req/s (the read replica count also needs " \
           "per_replica_rps)" in result.answer.splitlines()
    assert "cache hit rate 40% (" not in result.answer


def test_a_number_that_reads_two_ways_is_asked_about_not_dismissed():
    """"replica lag 30" is a measurement said without its unit, not chatter: the answer
    asks for the unit rather than saying it won't guess (or asking for a number)."""
    first = ("A number there reads two ways, so I can't weigh it yet: say it again with its "
             "unit and I will.")
    for text, said in (("replica lag 30", "Not read: replica lag 30 (30 ms or 30 s?)"),
                       ("replication lag was 12", "Not read: replica lag 12 (12 ms or 12 s?)")):
        # Whether the matcher takes the lag itself for trouble moves with each rebuild of
        # the model; either way the unit is asked and nothing is dismissed.
        found = ask(text)
        lines = found.answer.splitlines()
        assert lines[-1] == said
        assert not any("won't guess" in line or "give a number" in line for line in lines)
        # Read as no trouble at all, the unit question comes first.
        unsure = found.match.model_copy(update={"kind": "noise", "layer": None, "symptom": None,
                                                "candidates": [], "alternatives": []})
        lines = answer_for(text, unsure).answer.splitlines()
        assert (lines[0], lines[-1]) == (first, said)
    assert ask("hello there").answer.startswith("That doesn't read like a scaling problem")


@pytest.mark.parametrize("metrics, line", [
    ({"cores": 8}, "(8 × 2) + 1 = 17 connections per instance (no disk given: an SSD, one "
                   "spindle, assumed)"),
    ({"cores": 8, "spindles": 4}, "(8 × 2) + 4 = 20 connections per instance (4 spindles)"),
])
def test_the_pool_answer_says_its_disk_once(metrics, line):
    """The assumed SSD was said twice: "... assumed) (SSD (assumed))"."""
    lines = answer_for("q", question("connection_pool", **metrics)).answer.splitlines()
    assert line in lines
