"""Posting queued replies to Slack: from the outbox, in order, once, surviving failures.

Every reply is in the outbox (SQLite) before anything is posted. A post that fails on a
rate limit, a 5xx or the network is retried later by whichever worker's loop gets to it
first; the outbox lease keeps two workers from posting the same row. Each post carries
its outbox id in message metadata, so a retry after an unrecorded success (a worker
killed between Slack's "ok" and our commit) finds the earlier post and does not repeat it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import Message, outbound_message, validate_message
from conversations.service import Outbound
from conversations.store import OutboxRow, Store

log = logging.getLogger("bot.delivery")

METADATA_EVENT = "scale_advisor_reply"
# Errors no retry will fix: the reply is given up (and stays visible as failed in the log).
PERMANENT_ERRORS = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "msg_too_long", "invalid_blocks",
    "invalid_auth", "account_inactive", "token_revoked", "no_permission", "restricted_action",
    "thread_not_found", "invalid_arguments",
})
MAX_ATTEMPTS = 12


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def render(row: OutboxRow) -> Message:
    """The Block Kit message for one outbox row (its dialog key names the buttons' target)."""
    out = Outbound.model_validate(row.payload)
    message = outbound_message(out, advice_id=row.advice_id, ref=row.key)
    problems = validate_message(message.blocks, message.text)
    if problems:  # never send what Slack would reject: fall back to the plain text
        log.error("outbox %s renders past Slack's limits: %s", row.id, "; ".join(problems))
        message = Message(text=message.text[:3000], blocks=[])
    return message


class Deliverer:
    """Posts outbox rows through one WebClient; safe to call from many threads."""

    def __init__(self, client: WebClient, store: Store, clock: Callable[[], float]) -> None:
        self.client = client
        self.store = store
        self.clock = clock

    def flush(self, outbox_ids: Iterable[int]) -> None:
        """Post these rows now if they are due (called right after they were queued)."""
        for outbox_id in outbox_ids:
            row = self.store.claim_delivery(outbox_id, worker_name(), now=self.clock())
            if row is None:
                return  # an earlier reply of the same thread is still pending: keep order
            if not self._post(row):
                return

    def pending(self, limit: int = 20) -> int:
        """Post whatever is due (retries, replies left by a crashed worker); how many went."""
        rows = self.store.claim_pending_deliveries(worker_name(), now=self.clock(), limit=limit)
        return sum(self._post(row) for row in rows)

    def release_orphans(self) -> int:
        """Free leases held by dead worker processes on this host; how many were freed."""
        host = socket.gethostname()
        freed = 0
        for outbox_id, owner in self.store.leases():
            owner_host, _, rest = owner.partition(":")
            pid = rest.split(":", 1)[0]
            if owner_host == host and pid.isdigit() and not _alive(int(pid)):
                freed += self.store.release_lease(outbox_id, owner)
        return freed

    def _post(self, row: OutboxRow) -> bool:
        try:
            ts = self._already_posted(row) if row.attempts > 1 else None
            if ts is None:
                ts = self._send(row)
        except SlackApiError as err:
            self._failed(row, err)
            return False
        except OSError as err:  # network trouble after the client's own retries
            self.store.mark_failed(row.id, now=self.clock(), error=f"network: {err}")
            return False
        self.store.mark_delivered(row.id, ts)
        return True

    def _send(self, row: OutboxRow) -> str | None:
        message = render(row)
        response = self.client.chat_postMessage(
            channel=row.channel, thread_ts=row.thread_ts, **message.kwargs(),
            unfurl_links=False, unfurl_media=False,
            metadata={"event_type": METADATA_EVENT, "event_payload": {"outbox_id": row.id}},
        )
        return response.get("ts")

    def _already_posted(self, row: OutboxRow) -> str | None:
        """The ts of an earlier post of this row, found by its metadata; None if none."""
        if row.thread_ts is None:
            return None
        try:
            response = self.client.conversations_replies(
                channel=row.channel, ts=row.thread_ts, include_all_metadata=True, limit=200)
        except SlackApiError:
            return None  # cannot tell: posting again is better than never answering
        for message in response.get("messages", []):
            if _outbox_id(message) == row.id:
                return message.get("ts")
        return None

    def _failed(self, row: OutboxRow, err: SlackApiError) -> None:
        response = err.response
        error = str(response.get("error") or response.status_code)
        permanent = error in PERMANENT_ERRORS or row.attempts >= MAX_ATTEMPTS
        retry_after = None
        if response.status_code == 429:
            retry_after = float(response.headers.get("Retry-After", 1) or 1)
        log.warning("posting outbox %s failed (%s)%s", row.id, error,
                    "; giving up" if permanent else "; will retry")
        self.store.mark_failed(row.id, now=self.clock(), retry_after_s=retry_after,
                               error=error, permanent=permanent)


def _alive(pid: int) -> bool:
    """Whether a process still runs (a zombie left by a killed worker does not count)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def _outbox_id(message: dict[str, Any]) -> int | None:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != METADATA_EVENT:
        return None
    value = (metadata.get("event_payload") or {}).get("outbox_id")
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


class DeliveryLoop:
    """A daemon thread per worker process that retries due replies every `interval_s`."""

    def __init__(self, deliverer: Deliverer, interval_s: float = 1.0) -> None:
        self.deliverer = deliverer
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)

    def start(self) -> DeliveryLoop:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        rounds = 0
        while not self._stop.wait(0 if rounds == 0 else self.interval_s):
            try:
                if rounds % 10 == 0:
                    self.deliverer.release_orphans()
                rounds += 1
                while self.deliverer.pending() > 0:
                    pass
            except Exception:  # noqa: BLE001 - the loop must outlive any one bad row
                log.exception("outbox loop failed; retrying")
