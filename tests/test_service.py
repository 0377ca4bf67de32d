"""Conversations over a real SQLite file: dialogs survive restarts, events count once."""

from __future__ import annotations

from pathlib import Path

from advisor.models import Observations
from conversations.advice_log import Viewer
from conversations.service import Conversations, Place
from conversations.store import Store

PUBLIC = Place(team="T1", channel="C1", user="U1", thread="100.1", private=False)
PRIVATE = Place(team="T1", channel="G9", user="U2", thread="200.2", private=True)


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def open_conv(path: Path, clock: Clock | None = None, ttl: float = 3600) -> Conversations:
    return Conversations(Store(path, dialog_ttl_s=ttl), clock=clock or Clock())


def test_dialog_runs_to_a_logged_assessment(tmp_path: Path):
    conv = open_conv(tmp_path / "a.db")
    first = conv.begin("T1:C1:100.1", PUBLIC)
    assert first.messages[0].reply.question_key == "users"
    outcome = conv.reply("T1:C1:100.1", "50k", PUBLIC)
    outcome = conv.reply("T1:C1:100.1", "done", PUBLIC)
    assert outcome.finished and outcome.advice_id is not None
    assert outcome.messages[-1].kind == "assessment"
    rows = conv.history(None, Viewer(team="T1", channel="C1", user="U1"))
    assert [r.id for r in rows] == [outcome.advice_id]
    assert rows[0].stage == 2
    # Every reply went to the outbox, linked to the advice when it carries it.
    outbox = [conv.store.get_outbox(i) for i in outcome.outbox_ids]
    assert all(o.state == "pending" and o.advice_id == outcome.advice_id for o in outbox)
    # Answers after the end belong to no dialog.
    assert conv.reply("T1:C1:100.1", "more", PUBLIC) is None


def test_restart_mid_dialog_resumes_every_answer(tmp_path: Path):
    path = tmp_path / "b.db"
    conv = open_conv(path)
    conv.begin("k", PUBLIC)
    conv.reply("k", "50k", PUBLIC)
    conv.reply("k", "db cpu 90% and p95 2s", PUBLIC)
    del conv  # no close: as if the process were killed
    again = open_conv(path)
    state, expired = again.current("k")
    assert not expired
    assert state.answers["users"].value == 50_000
    assert state.answers["db_cpu_pct"].value == 90
    assert state.current not in {"users", "symptoms", "p95_ms", "db_cpu_pct"}


def test_retried_event_changes_nothing(tmp_path: Path):
    conv = open_conv(tmp_path / "c.db")
    conv.begin("k", PUBLIC)
    first = conv.reply("k", "50k", PUBLIC, request_key="Ev1")
    again = conv.reply("k", "50k", PUBLIC, request_key="Ev1")
    assert not first.duplicate and again.duplicate
    assert again.messages == [] and again.outbox_ids == []
    state, _ = conv.current("k")
    assert state.asked == ["users"]


def test_expired_dialog_says_so(tmp_path: Path):
    clock = Clock()
    conv = open_conv(tmp_path / "d.db", clock, ttl=60)
    conv.begin("k", PUBLIC)
    clock.now += 61
    outcome = conv.reply("k", "50k", PUBLIC)
    assert outcome.messages[0].kind == "expired" and "expired" in outcome.messages[0].text
    assert conv.reply("k", "50k", PUBLIC) is None


def test_private_advice_stays_private(tmp_path: Path):
    conv = open_conv(tmp_path / "e.db")
    secret = conv.diagnose(Observations(metrics={"users": 2e6, "db_cpu_pct": 95}), PRIVATE)
    public = conv.diagnose(Observations(metrics={"users": 5e4}), PUBLIC)
    elsewhere = Viewer(team="T1", channel="C1", user="U1")
    assert [r.id for r in conv.history(None, elsewhere)] == [public.advice_id]
    same_place = Viewer(team="T1", channel="G9", user="U3")
    assert {r.id for r in conv.history(None, same_place)} == {public.advice_id, secret.advice_id}
    assert conv.what_if(secret.advice_id, PUBLIC) is None
    assert conv.feedback(secret.advice_id, PUBLIC, helpful=True) is False
    assert conv.what_if(secret.advice_id, PRIVATE) is not None


def test_what_if_and_feedback(tmp_path: Path):
    conv = open_conv(tmp_path / "f.db")
    done = conv.diagnose(Observations(metrics={"users": 5e4, "peak_rps": 1000}), PUBLIC)
    outcome = conv.what_if(done.advice_id, PUBLIC)
    assert [w.factor for w in outcome.messages[0].what_ifs] == [10, 100, 1000]
    assert [int(w.stage.number) for w in outcome.messages[0].what_ifs] == [3, 4, 4]
    only = conv.what_if(done.advice_id, PUBLIC, factors=(100,))
    assert [w.factor for w in only.messages[0].what_ifs] == [100]
    assert conv.what_if(done.advice_id, PUBLIC, factors=(7, float("nan"))) is None  # not offered
    assert conv.feedback(done.advice_id, PUBLIC, helpful=False)
    assert conv.feedback(done.advice_id, PUBLIC, helpful=True)
    row = conv.store.get_advice(done.advice_id)
    assert (row.helpful, row.not_helpful) == (1, 0)


def test_ask_logs_scaling_matters_only(tmp_path: Path):
    conv = open_conv(tmp_path / "g.db")
    scaling = conv.ask("how many read replicas for 12k reads/s if one handles 3k", PUBLIC)
    assert scaling.advice_id is not None
    assert scaling.messages[0].ask.topic == "read_replicas"
    noise = conv.ask("thanks, the certificate expired again", PUBLIC)
    assert noise.advice_id is None


def test_two_answers_at_once_are_both_kept(tmp_path: Path):
    """Steps are computed outside the write lock; a clash is recomputed, never lost."""
    import threading

    path = tmp_path / "race.db"
    first = open_conv(path)
    keys = [f"k{i}" for i in range(8)]
    for key in keys:
        first.begin(key, PUBLIC)
    convs = [Conversations(Store(path), clock=first.clock) for _ in range(2)]
    barrier = threading.Barrier(2)

    def answer(conv: Conversations, text: str) -> None:
        for key in keys:
            barrier.wait()
            conv.reply(key, text, PUBLIC)

    threads = [threading.Thread(target=answer, args=(c, t)) for c, t in
               zip(convs, ["50k", "skip"], strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for key in keys:
        state, _ = first.current(key)
        assert len(state.asked) == 2, state.asked  # both answers landed, one per question


def test_warm_up_loads_the_matcher_and_writes_nothing(tmp_path):
    from advisor.learned import default_model

    default_model.cache_clear()
    with Store(tmp_path / "warm.db") as store:
        Conversations(store).warm_up()
        assert default_model.cache_info().currsize == 1
        assert store.search_advice(None, viewer=Viewer(team="T1", unrestricted=True)) == []
