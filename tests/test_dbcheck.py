"""Which SCALE_DB files the app refuses, in one line, without ever writing to them."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlite_utils

from conversations.advice_log import AdviceEntry
from conversations.dbcheck import DatabaseProblem, SchemaTooNew, check_database
from conversations.schema import MIGRATIONS, migrate
from conversations.store import Store


def other_apps_file(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT);"
                       "INSERT INTO photos (name) VALUES ('cat.jpg');")
    conn.close()
    return path


def newer_file(path: Path) -> Path:
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.commit()
    conn.close()
    return path


def garbage_file(path: Path) -> Path:
    path.write_bytes(b"this is not a database at all\n" * 200)
    return path


def read_only_file(path: Path) -> Path:
    Store(path).close()
    path.chmod(0o444)
    return path


def read_only_folder_with_file(path: Path) -> Path:
    Store(path).close()
    path.parent.chmod(0o555)
    return path


def read_only_folder_no_file(path: Path) -> Path:
    path.parent.chmod(0o555)
    return path


def a_directory(path: Path) -> Path:
    path.mkdir()
    return path


def missing_folder(path: Path) -> Path:
    return path.parent / "nope" / "advisor.db"


REFUSED: list[tuple[Callable[[Path], Path], str]] = [
    (missing_folder, "its folder {folder}/nope does not exist"),
    (a_directory, "it is a directory, not a database file"),
    (garbage_file, "it is not an SQLite database"),
    (other_apps_file, "it is another application's SQLite file (tables: photos); "
                      "left untouched"),
    (newer_file, f"its schema version {len(MIGRATIONS) + 1} is newer than this app "
                 f"understands ({len(MIGRATIONS)}); upgrade the app"),
    (read_only_file, "it is read-only"),
    (read_only_folder_with_file, "it cannot keep its journal: its folder {folder} is read-only"),
    (read_only_folder_no_file, "it cannot be created: its folder {folder} is read-only"),
]



def _snapshot(path: Path) -> bytes | None:
    """The database file's bytes, to prove nothing was written to it. (Reading our own WAL
    file may leave its -wal/-shm companions behind; those are SQLite's, not data.)"""
    return path.read_bytes() if path.is_file() else None


@pytest.mark.parametrize(("make", "reason"), REFUSED, ids=[m.__name__ for m, _ in REFUSED])
def test_unusable_file_is_refused_in_one_line_naming_it(folder: Path, make, reason):
    path = make(folder / "advisor.db")
    with pytest.raises(DatabaseProblem) as caught:
        check_database(path)
    expected = f"cannot use database {path}: {reason.format(folder=folder)}"
    assert str(caught.value) == expected
    assert "\n" not in str(caught.value)
    assert caught.value.path == path


@pytest.mark.parametrize(("make", "reason"), REFUSED, ids=[m.__name__ for m, _ in REFUSED])
def test_store_refuses_it_and_writes_nothing(folder: Path, make, reason):
    path = make(folder / "advisor.db")
    before = _snapshot(path)
    with pytest.raises(DatabaseProblem) as caught:
        Store(path)
    assert str(caught.value) == f"cannot use database {path}: {reason.format(folder=folder)}"
    assert _snapshot(path) == before
    assert path.exists() == (before is not None or path.is_dir())


def test_another_apps_file_keeps_its_journal_mode(folder: Path):
    path = other_apps_file(folder / "photos.db")
    with pytest.raises(DatabaseProblem):
        Store(path)
    assert [p.name for p in folder.iterdir()] == ["photos.db"]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("SELECT name FROM photos").fetchall() == [("cat.jpg",)]


def test_another_apps_wal_file_gets_no_companion_files(folder: Path):
    path = folder / "notes.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = wal")
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseProblem, match="another application's SQLite file"):
        Store(path)
    assert [p.name for p in folder.iterdir()] == ["notes.db"]
    assert path.read_bytes() == before


def test_our_file_open_in_another_process_is_read_through_its_wal(folder: Path):
    path = folder / "advisor.db"
    with Store(path) as running:  # holds the -wal open, as a server would
        running.log_advice(AdviceEntry(created_at=1.0, team="T", channel="C", asked_by="U",
                                       kind="ask", summary="kept in the WAL"))
        check_database(path)
        with Store(path) as second:
            assert second.get_advice(1).summary == "kept in the WAL"


def test_a_short_garbage_file_is_not_sqlite(folder: Path):
    path = folder / "a.db"
    path.write_text("hi\n")
    with pytest.raises(DatabaseProblem, match="it is not an SQLite database$"):
        Store(path)
    assert path.read_text() == "hi\n"


def test_newer_schema_is_a_database_problem(folder: Path):
    with pytest.raises(SchemaTooNew):
        Store(newer_file(folder / "a.db"))


def test_missing_file_in_writable_folder_is_fine_and_not_created_by_the_check(folder: Path):
    path = folder / "new.db"
    check_database(path)
    assert not path.exists()
    with Store(path) as s:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_empty_file_is_fine_and_becomes_ours(folder: Path):
    path = folder / "empty.db"
    path.touch()
    check_database(path)
    with Store(path) as s:
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    check_database(path)


def test_our_file_at_an_older_version_passes_and_is_migrated(folder: Path):
    path = folder / "old.db"
    db = sqlite_utils.Database(path)
    migrate(db, MIGRATIONS[:1])
    db.close()
    check_database(path)
    with Store(path) as s:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_relative_path_in_the_working_folder(folder: Path, monkeypatch):
    monkeypatch.chdir(folder)
    check_database("advisor.db")
    Store("advisor.db").close()
    check_database("advisor.db")


def test_a_versioned_file_without_our_tables_is_not_ours(folder: Path):
    path = folder / "x.db"
    conn = sqlite3.connect(path)
    conn.executescript("PRAGMA user_version = 2; CREATE TABLE advice (id INTEGER);")
    conn.close()
    with pytest.raises(DatabaseProblem, match="another application's SQLite file "
                                              r"\(tables: advice\)"):
        check_database(path)
