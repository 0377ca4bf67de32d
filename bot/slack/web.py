"""The one Web API client factory: points at `SLACK_API_URL` and retries what is worth retrying.

slack_sdk retries only connection errors by default; a 429 (with Retry-After) or a 5xx
from Slack would otherwise surface as an error mid-conversation.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.settings import Settings

TIMEOUT_S = 10


def retry_handlers(
    rate_limited: int = 3, server_errors: int = 2, connection_errors: int = 2
) -> list[RetryHandler]:
    """Fresh handler instances (they hold no shared state, but keep one set per client)."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=connection_errors),
        RateLimitErrorRetryHandler(max_retry_count=rate_limited),
        ServerErrorRetryHandler(max_retry_count=server_errors),
    ]


def make_client(settings: Settings, timeout: int = TIMEOUT_S, *,
                patient: bool = True) -> WebClient:
    """`patient=False` retries only a failed connection: the serving app calls Slack inside
    a request's 3 s, and its outbox retries rate limits and 5xx itself, so no thread
    sleeps out a Retry-After while other replies wait."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    handlers = retry_handlers() if patient else retry_handlers(0, 0, 1)
    return WebClient(
        token=token,
        base_url=settings.api_url,
        timeout=timeout,
        retry_handlers=handlers,
    )


class ChannelPrivacy:
    """Whether a channel is private (DM, group DM, private channel), remembered a while.

    A channel rarely changes between public and private, and asking Slack on every
    request costs a round trip; failures are never remembered, so they stay private.
    """

    def __init__(self, client: WebClient, ttl_s: float = 600,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.ttl_s = ttl_s
        self.clock = clock
        self._known: dict[str, tuple[bool, float]] = {}
        self._lock = threading.Lock()

    def __call__(self, channel_id: str) -> bool:
        now = self.clock()
        with self._lock:
            known = self._known.get(channel_id)
        if known is not None and known[1] > now:
            return known[0]
        private, certain = _lookup_privacy(self.client, channel_id)
        if certain:
            with self._lock:
                self._known[channel_id] = (private, now + self.ttl_s)
        return private


def _lookup_privacy(client: WebClient, channel_id: str) -> tuple[bool, bool]:
    """(whether advice given in `channel_id` must stay there, whether Slack said so).

    DMs (`D…`) and legacy groups (`G…`) are private by their id; a `C…` id can be either,
    so Slack is asked. If Slack cannot answer, assume private: hiding advice is the safe
    mistake, leaking it is not.
    """
    if channel_id[:1] in ("D", "G"):
        return True, True
    try:
        info = client.conversations_info(channel=channel_id)["channel"]
    except Exception:  # noqa: BLE001 - any failure means "treat as private"
        return True, False
    return bool(info.get("is_private") or info.get("is_im") or info.get("is_mpim")), True
