"""How a typed `name=value` was read, in one line for the person: every path that takes
Slack's `k=v` (`diagnose`, `size`, `stage`) says the same thing the same way."""

from __future__ import annotations

from advisor.metrics import MetricName
from advisor.units import value_words


def read_as(pair: str, metric: MetricName, value: float, note: str) -> str:
    """"Read peak=60k/min as 1,000 req/s (60,000 per minute = 1,000 per second)."; a value
    in words needs no more than the value: "Read users=fifty-thousand as 50,000 users."."""
    said = f"Read {pair} as {value_words(metric, value)}"
    if note.startswith("'"):  # "'fifty-thousand' read as 50,000": the line says it already
        note = note.partition("; ")[2]
    return f"{said} ({note})." if note else f"{said}."
