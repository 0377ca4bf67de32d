"""mrkdwn helpers: escape data before it goes into Slack text, build links and mentions.

Slack's rule is to escape `&`, `<` and `>` and nothing else; with `<` escaped, nobody
can smuggle `<!channel>` or `<@U…>` through text the bot repeats.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_MENTIONISH = re.compile(r"^[UWBCGD][A-Z0-9]{2,}$")


def escape(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def bold(text: object) -> str:
    """Bold escaped text; asterisks inside would end the bold early, so they are dropped."""
    inner = escape(text).replace("*", "").strip()
    return f"*{inner}*" if inner else ""


def link(url: str, label: object) -> str:
    """`<url|label>`; the label is escaped, the url must not carry `|` or `>`."""
    safe_url = url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C").replace(" ", "%20")
    return f"<{safe_url}|{escape(label).replace('|', '¦')}>"


def user(user_id: str) -> str:
    return f"<@{_checked(user_id)}>"


def channel(channel_id: str) -> str:
    return f"<#{_checked(channel_id)}>"


def place(channel_id: str) -> str:
    """Where advice was given: a channel link, or "a DM" (its name is never shown)."""
    return channel(channel_id) if channel_id[:1] in "CG" else "a DM"


def archive_url(channel_id: str, ts: str, thread_ts: str | None = None) -> str:
    """A permalink-style URL to a message; slack.com redirects it into the workspace."""
    url = f"https://slack.com/archives/{_checked(channel_id)}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts:
        url += f"?thread_ts={thread_ts}&cid={channel_id}"
    return url


def utc_text(epoch: float) -> str:
    """A moment as plain text in UTC, for where Slack's date formatting does not reach
    (a message's notification text, a date's fallback)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")


def date(epoch: float, tokens: str = "{date_short_pretty} {time}") -> str:
    """A date Slack shows in the reader's time zone; the UTC text is the fallback."""
    return f"<!date^{int(epoch)}^{tokens}|{utc_text(epoch)}>"


def bullets(items: list[str], mark: str = "•") -> str:
    """Lines that are already mrkdwn (escape data before passing it in)."""
    return "\n".join(f"{mark} {item}" for item in items)


def _checked(ident: str) -> str:
    if not _MENTIONISH.match(ident):
        raise ValueError(f"not a Slack id: {ident!r}")
    return ident
