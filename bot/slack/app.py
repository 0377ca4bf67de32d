"""Builds the Bolt app: one function, no module-level app, so every worker builds its own."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.settings import Settings
from bot.slack.delivery import DeliveryLoop
from bot.slack.deps import Deps
from bot.slack.listeners import wiring


def build_app(settings: Settings, deps: Deps | None = None) -> App:
    """A Bolt App wired with every listener.

    Without `deps`, opens the SQLite file and playbook the settings name. Raises
    SettingsError when the Slack credentials for the configured mode are missing or
    malformed, PlaybookError for a bad team playbook. No network call happens here: Bolt
    asks auth.test for the bot's user id lazily on the first request (and `bot.slack.server`
    checks the token once at start-up).
    Listeners run in the request (process_before_response): each commits its outcome,
    then acks; `start_delivery` runs the loop that posts the committed replies.
    """
    settings.require_slack()
    logger = logging.getLogger("bot.slack.app")
    logger.addFilter(_quiet_token_warning)
    deps = deps or Deps.from_settings(settings)
    secret = settings.slack_signing_secret
    app = App(
        client=deps.client,
        signing_secret=secret.get_secret_value() if secret else "",
        process_before_response=True,
        token_verification_enabled=False,
        ignoring_self_events_enabled=True,
        request_verification_enabled=not settings.socket_mode,
        logger=logger,
    )
    wiring.register(app, deps)
    return app


def start_delivery(deps: Deps) -> DeliveryLoop:
    """Start this process's delivery loop, once, in the process that serves (threads do
    not survive a fork, so a gunicorn worker starts its own) and let requests wake it."""
    assert deps.delivery is not None, "Deps.from_settings(settings) first, with a database"
    return deps.delivery.start()


def _quiet_token_warning(record: logging.LogRecord) -> bool:
    """Bolt reads SLACK_BOT_TOKEN from the environment itself and warns that our client's
    token wins; that is intended, the warning is noise."""
    return "`token` will be unused" not in record.getMessage()
