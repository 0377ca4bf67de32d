"""Channel privacy lookups against the fake Web API: remembered, but never a failure."""

from __future__ import annotations

from slack_harness import FakeSlackAPI
from slack_sdk import WebClient

from bot.slack.web import ChannelPrivacy, retry_handlers


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
