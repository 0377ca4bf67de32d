"""Assessments per second, in-process (prints figures; no asserts).

Run: python3 benchmarks/assess_speed.py
"""

from __future__ import annotations

import statistics
import time

from advisor.engine import assess, what_ifs
from advisor.models import Match, Observations
from advisor.playbook import default_playbook

CASES = [
    Observations(metrics={"users": 50_000, "p95_ms": 1200, "db_cpu_pct": 85}),
    Observations(metrics={"users": 5_000, "server_cpu_pct": 90, "memory_pct": 92,
                          "peak_rps": 800, "growth_factor": 3, "cores": 8}),
    Observations(metrics={"users": 400_000, "read_pct": 90, "reads_rps": 12_000,
                          "per_replica_rps": 3_000, "working_set_gb": 10},
                 signals={"write_overload"}, done={"add_indexes"}),
]
MATCH = Match(kind="symptom", layer="database", symptom="database_slow", confidence=0.8,
              evidence=["postgres"])


def rate(fn, rounds: int = 5, per_round: int = 2_000) -> tuple[float, float]:
    """Median and best calls per second over several rounds."""
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        for i in range(per_round):
            fn(i)
        rates.append(per_round / (time.perf_counter() - start))
    return statistics.median(rates), max(rates)


def main() -> None:
    pb = default_playbook()
    med, best = rate(lambda i: assess(CASES[i % len(CASES)], pb))
    print(f"assess (numbers only):   {med:,.0f}/s median, {best:,.0f}/s best")
    med, best = rate(lambda i: assess(CASES[i % len(CASES)], pb, MATCH))
    print(f"assess (with a Match):   {med:,.0f}/s median, {best:,.0f}/s best")
    med, best = rate(lambda i: what_ifs(CASES[i % len(CASES)], pb), per_round=300)
    print(f"what-if 10x/100x/1000x:  {med:,.0f}/s median, {best:,.0f}/s best")
    start = time.perf_counter()
    default_playbook.cache_clear()
    default_playbook()
    print(f"playbook load + validate: {(time.perf_counter() - start) * 1000:.1f} ms")


if __name__ == "__main__":
    from closed_pipe import run

    run(main)
