"""How numbers read in advice: 4,500 rather than 4500.0, 1.4 s rather than 1400 ms."""

from __future__ import annotations

from advisor.metrics import METRIC_SPECS, MetricName, Unit


def replicas_worked(reads_rps: float, per_replica_rps: float, count: int) -> str:
    """The replica formula worked through, as every output shows it."""
    noun = "replica" if count == 1 else "replicas"
    return f"ceiling({num(reads_rps)} / {num(per_replica_rps)}) = {num(count)} {noun}"


def num(value: float) -> str:
    """A number as people write it: thousands separators, no trailing .0, two decimals,
    or more where two would show a fraction as a whole number (70.001% is not "70%", which
    would make "70% > 70%" read false); noise past nine decimals is binary rounding."""
    if float(value).is_integer():
        return f"{int(value):,}"
    for places in range(2, 10):
        text = f"{value:,.{places}f}".rstrip("0").rstrip(".")
        if "." in text:
            return text
    return text


def percent(fraction: float) -> str:
    """A share from 0..1 as a whole percentage: 0.8 -> "80%"."""
    return f"{round(fraction * 100)}%"


def compact(value: float) -> str:
    """A round count as the guide writes it: 10K, 1M, 2.5M (others as `num`)."""
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if abs(value) >= size:
            return f"{num(round(value / size, 2))}{suffix}"
    return num(value)


def with_unit(metric: MetricName, value: float) -> str:
    """A metric reading in its own unit, e.g. "92%", "1,400ms", "40,000 users"."""
    unit = METRIC_SPECS[metric].unit
    if unit is Unit.PCT:
        return f"{num(value)}%"
    if unit is Unit.MS:
        return f"{num(value)}ms"
    if unit in (Unit.S, Unit.GB):
        return f"{num(value)} {unit.value}"
    if unit is Unit.FACTOR:
        return f"{num(value)}x"
    if unit is Unit.RPS:
        return f"{num(value)} req/s"
    if metric is MetricName.USERS:
        return f"{num(value)} users"
    return num(value)


def ago(seconds: float) -> str:
    """How long ago, in the largest whole unit: "just now", "3 hours ago", "12 days ago"."""
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        count = int(max(seconds, 0) // size)
        if count:
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"
