"""Runtime settings, read from the environment or a `.env` file (names from DESIGN.md).

Loading never fails on Slack credentials: the CLI's `ask`/`size`/`history` need no Slack at
all. Only the Slack front end asks `slack_problems()` before it starts, so a bad token
stops `serve` with a message naming the variable instead of failing on the first request.
Every front reads them through `read_settings()`, which turns a bad value or an unreadable
`.env` into one line naming it, and lets `--playbook` take precedence over SCALE_PLAYBOOK.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from advisor.playbook import Playbook, PlaybookError, default_playbook, parse_playbook

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

    @field_validator("scale_playbook", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        """`SCALE_PLAYBOOK=` (as .env templates leave it) means the packaged playbook."""
        return None if isinstance(value, str) and not value.strip() else value

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


def read_settings(*, playbook: str | Path | None = None) -> Settings:
    """The settings, with `--playbook` (when given) over SCALE_PLAYBOOK.

    Raises SettingsError whose text is one line naming the variable (or the .env file)
    and what is wrong, instead of pydantic's multi-line report or a decode traceback.
    """
    overrides: dict[str, Any] = {} if playbook is None else {"scale_playbook": playbook}
    try:
        return Settings(**overrides)
    except ValidationError as err:
        raise SettingsError("; ".join(_describe(e) for e in err.errors())) from None
    except UnicodeDecodeError as err:
        raise SettingsError(f".env is not UTF-8 text (byte {err.object[err.start]:#04x} "
                            f"at position {err.start})") from None
    except OSError as err:
        raise SettingsError(f".env cannot be read ({err.strerror or err})") from None


def _describe(error: Any) -> str:
    name = "_".join(str(part) for part in error["loc"]).upper()
    given = error.get("input")
    shown = f"={given!r}" if isinstance(given, str | int | float) else ""
    return f"{name}{shown}: {error['msg']}"


def load_team_playbook(path: str | Path | None) -> Playbook:
    """The playbook at `path` (None: the packaged one); PlaybookError, one line, when the
    file cannot be read, is not UTF-8 or does not validate."""
    if path is None:
        return default_playbook()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise PlaybookError(f"{path}: cannot read playbook: {err.strerror or err}") from err
    except UnicodeDecodeError as err:
        raise PlaybookError(f"{path}: cannot read playbook: not UTF-8 text "
                            f"(byte {err.object[err.start]:#04x} at position {err.start})"
                            ) from None
    return parse_playbook(text, str(path))


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
