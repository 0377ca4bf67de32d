"""Advice-log records and the rules for reading them back.

Plain data at the boundary of the store: what is logged (`AdviceEntry`), what is
read back (`AdviceRow`), who is looking (`Viewer`), plus the two rules that must
never drift: which rows a viewer may see, and how typed text becomes a safe FTS5
query.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from advisor.models import Assessment

DeliveryState = Literal["none", "pending", "failed_retrying", "delivered", "failed"]

_TOKEN = re.compile(r"\w+", re.UNICODE)
_MAX_QUERY_TOKENS = 12


class Viewer(BaseModel):
    """Who is reading the log, and from where.

    `unrestricted` is for the local terminal, whose user can read the file anyway;
    front ends serving other people must leave it False.
    """

    team: str
    channel: str | None = None
    user: str | None = None
    unrestricted: bool = False


class AdviceEntry(BaseModel):
    """One piece of advice as it is logged."""

    created_at: float
    team: str
    channel: str
    conversation_key: str | None = None
    thread_ts: str | None = None
    private: bool = False
    asked_by: str
    kind: str = "diagnose"
    inputs: dict[str, Any] = Field(default_factory=dict)
    result: dict[str, Any] | None = None
    stage: int | None = None
    layer: str | None = None
    symptom: str | None = None
    topic: str | None = None
    summary: str = ""
    symptoms: str = ""
    findings: str = ""
    recommendations: str = ""
    system_id: int | None = None  # the named system this assessment is filed under

    @classmethod
    def from_assessment(
        cls, assessment: Assessment, *, kind: str = "diagnose", **place: Any
    ) -> AdviceEntry:
        """Fill the searchable columns from an assessment; `place` gives team, channel..."""
        bottleneck = assessment.bottleneck
        ladder = assessment.ladder
        return cls(
            kind=kind,
            inputs=assessment.inputs.model_dump(mode="json"),
            result=assessment.model_dump(mode="json"),
            # the stage only where it was placed: without a user count the card is Stage 1
            # by default, which history must not list as the system's stage
            stage=int(assessment.stage.number) if assessment.stage_known else None,
            layer=bottleneck.layer.value if bottleneck else None,
            symptom=ladder.symptom.value if ladder else None,
            summary=assessment.summary,
            **search_columns(assessment),
            **place,
        )


def search_columns(assessment: Assessment) -> dict[str, str]:
    """What an assessment says about this problem, for the full-text index: the words
    people used, the evidence, findings, ladder, additions and sizing. The stage's standing
    advice ("don't break up the monolith yet") is left out: it is in nearly every entry,
    so a search for "microservices" would find them all."""
    bottleneck = assessment.bottleneck
    ladder = assessment.ladder
    symptoms = [assessment.inputs.text]
    recommendations: list[str] = []
    if bottleneck:
        symptoms += bottleneck.symptoms + bottleneck.evidence
        recommendations += bottleneck.solutions
    if ladder:
        symptoms.append(ladder.symptom.value.replace("_", " "))
        recommendations += [rung.text for rung in ladder.rungs]
    recommendations += [f"{a.component}: {a.purpose}" for a in assessment.additions]
    recommendations += [s.worked for s in assessment.sizing]
    return {"symptoms": "\n".join(s for s in symptoms if s),
            "findings": "\n".join(f.message for f in assessment.findings),
            "recommendations": "\n".join(r for r in recommendations if r)}


class Vote(BaseModel):
    user: str
    helpful: bool
    at: float


class AdviceRow(AdviceEntry):
    """A logged entry read back, with its feedback and delivery state."""

    id: int
    helpful: int = 0
    not_helpful: int = 0
    votes: list[Vote] = Field(default_factory=list)
    delivery_state: DeliveryState = "none"
    delivered_ts: str | None = None


def fts_query(text: str | None) -> str | None:
    """Turn typed text into an FTS5 query that cannot be a syntax error.

    Every word becomes a quoted phrase, so operators (`AND`, `NEAR`, `*`, `"`,
    column filters) are just words; words are ANDed. None when nothing is left.
    """
    tokens = _TOKEN.findall(text or "")[:_MAX_QUERY_TOKENS]
    if not tokens:
        return None
    return " ".join('"' + token.replace('"', '""') + '"' for token in tokens)


_TEXT_COLUMNS = "{summary symptoms findings recommendations}"


def _scope_token(kind: str, team: str, name: str = "") -> str:
    """An opaque word naming one audience; hashed so any id string tokenises as one word."""
    digest = hashlib.blake2b(f"{kind}\0{team}\0{name}".encode(), digest_size=8).hexdigest()
    return "z" + digest


def scope_text(team: str, channel: str, asked_by: str, private: bool) -> str:
    """The audiences of one row, indexed in the FTS `scope` column."""
    words = [_scope_token("ch", team, channel), _scope_token("by", team, asked_by)]
    if not private:
        words.append(_scope_token("pub", team))
    return " ".join(words)


def fts_match(text: str | None, viewer: Viewer) -> str | None:
    """The full MATCH expression: the query's words, narrowed to what `viewer` may see.

    The scope part lets FTS skip rows of other audiences instead of reading and
    rejecting them; `visibility_sql` still decides, so a scope bug can only hide
    rows, never leak them. None when there is nothing to match on.
    """
    words = fts_query(text)
    parts = [f"{_TEXT_COLUMNS} : ({words})"] if words else []
    if not viewer.unrestricted:
        audiences = [_scope_token("pub", viewer.team)]
        if viewer.channel:
            audiences.append(_scope_token("ch", viewer.team, viewer.channel))
        if viewer.user:
            audiences.append(_scope_token("by", viewer.team, viewer.user))
        parts.append("scope : (" + " OR ".join(f'"{a}"' for a in audiences) + ")")
    return " AND ".join(parts) or None


def visibility_sql(viewer: Viewer, alias: str = "a") -> tuple[str, list[Any]]:
    """The WHERE fragment for what `viewer` may see.

    Same team only; private advice only from its own channel or for its asker.
    """
    if viewer.unrestricted:
        return "1", []
    return (
        f"{alias}.team = ? AND ({alias}.private = 0 OR {alias}.channel = ? "
        f"OR {alias}.asked_by = ?)",
        [viewer.team, viewer.channel, viewer.user],
    )
