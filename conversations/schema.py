"""The SQLite schema, as an ordered list of migrations applied on open.

`PRAGMA user_version` records how many migrations a file has had. Migrations run
inside one BEGIN IMMEDIATE transaction, so several processes opening the same
file at once apply each step exactly once (the others wait, then see the new
version). Append new migrations; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import sqlite_utils

from conversations.advice_log import scope_text


class DatabaseProblem(RuntimeError):
    """A database file this app cannot use; `str()` is one line naming the path and why."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"cannot use database {path}: {reason}")
        self.path = path
        self.reason = reason


class SchemaTooNew(DatabaseProblem):
    """The file was written by a newer version of the app than this one."""


def _script(db: sqlite_utils.Database, sql: str) -> None:
    """Each statement of `sql`, one by one, inside migrate's transaction (a script would
    commit it). sqlite-utils' executescript does the same in a transaction, but looks for
    a complete statement after every character: opening a new file took about 29 ms, not
    10. A statement can only end at a semicolon, so looking there finds the same ones."""
    pending = ""
    for piece in sql.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                db.execute(pending.strip())
            pending = ""
    if pending.strip(" \t\r\n;"):
        db.execute(pending.strip())


def _v1_initial(db: sqlite_utils.Database) -> None:
    _script(db,
        """
        CREATE TABLE dialogs (
            key TEXT PRIMARY KEY,
            owner TEXT,
            team TEXT,
            channel TEXT,
            private INTEGER NOT NULL DEFAULT 0,
            state_json TEXT NOT NULL,
            finished INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL DEFAULT 1,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE INDEX dialogs_owner ON dialogs(owner, updated_at);

        CREATE TABLE advice (
            id INTEGER PRIMARY KEY,
            created_at REAL NOT NULL,
            team TEXT NOT NULL,
            channel TEXT NOT NULL,
            conversation_key TEXT,
            thread_ts TEXT,
            private INTEGER NOT NULL DEFAULT 0,
            asked_by TEXT NOT NULL,
            kind TEXT NOT NULL,
            inputs_json TEXT NOT NULL DEFAULT '{}',
            result_json TEXT,
            stage INTEGER,
            layer TEXT,
            symptom TEXT,
            topic TEXT,
            summary TEXT NOT NULL DEFAULT '',
            symptoms TEXT NOT NULL DEFAULT '',
            findings TEXT NOT NULL DEFAULT '',
            recommendations TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX advice_team ON advice(team, id);
        CREATE INDEX advice_asker ON advice(team, asked_by, id);

        CREATE TABLE feedback (
            advice_id INTEGER NOT NULL REFERENCES advice(id) ON DELETE CASCADE,
            user TEXT NOT NULL,
            helpful INTEGER NOT NULL,
            at REAL NOT NULL,
            PRIMARY KEY (advice_id, user)
        ) WITHOUT ROWID;

        CREATE TABLE events (
            event_id TEXT PRIMARY KEY,
            seen_at REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX events_seen ON events(seen_at);

        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            created_at REAL NOT NULL,
            key TEXT,
            channel TEXT NOT NULL,
            thread_ts TEXT,
            payload_json TEXT NOT NULL,
            advice_id INTEGER REFERENCES advice(id),
            state TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL NOT NULL,
            lease_owner TEXT,
            lease_until REAL,
            posted_ts TEXT,
            last_error TEXT
        );
        CREATE INDEX outbox_due ON outbox(next_attempt_at)
            WHERE state IN ('pending', 'failed_retrying');
        CREATE INDEX outbox_key ON outbox(key, id)
            WHERE state IN ('pending', 'failed_retrying');
        CREATE INDEX outbox_advice ON outbox(advice_id) WHERE advice_id IS NOT NULL;
        """
    )
    # External-content FTS5 table kept in step by triggers; porter stemming so
    # "timeouts" finds "timeout".
    db["advice"].enable_fts(
        ["summary", "symptoms", "findings", "recommendations"],
        create_triggers=True,
        tokenize="porter",
    )


def _v2_audience_scope(db: sqlite_utils.Database) -> None:
    """Index each row's audiences in FTS so searches skip rows the viewer cannot see."""
    db.execute("ALTER TABLE advice ADD COLUMN scope TEXT NOT NULL DEFAULT ''")
    rows = db.execute("SELECT id, team, channel, asked_by, private FROM advice").fetchall()
    db.conn.executemany(
        "UPDATE advice SET scope = ? WHERE id = ?",
        [(scope_text(team, channel, by, bool(priv)), i) for i, team, channel, by, priv in rows],
    )
    db["advice"].enable_fts(
        ["summary", "symptoms", "findings", "recommendations", "scope"],
        create_triggers=True,
        tokenize="porter",
        replace=True,
    )
    db.execute("INSERT INTO advice_fts (advice_fts) VALUES ('rebuild')")


def _v3_jobs(db: sqlite_utils.Database) -> None:
    """Work accepted from a front end, stored before it is acknowledged, done after."""
    _script(db,
        """
        CREATE TABLE jobs (
            id INTEGER PRIMARY KEY,
            created_at REAL NOT NULL,
            function TEXT NOT NULL,
            payload_json TEXT NOT NULL,
            event_id TEXT UNIQUE,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL NOT NULL,
            lease_owner TEXT,
            lease_until REAL,
            last_error TEXT
        );
        CREATE INDEX jobs_due ON jobs(next_attempt_at);
        """
    )


def _v5_one_path(db: sqlite_utils.Database) -> None:
    """Each request is answered inside the request now, so stored jobs are gone; a reply
    row may be an ephemeral note to one person (`ephemeral_to`), delivered like the rest."""
    db.execute("DROP TABLE IF EXISTS jobs")  # plain statements: inside migrate's transaction
    db.execute("ALTER TABLE outbox ADD COLUMN ephemeral_to TEXT")


def too_new_reason(version: int, known: int) -> str:
    return (f"its schema version {version} is newer than this app understands ({known}); "
            "upgrade the app")


def _v4_systems(db: sqlite_utils.Database) -> None:
    """Named systems, their assessments and their ladder marks.

    A system belongs to the place it was first assessed in; its team, channel, private and
    asked_by columns mirror the advice log's, so the same visibility rule reads both.
    """
    _script(db,
        """
        CREATE TABLE systems (
            id INTEGER PRIMARY KEY,
            team TEXT NOT NULL,
            channel TEXT NOT NULL,
            private INTEGER NOT NULL DEFAULT 0,
            asked_by TEXT NOT NULL,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL,
            created_at REAL NOT NULL,
            last_advice_id INTEGER,
            last_at REAL,
            assessments INTEGER NOT NULL DEFAULT 0,
            -- The latest points of system_points, newest first, for listings (one row
            -- read per system). Whoever sees a system may see all of its points: a private
            -- place files only under its own channel's systems.
            recent_json TEXT NOT NULL DEFAULT '[]',
            UNIQUE (team, channel, name_key)
        );
        CREATE INDEX systems_name ON systems(team, name_key);
        CREATE INDEX systems_recent ON systems(team, last_at);

        ALTER TABLE advice ADD COLUMN system_id INTEGER REFERENCES systems(id);
        CREATE INDEX advice_system ON advice(system_id, id) WHERE system_id IS NOT NULL;

        CREATE TABLE rung_marks (
            system_id INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
            rung TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('done', 'not_now', 'open')),
            by_user TEXT NOT NULL,
            at REAL NOT NULL,
            PRIMARY KEY (system_id, rung)
        ) WITHOUT ROWID;

        -- Each system's assessments as a compact series, stored together (clustered by
        -- system), so "last time" and trend lines read a page or two, not a row per page.
        -- Place columns as in advice: the same visibility rule applies to each point.
        CREATE TABLE system_points (
            system_id INTEGER NOT NULL,
            advice_id INTEGER NOT NULL,
            created_at REAL NOT NULL,
            team TEXT NOT NULL,
            channel TEXT NOT NULL,
            private INTEGER NOT NULL,
            asked_by TEXT NOT NULL,
            stage INTEGER,
            layer TEXT,
            symptom TEXT,
            metrics_json TEXT NOT NULL,
            PRIMARY KEY (system_id, advice_id)
        ) WITHOUT ROWID;

        -- Every path that logs advice keeps its system's series and "last assessed" in step.
        CREATE TRIGGER advice_filed AFTER INSERT ON advice WHEN NEW.system_id IS NOT NULL
        BEGIN
            INSERT INTO system_points VALUES (
                NEW.system_id, NEW.id, NEW.created_at, NEW.team, NEW.channel, NEW.private,
                NEW.asked_by, NEW.stage, NEW.layer, NEW.symptom,
                COALESCE(json_extract(NEW.inputs_json, '$.metrics'), '{}'));
            UPDATE systems SET last_advice_id = NEW.id, last_at = NEW.created_at,
                               assessments = assessments + 1,
                               recent_json = (
                SELECT json_group_array(json_array(advice_id, created_at, stage, layer,
                                                   symptom, json(metrics_json)))
                FROM (SELECT * FROM system_points WHERE system_id = NEW.system_id
                      ORDER BY advice_id DESC LIMIT 12))
            WHERE id = NEW.system_id;
        END;
        -- Re-check reminders scheduled in Slack for an assessment (cancellable by id).
        CREATE TABLE reminders (
            id INTEGER PRIMARY KEY,
            advice_id INTEGER NOT NULL REFERENCES advice(id) ON DELETE CASCADE,
            scheduled_id TEXT NOT NULL,
            channel TEXT NOT NULL,
            post_at REAL NOT NULL,
            by_user TEXT NOT NULL,
            created_at REAL NOT NULL,
            cancelled_at REAL
        );
        CREATE INDEX reminders_advice ON reminders(advice_id, id);

        CREATE TRIGGER advice_unfiled AFTER DELETE ON advice WHEN OLD.system_id IS NOT NULL
        BEGIN
            DELETE FROM system_points WHERE system_id = OLD.system_id AND advice_id = OLD.id;
        END;
        """
    )


Migration = Callable[[sqlite_utils.Database], None]

MIGRATIONS: list[Migration] = [
    _v1_initial, _v2_audience_scope, _v3_jobs, _v4_systems, _v5_one_path,
]


def migrate(db: sqlite_utils.Database, migrations: list[Migration] = MIGRATIONS) -> int:
    """Bring the file up to the latest version; return the version it is at.

    Must be called outside a transaction: it opens its own BEGIN IMMEDIATE.
    """
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(migrations):
            main_file = conn.execute("PRAGMA database_list").fetchone()[2]
            raise SchemaTooNew(main_file, too_new_reason(version, len(migrations)))
        for number, step in enumerate(migrations[version:], start=version + 1):
            step(db)
            conn.execute(f"PRAGMA user_version = {number}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return max(version, len(migrations))
