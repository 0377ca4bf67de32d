"""How soon a worker that replaces a dead one answers, and what the workers cost in memory.

The server runs as in production (`scale-advisor serve`: gunicorn, HTTP mode) against the
fake Web API of tests/slack_harness.py. With one worker, that worker is killed (SIGKILL)
--kills times; each time the clock runs from the kill until /healthz answers again, which
needs the replacement's app built. Then, with --workers workers, the proportional set size
(PSS: shared pages split between the processes that share them) of the master and each
worker, from /proc, after one /scale ask. Prints figures; no asserts. Linux only.

Run: python3 benchmarks/worker_respawn.py [--kills 9 --workers 2]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from slack_harness import FakeSlackAPI, SlackServer  # noqa: E402 - put on the path above


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return sorted(out)


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=1) as resp:
            return resp.status == 200
    except OSError:
        return False


def pss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def respawn_times(fake: FakeSlackAPI, folder: Path, kills: int) -> tuple[float, list[float]]:
    server = SlackServer(fake, folder, workers=1)
    start = time.perf_counter()
    server.start()
    started = time.perf_counter() - start
    times = []
    try:
        assert server.proc is not None
        for _ in range(kills):
            (worker,) = children(server.proc.pid)
            os.kill(worker, signal.SIGKILL)
            killed = time.perf_counter()
            while worker in children(server.proc.pid) or not healthy(server.url):
                time.sleep(0.005)
            times.append(time.perf_counter() - killed)
    finally:
        server.stop()
    return started, times


def memory(fake: FakeSlackAPI, folder: Path, workers: int) -> list[float]:
    server = SlackServer(fake, folder, workers=workers).start()
    try:
        assert server.proc is not None
        client = server.client()
        for _ in range(workers * 2):
            client.command("ask the db cpu is pegged and checkout times out")
        return [pss_mb(pid) for pid in [server.proc.pid, *children(server.proc.pid)]]
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=9)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    with FakeSlackAPI() as fake, tempfile.TemporaryDirectory() as folder:
        started, times = respawn_times(fake, Path(folder), args.kills)
        print(f"start to first healthy answer (1 worker): {started:.2f} s")
        print(f"kill to the replacement's first answer: median {statistics.median(times):.2f} s,"
              f" max {max(times):.2f} s ({len(times)} kills)")
        sizes = memory(fake, Path(folder), args.workers)
        shown = ", ".join(f"{size:.0f}" for size in sizes[1:])
        print(f"PSS with {args.workers} workers: master {sizes[0]:.0f} MB, workers {shown} MB,"
              f" total {sum(sizes):.0f} MB")


if __name__ == "__main__":
    from closed_pipe import run

    run(main)
