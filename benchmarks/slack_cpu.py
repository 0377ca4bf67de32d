"""CPU per request of every `/scale` subcommand, in process: the request (gate, Bolt, the
listener, the commit) and, separately, the delivery of the replies it queued.

Signed requests (exactly as benchmarks/slack_ack.py sends them) go to the WSGI callable a
worker serves (tests/slack_harness.py's InProcessApp), with the delivery loop stopped;
then the delivery step runs by hand against the fake Web API. CPU is this thread's
(`time.thread_time`), so the fake's own work is left out; signing the requests is in. A
steadier figure than throughput on a shared machine. `--profile KIND` (or
`KIND_deliver`) prints where that phase's CPU goes. Beside it, the CPU the bare Bolt app
of benchmarks/bare_bolt_app.py spends on the same requests behind the same gate (process
CPU, as Bolt runs its listener on a thread of its own), and the ratio: the share of the bare
app's throughput a CPU-bound server could reach, without the noise of the socket load.

Run: python3 benchmarks/slack_cpu.py [--requests 1000] [--profile ask]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

from slack_ack import CHANNELS, SUBCOMMANDS, text_of  # noqa: E402 - paths set just above
from slack_harness import FakeSlackAPI, InProcessApp, InProcessClient  # noqa: E402


def timed(what: str, profile: str, run) -> tuple[float, object]:
    """(CPU seconds of `run()`, its result); profiled when `what` is `profile`."""
    prof = cProfile.Profile(time.thread_time) if what == profile else None
    start = time.thread_time()
    if prof is not None:
        prof.enable()
    result = run()
    if prof is not None:
        prof.disable()
    spent = time.thread_time() - start
    if prof is not None:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
    return spent, result


def bare_client(fake: FakeSlackAPI, db: Path) -> InProcessClient:
    """The bare Bolt app of benchmarks/bare_bolt_app.py behind the same gate, in process."""
    from bare_bolt_app import build_bare_app
    from slack_harness import BOT_TOKEN, SIGNING_SECRET

    from bot.settings import Settings
    from bot.slack.deps import Deps
    from bot.slack.server import make_wsgi_app

    settings = Settings(_env_file=None, slack_bot_token=BOT_TOKEN,
                        slack_signing_secret=SIGNING_SECRET, slack_api_url=fake.url,
                        scale_db=db)
    deps = Deps.from_settings(settings)
    return InProcessClient(make_wsgi_app(build_bare_app(settings, deps), deps, settings),
                           fake=fake)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=1000, help="requests per subcommand")
    p.add_argument("--warmup", type=int, default=20, help="untimed requests per subcommand")
    p.add_argument("--profile", default="", help="a subcommand, or one with _deliver")
    args = p.parse_args(argv)
    with FakeSlackAPI() as fake, tempfile.TemporaryDirectory() as tmp:
        app = InProcessApp.build(fake, Path(tmp) / "scale-advisor.db")
        client = app.client

        bare = bare_client(fake, Path(tmp) / "bare.db")

        def send(kind: str, n: int, tag: str, to: InProcessClient = client) -> None:
            for i in range(n):
                resp = to.command(text_of(kind, i), channel_id=f"C0BENCH{i % CHANNELS}",
                                  user_id=f"U0{tag}{i:06d}")
                assert resp.status == 200, resp

        for i, kind in enumerate(SUBCOMMANDS):
            send(kind, args.warmup, f"W{i}")
            send(kind, args.warmup, f"W{i}", bare)
        app.deliver()
        print(f"{'subcommand':<16} {'request ms':>10} {'delivery ms':>11} {'posts':>6} "
              f"{'bare ms':>8} {'bare/ours':>9}")
        for i, kind in enumerate(SUBCOMMANDS):
            n = args.requests
            request_s, _ = timed(kind, args.profile,
                                 lambda k=kind, t=f"T{i}", m=n: send(k, m, t))
            deliver_s, posts = timed(kind + "_deliver", args.profile, app.deliver)
            start = time.process_time()  # Bolt runs the bare listener on its own thread
            send(kind, n, f"B{i}", bare)
            bare_s = time.process_time() - start
            print(f"{kind:<16} {request_s / n * 1000:>10.2f} {deliver_s / n * 1000:>11.2f} "
                  f"{posts:>6} {bare_s / n * 1000:>8.2f} {bare_s / request_s:>9.2f}")


if __name__ == "__main__":
    from closed_pipe import run

    run(main, sys.argv[1:])
