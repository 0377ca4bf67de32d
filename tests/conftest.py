"""Shared fixtures. The Slack end-to-end harness lives in slack_harness.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_harness import (  # noqa: F401 - pytest fixtures
    fake_slack,
    shared_server,
    slack,
    slack_db,
    slack_server,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"


def shared_file(*parts: str) -> Path:
    """A file from the shared data beside the clone; a test that needs it fails, never skips,
    when it is missing, so a green run always means the check ran."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"{path} not found: these tests read shared/ beside the clone "
                    f"(check out the repository next to it)", pytrace=False)
    return path


@pytest.fixture(autouse=True)
def _database_in_tmp(tmp_path_factory: pytest.TempPathFactory,
                     monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test gets its own SCALE_DB in a temporary folder: nothing writes into the
    repository, and no test sees another's advice log. Tests may still set their own."""
    folder = tmp_path_factory.mktemp("db")
    monkeypatch.setenv("SCALE_DB", str(folder / "scale-advisor.db"))
    yield


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    """A data folder the database-check tests may make read-only; made writable again
    afterwards so pytest can clean it up."""
    d = tmp_path / "data"
    d.mkdir()
    yield d
    d.chmod(0o755)
