"""Parts of a text that rule something out: "db looks fine", "the network is healthy".

On call, people list what they checked as well as what is wrong: "p99 is 4s, db looks
fine" is not a database problem. A clause that only says its subject is fine, and names
no trouble, is dropped before the text is weighed, so its subject does not count for it.
"""

from __future__ import annotations

import re

_CLAUSES = re.compile(r"[,;!?\n]+|\.(?=\s|$)|\s(?:but|and|while|though|although)\s", re.IGNORECASE)
_LOOSE_ENDS = re.compile(r"^\s*(?:(?:but|and|while|though|although)\s)+|"
                         r"(?:\s(?:but|and|while|though|although))+\s*$", re.IGNORECASE)
_FINE = re.compile(
    r"\b(?:fine|(?<!\d )ok|okay|healthy|normal|nominal|green|unaffected|stable|"
    r"not (?:affected|the (?:problem|issue|bottleneck|culprit|cause))|"
    r"(?:is|are|was|were)n'?t (?:affected|the (?:problem|issue|bottleneck|culprit|cause))|"
    r"(?:look|looks|looked|seem|seems|seemed) (?:good|great|clean)|"
    r"no (?:issues?|problems?|errors?))\b",
    re.IGNORECASE,
)
_TROUBLE = re.compile(
    r"\b(?:slow\w*|errors?|fail\w*|time[sd]? ?out\w*|down|high|spik\w*|pegged|saturat\w*|"
    r"exhaust\w*|full|lag\w*|crash\w*|oom\w*|refus\w*|maxed|throttl\w*|stuck|hang\w*|"
    r"not fine|not ok|not okay|not healthy|unhealthy|[45]\d\d)\b",
    re.IGNORECASE,
)


def without_cleared(text: str) -> str:
    """`text` without its clauses that only say something is fine."""
    if not _FINE.search(text):
        return text
    kept: list[str] = []
    last = 0
    for m in [*_CLAUSES.finditer(text), None]:
        end = m.start() if m else len(text)
        clause = text[last:end]
        if not (_FINE.search(clause) and not _TROUBLE.search(clause)):
            kept.append(clause)
        if m is None:
            break
        kept.append(m.group(0))
        last = m.end()
    out = _LOOSE_ENDS.sub("", "".join(kept).strip(" ,;")).strip(" ,;")
    return out if out.strip() else text
