"""Named systems over a real SQLite file: filing, visibility, marks, since, listings."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.metrics import MetricName as M
from advisor.models import Observations
from conversations.advice_log import Viewer
from conversations.service import Conversations, Place
from conversations.store import Store
from conversations.systems import SystemNameError, clean_name, name_key
from conversations.tracking import NoSuchSystem, sparkline

PUBLIC = Place(team="T1", channel="C1", user="U1", thread="100.1", private=False)
OTHER_PUBLIC = Place(team="T1", channel="C2", user="U3", thread="300.3", private=False)
PRIVATE = Place(team="T1", channel="G9", user="U2", thread="200.2", private=True)
DAY = 86400.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def conv(tmp_path: Path):
    c = Conversations(Store(tmp_path / "s.db"), clock=Clock())
    yield c
    c.store.close()


def obs(**metrics: float) -> Observations:
    return Observations(metrics={M(k): v for k, v in metrics.items()})


def test_names_are_trimmed_case_insensitive_and_short():
    assert clean_name("  Checkout   API ") == "Checkout API"
    assert name_key(" Checkout-API") == name_key("checkout-api") == "checkout-api"
    with pytest.raises(SystemNameError, match="at most 60 characters \\(got 61\\)"):
        clean_name("x" * 61)
    with pytest.raises(SystemNameError, match="cannot be empty"):
        clean_name("   ")


def test_second_assessment_compares_with_the_first(conv):
    first = conv.diagnose(obs(users=50_000, db_cpu_pct=85), PUBLIC, system="checkout-api")
    assert first.messages[0].since is None and first.messages[0].system == "checkout-api"
    conv.clock.now += 12 * DAY
    second = conv.diagnose(obs(users=50_000, db_cpu_pct=60), PUBLIC, system=" CHECKOUT-api ")
    message = second.messages[0]
    assert message.system_id == first.messages[0].system_id
    assert (message.since.advice_id, message.since.at) == (first.advice_id, 1_700_000_000.0)
    assert [(c.metric, c.before, c.after, c.better) for c in message.since.changes.metrics] == [
        (M.USERS, 50_000, 50_000, None), (M.DB_CPU_PCT, 85, 60, True)]
    assert conv.store.get_advice(second.advice_id).system_id == message.system_id


def test_done_rung_moves_the_next_assessment_of_that_system_only(conv):
    conv.diagnose(obs(users=50_000, db_cpu_pct=90), PUBLIC, system="checkout-api")
    conv.diagnose(obs(users=50_000, db_cpu_pct=90), PUBLIC, system="search")
    conv.clock.now += DAY
    system, rung, _, before = conv.mark_rung("Checkout-API", "add indexes", PUBLIC, "done")
    assert (system.name, rung.id, before) == ("checkout-api", "add_indexes", "open")
    conv.clock.now += DAY
    checkout = conv.diagnose(obs(users=50_000, db_cpu_pct=90), PUBLIC, system="checkout-api")
    search = conv.diagnose(obs(users=50_000, db_cpu_pct=90), PUBLIC, system="search")
    ladder = checkout.messages[0].assessment.ladder
    assert ladder.rungs[ladder.next_index].text == "Read replicas"
    assert checkout.messages[0].since.changes.rungs_done == ["Add indexes"]
    other = search.messages[0].assessment.ladder
    assert other.rungs[other.next_index].text == "Add indexes"
    conv.mark_rung("checkout-api", "read replicas", PUBLIC, "not_now")
    again = conv.diagnose(obs(users=50_000, db_cpu_pct=90), PUBLIC, system="checkout-api")
    ladder = again.messages[0].assessment.ladder
    assert [(r.done, r.deferred) for r in ladder.rungs] == [(True, False), (False, True),
                                                              (False, False)]
    assert ladder.rungs[ladder.next_index].text == "Sharding"
    conv.mark_rung("checkout-api", "add indexes", PUBLIC, "open")
    reopened = conv.diagnose(obs(users=50_000, db_cpu_pct=90), PUBLIC, system="checkout-api")
    assert reopened.messages[0].assessment.ladder.next_index == 0


def test_a_rung_is_in_one_list_and_a_mark_says_what_it_was_before(conv):
    conv.diagnose(obs(users=50_000, db_cpu_pct=85), PUBLIC, system="s1")
    marked = conv.mark_rung("s1", "read replicas", PUBLIC, "not_now")
    (summary,) = conv.systems(Viewer(team="T1"))
    assert (marked.before, summary.open_rungs, summary.done_rungs, summary.not_now_rungs) == (
        "open", ["Add indexes", "Sharding"], [], ["Read replicas"])
    assert [conv.mark_rung("s1", rung, PUBLIC, state).before for rung, state in (
        ("add indexes", "open"), ("read replicas", "not_now"), ("read replicas", "open"))
    ] == ["open", "not_now", "not_now"]


def test_marking_an_unknown_system_says_so(conv):
    with pytest.raises(NoSuchSystem, match="no system called 'nope' has been assessed here"):
        conv.mark_rung("nope", "add indexes", PUBLIC, "done")


def test_a_private_channel_system_is_seen_only_there(conv):
    conv.diagnose(obs(users=5_000, p95_ms=800), PRIVATE, system="billing")
    conv.diagnose(obs(users=9_000, p95_ms=900), PUBLIC, system="web")
    # Another place naming "billing" gets its own system, with no "since" from the private one.
    elsewhere = conv.diagnose(obs(users=5_000, p95_ms=600), OTHER_PUBLIC, system="billing")
    assert elsewhere.messages[0].since is None
    def names(viewer: Viewer) -> list[tuple[str, str]]:
        return [(s.name, s.channel) for s in conv.systems(viewer)]

    assert names(Viewer(team="T1", channel="C1")) == [("billing", "C2"), ("web", "C1")]
    assert names(Viewer(team="T1", channel="G9")) == [("billing", "C2"), ("web", "C1"),
                                                     ("billing", "G9")]
    assert names(Viewer(team="T2", channel="G9")) == []
    with pytest.raises(NoSuchSystem):  # another team
        conv.mark_rung("web", "add indexes", Place(team="T2", channel="C1", user="U1",
                                                   private=False), "done")
    assert conv.system_choices(PRIVATE) == ["billing"]
    assert conv.system_choices(PUBLIC) == ["web"]
    # A private place files only under its own channel's systems, never a public one.
    own = conv.diagnose(obs(users=9_000), PRIVATE, system="web")
    assert own.messages[0].since is None
    assert [s.channel for s in conv.systems(Viewer(team="T1", channel="C1"))] == ["C2", "C1"]


def test_listing_has_rungs_and_trends_oldest_to_newest(conv):
    for cpu in (90, 80, 50, 75):
        conv.clock.now += DAY
        conv.diagnose(obs(users=50_000, db_cpu_pct=cpu), PUBLIC, system="checkout-api")
    conv.mark_rung("checkout-api", "indexes", PUBLIC, "done")
    [summary] = conv.systems(Viewer(team="T1", channel="C1"))
    assert summary.trends == {"users": [50_000] * 4, "db_cpu_pct": [90, 80, 50, 75]}
    assert list(summary.trends) == ["users", "db_cpu_pct"]
    assert sparkline(summary.trends["db_cpu_pct"]) == "█▆▁▅"
    assert sparkline(summary.trends["users"]) == "▄▄▄▄"
    assert (summary.stage, summary.layer, summary.next_rung) == (2, "database", "Read replicas")
    assert (summary.open_rungs, summary.done_rungs) == (["Read replicas", "Sharding"],
                                                         ["Add indexes"])
    assert (summary.assessments, summary.last_assessed) == (4, 1_700_000_000.0 + 4 * DAY)


def test_system_history_lists_that_system_only_and_search_still_works(conv):
    a = conv.diagnose(obs(users=50_000, db_cpu_pct=90), PUBLIC, system="checkout-api")
    conv.diagnose(obs(users=50_000, db_cpu_pct=90), PUBLIC, system="search")
    b = conv.diagnose(obs(users=60_000, db_cpu_pct=80), PUBLIC, system="checkout-api")
    viewer = Viewer(team="T1", channel="C1")
    assert [r.id for r in conv.system_history("Checkout-API", viewer)] == [b.advice_id,
                                                                           a.advice_id]
    assert len(conv.history("indexes", viewer)) == 3


def test_the_dialog_asks_for_the_system_where_there_are_some(conv):
    first = conv.begin("T1:C1:1", PUBLIC)
    assert first.messages[0].reply.question_key == "users"  # nothing assessed here yet
    conv.diagnose(obs(users=50_000, db_cpu_pct=90), PUBLIC, system="checkout-api")
    conv.mark_rung("checkout-api", "add indexes", PUBLIC, "done")
    started = conv.begin("T1:C1:2", PUBLIC)
    reply = started.messages[0].reply
    assert (reply.question_key, [c.label for c in reply.choices]) == ("system",
                                                                     ["checkout-api"])
    conv.reply("T1:C1:2", "checkout-api", PUBLIC)
    conv.reply("T1:C1:2", "50k", PUBLIC)
    conv.reply("T1:C1:2", "database slow, db cpu 90%", PUBLIC)
    done = conv.reply("T1:C1:2", "done", PUBLIC)
    message = done.messages[-1]
    assert message.system == "checkout-api" and message.since is not None
    ladder = message.assessment.ladder
    assert ladder.rungs[ladder.next_index].text == "Read replicas"
    assert conv.store.get_advice(done.advice_id).system_id == message.system_id
    # Skipping files nothing under a system.
    conv.begin("T1:C1:3", PUBLIC)
    conv.reply("T1:C1:3", "skip", PUBLIC)
    conv.reply("T1:C1:3", "50k", PUBLIC)
    skipped = conv.reply("T1:C1:3", "done", PUBLIC)
    assert skipped.messages[-1].system is None
    assert conv.store.get_advice(skipped.advice_id).system_id is None


def test_a_long_system_answer_is_reprompted(conv):
    conv.diagnose(obs(users=50_000), PUBLIC, system="web")
    conv.begin("T1:C1:9", PUBLIC)
    again = conv.reply("T1:C1:9", "y" * 61, PUBLIC)
    assert again.messages[0].reply.kind == "reprompt"
    assert "at most 60 characters" in again.messages[0].reply.text


def test_an_assessment_holds_one_reminder_at_a_time(conv):
    done = conv.diagnose(obs(users=50_000, db_cpu_pct=85), PUBLIC, system="shop")
    post_at = conv.clock.now + 7 * DAY
    held, new = conv.reserve_reminder(done.advice_id, PUBLIC, post_at)
    assert new and (held.scheduled_id, held.post_at, held.by) == ("", post_at, "U1")
    again, new = conv.reserve_reminder(done.advice_id, OTHER_PUBLIC, post_at + DAY)
    assert not new and again == held  # the one held, unchanged
    conv.release_reminder(held.id)  # Slack would not schedule it: the slot is free again
    held, new = conv.reserve_reminder(done.advice_id, OTHER_PUBLIC, post_at + DAY)
    assert new and held.by == "U3"
    conv.confirm_reminder(held.id, "Q1")
    conv.release_reminder(held.id)  # a scheduled reminder is cancelled, never released
    view = conv.tracked_advice(done.advice_id, PUBLIC)
    assert view.reminder == held.model_copy(update={"scheduled_id": "Q1"})
    assert conv.cancel_reminder(done.advice_id, "Q1")
    assert conv.reserve_reminder(done.advice_id, PUBLIC, post_at)[1]


def test_a_reminder_that_fell_due_frees_the_slot_for_the_next(conv):
    done = conv.diagnose(obs(users=50_000, db_cpu_pct=85), PUBLIC, system="shop")
    held, _ = conv.reserve_reminder(done.advice_id, PUBLIC, conv.clock.now + 7 * DAY)
    conv.confirm_reminder(held.id, "Q1")
    conv.clock.now += 7 * DAY  # Slack posted it: the message may offer a new one
    assert conv.tracked_advice(done.advice_id, PUBLIC).reminder is None
    later, new = conv.reserve_reminder(done.advice_id, PUBLIC, conv.clock.now + DAY)
    assert new and later.id != held.id


def test_a_reminder_still_being_scheduled_offers_nothing_to_cancel(conv):
    done = conv.diagnose(obs(users=50_000, db_cpu_pct=85), PUBLIC, system="shop")
    held, _ = conv.reserve_reminder(done.advice_id, PUBLIC, conv.clock.now + 7 * DAY)
    assert conv.tracked_advice(done.advice_id, PUBLIC).reminder is None  # no id to cancel yet
    conv.confirm_reminder(held.id, "Q1")
    assert conv.tracked_advice(done.advice_id, PUBLIC).reminder.scheduled_id == "Q1"


def test_a_slot_held_by_a_click_that_never_finished_frees_itself(conv):
    done = conv.diagnose(obs(users=50_000, db_cpu_pct=85), PUBLIC, system="shop")
    held, _ = conv.reserve_reminder(done.advice_id, PUBLIC, conv.clock.now + 7 * DAY)
    # The process died between holding the slot and scheduling: nothing to confirm.
    conv.clock.now += 30
    assert not conv.reserve_reminder(done.advice_id, OTHER_PUBLIC, conv.clock.now + DAY)[1]
    conv.clock.now += 31
    again, new = conv.reserve_reminder(done.advice_id, OTHER_PUBLIC, conv.clock.now + DAY)
    assert new and again.by == "U3"
