"""Shared fixtures. The Slack end-to-end harness lives in slack_harness.py."""

from slack_harness import fake_slack, slack, slack_server  # noqa: F401 - pytest fixtures
