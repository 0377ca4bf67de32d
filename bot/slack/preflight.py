"""What `serve` checks before it binds a port or starts a worker.

A problem found here stops start-up with one line naming it (exit 2), instead of
workers crash-looping on a bad file or failing on the first request. The checks make
no network call (the token's validity is Slack's to say, after this) and write nothing
to a file that is not ours: the database is checked read-only first, and only a file
that is ours or empty is then opened, created or migrated (once, before any worker
could race to it).
"""

from __future__ import annotations

import sqlite3
from urllib.parse import urlsplit

from advisor.playbook import PlaybookError
from bot.settings import Settings, load_team_playbook
from conversations.dbcheck import DatabaseProblem, check_database
from conversations.store import Store


def preflight(settings: Settings) -> list[str]:
    """Every problem that would stop the Slack app, one line each; empty when ready."""
    problems = settings.slack_problems()
    problems += [p for p in (api_url_problem(settings), playbook_problem(settings),
                             database_problem(settings)) if p]
    return problems


def api_url_problem(settings: Settings) -> str:
    parts = urlsplit(settings.api_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"SLACK_API_URL={settings.slack_api_url!r} is not an http(s) URL"
    return ""


def playbook_problem(settings: Settings) -> str:
    """The team playbook (SCALE_PLAYBOOK, or `--playbook` carried into it) must load."""
    try:
        load_team_playbook(settings.scale_playbook)
    except PlaybookError as err:
        return f"SCALE_PLAYBOOK: {' '.join(str(err).split())}"
    return ""


def database_problem(settings: Settings) -> str:
    """SCALE_DB must be ours or empty, at a schema we know, and take a write lock."""
    path = settings.scale_db
    try:
        check_database(path)
        with Store(path, dialog_ttl_s=settings.scale_dialog_ttl_s) as store, store.transaction():
            pass  # BEGIN IMMEDIATE ... COMMIT: the write lock can be taken
    except DatabaseProblem as err:
        return f"SCALE_DB: {err}"
    except (sqlite3.Error, OSError) as err:
        return f"SCALE_DB: cannot use database {path}: {' '.join(str(err).split())}"
    return ""
