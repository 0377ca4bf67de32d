"""The Slack front: the Bolt app, its listeners, the request gate, the server and the
delivery loop. It never imports the terminal front (tests/test_layers.py checks it)."""
