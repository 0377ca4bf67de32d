"""Named systems in the SQLite file: finding and filing them, their ladder marks, listings.

A system belongs to the place it was first assessed in. Its row carries the same place
columns as an advice row (team, channel, private, asked_by), so `visibility_sql` decides
who sees a system exactly as it decides who sees advice.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, Field

from conversations.advice_log import AdviceRow, Viewer, visibility_sql
from conversations.store import Store

MAX_NAME = 60
TREND_POINTS = 12  # as many as the filing trigger keeps in systems.recent_json (schema v4)

MarkState = Literal["done", "not_now", "open"]


class SystemNameError(ValueError):
    """A system name that cannot be used; the message says why."""


def clean_name(name: str) -> str:
    """The name as shown: trimmed, inner whitespace collapsed; at most MAX_NAME characters."""
    cleaned = re.sub(r"\s+", " ", name or "").strip()
    if not cleaned:
        raise SystemNameError("a system name cannot be empty")
    if len(cleaned) > MAX_NAME:
        raise SystemNameError(f"a system name is at most {MAX_NAME} characters "
                              f"(got {len(cleaned)})")
    return cleaned


def name_key(name: str) -> str:
    """What makes two names the same system: case and surrounding space do not count."""
    return clean_name(name).casefold()


class SystemRow(BaseModel):
    """A system; `recent` holds its latest points, newest first (see `points_of`)."""

    id: int
    team: str
    channel: str
    private: bool
    asked_by: str
    name: str
    created_at: float
    last_advice_id: int | None = None
    last_at: float | None = None
    assessments: int = 0
    recent: list[list[Any]] = Field(default_factory=list, repr=False)


class RungMark(BaseModel):
    rung: str
    state: MarkState
    by: str
    at: float


class Previous(BaseModel):
    """The earlier assessment a new one is compared with."""

    advice_id: int
    at: float
    metrics: dict[str, float]
    stage: int | None
    layer: str | None
    symptom: str | None


def place_viewer(team: str, channel: str) -> Viewer:
    """Who "this place" is: private things of this channel, public things of its team.

    No user: a private system follows its channel, never the person who named it, so
    nothing of a private channel is filed under or compared with in another place.
    """
    return Viewer(team=team, channel=channel)


def _system(row: dict[str, Any]) -> SystemRow:
    """A row this module wrote, built without re-validation (listings read many)."""
    row.pop("name_key", None)
    row["recent"] = json.loads(row.pop("recent_json", None) or "[]")
    row["private"] = bool(row["private"])
    return SystemRow.model_construct(**row)


class Point(NamedTuple):
    """One assessment in a listing's trend (a light tuple: listings read hundreds)."""

    advice_id: int
    at: float
    stage: int | None  # None when no user count placed it
    layer: str | None
    symptom: str | None
    metrics: dict[str, float]


def points_of(system: SystemRow) -> list[Point]:
    """The system's latest assessments from its own row, newest first (no extra query)."""
    return [Point(advice_id, at, stage if "users" in metrics else None, layer, symptom, metrics)
            for advice_id, at, stage, layer, symptom, metrics in system.recent]


def find_system(store: Store, name: str, viewer: Viewer, *, own_channel: bool = False
                ) -> SystemRow | None:
    """The system called `name` that `viewer` may see: this channel's first, then the most
    recently assessed. `own_channel` limits it to the viewer's channel (private places)."""
    where, params = visibility_sql(viewer, "s")
    sql = f"SELECT s.* FROM systems s WHERE s.name_key = ? AND {where}"
    args: list[Any] = [name_key(name), *params]
    if own_channel:
        sql += " AND s.channel = ?"
        args.append(viewer.channel)
    sql += " ORDER BY (s.channel = ?) DESC, s.last_at DESC LIMIT 1"
    rows = store._rows(sql, [*args, viewer.channel])
    return _system(rows[0]) if rows else None


def ensure_system(store: Store, name: str, *, team: str, channel: str, private: bool,
                  asked_by: str, now: float) -> SystemRow:
    """The system `name` of this place, created on first use."""
    with store.transaction():
        store.conn.execute(
            "INSERT OR IGNORE INTO systems (team, channel, private, asked_by, name, name_key, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (team, channel, private, asked_by, clean_name(name), name_key(name), now))
        rows = store._rows("SELECT * FROM systems WHERE team = ? AND channel = ? "
                           "AND name_key = ?", (team, channel, name_key(name)))
    return _system(rows[0])


def get_system(store: Store, system_id: int) -> SystemRow | None:
    rows = store._rows("SELECT * FROM systems WHERE id = ?", (system_id,))
    return _system(rows[0]) if rows else None


def marks(store: Store, system_ids: list[int]) -> dict[int, list[RungMark]]:
    """Each system's rung marks (done, not now, reopened), oldest first."""
    out: dict[int, list[RungMark]] = {i: [] for i in system_ids}
    if not system_ids:
        return out
    holes = ", ".join("?" for _ in system_ids)
    for r in store._rows(f"SELECT system_id, rung, state, by_user, at FROM rung_marks "
                         f"WHERE system_id IN ({holes}) ORDER BY at", system_ids):
        out[r["system_id"]].append(RungMark(rung=r["rung"], state=r["state"], by=r["by_user"],
                                            at=r["at"]))
    return out


def set_mark(store: Store, system_id: int, rung: str, state: MarkState, *, by: str,
             now: float) -> None:
    """Record who marked a rung and when; a later mark replaces an earlier one."""
    with store.transaction():
        store.conn.execute(
            "INSERT INTO rung_marks (system_id, rung, state, by_user, at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(system_id, rung) DO UPDATE SET state = excluded.state, "
            "by_user = excluded.by_user, at = excluded.at",
            (system_id, rung, state, by, now))


def recent(store: Store, system_id: int, viewer: Viewer, count: int = TREND_POINTS
           ) -> list[Previous]:
    """The system's latest `count` assessments that `viewer` may see, newest first."""
    where, params = visibility_sql(viewer, "p")
    rows = store._rows(
        f"SELECT p.advice_id, p.created_at, p.metrics_json, p.stage, p.layer, p.symptom "
        f"FROM system_points p WHERE p.system_id = ? AND {where} "
        f"ORDER BY p.advice_id DESC LIMIT ?", [system_id, *params, count])
    out = []
    for r in rows:
        metrics = json.loads(r["metrics_json"])
        # Rows this module wrote itself: built without re-validation (listings read hundreds).
        out.append(Previous.model_construct(
            advice_id=r["advice_id"], at=r["created_at"], metrics=metrics,
            stage=r["stage"] if "users" in metrics else None, layer=r["layer"],
            symptom=r["symptom"]))
    return out


def previous(store: Store, system_id: int, viewer: Viewer) -> Previous | None:
    """The latest assessment of the system that `viewer` may see (the "last time")."""
    found = recent(store, system_id, viewer, 1)
    return found[0] if found else None


def visible_systems(store: Store, viewer: Viewer, *, limit: int = 50,
                    own_channel: bool = False) -> list[SystemRow]:
    """Systems `viewer` may see, most recently assessed first.

    By place only: a private system is seen in its own channel and nowhere else, not even
    by the person who named it, so all of its points may be shown wherever it is listed.
    """
    where, params = visibility_sql(viewer.model_copy(update={"user": None}), "s")
    sql = f"SELECT s.* FROM systems s WHERE {where}"
    args: list[Any] = list(params)
    if own_channel:
        sql += " AND s.channel = ?"
        args.append(viewer.channel)
    sql += " ORDER BY s.last_at DESC, s.id DESC LIMIT ?"
    return [_system(r) for r in store._rows(sql, [*args, limit])]


def system_history(store: Store, name: str, viewer: Viewer, limit: int = 20) -> list[AdviceRow]:
    """Assessments filed under systems called `name` that `viewer` may see, newest first."""
    where, params = visibility_sql(viewer)
    ids_where, ids_params = visibility_sql(viewer, "s")
    sql = (f"SELECT a.* FROM advice a WHERE a.system_id IN (SELECT s.id FROM systems s "
           f"WHERE s.name_key = ? AND {ids_where}) AND {where} ORDER BY a.id DESC LIMIT ?")
    rows = store._rows(sql, [name_key(name), *ids_params, *params, limit])
    return store._advice_rows(rows)


class Reminder(BaseModel):
    id: int
    advice_id: int
    scheduled_id: str
    channel: str
    post_at: float
    by: str
    created_at: float
    cancelled_at: float | None = None


def reserve_reminder(store: Store, advice_id: int, *, channel: str, post_at: float, by: str,
                     now: float) -> tuple[Reminder, bool]:
    """(The assessment's reminder, whether it is new.) An assessment has one re-check
    reminder at a time: the one already set, or a row held for a new one (its scheduled
    id still empty), claimed in one transaction before anything is scheduled, so two
    clicks at once cannot both schedule one."""
    with store.transaction():
        found = active_reminder(store, advice_id, now=now)
        if found is not None:
            return found, False
        cursor = store.conn.execute(
            "INSERT INTO reminders (advice_id, scheduled_id, channel, post_at, by_user, "
            "created_at) VALUES (?, '', ?, ?, ?, ?)", (advice_id, channel, post_at, by, now))
        return Reminder(id=int(cursor.lastrowid), advice_id=advice_id, scheduled_id="",
                        channel=channel, post_at=post_at, by=by, created_at=now), True


def confirm_reminder(store: Store, reminder_id: int, scheduled_id: str) -> None:
    """Record the id Slack gave the reminder held by `reserve_reminder`."""
    with store.transaction():
        store.conn.execute("UPDATE reminders SET scheduled_id = ? WHERE id = ?",
                           (scheduled_id, reminder_id))


def release_reminder(store: Store, reminder_id: int) -> None:
    """Forget a reminder held by `reserve_reminder` that was never scheduled."""
    with store.transaction():
        store.conn.execute("DELETE FROM reminders WHERE id = ? AND scheduled_id = ''",
                           (reminder_id,))


HOLD_S = 60  # a slot held for scheduling longer than this was left by a process that died


def active_reminder(store: Store, advice_id: int, *, now: float) -> Reminder | None:
    """The latest reminder of an assessment that is neither cancelled nor already due. Once
    due it has been posted, so the message may offer a new one; a slot held but never
    scheduled (the process died mid-click) frees itself after HOLD_S."""
    rows = store._rows(
        "SELECT * FROM reminders WHERE advice_id = ? AND cancelled_at IS NULL AND post_at > ? "
        "AND (scheduled_id != '' OR created_at > ?) ORDER BY id DESC LIMIT 1",
        (advice_id, now, now - HOLD_S))
    if not rows:
        return None
    row = rows[0]
    row["by"] = row.pop("by_user")
    return Reminder(**row)


def cancel_reminder(store: Store, advice_id: int, scheduled_id: str, *, now: float) -> bool:
    with store.transaction():
        cursor = store.conn.execute(
            "UPDATE reminders SET cancelled_at = ? WHERE advice_id = ? AND scheduled_id = ? "
            "AND cancelled_at IS NULL", (now, advice_id, scheduled_id))
        return cursor.rowcount == 1
