"""Wall time of whole `scale-advisor` processes, start to exit (prints figures; no asserts).

A CLI call pays for interpreter start-up and every import before it does any work, so
this times fresh processes, not functions. Run from the repository root:

    PYTHONPATH=$PWD python3 benchmarks/cli_start.py [runs]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = [
    ["size", "pool", "--cores", "8", "--json"],
    ["stage", "50k", "--json"],
    ["diagnose", "--users", "50k", "--p95", "1.2s", "--json"],
    ["ask", "what is connection pooling", "--json"],
    ["--help"],
]


def wall_times(argv: list[str], runs: int, env: dict[str, str]) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot.main", *argv], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SCALE_DB": str(Path(tmp) / "b.db")}
        bare = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
            bare.append(time.perf_counter() - start)
        print(f"{'python3 -c pass':<52} median {statistics.median(bare):.3f} s")
        for argv in COMMANDS:
            t = wall_times(argv, runs, env)
            print(f"{' '.join(argv):<52} median {statistics.median(t):.3f} s  "
                  f"min {min(t):.3f}  max {max(t):.3f}  ({runs} runs)")


if __name__ == "__main__":
    from closed_pipe import run

    run(main)
