"""The engine: stage, triggers, findings, additions, bottleneck, ladder, restraint, what-if."""

from __future__ import annotations

import pytest

from advisor.engine import assess, what_if, what_ifs
from advisor.metrics import MetricName as M
from advisor.models import Match, Observations
from advisor.playbook import default_playbook
from advisor.stages import stage_for_users

PB = default_playbook()


def obs(**metrics) -> Observations:
    return Observations(metrics=metrics)


@pytest.mark.parametrize("users, stage", [
    (0, 1), (9_999, 1), (10_000, 2), (99_999, 2), (100_000, 3), (999_999, 3),
    (1_000_000, 4), (50_000_000, 4),
])
def test_stage_boundaries_lower_bound_inclusive(users, stage):
    assert stage_for_users(users, PB).number == stage


def test_findings_cite_threshold_and_value():
    a = assess(obs(p95_ms=1200, queries_per_request=15, server_cpu_pct=40, pool_used_pct=81))
    got = {f.metric: (f.status, f.value) for f in a.findings}
    assert got == {M.P95_MS: ("warning", 1200), M.QUERIES_PER_REQUEST: ("watch", 15),
                   M.SERVER_CPU_PCT: ("ok", 40), M.POOL_USED_PCT: ("warning", 81)}
    p95 = a.findings[0]
    assert (p95.target.threshold, p95.warning.threshold, p95.warning.value) == (500, 1000, 1200)
    assert "1,200ms" in p95.message and "1,000ms" in p95.message


def test_boundary_values_are_not_warnings():
    a = assess(obs(p95_ms=1000, server_cpu_pct=70))
    assert [f.status for f in a.findings] == ["watch", "watch"]
    assert assess(obs(p95_ms=499)).findings[0].status == "ok"


def test_triggers_fire_with_value_and_threshold_and_push_the_stage():
    a = assess(obs(users=5_000, db_cpu_pct=92, slowest_query_ms=250))
    assert a.stage.number == 1
    assert a.pushed_toward == 2
    fired = {t.id: (t.threshold.threshold, t.threshold.value) for t in a.triggers}
    assert fired == {"db_cpu_sustained": (70, 92), "slow_single_query": (100, 250)}
    assert a.triggers[0].evidence == "db_cpu_pct 92% > 70%"


def test_signal_triggers_also_fire_from_metrics():
    a = assess(obs(users=2_000, p95_ms=1400, server_cpu_pct=90))
    assert {t.id for t in a.triggers} == {"response_times_degrading", "server_resources_maxed"}
    assert "p95_ms 1,400ms > 1,000ms" in [t.evidence for t in a.triggers]


def test_reported_signals_push_to_later_stages():
    a = assess(Observations(metrics={"users": 50_000}, signals={"write_overload"}))
    assert a.pushed_toward == 3
    assert a.triggers[0].signal == "write_overload"
    assert "write_overload" not in {t.id for t in a.watch}


def test_watch_lists_the_next_stage_triggers():
    a = assess(obs(users=50_000))
    assert [t.id for t in a.watch] == [
        "write_overload", "cache_hit_plateau", "replica_lag_growing", "independent_scaling"]
    assert assess(obs(users=5_000_000)).watch == []


def test_additions_with_replica_count():
    a = assess(obs(users=40_000, read_pct=90, reads_rps=12_000, per_replica_rps=3_000,
                   static_bandwidth_pct=35, server_cpu_pct=60))
    got = {x.component: x.detail for x in a.additions}
    assert got == {"CDN": "", "Read Replicas": "ceiling(12,000 / 3,000) = 4 replicas"}
    assert a.additions[0].threshold.threshold == 20 and a.additions[0].threshold.value == 35


def test_the_replica_count_of_an_addition_is_the_sizing_count():
    a = assess(obs(users=20_000, read_pct=85, reads_rps=0, per_replica_rps=3_000))
    sized = next(s for s in a.sizing if s.kind == "replicas")
    assert ([x.detail for x in a.additions], sized.worked) == (
        ["ceiling(0 / 3,000) = 0 replicas"], "ceiling(0 / 3,000) = 0 replicas")


def test_signal_additions():
    a = assess(Observations(signals={"repeated_queries", "background_tasks_blocking"}))
    assert [x.component for x in a.additions] == ["Redis Cache", "Job Queue"]


def test_bottleneck_from_numbers_alone():
    a = assess(obs(users=40_000, db_cpu_pct=92, pool_used_pct=85))
    assert a.bottleneck.layer == "database"
    assert a.bottleneck.evidence == ["db_cpu_pct 92% > 70%", "pool_used_pct 85% > 80%"]
    assert a.bottleneck.solutions == ["Indexing", "read replicas", "caching"]
    assert a.ladder.symptom == "database_slow" and a.ladder.next_index == 0


def test_memory_points_to_the_memory_ladder():
    a = assess(obs(memory_pct=95))
    assert (a.bottleneck.layer, a.ladder.symptom) == ("application", "high_memory")
    assert a.ladder.rungs[0].id == "increase_ram"


def test_no_evidence_means_no_bottleneck():
    a = assess(obs(users=3_000, p95_ms=200))
    assert a.bottleneck is None and a.ladder is None


def test_match_gives_layer_symptom_evidence_and_done_rungs():
    match = Match(kind="symptom", layer="database", symptom="database_slow", confidence=0.8,
                  evidence=["postgres", "slow queries"], metrics={M.DB_CPU_PCT: 88},
                  done={"add_indexes"})
    a = assess(obs(users=30_000), match=match)
    assert a.bottleneck.layer == "database"
    assert a.bottleneck.evidence == ["postgres", "slow queries", "db_cpu_pct 88% > 70%"]
    assert a.bottleneck.confidence == 0.9
    assert [r.done for r in a.ladder.rungs] == [True, False, False]
    assert a.ladder.rungs[a.ladder.next_index].id == "read_replicas"
    assert a.inputs.metrics[M.DB_CPU_PCT] == 88


def test_every_rung_done_leaves_no_next():
    done = {"async_processing", "circuit_breakers", "event_driven"}
    match = Match(kind="symptom", symptom="api_timeouts", confidence=0.7)
    a = assess(Observations(done=done), match=match)
    assert a.bottleneck.layer == "external_api"
    assert a.ladder.next_index is None


def test_restraint_early_and_not_later():
    early = assess(obs(users=5_000)).not_yet
    assert len(early) == 4 and any("microservices" in t for t in early)
    growth = assess(obs(users=50_000)).not_yet
    assert len(growth) == 3 and not any("cache" in t for t in growth)
    assert assess(obs(users=500_000)).not_yet == ["Don't spend effort on multi-region yet."]
    assert assess(obs(users=5_000_000)).not_yet == []


def test_missing_lists_what_would_sharpen():
    a = assess(obs(users=50_000, p95_ms=900, read_pct=90))
    assert a.missing[:3] == [M.DB_CPU_PCT, M.SERVER_CPU_PCT, M.POOL_USED_PCT]
    assert a.missing[-2:] == [M.READS_RPS, M.PER_REPLICA_RPS]
    assert M.USERS not in a.missing


def test_cost_band_always_in_sizing():
    assert assess(obs(users=500_000)).sizing[-1].result == "$10,000-30,000"


def test_what_if_steps():
    base = obs(users=50_000, peak_rps=1_000, growth_factor=3)
    steps = what_ifs(base)
    assert [(w.factor, w.users, w.stage.number) for w in steps] == [
        (10, 500_000, 3), (100, 5_000_000, 4), (1000, 50_000_000, 4)]
    assert steps[0].from_stage == 2
    assert steps[0].changes[0] == "Stage 3 (Scale): Horizontal scaling"
    assert steps[0].assessment.sizing[0].result == 10_000 * 3 * 1.5
    assert any(c.startswith("Stage 4") for c in steps[1].changes)


def test_what_if_without_growth_and_without_users():
    assert what_if(obs(users=2_000_000), 10).changes[0].startswith("Still Stage 4")
    assert what_if(obs(p95_ms=300), 10).changes[0].startswith("Give a user count")


def test_what_if_stays_within_sane_bounds():
    w = what_if(obs(users=5e9), 1000)
    assert w.users == 1e10


def test_assess_is_pure():
    o = obs(users=40_000, db_cpu_pct=92)
    assert assess(o) == assess(o)
    assert o.metrics == {M.USERS: 40_000, M.DB_CPU_PCT: 92}


def test_without_a_user_count_the_stage_is_not_claimed():
    from advisor.engine import assess
    from advisor.models import Observations
    from advisor.report import assessment_text
    from bot.slack.blocks.assessment import assessment_message

    unknown = assess(Observations(metrics={"db_cpu_pct": 95}))
    assert unknown.stage_known is False
    assert unknown.summary.startswith("Stage not placed")
    assert "you are here" not in assessment_text(unknown)
    assert "you are here" not in str(assessment_message(unknown, 1).blocks)
    known = assess(Observations(metrics={"users": 5000, "db_cpu_pct": 95}))
    assert known.stage_known is True and "you are here" in assessment_text(known)


def test_a_reading_that_changes_no_advice_is_said_with_why():
    """`--cache-hit 40` and `--reads-rps 12000` alone used to vanish from the answer."""
    a = assess(obs(users=50_000, cache_hit_pct=40, reads_rps=12_000, growth_factor=3,
                   db_cpu_pct=90, cores=8))
    assert [u.model_dump(mode="json") for u in a.unweighed] == [
        {"metric": "cache_hit_pct", "value": 40.0,
         "why": "the playbook draws no line for it, so it changes no advice"},
        {"metric": "reads_rps", "value": 12000.0,
         "why": "the read replica count also needs per_replica_rps"},
        {"metric": "growth_factor", "value": 3.0,
         "why": "the capacity plan also needs peak_rps"},
    ]
    whole = assess(obs(users=50_000, reads_rps=12_000, per_replica_rps=3_000, peak_rps=900,
                       growth_factor=3, cores=8, spindles=2, working_set_gb=10))
    assert whole.unweighed == []


def test_a_team_line_on_a_metric_weighs_it(tmp_path):
    """What counts as weighed comes from the playbook: a team that draws a line on the
    cache hit rate no longer hears that it changes nothing."""
    assert M.CACHE_HIT_PCT not in PB.metrics_with_lines()
    rules = [*PB.layer_rules, PB.layer_rules[0].model_copy(update={
        "condition": PB.layer_rules[0].condition.model_copy(
            update={"metric": M.CACHE_HIT_PCT, "op": "<", "value": 80})})]
    team = PB.model_copy(update={"layer_rules": rules})
    assert assess(obs(cache_hit_pct=40), team).unweighed == []


def test_a_comparison_just_past_its_line_reads_true():
    a = assess(obs(db_cpu_pct=70.001, p95_ms=1000.004))
    assert a.bottleneck.evidence == ["db_cpu_pct 70.001% > 70%"]
    assert [t.evidence for t in a.triggers] == ["db_cpu_pct 70.001% > 70%",
                                                "p95_ms 1,000.004ms > 1,000ms"]
