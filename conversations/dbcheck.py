"""Is this path a database the app may use? Answered without changing anything on disk.

Opening a file and then refusing it is not good enough: setting WAL mode or migrating
writes to the file, and a file that belongs to another application must never be
touched. So the path is inspected first (folder, permissions) and the contents through a
read-only connection; only a file that is ours (or empty, or not there yet in a writable
folder) is then opened for writing. Every refusal is a `DatabaseProblem` whose text is
one line naming the path and the problem, fit for a terminal or a start-up log.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from conversations.schema import MIGRATIONS, DatabaseProblem, SchemaTooNew, too_new_reason

__all__ = ["DatabaseProblem", "SchemaTooNew", "check_database", "check_contents"]

# Tables every version of our schema has had since the first migration.
OUR_TABLES = frozenset({"dialogs", "advice"})
SQLITE_MAGIC = b"SQLite format 3\x00"


def check_database(path: str | Path) -> None:
    """Raise DatabaseProblem unless `path` can be opened, migrated and written by this app.

    Fine: our own file at a schema version this code knows, an empty file, or a
    missing file in an existing writable folder (it will be created). Refused: a
    missing folder, a directory, something that is not an SQLite file, another
    application's SQLite file, a newer schema, a read-only file or folder.
    """
    p = Path(path)
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.exists():
        raise DatabaseProblem(p, f"its folder {folder} does not exist")
    if not folder.is_dir():
        raise DatabaseProblem(p, f"{folder} is not a folder")
    try:
        st = p.stat()
    except FileNotFoundError:
        st = None
    except OSError as err:
        raise DatabaseProblem(p, f"it cannot be inspected ({err.strerror or err})") from err
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise DatabaseProblem(p, "it is a directory, not a database file")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise DatabaseProblem(p, "it is not a regular file")
    if st is not None and not os.access(p, os.R_OK):
        raise DatabaseProblem(p, "it cannot be read (permission denied)")
    if st is not None and _read_only(p, st):
        raise DatabaseProblem(p, "it is read-only")
    if _read_only(folder, folder.stat()):
        # SQLite creates the file and, in WAL mode, its -wal and -shm files beside it.
        what = "cannot be created" if st is None else "cannot keep its journal"
        raise DatabaseProblem(p, f"it {what}: its folder {folder} is read-only")
    if st is None or st.st_size == 0:
        return
    conn = _open_read_only(p)
    try:
        check_contents(conn, p)
    finally:
        conn.close()


def _open_read_only(p: Path) -> sqlite3.Connection:
    """A connection that cannot write to the file nor leave files beside it.

    A WAL-mode file with no -wal beside it is closed by everyone, so its main file is
    complete: read it as immutable, since an ordinary read-only open would create the
    -wal and -shm files (litter next to another application's file). With a -wal
    present, someone has it open; read it normally, through its locks.
    """
    try:
        with p.open("rb") as f:
            header = f.read(100)
    except OSError as err:
        raise DatabaseProblem(p, f"it cannot be read ({err.strerror or err})") from err
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise DatabaseProblem(p, "it is not an SQLite database")
    wal_mode = header[18] == 2
    closed = wal_mode and not p.with_name(p.name + "-wal").exists()
    uri = f"{p.resolve().as_uri()}?mode=ro" + ("&immutable=1" if closed else "")
    try:
        return sqlite3.connect(uri, uri=True)
    except sqlite3.Error as err:
        raise DatabaseProblem(p, f"it cannot be opened ({err})") from err


def check_contents(conn: sqlite3.Connection, path: str | Path) -> None:
    """Raise DatabaseProblem unless the open file is empty or ours at a known version.

    Only reads: safe on any file, and cheap enough to repeat on the connection that is
    about to write (so nothing changed between the check and the first write).
    """
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    except sqlite3.DatabaseError as err:
        if "not a database" in str(err) or "malformed" in str(err):
            raise DatabaseProblem(path, f"it is not a sound SQLite database ({err})") from err
        raise DatabaseProblem(path, f"it cannot be read ({err})") from err
    if not tables and version == 0:
        return  # an empty database: the first migration fills it
    if not OUR_TABLES <= tables or version == 0:
        shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        raise DatabaseProblem(
            path, f"it is another application's SQLite file (tables: {shown or 'none'}); "
                  "left untouched")
    if version > len(MIGRATIONS):
        raise SchemaTooNew(path, too_new_reason(version, len(MIGRATIONS)))


def _read_only(p: Path, st: os.stat_result) -> bool:
    """Not writable by us, or marked read-only by its owner (honoured even for root)."""
    return not os.access(p, os.W_OK) or not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP
                                                          | stat.S_IWOTH)
