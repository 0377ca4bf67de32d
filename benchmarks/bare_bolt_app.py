"""A bare Bolt app on exactly the server stack of `scale-advisor serve` (the baseline that
benchmarks/slack_ack.py compares the real app against).

Same flags as `scale-advisor serve` (HTTP mode only), same gunicorn configuration and
request gate (bot.slack.gate): `bot.slack.server.run_http` is called as is, with
only its app factory swapped for one whose listeners do nothing. So any gap the benchmark
shows is the cost of our listeners, not of the stack.

Run: python3 benchmarks/bare_bolt_app.py --host 127.0.0.1 --port 3100 --workers 2 --threads 25
(needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET; SLACK_API_URL for auth.test)
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from slack_bolt import App

import bot.slack.server
from bot.settings import Settings
from bot.slack.web import make_client


def build_bare_app(settings: Settings, deps: Any = None) -> App:
    """Bolt's default way of working (ack, then the listener on Bolt's thread pool), with a
    `/scale` that only acks and a message listener that does nothing. build_app differs on
    purpose: its listeners run in the request and commit their outcome before the ack. The
    signature is kept so this can stand in for build_app."""
    settings.require_slack()
    secret = settings.slack_signing_secret
    app = App(
        client=make_client(settings),
        signing_secret=secret.get_secret_value() if secret else "",
        process_before_response=False,
        token_verification_enabled=False,
        ignoring_self_events_enabled=True,
        request_verification_enabled=True,
        logger=logging.getLogger("bare.app"),
    )

    @app.command("/scale")
    def scale(ack):
        ack()

    @app.event("message")
    def on_message():
        return None

    return app


def main(argv: list[str] | None = None) -> int:
    args = bot.slack.server.build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    settings = Settings()
    settings.require_slack()
    # run_http looks build_app up in bot.slack.server when each worker loads; gunicorn forks the
    # workers from this process, so they all get the bare app on the unchanged stack.
    bot.slack.server.build_app = build_bare_app
    return bot.slack.server.run_http(settings, args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
