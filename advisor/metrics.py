"""The metric vocabulary shared by every layer: names, units and sane bounds.

Names are a contract (DESIGN.md): JSON keys, CLI flags and dialog keys all use them.
Bounds are the app's own sanity limits, not the guide's thresholds: they exist to
refuse absurd input (negative counts, 140%, NaN) with a reason instead of a guess.
"""

from __future__ import annotations

import math
from enum import StrEnum

from pydantic import BaseModel


class MetricName(StrEnum):
    USERS = "users"
    PEAK_RPS = "peak_rps"
    GROWTH_FACTOR = "growth_factor"
    SAFETY_MARGIN = "safety_margin"
    P95_MS = "p95_ms"
    SERVER_CPU_PCT = "server_cpu_pct"
    DB_CPU_PCT = "db_cpu_pct"
    MEMORY_PCT = "memory_pct"
    POOL_USED_PCT = "pool_used_pct"
    QUERIES_PER_REQUEST = "queries_per_request"
    READ_PCT = "read_pct"
    CACHE_HIT_PCT = "cache_hit_pct"
    REPLICA_LAG_S = "replica_lag_s"
    SLOWEST_QUERY_MS = "slowest_query_ms"
    CORES = "cores"
    SPINDLES = "spindles"
    WORKING_SET_GB = "working_set_gb"
    STATIC_BANDWIDTH_PCT = "static_bandwidth_pct"
    # Extensions beyond DESIGN.md's list, needed by the replica formula.
    READS_RPS = "reads_rps"
    PER_REPLICA_RPS = "per_replica_rps"


class Unit(StrEnum):
    COUNT = "count"
    RPS = "req/s"
    FACTOR = "x"
    MS = "ms"
    S = "s"
    PCT = "%"
    GB = "GB"


class MetricSpec(BaseModel):
    name: MetricName
    label: str
    unit: Unit
    minimum: float
    maximum: float
    integer: bool = False


def _spec(name: MetricName, label: str, unit: Unit, lo: float, hi: float,
          integer: bool = False) -> MetricSpec:
    return MetricSpec(name=name, label=label, unit=unit, minimum=lo, maximum=hi, integer=integer)


def _pct(name: MetricName, label: str) -> MetricSpec:
    """A share of something, 0 to 100%."""
    return _spec(name, label, Unit.PCT, 0, 100)


M = MetricName
METRIC_SPECS: dict[MetricName, MetricSpec] = {
    s.name: s
    for s in [
        _spec(M.USERS, "users", Unit.COUNT, 0, 1e10, integer=True),
        _spec(M.PEAK_RPS, "peak traffic", Unit.RPS, 0, 1e9),
        _spec(M.GROWTH_FACTOR, "growth factor", Unit.FACTOR, 0.01, 1e6),
        _spec(M.SAFETY_MARGIN, "safety margin", Unit.FACTOR, 1, 100),
        _spec(M.P95_MS, "P95 response time", Unit.MS, 0, 3_600_000),
        _pct(M.SERVER_CPU_PCT, "server CPU"),
        _pct(M.DB_CPU_PCT, "database CPU"),
        _pct(M.MEMORY_PCT, "memory use"),
        _pct(M.POOL_USED_PCT, "connection pool in use"),
        _spec(M.QUERIES_PER_REQUEST, "database queries per request", Unit.COUNT, 0, 1e5),
        _pct(M.READ_PCT, "share of database operations that are reads"),
        _pct(M.CACHE_HIT_PCT, "cache hit rate"),
        _spec(M.REPLICA_LAG_S, "replica lag", Unit.S, 0, 1e6),
        _spec(M.SLOWEST_QUERY_MS, "slowest query", Unit.MS, 0, 3_600_000),
        _spec(M.CORES, "CPU cores", Unit.COUNT, 1, 4096, integer=True),
        _spec(M.SPINDLES, "effective spindles", Unit.COUNT, 0, 1024, integer=True),
        _spec(M.WORKING_SET_GB, "working set", Unit.GB, 0, 1e7),
        _pct(M.STATIC_BANDWIDTH_PCT, "bandwidth spent on static assets"),
        _spec(M.READS_RPS, "database reads per second", Unit.RPS, 0, 1e10),
        _spec(M.PER_REPLICA_RPS, "reads one replica can serve per second", Unit.RPS, 1, 1e9),
    ]
}


# Short names people type besides the full metric name: `--db-cpu` in the terminal,
# `db_cpu=85` in Slack. Both fronts derive their syntax from this one table.
SHORT_NAMES: dict[MetricName, tuple[str, ...]] = {
    M.P95_MS: ("p95",),
    M.DB_CPU_PCT: ("db_cpu",),
    M.SERVER_CPU_PCT: ("server_cpu", "cpu"),
    M.MEMORY_PCT: ("memory", "mem"),
    M.POOL_USED_PCT: ("pool_used", "pool"),
    M.QUERIES_PER_REQUEST: ("queries", "qpr"),
    M.READ_PCT: ("reads_pct",),
    M.CACHE_HIT_PCT: ("cache_hit", "hit_rate", "cache_hit_rate"),
    M.REPLICA_LAG_S: ("replica_lag", "lag"),
    M.SLOWEST_QUERY_MS: ("slowest_query",),
    M.PEAK_RPS: ("peak",),
    M.GROWTH_FACTOR: ("growth",),
    M.SAFETY_MARGIN: ("safety",),
    M.WORKING_SET_GB: ("working_set",),
    M.STATIC_BANDWIDTH_PCT: ("static_bandwidth", "static"),
    M.READS_RPS: ("reads",),
    M.PER_REPLICA_RPS: ("per_replica",),
}


# Every `name=value` key a person may type for a metric: its name and its short names.
METRIC_KEYS: dict[str, MetricName] = {m.value: m for m in M} | {
    short: metric for metric, shorts in SHORT_NAMES.items() for short in shorts
}


class MetricError(ValueError):
    """A value that cannot be a reading of this metric; the message says why."""


def check_metric(name: MetricName | str, value: float) -> float:
    """Return the value if it is a plausible reading of the metric, else raise MetricError."""
    spec = METRIC_SPECS[MetricName(name)]
    if value is None or isinstance(value, bool) or not math.isfinite(value):
        raise MetricError(f"{spec.label} must be a finite number")
    if value < spec.minimum:
        if value < 0:
            raise MetricError(f"{spec.label} cannot be negative (got {value:g})")
        raise MetricError(f"{spec.label} must be at least {spec.minimum:g} (got {value:g})")
    if value > spec.maximum:
        if spec.unit is Unit.PCT:
            raise MetricError(f"{spec.label} is a share, so at most 100% (got {value:g}%)")
        raise MetricError(
            f"{spec.label} of {value:g} is beyond any real system (limit {spec.maximum:g})"
        )
    return value
