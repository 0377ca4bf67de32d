"""The one SQLite file behind every front end: dialogs, advice log, request keys, outbox.

Several processes (HTTP workers) share the file, so every guarantee across them
comes from SQLite transactions; nothing here relies on process memory. Writes
that read before they write run under BEGIN IMMEDIATE, which takes the write lock
up front, so two processes cannot both read the old value.

Threads: one connection per Store, opened with check_same_thread=False and
guarded by a re-entrant lock; a `transaction()` block holds the lock until it
ends, so a thread's transaction is never interleaved with another thread's
statements. A Store that finds itself in a forked child reopens its connection.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import sqlite_utils
from pydantic import BaseModel, Field

from conversations.advice_log import (
    AdviceEntry,
    AdviceRow,
    DeliveryState,
    Viewer,
    Vote,
    fts_match,
    scope_text,
    visibility_sql,
)
from conversations.dbcheck import DatabaseProblem, check_contents, check_database
from conversations.schema import migrate

BUSY_TIMEOUT_S = 5.0
EVENT_KEEP_S = 3600.0
_EVENT_PRUNE_EVERY_S = 300.0
_BACKOFF_CAP_S = 300.0

OutboxState = Literal["pending", "failed_retrying", "delivered", "failed"]
_DUE_STATES = "('pending', 'failed_retrying')"


# Every advice column, but of its result only the stage name (see search_advice).
_BRIEF_COLUMNS = (
    "a.*, CASE WHEN a.result_json IS NULL THEN NULL ELSE '{}' END AS result_json, "
    "json_extract(a.result_json, '$.stage.name') AS stage_name"
)


class StaleDialog(RuntimeError):
    """A dialog changed since it was loaded (saved with a wrong expected_version)."""


class DialogRow(BaseModel):
    key: str
    state: dict[str, Any]
    owner: str | None = None
    team: str | None = None
    channel: str | None = None
    private: bool = False
    finished: bool = False
    version: int
    created_at: float
    updated_at: float
    expired: bool = False


class OutgoingMessage(BaseModel):
    """A reply to post. `key` orders messages: one key's messages go out in order."""

    channel: str
    payload: dict[str, Any]
    key: str | None = None
    thread_ts: str | None = None
    advice_id: int | None = None
    ephemeral_to: str | None = None  # a user id: a note only that person sees


class OutboxRow(OutgoingMessage):
    id: int
    created_at: float
    state: OutboxState
    attempts: int
    next_attempt_at: float
    lease_owner: str | None = None
    lease_until: float | None = None
    posted_ts: str | None = None
    last_error: str | None = None


class AcceptedStep(BaseModel):
    """What `accept_step` saved: the dialog's new version, its advice and its replies."""

    dialog_version: int
    advice_id: int | None = None
    outbox_ids: list[int] = Field(default_factory=list)


@dataclass(frozen=True)
class LogRows:
    """An advice entry and its replies as the columns they are stored as, serialised
    before the write lock is taken: the lock is shared by every worker process, and any
    work done while holding it (at the mercy of the GIL) holds up their writes too."""

    advice: dict[str, Any] | None
    outbox: list[OutgoingMessage]
    payloads: list[str]


def log_rows(advice: AdviceEntry | None, outbox: Sequence[OutgoingMessage]) -> LogRows:
    return LogRows(None if advice is None else _advice_columns(advice), list(outbox),
                   [json.dumps(m.payload) for m in outbox])


EMPTY_LOG = log_rows(None, [])


def backoff_s(attempts: int) -> float:
    """Seconds to wait after the n-th failed attempt: 2, 4, 8 ... capped at 5 minutes."""
    return min(2.0 ** max(attempts, 1), _BACKOFF_CAP_S)


def _advice_columns(entry: AdviceEntry) -> dict[str, Any]:
    row = entry.model_dump(exclude={"inputs", "result"})
    row["inputs_json"] = json.dumps(entry.inputs)
    row["result_json"] = None if entry.result is None else json.dumps(entry.result)
    row["scope"] = scope_text(entry.team, entry.channel, entry.asked_by, entry.private)
    return row


def _insert_sql(table: str, row: dict[str, Any]) -> str:
    return f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})"


def _delivery(sent: list[dict[str, Any]]) -> tuple[DeliveryState, str | None]:
    """An advice's delivery state is that of its replies: all must be delivered."""
    if not sent:
        return "none", None
    states = {o["state"] for o in sent}
    first_ts = sent[0]["posted_ts"]
    for state in ("failed", "failed_retrying", "pending"):
        if state in states:
            return state, first_ts  # type: ignore[return-value]
    return "delivered", first_ts


class Store:
    """Dialogs, advice log, handled events and the delivery outbox in one SQLite file."""

    def __init__(
        self,
        path: str | Path,
        *,
        dialog_ttl_s: float = 86400,
        synchronous: Literal["NORMAL", "FULL"] = "NORMAL",
    ) -> None:
        self.path = Path(path)
        self.dialog_ttl_s = dialog_ttl_s
        self._synchronous = synchronous
        self._lock = threading.RLock()
        self._last_event_prune = float("-inf")
        self._open()

    # -- connection and transactions ---------------------------------------

    def _open(self) -> None:
        """Check the file (DatabaseProblem, nothing written), then set WAL and migrate."""
        check_database(self.path)
        try:
            conn = sqlite3.connect(
                str(self.path), timeout=BUSY_TIMEOUT_S, check_same_thread=False
            )
        except sqlite3.Error as err:
            raise DatabaseProblem(self.path, f"it cannot be opened ({err})") from err
        try:
            check_contents(conn, self.path)  # again, on the connection that will write
        except BaseException:
            conn.close()
            raise
        self._pid = os.getpid()
        self._writers = None  # the writers' lock file, opened on the first write
        self.db = sqlite_utils.Database(conn)
        self.db.enable_wal()
        # NORMAL is safe against a killed process in WAL mode; only a power
        # cut can roll back the last commits (never corrupt the file).
        conn.execute(f"PRAGMA synchronous = {self._synchronous}")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(self.db)

    @property
    def conn(self) -> sqlite3.Connection:
        if os.getpid() != self._pid:  # inherited across fork: never reuse it
            self._open()
        return self.db.conn

    def close(self) -> None:
        with self._lock:
            self.db.close()
            if self._writers is not None:
                self._writers.close()
                self._writers = None

    @contextmanager
    def _writer_turn(self) -> Iterator[None]:
        """Writers on this host take turns through a lock file beside the database.

        SQLite's own wait for its write lock sleeps and polls (up to 100 ms a round), so
        under contention between worker processes an ack could wait far longer than the
        write takes; a blocking flock wakes the next writer as soon as the lock is free.
        """
        if self._writers is None:
            self._writers = open(f"{self.path}-writers", "a+b")  # noqa: SIM115 - kept open
        fcntl.flock(self._writers.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._writers.fileno(), fcntl.LOCK_UN)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """BEGIN IMMEDIATE ... COMMIT around the block; a nested block joins the outer one.

        Everything the block does through this Store commits together or not at all: an
        error in a nested block rolls back the whole transaction when it reaches the
        outer block (no savepoints: nothing here recovers from a failed part and goes on,
        and each savepoint costs two statements on the request path).
        """
        with self._lock:
            conn = self.conn
            if conn.in_transaction:
                yield self
                return
            with self._writer_turn():
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            cursor = self.conn.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    # -- dialogs ------------------------------------------------------------

    def save_dialog(
        self,
        key: str,
        state: dict[str, Any],
        *,
        now: float,
        owner: str | None = None,
        team: str | None = None,
        channel: str | None = None,
        private: bool | None = None,
        finished: bool = False,
        expected_version: int | None = None,
    ) -> int:
        """Insert or replace a dialog's state; return its new version.

        Place columns given as None keep their stored value. With
        `expected_version`, raise StaleDialog if someone saved in between.
        """
        with self.transaction():
            current = self.conn.execute(
                "SELECT version FROM dialogs WHERE key = ?", (key,)
            ).fetchone()
            have = current[0] if current else None
            if expected_version is not None and have != expected_version:
                raise StaleDialog(f"dialog {key} is at version {have}, not {expected_version}")
            self.conn.execute(
                """
                INSERT INTO dialogs (key, owner, team, channel, private, state_json,
                                     finished, version, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                ON CONFLICT(key) DO UPDATE SET
                    owner = COALESCE(excluded.owner, owner),
                    team = COALESCE(excluded.team, team),
                    channel = COALESCE(excluded.channel, channel),
                    private = CASE WHEN ? IS NULL THEN private ELSE excluded.private END,
                    state_json = excluded.state_json,
                    finished = excluded.finished,
                    version = version + 1,
                    updated_at = excluded.updated_at
                """,
                (key, owner, team, channel, bool(private), json.dumps(state),
                 finished, now, now, private),
            )
            return (have or 0) + 1

    def load_dialog(self, key: str, *, now: float) -> DialogRow | None:
        rows = self._rows("SELECT * FROM dialogs WHERE key = ?", (key,))
        return self._dialog(rows[0], now) if rows else None

    def delete_dialog(self, key: str) -> bool:
        with self.transaction():
            return self.conn.execute("DELETE FROM dialogs WHERE key = ?", (key,)).rowcount > 0

    def open_dialogs(
        self, prefix: str | None = None, *, now: float | None = None
    ) -> list[DialogRow]:
        """Unfinished dialogs whose key starts with `prefix`, oldest first.

        Expired ones are included, flagged (only when `now` is given).
        """
        sql = "SELECT * FROM dialogs WHERE finished = 0"
        params: list[Any] = []
        if prefix:
            sql += " AND key >= ? AND key < ?"
            params += [prefix, prefix + "\U0010ffff"]
        rows = self._rows(sql + " ORDER BY updated_at", params)
        return [self._dialog(row, now) for row in rows]

    def latest_open_dialog_for(
        self, owner: str, *, now: float | None = None, prefix: str | None = None
    ) -> DialogRow | None:
        """The owner's most recently touched unfinished dialog (terminal resume)."""
        sql = "SELECT * FROM dialogs WHERE owner = ? AND finished = 0"
        params: list[Any] = [owner]
        if prefix:
            sql += " AND key >= ? AND key < ?"
            params += [prefix, prefix + "\U0010ffff"]
        rows = self._rows(sql + " ORDER BY updated_at DESC LIMIT 1", params)
        return self._dialog(rows[0], now) if rows else None

    def _dialog(self, row: dict[str, Any], now: float | None) -> DialogRow:
        state = json.loads(row.pop("state_json"))
        expired = (
            now is not None
            and not row["finished"]
            and now - row["updated_at"] > self.dialog_ttl_s
        )
        return DialogRow(state=state, expired=expired, **row)

    def accept_step(
        self,
        key: str,
        state: dict[str, Any],
        *,
        now: float,
        rows: LogRows = EMPTY_LOG,
        finished: bool = False,
        expected_version: int | None = None,
        **place: Any,
    ) -> AcceptedStep:
        """Save a dialog step, its advice and its replies (`rows`, serialised by
        `log_rows` before the lock is taken) in one transaction.

        Messages without an advice_id are linked to the advice logged here, so
        the advice's delivery state is that of its replies.
        """
        with self.transaction():
            version = self.save_dialog(
                key, state, now=now, finished=finished,
                expected_version=expected_version, **place,
            )
            advice_id, ids = self.log(rows, now=now)
        return AcceptedStep(dialog_version=version, advice_id=advice_id, outbox_ids=ids)

    # -- advice log -----------------------------------------------------------

    def log_advice(self, entry: AdviceEntry) -> int:
        advice_id, _ = self.log(log_rows(entry, []), now=0.0)
        assert advice_id is not None
        return advice_id

    def log(self, rows: LogRows, *, now: float) -> tuple[int | None, list[int]]:
        """Log an advice entry (if any) and enqueue its replies in one transaction; the
        advice id and the outbox ids. Replies without an advice_id are linked to it."""
        with self.transaction():
            advice_id = None
            if rows.advice is not None:
                cursor = self.conn.execute(_insert_sql("advice", rows.advice),
                                           list(rows.advice.values()))
                advice_id = int(cursor.lastrowid)
            return advice_id, self._insert_outbox(rows, now, advice_id)

    def log_advice_many(self, entries: Iterable[AdviceEntry]) -> int:
        """Log many entries in one transaction (imports, benchmarks); return the count."""
        rows = [_advice_columns(e) for e in entries]
        if not rows:
            return 0
        with self.transaction():
            self.conn.executemany(_insert_sql("advice", rows[0]), [list(r.values()) for r in rows])
        return len(rows)

    def get_advice(self, advice_id: int, *, viewer: Viewer | None = None) -> AdviceRow | None:
        """The row, or None; with `viewer`, only if they may see it (`visibility_sql`)."""
        where, params = visibility_sql(viewer) if viewer else ("1", [])
        rows = self._rows(f"SELECT * FROM advice a WHERE a.id = ? AND {where}",
                          (advice_id, *params))
        return self._advice_rows(rows)[0] if rows else None

    def record_feedback(self, advice_id: int, user: str, helpful: bool, *, now: float) -> None:
        """One vote per user per advice: a second click replaces the first."""
        with self.transaction():
            self.conn.execute(
                """
                INSERT INTO feedback (advice_id, user, helpful, at) VALUES (?, ?, ?, ?)
                ON CONFLICT(advice_id, user) DO UPDATE SET
                    helpful = excluded.helpful, at = excluded.at
                """,
                (advice_id, user, helpful, now),
            )

    def search_advice(
        self, query: str | None, *, viewer: Viewer, limit: int = 20, brief: bool = False
    ) -> list[AdviceRow]:
        """Advice `viewer` may see, newest first, matching every word of `query`.

        With FTS, walks the index newest-first (rowid DESC, consumed by FTS5) and
        stops at `limit` visible rows, so common words stay cheap on big logs.
        `brief` rows carry only the stage name of their result (`{"stage": {"name"}}`):
        a listing needs no more, and parsing whole results was most of its cost.
        """
        where, params = visibility_sql(viewer)
        match = fts_match(query, viewer)
        columns = _BRIEF_COLUMNS if brief else "a.*"
        if match is None:
            sql = f"SELECT {columns} FROM advice a WHERE {where} ORDER BY a.id DESC LIMIT ?"
            return self._advice_rows(self._rows(sql, [*params, limit]))
        sql = f"""
            SELECT {columns} FROM advice_fts f JOIN advice a ON a.id = f.rowid
            WHERE advice_fts MATCH ? AND {where}
            ORDER BY f.rowid DESC LIMIT ?
        """
        return self._advice_rows(self._rows(sql, [match, *params, limit]))

    def recent_for_user(self, team: str, user: str, limit: int = 10) -> list[AdviceRow]:
        """What this person asked for, private places included (App Home: "yours")."""
        sql = "SELECT * FROM advice WHERE team = ? AND asked_by = ? ORDER BY id DESC LIMIT ?"
        return self._advice_rows(self._rows(sql, (team, user, limit)))

    def _advice_rows(self, rows: list[dict[str, Any]]) -> list[AdviceRow]:
        """Attach votes and delivery state with one query each, not one per row."""
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        marks = ", ".join("?" for _ in ids)
        votes: dict[int, list[Vote]] = {i: [] for i in ids}
        for v in self._rows(
            f"SELECT advice_id, user, helpful, at FROM feedback WHERE advice_id IN ({marks}) "
            "ORDER BY at", ids,
        ):
            vote = Vote(user=v["user"], helpful=bool(v["helpful"]), at=v["at"])
            votes[v["advice_id"]].append(vote)
        sent: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
        for o in self._rows(
            f"SELECT advice_id, state, posted_ts FROM outbox WHERE advice_id IN ({marks}) "
            "ORDER BY id", ids,
        ):
            sent[o["advice_id"]].append(o)
        return [self._advice_row(row, votes[row["id"]], sent[row["id"]]) for row in rows]

    @staticmethod
    def _advice_row(
        row: dict[str, Any], votes: list[Vote], sent: list[dict[str, Any]]
    ) -> AdviceRow:
        state, delivered_ts = _delivery(sent)
        result_json = row.pop("result_json")
        result = None if result_json is None else json.loads(result_json)
        if "stage_name" in row:  # a brief row: of its result, the stage name only
            stage_name = row.pop("stage_name")
            result = None if result is None else {"stage": {"name": stage_name}}
        row.pop("scope", None)
        return AdviceRow(
            inputs=json.loads(row.pop("inputs_json")),
            result=result,
            votes=votes,
            helpful=sum(v.helpful for v in votes),
            not_helpful=sum(not v.helpful for v in votes),
            delivery_state=state,
            delivered_ts=delivered_ts,
            **row,
        )

    # -- request de-duplication ---------------------------------------------------

    def claim_event(self, event_id: str, *, now: float) -> bool:
        """Record a request's idempotency key (an event id, a trigger id ...); True only
        for the first claim, across processes.

        Inside a caller's `transaction()`, the claim commits with the work it
        guards, so a crash before commit lets Slack's retry be handled.
        """
        with self.transaction():
            if now - self._last_event_prune > _EVENT_PRUNE_EVERY_S:
                self.conn.execute("DELETE FROM events WHERE seen_at < ?", (now - EVENT_KEEP_S,))
                self._last_event_prune = now
            cursor = self.conn.execute(
                "INSERT OR IGNORE INTO events (event_id, seen_at) VALUES (?, ?)", (event_id, now)
            )
            return cursor.rowcount == 1

    # -- delivery outbox ---------------------------------------------------------

    def enqueue(self, messages: Sequence[OutgoingMessage], *, now: float) -> list[int]:
        return self.log(log_rows(None, messages), now=now)[1]

    def _insert_outbox(self, rows: LogRows, now: float, advice_id: int | None) -> list[int]:
        ids = []
        with self.transaction():
            for m, payload in zip(rows.outbox, rows.payloads, strict=True):
                cursor = self.conn.execute(
                    """
                    INSERT INTO outbox (created_at, key, channel, thread_ts, payload_json,
                                        advice_id, ephemeral_to, next_attempt_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    (now, m.key, m.channel, m.thread_ts, payload,
                     advice_id if m.advice_id is None else m.advice_id, m.ephemeral_to, now),
                )
                ids.append(int(cursor.lastrowid))
        return ids

    _CLAIMABLE = f"""
        o.state IN {_DUE_STATES} AND o.next_attempt_at <= :now
        AND (o.lease_until IS NULL OR o.lease_until <= :now)
        AND (o.key IS NULL OR NOT EXISTS (
            SELECT 1 FROM outbox e
            WHERE e.key = o.key AND e.id < o.id AND e.state IN {_DUE_STATES}))
    """

    _DUE_FIRST = (f"SELECT o.id FROM outbox o WHERE {_CLAIMABLE} "
                  "ORDER BY o.next_attempt_at, o.id LIMIT :limit")

    def claim_pending_deliveries(
        self, worker: str, *, now: float, lease_s: float = 30, limit: int = 10
    ) -> list[OutboxRow]:
        """Lease due messages to `worker`, longest due first (enqueue order for new
        ones); no two workers get one row.

        Only the oldest undelivered message of each key is due, so a thread's
        replies are posted in order. Each claim counts as an attempt. The order is that
        of the partial index of due rows, so a claim reads only due rows, never the
        delivered history (ordering by id alone scanned the whole table).
        """
        params = {"now": now, "limit": limit}
        if not self._rows(f"SELECT 1 FROM outbox o WHERE {self._CLAIMABLE} LIMIT 1", params):
            return []  # looked before locking: an idle poll never takes the write lock
        return self._claim(self._DUE_FIRST, params, worker, now + lease_s)

    def _claim(
        self, select: str, params: dict[str, Any], worker: str, lease_until: float
    ) -> list[OutboxRow]:
        with self.transaction():
            rows = self._rows(
                f"""
                UPDATE outbox SET lease_owner = :worker, lease_until = :lease_until,
                                  attempts = attempts + 1
                WHERE id IN ({select})
                RETURNING *
                """,
                {**params, "worker": worker, "lease_until": lease_until},
            )
        return sorted((self._outbox_row(r) for r in rows), key=lambda r: r.id)

    def mark_opened(self, outbox_id: int, posted_ts: str, new_key: str) -> bool:
        """Record the post that opened a dialog's thread and, in the same transaction,
        move the dialog and its waiting replies from their provisional key to `new_key`,
        in that thread. False (nothing moved) if it was already marked delivered."""
        with self.transaction():
            row = self.conn.execute("SELECT key FROM outbox WHERE id = ?",
                                    (outbox_id,)).fetchone()
            if not self.mark_delivered(outbox_id, posted_ts) or row is None or not row[0]:
                return False
            old_key = row[0]
            self.conn.execute("UPDATE dialogs SET key = ? WHERE key = ?", (new_key, old_key))
            self.conn.execute(
                f"UPDATE outbox SET key = ?, thread_ts = ? WHERE key = ? AND state IN "
                f"{_DUE_STATES}", (new_key, posted_ts, old_key))
            return True

    def mark_delivered(self, outbox_id: int, posted_ts: str | None) -> bool:
        """Record a successful post; False if it was already marked delivered."""
        with self.transaction():
            cursor = self.conn.execute(
                """
                UPDATE outbox SET state = 'delivered', posted_ts = ?,
                                  lease_owner = NULL, lease_until = NULL, last_error = NULL
                WHERE id = ? AND state != 'delivered'
                """,
                (posted_ts, outbox_id),
            )
            return cursor.rowcount == 1

    def mark_failed(
        self,
        outbox_id: int,
        *,
        now: float,
        retry_after_s: float | None = None,
        error: str | None = None,
        permanent: bool = False,
    ) -> None:
        """Release the lease and schedule a retry (Retry-After, else exponential backoff).

        `permanent` gives up (e.g. channel gone): the row no longer blocks its key.
        """
        with self.transaction():
            found = self.conn.execute(
                "SELECT attempts FROM outbox WHERE id = ? AND state != 'delivered'", (outbox_id,)
            ).fetchone()
            if not found:
                return
            wait = retry_after_s if retry_after_s is not None else backoff_s(found[0])
            self.conn.execute(
                """
                UPDATE outbox SET state = ?, next_attempt_at = ?, last_error = ?,
                                  lease_owner = NULL, lease_until = NULL
                WHERE id = ?
                """,
                ("failed" if permanent else "failed_retrying", now + wait, error, outbox_id),
            )

    def abandon_key(self, key: str, error: str) -> int:
        """Give up every undelivered message of `key` (their thread could not be opened);
        how many."""
        with self.transaction():
            return self.conn.execute(
                f"UPDATE outbox SET state = 'failed', last_error = ?, lease_owner = NULL, "
                f"lease_until = NULL WHERE key = ? AND state IN {_DUE_STATES}",
                (error, key)).rowcount

    def newest_enqueued_at(self) -> float | None:
        """When the newest reply was queued (by any process); None if none ever was."""
        rows = self._rows("SELECT created_at FROM outbox ORDER BY id DESC LIMIT 1")
        return rows[0]["created_at"] if rows else None

    def leases(self) -> list[tuple[int, str]]:
        """(id, owner) of undelivered messages currently leased by some worker."""
        rows = self._rows(
            f"SELECT id, lease_owner FROM outbox WHERE lease_owner IS NOT NULL "
            f"AND state IN {_DUE_STATES}")
        return [(r["id"], r["lease_owner"]) for r in rows]

    def release_lease(self, outbox_id: int, owner: str) -> bool:
        """Free a lease whose owner is known to be gone (a crashed worker), so the message
        is retried now rather than when the lease runs out."""
        with self.transaction():
            cursor = self.conn.execute(
                "UPDATE outbox SET lease_owner = NULL, lease_until = NULL "
                "WHERE id = ? AND lease_owner = ?", (outbox_id, owner))
            return cursor.rowcount == 1

    def get_outbox(self, outbox_id: int) -> OutboxRow | None:
        rows = self._rows("SELECT * FROM outbox WHERE id = ?", (outbox_id,))
        return self._outbox_row(rows[0]) if rows else None

    @staticmethod
    def _outbox_row(row: dict[str, Any]) -> OutboxRow:
        return OutboxRow(payload=json.loads(row.pop("payload_json")), **row)
