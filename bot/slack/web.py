"""The one Web API client factory: points at `SLACK_API_URL` and retries what is worth retrying.

slack_sdk retries only connection errors by default; a 429 (with Retry-After) or a 5xx
from Slack would otherwise surface as an error mid-conversation.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from enum import StrEnum

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryHandler, RetryState
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.settings import Settings

TIMEOUT_S = 10


Sleep = Callable[[float], None]


class _SleepsThrough:
    """slack_sdk's handlers call `time.sleep` themselves; these wait through `self.sleep`
    instead, so tests can see the waits without waiting them."""

    sleep: Sleep = staticmethod(time.sleep)

    def prepare_for_next_attempt(self, *, state: RetryState, request: HttpRequest,
                                 response: HttpResponse | None = None,
                                 error: Exception | None = None) -> None:
        state.next_attempt_requested = True
        self.sleep(self.wait_s(state, response))
        state.increment_current_attempt()

    def wait_s(self, state: RetryState, response: HttpResponse | None) -> float:
        return self.interval_calculator.calculate_sleep_duration(  # type: ignore[attr-defined]
            state.current_attempt)


class _ConnectionRetry(_SleepsThrough, ConnectionErrorRetryHandler):
    pass


class _ServerErrorRetry(_SleepsThrough, ServerErrorRetryHandler):
    pass


class _RateLimitRetry(_SleepsThrough, RateLimitErrorRetryHandler):
    def wait_s(self, state: RetryState, response: HttpResponse | None) -> float:
        """Slack's Retry-After (seconds), plus up to a second of jitter as slack_sdk adds."""
        headers = {k.lower(): v for k, v in (response.headers if response else {}).items()}
        retry_after = headers.get("retry-after") or ["1"]
        try:
            seconds = int(retry_after[0])
        except ValueError:
            seconds = 1
        return seconds + random.random()


def retry_handlers(
    rate_limited: int = 3, server_errors: int = 2, connection_errors: int = 2,
    sleep: Sleep = time.sleep,
) -> list[RetryHandler]:
    """Fresh handler instances (they hold no shared state, but keep one set per client);
    every wait between attempts goes through `sleep`."""
    handlers: list[RetryHandler] = [
        _ConnectionRetry(max_retry_count=connection_errors),
        _RateLimitRetry(max_retry_count=rate_limited),
        _ServerErrorRetry(max_retry_count=server_errors),
    ]
    for handler in handlers:
        handler.sleep = sleep  # type: ignore[attr-defined]
    return handlers


def make_client(settings: Settings, timeout: int = TIMEOUT_S, *,
                patient: bool = True, sleep: Sleep = time.sleep) -> WebClient:
    """`patient=False` retries only a failed connection: the serving app calls Slack inside
    a request's 3 s, and its outbox retries rate limits and 5xx itself, so no thread
    sleeps out a Retry-After while other replies wait. `sleep` waits between attempts."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    handlers = retry_handlers(sleep=sleep) if patient else retry_handlers(0, 0, 1, sleep)
    return WebClient(
        token=token,
        base_url=settings.api_url,
        timeout=timeout,
        retry_handlers=handlers,
    )


class Reach(StrEnum):
    """Where the bot stands in a conversation, which decides what it can do there."""

    MEMBER = "member"  # it posts there and hears thread replies
    OUTSIDE = "outside"  # a public channel it is not in: it may post (chat:write.public),
    #                      but hears nothing, so it cannot follow a thread there
    NONE = "none"  # a private conversation it is not in: it cannot post at all


class ChannelPrivacy:
    """Whether a channel is private (DM, group DM, private channel), and whether the bot is
    in it, remembered a while.

    A channel rarely changes between public and private, and asking Slack on every
    request costs a round trip; failures are never remembered, so they stay private.
    Being outside a channel is not remembered either: once someone invites the bot, the
    next request must know.
    """

    def __init__(self, client: WebClient, ttl_s: float = 600,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.ttl_s = ttl_s
        self.clock = clock
        self._known: dict[str, tuple[bool, Reach, float]] = {}  # private, reach, until
        self._lock = threading.Lock()

    def __call__(self, channel_id: str) -> bool:
        if channel_id[:1] in ("D", "G"):
            return True  # private by its id: no need to ask
        found = self._find(channel_id, lambda reach: True)
        return True if found is None else found[0]

    def reach(self, channel_id: str) -> Reach:
        """Where the bot stands in the channel; MEMBER when Slack cannot say (posting is
        then tried, and a reply that cannot go tells the person through the outbox)."""
        found = self._find(channel_id, lambda reach: reach is Reach.MEMBER)
        return Reach.MEMBER if found is None else found[1]

    def _find(self, channel_id: str, trusted: Callable[[Reach], bool]
              ) -> tuple[bool, Reach] | None:
        """What is remembered, if it is fresh and `trusted`; otherwise what Slack says
        now (remembered unless Slack could not say)."""
        now = self.clock()
        with self._lock:
            known = self._known.get(channel_id)
        if known is not None and known[2] > now and trusted(known[1]):
            return known[0], known[1]
        found = _lookup(self.client, channel_id)
        if found is not None:
            with self._lock:
                self._known[channel_id] = (*found, now + self.ttl_s)
        return found


def _lookup(client: WebClient, channel_id: str) -> tuple[bool, Reach] | None:
    """(whether advice given in `channel_id` must stay there, where the bot stands), or
    None when Slack cannot answer (the caller then assumes private: hiding advice is the
    safe mistake, leaking it is not). A conversation Slack will not show the bot is a
    private one it is not in."""
    try:
        info = client.conversations_info(channel=channel_id)["channel"]
    except SlackApiError as err:
        if err.response.get("error") == "channel_not_found":
            return True, Reach.NONE
        return None
    except Exception:  # noqa: BLE001 - any failure means "cannot tell"
        return None
    private = bool(info.get("is_private") or info.get("is_im") or info.get("is_mpim")
                   or channel_id[:1] in ("D", "G"))
    if info.get("is_member") or info.get("is_im"):
        return private, Reach.MEMBER
    return private, (Reach.NONE if private else Reach.OUTSIDE)
