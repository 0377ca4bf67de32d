"""Runtime settings, read from the environment or a `.env` file (names from DESIGN.md).

Loading never fails on Slack credentials: the CLI's `ask`/`size`/`history` need no Slack at
all. Only the Slack front end asks `slack_problems()` before it starts, so a bad token
stops `serve` with a message naming the variable instead of failing on the first request.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SLACK_API_URL = "https://slack.com/api/"
_SECRET_SHAPE = re.compile(r"[0-9A-Za-z]+")


class SettingsError(ValueError):
    """Settings that cannot run the Slack app; `str()` names every bad variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = SLACK_API_URL
    scale_db: Path = Path("scale-advisor.db")
    scale_playbook: Path | None = None
    scale_dialog_ttl_s: int = Field(default=24 * 3600, gt=0)

    @property
    def socket_mode(self) -> bool:
        """Socket Mode whenever an app-level token is configured (DESIGN.md)."""
        return self.slack_app_token is not None and bool(self.slack_app_token.get_secret_value())

    @property
    def api_url(self) -> str:
        """`SLACK_API_URL` with the trailing slash slack_sdk needs to join method names."""
        url = self.slack_api_url.strip() or SLACK_API_URL
        return url if url.endswith("/") else url + "/"

    def slack_problems(self) -> list[str]:
        """What stops the Slack app from starting in the configured mode; empty when fine."""
        problems = [_token_problem("SLACK_BOT_TOKEN", self.slack_bot_token, "xoxb-")]
        if self.socket_mode:
            problems.append(_token_problem("SLACK_APP_TOKEN", self.slack_app_token, "xapp-"))
        else:
            problems.append(_secret_problem(self.slack_signing_secret))
        return [p for p in problems if p]

    def require_slack(self) -> None:
        problems = self.slack_problems()
        if problems:
            raise SettingsError("; ".join(problems))


def _token_problem(name: str, value: SecretStr | None, prefix: str) -> str:
    text = value.get_secret_value().strip() if value else ""
    if not text:
        return f"{name} is not set (expected a token starting with {prefix})"
    if not text.startswith(prefix) or len(text) <= len(prefix) or any(c.isspace() for c in text):
        return f"{name} is malformed (expected a token starting with {prefix})"
    return ""


def _secret_problem(value: SecretStr | None) -> str:
    name = "SLACK_SIGNING_SECRET"
    text = value.get_secret_value().strip() if value else ""
    if not text:
        return f"{name} is not set (copy it from the app's Basic Information page)"
    if not _SECRET_SHAPE.fullmatch(text):
        return f"{name} is malformed (expected letters and digits only, as Slack issues it)"
    return ""
