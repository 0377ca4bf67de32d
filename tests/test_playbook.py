"""The playbook holds every table and list of the guide, with every number."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import shared_file

from advisor.metrics import MetricName as M
from advisor.playbook import PlaybookError, default_playbook
from advisor.sizing import cache, capacity, pool, replicas
from bot.settings import load_team_playbook

PB = default_playbook()
PACKAGED = Path(__file__).resolve().parents[1] / "advisor" / "data" / "playbook.toml"


def test_stages_ranges_architecture_and_cost():
    rows = [(s.number, s.name, s.users_min, s.users_max, s.users_label, s.architecture,
             s.monthly_cost) for s in PB.stages]
    assert rows == [
        (1, "Startup", 0, 10_000, "0-10K users", "Single server", "$100/mo"),
        (2, "Growth", 10_000, 100_000, "10K-100K users", "Add caching, read replicas", "$1K/mo"),
        (3, "Scale", 100_000, 1_000_000, "100K-1M users", "Horizontal scaling", "$10K/mo"),
        (4, "Enterprise", 1_000_000, None, "1M+ users", "Global, multi-region", "$100K+/mo"),
    ]


def test_stage1_key_metrics():
    rows = [(k.metric, k.target.op, k.target.value, k.warning.op, k.warning.value,
             k.as_written.target, k.as_written.warning) for k in PB.key_metrics]
    assert rows == [
        (M.P95_MS, "<", 500, ">", 1000, "< 500ms", "> 1s"),
        (M.QUERIES_PER_REQUEST, "<", 10, ">", 20, "< 10", "> 20"),
        (M.SERVER_CPU_PCT, "<", 70, ">", 85, "< 70%", "> 85%"),
        (M.POOL_USED_PCT, "<", 50, ">", 80, "< 50% pool", "> 80% pool"),
    ]


def test_do_and_dont_lists():
    assert [d.id for d in PB.focus.do] == [
        "clean_code", "index_hot_columns", "basic_monitoring", "keep_simple"]
    assert [d.id for d in PB.focus.dont] == [
        "over_engineer", "early_caching", "early_microservices", "early_multi_region"]
    assert "monolith" in PB.focus.do[3].text


def test_triggers_per_stage_with_thresholds_and_signals():
    def kind(t):
        if t.condition:
            return (t.condition.metric, t.condition.op, t.condition.value)
        return t.signal

    rows = [(t.to_stage, kind(t)) for t in PB.triggers]
    assert rows == [
        (2, (M.DB_CPU_PCT, ">", 70)),
        (2, "response_times_degrading"),
        (2, (M.SLOWEST_QUERY_MS, ">", 100)),
        (2, "server_resources_maxed"),
        (3, "write_overload"), (3, "cache_hit_plateau"), (3, "replica_lag_growing"),
        (3, "independent_scaling"),
        (4, "geo_latency"), (4, "data_residency"), (4, "single_region_failover"),
        (4, "global_users"),
    ]
    inferred = {t.id: [(c.metric, c.value) for c in t.inferred_from] for t in PB.triggers}
    assert inferred["response_times_degrading"] == [(M.P95_MS, 1000)]
    assert inferred["server_resources_maxed"] == [(M.SERVER_CPU_PCT, 85)]


def test_stage2_key_additions():
    rows = [(a.component, a.condition and (a.condition.metric, a.condition.value), a.signal)
            for a in PB.additions]
    assert rows == [
        ("CDN", (M.STATIC_BANDWIDTH_PCT, 20), None),
        ("Load Balancer", (M.SERVER_CPU_PCT, 70), None),
        ("Read Replicas", (M.READ_PCT, 80), None),
        ("Redis Cache", None, "repeated_queries"),
        ("Job Queue", None, "background_tasks_blocking"),
    ]
    assert all(a.purpose for a in PB.additions)


def test_caching_order_and_ttls():
    assert [s.tier for s in PB.caching.lookup_order] == [
        "CDN", "Application cache (Redis)", "Database"]
    assert [(c.item, c.ttl) for c in PB.caching.what_to_cache] == [
        ("Session data", "session duration"),
        ("User profile data", "5-15 minutes"),
        ("API responses", "varies by freshness needs"),
        ("Database query results", "1-5 minutes"),
        ("Computed values", "based on computation cost"),
    ]


def test_database_queries():
    sql = {q.id: q.sql for q in PB.db_queries}
    assert "FROM pg_stat_statements" in sql["slow_queries"] and "LIMIT 20" in sql["slow_queries"]
    assert "WHERE idx_scan = 0 AND seq_scan > 1000" in sql["missing_indexes"]


def test_sharding_event_driven_and_checklists():
    assert [(s.name, s.example, s.pro, s.con) for s in PB.sharding] == [
        ("Hash-based", "user_id % num_shards", "Even distribution", "Hard to add shards"),
        ("Range-based", "user_id 1-1M → shard 1", "Easy to add shards", "Hotspots possible"),
        ("Directory-based", "lookup table", "Flexible", "Lookup overhead"),
    ]
    ev = PB.event_driven
    assert ev.before == ["API", "Service A", "Service B", "Service C", "Response"]
    assert ev.after == ["API", "Service A", "Queue", "Response"]
    assert ev.async_consumers == ["Service B", "Service C"]
    lists = {c.id: c.items for c in PB.checklists}
    assert len(lists["stage3"]) == 7 and "(PgBouncer, ProxySQL)" in lists["stage3"][-1]
    assert len(lists["enterprise"]) == 8
    assert any("SOC 2, GDPR, data residency" in i for i in lists["enterprise"])
    assert any("99.99%" in i for i in lists["enterprise"])


def test_multi_region_and_consistency():
    assert [(p.name, p.consistency, p.latency, p.complexity) for p in PB.multi_region] == [
        ("Active-Passive", "Strong", "High failover", "Low"),
        ("Active-Active", "Eventual", "Low", "High"),
        ("Follow-the-Sun", "Strong per region", "Medium", "Medium"),
    ]
    assert [(c.name, c.cap, c.use_for) for c in PB.consistency] == [
        ("Strong Consistency", "CP", ["Financial transactions", "inventory"]),
        ("Eventual Consistency", "AP", ["Social feeds", "analytics", "non-critical"]),
        ("Causal Consistency", None, ["Messaging", "collaboration"]),
    ]


def test_bottleneck_hunt_and_layers():
    assert [(h.step, h.layer, h.tools[:2]) for h in PB.bottleneck_hunt] == [
        (1, None, ["Jaeger", "Datadog"]),
        (2, "database", ["slow query logs", "connection pool"]),
        (3, "application", ["CPU profiling", "memory analysis"]),
        (4, "network", ["latency between services", "DNS resolution"]),
        (5, "external_api", ["third-party API latency", "rate limits"]),
    ]
    assert [(e.label, e.symptoms, e.solutions) for e in PB.layers] == [
        ("Database", ["Slow queries", "high CPU"], ["Indexing", "read replicas", "caching"]),
        ("Application", ["High CPU", "memory"], ["Optimize code", "scale horizontally"]),
        ("Network", ["High latency", "timeouts"], ["CDN", "edge caching", "connection pooling"]),
        ("Storage", ["Slow I/O", "high wait"], ["SSD", "object storage", "caching"]),
        ("External APIs", ["Timeouts", "rate limits"],
         ["Circuit breakers", "caching", "fallbacks"]),
    ]


def test_database_health_checklist():
    assert [(a.area, len(a.checks)) for a in PB.db_checklist] == [
        ("Connection Pool", 3), ("Query Performance", 3), ("Replication", 3), ("Storage", 3)]
    query = PB.db_checklist[1]
    assert query.seq_scan_limit == 10_000 and any("seq scans > 10K" in c for c in query.checks)
    assert any("pg_stat_statements" in c for c in query.checks)


def test_sizing_formulas_and_worked_examples():
    s = PB.sizing
    assert (s.capacity.example.peak_rps, s.capacity.example.growth_factor,
            s.capacity.example.safety_margin, s.capacity.example.result) == (1000, 3, 1.5, 4500)
    assert s.capacity.safety_default == 1.5
    assert (s.pool.example.cores, s.pool.example.spindles, s.pool.example.result) == (8, 1, 17)
    assert s.pool.ssd_spindles == 1
    assert (s.replicas.example.reads_rps, s.replicas.example.per_replica_rps,
            s.replicas.example.result) == (10_000, 3_000, 4)
    assert (s.cache.example.working_set_gb, s.cache.example.result, s.cache.multiplier) == (
        10, 15, 1.5)
    assert (s.cache.working_set_share_min_pct, s.cache.working_set_share_max_pct) == (10, 20)
    # The formulas reproduce the guide's own worked examples.
    assert capacity(1000, 3, 1.5).result == 4500
    assert capacity(1000, 3).result == 4500  # safety defaults to 1.5
    assert pool(8, ssd=True).result == 17
    assert replicas(10_000, 3_000).result == 4
    assert cache(10).result == 15


def test_decision_matrix_ids():
    rows = {r.symptom.value: [g.id for g in r.rungs] for r in PB.decision_matrix}
    assert rows == {
        "slow_page_loads": ["add_caching", "cdn", "edge_compute"],
        "database_slow": ["add_indexes", "read_replicas", "sharding"],
        "api_timeouts": ["async_processing", "circuit_breakers", "event_driven"],
        "high_server_cpu": ["vertical_scale", "horizontal_scale", "optimize_code"],
        "high_memory": ["increase_ram", "fix_memory_leaks", "redesign_data_structures"],
    }
    texts = [[g.text for g in r.rungs] for r in PB.decision_matrix]
    assert texts[0] == ["Add caching", "CDN", "Edge compute"]
    assert texts[4] == ["Increase RAM", "Fix memory leaks", "Redesign data structures"]


def test_cost_table():
    assert [(c.users, c.architecture, c.monthly, c.monthly_min, c.monthly_max)
            for c in PB.costs] == [
        (10_000, "Single server", "$100-300", 100, 300),
        (100_000, "Load balanced + cache", "$1,000-3,000", 1_000, 3_000),
        (1_000_000, "Microservices + sharding", "$10,000-30,000", 10_000, 30_000),
        (10_000_000, "Multi-region", "$100,000+", 100_000, None),
    ]


def test_every_figure_in_the_guide_tables_is_in_the_playbook():
    guide = shared_file("seed", "scalability-guide.txt").read_text(encoding="utf-8")
    data = PACKAGED.read_text(encoding="utf-8")
    for figure in ["$100-300", "$1,000-3,000", "$10,000-30,000", "$100,000+", "< 500ms", "> 1s",
                   "< 50% pool", "> 80% pool", "5-15 minutes", "1-5 minutes", "seq scans > 10K",
                   "seq_scan > 1000", "user_id % num_shards", "99.99%", "Follow-the-Sun",
                   "GeoDNS, Anycast, Route53", "PgBouncer, ProxySQL", "Jaeger", "Datadog"]:
        assert figure in guide, figure  # the figure really is the guide's
        assert figure in data, figure


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "team.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_typo_names_the_file_and_the_field(tmp_path):
    bad = PACKAGED.read_text(encoding="utf-8").replace(
        'as_written = { target = "< 500ms"', 'as_writen = { target = "< 500ms"', 1)
    path = _write(tmp_path, bad)
    with pytest.raises(PlaybookError) as err:
        load_team_playbook(path)
    assert str(path) in str(err.value)
    assert "key_metrics.0" in str(err.value) and "as_writen" in str(err.value)


def test_a_wrong_type_names_the_field(tmp_path):
    bad = PACKAGED.read_text(encoding="utf-8").replace(
        'condition = { metric = "db_cpu_pct", op = ">", value = 70 }\n\n[[triggers]]',
        'condition = { metric = "db_cpu_pct", op = ">", value = "seventy" }\n\n[[triggers]]', 1)
    with pytest.raises(PlaybookError, match=r"triggers\.0\.condition\.value"):
        load_team_playbook(_write(tmp_path, bad))


def test_a_key_metric_compares_its_own_metric(tmp_path):
    bad = PACKAGED.read_text(encoding="utf-8").replace(
        'warning = { metric = "p95_ms", op = ">", value = 1000 }',
        'warning = { metric = "db_cpu_pct", op = ">", value = 90 }', 1)
    with pytest.raises(PlaybookError, match="target and warning of p95_ms must compare p95_ms"):
        load_team_playbook(_write(tmp_path, bad))


def test_invalid_toml_and_missing_file_are_named(tmp_path):
    path = _write(tmp_path, "version = = 1")
    with pytest.raises(PlaybookError, match="not valid TOML") as err:
        load_team_playbook(path)
    assert str(path) in str(err.value)
    with pytest.raises(PlaybookError, match="cannot read"):
        load_team_playbook(tmp_path / "nope.toml")


def test_a_team_can_change_a_threshold(tmp_path):
    mine = PACKAGED.read_text(encoding="utf-8").replace(
        'warning = { metric = "p95_ms", op = ">", value = 1000 }',
        'warning = { metric = "p95_ms", op = ">", value = 800 }', 1)
    assert load_team_playbook(_write(tmp_path, mine)).key_metrics[0].warning.value == 800
