"""Acknowledgement latency and throughput of every `/scale` subcommand, beside a bare Bolt
app, plus the time from request to posted answer.

Both apps run on the same stack (`bot.slack.server.run_http`: gunicorn gthread around the request
gate and Bolt, same --workers/--threads), both started at once, each against its own fake
Web API of tests/slack_harness.py (so posts really happen, on loopback). A separate load
process keeps --concurrency keep-alive connections busy with pre-signed requests, signed
exactly as Slack signs them. For each subcommand, --requests of it alone to one app and
then at once to the other (bare first in odd rounds, real first in even ones), for
--rounds rounds, so the machine's drift on this shared host hits both apps alike:
  help, stage 50k, size pool cores=8 ssd, history database, ask (twelve questions and
  complaints in turn), diagnose users=50k p95=1.2s db_cpu=85% and three other one-shot
  readings in turn, diagnose (starts a dialog)
Ack latency is measured on the client, from writing the request to reading the whole
response; each round also shows how the kernel spread the connections over the workers
(all on one worker caps an app at one GIL). Goals: each subcommand's throughput at least
0.8 of the bare app's (the median over the rounds of each round's ratio), p99 under 100 ms
(over all rounds' requests); each round's figures are printed too. Then end to end at
--e2e-concurrency: from sending a one-shot diagnose (or ask) to the fake Web API receiving
its posted answer (matched by the outbox id the post carries).
Also the CPU each app cost per request: the server's (gunicorn master and workers, read
from /proc), the fake Web API's (this process) and the load process's, during the load and
in all until the server went quiet (replies posted after the load count in the second).
Prints figures; no asserts. Only 127.0.0.1. Stops by itself (--time-limit per phase).

Run: python3 benchmarks/slack_ack.py [--requests 2000 --rounds 3 --concurrency 20 --workers 2
     --threads 8] [--subcommands ask,diagnose --e2e-requests 0]  (some phases only, while
     iterating)
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing as mp
import os
import resource
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from slack_harness import (  # noqa: E402 - the tests dir is put on the path just above
    FakeSlackAPI,
    Response,
    SlackClient,
    SlackServer,
)

HOST = "127.0.0.1"
SUBCOMMANDS = {
    "help": "help",
    "stage": "stage 50k",
    "size": "size pool cores=8 ssd",
    "history": "history database",
    "ask": "ask how many read replicas for 12k reads/s if one handles 3k",
    "diagnose": "diagnose users=50k p95=1.2s db_cpu=85%",
    "diagnose_dialog": "diagnose",
}
# Questions, complaints and readings of our own, taken in turn, so that what the matcher
# keeps per word (cut-up words, typo lookups) is exercised as real traffic would be, not
# warmed by one sentence repeated. The first of each is the one in SUBCOMMANDS. Each ask is
# clear enough to be logged: the end-to-end phase finds answers through the advice log.
VARIANTS = {
    "ask": (
        "ask how many read replicas for 12k reads/s if one handles 3k",
        "ask checkout takes 8 seconds since the sale started and the db cpu is at 95%",
        "ask should we put a CDN in front of the image service?",
        "ask redis evictions climbing, hit rate down to 60%",
        "ask pods keep getting OOMKilled under the evening peak",
        "ask FATAL: sorry, too many clients already",
        "ask what is the right size for the hikari pool on 8 cores",
        "ask the queue backlog grows faster than the workers drain it",
        "ask p99 went from 300ms to 2.4s after traffic doubled and db cpu is at 90%",
        "ask is it time to shard the orders table",
        "ask nginx upstream timed out while reading response header from upstream",
        "ask disk iowait at 40% on the primary during the nightly batch",
    ),
    "diagnose": (
        "diagnose users=50k p95=1.2s db_cpu=85%",
        "diagnose users=200k p95=900ms db_cpu=72% growth=3x",
        "diagnose users=8k p95=2.5s pool=45/50",
        "diagnose users=1.2M p95=450ms db_cpu=91% cache_hit=0.62",
    ),
}
E2E_KINDS = ("diagnose", "ask")
CHANNELS = 10  # requests spread over this many channels (privacy lookups are cached per channel)


# ============================================================================ requests


@dataclass
class Prepared:
    kind: str
    raw: bytes
    user: str = ""


@dataclass
class PresignedClient(SlackClient):
    """The harness's SlackClient, but `request` keeps the signed HTTP/1.1 bytes instead of
    sending them, so a whole phase can be signed before the clock starts."""

    captured: list[bytes] = field(default_factory=list)

    def request(self, method: str, path: str, data: bytes | None = None,
                headers: dict[str, str] | None = None) -> Response:
        body = data or b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.base_url.split('//')[1]}",
                 f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.captured.append(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        return Response(0, {}, b"")

    def take(self) -> bytes:
        return self.captured.pop()


def commands(client: PresignedClient, kind: str, n: int, tag: str) -> list[Prepared]:
    """`n` signed `/scale` commands of one kind, each by its own user (`U0{tag}{i}`)."""
    out = []
    for i in range(n):
        client.command(text_of(kind, i), channel_id=f"C0BENCH{i % CHANNELS}",
                       user_id=user_id(tag, i))
        out.append(Prepared(kind, client.take(), user_id(tag, i)))
    return out


def text_of(kind: str, i: int) -> str:
    """The `i`th request's text of one kind (its variants in turn)."""
    variants = VARIANTS.get(kind, (SUBCOMMANDS[kind],))
    return variants[i % len(variants)]


def user_id(tag: str, i: int) -> str:
    return f"U0{tag}{i:06d}"


class Posts:
    """Answers chat.postMessage like the fake does, and notes when each outbox row was
    posted (the outbox id rides in the message metadata)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._n = 0
        self.at: dict[int, float] = {}

    def __call__(self, args: dict[str, Any]) -> dict[str, Any]:
        now = time.time()
        channel = str(args.get("channel", ""))
        payload = (args.get("metadata") or {}).get("event_payload") or {}
        with self._lock:
            self._n += 1
            ts = f"{1_800_000_000 + self._n}.{self._n:06d}"
            if isinstance(payload.get("outbox_id"), int):
                self.at.setdefault(payload["outbox_id"], now)
        message = {"type": "message", "text": args.get("text", ""), "user": "U0BOT",
                   "bot_id": "B0BOT", "ts": ts}
        return {"ok": True, "channel": channel, "ts": ts, "message": message}


# ============================================================================ load process


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Status and whether the server will close the connection; reads the whole body."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    headers = {}
    for line in head[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip().lower()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status, headers.get("connection") == "close"


async def connection_loop(port: int, reqs: list[Prepared], queue: Any, results: list,
                          deadline: float, timeout: float) -> None:
    conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    while time.monotonic() < deadline:
        i = next(queue, None)
        if i is None:
            break
        req = reqs[i]
        for attempt in (0, 1):
            t0, sent_at = time.perf_counter(), time.time()
            try:
                if conn is None:
                    conn = await asyncio.open_connection(HOST, port)
                conn[1].write(req.raw)
                status, close = await asyncio.wait_for(read_response(conn[0]), timeout)
            except asyncio.IncompleteReadError as err:
                conn = _close(conn)
                if attempt == 0 and not err.partial:
                    continue  # the server dropped an idle keep-alive connection: resend
                status, close = -1, True
            except (TimeoutError, OSError, ValueError):
                conn, status, close = _close(conn), -1, True
            break
        results.append((req.kind, status, time.perf_counter() - t0, req.user, sent_at))
        if close:
            conn = _close(conn)
    _close(conn)


def _close(conn: Any) -> None:
    if conn is not None:
        conn[1].close()
    return None


def load_process(port: int, reqs: list[Prepared], conns: int, time_limit: float,
                 timeout: float, ready: Any, go: Any, out: Any) -> None:
    """Runs in its own process: `conns` connections share `reqs`; sends back the samples."""
    ready.set()
    go.wait()
    results: list[tuple[str, int, float, str, float]] = []
    queue = iter(range(len(reqs)))
    cpu0, start = sum(os.times()[:2]), time.monotonic()

    async def main() -> None:
        deadline = time.monotonic() + time_limit
        await asyncio.gather(*(connection_loop(port, reqs, queue, results, deadline, timeout)
                               for _ in range(conns)))

    asyncio.run(main())
    out.send((results, start, time.monotonic(), sum(os.times()[:2]) - cpu0))
    out.close()


def drive(port: int, reqs: list[Prepared], concurrency: int, procs: int, time_limit: float,
          timeout: float = 10.0) -> Load:
    """Send `reqs` from `procs` load processes with `concurrency` connections in all."""
    ctx = mp.get_context("spawn")
    go = ctx.Event()
    workers = []
    for p in range(procs):
        conns = concurrency // procs + (1 if p < concurrency % procs else 0)
        ready, (recv, send) = ctx.Event(), ctx.Pipe(duplex=False)
        proc = ctx.Process(target=load_process, daemon=True,
                           args=(port, reqs[p::procs], conns, time_limit, timeout, ready, go,
                                 send))
        proc.start()
        send.close()
        workers.append((proc, ready, recv))
    for _, ready, _ in workers:
        ready.wait(30)
    go.set()
    load = Load()
    for proc, _, recv in workers:
        if recv.poll(time_limit + timeout + 30):
            results, start, end, cpu = recv.recv()
            load.samples += results
            load.start = min(load.start, start)
            load.end = max(load.end, end)
            load.cpu_s += cpu
        proc.join(5)
        if proc.is_alive():
            proc.kill()
    return load


@dataclass
class Load:
    samples: list[tuple[str, int, float, str, float]] = field(default_factory=list)
    start: float = math.inf
    end: float = 0.0
    cpu_s: float = 0.0

    @property
    def wall_s(self) -> float:
        return max(self.end - self.start, 1e-9)


# ============================================================================ servers and CPU


@dataclass
class BenchServer(SlackServer):
    """The harness's SlackServer with our worker/thread/log settings; `bare` runs the
    baseline app (benchmarks/bare_bolt_app.py) on the same stack instead of the real one."""

    threads: int = 25
    log_level: str = "warning"
    bare: bool = False

    def command(self) -> list[str]:
        entry = [str(HERE / "bare_bolt_app.py")] if self.bare else ["-m", "bot.main", "serve"]
        return [sys.executable, *entry, "--host", HOST, "--port", str(self.port),
                "--workers", str(self.workers), "--threads", str(self.threads),
                "--log-level", self.log_level]


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its live children (the
    gunicorn master and its workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, stack = 0.0, [pid]
    while stack:
        p = stack.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            stack += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


def own_cpu_s() -> float:
    """CPU seconds of this process (its threads: the fake Web API)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Cpu:
    """CPU seconds spent by the server, the fake Web API and the load process: during the
    timed load (`*_load`) and in all until the server went quiet (`*_all`)."""

    server_load: float = 0.0
    server_all: float = 0.0
    fake_load: float = 0.0
    fake_all: float = 0.0
    load: float = 0.0


def connection_split(pid: int, port: int) -> tuple[int, ...]:
    """How many client connections each worker of the server `pid` holds, most first: the
    kernel hands connections to whichever worker accepts first, and a split of 20/0
    leaves one worker (one GIL) to serve the whole load."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        cols = line.split()
        if cols[3] == "01" and int(cols[1].split(":")[1], 16) == port:  # established
            inodes.add(f"socket:[{cols[9]}]")
    counts = []
    try:
        workers = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return ()
    for worker in workers:
        n = 0
        try:
            for fd in Path(f"/proc/{worker}/fd").iterdir():
                try:
                    n += os.readlink(fd) in inodes
                except OSError:
                    continue
        except OSError:
            continue
        counts.append(n)
    return tuple(sorted(counts, reverse=True))


def measured(server: SlackServer, fake: FakeSlackAPI, run: Any, quiet_s: float
             ) -> tuple[Load, Cpu, tuple[int, ...]]:
    """Run one load phase (`run()` -> Load), wait until the server is quiet, note CPU and
    how the connections were spread over the workers (looked at 0.5 s into the load)."""
    pid = server.proc.pid if server.proc else 0
    split: list[tuple[int, ...]] = []
    look = threading.Timer(0.5, lambda: split.append(connection_split(pid, server.port)))
    s0, f0 = tree_cpu_s(pid), own_cpu_s()
    look.start()
    load = run()
    s1, f1 = tree_cpu_s(pid), own_cpu_s()
    look.cancel()
    wait_quiet(fake, quiet_s=quiet_s, limit_s=60)
    cpu = Cpu(s1 - s0, tree_cpu_s(pid) - s0, f1 - f0, own_cpu_s() - f0, load.cpu_s)
    return load, cpu, split[0] if split else ()


def wait_quiet(fake: FakeSlackAPI, quiet_s: float = 1.0, limit_s: float = 60.0) -> float:
    """Seconds until the app stops calling the Web API (background work after the acks)."""
    start = time.monotonic()
    count, since = len(fake.calls()), time.monotonic()
    while time.monotonic() - start < limit_s:
        time.sleep(0.1)
        now = len(fake.calls())
        if now != count:
            count, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return since - start
    return time.monotonic() - start


# ============================================================================ phases


@dataclass
class Phase:
    app: str
    kind: str
    load: Load
    e2e_ms: list[float] = field(default_factory=list)
    answered: int = 0
    cpu: Cpu = field(default_factory=Cpu)
    round: int = 0
    split: tuple[int, ...] = ()  # connections per worker

    def latencies(self) -> list[float]:
        return sorted(lat * 1000 for _, status, lat, _, _ in self.load.samples if status > 0)

    @property
    def errors(self) -> int:
        return sum(1 for _, status, _, _, _ in self.load.samples if not 200 <= status < 300)

    @property
    def throughput(self) -> float:
        return len(self.load.samples) / self.load.wall_s


@dataclass
class Running:
    """One app's server, its fake Web API and its pre-signing client."""

    name: str
    fake: FakeSlackAPI
    posts: Posts
    server: BenchServer
    client: PresignedClient


def start_app(name: str, args: argparse.Namespace, workdir: Path, stack: ExitStack) -> Running:
    posts = Posts()
    fake = stack.enter_context(FakeSlackAPI())
    fake.respond_with("chat.postMessage", posts)
    server = BenchServer(fake, workdir / name, workers=args.workers, threads=args.threads,
                         log_level=args.log_level, bare=(name == "bare"))
    server.workdir.mkdir(parents=True)
    server.start(timeout=60)
    stack.callback(server.stop)
    return Running(name, fake, posts, server, PresignedClient(server.url, fake=fake))


def warm(app: Running, args: argparse.Namespace) -> None:
    reqs = [r for i, kind in enumerate(SUBCOMMANDS)
            for r in commands(app.client, kind, args.warmup, f"W{i}")]
    drive(app.server.port, reqs, args.concurrency, args.load_procs, args.time_limit)
    wait_quiet(app.fake, limit_s=30)


def timed_phase(app: Running, kind: str, args: argparse.Namespace, rnd: int) -> Phase:
    """--requests of one subcommand against one app; waits until its replies are posted."""
    reqs = commands(app.client, kind, args.requests,
                    f"T{list(SUBCOMMANDS).index(kind)}R{rnd}")
    load, cpu, split = measured(app.server, app.fake, lambda: drive(
        app.server.port, reqs, args.concurrency, args.load_procs, args.time_limit), 0.5)
    return Phase(app.name, kind, load, cpu=cpu, round=rnd, split=split)


def run_all(args: argparse.Namespace, workdir: Path) -> list[Phase]:
    """Both servers up at once; per round and subcommand the apps run back to back (bare
    first in odd rounds, real first in even ones), so drift of the shared machine hits
    both alike; then (real app) the end-to-end phases."""
    phases: list[Phase] = []
    with ExitStack() as stack:
        apps = [start_app(name, args, workdir, stack) for name in args.apps]
        for app in apps:
            warm(app, args)
        for rnd in range(1, args.rounds + 1):
            print(f"round {rnd} ...", flush=True)
            order = apps if rnd % 2 else apps[::-1]
            for kind in args.subcommands:
                phases += [timed_phase(app, kind, args, rnd) for app in order]
        real = next((a for a in apps if a.name == "real"), None)
        for i, kind in enumerate(E2E_KINDS):
            if real is None or args.e2e_requests <= 0:
                break
            tag = f"E{i}"
            reqs = commands(real.client, kind, args.e2e_requests, tag)
            load = drive(real.server.port, reqs, args.e2e_concurrency, args.load_procs,
                         args.time_limit)
            wait_quiet(real.fake, quiet_s=1.0, limit_s=60)
            phases.append(end_to_end(kind, load, real.posts, real.server.db_path, tag))
    return phases


def end_to_end(kind: str, load: Load, posts: Posts, db: Path, tag: str) -> Phase:
    """Milliseconds from each acked request's send to its answer reaching the fake."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT o.id, a.asked_by FROM outbox o JOIN advice a ON a.id = o.advice_id "
            "WHERE a.asked_by LIKE ?", (f"U0{tag}%",)).fetchall()
    posted = {user: posts.at[oid] for oid, user in rows if oid in posts.at}
    sent = {user: at for _, status, _, user, at in load.samples if status == 200}
    e2e = sorted((posted[u] - sent[u]) * 1000 for u in sent if u in posted)
    return Phase("real", f"{kind} e2e", load, e2e, len(e2e))


# ============================================================================ report


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not values:
        return math.nan
    return values[max(0, math.ceil(q * len(values)) - 1)]


def pooled(phases: list[Phase]) -> list[float]:
    return sorted(lat for p in phases for lat in p.latencies())


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def report(phases: list[Phase], args: argparse.Namespace) -> None:
    cores = os.cpu_count() or 1
    print(f"\n{args.concurrency} connections, {args.requests} requests per subcommand and "
          f"round, {args.rounds} rounds (bare and real back to back), gunicorn gthread "
          f"--workers {args.workers} --threads {args.threads}, log level {args.log_level}, "
          f"{cores} CPUs")
    print("req/s and ratio: medians over the rounds; p50/p99: over all rounds' requests\n")
    timed = [p for p in phases if not p.kind.endswith("e2e")]
    head = (f"{'subcommand':<16} {'bare req/s':>10} {'real req/s':>10} {'ratio':>6} "
            f"{'real p50 ms':>11} {'real p99 ms':>11} {'bare p99 ms':>11} {'errors':>6}  goals")
    print(head)
    print("-" * len(head))
    rounds_lines = []
    for kind in args.subcommands:
        bare = [p for p in timed if p.kind == kind and p.app == "bare"]
        real = [p for p in timed if p.kind == kind and p.app == "real"]
        by_round = {p.round: p for p in bare}
        ratios = [r.throughput / by_round[r.round].throughput for r in real
                  if r.round in by_round]
        ratio = median(ratios)
        lat, bare_lat = pooled(real), pooled(bare)
        p99 = pct(lat, 0.99)
        ok = "ok" if ratio >= 0.8 and p99 < 100 else "MISSED"
        errors = sum(p.errors for p in bare + real)
        print(f"{kind:<16} {median([p.throughput for p in bare]):>10.0f} "
              f"{median([p.throughput for p in real]):>10.0f} {ratio:>6.2f} "
              f"{median(lat):>11.1f} {p99:>11.1f} {pct(bare_lat, 0.99):>11.1f} "
              f"{errors:>6}  {ok}")
        for r in real:
            b = by_round.get(r.round)
            rounds_lines.append(
                f"  {kind:<16} {r.round:>5} {args.apps[0 if r.round % 2 else -1]:>5} "
                f"{b.throughput if b else math.nan:>10.0f} {r.throughput:>10.0f} "
                f"{r.throughput / b.throughput if b else math.nan:>6.2f} "
                f"{pct(r.latencies(), 0.99):>11.1f} "
                f"{pct(b.latencies(), 0.99) if b else math.nan:>11.1f}  "
                f"{'/'.join(map(str, b.split)) if b else '':>6} {'/'.join(map(str, r.split)):>6}")
    print(f"\neach round:\n  {'subcommand':<16} {'round':>5} {'first':>5} {'bare req/s':>10} "
          f"{'real req/s':>10} {'ratio':>6} {'real p99 ms':>11} {'bare p99 ms':>11}  "
          f"connections per worker: {'bare':>6} {'real':>6}")
    print("\n".join(rounds_lines))
    print("\nCPU ms per request, all rounds (server = gunicorn master + workers, fake = the "
          "fake Web API, load = the load process): during the load / in all until quiet")
    for app in args.apps:
        for kind in args.subcommands:
            mine = [p for p in timed if p.app == app and p.kind == kind]
            n = max(1, sum(len(p.load.samples) for p in mine))
            c = Cpu(*(sum(getattr(p.cpu, f) for p in mine) for f in (
                "server_load", "server_all", "fake_load", "fake_all", "load")))
            print(f"  {app:<4} {kind:<16} server {c.server_load / n * 1000:5.2f} / "
                  f"{c.server_all / n * 1000:5.2f}   fake {c.fake_load / n * 1000:5.2f} / "
                  f"{c.fake_all / n * 1000:5.2f}   load {c.load / n * 1000:5.2f}")
    print(f"\nend to end at concurrency {args.e2e_concurrency} (send -> answer posted to "
          "the fake Web API):")
    for p in phases:
        if p.kind.endswith("e2e"):
            print(f"  {p.kind:<14} answered {p.answered}/{len(p.load.samples)}  "
                  f"p50 {pct(p.e2e_ms, 0.5):7.1f} ms  p99 {pct(p.e2e_ms, 0.99):7.1f} ms  "
                  f"max {pct(p.e2e_ms, 1.0):7.1f} ms  (ack p99 "
                  f"{pct(p.latencies(), 0.99):.1f} ms)")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=2000, help="timed requests per subcommand")
    p.add_argument("--warmup", type=int, default=50, help="untimed requests per subcommand")
    p.add_argument("--concurrency", type=int, default=20, help="connections in all")
    p.add_argument("--e2e-requests", type=int, default=1000,
                   help="requests per end-to-end phase")
    p.add_argument("--e2e-concurrency", type=int, default=20)
    p.add_argument("--load-procs", type=int, default=1, help="load generator processes")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers for both apps")
    p.add_argument("--threads", type=int, default=8, help="threads per worker for both apps")
    p.add_argument("--log-level", default="warning",
                   choices=["debug", "info", "warning", "error"])
    p.add_argument("--time-limit", type=float, default=120.0,
                   help="seconds each load phase may run before it stops sending")
    p.add_argument("--rounds", type=int, default=3,
                   help="rounds of every subcommand, each app in turn")
    p.add_argument("--apps", default="bare,real", help="which apps (bare and/or real)")
    p.add_argument("--subcommands", default=",".join(SUBCOMMANDS),
                   help=f"which timed phases, of {','.join(SUBCOMMANDS)}")
    args = p.parse_args(argv)
    args.subcommands = [k.strip() for k in args.subcommands.split(",") if k.strip()]
    unknown = set(args.subcommands) - set(SUBCOMMANDS)
    if unknown:
        p.error(f"unknown subcommands: {', '.join(sorted(unknown))}")
    args.apps = [a.strip() for a in args.apps.split(",") if a.strip()]
    if set(args.apps) - {"bare", "real"}:
        p.error("--apps: bare and/or real")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="slack-ack-") as tmp:
        print(f"starting {' and '.join(args.apps)} ...", flush=True)
        phases = run_all(args, Path(tmp))
    report(phases, args)


if __name__ == "__main__":
    from closed_pipe import run

    run(main, sys.argv[1:])
