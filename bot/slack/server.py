"""`scale-advisor serve`: the Slack app in Socket Mode or behind gunicorn in HTTP mode.

HTTP mode runs Bolt through its WSGI adapter under gunicorn (not `app.start()`, which is a
development server): POST /slack/events for Slack, GET /healthz for load balancers.
Each worker process builds its own app after the fork and runs its own delivery loop
(started in `post_worker_init`, stopped in `worker_exit`), so no state is shared in
memory (only the packaged, read-only matcher data, loaded once before the fork) and
gunicorn's master, restarting any worker that dies or reloads, is the only supervisor.
Shared state lives in the SQLite file. Socket Mode is one process holding
the socket, with its delivery loop beside it.
"""

from __future__ import annotations

import argparse
import errno
import gc
import logging
import signal
import socket
import sys
import threading
from typing import Any

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.settings import Settings, SettingsError, read_settings
from bot.slack.app import build_app, start_delivery
from bot.slack.deps import Deps
from bot.slack.gate import HEALTH_PATH, SlackGate, WsgiApp
from bot.slack.preflight import preflight
from bot.slack.web import make_client
from conversations.service import warm_up_advisor

STARTUP_ERROR = 2
REJECTED_TOKEN_ERRORS = frozenset({
    "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
    "not_allowed_token_type",
})

log = logging.getLogger("bot.slack.server")

__all__ = ["HEALTH_PATH", "make_wsgi_app", "serve_main"]


class StartupError(Exception):
    """Why serve cannot start, in one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise StartupError(message)


def port_number(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"--port must be 1-65535, not {text!r}")
    return int(text)


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="scale-advisor serve",
                description="Run the Slack app (Socket Mode when SLACK_APP_TOKEN is set, "
                            "otherwise HTTP).")
    p.add_argument("--host", default="0.0.0.0", help="HTTP bind address (default 0.0.0.0)")
    p.add_argument("--port", type=port_number, default=3000, help="HTTP port (default 3000)")
    p.add_argument("--workers", type=positive, default=1, help="HTTP worker processes (default 1)")
    p.add_argument("--threads", type=positive, default=8, help="threads per worker (default 8)")
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    return p


def make_wsgi_app(app: App, deps: Deps | None = None, settings: Settings | None = None
                  ) -> SlackGate:
    """Bolt behind the request gate, plus a health route; `deps` carries the delivery loop."""
    secret = settings.slack_signing_secret if settings else None
    return SlackGate(app, secret.get_secret_value() if secret else "", deps=deps)


def load_settings() -> tuple[Settings | None, list[str]]:
    """Settings plus what stops the Slack app from starting (tokens, secret, API URL,
    playbook, database: bot.slack.preflight, which touches no file that is not ours); never
    raises."""
    try:
        settings = read_settings()
    except SettingsError as err:
        return None, [str(err)]
    return settings, preflight(settings)


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


def check_port(host: str, port: int) -> str:
    """Whether gunicorn will be able to bind; asked before anything starts, so a port in
    use is one line and exit 2 rather than gunicorn's retries and a traceback."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as err:
        return f"--host {host}: {err}"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            why = "is in use" if err.errno == errno.EADDRINUSE else f"cannot be bound ({err})"
            return f"port {port} on {host} {why}"
    return ""


def startup_problems(settings: Settings, args: argparse.Namespace) -> list[str]:
    """What preflight cannot tell without the network or the port; empty when all is well."""
    token = check_token(settings)
    if token:
        return [token]
    port = "" if settings.socket_mode else check_port(args.host, args.port)
    return [port] if port else []


def serve_main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except StartupError as err:
        sys.stderr.write(f"scale-advisor serve: {err}\n")
        return STARTUP_ERROR
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    settings, problems = load_settings()
    if settings is not None and not problems:
        problems = startup_problems(settings, args)
    if problems or settings is None:
        for problem in problems:
            sys.stderr.write(f"scale-advisor serve: cannot start: {problem}\n")
        return STARTUP_ERROR
    if settings.socket_mode:
        return run_socket_mode(settings, args.workers)
    return run_http(settings, args)


def run_socket_mode(settings: Settings, workers: int) -> int:
    """One process: the socket, its listeners and the delivery loop; SIGTERM or Ctrl-C
    closes the socket, lets the loop finish its post, and exits 0."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    if workers != 1:
        log.info("Socket Mode runs one connection; --workers is ignored")
    deps = Deps.from_settings(settings)
    if deps.conversations is not None:
        deps.conversations.warm_up()
    app = build_app(settings, deps)
    loop = start_delivery(deps)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    assert settings.slack_app_token is not None  # checked by slack_problems()
    handler = SocketModeHandler(app, settings.slack_app_token.get_secret_value())
    try:
        handler.connect()
        stop.wait()
    finally:
        handler.close()
        loop.stop()
    log.info("stopped")
    return 0


def run_http(settings: Settings, args: argparse.Namespace) -> int:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        """gunicorn with its options from our flags; `load` runs in each worker."""

        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"{args.host}:{args.port}",
                "workers": max(1, args.workers),
                "worker_class": "gthread",
                "threads": max(1, args.threads),
                "timeout": 30,
                "graceful_timeout": 20,
                "keepalive": 5,
                "loglevel": args.log_level,
                "errorlog": "-",
                "accesslog": None,
                "proc_name": "scale-advisor",
                # gunicorn >= 25 opens a control socket at one path per user: several
                # servers on a host (tests, benchmarks) would fight over it.
                "control_socket_disable": True,
                "post_worker_init": _post_worker_init,
                "worker_exit": _worker_exit,
            }
            for key, value in options.items():
                if key in self.cfg.settings:
                    self.cfg.set(key, value)

        def load(self) -> WsgiApp:
            deps = Deps.from_settings(settings)
            if deps.conversations is not None:
                deps.conversations.warm_up()  # before post_worker_init freezes it
            return make_wsgi_app(build_app(settings, deps), deps, settings)

    # The packaged matcher data is read-only: loaded here, before gunicorn forks, every
    # worker starts with it, and one replacing a worker that died serves in about 0.15 s
    # rather than 0.7 s (benchmarks/worker_respawn.py). The workers share its pages, too
    # (copy-on-write).
    warm_up_advisor()
    Server().run()
    return 0


def _post_worker_init(worker: Any) -> None:
    """Each worker delivers from the outbox: its own requests' replies at once, and
    whatever a dead, killed or rate-limited worker left."""
    gate = getattr(worker, "wsgi", None)
    if isinstance(gate, SlackGate) and gate.deps is not None and gate.deps.delivery:
        start_delivery(gate.deps)
    # What exists now (modules, the app, the playbook, the matcher's arrays) lives as long
    # as the worker: keep it out of the collector's full passes, which otherwise walk it
    # all in the middle of some request.
    gc.collect()
    gc.freeze()


def _worker_exit(_server: Any, worker: Any) -> None:
    """In-flight requests are done (gunicorn waited for them); let the loop finish the
    post it is making, then stop."""
    gate = getattr(worker, "wsgi", None)
    if isinstance(gate, SlackGate) and gate.deps is not None and gate.deps.delivery:
        gate.deps.delivery.stop()


def main() -> None:
    sys.exit(serve_main(sys.argv[1:]))


if __name__ == "__main__":
    main()
