"""How long match() takes per phrase, signature lookup and learned model included, over the
labelled tune phrases (goal: median under 1 ms), and how long ask() takes on hostile pastes
of the longest size read (a line of numbers, one endless word, a long metric name): what a
request costs at worst.

Run: python benchmarks/match_speed.py [ROUNDS]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from advisor.learned import default_model
from advisor.matching import match
from advisor.signatures import default_catalogue
from advisor.vocabulary import default_vocabulary

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "tune.jsonl"
FALLBACK = [
    "db cpu 92%, p95 1.4s, 40k users",
    "how many read replicas for 12k reads/s if one handles 3k?",
    "our ssl certificate expired",
    "Posgress max connections reached under load, hikaricp pool exhausted",
]


def phrases() -> list[str]:
    if EVAL.exists():
        return [json.loads(line)["text"] for line in EVAL.read_text("utf-8").splitlines() if line]
    return FALLBACK


# Hostile inputs of the longest size read (the matcher reads 2,000 characters, numbers
# 5,000): none may cost the square of its length.
WORST = {
    "numbers joined by hyphens": "999-" * 1250,
    "numbers and spaces": "1 2 3 " * 834,
    "times in two units": "1m30s " * 834,
    "one endless word": "a" * 5000,
    "a long metric name": "latency_" * 625,
    "rates each, one after another": " 1 rps each" * 454,
}


def worst_cases() -> None:
    from advisor.ask import ask

    for name, text in WORST.items():
        t0 = time.perf_counter()
        ask(text)
        print(f"ask() on {name} ({len(text):,} characters): "
              f"{(time.perf_counter() - t0) * 1000:.1f} ms")


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    texts = phrases()
    start = time.perf_counter()
    default_vocabulary()
    default_catalogue()
    default_model()
    load_ms = (time.perf_counter() - start) * 1000
    for text in texts:  # warm-up
        match(text)
    times: list[float] = []
    for _ in range(rounds):
        for text in texts:
            t0 = time.perf_counter()
            match(text)
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"phrases: {len(texts)} x {rounds} rounds = {len(times)} calls")
    print(f"vocabulary, signatures and model load: {load_ms:.1f} ms (once per process)")
    print(f"match() per phrase: median {statistics.median(times):.3f} ms, "
          f"p99 {p99:.3f} ms, max {times[-1]:.3f} ms")
    print(f"throughput: {len(times) / (sum(times) / 1000):,.0f} phrases/s")
    worst_cases()


if __name__ == "__main__":
    from closed_pipe import run

    run(main)
