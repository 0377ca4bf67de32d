"""The SQLite store on real files: schema, dialogs, advice log, dedup, outbox."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import threading
from pathlib import Path

import pytest
import sqlite_utils

from conversations import schema
from conversations.advice_log import AdviceEntry, Viewer, fts_query
from conversations.schema import MIGRATIONS, SchemaTooNew, migrate
from conversations.service import Conversations
from conversations.store import OutgoingMessage, StaleDialog, Store, backoff_s, log_rows

KEY = "T1:C1:1700000000.000100"


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "advisor.db", dialog_ttl_s=600)
    yield s
    s.close()


def entry(**over) -> AdviceEntry:
    base = dict(
        created_at=1000.0, team="T1", channel="C1", asked_by="U1", kind="diagnose",
        summary="Stage 2: database is the bottleneck", symptoms="db cpu pegged, checkout slow",
        findings="db_cpu_pct 92 above warning 80", recommendations="add a read replica",
        stage=2, layer="database", symptom="database_slow",
    )
    return AdviceEntry(**{**base, **over})


# -- schema -----------------------------------------------------------------------


def test_schema_created_with_wal_and_version(tmp_path: Path):
    path = tmp_path / "a.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"dialogs", "advice", "advice_fts", "feedback", "events", "outbox"} <= tables


def test_reopen_is_idempotent_and_keeps_data(tmp_path: Path):
    path = tmp_path / "a.db"
    with Store(path) as s:
        aid = s.log_advice(entry())
    with Store(path) as s:
        assert s.get_advice(aid).summary == "Stage 2: database is the bottleneck"
    with Store(path) as s:
        assert len(s.search_advice("replica", viewer=Viewer(team="T1"))) == 1


def test_v1_file_is_migrated_with_its_rows(tmp_path: Path):
    path = tmp_path / "a.db"
    db = sqlite_utils.Database(path)
    assert migrate(db, MIGRATIONS[:1]) == 1
    db.execute(
        "INSERT INTO advice (created_at, team, channel, private, asked_by, kind, symptoms) "
        "VALUES (1, 'T1', 'G1', 1, 'U1', 'diagnose', 'replica lag')"
    )
    db.close()
    with Store(path) as s:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) == 5
        assert len(s.search_advice("replica", viewer=Viewer(team="T1", channel="G1"))) == 1
        assert len(s.search_advice("replica", viewer=Viewer(team="T1", user="U1"))) == 1
        assert s.search_advice("replica", viewer=Viewer(team="T1", channel="C1")) == []


def test_v3_file_loses_its_jobs_table_and_keeps_its_outbox(tmp_path: Path):
    path = tmp_path / "a.db"
    db = sqlite_utils.Database(path)
    assert migrate(db, MIGRATIONS[:3]) == 3
    db.execute("INSERT INTO outbox (created_at, channel, payload_json, next_attempt_at) "
               "VALUES (1, 'C1', '{}', 1)")
    db.conn.commit()
    db.close()
    with Store(path) as s:
        tables = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master")}
        assert "jobs" not in tables
        [row] = s.claim_pending_deliveries("w", now=2)
        assert (row.channel, row.ephemeral_to, row.attempts) == ("C1", None, 1)


def test_newer_schema_is_refused(tmp_path: Path):
    path = tmp_path / "a.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(SchemaTooNew):
        Store(path)


# -- dialogs ------------------------------------------------------------------------


def test_dialog_save_load_update(store: Store):
    assert store.load_dialog(KEY, now=0) is None
    assert store.save_dialog(KEY, {"step": "users"}, now=100, owner="U1", channel="C1") == 1
    assert store.save_dialog(KEY, {"step": "p95", "users": 50000}, now=160) == 2
    row = store.load_dialog(KEY, now=200)
    assert row.state == {"step": "p95", "users": 50000}
    assert (row.owner, row.channel, row.version) == ("U1", "C1", 2)
    assert (row.created_at, row.updated_at, row.expired) == (100, 160, False)


def test_dialog_expires_but_is_not_dropped(store: Store):
    store.save_dialog(KEY, {"step": "users"}, now=100)
    assert store.load_dialog(KEY, now=700).expired is False
    row = store.load_dialog(KEY, now=701)
    assert row.expired is True
    assert row.state == {"step": "users"}


def test_dialog_delete_and_listing(store: Store):
    store.save_dialog("T1:C1:1", {}, now=1, owner="U1")
    store.save_dialog("T1:C2:1", {}, now=2, owner="U1")
    store.save_dialog("T2:C1:1", {}, now=3, owner="U2")
    store.save_dialog("T1:C1:2", {}, now=4, owner="U1", finished=True)
    assert [d.key for d in store.open_dialogs()] == ["T1:C1:1", "T1:C2:1", "T2:C1:1"]
    assert [d.key for d in store.open_dialogs("T1:")] == ["T1:C1:1", "T1:C2:1"]
    assert store.latest_open_dialog_for("U1").key == "T1:C2:1"
    assert store.latest_open_dialog_for("U1", prefix="T1:C1:").key == "T1:C1:1"
    assert store.latest_open_dialog_for("U9") is None
    assert store.delete_dialog("T1:C2:1") is True
    assert store.delete_dialog("T1:C2:1") is False
    assert store.latest_open_dialog_for("U1").key == "T1:C1:1"


def test_stale_save_is_refused(store: Store):
    store.save_dialog(KEY, {"n": 1}, now=1)
    store.save_dialog(KEY, {"n": 2}, now=2, expected_version=1)
    with pytest.raises(StaleDialog):
        store.save_dialog(KEY, {"n": 3}, now=3, expected_version=1)
    assert store.load_dialog(KEY, now=3).state == {"n": 2}


def test_unclosed_store_is_read_by_another(tmp_path: Path):
    path = tmp_path / "a.db"
    first = Store(path)
    first.save_dialog(KEY, {"step": "p95"}, now=5)
    second = Store(path)
    assert second.load_dialog(KEY, now=6).state == {"step": "p95"}
    second.close()


def _save_then_die(path: str) -> None:
    store = Store(path)
    store.accept_step(
        KEY, {"step": "db_cpu", "users": 40000}, now=10,
        rows=log_rows(None, [OutgoingMessage(channel="C1", key=KEY,
                                             payload={"text": "DB CPU?"})]),
    )
    os.kill(os.getpid(), signal.SIGKILL)


def test_killed_process_resumes_exactly(tmp_path: Path):
    path = str(tmp_path / "a.db")
    Store(path).close()
    proc = multiprocessing.get_context("fork").Process(target=_save_then_die, args=(path,))
    proc.start()
    proc.join(30)
    assert proc.exitcode == -signal.SIGKILL
    with Store(path) as s:
        assert s.load_dialog(KEY, now=11).state == {"step": "db_cpu", "users": 40000}
        [due] = s.claim_pending_deliveries("w", now=11)
        assert due.payload == {"text": "DB CPU?"}


def test_accept_step_is_atomic(store: Store):
    store.save_dialog(KEY, {"n": 1}, now=1)
    bad = OutgoingMessage(channel="C1", payload={}, advice_id=999)  # no such advice: FK fails
    with pytest.raises(sqlite3.IntegrityError):
        store.accept_step(KEY, {"n": 2}, now=2, rows=log_rows(entry(), [bad]))
    assert store.load_dialog(KEY, now=2).state == {"n": 1}
    assert store.search_advice(None, viewer=Viewer(team="T1")) == []
    assert store.claim_pending_deliveries("w", now=2) == []


def test_accept_step_links_replies_to_advice(store: Store):
    result = store.accept_step(
        KEY, {"done": True}, now=5, finished=True, rows=log_rows(
            entry(), [OutgoingMessage(channel="C1", thread_ts="1.0", key=KEY, payload={"n": 1})]),
    )
    assert store.get_advice(result.advice_id).delivery_state == "pending"
    [row] = store.claim_pending_deliveries("w", now=5)
    assert row.advice_id == result.advice_id
    store.mark_delivered(row.id, "1700.01")
    advice = store.get_advice(result.advice_id)
    assert (advice.delivery_state, advice.delivered_ts) == ("delivered", "1700.01")
    assert store.open_dialogs() == []


def test_nested_transaction_rolls_back_together(store: Store):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.save_dialog(KEY, {"n": 1}, now=1)
            assert store.claim_event("Ev1", now=1) is True
            raise RuntimeError("crash before commit")
    assert store.load_dialog(KEY, now=1) is None
    assert store.claim_event("Ev1", now=2) is True


# -- advice log ----------------------------------------------------------------------


def test_advice_round_trip(store: Store):
    aid = store.log_advice(entry(inputs={"metrics": {"users": 40000}}, result={"x": [1]}))
    row = store.get_advice(aid)
    assert row.inputs == {"metrics": {"users": 40000}}
    assert row.result == {"x": [1]}
    assert (row.stage, row.layer, row.private, row.delivery_state) == (2, "database", False, "none")
    assert store.get_advice(aid + 1) is None


def test_brief_rows_carry_only_the_stage_name_of_their_result(store: Store):
    full = {"stage": {"name": "Scale-up", "number": 2}, "findings": [{"m": "x"}]}
    a = store.log_advice(entry(result=full))
    b = store.log_advice(entry(result={"findings": []}))
    c = store.log_advice(entry(kind="ask", result=None))
    viewer = Viewer(team="T1")
    for query in (None, "replica"):
        brief = store.search_advice(query, viewer=viewer, brief=True)
        whole = store.search_advice(query, viewer=viewer)
        assert [r.result for r in brief] == [None, {"stage": {"name": None}},
                                             {"stage": {"name": "Scale-up"}}]
        assert [r.id for r in brief] == [c, b, a]
        assert [r.model_copy(update={"result": None}) for r in brief] == [
            r.model_copy(update={"result": None}) for r in whole]


@pytest.mark.parametrize(
    "query", ['"', "AND", "*", "OR NOT", "NEAR(", "summary:", "a\"b'c", "(((", "-", "^x", "🔥"]
)
def test_odd_queries_do_not_raise(store: Store, query: str):
    store.log_advice(entry())
    store.search_advice(query, viewer=Viewer(team="T1"))


def test_fts_query_quotes_every_word():
    assert fts_query('db "cpu" AND *') == '"db" "cpu" "AND"'
    assert fts_query('" * (') is None


def test_search_matches_words_and_stems_newest_first(store: Store):
    a = store.log_advice(entry(symptoms="api timeouts at checkout"))
    b = store.log_advice(entry(symptoms="checkout timeout", created_at=2000))
    store.log_advice(entry(symptoms="memory grows", findings="", recommendations="restart"))
    viewer = Viewer(team="T1", channel="C1", user="U1")
    assert [r.id for r in store.search_advice("checkout timeout", viewer=viewer)] == [b, a]
    assert [r.id for r in store.search_advice("replica", viewer=viewer, limit=1)] == [b]
    assert store.search_advice("sharding", viewer=viewer) == []


def test_privacy_rules(store: Store):
    public = store.log_advice(entry(channel="C1", asked_by="U1"))
    private = store.log_advice(entry(channel="G9", private=True, asked_by="U2"))
    store.log_advice(entry(team="T2", channel="C1", asked_by="U1"))

    def seen(**viewer) -> list[int]:
        v = Viewer(**viewer)
        return [r.id for r in store.search_advice("replica", viewer=v) if r.team == "T1"]

    assert seen(team="T1", channel="C7", user="U3") == [public]
    assert seen(team="T1", channel="G9", user="U3") == [private, public]
    assert seen(team="T1", channel="C7", user="U2") == [private, public]
    assert seen(team="T2", channel="G9", user="U2") == []
    assert [r.id for r in store.search_advice(None, viewer=Viewer(team="T1", channel="C7"))] == [
        public
    ]


def test_home_lists(store: Store):
    mine_private = store.log_advice(entry(channel="D1", private=True, asked_by="U1"))
    theirs_private = store.log_advice(entry(channel="D2", private=True, asked_by="U2"))
    theirs_public = store.log_advice(entry(channel="C1", asked_by="U2"))
    other_team = store.log_advice(entry(team="T2", asked_by="U1"))
    store.log_advice(entry(team="T2", asked_by="U1", kind="ask"))
    assert [r.id for r in store.recent_for_user("T1", "U1")] == [mine_private]
    mine, team = Conversations(store).home_rows("T1", "U1")
    assert [r.id for r in mine] == [mine_private]
    assert [r.id for r in team] == [theirs_public, mine_private]
    assert theirs_private not in [r.id for r in team]
    # only diagnoses, only of the team asked about
    assert [[r.id for r in rows] for rows in Conversations(store).home_rows("T2", "U1")
            ] == [[other_team], [other_team]]


def test_feedback_one_vote_per_user(store: Store):
    aid = store.log_advice(entry())
    store.record_feedback(aid, "U1", True, now=1)
    store.record_feedback(aid, "U2", True, now=2)
    store.record_feedback(aid, "U1", False, now=3)
    row = store.get_advice(aid)
    assert (row.helpful, row.not_helpful) == (1, 1)
    assert [(v.user, v.helpful, v.at) for v in row.votes] == [("U2", True, 2), ("U1", False, 3)]


# -- event de-duplication ---------------------------------------------------------------


def test_claim_event_once_across_stores(tmp_path: Path):
    a, b = Store(tmp_path / "a.db"), Store(tmp_path / "a.db")
    assert a.claim_event("Ev1", now=1) is True
    assert b.claim_event("Ev1", now=2) is False
    assert a.claim_event("Ev1", now=3) is False
    assert b.claim_event("Ev2", now=3) is True


def test_old_events_are_pruned(store: Store):
    assert store.claim_event("Ev1", now=0) is True
    assert store.claim_event("Ev1", now=3599) is False
    assert store.claim_event("Ev2", now=4000) is True  # prunes Ev1 (seen > 1 h ago)
    assert store.claim_event("Ev1", now=4001) is True


def _claim_in_process(path: str, barrier, results) -> None:
    store = Store(path)
    barrier.wait()
    results.put(store.claim_event("EvShared", now=1))


def test_claim_event_once_across_processes(tmp_path: Path):
    path = str(tmp_path / "a.db")
    Store(path).close()
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(6), ctx.Queue()
    procs = [ctx.Process(target=_claim_in_process, args=(path, barrier, results)) for _ in range(6)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=30) for _ in procs]
    for p in procs:
        p.join(30)
    assert sorted(outcomes) == [False] * 5 + [True]


# -- outbox ------------------------------------------------------------------------------


def msg(n: int, key: str | None = None) -> OutgoingMessage:
    return OutgoingMessage(channel="C1", thread_ts="1.0", key=key, payload={"n": n})


def test_two_stores_never_claim_the_same_row(tmp_path: Path):
    a, b = Store(tmp_path / "a.db"), Store(tmp_path / "a.db")
    a.enqueue([msg(n) for n in range(40)], now=0)
    claimed: list[list[int]] = [[], []]

    def drain(store: Store, into: list[int], worker: str) -> None:
        while rows := store.claim_pending_deliveries(worker, now=1, limit=3):
            into.extend(r.id for r in rows)

    threads = [
        threading.Thread(target=drain, args=(a, claimed[0], "wa")),
        threading.Thread(target=drain, args=(b, claimed[1], "wb")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not set(claimed[0]) & set(claimed[1])
    assert sorted(claimed[0] + claimed[1]) == list(range(1, 41))


def test_lease_expiry_and_delivery(store: Store):
    [oid] = store.enqueue([msg(1)], now=0)
    assert [r.id for r in store.claim_pending_deliveries("w1", now=0, lease_s=30)] == [oid]
    assert store.claim_pending_deliveries("w2", now=29) == []
    [again] = store.claim_pending_deliveries("w2", now=30)
    assert (again.lease_owner, again.attempts) == ("w2", 2)
    assert store.mark_delivered(oid, "99.1") is True
    assert store.mark_delivered(oid, "99.2") is False
    assert store.get_outbox(oid).posted_ts == "99.1"
    assert store.claim_pending_deliveries("w3", now=1000) == []


def test_failure_backoff(store: Store):
    [oid] = store.enqueue([msg(1)], now=0)
    store.claim_pending_deliveries("w", now=0)
    store.mark_failed(oid, now=0, error="ratelimited", retry_after_s=10)
    row = store.get_outbox(oid)
    assert (row.state, row.next_attempt_at, row.lease_owner) == ("failed_retrying", 10, None)
    assert store.claim_pending_deliveries("w", now=9) == []
    store.claim_pending_deliveries("w", now=10)
    store.mark_failed(oid, now=10)  # second attempt, no Retry-After: exponential
    assert store.get_outbox(oid).next_attempt_at == 10 + backoff_s(2) == 14
    store.claim_pending_deliveries("w", now=14)
    store.mark_failed(oid, now=14, permanent=True)
    assert store.get_outbox(oid).state == "failed"
    assert store.claim_pending_deliveries("w", now=10_000) == []


def test_backoff_grows_and_caps():
    assert [backoff_s(n) for n in (1, 2, 3, 8, 9, 30)] == [2, 4, 8, 256, 300, 300]


def test_one_key_is_posted_in_order(store: Store):
    first, second = store.enqueue([msg(1, KEY), msg(2, KEY)], now=0)
    [other] = store.enqueue([msg(3, "T1:C2:5")], now=0)
    assert [r.id for r in store.claim_pending_deliveries("w", now=0)] == [first, other]
    store.mark_failed(first, now=0, retry_after_s=5)
    assert store.claim_pending_deliveries("w", now=1) == []  # second waits behind first
    assert [r.id for r in store.claim_pending_deliveries("w", now=5)] == [first]
    store.mark_delivered(first, "1.1")
    [then] = store.claim_pending_deliveries("w", now=5)
    assert (then.id, then.payload) == (second, {"n": 2})


def test_a_claim_reads_only_due_rows(store: Store):
    """The claim walks the partial index of due rows: the delivered history, which only
    grows, is never scanned (a full scan made every claim slower as the log grew)."""
    plan = [row[3] for row in store.conn.execute(
        "EXPLAIN QUERY PLAN " + store._DUE_FIRST, {"now": 0, "limit": 8})]
    assert plan == ["SEARCH o USING INDEX outbox_due (next_attempt_at<?)",
                    "CORRELATED SCALAR SUBQUERY 1",
                    "SEARCH e USING INDEX outbox_key (key=? AND id<?)"]


def test_one_store_shared_by_threads(store: Store):
    wins: list[bool] = []
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(20):
                with store.transaction():
                    store.save_dialog(f"K{n}", {"i": i}, now=i)
                    wins.append(store.claim_event(f"Ev{i}", now=i))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert wins.count(True) == 20
    assert [store.load_dialog(f"K{n}", now=20).version for n in range(8)] == [20] * 8


def test_a_migration_script_runs_statement_by_statement_inside_the_transaction(
        tmp_path: Path) -> None:
    """Semicolons inside a trigger, a string or a comment do not end a statement, and the
    script does not commit migrate's transaction: a later failing step undoes it."""
    script = """
        CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);  -- a comment; with a semicolon
        CREATE TABLE seen (note INTEGER);
        CREATE TRIGGER noted AFTER INSERT ON notes BEGIN
            INSERT INTO seen VALUES (new.id);
            INSERT INTO seen VALUES (-new.id);
        END;
        INSERT INTO notes (body) VALUES ('a; b');
        /* a block comment; still no statement */
        INSERT INTO notes (body) VALUES ('c')
    """

    def fail(db: sqlite_utils.Database) -> None:
        raise RuntimeError("the next step fails")

    def scripted(db: sqlite_utils.Database) -> None:
        schema._script(db, script)

    db = sqlite_utils.Database(tmp_path / "s.db")
    with pytest.raises(RuntimeError):
        migrate(db, [scripted, fail])
    assert (db.table_names(), db.execute("PRAGMA user_version").fetchone()) == ([], (0,))
    assert migrate(db, [scripted]) == 1
    assert db.execute("SELECT id, body FROM notes").fetchall() == [(1, "a; b"), (2, "c")]
    assert db.execute("SELECT note FROM seen").fetchall() == [(1,), (-1,), (2,), (-2,)]
