"""The playbook's bottleneck hunt and database health checks are shown where they help."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from advisor.engine import assess
from advisor.models import HealthQuery, Observations
from advisor.playbook import default_playbook
from advisor.report import assessment_text
from bot.slack.blocks.assessment import assessment_message
from bot.slack.blocks.validate import validate_message

PB = default_playbook()
HUNT = [
    "1. Where is the time going? Distributed tracing (Jaeger, Datadog)",
    "2. Is it the database? Look at the slow query log and the connection pool "
    "(slow query logs, connection pool)",
    "3. Is it the application? Profile CPU and analyse memory (CPU profiling, memory analysis)",
    "4. Is it the network? Measure latency between services and DNS resolution "
    "(latency between services, DNS resolution)",
    "5. Is it an external service? Check third-party API latency and rate limits "
    "(third-party API latency, rate limits)",
]


def test_trouble_without_a_named_bottleneck_shows_the_hunt():
    a = assess(Observations(metrics={"users": 50_000, "p95_ms": 3000}), PB)
    assert a.bottleneck is None
    assert a.hunt == HUNT
    assert a.db_checks == [] and a.db_queries == []
    assert "Bottleneck hunt:\n  1. Where is the time going?" in assessment_text(a)


def test_no_trouble_no_hunt():
    assert assess(Observations(metrics={"users": 5_000}), PB).hunt == []


def test_every_rung_done_points_back_to_the_hunt():
    obs = Observations(metrics={"users": 50_000, "db_cpu_pct": 85},
                       done={"add_indexes", "read_replicas", "sharding"})
    a = assess(obs, PB)
    assert a.ladder is not None and a.ladder.next_index is None
    assert a.hunt == HUNT


def test_database_bottleneck_shows_the_checklist_and_queries():
    a = assess(Observations(metrics={"users": 50_000, "db_cpu_pct": 85}), PB)
    assert a.bottleneck is not None and a.bottleneck.layer.value == "database"
    assert [c.split(":")[0] for c in a.db_checks] == [
        "Connection Pool", "Query Performance", "Replication", "Storage"]
    assert a.db_queries == [HealthQuery(purpose=q.purpose, sql=q.sql) for q in PB.db_queries]
    text = assessment_text(a)
    assert "Database health checks:\n  - Connection Pool: Connections in use" in text
    assert "  Find slow queries:\n    SELECT query, calls" in text


def test_slack_shows_both_within_block_kit_limits():
    a = assess(Observations(metrics={"users": 50_000, "db_cpu_pct": 85},
                            done={"add_indexes", "read_replicas", "sharding"}), PB)
    message = assessment_message(a, "adv-1")
    assert validate_message(message.blocks, message.text) == []
    for block in message.blocks:
        Block.parse(block).to_dict()  # slack_sdk's own checks, limits included
    texts = [b["text"]["text"] for b in message.blocks if "text" in b.get("text", {})]
    assert any(t.startswith("*Bottleneck hunt*\n1. Where is the time going?") for t in texts)
    assert any(t.startswith("*Database health checks*\n") and "```SELECT query" in t
               for t in texts)
