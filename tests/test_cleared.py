"""What people rule out ("db looks fine") does not count for that subject."""

import pytest

from advisor.cleared import without_cleared
from advisor.matching import match
from advisor.models import Layer


@pytest.mark.parametrize(("text", "kept"), [
    ("api latency p99 is 4s, db looks fine", "api latency p99 is 4s"),
    ("checkout is slow but the database is healthy", "checkout is slow"),
    ("network is fine, app servers pegged at 98% cpu", "app servers pegged at 98% cpu"),
    ("db ok but the api is slow", "the api is slow"),
    ("redis is not the problem; workers are stuck", "workers are stuck"),
    ("the db is not fine", "the db is not fine"),  # trouble said, kept
    ("the db is fine until it times out", "the db is fine until it times out"),
    ("Completed 200 OK in 9310ms (Views: 8875.2ms)",
     "Completed 200 OK in 9310ms (Views: 8875.2ms)"),  # a status line, not a verdict
    ("everything is fine", "everything is fine"),  # nothing left: the text as it was
    ("p95 1.2s", "p95 1.2s"),
])
def test_a_clause_that_only_rules_out_is_dropped(text, kept):
    assert without_cleared(text) == kept


def test_a_subject_said_to_be_fine_is_not_the_bottleneck():
    found = match("api latency p99 is 4s, db looks fine")
    assert found.layer is not Layer.DATABASE
    assert "db" not in found.evidence
    assert match("network is fine, app servers pegged at 98% cpu").layer is Layer.APPLICATION
