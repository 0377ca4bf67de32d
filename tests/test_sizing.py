"""The guide's sizing formulas, including its four worked examples."""

from __future__ import annotations

import pytest

from advisor.metrics import MetricError
from advisor.models import Observations
from advisor.playbook import default_playbook
from advisor.sizing import cache, capacity, cost, pool, replicas, sizing_for


def test_capacity_worked_example():
    s = capacity(1000, 3, 1.5)
    assert s.result == 4500
    assert s.worked == "1,000 × 3 × 1.5 = 4,500 req/s"


def test_capacity_safety_defaults_to_one_and_a_half():
    assert capacity(2000, 2).result == 6000


def test_pool_worked_example_with_ssd():
    s = pool(8, ssd=True)
    assert s.result == 17
    assert s.worked == "(8 × 2) + 1 = 17 connections per instance"


def test_pool_counts_spindles():
    assert pool(4, spindles=4).result == 12
    assert pool(4).inputs["disk"] == "SSD (assumed)"


def test_pool_says_the_disk_it_assumed():
    assert pool(8).worked == ("(8 × 2) + 1 = 17 connections per instance "
                              "(no disk given: an SSD, one spindle, assumed)")
    assert pool(8, spindles=1).worked == "(8 × 2) + 1 = 17 connections per instance"


def test_replicas_worked_example_rounds_up():
    s = replicas(10_000, 3_000)
    assert s.result == 4
    assert s.worked == "ceiling(10,000 / 3,000) = 4 replicas"
    assert replicas(9_000, 3_000).result == 3


def test_a_ratio_that_is_whole_is_not_rounded_up_by_binary_fractions():
    # 4.2 / 1.4 is 3.0000000000000004 in floating point: three replicas, not four.
    got = [(replicas(r, p).result, replicas(r, p).worked)
           for r, p in ((4.2, 1.4), (8.4, 1.2), (9.9, 3.3), (9_001, 3_000))]
    assert got == [(3, "ceiling(4.2 / 1.4) = 3 replicas"), (7, "ceiling(8.4 / 1.2) = 7 replicas"),
                   (3, "ceiling(9.9 / 3.3) = 3 replicas"),
                   (4, "ceiling(9,001 / 3,000) = 4 replicas")]


def test_cache_worked_example():
    s = cache(10)
    assert s.result == 15
    assert s.worked == "10GB × 1.5 = 15GB"


def test_cost_band_per_stage():
    assert [cost(n).result for n in (1, 2, 3, 4)] == [
        "$100-300", "$1,000-3,000", "$10,000-30,000", "$100,000+"]


def test_the_cost_row_is_the_one_for_the_user_count():
    # The table says what 10K, 100K, 1M and 10M users cost; exactly 10K users is
    # Stage 2 but costs the 10K row, not the next one up.
    got = [cost(stage, users=users).worked for stage, users in (
        (1, 9_999), (2, 10_000), (2, 10_001), (3, 100_000), (4, 1_000_000), (4, 20_000_000))]
    assert got == ["10K users, Single server: $100-300 per month",
                   "10K users, Single server: $100-300 per month",
                   "100K users, Load balanced + cache: $1,000-3,000 per month",
                   "100K users, Load balanced + cache: $1,000-3,000 per month",
                   "1M users, Microservices + sharding: $10,000-30,000 per month",
                   "10M users, Multi-region: $100,000+ per month"]


@pytest.mark.parametrize("call", [
    lambda: capacity(-1, 3),
    lambda: capacity(1000, 3, float("nan")),
    lambda: pool(0),
    lambda: replicas(10_000, 0),
    lambda: cache(-2),
])
def test_impossible_inputs_are_refused(call):
    with pytest.raises(MetricError):
        call()


def test_sizing_for_uses_what_is_known():
    obs = Observations(metrics={"peak_rps": 1000, "growth_factor": 3, "cores": 8,
                                "reads_rps": 12_000, "per_replica_rps": 3_000,
                                "working_set_gb": 10})
    kinds = {s.kind: s.result for s in sizing_for(obs, 2, default_playbook())}
    assert kinds == {"capacity": 4500, "pool": 17, "replicas": 4, "cache": 15,
                     "cost": "$1,000-3,000"}


def test_one_replica_is_said_in_the_singular():
    from advisor.format import replicas_worked

    assert replicas_worked(900, 3000, 1) == "ceiling(900 / 3,000) = 1 replica"
    assert replicas_worked(12_000, 3000, 4) == "ceiling(12,000 / 3,000) = 4 replicas"


def test_numbers_show_the_fraction_that_decides_a_comparison():
    from advisor.format import num

    got = [num(x) for x in (70.001, 1000.004, 0.0046, 1234.5678, 12.5, 3.0, 0.1 + 0.2,
                            2.9999999999999996)]
    assert got == ["70.001", "1,000.004", "0.005", "1,234.57", "12.5", "3", "0.3", "3"]
