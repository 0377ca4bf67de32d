"""Posting queued replies to Slack: from the outbox, in order, once, surviving failures.

Every reply is in the outbox (SQLite) before its request is acked; a `DeliveryLoop` in
every worker process posts what is due, woken at once by its own requests and polling
for rows other workers left (crashed, killed, rate-limited). A post that fails on a rate
limit, a 5xx or the network is retried later by whichever loop gets to it first; the
outbox lease keeps two loops from posting the same row. Each post carries its outbox id
in message metadata, so a retry after an unrecorded success (a worker killed between
Slack's "ok" and our commit) finds the earlier post and does not repeat it. A reply that
cannot be delivered tells the person so in one line, and the reason is logged once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.blocks.kit import Message
from bot.slack.blocks.outbound import outbound_message
from bot.slack.blocks.validate import validate_message
from bot.slack.listeners.places import key_parts, thread_key
from conversations.outbox import Outbox, OutboxRow
from conversations.service import Outbound

log = logging.getLogger("bot.slack.delivery")

METADATA_EVENT = "scale_advisor_reply"
# Errors no retry will fix: the reply is given up (and stays visible as failed in the log).
PERMANENT_ERRORS = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "msg_too_long", "invalid_blocks",
    "invalid_auth", "account_inactive", "token_revoked", "no_permission", "restricted_action",
    "thread_not_found", "invalid_arguments", "user_not_in_channel", "no_text", "missing_scope",
    "not_authed",
})
MAX_ATTEMPTS = 12
COULD_NOT_FINISH = "I couldn't finish this; try again."


def refused_text(error: str) -> str:
    """What a person is told when Slack refuses a reply for good: asking again would meet
    the same refusal, so it is named instead of "try again"."""
    return (f"I couldn't post my answer here: Slack refused it ({error}), so asking again "
            "won't help.")


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

    def __init__(self, client: WebClient, outbox: Outbox, clock: Callable[[], float]) -> None:
        self.client = client
        self.outbox = outbox
        self.clock = clock

    def pending(self, limit: int = 1, stopping: Callable[[], bool] | None = None,
                aged_s: float = 0.0) -> int:
        """Post up to `limit` due rows (retries, replies left by a crashed worker); how many
        went. `aged_s` > 0 takes only rows that were due that long ago (the claim is made
        as of then, so its lease is that much shorter). Once `stopping()` says so, the rest
        of the claim is released unposted."""
        worker = worker_name()
        rows = self.outbox.claim_pending_deliveries(worker, now=self.clock() - aged_s,
                                                    limit=limit)
        sent = 0
        for row in rows:
            if stopping is not None and stopping():
                self.outbox.release_lease(row.id, worker)
            else:
                sent += self._post(row)
        return sent

    def replies_queued_within(self, seconds: float) -> bool:
        """Whether any worker queued a reply in the last `seconds` (a burst elsewhere: a
        worker with no requests of its own still shares the CPU with those that have)."""
        newest = self.outbox.newest_enqueued_at()
        return newest is not None and self.clock() - newest < seconds

    def release_orphans(self) -> int:
        """Free leases held by dead worker processes on this host; how many were freed."""
        host = socket.gethostname()
        freed = 0
        for outbox_id, owner in self.outbox.leases():
            owner_host, _, rest = owner.partition(":")
            pid = rest.split(":", 1)[0]
            if owner_host == host and pid.isdigit() and not _alive(int(pid)):
                freed += self.outbox.release_lease(outbox_id, owner)
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
            self.outbox.mark_failed(row.id, now=self.clock(), error=f"network: {err}")
            return False
        parts = key_parts(row.key or "")
        if row.payload.get("kind") == "opening" and ts and parts:
            # The dialog lives in the thread this message opened: move it there.
            self.outbox.mark_opened(row.id, ts, thread_key(parts[0], parts[1], ts))
        else:
            self.outbox.mark_delivered(row.id, ts)
        return True

    def _send(self, row: OutboxRow) -> str | None:
        message = render(row)
        if row.ephemeral_to:
            response = self.client.chat_postEphemeral(
                channel=row.channel, user=row.ephemeral_to, thread_ts=row.thread_ts,
                **message.kwargs())
            return response.get("message_ts")
        response = self.client.chat_postMessage(
            channel=row.channel, thread_ts=row.thread_ts, **message.kwargs(),
            unfurl_links=False, unfurl_media=False,
            metadata={"event_type": METADATA_EVENT, "event_payload": {"outbox_id": row.id}},
        )
        return response.get("ts")

    def _already_posted(self, row: OutboxRow) -> str | None:
        """The ts of an earlier post of this row, found by its metadata; None if none.
        A thread reply is looked for in its thread; a top-level post among the channel's
        latest messages (a retry comes soon after the lost "ok", and Slack's clock need
        not agree with ours, so no time bound)."""
        if row.ephemeral_to:
            return None  # an ephemeral note leaves nothing to find
        try:
            if row.thread_ts is None:
                response = self.client.conversations_history(
                    channel=row.channel, include_all_metadata=True, limit=200)
            else:
                response = self.client.conversations_replies(
                    channel=row.channel, ts=row.thread_ts, include_all_metadata=True,
                    limit=200)
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
        if not permanent:
            log.info("posting outbox %s failed (%s); will retry", row.id, error)
        self.outbox.mark_failed(row.id, now=self.clock(), retry_after_s=retry_after,
                               error=error, permanent=permanent)
        if permanent:
            if row.payload.get("kind") == "opening" and row.key:
                self.outbox.abandon_key(row.key, f"its thread was not opened ({error})")
            self._give_up(row, error, refused=error in PERMANENT_ERRORS)

    def _give_up(self, row: OutboxRow, error: str, *, refused: bool) -> None:
        """Log why once and tell the person in one line (a single plain try: if Slack
        refuses this too, say so in the log; there is nowhere else to tell them)."""
        told = "told the person"
        try:
            if row.ephemeral_to:
                told = "an ephemeral note; nothing more to tell"
            else:
                self.client.chat_postMessage(
                    channel=row.channel, thread_ts=row.thread_ts,
                    text=refused_text(error) if refused else COULD_NOT_FINISH)
        except Exception as err:  # noqa: BLE001 - any failure: only the log is left
            told = f"could not tell the person either ({_reason(err)})"
        log.warning("gave up on reply %s to %s after %s attempt(s): %s; %s", row.id,
                    row.channel, row.attempts, error, told)


def _reason(err: Exception) -> str:
    if isinstance(err, SlackApiError):
        return str(err.response.get("error") or err.response.status_code)
    return f"{type(err).__name__}: {err}"


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


class InFlight:
    """How many requests this worker process is serving right now, and since when it has
    served none (the request gate counts them): its delivery loop gives way to them."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._count = 0
        self._last_end = float("-inf")
        self._lock = threading.Lock()

    def __enter__(self) -> InFlight:
        with self._lock:
            self._count += 1
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._count -= 1
            self._last_end = self.clock()

    def calm_in(self, quiet_s: float) -> float:
        """0 when no request has been in flight for `quiet_s`; otherwise how long, at
        the least, until that could be so (`quiet_s` while one is in flight)."""
        with self._lock:
            if self._count > 0:
                return quiet_s
            return max(0.0, quiet_s - (self.clock() - self._last_end))


class DeliveryLoop:
    """`threads` daemon threads in one worker process that post what is due.

    `wake()` (called after a request commits its replies) lets one thread look; without
    it each thread looks every `interval_s` for rows other workers left. Wake-ups beyond
    one per thread are not kept: a thread that looks drains what is due, so a burst of
    commits costs a few looks, not one each.

    Requests come first: unless this worker has served no request for `quiet_s` and no
    worker has queued a reply for as long, a thread posts only replies that have waited
    `defer_s` or more, and looks again once requests pause; so during a burst the CPU
    goes to acks, and no reply waits much over `defer_s` for its turn however long the
    burst lasts. After a lone request, its reply goes about `quiet_s` after the ack.
    `stop()` lets each thread finish the post it is making and returns once they have
    all ended.
    """

    def __init__(self, deliverer: Deliverer, *, threads: int = 4, interval_s: float = 0.5,
                 orphan_check_s: float = 5.0, batch: int = 8, defer_s: float = 2.5,
                 quiet_s: float = 0.05, requests: InFlight | None = None,
                 pause: Callable[[float], object] | None = None) -> None:
        self.deliverer = deliverer
        self.interval_s = interval_s
        self.orphan_check_s = orphan_check_s
        self.batch = max(1, int(batch))
        self.defer_s = max(0.0, defer_s)
        self.quiet_s = max(0.0, quiet_s)
        self.requests = requests if requests is not None else InFlight()
        self._stop = threading.Event()
        self.pause = pause or self._stop.wait  # between looks during a burst; tests inject
        self._wakes = 0
        self._woken = threading.Condition()
        self._threads = [threading.Thread(target=self._run, args=(i,), name=f"outbox-{i}",
                                          daemon=True) for i in range(max(1, threads))]

    def start(self) -> DeliveryLoop:
        for thread in self._threads:
            thread.start()
        return self

    def wake(self) -> None:
        with self._woken:
            if self._wakes < len(self._threads):
                self._wakes += 1
                self._woken.notify()

    def stop(self, timeout_s: float = 15.0) -> None:
        self._stop.set()
        with self._woken:
            self._wakes = len(self._threads)
            self._woken.notify_all()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout_s)

    def _sleep(self) -> None:
        """Until a wake-up or `interval_s`."""
        with self._woken:
            if self._wakes == 0:
                self._woken.wait(self.interval_s)
            if self._wakes > 0:
                self._wakes -= 1

    def _run(self, index: int) -> None:
        last_orphan_check = float("-inf")
        while not self._stop.is_set():
            try:
                if index == 0 and time.monotonic() - last_orphan_check >= self.orphan_check_s:
                    last_orphan_check = time.monotonic()
                    self.deliverer.release_orphans()
                self._drain()
            except Exception as err:  # noqa: BLE001 - the loop must outlive any one bad row
                log.error("delivery loop: %s; retrying", _reason(err))
            self._sleep()

    def _drain(self) -> None:
        """Post what is due until nothing is; while requests are being served, here or
        (judging by replies queued) in another worker, only what has waited `defer_s`,
        looking again every `quiet_s` (a poll: waking on each request's end would cost
        a look per request)."""
        while not self._stop.is_set():
            calm = (self.requests.calm_in(self.quiet_s) == 0
                    and not self.deliverer.replies_queued_within(self.quiet_s))
            aged_s = 0.0 if calm else self.defer_s
            if self.deliverer.pending(self.batch, self._stop.is_set, aged_s) > 0:
                continue
            if calm:
                return
            self.pause(max(0.01, self.quiet_s))
