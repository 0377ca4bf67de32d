"""Numbers as people type them: `50k`, `~2 million`, `1.4s`, `0.92`, `512 MiB`, `3x`,
`3k/s`, `60k/min`, `2.5k rps`, `45/50`, `40 thousnad`.

Parsing is pure and strict: an answer either becomes one value in the metric's own
unit (with a note when we converted or picked from a range) or a ParseError whose
message says what form we expected, with an example, so a dialog can re-prompt.

Multipliers are never dropped: `3k/s` is 3,000 per second, and a misspelled number word
right after a number ("40 thousnad") is read as the word it is one edit away from, or
refused when it is only close to one; it is never read as the bare number.

When a bare number needs a unit (the rule, per metric unit):
- times in ms (p95_ms, slowest_query_ms): a bare number above 60 is milliseconds (as
  seconds it would be over a minute, past any request timeout); from 0 to 60 both
  readings are real latencies, so "1.2" is asked back as "1.2 ms or 1.2 s?".
- times in s (replica_lag_s): below 1 a bare number is seconds (sub-millisecond lag is
  noise); from 1 up, lag in ms and in s are both common, so it is asked back.
- sizes (working_set_gb): a hot data set of "10" is as likely MB as GB: asked back.
- shares: a bare number above 1 is a percentage (the question asks for a share), a
  decimal below 1 is a fraction (0.62 -> 62%), exactly 1 is asked ("1% or 100%?").
- counts, rates and factors: the metric's name says the unit (users, per second, x),
  so a bare number is read in it. Zero is zero in any unit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from advisor.metrics import (
    METRIC_KEYS,
    METRIC_SPECS,
    MetricError,
    MetricName,
    MetricSpec,
    Unit,
    check_metric,
)
from advisor.numberwords import digits_for_words, spelled_out
from advisor.pastes import as_said

MAX_QUANTITY_CHARS = 200


class ParseError(ValueError):
    """An answer that is not a usable value; the message says the form expected."""


class MisspeltNumber(ParseError):
    """A word after a number that is close to a number word but not one ("40 thsnd")."""

    words = 0  # set by parse_value_words: how many following words the value spans


class OutOfBounds(ParseError):
    """A number read in its metric's unit that no real system shows (`value`, so whoever
    reads free text can say why it was not taken)."""

    def __init__(self, message: str, value: float) -> None:
        self.value = value
        super().__init__(message)


class AmbiguousUnit(ParseError):
    """A bare number whose unit matters: `readings` are the two ways to read it."""

    def __init__(self, readings: tuple[str, str], message: str | None = None) -> None:
        self.readings = readings
        super().__init__(message or
                         f"{readings[0]} or {readings[1]}? Give the unit, e.g. {readings[1]}.")


@dataclass(frozen=True)
class Parsed:
    value: float
    note: str | None = None


@dataclass(frozen=True)
class _Token:
    """One number found in text, with the word glued after it (`k`, `ms`, `%`, `users`)."""

    value: float
    suffix: str
    start: int
    end: int
    raw: str
    misspelt: str | None = None  # the suffix as typed, when it was read as a number word
    doubt: str | None = None  # the number word an unreadable suffix is close to
    malformed: str | None = None  # why the number as typed cannot be read exactly


# A number: grouped thousands (1,200,000, 1_200_000, 100 000 with one space (plain, no-break
# or thin) before each group of exactly three digits, or 1.200.000 with exactly two dot
# groups, so an address like 10.100.200.300 is never one), a decimal comma with one or two
# decimals (1,2 s is 1.2 s, never 2 s), plain or decimal, optional exponent.
_NUM = (r"(?:\d{1,3}(?:[ \u00a0\u2009\u202f]\d{3})+(?!\d|,\d)(?:\.\d+)?"
        r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:_\d{3})+(?:\.\d+)?"
        r"|\d{1,3}(?:\.\d{3}){2}(?![.\d])|\d+,\d{1,2}(?![\d,])|\d+(?:\.\d+)?|\.\d+)"
        r"(?:e[+-]?\d+)?")
# A number glued to a word by a hyphen or a slash names a thing (`replica-2`, `web-01`,
# `us-east-1`, `data/nodes/0`): it is no reading, and must not cut the words of the
# reading after it from their number.
# "30+ seconds" is at least 30 s: the plus keeps the number's unit.
_TOKEN_RE = re.compile(
    rf"(?<![\w.])(?<![a-z][-/])(?P<num>{_NUM})(?!\d|,\d)\+?[^\S\r\n]?"
    rf"(?P<suffix>%|[a-zµμ]+(?:/[a-z]+)?|/[a-z]+)?",
    re.IGNORECASE,
)
# The hyphen of a range whose lower end has its unit ("80k-120k", "800ms-1.2s", "75%-95%")
# is no glue of a name ("replica-2"): the scan reads it as an en dash, one character for one.
_UNIT_RANGE_RE = re.compile(r"(?<![\w.])\d[\d.,]*(?P<unit>%|[a-zµμ]{1,7})-(?=\d)", re.IGNORECASE)


def _unit_ranges(text: str) -> str:
    """`text` with the hyphen of each range whose lower end carries a unit as an en dash."""
    if "-" not in text:
        return text

    def dash(m: re.Match[str]) -> str:
        unit = m.group("unit").lower()
        known = unit == "%" or unit in _MULTIPLIERS or _known_unit(unit)
        return f"{m.group(0)[:-1]}\u2013" if known else m.group(0)
    return _UNIT_RANGE_RE.sub(dash, text)


_DIGIT = re.compile(r"\d")  # any digit the readers' `\d` matches, not only 0-9
# A hexadecimal literal (`0x1e`, an address or an offset in a pasted trace) is no "0x".
_HEX_RE = re.compile(r"(?<![\w.])0x[0-9a-f]+\b", re.IGNORECASE)
_FILLER_WORDS = frozenset({"and", "but", "with", "while", "on", "in", "at", "for", "so", "the",
                           "we", "it", "is", "was", "are", "now", "then", "which", "when"})
_JOINING_WORDS = frozenset({"to", "or"})  # taken as a unit by the tokeniser; ranges need them
_HYPHEN_WORD_RE = re.compile(r"-([a-z]+)\b", re.IGNORECASE)
# `x3` is `3x`, but for the names an x and a number make: x86, x64, x32 (processors), x509
# (certificates), x264 and x265 (video codecs), PCIe x16 (lanes), x1e.xlarge (instances).
_X_PREFIX_RE = re.compile(r"(?<![\w.])(?<!pcie )[x×](?=\s?\d)"
                          r"(?!\s?(?:86|64|32|509|264|265)(?![\d.]))(?!\s?\d+[a-z]+\.)",
                          re.IGNORECASE)
_RANGE_SEP_RE = re.compile(r"^\s*(?:-|–|—|to|or|~)\s*$", re.IGNORECASE)
_NEGATIVE_RE = re.compile(r"(?:^|[\s(:=])[-−]\s?$")

_MULTIPLIERS: dict[str, float] = {
    "k": 1e3, "thousand": 1e3, "thousands": 1e3, "grand": 1e3, "thou": 1e3, "thous": 1e3,
    "tsd": 1e3,  # German and Scandinavian notes: 40 Tsd.
    "m": 1e6, "mm": 1e6, "mn": 1e6, "mil": 1e6, "mill": 1e6, "mln": 1e6, "mio": 1e6,
    "million": 1e6, "millions": 1e6,
    "b": 1e9, "bn": 1e9, "bln": 1e9, "billion": 1e9, "billions": 1e9,
    "trillion": 1e12, "trillions": 1e12,
    # South Asian English: 1 lakh = 100,000, 1 crore = 10,000,000.
    "lakh": 1e5, "lakhs": 1e5, "lac": 1e5, "lacs": 1e5, "crore": 1e7, "crores": 1e7,
}
# Number words a misspelling is matched against (short ones like `k` are never guessed).
_NUMBER_WORDS = ("thousand", "thousands", "million", "millions", "billion", "billions",
                 "trillion", "trillions")
# Ordinary words one or two edits from a number word: never taken for one.
_NOT_NUMBER_WORDS = frozenset({"billing", "billings", "billed", "bills", "bitcoin", "bitcoins",
                               "mission", "missions", "millis", "minion", "minions", "bullion",
                               "bullions", "pillion", "pillions", "mullion", "mullions",
                               "thousandth",
                               "thousandths"})
_SECONDS: dict[str, float] = {
    "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "microseconds": 1e-6,
    "ms": 1e-3, "msec": 1e-3, "msecs": 1e-3, "millis": 1e-3, "millisecond": 1e-3,
    "milliseconds": 1e-3,
    "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
    "m": 60.0, "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
    "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0,
}
_GB: dict[str, float] = {
    "b": 1e-9, "bytes": 1e-9,
    "k": 1e-6, "kb": 1e-6, "m": 1e-3, "mb": 1e-3, "g": 1.0, "gb": 1.0,
    "t": 1e3, "tb": 1e3, "p": 1e6, "pb": 1e6,
    "kib": 1024 / 1e9, "mib": 1024**2 / 1e9, "gib": 1024**3 / 1e9,
    "tib": 1024**4 / 1e9, "pib": 1024**5 / 1e9,
    "ki": 1024 / 1e9, "mi": 1024**2 / 1e9, "gi": 1024**3 / 1e9, "ti": 1024**4 / 1e9,
    "kilobytes": 1e-6, "meg": 1e-3, "megs": 1e-3, "megabytes": 1e-3, "gig": 1.0, "gigs": 1.0,
    "gigabytes": 1.0, "terabytes": 1e3, "tera": 1e3, "petabytes": 1e6,
}
_FACTOR_SUFFIXES = {"x", "×", "times", "fold"}
# A rate's unit, after the number and its multiplier: `rps`, `/s`, `req/min`, `qps`,
# `requests per second`, `reads a minute`... -> seconds per unit.
DAY_S = 86400.0
_PER_SECONDS = {"s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
                "m": 60.0, "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
                "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0,
                "day": DAY_S, "days": DAY_S, "week": 7 * DAY_S, "wk": 7 * DAY_S,
                "month": 30 * DAY_S, "mo": 30 * DAY_S}
# "10M requests daily": the adverb is the unit.
_PER_ADVERB = {"hourly": 3600.0, "daily": DAY_S, "nightly": DAY_S, "weekly": 7 * DAY_S,
               "monthly": 30 * DAY_S}
_RATE_ABBR = {"rps": 1.0, "qps": 1.0, "tps": 1.0, "ops": 1.0, "wps": 1.0,
              "rpm": 60.0, "qpm": 60.0, "tpm": 60.0, "rph": 3600.0}
_RATE_NOUNS = (r"(?:req(?:uest)?s?|quer(?:y|ies)|reads?|writes?|ops|operations?|calls?|hits?|"
               r"events?|messages?|msgs?|transactions?|txns?|lookups?|selects?|jobs?|"
               r"page\s?views?|pageviews?|visits?|api\s+calls?)")
_RATE_UNIT_RE = re.compile(
    rf"^\s*(?:(?P<abbr>{'|'.join(_RATE_ABBR)})\b"
    rf"|(?:{_RATE_NOUNS}\s*)?(?:/\s*|\bper\s+|\ban?\s+|\beach\s+|\bevery\s+)"
    rf"(?P<per>{'|'.join(sorted(_PER_SECONDS, key=len, reverse=True))})\b"
    rf"|(?:{_RATE_NOUNS}\s*)(?P<adverb>{'|'.join(_PER_ADVERB)})\b)",
    re.IGNORECASE,
)

_YES = {"yes", "y", "yep", "yeah", "yup", "ya", "sure", "true", "ok", "okay", "affirmative",
        "correct", "right", "indeed", "definitely", "absolutely", "1", "on"}
_NO = {"no", "n", "nope", "nah", "false", "negative", "not really", "never", "0", "off",
       "none", "no way"}

_EXAMPLES: dict[Unit, str] = {
    Unit.COUNT: "a number such as 50k, 1.2M or 1,200,000",
    Unit.RPS: "a rate such as 2k rps or 450",
    Unit.FACTOR: "a factor such as 3x or 10",
    Unit.MS: "a time such as 850 ms or 1.4s",
    Unit.S: "a time such as 30s or 2 min",
    Unit.PCT: "a share such as 92% or 0.92",
    Unit.GB: "a size such as 10GB, 512 MiB or 1.5TB",
}


def _example(spec: MetricSpec) -> str:
    """The form expected for one metric: a small count is no "50k" (cores, spindles)."""
    if spec.unit is Unit.COUNT and spec.maximum <= 1e5:
        return "a whole number such as 16" if spec.integer else "a number such as 12"
    return _EXAMPLES[spec.unit]


def _fmt(value: float) -> str:
    """A readable number for notes: 60000 -> 60,000; 0.5368 -> 0.537."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.3g}" if abs(value) < 1 else f"{value:,.3f}".rstrip("0").rstrip(".")


# Full-width forms (a CJK keyboard's `５０ｋ`, `９５％`) as NFKC makes them: ASCII, one
# character for one, so `ｋ` multiplies as `k` does and no position moves.
_FULLWIDTH = {**{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}, 0x3000: 0x20}


def halfwidth(text: str) -> str:
    """`text` with full-width digits, letters and signs as their ASCII forms."""
    return text.translate(_FULLWIDTH) if any("\uff01" <= ch <= "\uff5e" or ch == "\u3000"
                                             for ch in text) else text


def _tokens(text: str) -> list[_Token]:
    """Every number in the text with the word right after it; `x3` is read as `3x`."""
    text = _X_PREFIX_RE.sub("\0", text)  # mark x-prefixed numbers, keeping positions
    found: list[_Token] = []
    scan = _unit_ranges(text.replace("\0", " "))
    if "0x" in scan or "0X" in scan:
        scan = _HEX_RE.sub(lambda m: " " * len(m.group()), scan)
    said_to = 0  # the end of a malformed number already said, whose pieces are not numbers
    for m in _TOKEN_RE.finditer(scan):
        if m.start() < said_to:
            continue
        try:
            value = _number(m.group("num"))
        except ValueError:  # pragma: no cover - the regex only admits floats
            continue
        suffix = (m.group("suffix") or "").lower()
        before = text[max(0, m.start() - 40): m.start()]  # a window: no square cost
        if before.rstrip().endswith("\0"):
            suffix = "x"
        if _NEGATIVE_RE.search(before):
            value = -value
        end = m.end()
        if suffix in _FILLER_WORDS:  # "p95 1.2 and ...": the next word is not a unit
            suffix, end = "", m.start("suffix")
        hyphened = _HYPHEN_WORD_RE.match(text, end) if not suffix else None
        if hyphened and any(number_word(hyphened.group(1).lower())):  # "40-thousand"
            suffix, end = hyphened.group(1).lower(), hyphened.end()
        head, slash, tail = suffix.partition("/")
        word, doubt = number_word(head)
        misspelt = None
        if word is not None and word != head:
            misspelt, suffix = head, word + slash + tail
        malformed = _malformed(scan, m, suffix)
        if malformed is not None:
            said_to, why = malformed
            end, misspelt, doubt = said_to, None, None
            malformed = f"{scan[m.start():end].strip()} ({why})"
        found.append(_Token(value, suffix, m.start(), end, text[m.start():end], misspelt,
                            doubt, malformed))
    return found


# After a number read: digits glued on ("1k2"), or a further group of other than three
# digits after groups of thousands ("1 000 00").
_GLUED_DIGITS_RE = re.compile(r"[\d.,]*\d")
_BAD_GROUP_RE = re.compile(r" \d+(?:[ \u00a0\u2009\u202f]\d+)*(?![\d.,])")
_SPACE_GROUPED_RE = re.compile(r"\d[ \u00a0\u2009\u202f]\d")


def _malformed(scan: str, m: re.Match[str], suffix: str) -> tuple[int, str] | None:
    """(where the number ends, why it cannot be read exactly), for a number typed so that
    any reading would be a guess: "50kk", "1k2", "1 000 00"; else None."""
    glued = m.group("suffix") is not None and m.start("suffix") == m.end("num")
    if glued and _GLUED_DIGITS_RE.match(scan, m.end()):
        end = _GLUED_DIGITS_RE.match(scan, m.end()).end()
        num, digits = m.group("num"), scan[m.end():end]
        example = f", e.g. {num}.{digits}{suffix}" if num.isdigit() and digits.isdigit() else ""
        return end, f"digits after its unit; write one number{example}"
    if (glued and len(suffix) > 1 and set(suffix) <= set("kmbt") and suffix not in _MULTIPLIERS
            and not _known_unit(suffix)):
        return m.end(), f"'{suffix}' is no multiplier; write it with one, e.g. {m.group('num')}k"
    if _SPACE_GROUPED_RE.search(m.group("num")) is None:
        return None  # checked first: the group scan runs to the end of a list of numbers
    bad = _BAD_GROUP_RE.match(scan, m.end("num"))
    return None if bad is None else (bad.end(), "thousands are grouped in threes, e.g. 100 000")


def numbers_said(text: str) -> list[str]:
    """Each number in `text` as typed, with the unit word it carries ("50k", "1.2M",
    "50 thousand")."""
    return [token.raw.strip() for token in _tokens(text)]


_DECIMAL_COMMA = re.compile(r"\d+,\d{1,2}")


def _number(said: str) -> float:
    """The value of a number as `_NUM` matched it, its grouping marks dropped."""
    if _DECIMAL_COMMA.fullmatch(said):  # 1,2: a decimal comma
        return float(said.replace(",", "."))
    plain = re.sub(r"[,_ \u00a0\u2009\u202f]", "", said)
    if plain.count(".") > 1:  # 1.200.000: dots group thousands
        plain = plain.replace(".", "")
    return float(plain)


def number_word(word: str) -> tuple[str | None, str | None]:
    """(the number word `word` is, allowing one slip; the one it is merely close to).

    "thousnad" -> ("thousand", None); "thsnd"-like near misses -> (None, "thousand");
    ordinary words -> (None, None). Only words of five letters or more are guessed at.
    """
    if word in _MULTIPLIERS:
        return word, None
    cut_from = _skeleton_of(word)
    if cut_from is not None:
        return None, cut_from
    if len(word) < 5 or not word.isalpha() or word in _NOT_NUMBER_WORDS or _known_unit(word):
        return None, None
    # Deferred: only a misspelt number word needs it, and every CLI call imports this module.
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    best, score, _ = process.extractOne(word, _NUMBER_WORDS, scorer=OSA.distance)
    if score <= 1:
        return str(best), None
    if word[0] != best[0] or abs(len(word) - len(best)) > 2:
        return None, None
    if score == 2 or (score == 3 and len(word) >= 6 and word[:2] == best[:2]):
        return None, str(best)
    return None, None


def _skeleton_of(word: str) -> str | None:
    """The number word a vowel-less abbreviation is cut from ("thsnd", "mlln"); None for
    any other word. Such a note is a number word beyond doubt, but which of its spellings
    the writer meant is not, so it is asked back, never read as the bare number."""
    if len(word) < 3 or not word.isalpha() or set(word) & _VOWELS or _known_unit(word):
        return None
    for number in _NUMBER_WORDS[::2]:  # the singular: "thsnds" is cut from it too
        if word[0] == number[0] and _is_subsequence(word.rstrip("s") or word, number):
            return number
    return None


_VOWELS = frozenset("aeiouy")


def _is_subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return all(ch in letters for ch in short)


def _known_unit(word: str) -> bool:
    return (word in _SECONDS or word in _GB or word in _FACTOR_SUFFIXES or word in _RATE_ABBR
            or word in _PER_SECONDS)


def _misspelling_error(token: _Token) -> ParseError:
    typed = token.suffix.partition("/")[0]
    return MisspeltNumber(f"'{typed}' is not a number word I know; did you mean {token.doubt}? "
                          f"Write it as {_fmt(token.value)} {token.doubt} or with k/M/B.")


@dataclass(frozen=True)
class _Pick:
    """How one value was chosen from two: the upper end of a range, or the latest reading."""

    text: str
    latest: bool


def _one_value(text: str, unit: Unit) -> tuple[_Token, _Pick | None]:
    """The single number (the upper end of a range, the latest of a change) an answer holds."""
    if text is None or not str(text).strip():
        raise ParseError(f"Expected {_EXAMPLES[unit]}; the answer was empty.")
    text = str(text).strip()
    if len(text) > MAX_QUANTITY_CHARS:
        raise ParseError(
            f"Expected a short answer: {_EXAMPLES[unit]} (got {len(text)} characters)."
        )
    lowered = text.lower()
    if re.search(r"\b(nan|inf|infinity|infinite)\b|∞", lowered):
        raise ParseError(f"Expected a finite number: {_EXAMPLES[unit]}.")
    if without_status_codes(lowered) != lowered:
        raise ParseError(f"Expected {_EXAMPLES[unit]}; '{text}' names HTTP status codes, "
                         "not a quantity.")
    tokens = _tokens(text)
    if not tokens:
        raise ParseError(f"Expected {_EXAMPLES[unit]}.")
    if not all(math.isfinite(t.value) for t in tokens):  # 1e400 overflows to infinity
        raise ParseError(f"Expected a finite number: {_EXAMPLES[unit]}.")
    if len(tokens) == 1:
        return tokens[0], None
    if len(tokens) == 2:
        low, high = tokens
        between = text[low.end: high.start]
        if low.suffix in {"to", "or"}:
            between, low = f" {low.suffix} {between}", _Token(low.value, "", low.start,
                                                              low.end, low.raw)
        latest = bool(_ARROW_RE.match(between)) or (
            bool(_FROM_RE.search(text[: low.start])) and bool(_RANGE_SEP_RE.match(between)))
        ranged = bool(_RANGE_SEP_RE.match(between)) or (  # "between 1 and 2 seconds"
            bool(_BETWEEN_RE.search(text[: low.start])) and between.strip().lower() == "and")
        if latest or ranged:
            suffix = high.suffix or low.suffix
            value = high.value if latest else abs(high.value)
            picked = _Token(value, suffix, low.start, high.end, high.raw, high.misspelt,
                            high.doubt, high.malformed)
            said = text[low.start: high.end].strip()
            if not latest and between.strip().lower() == "and":
                said = f"{low.raw.strip()}-{high.raw.strip()}"  # "between 1 and 2 s": 1-2 s
            falling = min(_size_of(abs(low.value), low.suffix or suffix),  # "40-60k": 40k
                          _size_of(abs(low.value), low.suffix)) > _size_of(value, suffix)
            return picked, _Pick(said, latest or falling)  # "2.4s to 300ms": a fall
    raise ParseError(f"Expected one value: {_EXAMPLES[unit]} (found {len(tokens)} numbers).")


def _size_of(value: float, suffix: str) -> float:
    """A number scaled by its unit or multiplier, only to tell which of two is larger."""
    head = suffix.partition("/")[0]
    return value * (_MULTIPLIERS.get(head) or _SECONDS.get(head) or _GB.get(head) or 1.0)


_ARROW_RE = re.compile(r"^\s*(?:->|-->|→|=>|⇒)\s*$")
_FROM_RE = re.compile(r"\bfrom\s*$", re.IGNORECASE)
_BETWEEN_RE = re.compile(r"\bbetween\s*$", re.IGNORECASE)


def _finite(value: float, unit: Unit) -> float:
    if not math.isfinite(value):
        raise ParseError(f"Expected a finite number: {_EXAMPLES[unit]}.")
    return value


def _pick_note(pick: _Pick | None, value: float, unit_word: str = "") -> str | None:
    if pick is None:
        return None
    if pick.latest:
        return f"took {_fmt(value)}{unit_word}, the latest value in {pick.text}"
    return f"took {_fmt(value)}{unit_word}, the upper end of {pick.text}"


def _join(*notes: str | None) -> str | None:
    kept = [n for n in notes if n]
    return "; ".join(kept) if kept else None


def _multiplier(suffix: str) -> tuple[float, str]:
    """The multiplier a suffix starts with, and what follows it: `k/s` -> (1000, '/s')."""
    head, slash, tail = suffix.partition("/")
    if head in _MULTIPLIERS:
        return _MULTIPLIERS[head], slash + tail
    # "50kusers" never happens, but "2krps" does: peel a multiplier off a glued unit.
    for mult in ("k", "m", "b"):
        if head.startswith(mult) and (head[1:] in _RATE_ABBR or head[1:] in _GLUED_NOUNS):
            return _MULTIPLIERS[mult], head[1:] + slash + tail
    return 1.0, suffix


_GLUED_NOUNS = {"users", "req", "reqs", "requests", "reads", "queries"}


_PEOPLE_PERIODS = {"d", "day", "days", "wk", "week", "weeks", "mo", "month", "months"}


def _refuse_foreign(token: _Token, unit: Unit, after: str) -> None:
    """A count or a rate typed in another kind of unit ("300ms" for peak traffic, "2k rps"
    for users) is refused, never read as the bare number."""
    _mult, rest = _multiplier(token.suffix)
    head, slash, tail = rest.partition("/")
    if unit is Unit.COUNT and tail in _PEOPLE_PERIODS:
        slash = ""  # "50k/day", "2M/month": people in a period are a count of users
    kind = None
    if head in _SECONDS and head != "m" and not slash:
        kind = "a time"
    elif head in _GB and head not in {"k", "m", "b"}:
        kind = "a size"
    said = token.raw.strip()
    rate_words = _RATE_WORDS.match(after.strip()) if not head else None
    if kind is None and unit is not Unit.RPS and (head in _RATE_ABBR or (slash and not head)
                                                  or rate_words):
        kind = "a rate"
        said = f"{said} {rate_words.group(0)}" if rate_words else said
    counted = _counted(rest, after) if kind is None and unit is Unit.RPS else None
    if counted is not None:  # "10k users" for reads per second: people, not requests
        kind, said = "a count, not a rate", said if head else f"{said} {counted}"
    if kind is not None:
        raise ParseError(f"Expected {_EXAMPLES[unit]}; {said} is {kind}.")


def _counted(rest: str, after: str) -> str | None:
    """The noun of a count said where a rate is wanted ("users" of "10k users", "sessions"),
    when no span follows it ("10k users/day" is a count too; "2k messages/s" a rate)."""
    words = f"{rest} {after}".strip()
    noun = _USERS_WORDS.match(words) or _COUNTED_NOT_REQUESTS.match(words)
    if noun is None or rate_unit(words[noun.end():].strip()) not in (None, DAY_S, 7 * DAY_S,
                                                                     30 * DAY_S):
        return None
    return noun.group(0)


_DOT_GROUP_RE = re.compile(r"[1-9]\d{0,2}\.\d{3}(?!\d)")  # 0.375 groups nothing


def _dot_grouped(token: _Token) -> None:
    """`50.000 users` is fifty thousand where a dot groups thousands and fifty where it is
    a decimal point: a count or a rate written so, with no multiplier, is asked back."""
    if _multiplier(token.suffix)[0] != 1.0 or not _DOT_GROUP_RE.fullmatch(
            token.raw.strip()[: len(token.raw.strip()) - len(token.suffix)].strip()):
        return
    small, large = _fmt(token.value), _fmt(token.value * 1000)
    raise AmbiguousUnit((small, large), f"{token.raw.strip()}: {small} or {large}? Write it "
                                        f"without the dot, e.g. {large.replace(',', '')}.")


def _count(token: _Token) -> float:
    return token.value * _multiplier(token.suffix)[0]


def _misspelt_note(token: _Token) -> str | None:
    if token.misspelt is None:
        return None
    return f"read '{token.misspelt}' as {token.suffix.partition('/')[0]}"


def _checked(token: _Token) -> _Token:
    if token.malformed is not None:
        raise ParseError(f"Not read exactly: {token.malformed}.")
    if token.doubt is not None:
        raise _misspelling_error(token)
    return token


def parse_number(text: str) -> Parsed:
    """One count or rate: `50k`, `1.2M users`, `~2 million`, `1.2e6`, `40-60k`, `16 cores`."""
    text = digits_for_words(halfwidth(text), answer=True) if isinstance(text, str) else text
    token, pick = _one_value(text, Unit.COUNT)
    token = _checked(token)
    if token.suffix == "%":
        raise ParseError(f"Expected {_EXAMPLES[Unit.COUNT]}, not a percentage.")
    _dot_grouped(token)
    value = _finite(_count(token), Unit.COUNT)
    return Parsed(value, _join(_misspelt_note(token), _pick_note(pick, value)))


def _duration(token: _Token, unit: Unit) -> tuple[float, str | None]:
    target = 1e-3 if unit is Unit.MS else 1.0
    target_word = "ms" if unit is Unit.MS else "s"
    suffix = token.suffix
    if not suffix:
        _bare_time(token.value, unit)
        return token.value, None
    if suffix in ("ms", "s") and suffix == target_word:
        return token.value, None
    if suffix not in _SECONDS:
        raise ParseError(f"Expected {_EXAMPLES[unit]}; did not understand '{suffix}'.")
    value = token.value * _SECONDS[suffix] / target
    return value, f"{_fmt(token.value)} {suffix} = {_fmt(value)} {target_word}"


BARE_MS_UP_TO = 60.0  # a bare p95 of 60 or less could be ms or s; above, only ms is real
BARE_S_FROM = 1.0  # a bare lag of 1 or more could be ms or s; below, only s is real


def _bare_time(value: float, unit: Unit) -> None:
    """Refuse a bare time that reads as well in ms as in s (rule in the module docstring)."""
    shown = _fmt(value)
    if unit is Unit.MS and 0 < value <= BARE_MS_UP_TO:
        raise AmbiguousUnit((f"{shown} ms", f"{shown} s"))
    if unit is Unit.S and value >= BARE_S_FROM:
        raise AmbiguousUnit((f"{shown} ms", f"{shown} s"))


def _share(token: _Token) -> tuple[float, str | None]:
    if token.suffix == "%":
        return token.value, None
    if token.suffix and token.suffix not in {"pct", "percent", "per"}:
        raise ParseError(f"Expected {_EXAMPLES[Unit.PCT]}; did not understand '{token.suffix}'.")
    if token.suffix:
        return token.value, None
    if token.value == 1:  # "1" and "1.0" alike: one percent or all of it?
        raise AmbiguousUnit(("1%", "100%"))
    if 0 <= token.value <= 1:
        value = token.value * 100
        return value, f"read {_fmt(token.value)} as a fraction: {_fmt(value)}%"
    return token.value, None


_FRACTION_RE = re.compile(
    rf"^\s*(?:~|about\s+)?(?P<part>{_NUM})\s*(?:/|of|out of)\s*(?P<whole>{_NUM})(?P<rest>\D*)$",
    re.IGNORECASE,
)


_FACTOR_WORDS = {"double": 2.0, "doubles": 2.0, "doubled": 2.0, "twice": 2.0,
                 "triple": 3.0, "triples": 3.0, "tripled": 3.0, "quadruple": 4.0,
                 "quadruples": 4.0, "tenfold": 10.0}


def _factor_word(text: str) -> Parsed | None:
    """A growth said in a word, with no number beside it: "double", "it will triple"."""
    if any(ch.isdigit() for ch in text):
        return None
    words = re.findall(r"[a-z]+", text.lower())
    found = [_FACTOR_WORDS[w] for w in words if w in _FACTOR_WORDS]
    if len(found) == 2 and ({"or", "to"} & set(words)):  # "double or triple": the upper end
        return Parsed(max(found), f"took {_fmt(max(found))}x, the upper end of "
                                  f"'{text.strip()}'")
    if len(found) != 1:
        return None
    word = next(w for w in words if w in _FACTOR_WORDS)
    compounded = _compounded(found[0], f"'{word}' ({_fmt(found[0])}x)",
                             text.lower().split(word, 1)[1])
    if compounded is not None:  # "doubles every quarter": 2x compounded 4 times, 16x
        return Parsed(*compounded)
    return Parsed(found[0], f"'{text.strip()}' read as {_fmt(found[0])}x")


_SPLIT_RE = re.compile(r"\s*(?P<r>\d+(?:\.\d+)?)\s*(?P<sep>[/:])\s*(?P<w>\d+(?:\.\d+)?)\s*"
                       r"(?:reads?\s*(?:/|:|to)\s*writes?)?\s*", re.IGNORECASE)


def _read_split(text: str) -> Parsed | None:
    """A read/write split given for the read share: `90/10` (summing to 100) or `4:1`."""
    m = _SPLIT_RE.fullmatch(text)
    if m is None:
        return None
    reads, writes = float(m.group("r")), float(m.group("w"))
    if reads + writes <= 0 or (m.group("sep") == "/" and reads + writes != 100):
        return None  # "45/50" is 45 of 50, a share like any other
    value = float(f"{reads / (reads + writes) * 100:.4g}")
    said = " to ".join(f"{_fmt(n)} {word}{'' if n == 1 else 's'}"
                       for n, word in ((reads, "read"), (writes, "write")))
    return Parsed(value, f"{said} = {_fmt(value)}% reads")


def _fraction(text: str) -> Parsed | None:
    """`45/50`, `45 of 50`, `45 out of 50 connections` as a share: 90%; so are two sizes,
    `14GB of 16GB` (87.5%)."""
    sized = _SIZE_FRACTION_RE.fullmatch(text.strip())
    share = _size_share(sized) if sized is not None else None
    if sized is not None and share is not None:
        return Parsed(share, f"{sized.group(0)} = {_fmt(share)}%")
    m = _FRACTION_RE.match(text)
    if m is None:
        return None
    part, whole = (_number(m.group(g)) for g in ("part", "whole"))
    if whole <= 0:
        raise ParseError(f"Expected {_EXAMPLES[Unit.PCT]}; {m.group('whole')} of nothing?")
    value = float(f"{part / whole * 100:.12g}")
    return Parsed(value, f"{_fmt(part)} of {_fmt(whole)} = {_fmt(value)}%")


def _size(token: _Token) -> tuple[float, str | None]:
    suffix = token.suffix
    if not suffix:
        if token.value > 0:
            shown = _fmt(token.value)
            raise AmbiguousUnit((f"{shown} MB", f"{shown} GB"))
        return token.value, None
    _bits(token)
    if suffix in {"gb", "g"}:
        return token.value, None
    if suffix not in _GB:
        raise ParseError(f"Expected {_EXAMPLES[Unit.GB]}; did not understand '{suffix}'.")
    value = token.value * _GB[suffix]
    shown = token.raw.strip()
    return value, f"{shown} = {_fmt(value)} GB"


_BITS_RE = re.compile(r"(?P<prefix>[KMGTP])b")  # "10Gb": a capital and a small b are bits
_BIT_WORDS = {"K": "kilobits", "M": "megabits", "G": "gigabits", "T": "terabits",
              "P": "petabits"}


def _bits(token: _Token) -> None:
    """A size written in bits ("10Gb", as links are rated) is asked back, never read as
    bytes: both readings are given, the bytes it is and the bytes it may have meant."""
    typed = token.raw.strip()[-len(token.suffix):] if token.suffix else ""
    m = _BITS_RE.fullmatch(typed)
    if m is None:
        return
    shown, prefix = _fmt(token.value), m.group("prefix")
    in_gb = _fmt(token.value * _GB[f"{prefix.lower()}b"] / 8)
    raise AmbiguousUnit((f"{in_gb} GB", f"{shown} {prefix}B"),
                        f"{shown} {typed} is {_BIT_WORDS[prefix]} ({in_gb} GB); did you mean "
                        f"{shown} {prefix}B?")


def _factor(token: _Token, after: str = "") -> tuple[float, str | None]:
    if token.suffix in _FACTOR_SUFFIXES or not token.suffix:
        base, said = token.value, f"{_fmt(token.value)}x"
    elif token.suffix == "%":
        base, said = 1 + token.value / 100, f"{_fmt(token.value)}%"
    else:
        raise ParseError(f"Expected {_EXAMPLES[Unit.FACTOR]}; did not understand "
                         f"'{token.suffix}'.")
    compounded = _compounded(base, said, after)
    if compounded is not None:  # "20% a month", "2x a quarter": the guide's 12 months
        return compounded
    if token.suffix != "%":
        return base, None
    sign = "-" if token.value < 0 else "+"
    return base, f"read {sign}{_fmt(abs(token.value))}% as a factor of {_fmt(base)}x"


def _compounded(base: float, said: str, after: str) -> tuple[float, str] | None:
    """A growth of `base` times said per month, quarter or week (in the words `after` it)
    made 12 months' with its arithmetic; None when no shorter span is said."""
    periods = _growth_periods(after.strip())
    if periods is None or periods == 1:
        return None
    value = float(f"{base ** periods:.4g}")
    return value, _compounded_note(said, periods, value)


def _compounded_note(said: str, periods: int, value: float) -> str:
    """The arithmetic of a growth said per span, in one wording for answers and text."""
    return f"{said} compounded {periods} times is {_fmt(value)}x in 12 months"


# A growth's horizon said after it: "3x in 12 months", "2x over the next 6 months". The
# span's length comes from the table of spans below (`_GROWTH_SPANS`), not a second one.
_HORIZON = (r"(?:in|over|within)\s+(?:the\s+)?(?:next\s+|coming\s+)?"
            r"(?:(?P<n>\d+(?:\.\d+)?)\s*|an?\s+|one\s+)?"
            r"(?P<span>month|mo|year|yr|quarter|qtr|week|wk)s?\b")
_HORIZON_RE = re.compile(rf"\s+{_HORIZON}\s*[.!]?\s*$", re.IGNORECASE)  # ends an answer
# In free text, after the number and a few words of its own ("3x more traffic in 6 months").
_HORIZON_AFTER = re.compile(rf"\s*(?:[a-z]+\s+){{0,3}}?{_HORIZON}", re.IGNORECASE)


def _horizon_months(m: re.Match[str]) -> float:
    """The months a horizon matched by `_HORIZON` spans: "6 months" 6, "2 quarters" 6.

    "/month", "/qtr" and the like are the per-span forms `_GROWTH_SPANS` knows, so the
    span word is looked up there, in the one table of spans."""
    periods = _growth_periods(f"/{m.group('span').lower()}")
    assert periods is not None  # every span `_HORIZON` names is in `_GROWTH_SPANS`
    months = float(m.group("n") or 1) * 12 / periods
    if months <= 0:
        raise ParseError(f"Expected {_EXAMPLES[Unit.FACTOR]}; growth in no time at all?")
    return months


def _horizon_after(text: str, at: int) -> float | None:
    """The months of a horizon said just after a growth in free text ("3x in 6 months"),
    else None: the number in it is no reading of its own, so the window is not cut there.
    A growth said per span ("20% month over month") has no horizon; it is compounded."""
    if _growth_periods(_after_words(text, at, 4)) is not None:
        return None
    m = _HORIZON_AFTER.match(text, at)
    return None if m is None else _horizon_months(m)


def _over_horizon_after(found: tuple[MetricName, float] | None, text: str, at: int
                        ) -> tuple[MetricName, float] | None:
    """A growth read in free text made 12 months' when its horizon follows it, as an
    answer's is (`_over_horizon`); any other reading as it was."""
    if found is None or found[0] is not MetricName.GROWTH_FACTOR:
        return found
    months = _horizon_after(text, at)
    return found if months is None else (found[0], _in_12_months(found[1], months))


def _in_12_months(base: float, months: float) -> float:
    """A growth of `base` times over `months` made the guide's 12 months' by compounding."""
    return base if months == 12 else float(f"{base ** (12 / months):.4g}")


def _horizon_note(base: float, months: float, value: float) -> str | None:
    """The arithmetic of a growth said with its horizon; None when it was 12 months."""
    if months == 12:
        return None
    return f"{_fmt(base)}x in {_fmt(months)} months compounded to 12 months is {_fmt(value)}x"


def _over_horizon(text: str, metric: MetricName) -> Parsed | None:
    """A growth said with its horizon, made the guide's 12 months': "3x in 12 months" is
    3x, "3x in 6 months" 9x; None when no horizon is said."""
    m = _HORIZON_RE.search(text)
    if m is None or not text[: m.start()].strip():
        return None
    months = _horizon_months(m)
    inner = parse_quantity(text[: m.start()], metric)
    if months == 12:
        return inner
    value = _in_12_months(inner.value, months)
    return _bounded(metric, value, _join(inner.note, _horizon_note(inner.value, months, value)))


def rate_unit(rest: str) -> float | None:
    """Seconds per unit of the rate named at the start of `rest` (`/min` -> 60), else None."""
    m = _RATE_UNIT_RE.match(rest)
    if m is None:
        return None
    if m.group("abbr"):
        return _RATE_ABBR[m.group("abbr").lower()]
    if m.group("adverb"):
        return _PER_ADVERB[m.group("adverb").lower()]
    return _PER_SECONDS[m.group("per").lower()]


_PER_WORD = {1.0: "second", 60.0: "minute", 3600.0: "hour", DAY_S: "day", 7 * DAY_S: "week",
             30 * DAY_S: "month"}


def average_note(value: float, per: float) -> str | None:
    """Said of a rate counted over a day or longer: the peak hour runs above its average."""
    if per < DAY_S:
        return None
    return (f"{_fmt(value)} per {_PER_WORD[per]} is {_fmt(value / per)} per second on average;"
            " the busiest hour runs higher, so give the peak if you know it")


def rate_note(value: float, per: float | None) -> str | None:
    """How a count per `per` seconds became per second ("60,000 per minute = 1,000 per
    second"); the average note for a day or longer; None when it was per second already."""
    if per is None or per == 1.0:
        return None
    return average_note(value, per) or (
        f"{_fmt(value)} per {_PER_WORD[per]} = {_fmt(value / per)} per second")


def _rate(token: _Token, after: str) -> tuple[float, str | None]:
    """A rate per second: `3k/s` = 3,000; `60k/min` = 1,000; `2.5k rps` = 2,500."""
    if token.suffix == "%":
        raise ParseError(f"Expected {_EXAMPLES[Unit.RPS]}, not a percentage.")
    mult, rest = _multiplier(token.suffix)
    value = token.value * mult
    per = rate_unit(f"{rest} {after}" if rest else after)
    return value / (per or 1.0), rate_note(value, per)


# A number with nothing after it but a decimal point or digit grouping: `1.2`, `3,600`.
_BARE_NUMBER_RE = re.compile(r"\s*\d[\d,]*(?:\.\d+)?\s*")


def in_named_unit(key: str, value: str) -> str:
    """`value` with its unit when `key` is a metric's full name, which says the unit
    (`p95_ms=1.2` is 1.2 ms, `working_set_gb=10` 10 GB); a short name (`p95=1.2`) says
    none, so its bare number is still asked back."""
    metric = METRIC_KEYS.get(key)
    if metric is None or metric.value != key or not _BARE_NUMBER_RE.fullmatch(value):
        return value
    unit = METRIC_SPECS[metric].unit
    return f"{value.strip()} {unit.value}" if unit in (Unit.MS, Unit.S, Unit.GB) else value


NAMED_UNIT = "the unit its name says"


def parse_named(key: str, value: str, following: Sequence[str] = ()) -> tuple[Parsed, int]:
    """`parse_value_words` for a value given under a name (`key` as METRIC_KEYS spells
    it): a bare number that reads two ways takes the unit the full name says."""
    metric = METRIC_KEYS[key]
    try:
        return parse_value_words(value, following, metric)
    except AmbiguousUnit:
        with_unit = in_named_unit(key, value)
        if with_unit == value:
            raise
        return Parsed(parse_quantity(with_unit, metric).value, NAMED_UNIT), 0


MAX_FOLLOWING_WORDS = 4  # "two hundred and fifty" is the longest a value runs on

# Words that name a database's disk. The guide counts an SSD as one spindle and a spinning
# disk as one each, so such a word says what the disk is, wherever it stands: it is never
# the unit of the number before it (`cores=8 ssd` is 8 cores on an SSD).
SSD_WORDS = frozenset({"ssd", "ssds", "nvme"})
SPINNING_WORDS = frozenset({"hdd", "hdds", "spinning"})


def parse_value_words(value: str, following: Sequence[str], metric: MetricName | str
                      ) -> tuple[Parsed, int]:
    """A `name=value` value read with the words after it that continue it: `users=50
    thousand`, `p95=1.2 s`, `peak=60k /min`, `users=two hundred and fifty`. Returns the
    reading and how many of `following` it took; a word is taken only when it changes the
    reading (or makes one possible), so `users=50k and checkout is slow` takes none.
    Raises ParseError as `parse_quantity` does, or for a misspelt number word after it."""
    try:
        best: Parsed | None = parse_quantity(value, metric)
    except ParseError as err:
        best, first_error = None, err
    taken = 0
    for n in range(1, min(MAX_FOLLOWING_WORDS, len(following)) + 1):
        if "=" in following[n - 1]:
            break  # the next name=value
        try:
            longer = parse_quantity(" ".join([value, *following[:n]]), metric)
        except MisspeltNumber as err:
            err.words = n  # the words it spans, so a caller can show them whole
            raise
        except ParseError:
            continue
        if best is None or longer.value != best.value:
            best, taken = longer, n
    if best is None:
        raise first_error
    if not taken and _unit_said_after(value, following, metric):
        taken = 1  # `--per-replica 3000 rps`: the unit it has already, said as a word
    return best, taken


def _unit_said_after(value: str, following: Sequence[str], metric: MetricName | str) -> bool:
    """Whether the first word after `value` is the unit it is read in ("3000" "rps",
    "8" "cores"): a word that agrees with the reading, not one that starts other text."""
    if not following or "=" in following[0]:
        return False
    word = following[0].lower()
    if word in SSD_WORDS or (word in SPINNING_WORDS and metric != MetricName.SPINDLES):
        return False  # the disk, said beside the number: read by the sizing, not here
    if METRIC_SPECS[MetricName(metric)].unit is Unit.COUNT:
        named = read_text(f"{value} {word}").metrics  # `cores 8 spindles 4`: not its unit
        if named and MetricName(metric) not in named:
            return False
    found = _tokens(f"{value} {word}")
    if len(found) != 1 or found[0].suffix != word:
        return False
    try:
        return (parse_quantity(f"{value} {following[0]}", metric).value
                == parse_quantity(value, metric).value)
    except ParseError:
        return False


def parse_quantity(text: str, metric: MetricName | str) -> Parsed:
    """An answer for one metric, converted to that metric's unit and bounds-checked.

    Raises ParseError (never MetricError) so callers handle one exception type; a bare
    number whose unit matters raises AmbiguousUnit (a ParseError) with both readings.
    """
    spec = METRIC_SPECS[MetricName(metric)]
    text = halfwidth(text) if isinstance(text, str) else text
    typed = text.strip() if isinstance(text, str) and spelled_out(text, answer=True) else None
    text = digits_for_words(text, answer=True) if isinstance(text, str) else text
    if isinstance(text, str) and spec.unit in (Unit.MS, Unit.S):
        text = _compound_times(text)  # "1m30s" is one time
    horizon = _over_horizon(str(text or ""), spec.name) if spec.unit is Unit.FACTOR else None
    if horizon is not None:
        return horizon
    said = _factor_word(str(text or "")) if spec.unit is Unit.FACTOR else None
    if said is not None:
        return _bounded(spec.name, said.value, said.note)
    split = _read_split(str(text or "")) if spec.name is MetricName.READ_PCT else None
    if split is not None:
        return _bounded(spec.name, split.value, split.note)
    fraction = _fraction(str(text or "")) if spec.unit is Unit.PCT else None
    if fraction is not None:
        return _bounded(spec.name, fraction.value, fraction.note)
    token, pick = _one_value(text, spec.unit)
    token = _checked(token)
    after = str(text).strip()[token.end:].lower()
    if spec.unit in (Unit.MS, Unit.S):
        value, note = _duration(token, spec.unit)
    elif spec.unit is Unit.PCT:
        value, note = _share(token)
    elif spec.unit is Unit.GB:
        value, note = _size(token)
    elif spec.unit is Unit.FACTOR:
        _refuse_foreign(token, spec.unit, after)
        value, note = _factor(token, after)
    elif spec.unit is Unit.RPS:
        _refuse_foreign(token, spec.unit, after)
        _dot_grouped(token)
        value, note = _rate(token, after)
    else:
        if token.suffix == "%":
            raise ParseError(f"Expected {_example(spec)}, not a percentage.")
        _refuse_foreign(token, spec.unit, after)
        _dot_grouped(token)
        value, note = _count(token), None
    value = float(f"{_finite(value, spec.unit):.12g}")  # 1.4 s is 1400 ms, not 1399.99…
    if typed is not None:  # "two seconds": the words and the value say it all
        note = _join(f"'{typed}' read as {value_text(spec.name, value)}",
                     note if note and "on average" in note else None)
    return _bounded(spec.name, value, _join(_misspelt_note(token), _pick_note(pick, value),
                                            note))


def _bounded(metric: MetricName, value: float, note: str | None) -> Parsed:
    spec = METRIC_SPECS[metric]
    if spec.integer:
        if abs(value - round(value)) > 1e-6 * max(1.0, abs(value)):
            raise ParseError(f"Expected a whole number for {spec.label}, e.g. 16.")
        value = float(round(value))
    try:
        check_metric(spec.name, value)
    except MetricError as exc:
        raise OutOfBounds(f"{exc}. Expected {_example(spec)}.", value) from exc
    return Parsed(value, note)


def parse_yes_no(text: str) -> bool | None:
    """True for yes-like answers, False for no-like ones, None when it is neither."""
    if not text:
        return None
    cleaned = re.sub(r"[^\w\s]", "", str(text)[:MAX_QUANTITY_CHARS].strip().lower()).strip()
    if cleaned in _YES:
        return True
    if cleaned in _NO:
        return False
    first = cleaned.split(" ", 1)[0] if cleaned else ""
    if first in {"yes", "yep", "yeah", "yup", "sure"}:
        return True
    if first in {"no", "nope", "nah"}:
        return False
    return None


# ---------------------------------------------------------------- free text extraction

# The data stores whose CPU is the database's (the vocabulary's database products): a cache
# server such as Redis included, since it is the data layer that runs hot.
_DB_WORDS = re.compile(
    r"\b(db|dbs|database|databases|mysql|mysqld|postgres|postgresql|pg|psql|rds|aurora|mongo|"
    r"mongodb|mongod|mariadb|sql|primary|master|redis|elasticache|valkey|memcached|cassandra|"
    r"elasticsearch|opensearch|clickhouse|cockroachdb|mssql)\b"
)
# A dot inside a name (`system.cpu.user`, `1.5`) ends nothing.
_CLAUSE_BREAK = re.compile(r"[;!?\n]|\.(?!\w)|,|\band\b|\bbut\b|\bwhile\b|\bwith\b")
_SENTENCE_BREAK = re.compile(r"[.;!?\n](?:\s|$)")
_SSD_RE = re.compile(rf"\b({'|'.join(sorted(SSD_WORDS))})\b", re.IGNORECASE)

# (metric, pattern over the words near a percentage), first match wins.
# A cache's hit rate, not "hit" the verb ("cpu hit 95%" is the CPU).
_CACHE_HIT = re.compile(r"\b(?:(?:cache|redis|memcached?|varnish|cdn)\s+hits?|hitrate|hitratio|"
                        r"hit[\s_-]*(?:rates?|ratios?)|keyspace\s+hits|hits?\s*[:=])")
_PCT_RULES: list[tuple[MetricName, re.Pattern[str]]] = [
    (MetricName.CACHE_HIT_PCT, _CACHE_HIT),
    (MetricName.POOL_USED_PCT, re.compile(r"\b(pool|pools|connections?|conns?|"
                                          r"max_connections)\b")),
    (MetricName.READ_PCT, re.compile(r"\b(reads?|read[- ]heavy|selects?)\b")),
    (MetricName.STATIC_BANDWIDTH_PCT, re.compile(r"\b(static|bandwidth|assets?|images?)\b")),
    (MetricName.MEMORY_PCT, re.compile(r"\b(memory|mem|ram|heap|rss)\b")),
    (MetricName.SERVER_CPU_PCT, re.compile(r"\b(cpu|cpus|load|pegged|utili[sz]ation|usage|"
                                           r"maxed|busy)\b")),
    (MetricName.DB_CPU_PCT, _DB_WORDS),
]
_PCT_NOT_A_METRIC = re.compile(r"\b(disk|disks|drives?|partitions?|diskio|io|i/o|iowait|iostat|"
                               r"storage|volume|inodes?|"
                               r"quota|battery|swap|network|gpus?|nic|uplink|egress|"
                               r"filesystems?|space|free|left|remaining|"
                               r"done|complete|progress|off|discount|uptime|availability|"
                               r"errors?|error rate|[45]xx|[45]\d\d|xxxs?|fail\w*|loss|lost|"
                               r"dropped|drops?|success\w*|retries|retry|sla|slo)\b")
# A share of requests that failed or of a quota used: "timeouts on 30% of requests", "30% of
# requests time out", "95% of our rate limit" (not "cpu 95% timeouts everywhere").
_FAILED_SHARE = re.compile(r"\b(?:timeouts?|time[sd]? out|timing out|rate[ -]?limits?)\b")
# A share with no subject that says how much something changed ("grew 50%") is no reading.
_PCT_CHANGE = re.compile(r"\b(grew|grown|up|down|rose|fell|dropped|jumped|more|less|fewer|"
                         r"higher|lower|increased|decreased|of)\b")
_DURATION_RULES: list[tuple[MetricName, re.Pattern[str]]] = [
    (MetricName.REPLICA_LAG_S, re.compile(r"\b(lag|lagging|behind|replication|replica)\b")),
    (MetricName.SLOWEST_QUERY_MS, re.compile(r"\b(query|queries|sql|slowest|select)\b")),
    (MetricName.P95_MS, re.compile(r"\b(p\d\d\d?|latency|ttfb|response|responses|pages?|load|loads|"
                                   r"takes|took|slow|requests?|checkout|endpoint|api)\b")),
]
# What a multiplier measures when it is not the traffic or the user count.
_NOT_GROWTH = re.compile(r"\b(p\d\d|latency|latencies|response|responses|lag|errors?|"
                         r"restart\w*|reboot\w*|crash\w*|retr(?:y|ies|ied)|tried|attempts?|"
                         r"fail\w*|died|killed|evicted|"
                         r"timeouts?|cpu|memory|mem|heap|disk|cost|costs|bill)\b")
# The percentile nearest a time: p90 and above are the tail; a median or a lower
# percentile is not read as one (an average, said loosely of "the latency", still is).
_PERCENTILE_RE = re.compile(r"\b(p\d\d\d?(?:\.\d+)?|median)\b")
# Words that make the time after them a limit that was reached or set, not a measurement.
_LIMIT_BEFORE = re.compile(r"\b(?:timed?\s*out|times\s*out|timing\s*out|time-?outs?|timeouts?|"
                           r"deadline|killed|limit)\s*(?:after|of|at|is|was|set to|=|:)?\s*$")
_TAIL_LABELS = frozenset({"p90", "p95", "p97", "p98", "p99", "p99.9", "p99.99", "p999"})
_BARE_P95 = re.compile(r"\b(p9\d|p99\.9|latency|response time)\s*(is|was|at|of|=|:|~)?\s*$")
# A replica's lag or the slowest query said just before a bare number ("replica lag 30",
# `lag=30`, "slowest query 4500"); a consumer's lag counts messages, so it is no time.
_BARE_LAG = re.compile(r"\b(?:replica|replicas|replication|slave|standby|secondary)\s+lag"
                       r"\s*(?:is|was|at|of|=|:|~)?\s*$|^lag\s*[=:]\s*$")
_BARE_SLOWEST = re.compile(r"\bslowest\s+(?:query|queries)\s*(?:is|was|at|of|=|:|~|takes|took)?"
                           r"\s*$")
# Which time a bare number is, its unit when it reads one way only, and how to say it back.
_BARE_TIMES: tuple[tuple[MetricName, Unit, re.Pattern[str], str], ...] = (
    (MetricName.P95_MS, Unit.MS, _BARE_P95, "p95"),
    (MetricName.REPLICA_LAG_S, Unit.S, _BARE_LAG, "replica lag"),
    (MetricName.SLOWEST_QUERY_MS, Unit.MS, _BARE_SLOWEST, "slowest query"),
)
# A latency label before a change of bare numbers: "p95 went from 800 to 1200".
_BARE_P95_CHANGE = re.compile(
    r"\b(p9\d|p99\.9|latency|response time)\s*(is|was|at|of|=|:|~)?\s*"
    r"(?:(?:went|jumped|rose|grew|climbed|spiked|moved|up|down|increased|decreased)\s+)?"
    r"(?:from\s*)?$")
_SAFETY_CONTEXT = re.compile(r"\b(safety|margin|headroom|buffer)\b")
_USERS_WORDS = re.compile(r"^((daily|weekly|monthly)\s+)?((active|registered|paying|unique|"
                          r"signed[- ]up|concurrent|total|online)\s+)?"
                          r"(users?|customers?|daus?|maus?|waus?|actives|visitors?|accounts?|people|"
                          r"subscribers?|players?|members?|uniques|concurrent(?!\s+(?:[\w-]+\s+)?"
                          r"(?:connections?|conns?|requests?|reqs?|queries|jobs|workers|threads|"
                          r"streams|sockets?)\b))\b")
# "40 threads" is an app's worker threads; only a CPU's threads are its logical cores.
_CORES_WORDS = re.compile(r"^(cores?|vcpus?|cpus?|vcores?|(?:cpu|hardware|hyper)[ -]?threads?)\b")
_CORE_USED = re.compile(r"\b(?:pins?|pinning|pinned|pegs?|pegging|pegged|eats?|eating|ate|"
                        r"uses?|using|used|max(?:es|ing|ed)?|saturat\w*|burn\w*|hog\w*|"
                        r"consum\w*|occup\w*|spins?|spinning)(?:\s+up)?(?:\s+all)?\s*$")
_SPINDLE_WORDS = re.compile(r"^(?:spinning\s+|hard\s+|sas\s+|sata\s+)?(spindles?|disks?|drives?|"
                            r"hdds?)\b")
_RATE_WORDS = re.compile(r"^(rps|qps|req/s|reqs?/s|requests?/s|requests? (per|a) (second|sec)|"
                         r"reads?/s|reads? (per|a) (second|sec)|ops/s|ops|/s|per second|"
                         r"queries? per second|writes?/s|rpm|/min|requests? per minute)")
_PER_REQUEST = re.compile(r"^(db |database |sql )?(quer(y|ies)|calls|selects)\s*"
                          r"(per|/|a|each|for each|for every|on each|on every|every|in each)"
                          r"\s*(request|page|req|call|page ?view|hit)")
# The same said as a label before its number: "queries per request 35", "db calls/req: 12".
_PER_REQUEST_BEFORE = re.compile(
    r"\b(?:quer(?:y|ies)|calls|selects)\s*(?:per|/|a|each|for each|for every|on each|"
    r"on every|every|in each)\s*(?:request|page|req|call|page ?view|hit)s?\s*"
    r"(?:is|was|are|of|at|=|:|~|around|about)?\s*$")
_EACH_REQUEST = re.compile(r"\b(each|every|per|one|a single|a|the)\s+(request|req|page|page ?view|"
                           r"page load|call|api call|endpoint|hit)\b(\s+[a-z]+){0,2}$")
_QUERY_WORDS = re.compile(r"^(db |database |sql )?(quer(y|ies)|selects|sql statements)\b")
_FREE_SAID = re.compile(r"\b(free|left|remaining|available)\W*$")
_SIZE_CONTEXT = re.compile(r"\b(working set|hot set|hot data|dataset|data set|data|cache|"
                           r"cached|redis|memcached|keys|sessions)\b")
_PER_REPLICA = re.compile(
    r"\b(each|one|single|a|per|every)\s+(read\s+)?(replica|node|instance|server|box)?\s*"
    r"(can\s+)?(handles?|serves?|does|takes|manages?|do|sustains?)\b"
    r"|\bper[- ]replica\b|\breplica capacity\b|\bcapacity (of|per) (a |one )?replica\b"
)


def _near_words(text: str, end: int, limit: int, breaker: re.Pattern[str]) -> str:
    """The words just before `end`, back to the last break, at most `limit` words."""
    before = text[:end]
    cut = 0
    for m in breaker.finditer(before):
        cut = m.end()
    return " ".join(before[cut:].split()[-limit:])

# "3k per replica", "3k rps each replica": the replica said after the number.
_PER_REPLICA_AFTER = re.compile(r"^(?:[\w/]+\s+)?(?:per|each|a|for each|for one)\s+(?:read\s+)?"
                                r"replica\b")


_EACH_AFTER = re.compile(r"^(?:[\w/]+\s+)?each\b(?!\s+(?:day|hour|minute|second|week|month|"
                         r"night|time)s?\b)")


_NEXT_NUMBER = re.compile(r"(?<![\w.])\d")


def _after_words(text: str, start: int, limit: int) -> str:
    # a window, not the rest of the text: a long line of numbers must not cost its square
    after = text[start: start + 120].lstrip("+")  # "40k+ users"
    m = _CLAUSE_BREAK.search(after)
    after = after[: m.start()] if m else after
    after = _NEXT_NUMBER.split(after, maxsplit=1)[0]  # up to the next number; p95 kept
    return " ".join(after.split()[:limit])


# Words `_classify` looks for beside a number, compiled once.
_COMPARED = re.compile(r"\b(slower|faster|cheaper|costlier|expensive|worse|better)\b")
# What a multiple counts when it is no growth of traffic: machines, copies, a speed-up.
_FACTOR_OF_THINGS = re.compile(
    r"(?:speed-?ups?|improvements?|replication|redundan\w*|overhead|compression|amplification|"
    r"instances?|nodes?|servers?|boxes|machines?|vms?|pods?|gpus?|[a-z]\d+[a-z]*\.\w+)\b")
_USERS_SAID = re.compile(r"\busers?\b")
_RATE_SAID = re.compile(r"\b(rps|qps|req/s)\b")
_REPLICAS_SAID = re.compile(r"\breplicas\b")
_READS_FIRST, _READS_LAST = re.compile(r"^reads?\b"), re.compile(r"\breads?$")
_WRITES_FIRST, _WRITES_LAST = re.compile(r"^writes?\b"), re.compile(r"\bwrites?$")
_PEAK_SAID = re.compile(r"\b(peak|traffic|throughput)\b")


def _classify(token: _Token, text: str, prev_end: int) -> tuple[MetricName, float] | None:
    """Which metric a number in free text is, from its unit and the words around it."""
    segment, at = text[prev_end:], token.start - prev_end
    near = _near_words(segment, at, 4, _CLAUSE_BREAK)
    after = _after_words(text, token.end, 4)
    # "from 0.92 to 0.4": the word after the first value joins a change; it is no unit
    suffix = "" if token.suffix in _JOINING_WORDS else token.suffix
    tail = f"{suffix} {after}".strip()

    if _PER_REQUEST.match(tail) or (_PER_REQUEST.match(after) and not suffix):
        return MetricName.QUERIES_PER_REQUEST, token.value
    if _EACH_REQUEST.search(near) and _QUERY_WORDS.match(tail if suffix else after):
        return MetricName.QUERIES_PER_REQUEST, token.value  # "each request fires 45 queries"
    if not suffix and _PER_REQUEST_BEFORE.search(near):
        return MetricName.QUERIES_PER_REQUEST, token.value  # "queries per request 35"
    if suffix == "%" or suffix in {"pct", "percent"}:
        share = _classify_pct(token.value, near, after,
                              f"{_wide(segment, at)} {_alert_name(text, token)}")
        return _times_from(near, _over_horizon_after(share, text, token.end))
    if suffix in _SECONDS and suffix not in {"m"} or (suffix == "m" and "p9" in near):
        if _DISK_LATENCY.search(text, max(0, token.start - 40), token.start):
            return None
        return _times_from(near, _classify_duration(token, near, after, _wide(segment, at)))
    if suffix in _GB and suffix not in {"b", "k", "m", "g", "t", "p"} or suffix in {"g", "t"}:
        context = f"{near} {after}"
        if _SIZE_CONTEXT.search(context) and not _FREE_SAID.search(near):
            return MetricName.WORKING_SET_GB, token.value * _GB[suffix]
        return None  # "free: 11.1gb" is room left on a disk, not data in use
    if suffix in _FACTOR_SUFFIXES:
        context = f"{_wide(segment, at)} {after}"
        if _COMPARED.search(context) or _FACTOR_OF_THINGS.match(after):
            return None  # "2x faster", "3x m5.large", "3x replication": no traffic growth
        if _NOT_GROWTH.search(context):
            return None  # "p95 latency went up 3x": a symptom got worse, not the traffic
        if suffix == "times" and _EVENTS_IN_A_SPAN.match(after):
            return None  # "3 times in the past week": how often, not how much more
        if _SAFETY_CONTEXT.search(context):
            return MetricName.SAFETY_MARGIN, token.value
        if _PAST_GROWTH.search(context) and not _GROWTH_TO_COME.search(context):
            raise PastGrowth()  # "grew 4x since march": in today's figures, said back
        compounded = _compounded(token.value, "", after)  # "2x per quarter": 16x a year
        growth = MetricName.GROWTH_FACTOR, compounded[0] if compounded else token.value
        return _over_horizon_after(growth, text, token.end)  # "3x in 6 months": 9x a year
    if not suffix and not _after_words(text, token.end, 1):
        for metric, unit, label_re, _ in _BARE_TIMES:
            if label_re.search(near):  # "p95 850" is 850 ms; "p95 1.2" is asked
                _bare_time(token.value, unit)
                return metric, token.value
    if _CORES_WORDS.match(tail):
        if _CORE_USED.search(near):
            return None  # "the node process pins one core": CPU in use, not the machine's size
        return MetricName.CORES, token.value
    if _SPINDLE_WORDS.match(tail):
        return MetricName.SPINDLES, token.value
    if (not suffix or _RATIO_WORDS.match(suffix)) and 0 < token.value < 1 and "." in token.raw:
        return _classify_ratio(token.value, near, tail)  # "cpu 0.95 utilization", "cpu 0.9"
    mult, unit_rest = _multiplier(suffix)
    value = token.value * mult
    rest = f"{unit_rest} {after}".strip()
    per = rate_unit(rest)
    rate_said = per is not None or bool(_RATE_WORDS.match(rest))  # "users at 2k rps": a rate
    is_users = _USERS_WORDS.match(rest) or (_USERS_SAID.search(near) and not rate_said
                                            and not _CPU_USER.search(near))
    is_rate = rate_said or bool(_RATE_SAID.search(near))
    if (is_users or is_rate) and (_changed_by(near, after) or _GROWS_BY.search(near)):
        raise ChangeOnly()  # "users grew by 10k", "the queue grows 5k/min": no level
    if is_users:
        return MetricName.USERS, value
    value = value / (per or 1.0)
    # "3 replicas at 4k reads/s each", "2 replicas, 900 rps each": in the same sentence
    if (_PER_REPLICA.search(near) or _PER_REPLICA_AFTER.match(rest)
            or (_EACH_AFTER.match(rest) and _REPLICAS_SAID.search(
                _near_words(text[max(0, token.start - 200): token.start],
                            min(token.start, 200), 8, _SENTENCE_BREAK)))):
        return MetricName.PER_REPLICA_RPS, value
    reads = _READS_FIRST.search(rest) or _READS_LAST.search(near)
    if reads and is_rate:
        return MetricName.READS_RPS, value
    if _WRITES_FIRST.search(rest) or _WRITES_LAST.search(near):
        if is_rate:  # "3k writes/s": a part of the traffic, not its peak; beside reads, a mix
            raise WriteRate(value)
        return None
    if is_rate:
        return MetricName.PEAK_RPS, value
    if _COUNTED_NOT_REQUESTS.match(rest):
        return None  # "at peak we see 12k concurrent websocket connections": no rate
    if _PEAK_SAID.search(near):
        return MetricName.PEAK_RPS, value
    return None


def _wide(segment: str, at: int) -> str:
    """The words of the sentence before a number (at most eight): only shares, times and
    factors weigh them, so they are read only for those."""
    return _near_words(segment, at, 8, _SENTENCE_BREAK)


# "p95 doubled from 400ms": the value now is the one before times what the word says.
_TIMES_FROM = re.compile(r"\b(?P<word>doubled|tripled|quadrupled|halved)\s+from\s*$")
_TIMES = {"doubled": 2.0, "tripled": 3.0, "quadrupled": 4.0, "halved": 0.5}


def _times_from(near: str, found: tuple[MetricName, float] | None
                ) -> tuple[MetricName, float] | None:
    """A reading said as where it came from and how many times it grew: the level now."""
    m = _TIMES_FROM.search(near.lower())
    if found is None or m is None:
        return found
    metric, value = found
    return metric, float(f"{value * _TIMES[m.group('word')]:.12g}")


# A count of something other than requests, said where a peak would otherwise be read.
_COUNTED_NOT_REQUESTS = re.compile(
    r"(?:(?:concurrent|open|active|idle|live)\s+)?(?:[\w-]+\s+)?(?:connections?|conns?|"
    r"sockets?|sessions?|threads?|processes|pods?|nodes?|servers?|rows?|jobs?|messages?|msgs?|"
    r"keys?|files?|tables?|containers?|instances?)\b")


# "system.cpu.user", "user cpu": the share of CPU time spent in user space, not people.
_CPU_USER = re.compile(r"\bcpu\W?users?\b|\busers?\W?(?:cpu|space|mode)\b|\buser time\b")
_RATIO_WORDS = re.compile(r"\b(ratio|share|fraction|utili[sz]ation|utili[sz]ed)\b")


def _classify_ratio(value: float, before: str, tail: str) -> tuple[MetricName, float] | None:
    """A bare decimal below 1 is a share when the words say so: "hit ratio 0.62" -> 62%,
    and so is one said right after a CPU ("db cpu 0.88" -> 88%; not "0.5 cpu", cores)."""
    share = float(f"{value * 100:.12g}")
    near = f"{before} {tail}"
    if _CPU_BEFORE.search(before) and not _NOT_A_CPU_SHARE.search(near):
        return (MetricName.DB_CPU_PCT if _DB_WORDS.search(before) else MetricName.SERVER_CPU_PCT,
                share)
    if _CACHE_HIT.search(near):
        return MetricName.CACHE_HIT_PCT, share
    if not _RATIO_WORDS.search(near):
        return None
    for metric, pattern in _PCT_RULES:
        if metric is not MetricName.SERVER_CPU_PCT and pattern.search(near):
            return metric, share
    if _CPU_SAID.search(near):
        return (MetricName.DB_CPU_PCT if _DB_WORDS.search(near) else MetricName.SERVER_CPU_PCT,
                share)
    return None


# A CPU named right before a bare decimal; words that make it a load or a core count.
_CPU_BEFORE = re.compile(r"\bcpu\s*(?:is|was|at|of|=|:|~|around|about|near)?\s*$")
_NOT_A_CPU_SHARE = re.compile(r"\b(?:load|loadavg|requests?|limits?|cores?|vcpus?|count|"
                              r"seconds?|secs?|time)\b")


# A pasted alert opens with its name, which says what the figure after it is about:
# `ALARM: "prod-rds-high-cpu" in US East (N. Virginia): CPUUtilization > 90`.
_ALERT_HEAD = re.compile(r"^\s*(?:alarm|alert|triggered|\[firing[^\]\n]*\]|\[alerting\])\b[^\n]*")


def _alert_name(text: str, token: _Token) -> str:
    """The alert line before `token` when the line is a pasted alert, else ""."""
    line_start = text.rfind("\n", 0, token.start) + 1
    head = _ALERT_HEAD.match(text, line_start)
    return text[line_start: token.start] if head else ""


def _classify_pct(
    value: float, near: str, after: str, wide: str
) -> tuple[MetricName, float] | None:
    lowered = [near.lower(), after.lower(), wide.lower()]
    if _CACHE_HIT.search(lowered[0]) and not lowered[1].startswith("cpu"):
        return MetricName.CACHE_HIT_PCT, value  # "hit ratio dropped to 62%": no packets dropped
    if _PCT_NOT_A_METRIC.search(f"{near} {after}"):
        return None  # "disk 100% full": a share we have no metric for
    if _FAILED_SHARE.search(lowered[0]) or (lowered[1].startswith("of ")
                                             and _FAILED_SHARE.search(lowered[1])):
        return None  # an error share or a quota's, which no line of the playbook weighs
    periods = _growth_periods(lowered[1])
    if periods is not None and _GROWING.search(f"{lowered[0]} {lowered[1]}"):
        # "growing 20% month over month": the guide's growth is over 12 months, compounded
        return MetricName.GROWTH_FACTOR, float(f"{(1 + value / 100) ** periods:.4g}")
    if _PER_SPAN_AFTER.match(lowered[1]):
        raise ShareRate()  # "memory usage climbing 2% per hour"
    if _changed_by(lowered[0], lowered[1]) and not _GROWTH_SAID.search(lowered[0]):
        raise ChangeOnly()  # "cpu up 20% since monday"
    said_of = _usage_subject(lowered[2])
    if said_of is not None:
        return None if said_of is _NOT_A_METRIC else (said_of, value)
    for words in lowered:
        if _GROWTH_SAID.search(words):
            return MetricName.GROWTH_FACTOR, 1 + value / 100
        for metric, pattern in _PCT_RULES:
            if pattern.search(words):
                if metric is MetricName.CACHE_HIT_PCT and lowered[1].startswith("cpu"):
                    continue  # "redis hit 95% cpu"
                if metric in _CPU_SHARES and _FULL_AFTER.match(lowered[1]):
                    return None  # "disk on the db primary is 95% full": no CPU is full
                if metric is MetricName.SERVER_CPU_PCT and (
                    _DB_WORDS.search(words) or (_DB_WORDS.search(lowered[2])
                                                and not _HOST_WORDS.search(lowered[0]))
                ):  # the database further back, unless the nearest words name machines
                    return MetricName.DB_CPU_PCT, value
                return metric, value
    if _PCT_NOT_A_METRIC.search(lowered[2]):
        return None  # "disk on the broker is at 97%": the subject is further back
    if _PCT_CHANGE.search(lowered[0]):
        return None  # "traffic is up 300%", "grew 50%": a change, not a utilisation
    if _HOST_WORDS.search(lowered[0]) or _HOST_WORDS.search(lowered[2]):
        return MetricName.SERVER_CPU_PCT, value  # "the web servers are at 97%"
    raise UnnamedShare()


_GROWTH_SAID = re.compile(r"\b(grow|growth|growing|increase)\b")
# Growth said with its span ("grows 20% a month") is compounded; without a span, "grows"
# alone stays a change ("heap grows 3%"), so this is wider than _GROWTH_SAID.
_GROWING = re.compile(r"\b(grow|grows|growth|growing|increase|increases|increasing)\b")
# How many of a span make the guide's 12 months: "20% month over month" is 12 months of 20%.
_GROWTH_SPANS = (
    (re.compile(r"(?:(?:a|per|each|every)\s+month|/\s*mo(?:nth)?|month[\s-]+over[\s-]+month|"
                r"mom|monthly)\b"), 12),
    (re.compile(r"(?:(?:a|per|each|every)\s+quarter|/\s*(?:qtr|quarter)|"
                r"quarter[\s-]+over[\s-]+quarter|qoq|quarterly)\b"), 4),
    (re.compile(r"(?:(?:a|per|each|every)\s+week|/\s*(?:wk|week)|week[\s-]+over[\s-]+week|wow|"
                r"weekly)\b"), 52),
    (re.compile(r"(?:(?:a|per|each|every)\s+year|/\s*(?:yr|year)|year[\s-]+over[\s-]+year|yoy|"
                r"yearly|annually)\b"), 1),
)


def _growth_periods(after: str) -> int | None:
    """How many times a growth said per span ("20% a month") compounds in 12 months."""
    return next((n for span, n in _GROWTH_SPANS if span.match(after)), None)


_CPU_SHARES = frozenset({MetricName.SERVER_CPU_PCT, MetricName.DB_CPU_PCT})
_FULL_AFTER = re.compile(r"(?:full|filled|used up)\b")


# "Memory usage on node-3 is 93%": the subject of a usage is the word before it, which may
# be further back than the nearest words ("usage on node-3 is" would say CPU by itself).
_CPU_SAID, _CPUS_SAID = re.compile(r"\bcpu\b"), re.compile(r"\bcpus?\b")
_USAGE_OF_RE = re.compile(r"\b([\w/]+)[ _-]+(?:usage|utili[sz]ation|util)\b")
_NOT_A_METRIC = object()


def _usage_subject(wide: str) -> MetricName | object | None:
    """The metric of a share said as "X usage ..." in its own clause, when no CPU is named
    after the usage; `_NOT_A_METRIC` for a subject we have none for ("disk usage"); else
    None."""
    clause = _CLAUSE_BREAK.split(wide)[-1]
    found = list(_USAGE_OF_RE.finditer(clause))
    if not found or _CPUS_SAID.search(clause[found[-1].end():]):
        return None
    subject = found[-1].group(1)
    if _PCT_NOT_A_METRIC.search(subject):
        return _NOT_A_METRIC
    return next((metric for metric, pattern in _PCT_RULES
                 if metric is not MetricName.SERVER_CPU_PCT and pattern.search(subject)), None)


# What a share said of the machines themselves is their CPU ("the web servers are at 97%").
_HOST_WORDS = re.compile(r"\b(servers?|hosts?|nodes?|box(?:es)?|instances?|machines?|vms?|"
                         r"pods?|workers?|app tier|web tier)\b")


def _classify_or_none(token: _Token, text: str, prev_end: int
                      ) -> tuple[MetricName, float] | None:
    """`_classify` over a wider span (a range, a change), where a doubt about the unit or
    the subject has been said already, by the first reading of the same number."""
    try:
        return _classify(token, text, prev_end)
    except (ParseError, KeyError, ValueError):
        return None


def _bare_time_label(text: str, token: _Token, prev_end: int) -> str:
    """How to name the time a bare number was said of ("p95", "replica lag")."""
    near = _near_words(text[prev_end:], token.start - prev_end, 4, _CLAUSE_BREAK)
    return next((label for _, _, label_re, label in _BARE_TIMES if label_re.search(near)),
                "p95")


def _asked_back(said: str, err: AmbiguousUnit) -> str:
    """A value read two ways, as free text's "Not read" lists it: "p95 1.2 (1.2 ms or 1.2 s?)"."""
    return f"{said} ({err.readings[0]} or {err.readings[1]}?)"


class UnnamedShare(ParseError):
    """A share with nothing near it to say what it is a share of ("checkout is at 95%"):
    said back, never guessed to be the server's CPU."""

    def __init__(self) -> None:
        super().__init__("a share of what? Say, e.g., cpu or memory before it")


# The growth factor is the growth expected (the guide: "Expected growth: 3x in 12 months");
# growth that already happened ("grew 4x since march", "10x more users than last year") is
# in today's figures, so it is said back, unless the same words look ahead ("grew 3x last
# year and we expect another 2x" keeps the 2x).
_PAST_GROWTH = re.compile(r"\b(since|ago|overnight|so far|to date|last (?:year|month|week|"
                          r"quarter|night)|over the (?:last|past)|in the (?:last|past)|"
                          r"than (?:last|before|a year)|compared (?:to|with)|grew|grown|rose|"
                          r"jumped|increased|went up|gone up)\b")
_GROWTH_TO_COME = re.compile(r"\b(expect\w*|will|going to|plan\w*|project\w*|forecast\w*|"
                             r"next|coming|another|within|by (?:next|the end|spring|summer|"
                             r"autumn|fall|winter))\b")


# "3 times in the past week", "3 times a day": how often something happened.
_EVENTS_IN_A_SPAN = re.compile(r"(?:in|over|during|within) (?:the )?(?:past|last)\b|"
                               r"(?:a|an|per|every|each) (?:day|week|hour|minute|month)\b|"
                               r"(?:today|yesterday|this (?:week|month|morning))\b")


class ShareRate(ParseError):
    """A share said per hour or per day ("memory climbing 2% per hour"): how fast a share
    moves, not the share in use, so said back rather than read as a level."""

    def __init__(self) -> None:
        super().__init__("how fast it moves, not the share in use")


# "2% per hour", "5% a day", "1%/min": a share's pace.
_PER_SPAN_AFTER = re.compile(r"(?:per|a|an|/)\s*(?:sec(?:ond)?|min(?:ute)?|h|hr|"
                             r"hour|day|week|month)s?\b(?!\s+ago)")


class WriteRate(ParseError):
    """A rate of writes: no peak of the traffic, but with the reads it says the read share."""

    def __init__(self, value: float) -> None:
        super().__init__("a rate of writes")
        self.value = value


class ChangeOnly(ParseError):
    """How much a share or a time moved ("cpu up 20%", "p95 went up by 2s"): not where it
    is now, so said back rather than read as the level (a CPU up 20% is no CPU at 20%)."""

    def __init__(self) -> None:
        super().__init__("how much it changed, not where it is now")


class TargetOnly(ParseError):
    """A goal said beside a reading ("p95 under 200ms is our slo"): no measurement. It
    names the time the reading after it in the sentence is of ("..., we are at 650ms")."""

    def __init__(self, metric: MetricName = MetricName.P95_MS) -> None:
        super().__init__("a target, not a reading")
        self.metric = metric


# The words just before a change's amount: "up", "went up by", "increased by" (not "up to",
# which says the level).
_CHANGED_BY = re.compile(r"(?:\b(?P<verb>[a-z]+)\s+)?\b(?P<word>up|down|rose|risen|grew|grown|"
                         r"grows|increased|decreased|jumped|dropped|fell|fallen|climbed|spiked|worse|"
                         r"slower|faster)(?:\s+(?:by|another|an extra))?\s*[+~]?$")
# "eats up 100% of cpu", "used up", "spun down": a verb with its particle, no change.
_PHRASAL = frozenset({
    "eat", "eats", "eating", "ate", "eaten", "use", "uses", "using", "used", "take", "takes",
    "taking", "took", "fill", "fills", "filling", "filled", "burn", "burns", "burning",
    "burned", "burnt", "chew", "chews", "chewing", "soak", "soaks", "soaking", "gobble",
    "gobbles", "gobbling", "spin", "spins", "spinning", "spun", "end", "ends", "ended",
    "ending", "add", "adds", "added", "adding", "shut", "shuts", "slow", "slows", "slowed",
    "wind", "winds", "wound", "die", "dies", "died"})


def _changed_by(near: str, after: str) -> bool:
    """Whether the number after `near` is how much something moved ("cpu up 20%", "p95 went
    up by 2s"), not its level ("eats up 100% of cpu", "fell 40 minutes behind")."""
    m = _CHANGED_BY.search(near)
    if m is None or after.startswith("behind"):
        return False
    return not (m.group("word") in ("up", "down") and m.group("verb") in _PHRASAL)


# A count's or a rate's growth said with its verb: "grows 5k/min", "added 10k users".
_GROWS_BY = re.compile(r"\b(?:grows|growing|increases|increasing|climbs|climbing|adds|adding|"
                       r"added|gained|gaining|gains|lost|losing|loses)(?:\s+(?:by|another|"
                       r"about|around|roughly|over))?\s*[+~]?$")
_TARGET_WORDS = re.compile(r"\b(?:slo|slos|sla|slas|target|goal|objective|budget)\b")


class PastGrowth(ParseError):
    """Growth that already happened, said where growth to come is wanted."""

    def __init__(self) -> None:
        super().__init__("growth that already happened is in today's figures; say the growth "
                         "you expect, e.g. 'expect 2x next year'")


# How long background work takes or waits is not the response time the p95 bars are about:
# "sidekiq latency 20 minutes", "the nightly export takes 40 minutes" (a p95 said as such
# stays one); nor is a developer's wait for a compiler, a test suite or an install.
_JOB_WORDS = re.compile(r"\b(queues?|queued|jobs?|sidekiq|celery|backlog|consumers?|cron|"
                        r"batch|exports?|builds?|backups?|migrations?|pipelines?|etl|"
                        r"nightly|reindex\w*|compil\w*|test\s+suite|unit\s+tests?|"
                        r"installs?|bundl\w*|webpack)\b", re.IGNORECASE)


# "WriteLatency 25ms", "fsync latency 2s", iostat's await: the disk's time, not a request's
# (read straight before the number: the number before may have taken a word as its unit).
_DISK_LATENCY = re.compile(r"(?:\b(?:write|disk|io|i/o|fsync|commit|wal|storage|ebs|volume)\s+"
                           r"latency|\bawait)\s*(?:is|was|of|at|=|:)?\s*$")


# A time said of the queries right after it ("45s queries", "10 second selects").
_QUERY_AFTER = re.compile(r"(?:long[- ]running\s+|slow\s+)?(?:sql\s+|db\s+)?"
                          r"(?:quer(?:y|ies)|selects?|statements?)\b")


def _classify_duration(
    token: _Token, near: str, after: str, wide: str
) -> tuple[MetricName, float] | None:
    label = _PERCENTILE_RE.findall(near.lower())
    if _changed_by(near.lower(), after.lower()):
        raise ChangeOnly()  # "latency is up 300ms since the release"
    if _TARGET_WORDS.search(f"{near} {after}".lower()):  # "p95 under 200ms is our slo"
        raise TargetOnly(next((metric for metric, pattern in _DURATION_RULES
                               if pattern.search(f"{near} {after}".lower())), MetricName.P95_MS))
    if not label and _LIMIT_BEFORE.search(near.lower()):
        return None  # "request timed out after 30000ms", "timeout of 5s": a limit, not a latency
    if label and label[-1] not in _TAIL_LABELS:
        return None  # "p50 120ms": the median is not the tail the guide's bars are about
    if not label and _QUERY_AFTER.match(after.lower()):  # "slow log shows 45s queries"
        return _time_as(MetricName.SLOWEST_QUERY_MS, token)
    for words in (near.lower(), after.lower(), wide.lower()):
        for metric, pattern in _DURATION_RULES:
            if pattern.search(words):
                if metric is MetricName.P95_MS and _JOB_WORDS.search(f"{near} {after}") and (
                        not _PERCENTILE_RE.search(wide.lower())):
                    return None  # "sidekiq latency 20 minutes": a job's wait, not a request's
                return _time_as(metric, token)
    return None


# HTTP status codes and classes are names, not quantities: "5xx", "4XX", "502s", "HTTP 503",
# "status 429", "504 gateway timeout", "500 errors". A round hundred with an "s" ("500s")
# is a code only beside a word of errors or HTTP ("seeing 500s"), else it may be seconds.
_STATUS_CLASS_RE = re.compile(r"(?<![\w.])[1-5]xx(?:'?s)?\b")
_HTTP_VERSION_RE = re.compile(r"\bhttps?/\d(?:\.\d)?")
_STATUS_BEFORE_RE = re.compile(r"(?<![\w.])(?:https?(?:/x(?:\.x)?)?|status(?:\s+code)?|code|"
                               r"codes|returns?|returning|returned|throws?|throwing)"
                               r"\s*[:=]?\s*$")
_STATUS_CODE_RE = re.compile(r"(?<![\w.,])(?P<code>[1-5]\d\d)(?P<s>'?s)?(?![\w.,]|/\d)")
_CODE_FIRST_DIGIT = re.compile(r"[1-5]")  # what every `_STATUS_CODE_RE` match opens with
_STATUS_AFTER_RE = re.compile(
    r"^\s*(?:errors?|responses?|status(?:es)?|codes?|bad gateway|gateway time-?outs?|"
    r"service unavailable|internal server errors?|too many requests|bad requests?|"
    r"not found|unauthori[sz]ed|forbidden)\b")
_STATUS_WORDS_RE = re.compile(r"\b(?:https?|status|errors?|[45]xx|gateways?|seeing|see|saw|"
                              r"getting|got|throwing|returning|spikes? (?:of|in))\b")


def without_status_codes(text: str) -> str:
    """`text` with every HTTP status code's digits as `x` (positions kept), so "5xx at 3%"
    is an error share of the 5xx class, not a number 5 and a CPU at 3%."""
    def masked(m: re.Match[str]) -> str:
        return _DIGIT.sub("x", m.group(0))

    if "xx" in text:  # a class, "5xx"
        text = _STATUS_CLASS_RE.sub(masked, text)
    if "http" in text:  # a version, "http/2"
        text = _HTTP_VERSION_RE.sub(masked, text)

    def code(m: re.Match[str]) -> str:
        before, after = text[max(0, m.start() - 40): m.start()], text[m.end(): m.end() + 40]
        glued = m.group("s") is not None
        if m.group("code")[0] in "45" and glued and not m.group("code").endswith("00"):
            return masked(m)  # "502s", "429s"
        clause = _near_words(before, len(before), 4, _CLAUSE_BREAK)
        if (_STATUS_BEFORE_RE.search(before) or _STATUS_AFTER_RE.match(after)
                or (glued and _STATUS_WORDS_RE.search(f"{clause} {after}"))):
            return masked(m)
        return m.group(0)

    if _CODE_FIRST_DIGIT.search(text) is None:
        return text  # no code can start here: skip the scan that tries every position
    return _STATUS_CODE_RE.sub(code, text)


_POOL_FRACTION_RE = re.compile(
    r"(?<![\w./])(?P<part>\d+)\s*(?:/|of|out of)\s*(?P<whole>\d+)(?![\w./])"
)
_POOL_CONTEXT = re.compile(r"\b(pool|pools|connections?|conns?|db connections?)\b")


# "3 of 4 services", "2/3 nodes": a fraction of some other thing than connections.
_COUNTED_THINGS = re.compile(r"\s*(?:services?|nodes?|servers?|hosts?|pods?|instances?|"
                             r"replicas?|users?|machines?|workers?|shards?|regions?|zones?|"
                             r"requests?|tests?|jobs?|checks?|days?|brokers?|partitions?)\b")


def _around(text: str, m: re.Match[str]) -> str:
    """The words a fraction is said with: its sentence before it (at most 60 characters
    back) and a little after."""
    before = _SENTENCE_BREAK.split(text[max(0, m.start() - 60): m.start()])[-1]
    return f"{before} {text[m.end(): m.end() + 30]}"


def _pool_fractions(text: str) -> tuple[str, list[tuple[int, float]]]:
    """`45/50 connections` (or "45 of 50", "pool 45/50") as pool shares with where they
    start, masked out of the text so their numbers are not read again."""
    shares: list[tuple[int, float]] = []
    for m in _POOL_FRACTION_RE.finditer(text):
        around = _around(text, m)  # "connections to postgres are maxed, 500 of 500"
        part, whole = int(m.group("part")), int(m.group("whole"))
        if (whole > 0 and part <= whole and _POOL_CONTEXT.search(around)
                and not _COUNTED_THINGS.match(text, m.end())):
            shares.append((m.start(), float(f"{part / whole * 100:.12g}")))
            text = _blanked(text, m)
    return _pool_stats(text, shares)


# "14GB of 16GB", "heap 3.5G/4G", "redis 6 GB out of 8 GB": memory in use of what there is.
_SIZE_FRACTION_RE = re.compile(
    r"(?<![\w./])(?P<part>\d+(?:\.\d+)?)\s*(?P<pu>[kmgt]i?b?)?\s*(?:/|of|out of)\s*"
    r"(?P<whole>\d+(?:\.\d+)?)\s*(?P<wu>[kmgt]i?b?)(?![\w./])", re.IGNORECASE)
_MEMORY_CONTEXT = re.compile(r"\b(memory|mem|ram|heap|rss|redis|memcached|cache)\b")


def _memory_fractions(text: str) -> tuple[str, float | None]:
    """The first `14GB of 16GB` beside a memory word as a share in use, masked out of the
    text so its sizes are not read again (as a working set)."""
    for m in _SIZE_FRACTION_RE.finditer(text):
        if not _MEMORY_CONTEXT.search(_around(text, m)):
            continue
        share = _size_share(m)
        if share is not None and share <= 100:
            return _blanked(text, m), share
    return text, None


def _size_share(m: re.Match[str]) -> float | None:
    """The share one size is of another, from a `_SIZE_FRACTION_RE` match (None of 0)."""
    part = float(m.group("part")) * _size_bytes(m.group("pu") or m.group("wu"))
    whole = float(m.group("whole")) * _size_bytes(m.group("wu"))
    return float(f"{part / whole * 100:.4g}") if whole > 0 else None


def _blanked(text: str, m: re.Match[str]) -> str:
    """`text` with what `m` matched turned to spaces, every position kept."""
    return text[: m.start()] + " " * (m.end() - m.start()) + text[m.end():]


def _size_bytes(unit: str) -> float:
    """Bytes in a size suffix ("g", "gb", "gib", "mb"...), counted in thousands: only the
    ratio of two sizes is wanted, and "900MB of 1GB" is meant as 90%."""
    return 1000.0 ** ("kmgt".index(unit[0].lower()) + 1) if unit else 1.0


_STAT_RE = re.compile(r"\b(?P<name>total|active|max(?:imum)?(?:[_ ]?pool[_ ]?size)?)\s*[=:]\s*"
                      r"(?P<n>\d+)\b")
# The same said in words: a pool's size or the server's limit, and how many are in use.
_WHOLE_SAID_RE = re.compile(
    r"\b(?:max(?:imum)?[_ ]?(?:pool[_ ]?size|connections|conns)|pool[_ ]?size)\s*"
    r"(?:is|was|=|:|of|at)?\s*(?P<n>\d+)\b(?!\s*%)")
_PART_SAID_RE = re.compile(
    r"\b(?P<n>\d+)\s+(?:(?:db\s+)?(?:connections?|conns?)\s+)?(?:are\s+)?"
    r"(?:active|in[ -]use|busy|checked[ -]out)\b"
    r"(?!\s+(?:users?|customers?|visitors?|people|accounts?|members?|subscribers?)\b)")
_POOL_STATS_CONTEXT = re.compile(r"pool|\bhikari|\b(connections?|conns?|max_connections)\b")


def _pool_stats(text: str, shares: list[tuple[int, float]]
                ) -> tuple[str, list[tuple[int, float]]]:
    """A pool's own stats line ("HikariPool-1 - Pool stats (total=50, active=48, idle=2,
    waiting=10)"), or the same said in words ("max_connections = 100 and 97 active"), as
    its share in use, active of total, masked out like a fraction."""
    if "max" not in text and "pool" not in text and "total" not in text:
        return text, shares  # no size of the pool said: `whole` below is None
    stats = {m.group("name")[:3]: m for m in _STAT_RE.finditer(text)}
    active, whole = stats.get("act"), stats.get("tot") or stats.get("max")
    if active is None or whole is None:  # "max_connections = 100 and 97 active"
        active, whole = _PART_SAID_RE.search(text), _WHOLE_SAID_RE.search(text)
    if active is None or whole is None or not _POOL_STATS_CONTEXT.search(text):
        return text, shares
    part, size = int(active.group("n")), int(whole.group("n"))
    if not 0 < size or part > size:
        return text, shares
    for m in (active, whole):
        text = text[: m.start("n")] + " " * len(m.group("n")) + text[m.end("n"):]
    share = (min(active.start(), whole.start()), float(f"{part / size * 100:.12g}"))
    return text, sorted([*shares, share])


_CHAIN_TO_RE = re.compile(r"^\s*(?:(?:all\s+the\s+way\s+|(?:right\s+)?(?:up|down|back)\s+)?to|"
                          r"->|-->|→|=>|⇒)\s*$")  # "from 40% up to 90%"


def _chained(text: str, prev: _Token | None, token: _Token) -> bool:
    """Whether `token` is the later value of a change: "from 300ms to 2.4s", "300ms -> 2.4s"."""
    if prev is None:
        return False
    between = text[prev.end: token.start]
    if prev.suffix == "to":  # "300 to 2400 ms": the word was taken for a unit
        between = f" to {between}"
    if _NOW_RE.match(between) or _BEFORE_RE.match(between):
        # "was 300ms, now 2.4s", "300ms yesterday, 2s today": a change when both say one thing
        return _same_measure(prev, token) and _same_noun(text, prev, token)
    return bool(_ARROW_RE.match(between)) or (
        bool(_CHAIN_TO_RE.match(between)) and bool(_FROM_RE.search(text[: prev.start])))


# "300ms, now 2.4s" (or "300ms. Now 2.4s"), and with the first value's own words before
# the break: "10k users, now 50k", "40% yesterday, now 95%" (words after the break name
# something else).
_NOW_RE = re.compile(r"^\s*(?:[a-z][a-z' ]{0,40}?\s*(?=[,;(.]|\b(?:and|but)\b))?"
                     r"[,;(.]?\s*(?:(?:and|but)\s+)?(?:now|currently|today|at the moment)"
                     r"(?:\s+(?:it's|its|it is|is|at|about|around|~))?\s*$")


# "300ms yesterday, 2s today", "40% last week; 95%": the first value said to be past, so
# the one after the break is the latest.
_BEFORE_RE = re.compile(
    r"^\s*(?:[a-z][a-z' ]{0,30}?\s)?(?:yesterday|last (?:week|month|night|year|time)|earlier|"
    r"before(?: the \w+)?|this morning|at launch|"
    r"(?:an?|\d+|a few) (?:hours?|days?|weeks?|months?) ago)"
    r"\s*(?:[,;.]\s*(?:(?:and|but)\s+)?|(?:and|but)\s+)"
    r"(?:(?:it's|its|it is|is|at|about|around|~)\s*)?$")
_WORD_RE = re.compile(r"[a-z]+")


def _same_noun(text: str, prev: _Token, token: _Token) -> bool:
    """Whether the later number names nothing else: no word after it, or the first one's
    ("10k users, now 50k users"), not another ("50k users, now 2k rps")."""
    def noun(end: int) -> str:
        word = _WORD_RE.match(_after_words(text, end, 1))
        return word.group(0).rstrip("s") if word else ""

    after = noun(token.end)
    return after in ("", noun(prev.end)) or after in _FILLER_WORDS or after in _NOW_WORDS


_NOW_WORDS = frozenset({"today", "tonight", "currently", "nowadays"})  # "..., 2s today"


def _same_measure(prev: _Token, token: _Token) -> bool:
    """Whether two numbers measure one thing: the same kind of unit, and for counts no
    noun of its own on the later one ("10k users, now 50k", not "now 50 replicas")."""
    kind = _unit_kind(prev.suffix)
    if kind != _unit_kind(token.suffix):
        return False
    return kind != "other" or token.suffix == prev.suffix or _multiplier(token.suffix)[1] == ""


def _unit_kind(suffix: str) -> str:
    """What a number's unit measures, coarsely: a time, a share, a size, or anything else."""
    if suffix in _SECONDS:
        return "time"
    if suffix in {"%", "pct", "percent"}:
        return "share"
    return "size" if suffix in _GB and suffix not in {"k", "m", "b"} else "other"


# `db_cpu=93%`, `p95_ms: 1200`: a metric's own name (one with an underscore, which no
# sentence has) with its value, as the fronts' `name=value` takes it.
_NAMED_PAIR_RE = re.compile(r"(?<![\w-])(?P<key>[a-z][a-z0-9]*(?:_[a-z0-9]+)+)\s*[=:]\s*"
                            r"(?P<value>\d{1,3}(?:,\d{3})+(?!\d)[^\s,;]*|\d+,\d{1,2}(?![\d,])"
                            r"[^\s,;]*|[^\s,;]+)")  # 1,200 and 1,2 are one number


# "read/write ratio 90/10", "90:10 reads to writes", "reads:writes 4:1": the read share.
_READ_WRITE_RE = re.compile(
    r"\breads?\s*(?:/|:|to|vs\.?)\s*writes?\b(?:\s+(?:ratio|split|mix))?\s*(?:is|of|=|:)?\s*"
    r"(?P<r>\d+(?:\.\d+)?)\s*[/:]\s*(?P<w>\d+(?:\.\d+)?)(?![\d.])"
    r"|(?<![\w./])(?P<r2>\d+(?:\.\d+)?)\s*[/:]\s*(?P<w2>\d+(?:\.\d+)?)\s+"
    r"(?:reads?\s*(?:/|:|to|vs\.?)\s*writes?)\b")


def _read_write_share(text: str) -> tuple[str, float | None]:
    """A read/write split as the share of reads, masked out of the text."""
    if "read" not in text:
        return text, None
    m = _READ_WRITE_RE.search(text)
    if m is None:
        return text, None
    reads = float(m.group("r") or m.group("r2"))
    writes = float(m.group("w") or m.group("w2"))
    if reads + writes <= 0:
        return text, None
    return _blanked(text, m), float(f"{reads / (reads + writes) * 100:.4g}")


# "99th percentile" is p99, the label the rules below know.
_NTH_PERCENTILE_RE = re.compile(r"\b(\d\d(?:\.\d+)?)(?:th|st|nd|rd)?\s+percentile\b")
_SNAKE_RE = re.compile(r"(?<=[a-z])_|_(?=[a-z])")  # not 1_200_000's
# A utilisation is a share whether or not its sign is written: "CPUUtilization > 90" (a
# CloudWatch alarm never writes it), "memory usage 85". Only a number with no unit of its
# own and above 1 (0.9 may be a ratio, 1 either); one above 100 is then said back.
_UTILISATION_RE = re.compile(
    r"\b(?:utili[sz]ation|usage|util)\s*(?:(?:>=?|=|:|\bis\b|\bat\b|\bwas\b|\bof\b|"
    r"\babove\b|\bover\b|\bhit\b|\breached\b)\s*)?(?P<n>\d{1,3}(?:\.\d+)?)(?![\d.,]*\d)"
    r"(?P<after>\s*[a-z%]*)")
# What may follow a bare utilisation figure: nothing, or a word that starts another phrase.
_AFTER_A_SHARE = _FILLER_WORDS | {"", "for", "across", "during", "since", "over", "of", "after",
                                  "before", "all", "most", "every"}


# A time whose unit is in its metric's name, as exporters write it: `latency_p99_seconds
# 2.3`, `http_request_duration_seconds{quantile="0.99"} 2.3`, `api.latency.ms 850`. The
# labels' numbers are no readings; a quantile label names the percentile.
_UNIT_IN_NAME_RE = re.compile(
    r"(?<![a-z0-9_.:])(?P<name>[a-z0-9_.:]{0,60}?(?:latency|duration|response_time|p9\d)"
    r"[a-z0-9_.:]{0,60}?)"
    r"[_.](?P<unit>seconds|secs|milliseconds|ms)\b(?P<labels>\{[^}\n]*\})?"
    r"\s*(?:[=:]\s*)?(?P<n>\d+(?:\.\d+)?)(?![\w.%])")
_TIME_NAMES = ("latency", "duration", "response_time", "p9")  # one is in every such name
_QUANTILE_RE = re.compile(r'quantile\s*=\s*"?0?\.(\d\d?)')
_BUCKET_RE = re.compile(r"\ble\s*=")


def _unit_in_name(text: str) -> str:
    """`text` with each such reading written as a time: "latency_p99 2.3s" (see above)."""
    if not any(name in text for name in _TIME_NAMES):
        return text

    def reading(m: re.Match[str]) -> str:
        if _BUCKET_RE.search(m.group("labels") or ""):
            return m.group(0)  # a histogram bucket's value is a count of requests
        if m.group(0)[: m.end("unit") - m.start()] in METRIC_KEYS:
            return m.group(0)  # our own `p95_ms=1.2`: read (or asked back) as a named pair
        quantile = _QUANTILE_RE.search(m.group("labels") or "")
        label = f" p{quantile.group(1).ljust(2, '0')}" if quantile else ""
        unit = "s" if m.group("unit").startswith("s") else "ms"
        return f"{m.group('name')}{label} {m.group('n')}{unit}"
    return _UNIT_IN_NAME_RE.sub(reading, text)


# A time said in two units, "1m30s", "2 min 30 s", "1h 5m": one number of the smaller unit,
# so the tokeniser, which reads one unit per number, does not keep only the first part.
_COMPOUND_TIME_RE = re.compile(
    r"\b(?P<big>\d+)\s?(?P<bu>h|hr|hrs|hours?|m|min|mins|minutes?)\s?"
    r"(?P<small>\d+(?:\.\d+)?)\s?(?P<su>m|min|mins|minutes?|s|sec|secs|seconds?)\b",
    re.IGNORECASE)


def _compound_times(text: str) -> str:
    """`text` with each two-unit time as one figure (see above)."""
    if _DIGIT.search(text) is None:
        return text

    def one(m: re.Match[str]) -> str:
        big_h, small_m = m.group("bu")[0] in "hH", m.group("su")[0] in "mM"
        if big_h != small_m:  # "1h 30s", "2m 5m": not one time
            return m.group(0)
        total = float(m.group("big")) * 60 + float(m.group("small"))
        return f"{total:g}{'min' if big_h else 's'}"
    return _COMPOUND_TIME_RE.sub(one, text)


# Growth said in a word about what is to come is the growth the capacity formula wants:
# "we expect traffic to double next quarter", "users will triple by summer". Growth that
# already happened ("traffic doubled overnight") is in today's figures, not to come.
_FUTURE_GROWTH_RE = re.compile(
    r"\b(?:expect\w*|will|going to|plan\w*|project\w*|forecast\w*|likely to|could|may|"
    r"might|should)\b[^.;!?\n]{0,60}?\b(?P<word>double|triple|quadruple|"
    r"grow tenfold)\b(?:\s+(?:or|to)\s+(?:even\s+)?(?P<upper>triple|quadruple)\b)?"
    r"(?!\s+(?:check|count|click|digits?|booking|charge|quotes?|the)\b)")
_GROWTH_WORDS = {"double": "2x", "triple": "3x", "quadruple": "4x", "grow tenfold": "grow 10x"}
# Growth said as a rate in a word: "doubles every quarter", "tripling each year".
_PERIODIC_GROWTH_RE = re.compile(
    r"\b(?P<word>doubl|tripl|quadrupl)(?:es|ing)\b(?=\s+(?:every|each|per|a|an)\s+"
    r"(?:quarter|month|year|week)\b)")


def _future_growth(text: str) -> str:
    """`text` with growth to come said in a word written as a factor; of two ("double or
    triple"), the upper end, as a growth answer takes it (see above)."""
    if any(stem in text for stem in ("doubl", "tripl", "quadrupl")):
        text = _PERIODIC_GROWTH_RE.sub(lambda m: _GROWTH_WORDS[f"{m.group('word')}e"], text)
    if not any(word in text for word in _GROWTH_WORDS):
        return text

    def factor(m: re.Match[str]) -> str:
        said = _GROWTH_WORDS[m.group("upper") or m.group("word")]
        return f"{m.group(0)[: m.start('word') - m.start()]}{said}"
    return _FUTURE_GROWTH_RE.sub(factor, text)


# A list of labels each before its value, as dashboards and status lines write them: "rps
# 3000 cpu 90% mem 85%", "users 50000 p95 2s". The tokeniser takes a word after a number
# as its unit, so each pair is closed before the next label ("rps 3000, cpu 90%"), or
# "3000 cpu" would be 3000 cores and the 90% a share of nothing. Only where a label stands
# before the first value too: "8 cores 32 GB" and "3000 users 90% cpu" are left whole.
_LABEL = (r"(?:cpu|memory|mem|ram|heap|disk|swap|network|gpu|egress|iops|p\d\d(?:\.\d+)?|"
          r"latency|pool|connections|conns|users|rps|qps|peak|lag|queries|threads|depth|"
          r"requests|traffic|throughput|hits|misses|errors|load)")
_LABEL_VALUE_RE = re.compile(
    rf"(\b{_LABEL}\s*[:=]?\s*\d[\d.,]*(?:%|[a-z]{{1,3}}\b)?)[^\S\n]+(?={_LABEL}\s*[:=]?\s*\d)")


def _label_value_lists(text: str) -> str:
    """`text` with each label-and-value pair of such a list closed (see above)."""
    if _DIGIT.search(text) is None:
        return text
    return _LABEL_VALUE_RE.sub(r"\1, ", text)


def _utilisation_shares(text: str) -> str:
    """`text` with a percent sign after each bare utilisation figure (see above)."""
    if "util" not in text and "usage" not in text:
        return text

    def share(m: re.Match[str]) -> str:
        after = m.group("after").strip()
        if float(m.group("n")) <= 1 or after not in _AFTER_A_SHARE:
            return m.group(0)  # "usage 0.9", "usage 8 cores", "usage of 3 servers"
        return f"{m.group(0)[: m.end('n') - m.start()]}%{m.group('after')}"
    return _UTILISATION_RE.sub(share, text)


def _named_pairs(text: str, refused: list[str], notes: list[str], asked: list[str]
                 ) -> tuple[str, dict[MetricName, float]]:
    """The values given under a metric's name, and `text` with those pairs blanked out
    (positions kept) so the words-and-units reading does not read them again."""
    named: dict[MetricName, float] = {}
    if "_" not in text:  # every metric name with a value has one
        return text, named
    for m in _NAMED_PAIR_RE.finditer(text):
        metric = METRIC_KEYS.get(m.group("key"))
        if metric is None:
            continue
        try:
            parsed = parse_named(m.group("key"), m.group("value"))[0]
        except ParseError as err:
            refused.append(f"{m.group(0)} ({err})")
            if isinstance(err, AmbiguousUnit):
                asked.append(refused[-1])
        else:
            if metric not in named and parsed.note == NAMED_UNIT:  # `p95_ms=1.2`: in ms
                notes.append(f"{m.group(0)} read in {METRIC_SPECS[metric].unit.value}, "
                             f"{NAMED_UNIT}")
            named.setdefault(metric, parsed.value)
        text = _blanked(text, m)
    return text, named


def _ranged(text: str, prev: _Token | None, token: _Token) -> bool:
    """Whether `token` is the upper end of a range whose lower end is `prev` ("85-90%",
    "75%-95%", "800ms-1.2s"); a change said with units ("from 40% to 90%") is a change."""
    if prev is None or not (prev.suffix in ("", "to") or (
            _same_kind(prev.suffix, token.suffix) and not _chained(text, prev, token))):
        return False
    between = text[prev.end: token.start]
    if between.strip() == "and" and _BETWEEN_RE.search(text, 0, prev.start):
        return True  # "db cpu between 75 and 95%"
    return bool(_RANGE_SEP_RE.match(f" to {between}" if prev.suffix == "to" else between))


def _same_kind(unit: str, other: str) -> bool:
    """Whether two units measure one kind of thing (`k` and `M`, `ms` and `s`, `%`), so two
    numbers said with them can be the ends of one range."""
    return unit == other or any(unit in kind and other in kind
                                for kind in (_MULTIPLIERS, _SECONDS, _GB))


def _as_metric(token: _Token, prev: _Token, metric: MetricName) -> float | None:
    """The later value of a change, in the unit of the reading it changes from."""
    unit = "" if prev.suffix in _JOINING_WORDS else prev.suffix
    number = _number_said(token)
    own = [(token.raw.strip(), False)] if token.suffix else []
    beyond: OutOfBounds | None = None
    # "from 0.92 to 0.40 after the change": "after" was taken for a unit; the earlier
    # value's unit is the later one's too
    for raw, borrowed in [*own, (f"{number} {unit}".strip(), True)]:
        try:
            value = parse_quantity(raw, metric).value
        except OutOfBounds as err:  # "300ms -> 99999999999ms": raised if nothing reads
            beyond = beyond or err
            continue
        except ParseError:
            continue
        if borrowed:
            _inherited_time(token.value, unit)
        return value
    if beyond is not None:
        raise beyond
    return None


def _number_said(token: _Token) -> str:
    """The number of a token as typed, without the word the tokeniser took as its unit."""
    raw = token.raw.strip()
    if not token.suffix:
        return raw
    number = _LEADING_NUMBER.match(raw)
    return number.group(0) if number else raw


def _change_said(metric: MetricName, token: _Token) -> str:
    """The later value of a change as "Not read" shows it: "p95 2", "db cpu 400%" (with
    its unit when one was typed)."""
    label = "p95" if metric is MetricName.P95_MS else METRIC_SPECS[metric].label
    unit = token.suffix if token.suffix == "%" or _known_unit(token.suffix) else ""
    return f"{label} {_number_said(token)}{unit}"


def _inherited_time(value: float, unit: str) -> None:
    """"p95 300ms -> 2": a small bare number after milliseconds reads as well in seconds;
    asked back, as a bare p95 is, rather than taken as 2 ms."""
    if _SECONDS.get(unit) == 1e-3:
        _bare_time(value, Unit.MS)


_LEADING_NUMBER = re.compile(r"[\d.,_]+")


# Words glued into an identifier are words: an alert's name (`RedisMemoryHigh 94%`,
# `CPUUtilization > 90`) says what its number is. Only runs of two or more lower-case
# letters are cut, so units (`GiB`, `kB`, `MiB/s`) stay whole.
_GLUED_WORDS_RE = re.compile(r"(?<=[a-z]{2})(?=[A-Z][a-z])|(?<=[A-Z]{2})(?=[A-Z][a-z]{2})")
# What holds any place `_GLUED_WORDS_RE` cuts: most texts have none, and finding that
# takes one quick scan instead of both lookbehinds tried at every position.
_GLUED_WORDS_NEED = re.compile(r"[a-zA-Z]{2}[A-Z][a-z]")


@dataclass(frozen=True)
class Reading:
    """What free text says in numbers: metrics by name (in reading order), the numbers we
    refused to read, each with why (a misspelt number word is never a bare number), and
    what a reading needs said with it (a daily count is an average, not a peak)."""

    metrics: dict[MetricName, float]
    refused: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    # Of `refused`, those that ask which unit ("30 ms or 30 s?"): a view of it, so not compared.
    asked: tuple[str, ...] = field(default=(), compare=False)


def _spoken(text: str) -> str:
    """The text as the readers below take it: lower case, number words as digits, and each
    form that says one reading in pieces written as one (see each rewrite)."""
    # Slack's code marks (`db cpu 95%`, a paste in ``` fences) are no part of any reading.
    spoken = halfwidth(text[:5000]).replace("`", " ")
    if _GLUED_WORDS_NEED.search(spoken) is not None:
        spoken = _GLUED_WORDS_RE.sub(" ", spoken)
    spoken = digits_for_words(spoken.lower())
    if "percentile" in spoken:
        spoken = _NTH_PERCENTILE_RE.sub(r"p\1", spoken)
    for rewrite in (as_said, _future_growth, _utilisation_shares, _unit_in_name,
                    _compound_times, _label_value_lists):
        spoken = rewrite(spoken)
    return spoken


# Between a share and the line it is held against: "8.2% > 2%", "97% above 90%".
_COMPARED_WITH = re.compile(r"\s*(?:>=?|<=?|≥|≤|above|below|over|under|exceeds?|exceeding|"
                            r"greater than|less than|more than)\s*$")
# A bare share right after a share read, named by a statistic only: "cpu 35%, peak 98%".
_STAT_AFTER_SHARE = re.compile(
    r"\s*[,;(]?\s*(?:(?:and|but|with)\s+)?(?:the\s+|a\s+)?(?P<stat>peaks?|peaking|max|maximum|"
    r"highest|top|spikes?|spiking|p9\d(?:\.9+)?|avg|average|mean|min|minimum|median|p50|"
    r"lowest)\b(?:\s+(?:of|at|is|was|to|around|about|near))?\s*[:=]?\s*~?\s*$")
_LOWER_STATS = frozenset({"avg", "average", "mean", "min", "minimum", "median", "p50", "lowest"})


def _nothing_to_read(spoken: str) -> bool:
    """Whether `spoken` holds nothing any reader below takes: each reads a digit, but for a
    value given under a metric's own name, which has an underscore (`db_cpu=high` is
    refused). Most texts are sentences with neither once number words are digits."""
    return "_" not in spoken and _DIGIT.search(spoken) is None


# Numbers that are no reading of their metric, each said back with why.
_SAID_BACK = (UnnamedShare, PastGrowth, ShareRate, ChangeOnly, TargetOnly)


_LONE_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")


def valid_text(text: str) -> str:
    """`text` with every byte that was not UTF-8 shown as U+FFFD. Python keeps such bytes
    from argv and stdin as lone surrogates, which print but cannot be stored or sent."""
    return _LONE_SURROGATE_RE.sub("\ufffd", text)


def read_text(text: str) -> Reading:
    """Numbers with their meaning from free text: "db cpu 92%, p95 1.4s" -> two metrics.

    Never raises: a value that is not a plausible reading of its metric is dropped. The
    first reading of a metric wins, except the later value of a change ("went from 300ms
    to 2.4s", "300ms -> 2.4s"), which replaces the earlier one.
    """
    found: dict[MetricName, float] = {}
    refused: list[str] = []
    if not text or not isinstance(text, str):
        return Reading(found)
    spoken = _spoken(text)
    if _nothing_to_read(spoken):
        return Reading(found)
    lowered, pool_shares = _pool_fractions(without_status_codes(spoken))
    notes: list[str] = []
    asked: list[str] = []
    writes: list[WriteRate] = []
    target: tuple[MetricName, int] | None = None  # a target said, and where its sentence ends

    def ask_unit(said: str, err: AmbiguousUnit) -> None:
        refused.append(_asked_back(said, err))
        asked.append(refused[-1])

    lowered, named = _named_pairs(lowered, refused, notes, asked)
    lowered, memory_share = _memory_fractions(lowered)
    if memory_share is not None:  # read before the loop: the first reading of a metric wins
        found[MetricName.MEMORY_PCT] = memory_share
    lowered, read_share = _read_write_share(lowered)
    if read_share is not None:
        found[MetricName.READ_PCT] = read_share
    if "_" in lowered:
        lowered = _SNAKE_RE.sub(" ", lowered)  # "mem_usage: 80%": words
    lowered = without_status_codes(lowered)
    prev_end = 0
    prev: _Token | None = None
    prev_start = 0
    prev_metric: MetricName | None = None
    ranks: dict[MetricName, int] = {}  # how near each time kept is to what its metric means
    averaged = False  # the p95 kept was said as an average
    tail = ""  # the other percentile the p95 kept was said as ("p99"), if any
    for token in [*_tokens(lowered), None]:
        while pool_shares and (token is None or pool_shares[0][0] < token.start):
            found.setdefault(MetricName.POOL_USED_PCT, pool_shares.pop(0)[1])  # in text order
        if token is None:
            break
        if token.malformed is not None:
            refused.append(token.malformed)
            prev, prev_end, prev_metric = token, token.end, None
            continue
        if token.doubt is not None:
            refused.append(f"{token.raw.strip()} ({_misspelling_error(token)})")
            prev, prev_end, prev_metric = token, token.end, None
            continue
        unnamed: ParseError | None = None
        try:
            guess = _classify(token, lowered, prev_end)
        except AmbiguousUnit as err:  # "p95 1.2": said back, never guessed
            ask_unit(f"{_bare_time_label(lowered, token, prev_end)} {token.raw.strip()}", err)
            guess = None
        except WriteRate as err:  # weighed with the reads after the loop
            writes.append(err)
            guess = None
        except _SAID_BACK as err:  # said back below unless a change names it
            unnamed, guess = err, None
            if isinstance(err, TargetOnly):  # the next bare time in its sentence is the reading
                ends = _SENTENCE_BREAK.search(lowered, token.end)
                target = (err.metric, ends.start() if ends else len(lowered))
        except (KeyError, ValueError):
            guess = None
        chained = _chained(lowered, prev, token)
        ranged = _ranged(lowered, prev, token)
        if ranged and token.value < 0:  # "75% - 95%": the dash joins a range, it is no sign
            token = replace(token, value=-token.value)
        whole = _classify_or_none(token, lowered, prev_start) if ranged else None
        if whole is not None and prev_metric in (None, whole[0]):
            guess, chained = whole, True  # "db cpu 85-90%", "users 40-50k": the upper end
        elif chained and prev is not None:
            if prev_metric is not None:
                try:
                    value = _as_metric(token, prev, prev_metric)
                except AmbiguousUnit as err:  # "p95 300ms -> 2": 2 ms or 2 s?
                    ask_unit(_change_said(prev_metric, token), err)
                    found.pop(prev_metric, None)  # the earlier value is no longer the state
                    value = None
                except OutOfBounds as err:  # "db cpu went from 40% to 400%": said back
                    spec = METRIC_SPECS[prev_metric]
                    refused.append(f"{_change_said(prev_metric, token)} "
                                   f"({_implausible(spec, err.value)})")
                    found.pop(prev_metric, None)
                    value, unnamed = None, None  # said back once, under its name
                guess = None if value is None else (prev_metric, value)
            elif guess is None:
                guess = _classify_or_none(token, lowered, prev_start)
        if (guess is None and (chained or ranged) and prev is not None and prev_metric is None
                and not token.suffix
                and _BARE_P95_CHANGE.search(lowered[prev_start:prev.start])):
            chained = True  # "p95 went from 800 to 1200", "p95 1.2-1.5": the later value
            try:
                _bare_time(token.value, Unit.MS)
                guess = (MetricName.P95_MS, token.value)
            except AmbiguousUnit as err:
                ask_unit(f"p95 {token.raw.strip()}", err)
        if (isinstance(unnamed, UnnamedShare) and prev is not None
                and _COMPARED_WITH.match(lowered, prev.end, token.start)):
            unnamed = None  # "error rate 8.2% > 2%": the alert's line for the share before it
        stat = (_STAT_AFTER_SHARE.match(lowered, prev.end, token.start)
                if isinstance(unnamed, UnnamedShare) and prev is not None
                and prev_metric is not None and METRIC_SPECS[prev_metric].unit is Unit.PCT
                else None)
        if stat is not None:  # "avg cpu 35%, peak 98%": the same share's peak, said bare
            unnamed = None
            if stat.group("stat") in _LOWER_STATS:
                guess = None  # "cpu peak 98%, avg 35%": the peak read first stands
            else:
                guess, chained = (prev_metric, token.value), True
        if (guess is None and unnamed is None and target is not None
                and token.start < target[1] and token.suffix in _SECONDS
                and token.suffix != "m"):  # "3m" may be millions
            guess, target = _time_as(target[0], token), None  # "slo is 300ms, we're at 1.2s"
        seg_start = prev_end
        prev, prev_end, prev_metric = token, token.end, None
        prev_start = prev_start if chained else seg_start
        if guess is None and unnamed is not None:
            refused.append(f"{_as_typed(token)} ({unnamed})")
        if guess is None:
            continue
        metric, value = guess
        spec = METRIC_SPECS[metric]
        try:
            if spec.unit in (Unit.COUNT, Unit.RPS):
                _dot_grouped(token)  # "50.000 users": fifty or fifty thousand?
        except AmbiguousUnit as err:
            ask_unit(token.raw.strip(), err)
            prev_metric = None
            continue
        try:
            check_metric(metric, value)
        except MetricError:  # "db cpu 150%": said back, never silently dropped
            refused.append(f"{_as_typed(token)} ({_implausible(spec, value)})")
            continue
        if spec.integer and abs(value - round(value)) > 1e-6 * max(1.0, abs(value)):
            refused.append(f"{_as_typed(token)} ({spec.label} is a whole number)")
            continue
        value = float(round(value)) if spec.integer else value
        prev_metric = metric
        said = (_near_words(lowered[seg_start:], token.start - seg_start, 4, _CLAUSE_BREAK)
                if metric in _RANKED_TIMES else "")  # the words naming a time
        rank = _RANKED_TIMES[metric](said) if metric in _RANKED_TIMES else 0
        kept = chained or metric not in found or rank > ranks.get(metric, 0)
        if kept:  # the latest of a change; else the p95 itself, a tail, a time read first
            if not chained:
                notes.extend(_rate_notes(token, lowered, metric))
                notes.extend(_growth_notes(token, lowered, metric, value))
            found[metric] = value
        if kept and metric is MetricName.P95_MS:
            # The later value of a change ("p99 went from 1s to 3s") is said as the first was.
            labels = _PERCENTILE_RE.findall(said)
            average = _AVERAGE_SAID.search(said) is not None
            if labels or not chained:
                tail = labels[-1] if labels and labels[-1] != "p95" else ""
                averaged = average
            else:
                averaged = averaged or average
        ranks[metric] = max(ranks.get(metric, 0), rank)
    if averaged and MetricName.P95_MS in found and MetricName.P95_MS not in named:
        notes.append(f"{_fmt(found[MetricName.P95_MS])} ms is an average, taken as the p95; "
                     "the p95 runs higher, so give it if you know it")
    elif tail and MetricName.P95_MS in found and MetricName.P95_MS not in named:
        notes.append(_tail_note(tail, found[MetricName.P95_MS]))
    found.update(named)  # a value given under its own name wins
    _read_share_of_rates(found, writes, notes)
    if MetricName.SERVER_CPU_PCT not in found:
        refused.extend(_load_average(lowered, found.get(MetricName.CORES)))
    if MetricName.CORES in found and MetricName.SPINDLES not in found and _SSD_RE.search(text):
        found[MetricName.SPINDLES] = 1.0  # the guide counts an SSD as one spindle
    said = None if found or refused else lone_value(text)
    if said is not None:
        refused.append(f"{said} (of what? Name it, e.g. users 50k or p95 1.2s)")
    return Reading(found, tuple(refused), tuple(notes), tuple(asked))


# A value said on its own, with at most its unit or multiplier, a hedge or a range: "50k",
# "1.2 sec", "~12?", "50 thousand", "about 50k", "80k-120k", "between 800ms and 1.2s".
_LONE_ONE = (r"\d[\d,._ ]*\s*(?:thousand|million|billion|millis(?:econds?)?|seconds?|minutes?|"
             r"hours?|[a-zµ%/]{0,4})")
_LONE_VALUE_RE = re.compile(
    rf"\s*[~≈<>]?\s*((?:(?:about|around|roughly|approx(?:imately|\.)?|nearly|almost|maybe|"
    rf"over|under|between|from|up to|close to|give or take)\s*)*{_LONE_ONE}"
    rf"(?:\s*(?:-|–|to|and)\s*{_LONE_ONE})?(?:\+|-?ish|\s+or so|\s+maybe)?)\s*[?.!]*\s*",
    re.IGNORECASE)
_ERROR_CODE_RE = re.compile(r"[45]\d\d'?s?", re.IGNORECASE)


def lone_value(text: str) -> str | None:
    """The value, as said, of a text that is one value and at most its unit ("50k", "1.2
    sec"): it names nothing it measures. None for any other text, and for an HTTP error
    code alone ("502" is an error said, not a value)."""
    alone = _LONE_VALUE_RE.fullmatch(text)
    if alone is None or _ERROR_CODE_RE.fullmatch(alone.group(1).strip()):
        return None
    return alone.group(1).strip()


def _read_share_of_rates(found: dict[MetricName, float], writes: list[WriteRate],
                         notes: list[str]) -> None:
    """The read share from a read rate and a write rate said side by side ("1.2k writes/s
    and 9k reads/s" is 88.2% reads)."""
    if not writes:
        return
    reads = found.get(MetricName.READS_RPS)
    if reads is None:  # "can postgres take 5,000 writes a second?": a part, weighed by no line
        return
    written = writes[0].value
    if MetricName.READ_PCT not in found and reads + written > 0:
        share = float(f"{reads / (reads + written) * 100:.4g}")
        found[MetricName.READ_PCT] = share
        notes.append(f"{_fmt(reads)} reads/s of {_fmt(reads + written)} reads and writes = "
                     f"{_fmt(share)}% reads")


_LOAD_AVERAGE = re.compile(r"\b(?:load[ _]?(?:average|avg)s?|loadavg)\b[\s:=]*(?:(?:is|was|of|at|"
                           r"around|about|over|near|hit|hits|reached)\s+)*(\d+(?:\.\d+)?)(?![\d%])")


def _load_average(text: str, cores: float | None) -> list[str]:
    """A load average said back, not read: it counts tasks running or waiting (on Linux,
    waiting on disks too), so it is no share of the CPU the playbook's lines are drawn on.
    With the cores known it is said per core, which is how it reads."""
    m = _LOAD_AVERAGE.search(text) if "load" in text else None
    if m is None:
        return []
    load = float(m.group(1))
    per_core = f"; on {_fmt(cores)} cores that is {load / cores:.1f} a core" if cores else ""
    return [f"load average {m.group(1)} (tasks running or waiting, not a CPU share{per_core};"
            " give the CPU % to weigh it)"]


def _time_as(metric: MetricName, token: _Token) -> tuple[MetricName, float]:
    """A time in the unit of the time metric it is read as."""
    scale = 1.0 if metric is MetricName.REPLICA_LAG_S else 1000.0
    return metric, float(f"{token.value * _SECONDS[token.suffix] * scale:.12g}")


_AVERAGE_SAID = re.compile(r"\b(?:avg|average|averages|mean)\b")


def _slowest_rank(said: str) -> int:
    """1 for a query time said to be the slowest ("the slowest is 3.2 s"), 0 for one that
    is not (an average, "queries take 45 ms"): the guide's line is on the slowest."""
    return 1 if _SLOWEST_SAID.search(said) and not _AVERAGE_SAID.search(said) else 0


_SLOWEST_SAID = re.compile(r"\b(?:slowest|longest|worst|max|maximum|top)\b")


def _tail_rank(said: str) -> int:
    """How close a time is to the p95 the guide's bars are about, by the percentile named
    nearest before it in `said`: 2 the p95 itself, 1 another tail (p90, p99), 0 none named
    (an average, "latency 2s")."""
    labels = _PERCENTILE_RE.findall(said)
    return 0 if not labels else 2 if labels[-1] == "p95" else 1


def _tail_note(label: str, ms: float) -> str:
    """What a time said as another percentile than the p95 means for the guide's p95 bars:
    "4,000 ms is the p99, taken as the p95; the p95 runs lower, ..."."""
    lower = label != "median" and float(label[1:]) > 95  # p999 is the 99.9th
    return (f"{_fmt(ms)} ms is the {label}, taken as the p95; the p95 runs "
            f"{'lower' if lower else 'higher'}, so give it if you know it")


# Times of which a later one may be nearer to what the metric means, each with its rank.
_RANKED_TIMES = {MetricName.P95_MS: _tail_rank, MetricName.SLOWEST_QUERY_MS: _slowest_rank}


def _as_typed(token: _Token) -> str:
    raw = token.raw.strip()
    return f"-{raw}" if token.value < 0 and not raw.startswith(("-", "−")) else raw


def _implausible(spec: MetricSpec, value: float) -> str:
    """Why a value read from text is no reading of its metric, shortly (the value is shown
    beside it)."""
    if not math.isfinite(value):
        return f"{spec.label} must be a finite number"
    if value < 0:
        return f"{spec.label} cannot be negative"
    if value < spec.minimum:
        return f"{spec.label} is at least {spec.minimum:g}"
    if spec.unit is Unit.PCT:
        return f"{spec.label} is a share, so at most 100%"
    return f"{spec.label} that high is beyond any real system"


_RATE_METRICS = frozenset({MetricName.PEAK_RPS, MetricName.READS_RPS,
                           MetricName.PER_REPLICA_RPS})


def _rate_notes(token: _Token, text: str, metric: MetricName) -> list[str]:
    """The note a rate read from text needs: how it became per second ("60,000 per
    minute = 1,000 per second"); a count per day or longer is an average."""
    if metric not in _RATE_METRICS:
        return []
    mult, unit_rest = _multiplier(token.suffix)
    per = rate_unit(f"{unit_rest} {_after_words(text, token.end, 4)}".strip())
    note = rate_note(token.value * mult, per)
    return [note] if note else []


def _growth_base(token: _Token) -> float | None:
    """The factor a growth's number says before any span: "3x" 3, "50%" 1.5."""
    if token.suffix in _FACTOR_SUFFIXES:
        return token.value
    return 1 + token.value / 100 if token.suffix == "%" else None


def _growth_notes(token: _Token, text: str, metric: MetricName, value: float) -> list[str]:
    """The arithmetic of a growth said per month, quarter or week, or with its horizon
    ("3x in 6 months"), made 12 months'.

    The value was made 12 months' once, where it was read (`_classify`); this only says
    how, from that value."""
    base = _growth_base(token) if metric is MetricName.GROWTH_FACTOR else None
    if base is None:
        return []
    months = _horizon_after(text, token.end)
    if months is not None:
        note = _horizon_note(base, months, value)
        return [note] if note else []
    periods = _growth_periods(_after_words(text, token.end, 4))
    if periods is None or periods == 1 or value == base:
        return []  # no span said, or one the reading did not compound ("heap grows 3%")
    said = f"{_fmt(token.value)}{'%' if token.suffix == '%' else 'x'}"
    return [_compounded_note(said, periods, value)]


def extract_metrics(text: str) -> dict[MetricName, float]:
    """The metrics `read_text` finds (the matcher's view: numbers by name)."""
    return read_text(text).metrics


_SHORT_LABELS: dict[MetricName, str] = {
    MetricName.USERS: "users", MetricName.PEAK_RPS: "peak", MetricName.GROWTH_FACTOR: "growth",
    MetricName.SAFETY_MARGIN: "safety margin", MetricName.P95_MS: "p95",
    MetricName.SERVER_CPU_PCT: "server cpu", MetricName.DB_CPU_PCT: "db cpu",
    MetricName.MEMORY_PCT: "memory", MetricName.POOL_USED_PCT: "pool in use",
    MetricName.QUERIES_PER_REQUEST: "queries per request", MetricName.READ_PCT: "reads",
    MetricName.CACHE_HIT_PCT: "cache hit rate", MetricName.REPLICA_LAG_S: "replica lag",
    MetricName.SLOWEST_QUERY_MS: "slowest query", MetricName.CORES: "cores",
    MetricName.SPINDLES: "spindles", MetricName.WORKING_SET_GB: "working set",
    MetricName.STATIC_BANDWIDTH_PCT: "static bandwidth", MetricName.READS_RPS: "db reads",
    MetricName.PER_REPLICA_RPS: "per replica",
}
_UNIT_WORDS: dict[Unit, str] = {Unit.MS: " ms", Unit.S: " s", Unit.PCT: "%", Unit.GB: " GB",
                                Unit.FACTOR: "x", Unit.RPS: " req/s", Unit.COUNT: ""}


def value_text(metric: MetricName, value: float) -> str:
    """A value in its metric's unit: "2,400 ms", "85%", "1,000 req/s", "40,000"."""
    return f"{_fmt(value)}{_UNIT_WORDS[METRIC_SPECS[metric].unit]}"


def value_words(metric: MetricName, value: float) -> str:
    """A value with its unit, a count named by what it counts: "50,000 users", "16 cores",
    "1,000 req/s", "85%"."""
    if METRIC_SPECS[metric].unit is Unit.COUNT:
        return f"{_fmt(value)} {_SHORT_LABELS[metric]}"
    return value_text(metric, value)


def read_as(said: str, metric: MetricName, value: float, note: str) -> str:
    """How one typed value was read, in one line: "Read peak=60k/min as 1,000 req/s (60,000
    per minute = 1,000 per second)."; a value in words needs no more than the value:
    "Read users=fifty-thousand as 50,000 users."."""
    line = f"Read {said} as {value_words(metric, value)}"
    if note.startswith("'"):  # "'fifty-thousand' read as 50,000": the line says it already
        note = note.partition("; ")[2]
    return f"{line} ({note})." if note else f"{line}."


def echo(metric: MetricName, value: float) -> str:
    """One reading as it is echoed back: "p95 2,400 ms", "users 40,000", "db cpu 85%"."""
    return f"{_SHORT_LABELS[metric]} {value_text(metric, value)}"


def read_line(metrics: dict[MetricName, float], refused: tuple[str, ...] = (),
              notes: tuple[str, ...] = (), label: str = "Read") -> str:
    """Every number read from a text, with its unit: "Read: p95 2,400 ms, users 40,000"."""
    parts = []
    if metrics:
        parts.append(f"{label}: " + ", ".join(echo(m, v) for m, v in metrics.items()) + ".")
        parts.extend(f"({note}.)" for note in notes)
    if refused:
        parts.append("Not read: " + "; ".join(refused))
    return " ".join(parts)
