"""The terminal front: the `scale-advisor` subcommands and the interactive interview. It
never imports the Slack front (tests/test_layers.py checks it)."""
