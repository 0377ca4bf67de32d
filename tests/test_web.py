"""Channel privacy lookups against the fake Web API: remembered, but never a failure."""

from __future__ import annotations

from slack_harness import FakeSlackAPI
from slack_sdk import WebClient

from bot.slack.web import ChannelPrivacy, Reach, retry_handlers


def client(fake: FakeSlackAPI) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake.url,
                     retry_handlers=retry_handlers(rate_limited=0, server_errors=0,
                                                   connection_errors=0))


def test_privacy_is_remembered_per_channel(fake_slack: FakeSlackAPI) -> None:
    privacy = ChannelPrivacy(client(fake_slack))
    assert privacy("C0PUBLIC") is False
    assert privacy("C0PUBLIC") is False
    assert privacy("G0SECRET") is True and privacy("D0DM") is True
    assert len(fake_slack.calls("conversations.info")) == 1


def test_a_failed_lookup_counts_as_private_and_is_asked_again(fake_slack: FakeSlackAPI) -> None:
    privacy = ChannelPrivacy(client(fake_slack))
    fake_slack.fail("conversations.info", status=500)
    assert privacy("C0PUBLIC") is True
    assert privacy("C0PUBLIC") is False
    assert len(fake_slack.calls("conversations.info")) == 2


def test_entries_expire(fake_slack: FakeSlackAPI) -> None:
    now = [0.0]
    privacy = ChannelPrivacy(client(fake_slack), ttl_s=60, clock=lambda: now[0])
    privacy("C0PUBLIC")
    now[0] = 61
    privacy("C0PUBLIC")
    assert len(fake_slack.calls("conversations.info")) == 2


def test_where_the_bot_stands_is_asked_until_it_is_in_and_then_remembered(
        fake_slack: FakeSlackAPI) -> None:
    channels = ChannelPrivacy(client(fake_slack))
    assert [channels.reach(c) for c in ("C0GENERAL", "C0OUTSIDE", "G0LOCKED", "D0ALICE")] == [
        Reach.MEMBER, Reach.OUTSIDE, Reach.NONE, Reach.MEMBER]
    assert [channels.reach(c) for c in ("C0GENERAL", "C0OUTSIDE", "G0LOCKED", "D0ALICE")] == [
        Reach.MEMBER, Reach.OUTSIDE, Reach.NONE, Reach.MEMBER]
    asked = [call.args["channel"] for call in fake_slack.calls("conversations.info")]
    # Members are remembered; outside, the next request must see an invitation at once.
    assert asked == ["C0GENERAL", "C0OUTSIDE", "G0LOCKED", "D0ALICE", "C0OUTSIDE", "G0LOCKED"]
    assert channels("C0OUTSIDE") is False and channels("G0LOCKED") is True


def test_when_slack_cannot_say_the_bot_tries_as_a_member(fake_slack: FakeSlackAPI) -> None:
    channels = ChannelPrivacy(client(fake_slack))
    fake_slack.fail("conversations.info", status=500)
    assert channels.reach("C0OUTSIDE") is Reach.MEMBER
    assert channels.reach("C0OUTSIDE") is Reach.OUTSIDE
