"""`scale-advisor serve`: the Slack app in Socket Mode or behind gunicorn in HTTP mode.

HTTP mode runs Bolt through its WSGI adapter under gunicorn (not `app.start()`, which is a
development server): POST /slack/events for Slack, GET /healthz for load balancers.
Each worker process builds its own app after the fork, so nothing is shared in memory;
shared state lives in the SQLite file. Socket Mode is one process holding the socket.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import ValidationError
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.errors import SlackApiError

from advisor.playbook import PlaybookError
from bot.app import build_app, start_background
from bot.deps import Deps, playbook_for
from bot.settings import Settings
from bot.web import make_client

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
STARTUP_ERROR = 2
REJECTED_TOKEN_ERRORS = frozenset({
    "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
    "not_allowed_token_type",
})

log = logging.getLogger("bot.server")

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def make_wsgi_app(app: App) -> WsgiApp:
    """Bolt's WSGI handler for Slack's requests plus a health route."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    health = json.dumps({"ok": True}).encode()

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in (
                "GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "application/json"),
                                      ("Content-Length", str(len(health)))])
            return [health]
        return slack(environ, start_response)

    return wsgi


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="scale-advisor serve",
                                description="Run the Slack app (Socket Mode when "
                                            "SLACK_APP_TOKEN is set, otherwise HTTP).")
    p.add_argument("--host", default="0.0.0.0", help="HTTP bind address (default 0.0.0.0)")
    p.add_argument("--port", type=int, default=3000, help="HTTP port (default 3000)")
    p.add_argument("--workers", type=int, default=1, help="HTTP worker processes (default 1)")
    p.add_argument("--threads", type=int, default=8, help="threads per worker (default 8)")
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    return p


def load_settings() -> tuple[Settings | None, list[str]]:
    """Settings plus what stops the Slack app from starting; never raises."""
    try:
        settings = Settings()
    except ValidationError as err:
        return None, [f"{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
                      for e in err.errors()]
    problems = settings.slack_problems()
    try:
        playbook_for(settings)
    except PlaybookError as err:
        problems.append(f"SCALE_PLAYBOOK: {err}")
    return settings, problems


def check_token(settings: Settings) -> str:
    """One auth.test before forking: a rejected token stops start-up; a network problem
    only warns (Slack may be briefly unreachable; the clients retry)."""
    try:
        make_client(settings).auth_test()
    except SlackApiError as err:
        code = err.response.get("error", "") if err.response is not None else ""
        if code in REJECTED_TOKEN_ERRORS:
            return f"SLACK_BOT_TOKEN was rejected by Slack ({code})"
        log.warning("auth.test failed (%s); starting anyway", code or err)
    except Exception as err:  # noqa: BLE001 - network errors of every kind only warn
        log.warning("could not reach Slack at %s (%s); starting anyway", settings.api_url, err)
    return ""


def serve_main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    settings, problems = load_settings()
    if settings is not None and not problems:
        problems = [p for p in [check_token(settings)] if p]
    if problems or settings is None:
        for problem in problems:
            sys.stderr.write(f"scale-advisor serve: cannot start: {problem}\n")
        return STARTUP_ERROR
    if settings.socket_mode:
        return run_socket_mode(settings, args.workers)
    return run_http(settings, args)


def run_socket_mode(settings: Settings, workers: int) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    if workers != 1:
        log.info("Socket Mode runs one connection; --workers is ignored")
    deps = Deps.from_settings(settings)
    app = build_app(settings, deps)
    start_background(app, deps)
    assert settings.slack_app_token is not None  # checked by slack_problems()
    SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
    return 0


def run_http(settings: Settings, args: argparse.Namespace) -> int:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        """gunicorn with its options from our flags; `load` runs in each worker."""

        def load_config(self) -> None:
            options = {
                "bind": f"{args.host}:{args.port}",
                "workers": max(1, args.workers),
                "worker_class": "gthread",
                "threads": max(1, args.threads),
                "timeout": 30,
                "graceful_timeout": 10,
                "keepalive": 5,
                "loglevel": args.log_level,
                "errorlog": "-",
                "accesslog": None,
                "proc_name": "scale-advisor",
                # gunicorn >= 25 opens a control socket at one path per user: several
                # servers on a host (tests, benchmarks) would fight over it.
                "control_socket_disable": True,
            }
            for key, value in options.items():
                if key in self.cfg.settings:
                    self.cfg.set(key, value)

        def load(self) -> WsgiApp:
            return make_wsgi_app(build_app(settings))

    supervisor = multiprocessing.get_context("fork").Process(
        target=supervise_background, args=(settings, os.getpid()), name="scale-advisor-jobs")
    supervisor.start()
    try:
        Server().run()
    finally:
        supervisor.terminate()
        supervisor.join(5)
    return 0


def supervise_background(settings: Settings, server: int, restart_after_s: float = 1.0) -> None:
    """Keep one job process alive for as long as the server runs.

    Without it every ack would still be stored, but no answer would go out, so a job
    process that dies (killed, out of memory) is started again after a short pause.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server's Ctrl-C is for gunicorn
    context = multiprocessing.get_context("fork")
    while os.getppid() == server:
        child = context.Process(target=run_background, args=(settings,), daemon=True)
        child.start()
        while child.is_alive() and os.getppid() == server:
            child.join(1.0)
        if child.is_alive():
            child.terminate()
            return
        log.error("the job process exited (%s); starting another", child.exitcode)
        time.sleep(restart_after_s)


def run_background(settings: Settings) -> None:
    """The job processor and delivery retries, in their own process at a lower priority.

    HTTP workers only verify, store and ack; everything slow happens here, so acks do
    not compete with it for a worker's CPU, and the OS favours the workers when busy.
    """
    lower_priority()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server's Ctrl-C is for gunicorn
    deps = Deps.from_settings(settings)
    app = build_app(settings, deps)
    processor, _ = start_background(app, deps)
    watch_parent(os.getppid())
    processor.stop()


def lower_priority() -> None:
    """Run only on CPU the HTTP workers leave idle (Linux), else at the lowest nice."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        os.nice(19)


def watch_parent(parent: int, every_s: float = 1.0) -> None:
    """Return once the server process that started us is gone."""
    while os.getppid() == parent:
        time.sleep(every_s)


def main() -> None:
    sys.exit(serve_main(sys.argv[1:]))


if __name__ == "__main__":
    main()
