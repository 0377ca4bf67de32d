"""The error-signature catalogue: literal messages software emits, mapped to what they mean.

Each entry in `data/signatures/*.toml` names one message (a case-insensitive literal with
whitespace folded, or a regex), the component that emits it, the layer and decision-matrix
symptom it points to, a one-line meaning in our own words and the page it is documented on.
Files are validated on load so a typo fails at start-up with the file and the entry named.

`Catalogue.find` must stay cheap enough to run on every message, so each entry carries the
lower-case texts any match must contain; substring tests skip nearly every regex.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from re import _parser as sre_parse
from typing import Literal

from pydantic import (
    Field,
    PrivateAttr,
    StrictStr,
    ValidationError,
    model_validator,
)

from advisor.models import Layer, Strict, Symptom

PACKAGED_DIR = "data/signatures"
_ID = r"^[a-z0-9][a-z0-9_.-]*$"
# Characters that Python's re.IGNORECASE matches to an ASCII letter but str.lower() does not
# map to it; folding them keeps the pre-filter a true necessary condition.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})
_MIN_KEYWORD = 3


class CatalogueError(ValueError):
    """A signature file that cannot be used; the message names the file and the entry id."""


class Signature(Strict):
    """One message a piece of software emits, and what it tells us about scaling."""

    id: StrictStr = Field(pattern=_ID)
    component: StrictStr = Field(pattern=_ID)
    # How an answer names the component ("HikariCP" for `hikaricp`): from the file's
    # [components] table.
    component_name: StrictStr = Field(min_length=1, max_length=40, pattern=r"^[^\n]*$")
    literal: StrictStr | None = Field(default=None, min_length=1)
    pattern: StrictStr | None = Field(default=None, min_length=1)
    layer: Layer | Literal["none"]
    symptom: Symptom | None = None
    meaning: StrictStr = Field(min_length=1, max_length=139, pattern=r"^[^\n]*$")
    source: StrictStr = Field(pattern=r"^https://[^\s/]+\.[^\s]+$")
    example: StrictStr | None = Field(default=None, min_length=1)
    # Compiled once: validation, the catalogue's index and every search share it (a
    # catalogue revalidates its entries, and re's own cache holds fewer than it has).
    _regex: re.Pattern[str] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> Signature:
        if (self.literal is None) == (self.pattern is None):
            raise ValueError("give exactly one of literal or pattern")
        if not self.id.startswith(self.component + "."):
            raise ValueError(f"id must start with the component and a dot: {self.component}.")
        if self.layer == "none" and self.symptom is not None:
            raise ValueError("a signature with layer none has no symptom")
        regex = self.regex()  # raises re.error, reported as a bad pattern
        if self.example is not None and not regex.search(self.example):
            raise ValueError("example does not match the literal or pattern")
        return self

    @property
    def scaling_layer(self) -> Layer | None:
        """The layer as the engine uses it: None for recognised but non-scaling messages."""
        return None if self.layer == "none" else self.layer

    def regex(self) -> re.Pattern[str]:
        """The compiled matcher: a literal's words joined by any run of whitespace; `^` and
        `$` in a pattern are a line's ends, as a log line pasted among others has them."""
        if self._regex is None:
            self._regex = self._compile()
        return self._regex

    def _compile(self) -> re.Pattern[str]:
        if self.literal is not None:
            source = r"\s+".join(re.escape(word) for word in self.literal.split())
        else:
            source = self.pattern or ""
        try:
            return re.compile(source, re.IGNORECASE | re.MULTILINE)
        except re.error as err:
            raise ValueError(f"pattern is not a valid regex: {err}") from err


class SignatureHit(Strict):
    """A signature found in a text, with the span of the text that matched it."""

    signature: Signature
    matched: str


def _literal_runs(items: Iterable[tuple[object, object]], runs: list[str], current: list[str]):
    """Collect runs of ASCII characters every match must contain, in order, unbroken."""
    for op, arg in items:
        if op is sre_parse.LITERAL and isinstance(arg, int) and arg < 128:
            current.append(chr(arg))
        elif op is sre_parse.AT:
            continue  # zero-width: the characters on either side stay adjacent
        elif op is sre_parse.SUBPATTERN and isinstance(arg, tuple):
            _literal_runs(arg[-1], runs, current)
        else:
            runs.append("".join(current))
            current.clear()
            if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT) and arg[0] >= 1:
                inner: list[str] = []
                _literal_runs(arg[2], runs, inner)  # the body occurs at least once
                runs.append("".join(inner))


def needs(regex: re.Pattern[str]) -> tuple[tuple[str, ...], ...]:
    """What every match of `regex` contains, as clauses of lower-case texts: each clause
    holds texts of which a match contains at least one. A plain pattern gives one clause
    per unbroken literal run; alternatives at the top give one clause with each
    alternative's longest run. Empty when no text long enough is sure."""
    data = sre_parse.parse(regex.pattern, regex.flags).data
    if len(data) == 1 and data[0][0] is sre_parse.BRANCH:
        longest = [max(_runs(alt), key=len, default="").lower() for alt in data[0][1][1]]
        if all(len(text) >= _MIN_KEYWORD for text in longest):
            return (tuple(dict.fromkeys(longest)),)
        return ()
    runs = sorted(dict.fromkeys(run.lower() for run in _runs(data)
                                if len(run) >= _MIN_KEYWORD), key=len, reverse=True)
    if runs:
        return tuple((run,) for run in runs)
    alternatives = _branch_needs(data)  # "\b(?:QUOTA_EXCEEDED|RATE_LIMIT_EXCEEDED)\b"
    return (alternatives,) if alternatives else ()


def _branch_needs(items) -> tuple[str, ...]:
    """The longest run of each alternative of the first set of alternatives every match
    goes through (one said in sequence, or in a group said in sequence), when each is
    long enough to be sure of; else empty. A pattern with no run of its own is mostly
    such a set ("(?:SyntaxError|TabError): "), and without it every text would try it."""
    for op, arg in items:
        if op is sre_parse.BRANCH:
            longest = [max(_runs(alt), key=len, default="").lower() for alt in arg[1]]
            if all(len(text) >= _MIN_KEYWORD for text in longest):
                return tuple(dict.fromkeys(longest))
        elif op is sre_parse.SUBPATTERN and isinstance(arg, tuple):
            inner = _branch_needs(arg[-1])
            if inner:
                return inner
    return ()


def _runs(items) -> list[str]:
    runs: list[str] = []
    current: list[str] = []
    _literal_runs(items, runs, current)
    runs.append("".join(current))
    return runs


def fold(text: str) -> str:
    """Lower-case text the way the pre-filter needs (IGNORECASE-equivalent for ASCII)."""
    return (text if text.isascii() else text.translate(_FOLD)).lower()


class Catalogue(Strict):
    """Every signature, with ids unique; `find` names the most specific one in a text."""

    signatures: tuple[Signature, ...] = ()
    # (what a match needs, regex, signature) per entry, in order; and, by the first three
    # letters of each text an entry's first clause holds, that text and the entry's place.
    _entries: tuple[tuple[tuple[tuple[str, ...], ...], re.Pattern[str], Signature], ...] = \
        PrivateAttr(default=())
    _by_start: dict[str, tuple[tuple[str, int], ...]] = PrivateAttr(default_factory=dict)
    _always: frozenset[int] = PrivateAttr(default=frozenset())

    @model_validator(mode="after")
    def _unique(self) -> Catalogue:
        seen: set[str] = set()
        for signature in self.signatures:
            if signature.id in seen:
                raise ValueError(f"duplicate signature id {signature.id}")
            seen.add(signature.id)
        return self

    def model_post_init(self, context: object, /) -> None:
        entries = []
        by_start: dict[str, list[tuple[str, int]]] = {}
        always = set()
        for place, signature in enumerate(self.signatures):
            regex = signature.regex()
            clauses = needs(regex)
            entries.append((clauses, regex, signature))
            if not clauses:
                always.add(place)
            for text in clauses[:1][0] if clauses else ():
                by_start.setdefault(text[:_MIN_KEYWORD], []).append((text, place))
        self._entries = tuple(entries)
        self._by_start = {k: tuple(v) for k, v in by_start.items()}
        self._always = frozenset(always)

    def __len__(self) -> int:
        return len(self.signatures)

    def get(self, signature_id: str) -> Signature | None:
        return next((s for s in self.signatures if s.id == signature_id), None)

    def find(self, text: str) -> SignatureHit | None:
        """The signature whose match is longest (ties: the earlier entry), or None.
        Only entries whose needed texts all occur are tried: the first clause is looked
        up by the text's three-letter pieces, so a line costs a few regexes, not hundreds."""
        private = self.__pydantic_private__  # one lookup: pydantic's own path is slow
        folded = fold(text)
        pieces = {folded[i: i + _MIN_KEYWORD] for i in range(len(folded) - _MIN_KEYWORD + 1)}
        by_start = private["_by_start"]
        places = set(private["_always"])
        for piece in by_start.keys() & pieces:  # walks the text's pieces, not every key
            for needed, place in by_start[piece]:
                if needed in folded:
                    places.add(place)
        entries = private["_entries"]
        best: tuple[int, int, Signature] | None = None
        for place in sorted(places):
            clauses, regex, signature = entries[place]
            if not all(any(t in folded for t in clause) for clause in clauses[1:]):
                continue
            found = regex.search(text)
            if found and (best is None or found.end() - found.start() > best[1] - best[0]):
                best = (found.start(), found.end(), signature)
        if best is None:
            return None
        return SignatureHit(signature=best[2], matched=text[best[0]:best[1]])


def _describe(errors: list[dict], entry: object, number: int) -> str:
    name = entry.get("id") if isinstance(entry, dict) else None
    label = f"signature {name}" if isinstance(name, str) else f"signature #{number}"
    parts = []
    for error in errors[:3]:
        field = ".".join(str(part) for part in error["loc"]) or "entry"
        parts.append(f"field {field}: {error['msg']}")
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return f"{label}: {'; '.join(parts)}{more}"


def _named(entry: object, names: dict) -> object:
    """The entry with its component's name from the file's [components] table, so each
    name is written once per file; an unnamed component fails as a missing field."""
    if not isinstance(entry, dict) or "component_name" in entry:
        return entry
    name = names.get(entry.get("component"))
    return entry if name is None else {**entry, "component_name": name}


def parse_signatures(text: str, source: str) -> list[Signature]:
    """Validate one signature file's TOML text; `source` names it in any error."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise CatalogueError(f"{source}: not valid TOML: {err}") from err
    unknown = sorted(set(data) - {"signature", "components"})
    if unknown:
        raise CatalogueError(f"{source}: unknown top-level key(s) {unknown}; "
                             "use [components] and [[signature]]")
    entries = data.get("signature", [])
    if not isinstance(entries, list):
        raise CatalogueError(f"{source}: signature must be an array of tables ([[signature]])")
    names = data.get("components", {})
    if not isinstance(names, dict):
        raise CatalogueError(f"{source}: components must be a table of names ([components])")
    signatures = []
    for number, entry in enumerate(entries, start=1):
        try:
            signatures.append(Signature.model_validate(_named(entry, names)))
        except ValidationError as err:
            errors = sorted(err.errors(), key=lambda e: e["type"] != "extra_forbidden")
            raise CatalogueError(f"{source}: {_describe(errors, entry, number)}") from err
    return signatures


def _packaged_files() -> list[tuple[str, str]]:
    folder = resources.files("advisor").joinpath(PACKAGED_DIR)
    entries = sorted((e for e in folder.iterdir() if e.name.endswith(".toml")),
                     key=lambda e: e.name)
    return [(f"advisor/{PACKAGED_DIR}/{e.name}", e.read_text(encoding="utf-8"))
            for e in entries]


def load_catalogue(files: Iterable[tuple[str, str]] | None = None) -> Catalogue:
    """A catalogue from (source name, TOML text) pairs in order, or the packaged files
    when none are given; the source names the file in any error, and an id defined twice
    is refused."""
    signatures: list[Signature] = []
    where: dict[str, str] = {}
    for source, text in _packaged_files() if files is None else files:
        for signature in parse_signatures(text, source):
            if signature.id in where:
                raise CatalogueError(
                    f"{source}: signature {signature.id}: duplicate id, "
                    f"already defined in {where[signature.id]}")
            where[signature.id] = source
            signatures.append(signature)
    return Catalogue(signatures=tuple(signatures))


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The packaged catalogue, parsed once (models are frozen, so sharing is safe)."""
    return load_catalogue()
