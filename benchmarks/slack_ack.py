"""Acknowledgement latency and throughput of the Slack app in HTTP mode, beside a bare Bolt app.

Both apps run on the same stack (`bot.server.run_http`: gunicorn gthread around
`bot.server.make_wsgi_app`, same --workers/--threads), one after the other in the same run,
against the fake Web API of tests/slack_harness.py (so follow-up posts really happen, on
loopback). A separate load process keeps --concurrency keep-alive connections busy with
pre-signed requests, signed exactly as Slack signs them:
  40% slash commands: `/scale help`, `/scale stage 50k`,
      `/scale diagnose users=50k p95=1.2s db_cpu=85%`, `/scale diagnose` (opens a dialog)
  50% thread replies (`message` events) in dialogs opened during the warm-up
  10% Slack retries (same event_id, X-Slack-Retry-Num: 1) of earlier replies
Latency is measured on the client: from writing the request to reading the whole response
(the ack). Goal: p99 under 100 ms, throughput at least 80% of the bare app's.
Prints figures; no asserts. Only 127.0.0.1. Stops by itself (--time-limit per phase).

Run: python3 benchmarks/slack_ack.py [--requests 3000 --concurrency 50 --workers 2 --threads 25]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import threading
import time
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
COMMANDS = {
    "help": "help",
    "stage": "stage 50k",
    "diagnose_numbers": "diagnose users=50k p95=1.2s db_cpu=85%",
    "diagnose_dialog": "diagnose",
}
# One block of 20 requests: 8 commands, 10 thread replies, 2 retried deliveries.
PATTERN = (["help", "stage", "diagnose_numbers", "diagnose_dialog"] * 2
           + ["message"] * 10 + ["retry"] * 2)
ANSWERS = ("50k", "checkout times out and db cpu is at 92%", "1.2s", "2k rps", "skip",
           "none", "8 cores", "70%")
RETRY_GAP = 50  # a retry repeats an event sent at least this many requests earlier


# ============================================================================ requests


@dataclass
class Prepared:
    kind: str
    raw: bytes


@dataclass
class PresignedClient(SlackClient):
    """The harness's SlackClient, but `request` keeps the signed HTTP/1.1 bytes instead of
    sending them, so a whole run can be signed before the clock starts."""

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


@dataclass(frozen=True)
class Dialog:
    channel: str
    user: str
    thread_ts: str


class ParentPosts:
    """Answers chat.postMessage like the fake does, and remembers the first top-level post
    per channel: that is where a dialog's thread is (its ts is the thread_ts)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._n = 0
        self.by_channel: dict[str, str] = {}

    def __call__(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        with self._lock:
            self._n += 1
            ts = f"{1_800_000_000 + self._n}.{self._n:06d}"
            if not args.get("thread_ts"):
                self.by_channel.setdefault(channel, ts)
        message = {"type": "message", "text": args.get("text", ""), "user": "U0BOT",
                   "bot_id": "B0BOT", "ts": ts}
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        return {"ok": True, "channel": channel, "ts": ts, "message": message}


def dialog_channel(i: int) -> tuple[str, str]:
    return f"C0DLG{i:04d}", f"U0DLG{i:04d}"


def opening_requests(client: PresignedClient, dialogs: int) -> list[Prepared]:
    """One `/scale diagnose` per warm-up channel, each by its own person."""
    out = []
    for i in range(dialogs):
        channel, user = dialog_channel(i)
        client.command("diagnose", channel_id=channel, user_id=user)
        out.append(Prepared("diagnose_dialog", client.take()))
    return out


def mixed_requests(client: PresignedClient, n: int, dialogs: list[Dialog], tag: str,
                   rng: random.Random) -> list[Prepared]:
    """`n` signed requests in PATTERN's proportions, shuffled block by block."""
    out: list[Prepared] = []
    sent: list[tuple[int, dict[str, Any], str]] = []  # (position, event, event_id)
    replies = 0
    while len(out) < n:
        block = list(PATTERN)
        rng.shuffle(block)
        for kind in block[: n - len(out)]:
            pos = len(out)
            if kind == "retry" and not (sent and sent[0][0] <= pos - RETRY_GAP):
                kind = "message"
            if kind == "retry":
                older = [s for s in sent if s[0] <= pos - RETRY_GAP]
                _, event, event_id = rng.choice(older[-200:])
                client.event(event, event_id=event_id, retry_num=1)
            elif kind == "message":
                d = dialogs[replies % len(dialogs)]
                text = ANSWERS[(replies // len(dialogs)) % len(ANSWERS)]
                event = client.message_event(text, channel=d.channel, user=d.user,
                                             thread_ts=d.thread_ts)
                event_id = f"Ev{tag}{pos:07d}"
                client.event(event, event_id=event_id)
                sent.append((pos, event, event_id))
                replies += 1
            else:
                channel = f"C0NEW{pos % 10}" if kind == "diagnose_dialog" else "C0GENERAL"
                client.command(COMMANDS[kind], channel_id=channel, user_id=f"U0{tag}{pos:06d}")
            out.append(Prepared(kind, client.take()))
    return out


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
            t0 = time.perf_counter()
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
        results.append((req.kind, status, time.perf_counter() - t0))
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
    results: list[tuple[str, int, float]] = []
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
    samples: list[tuple[str, int, float]] = field(default_factory=list)
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
        entry = [str(HERE / "bare_bolt_app.py")] if self.bare else ["-m", "bot.cli", "serve"]
        return [sys.executable, *entry, "--host", HOST, "--port", str(self.port),
                "--workers", str(self.workers), "--threads", str(self.threads),
                "--log-level", self.log_level]


TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu_s(root: int) -> float:
    """CPU seconds used so far by `root` and its direct children (gunicorn master + workers)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        pid, ppid = int(entry.name), int(fields[1])
        if pid == root or ppid == root:
            total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def box_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


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


# ============================================================================ one app


@dataclass
class Result:
    app: str
    requested: int
    load: Load
    server_cpu_s: float
    main_cpu_s: float
    box_busy: float
    api_calls: int
    drain_s: float
    dialogs_found: int
    dialogs: int

    def latencies(self, kind: str | None = None) -> list[float]:
        return sorted(lat * 1000 for k, status, lat in self.load.samples
                      if (kind is None or k == kind) and status > 0)

    @property
    def errors(self) -> int:
        return sum(1 for _, status, _ in self.load.samples if not 200 <= status < 300)

    @property
    def throughput(self) -> float:
        return len(self.load.samples) / self.load.wall_s


def run_app(name: str, args: argparse.Namespace, workdir: Path) -> Result:
    rng = random.Random(args.seed)
    parents = ParentPosts()
    with FakeSlackAPI() as fake:
        fake.respond_with("chat.postMessage", parents)
        server = BenchServer(fake, workdir / name, workers=args.workers, threads=args.threads,
                             log_level=args.log_level, bare=(name == "bare"))
        server.workdir.mkdir(parents=True)
        server.start(timeout=60)
        try:
            client = PresignedClient(server.url, fake=fake)
            # Warm-up: open the dialogs the timed replies will go to, plus a mixed batch.
            warm = opening_requests(client, args.dialogs)
            fillers = [Dialog("C0WARM", "U0WARM", client.new_ts())]
            warm += mixed_requests(client, args.warmup, fillers, "W", rng)
            drive(server.port, warm, args.concurrency, args.load_procs, args.time_limit)
            if name == "real":
                wait_for(lambda: len(parents.by_channel) >= args.dialogs, 20)
            wait_quiet(fake, limit_s=30)
            dialogs = []
            for i in range(args.dialogs):
                channel, user = dialog_channel(i)
                ts = parents.by_channel.get(channel) or client.new_ts()
                dialogs.append(Dialog(channel, user, ts))
            found = sum(1 for i in range(args.dialogs)
                        if dialog_channel(i)[0] in parents.by_channel)
            # Timed: signed now, sent at once.
            reqs = mixed_requests(client, args.requests, dialogs, "T", rng)
            calls0 = len(fake.calls())
            server_cpu0, main_cpu0, box0 = (tree_cpu_s(server.proc.pid),
                                            sum(os.times()[:2]), box_busy())
            load = drive(server.port, reqs, args.concurrency, args.load_procs, args.time_limit)
            box1 = box_busy()
            server_cpu = tree_cpu_s(server.proc.pid) - server_cpu0
            main_cpu = sum(os.times()[:2]) - main_cpu0
            drain = wait_quiet(fake, limit_s=args.time_limit)
            api_calls = len(fake.calls()) - calls0
        finally:
            server.stop()
    busy = (box1[0] - box0[0]) / max(box1[1] - box0[1], 1)
    return Result(name, len(reqs), load, server_cpu, main_cpu, busy, api_calls, drain, found,
                  args.dialogs)


def wait_for(predicate: Any, limit_s: float) -> bool:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


# ============================================================================ report


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not values:
        return math.nan
    return values[max(0, math.ceil(q * len(values)) - 1)]


def report(results: list[Result], args: argparse.Namespace) -> None:
    cores = os.cpu_count() or 1
    print(f"\n{args.concurrency} connections, gunicorn gthread --workers {args.workers} "
          f"--threads {args.threads}, log level {args.log_level}, {cores} CPUs\n")
    head = f"{'app':<6} {'requests':>8} {'errors':>6} {'median ms':>9} {'p99 ms':>8} " \
           f"{'max ms':>8} {'req/s':>7}"
    print(head)
    print("-" * len(head))
    for r in results:
        lat = r.latencies()
        med = statistics.median(lat) if lat else math.nan
        print(f"{r.app:<6} {len(r.load.samples):>8} {r.errors:>6} {med:>9.1f} "
              f"{pct(lat, 0.99):>8.1f} {pct(lat, 1.0):>8.1f} {r.throughput:>7.0f}")
    by_app = {r.app: r for r in results}
    if "real" in by_app and "bare" in by_app:
        ratio = by_app["real"].throughput / by_app["bare"].throughput
        print(f"\nthroughput real/bare: {ratio:.2f}  (goal >= 0.80)")
    if "real" in by_app:
        print(f"real p99 ack: {pct(by_app['real'].latencies(), 0.99):.1f} ms  (goal < 100 ms)")
    for r in results:
        opened = f", {r.dialogs_found}/{r.dialogs} warm-up dialogs opened a thread" \
            if r.app == "real" else ""
        print(f"\n{r.app} app by request kind{opened}:")
        for kind in ["help", "stage", "diagnose_numbers", "diagnose_dialog", "message",
                     "retry"]:
            lat = r.latencies(kind)
            if lat:
                print(f"  {kind:<17} n={len(lat):>5}  median {statistics.median(lat):6.1f} ms"
                      f"  p99 {pct(lat, 0.99):7.1f} ms  max {pct(lat, 1.0):7.1f} ms")
    print("\nwhere the CPU went during the timed phase (cores busy on average):")
    for r in results:
        wall = r.load.wall_s
        ours = (r.server_cpu_s + r.main_cpu_s + r.load.cpu_s) / wall
        print(f"  {r.app:<5} server {r.server_cpu_s / wall:4.2f}, fake Web API "
              f"{r.main_cpu_s / wall:4.2f}, load generator {r.load.cpu_s / wall:4.2f}, "
              f"everything else {max(0.0, r.box_busy * cores - ours):4.2f}; "
              f"box {r.box_busy * 100:3.0f}% busy of {cores} CPUs; "
              f"{r.api_calls} Web API calls, quiet {r.drain_s:.1f} s after the last ack")
    unsent = [r for r in results if len(r.load.samples) < r.requested]
    for r in unsent:
        print(f"  {r.app}: time limit hit, {r.requested - len(r.load.samples)} requests unsent")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=3000, help="timed requests per app")
    p.add_argument("--warmup", type=int, default=300, help="untimed requests per app first")
    p.add_argument("--dialogs", type=int, default=50,
                   help="dialogs opened in the warm-up that the timed thread replies go to")
    p.add_argument("--concurrency", type=int, default=50, help="connections in all")
    p.add_argument("--load-procs", type=int, default=1, help="load generator processes")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers for both apps")
    p.add_argument("--threads", type=int, default=25, help="threads per worker for both apps")
    p.add_argument("--log-level", default="warning",
                   choices=["debug", "info", "warning", "error"])
    p.add_argument("--time-limit", type=float, default=120.0,
                   help="seconds each load phase may run before it stops sending")
    p.add_argument("--apps", default="bare,real", help="which apps, in order")
    p.add_argument("--seed", type=int, default=4)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="slack-ack-") as tmp:
        for name in [a.strip() for a in args.apps.split(",") if a.strip()]:
            if name not in ("bare", "real"):
                raise SystemExit(f"unknown app {name!r}: use bare and/or real")
            print(f"running {name} ...", flush=True)
            results.append(run_app(name, args, Path(tmp)))
    report(results, args)


if __name__ == "__main__":
    main(sys.argv[1:])
