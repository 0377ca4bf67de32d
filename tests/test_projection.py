"""What-if with numbers, and what changed since last time: pure functions, literal values."""

from __future__ import annotations

import pytest

from advisor.changes import MetricChange, Snapshot, change_lines, compare, lower_is_better
from advisor.engine import what_ifs
from advisor.metrics import MetricName as M
from advisor.models import Layer, Observations, Symptom
from advisor.playbook import default_playbook
from advisor.projection import project
from advisor.rungs import UnknownRung, find_rung

PB = default_playbook()


def numbers(metrics: dict, k: float) -> dict:
    return {p.kind: p for p in project(Observations(metrics=metrics), k, PB)}


def test_the_issue_example_capacity_and_replicas():
    obs = Observations(metrics={M.USERS: 50_000, M.PEAK_RPS: 1000, M.READS_RPS: 900,
                                M.PER_REPLICA_RPS: 3000})
    steps = {w.factor: {p.kind: p for p in w.numbers} for w in what_ifs(obs, PB)}
    # The playbook's default safety margin, with no growth factor given (so 1x).
    assert PB.sizing.capacity.safety_default == 1.5
    assert steps[10]["capacity"].value == 15_000
    assert steps[10]["capacity"].worked == (
        "1,000 × 10 = 10,000 req/s peak; × 1 growth × 1.5 safety = 15,000 req/s")
    assert steps[10]["replicas"].value == 3
    assert steps[100]["replicas"].value == 30
    assert steps[1000]["replicas"].worked == "ceiling(900,000 / 3,000) = 300 replicas"
    assert steps[10]["users"].worked == "50,000 × 10 = 500,000 users: Stage 3 (Scale)"
    assert steps[100]["cost"].value == "$100,000+"
    assert steps[10]["cost"].value == "$10,000-30,000"


def test_the_cost_of_a_multiple_is_the_row_for_its_user_count():
    steps = {w.factor: w.numbers[-1] for w in what_ifs(Observations(metrics={M.USERS: 10_000}),
                                                          PB)}
    assert {k: (p.kind, p.worked) for k, p in steps.items()} == {
        10: ("cost", "100K users: Load balanced + cache, $1,000-3,000 per month"),
        100: ("cost", "1M users: Microservices + sharding, $10,000-30,000 per month"),
        1000: ("cost", "10M users: Multi-region, $100,000+ per month")}


def test_growth_and_safety_given_are_used():
    got = numbers({M.PEAK_RPS: 1000, M.GROWTH_FACTOR: 3, M.SAFETY_MARGIN: 2}, 10)
    assert (got["capacity"].value, got["capacity"].note) == (60_000, "")


def test_reads_derived_from_peak_queries_and_read_share_say_so():
    got = numbers({M.PEAK_RPS: 1000, M.QUERIES_PER_REQUEST: 5, M.READ_PCT: 90,
                   M.PER_REPLICA_RPS: 3000}, 10)
    assert got["reads"].value == 45_000
    assert got["reads"].note == "derived from peak × queries per request × read share"
    assert got["replicas"].value == 15
    assert got["replicas"].note == got["reads"].note


def test_pool_instances_and_cache_with_their_assumptions():
    got = numbers({M.PEAK_RPS: 1000, M.CORES: 8, M.SERVER_CPU_PCT: 50,
                   M.WORKING_SET_GB: 2}, 10)
    assert (got["pool"].value, got["pool"].note) == (
        17, "no disk given: an SSD, one spindle, assumed")
    # one instance serves 1,000 x 70 / 50 = 1,400 req/s at the CPU target; 15,000 / 1,400
    assert got["instances"].value == 11
    assert got["instances"].worked == ("ceiling(15,000 / 1,400 req/s per instance) = "
                                       "11 instances, 187 database connections in all")
    assert (got["cache"].value, got["cache"].note) == (
        30, "assumes the working set grows in step with users")


def test_nothing_known_still_gives_the_cost_band():
    got = numbers({}, 10)
    assert list(got) == ["cost"]
    assert got["cost"].note == "no user count given, so Stage 1's band"


def test_direction_comes_from_the_playbook():
    assert lower_is_better(M.P95_MS, PB) is True          # target < 500
    assert lower_is_better(M.SLOWEST_QUERY_MS, PB) is True  # trigger > 100
    assert lower_is_better(M.USERS, PB) is None


def test_compare_metrics_stage_bottleneck_and_rungs():
    before = Snapshot(metrics={M.USERS: 50_000, M.DB_CPU_PCT: 85, M.P95_MS: 400},
                      stage=2, layer=Layer.DATABASE)
    after = Snapshot(metrics={M.USERS: 120_000, M.DB_CPU_PCT: 60, M.P95_MS: 900,
                              M.CORES: 8}, stage=3, layer=None)
    c = compare(before, after, PB, ["Add indexes"])
    assert c.metrics == [
        MetricChange(metric=M.USERS, before=50_000, after=120_000, better=None),
        MetricChange(metric=M.P95_MS, before=400, after=900, better=False),
        MetricChange(metric=M.DB_CPU_PCT, before=85, after=60, better=True),
    ]
    assert change_lines(c) == [
        "users: 50,000 users -> 120,000 users (up)",
        "p95_ms: 400ms -> 900ms (worse)",
        "db_cpu_pct: 85% -> 60% (better)",
        "stage: 2 -> 3",
        "bottleneck moved: database -> none",
        "done since: Add indexes",
    ]


@pytest.mark.parametrize("typed, rung", [
    ("add indexes", "add_indexes"), ("Read replicas", "read_replicas"),
    ("read_replicas", "read_replicas"), ("circuit breaker", "circuit_breakers"),
    ("shard", "sharding"), ("indexing", "add_indexes"), ("scale out", "horizontal_scale"),
    ("scale up", "vertical_scale"), ("queue", "async_processing"), ("more ram", "increase_ram"),
    ("leaks", "fix_memory_leaks"),
])
def test_rungs_are_found_fuzzily(typed, rung):
    assert find_rung(typed, PB).id == rung


def test_a_word_two_rungs_share_is_asked_back_unless_the_ladder_settles_it():
    with pytest.raises(UnknownRung) as info:
        find_rung("scale", PB)
    assert str(info.value) == "'scale' could be Vertical scale or Horizontal scale; say which"
    with pytest.raises(UnknownRung, match="'data' could be Sharding or Redesign data"):
        find_rung("data", PB)
    assert find_rung("data", PB, prefer=Symptom.DATABASE_SLOW).id == "sharding"


def test_an_unknown_rung_lists_the_rungs():
    with pytest.raises(UnknownRung, match="no rung matches 'xyzzy' \\(rungs: Add caching, CDN"):
        find_rung("xyzzy", PB)
