"""The Slack front."""
