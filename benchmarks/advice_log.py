"""Advice-log benchmark: bulk insert, history search latency, file size.

Fills a temporary database with realistic advice rows (many teams, channels,
some private places; symptoms, findings and recommendations drawn from the
vocabulary the advisor uses), then runs two-word history searches with limit 20
as a random viewer would, and prints the figures.

    python3 benchmarks/advice_log.py            # 1,000,000 rows
    python3 benchmarks/advice_log.py --rows 20000
"""

from __future__ import annotations

import random
import statistics
import time

from store_bench import int_options, percentile, temp_store

from conversations.advice_log import AdviceEntry, Viewer, fts_match, visibility_sql
from conversations.store import Store

SYMPTOMS = [
    "database cpu pegged at {n}% during checkout",
    "p95 latency {n} ms on the product page",
    "api timeouts from the payment provider",
    "connection pool exhausted under peak load",
    "replica lag {n} seconds after the nightly import",
    "slow page loads for logged in users",
    "server cpu high on the web tier",
    "memory grows until the workers restart",
    "cache hit ratio dropped to {n}%",
    "slowest query takes {n} ms on orders",
    "queue backlog growing behind email jobs",
    "static assets eat {n}% of bandwidth",
    "disk io saturated on the primary",
    "timeouts calling the search service",
    "login slow after the marketing campaign",
]
FINDINGS = [
    "db_cpu_pct {n} above the warning line",
    "p95_ms {n} over the target",
    "pool_used_pct {n} near exhaustion",
    "cache_hit_pct {n} below the target",
    "replica_lag_s {n} above tolerance",
    "queries_per_request {n} suggests n+1 queries",
    "read_pct {n} makes replicas worthwhile",
    "memory_pct {n} close to the limit",
]
RECOMMENDATIONS = [
    "add a read replica and route reports to it",
    "put redis in front of the hot product queries",
    "size the connection pool from cores and spindles",
    "move email sending to a background job queue",
    "serve static assets from a cdn",
    "add the missing index on orders created_at",
    "put a load balancer in front of two app servers",
    "shard the events table by tenant",
    "cache rendered fragments with a short ttl",
    "batch the n+1 queries into one join",
    "do not shard yet, vertical scaling still has headroom",
    "set timeouts and a circuit breaker on the payment api",
    "plan capacity for three times growth with a safety margin",
]
LAYERS = ["database", "application", "network", "storage", "external_api"]
SYMPTOM_IDS = ["slow_page_loads", "database_slow", "api_timeouts", "high_server_cpu", "high_memory"]
QUERIES = [
    "replica lag", "connection pool", "checkout timeout", "cache hit", "database cpu",
    "payment api", "static cdn", "slow query", "memory restart", "queue backlog",
    "load balancer", "shard tenant", "disk saturated", "login slow", "index orders",
    "redis product", "circuit breaker", "capacity growth", "email job", "search service",
]
TEAMS = 50
CHANNELS_PER_TEAM = 30
USERS_PER_TEAM = 40


def fake_entry(rng: random.Random, created_at: float) -> AdviceEntry:
    team = rng.randrange(TEAMS)
    channel = rng.randrange(CHANNELS_PER_TEAM)
    private = channel >= CHANNELS_PER_TEAM - 5  # the last five are private places

    def pick(pool: list[str], k: int) -> str:
        return "\n".join(s.format(n=rng.randint(2, 99)) for s in rng.sample(pool, k))

    stage = rng.choice([1, 1, 2, 2, 2, 3, 3, 4])
    layer = rng.choice(LAYERS)
    symptoms = pick(SYMPTOMS, rng.randint(1, 3))
    return AdviceEntry(
        created_at=created_at,
        team=f"T{team:04d}",
        channel=f"{'G' if private else 'C'}{team:04d}{channel:03d}",
        conversation_key=f"T{team:04d}:C{channel:03d}:{created_at:.6f}",
        thread_ts=f"{created_at:.6f}",
        private=private,
        asked_by=f"U{team:04d}{rng.randrange(USERS_PER_TEAM):03d}",
        kind=rng.choice(["diagnose", "diagnose", "ask", "what_if"]),
        inputs={"metrics": {"users": rng.choice([800, 5000, 40000, 250000, 2000000])}},
        stage=stage,
        layer=layer,
        symptom=rng.choice(SYMPTOM_IDS),
        summary=f"Stage {stage}: the {layer.replace('_', ' ')} layer is the bottleneck",
        symptoms=symptoms,
        findings=pick(FINDINGS, rng.randint(1, 3)),
        recommendations=pick(RECOMMENDATIONS, rng.randint(2, 4)),
    )


def fill(store: Store, rows: int, batch: int, rng: random.Random) -> float:
    start_ts = 1_700_000_000.0
    spent = 0.0
    done = 0
    while done < rows:
        n = min(batch, rows - done)
        entries = [fake_entry(rng, start_ts + (done + i) * 3.0) for i in range(n)]
        started = time.perf_counter()  # time the store, not the fake-data generator
        store.log_advice_many(entries)
        spent += time.perf_counter() - started
        done += n
    return spent


def random_viewer(rng: random.Random) -> Viewer:
    team = rng.randrange(TEAMS)
    return Viewer(
        team=f"T{team:04d}",
        channel=f"C{team:04d}{rng.randrange(CHANNELS_PER_TEAM - 5):03d}",
        user=f"U{team:04d}{rng.randrange(USERS_PER_TEAM):03d}",
    )


def stranger(rng: random.Random) -> Viewer:
    """A team with no advice at all: every match must be looked at and rejected."""
    return Viewer(team="T9999", channel="C9999000", user="U9999000")


def search_latencies(
    store: Store, queries: int, rng: random.Random, viewer_of=random_viewer
) -> tuple[list[float], int]:
    latencies, hits = [], 0
    for i in range(queries):
        query = QUERIES[i % len(QUERIES)]
        viewer = viewer_of(rng)
        started = time.perf_counter()
        found = store.search_advice(query, viewer=viewer, limit=20)
        latencies.append((time.perf_counter() - started) * 1000)
        hits += len(found)
    return latencies, hits


def query_plan(store: Store) -> list[str]:
    viewer = Viewer(team="T0001", channel="C0001001", user="U0001001")
    where, params = visibility_sql(viewer)
    sql = (
        "EXPLAIN QUERY PLAN SELECT a.* FROM advice_fts f JOIN advice a ON a.id = f.rowid "
        f"WHERE advice_fts MATCH ? AND {where} ORDER BY f.rowid DESC LIMIT 20"
    )
    return [row[3] for row in store.conn.execute(sql, [fts_match("replica lag", viewer), *params])]


def main() -> None:
    args = int_options(__doc__, rows=1_000_000, batch=10_000, queries=200, seed=7)
    rng = random.Random(args.seed)

    with temp_store("advice.db") as (path, store):
        seconds = fill(store, args.rows, args.batch, rng)
        print(f"rows inserted:      {args.rows:,} in {seconds:.1f} s "
              f"({args.rows / seconds:,.0f} rows/s, batches of {args.batch:,})")

        started = time.perf_counter()
        for _ in range(200):
            store.log_advice(fake_entry(rng, 2_000_000_000.0))
        single = (time.perf_counter() - started) / 200 * 1000
        print(f"single log_advice:  {single:.2f} ms each (one transaction per row)")

        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = path.stat().st_size
        print(f"database size:      {size / 1e6:,.0f} MB ({size / args.rows:,.0f} bytes/row)")

        print("query plan:         " + " | ".join(query_plan(store)))
        search_latencies(store, 20, rng)  # warm the page cache
        latencies, hits = search_latencies(store, args.queries, rng)
        print(f"history search:     {args.queries} two-word queries, limit 20, "
              f"{hits / args.queries:.1f} rows each on average")
        print(f"  median {statistics.median(latencies):.2f} ms, "
              f"p99 {percentile(latencies, 0.99):.2f} ms, max {max(latencies):.2f} ms "
              f"(goal p99 < 20 ms)")
        latencies, hits = search_latencies(store, len(QUERIES), rng, stranger)
        print(f"worst case:         a team with no advice, {len(QUERIES)} queries: "
              f"median {statistics.median(latencies):.1f} ms, max {max(latencies):.1f} ms")


if __name__ == "__main__":
    from closed_pipe import run

    run(main)
