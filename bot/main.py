"""The `scale-advisor` entry point: `serve ...` goes to the Slack front, everything else to
the terminal front.

Neither front imports the other; this module chooses between them and imports the chosen
one only when it runs, so `scale-advisor size ...` never loads Slack and `serve` never
builds the terminal's argument parser.
"""

from __future__ import annotations

import os
import sys

USAGE_ERROR = 2
INTERRUPTED = 128 + 2


def serve_args(argv: list[str]) -> tuple[str | None, list[str]] | None:
    """(the `--playbook` given before it, the arguments after `serve`) when that is the
    command, else None."""
    i, playbook = 0, None
    while i < len(argv) and argv[i].startswith("-"):
        if argv[i] == "--playbook" and i + 1 < len(argv):
            playbook = argv[i + 1]
            i += 2
            continue
        if argv[i].startswith("--playbook="):
            playbook = argv[i].partition("=")[2]
        i += 1
    return (playbook, argv[i + 1:]) if i < len(argv) and argv[i] == "serve" else None


def start_serving(playbook: str | None, argv: list[str]) -> int:
    """Hand over to the server with `--playbook` carried as SCALE_PLAYBOOK, the setting
    every process the server starts (workers included) reads."""
    from bot.settings import SettingsError, read_settings

    if playbook is not None:
        os.environ["SCALE_PLAYBOOK"] = playbook
    try:
        read_settings()
        from bot.slack.server import serve_main

        return serve_main(argv)
    except SystemExit as done:  # `serve --help` ends here
        return int(done.code or 0)
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        return INTERRUPTED
    except SettingsError as err:
        sys.stderr.write(f"scale-advisor serve: cannot start: {err}\n")
        return USAGE_ERROR


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    serving = serve_args(argv)
    if serving is not None:
        return start_serving(*serving)
    from bot.terminal.cli import main as terminal_main

    return terminal_main(argv)


if __name__ == "__main__":
    sys.exit(main())
