"""The delivery loop gives way to requests: while a worker serves them it posts only
replies that have waited `defer_s`, and everything once requests pause. Driven by hand
(a fake deliverer and clock), so nothing sleeps."""

from __future__ import annotations

from pathlib import Path

from slack_harness import PUBLIC_CHANNEL, FakeSlackAPI
from test_serving import POST, serve

from bot.slack.delivery import DeliveryLoop, InFlight


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    """Stands in for the Deliverer: notes the age asked for and runs `then` once."""

    def __init__(self, then=None, elsewhere: bool = False) -> None:
        self.asked: list[float] = []
        self.then = then
        self.elsewhere = elsewhere  # whether another worker is queueing replies

    def replies_queued_within(self, seconds: float) -> bool:
        return self.elsewhere

    def pending(self, limit: int = 1, stopping=None, aged_s: float = 0.0) -> int:
        self.asked.append(aged_s)
        if self.then is not None:
            then, self.then = self.then, None
            then()
        return 0


def test_in_flight_counts_requests_and_the_pause_after_them() -> None:
    clock = Clock()
    requests = InFlight(clock)
    assert requests.calm_in(0.25) == 0  # none served yet
    with requests:
        assert requests.calm_in(0.25) == 0.25
        with requests:
            clock.now = 101.0
        assert requests.calm_in(0.25) == 0.25  # one still in flight
    clock.now = 101.125
    assert requests.calm_in(0.25) == 0.125
    clock.now = 101.25
    assert requests.calm_in(0.25) == 0


def test_while_a_request_is_served_only_replies_that_waited_defer_s_go() -> None:
    clock = Clock()
    requests = InFlight(clock)
    request = requests.__enter__()

    def request_ends() -> None:
        request.__exit__(None, None, None)

    recorder = Recorder(then=request_ends)
    pauses: list[float] = []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        clock.now += seconds

    loop = DeliveryLoop(recorder, defer_s=1.5, quiet_s=0.25, requests=requests,  # type: ignore[arg-type]
                        pause=pause)
    loop._drain()
    assert recorder.asked == [1.5, 0.0]  # aged rows only, then all once requests paused
    assert pauses == [0.25]


def test_when_no_request_is_in_flight_everything_due_goes_at_once() -> None:
    recorder = Recorder()
    loop = DeliveryLoop(recorder, defer_s=1.5, requests=InFlight(Clock()))  # type: ignore[arg-type]
    loop._drain()
    assert recorder.asked == [0.0]


def test_a_burst_in_another_worker_defers_delivery_here_too() -> None:
    """A worker with no requests of its own still shares the CPU with one that has: it
    judges by the replies any worker queued."""
    recorder = Recorder()
    loop = DeliveryLoop(recorder, defer_s=1.5, requests=InFlight(Clock()),  # type: ignore[arg-type]
                        pause=lambda seconds: None)

    def burst_ends() -> None:
        recorder.elsewhere = False

    recorder.elsewhere, recorder.then = True, burst_ends
    loop._drain()
    assert recorder.asked == [1.5, 0.0]


def test_replies_queued_by_any_worker_are_seen(tmp_path: Path, fake_slack: FakeSlackAPI) -> None:
    served = serve(tmp_path, fake_slack)
    deliverer = served.deps.deliverer
    assert deliverer.replies_queued_within(0.5) is False  # nothing queued yet
    other = serve(tmp_path, fake_slack)  # another worker on the same file
    other.now[0] = served.now[0]
    other.client.command("diagnose users=50k p95=1.2s db_cpu=85%")
    assert deliverer.replies_queued_within(0.5) is True
    served.now[0] += 1.0
    assert deliverer.replies_queued_within(0.5) is False


def test_a_deferred_claim_takes_only_rows_due_defer_s_ago(
        tmp_path: Path, fake_slack: FakeSlackAPI) -> None:
    served = serve(tmp_path, fake_slack)
    served.client.command("diagnose users=50k p95=1.2s db_cpu=85%", channel_id=PUBLIC_CHANNEL)
    deliverer = served.deps.deliverer
    assert deliverer.pending(8, aged_s=1.0) == 0  # committed just now: it waits
    served.now[0] += 1.0
    assert deliverer.pending(8, aged_s=1.0) == 1
    assert len(fake_slack.calls(POST)) == 1


def test_wake_ups_beyond_one_per_thread_are_not_kept() -> None:
    loop = DeliveryLoop(Recorder(), threads=2, requests=InFlight(Clock()))  # type: ignore[arg-type]
    for _ in range(1000):
        loop.wake()
    assert loop._wakes == 2
