"""Block Kit for every message and view the app sends, one module per surface.

kit holds Slack's limits and the shared element helpers, validate re-checks built dicts,
mrkdwn escapes data; the rest render one surface each from advisor/view.py and small inputs.
"""
