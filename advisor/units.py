"""Numbers as people type them: `50k`, `~2 million`, `1.4s`, `0.92`, `512 MiB`, `3x`.

Parsing is pure and strict: an answer either becomes one value in the metric's own
unit (with a note when we converted or picked from a range) or a ParseError whose
message says what form we expected, with an example, so a dialog can re-prompt.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from advisor.metrics import METRIC_SPECS, MetricError, MetricName, Unit, check_metric

MAX_ANSWER_CHARS = 200


class ParseError(ValueError):
    """An answer that is not a usable value; the message says the form expected."""


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


# A number: grouped thousands (1,200,000), plain or decimal, optional exponent.
_NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?:e[+-]?\d+)?"
_TOKEN_RE = re.compile(
    rf"(?<![\w.])(?P<num>{_NUM})(?![\d,])\s?(?P<suffix>%|[a-zµμ]+(?:/[a-z]+)?)?",
    re.IGNORECASE,
)
_X_PREFIX_RE = re.compile(r"(?<![\w.])[x×](?=\s?\d)", re.IGNORECASE)
_RANGE_SEP_RE = re.compile(r"^\s*(?:-|–|—|to|or|~)\s*$", re.IGNORECASE)
_NEGATIVE_RE = re.compile(r"(?:^|[\s(:=])[-−]\s?$")

_MULTIPLIERS: dict[str, float] = {
    "k": 1e3, "thousand": 1e3, "thousands": 1e3, "grand": 1e3,
    "m": 1e6, "mm": 1e6, "mn": 1e6, "mil": 1e6, "mio": 1e6, "million": 1e6, "millions": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9, "billions": 1e9,
}
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
}
_FACTOR_SUFFIXES = {"x", "×", "times", "fold"}
_PER_MINUTE = {"rpm", "/min", "qpm", "req/min", "requests/min", "per minute"}

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


def _fmt(value: float) -> str:
    """A readable number for notes: 60000 -> 60,000; 0.5368 -> 0.537."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.3g}" if abs(value) < 1 else f"{value:,.3f}".rstrip("0").rstrip(".")


def _tokens(text: str) -> list[_Token]:
    """Every number in the text with the word right after it; `x3` is read as `3x`."""
    text = _X_PREFIX_RE.sub("\0", text)  # mark x-prefixed numbers, keeping positions
    found: list[_Token] = []
    for m in _TOKEN_RE.finditer(text.replace("\0", " ")):
        try:
            value = float(m.group("num").replace(",", ""))
        except ValueError:  # pragma: no cover - the regex only admits floats
            continue
        suffix = (m.group("suffix") or "").lower()
        if text[: m.start()].rstrip().endswith("\0"):
            suffix = "x"
        if _NEGATIVE_RE.search(text[: m.start()]):
            value = -value
        found.append(_Token(value, suffix, m.start(), m.end(), m.group(0)))
    return found


def _one_value(text: str, unit: Unit) -> tuple[_Token, str | None]:
    """The single number (or upper end of a range) an answer holds, else ParseError."""
    if text is None or not str(text).strip():
        raise ParseError(f"Expected {_EXAMPLES[unit]}; the answer was empty.")
    text = str(text).strip()
    if len(text) > MAX_ANSWER_CHARS:
        raise ParseError(
            f"Expected a short answer: {_EXAMPLES[unit]} (got {len(text)} characters)."
        )
    lowered = text.lower()
    if re.search(r"\b(nan|inf|infinity|infinite)\b|∞", lowered):
        raise ParseError(f"Expected a finite number: {_EXAMPLES[unit]}.")
    tokens = _tokens(text)
    if not tokens:
        raise ParseError(f"Expected {_EXAMPLES[unit]}.")
    if len(tokens) == 1:
        return tokens[0], None
    if len(tokens) == 2:
        low, high = tokens
        between = text[low.end: high.start]
        if low.suffix in {"to", "or"}:
            between, low = f" {low.suffix} {between}", _Token(low.value, "", low.start,
                                                              low.end, low.raw)
        if _RANGE_SEP_RE.match(between):
            suffix = high.suffix or low.suffix
            upper = _Token(abs(high.value), suffix, low.start, high.end, high.raw)
            return upper, text[low.start: high.end].strip()
    raise ParseError(f"Expected one value: {_EXAMPLES[unit]} (found {len(tokens)} numbers).")


def _finite(value: float, unit: Unit) -> float:
    if not math.isfinite(value):
        raise ParseError(f"Expected a finite number: {_EXAMPLES[unit]}.")
    return value


def _range_note(range_text: str | None, value: float, unit_word: str = "") -> str | None:
    if range_text is None:
        return None
    return f"took {_fmt(value)}{unit_word}, the upper end of {range_text}"


def _join(*notes: str | None) -> str | None:
    kept = [n for n in notes if n]
    return "; ".join(kept) if kept else None


def _count(token: _Token) -> float:
    suffix = token.suffix
    if suffix in _MULTIPLIERS:
        return token.value * _MULTIPLIERS[suffix]
    # "50kusers" never happens, but "2krps" does: peel a multiplier off a glued unit.
    for mult in ("k", "m", "b"):
        if suffix.startswith(mult) and suffix[1:] in {"rps", "qps", "users", "req/s"}:
            return token.value * _MULTIPLIERS[mult]
    return token.value


def parse_number(text: str) -> Parsed:
    """One count or rate: `50k`, `1.2M users`, `~2 million`, `1.2e6`, `40-60k`, `16 cores`."""
    token, range_text = _one_value(text, Unit.COUNT)
    if token.suffix == "%":
        raise ParseError(f"Expected {_EXAMPLES[Unit.COUNT]}, not a percentage.")
    value = _finite(_count(token), Unit.COUNT)
    return Parsed(value, _range_note(range_text, value))


def _duration(token: _Token, unit: Unit) -> tuple[float, str | None]:
    target = 1e-3 if unit is Unit.MS else 1.0
    target_word = "ms" if unit is Unit.MS else "s"
    suffix = token.suffix
    if not suffix or suffix in ("ms", "s") and suffix == target_word:
        return token.value, None
    if suffix not in _SECONDS:
        raise ParseError(f"Expected {_EXAMPLES[unit]}; did not understand '{suffix}'.")
    value = token.value * _SECONDS[suffix] / target
    return value, f"{_fmt(token.value)} {suffix} = {_fmt(value)} {target_word}"


def _share(token: _Token) -> tuple[float, str | None]:
    if token.suffix == "%":
        return token.value, None
    if token.suffix and token.suffix not in {"pct", "percent", "per"}:
        raise ParseError(f"Expected {_EXAMPLES[Unit.PCT]}; did not understand '{token.suffix}'.")
    if token.suffix:
        return token.value, None
    if 0 <= token.value <= 1:
        value = token.value * 100
        return value, f"read {_fmt(token.value)} as a fraction: {_fmt(value)}%"
    return token.value, None


def _size(token: _Token) -> tuple[float, str | None]:
    suffix = token.suffix
    if not suffix or suffix in {"gb", "g"}:
        return token.value, None
    if suffix not in _GB:
        raise ParseError(f"Expected {_EXAMPLES[Unit.GB]}; did not understand '{suffix}'.")
    value = token.value * _GB[suffix]
    shown = token.raw.strip()
    return value, f"{shown} = {_fmt(value)} GB"


def _factor(token: _Token) -> tuple[float, str | None]:
    if token.suffix in _FACTOR_SUFFIXES or not token.suffix:
        return token.value, None
    if token.suffix == "%":
        value = 1 + token.value / 100
        return value, f"read +{_fmt(token.value)}% as a factor of {_fmt(value)}x"
    raise ParseError(f"Expected {_EXAMPLES[Unit.FACTOR]}; did not understand '{token.suffix}'.")


def _rate(token: _Token, text: str) -> tuple[float, str | None]:
    value = _count(token)
    lowered = text.lower()
    if any(marker in lowered for marker in _PER_MINUTE) or token.suffix == "rpm":
        per_second = value / 60
        return per_second, f"{_fmt(value)} per minute = {_fmt(per_second)} per second"
    return value, None


def parse_quantity(text: str, metric: MetricName | str) -> Parsed:
    """An answer for one metric, converted to that metric's unit and bounds-checked.

    Raises ParseError (never MetricError) so callers handle one exception type.
    """
    spec = METRIC_SPECS[MetricName(metric)]
    token, range_text = _one_value(text, spec.unit)
    if spec.unit in (Unit.MS, Unit.S):
        value, note = _duration(token, spec.unit)
    elif spec.unit is Unit.PCT:
        value, note = _share(token)
    elif spec.unit is Unit.GB:
        value, note = _size(token)
    elif spec.unit is Unit.FACTOR:
        value, note = _factor(token)
    elif spec.unit is Unit.RPS:
        value, note = _rate(token, text)
    else:
        if token.suffix == "%":
            raise ParseError(f"Expected {_EXAMPLES[spec.unit]}, not a percentage.")
        value, note = _count(token), None
    value = float(f"{_finite(value, spec.unit):.12g}")  # 1.4 s is 1400 ms, not 1399.99…
    if spec.integer:
        if abs(value - round(value)) > 1e-6 * max(1.0, abs(value)):
            raise ParseError(f"Expected a whole number for {spec.label}, e.g. 16.")
        value = float(round(value))
    try:
        check_metric(spec.name, value)
    except MetricError as exc:
        raise ParseError(f"{exc}. Expected {_EXAMPLES[spec.unit]}.") from exc
    return Parsed(value, _join(_range_note(range_text, value), note))


def parse_yes_no(text: str) -> bool | None:
    """True for yes-like answers, False for no-like ones, None when it is neither."""
    if not text:
        return None
    cleaned = re.sub(r"[^\w\s]", "", str(text)[:MAX_ANSWER_CHARS].strip().lower()).strip()
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

_DB_WORDS = re.compile(
    r"\b(db|dbs|database|databases|mysql|mysqld|postgres|postgresql|pg|psql|rds|aurora|mongo|"
    r"mongodb|mariadb|sql|primary|master)\b"
)
_CLAUSE_BREAK = re.compile(r"[.;!?\n]|,|\band\b|\bbut\b|\bwhile\b|\bwith\b")
_SENTENCE_BREAK = re.compile(r"[.;!?\n](?:\s|$)")
_SSD_RE = re.compile(r"\b(ssd|ssds|nvme)\b", re.IGNORECASE)

# (metric, pattern over the words near a percentage), first match wins.
_PCT_RULES: list[tuple[MetricName, re.Pattern[str]]] = [
    (MetricName.CACHE_HIT_PCT, re.compile(r"\b(hit|hits|hit rate|hit ratio)\b")),
    (MetricName.POOL_USED_PCT, re.compile(r"\b(pool|pools|connections?|conns?)\b")),
    (MetricName.READ_PCT, re.compile(r"\b(reads?|read[- ]heavy|selects?)\b")),
    (MetricName.STATIC_BANDWIDTH_PCT, re.compile(r"\b(static|bandwidth|assets?|images?)\b")),
    (MetricName.MEMORY_PCT, re.compile(r"\b(memory|mem|ram|heap|rss)\b")),
    (MetricName.SERVER_CPU_PCT, re.compile(r"\b(cpu|cpus|load|pegged|utili[sz]ation|usage|"
                                           r"maxed|busy)\b")),
    (MetricName.DB_CPU_PCT, _DB_WORDS),
]
_PCT_NOT_A_METRIC = re.compile(r"\b(disk|disks|storage|volume|inodes?|quota|battery|"
                               r"done|complete|progress|off|discount|uptime|availability)\b")
_DURATION_RULES: list[tuple[MetricName, re.Pattern[str]]] = [
    (MetricName.REPLICA_LAG_S, re.compile(r"\b(lag|lagging|behind|replication|replica)\b")),
    (MetricName.SLOWEST_QUERY_MS, re.compile(r"\b(query|queries|sql|slowest|select)\b")),
    (MetricName.P95_MS, re.compile(r"\b(p\d\d|latency|response|responses|pages?|load|loads|"
                                   r"takes|took|slow|requests?|checkout|endpoint|api)\b")),
]
_FACTOR_CONTEXT = re.compile(r"\b(grow|grows|growth|growing|expect|expected|traffic|scale|"
                             r"increase|more|users|load|by|launch|what if)\b")
_SAFETY_CONTEXT = re.compile(r"\b(safety|margin|headroom|buffer)\b")
_USERS_WORDS = re.compile(r"^(users?|customers?|dau|mau|visitors?|accounts?|people|"
                          r"subscribers?|players?|members?|concurrent)\b")
_CORES_WORDS = re.compile(r"^(cores?|vcpus?|cpus?|threads?|vcores?)\b")
_SPINDLE_WORDS = re.compile(r"^(spindles?|disks?|drives?|hdds?)\b")
_RATE_WORDS = re.compile(r"^(rps|qps|req/s|reqs?/s|requests?/s|requests? (per|a) (second|sec)|"
                         r"reads?/s|reads? (per|a) (second|sec)|ops/s|ops|/s|per second|"
                         r"queries? per second|writes?/s|rpm|/min|requests? per minute)")
_PER_REQUEST = re.compile(r"^(db |database |sql )?(quer(y|ies)|calls|selects)\s*"
                          r"(per|/|a|each)\s*(request|page|req|call|page ?view|hit)")
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


def _after_words(text: str, start: int, limit: int) -> str:
    after = text[start:]
    m = _CLAUSE_BREAK.search(after)
    after = after[: m.start()] if m else after
    after = re.split(r"\d", after, maxsplit=1)[0]
    return " ".join(after.split()[:limit])


def _classify(token: _Token, text: str, prev_end: int) -> tuple[MetricName, float] | None:
    """Which metric a number in free text is, from its unit and the words around it."""
    seg_start = prev_end
    near = _near_words(text[seg_start:], token.start - seg_start, 4, _CLAUSE_BREAK)
    wide = _near_words(text[seg_start:], token.start - seg_start, 8, _SENTENCE_BREAK)
    after = _after_words(text, token.end, 4)
    suffix = token.suffix
    tail = f"{suffix} {after}".strip()

    if _PER_REQUEST.match(tail) or (_PER_REQUEST.match(after) and not suffix):
        return MetricName.QUERIES_PER_REQUEST, token.value
    if suffix == "%" or suffix in {"pct", "percent"}:
        return _classify_pct(token.value, near, after, wide)
    if suffix in _SECONDS and suffix not in {"m"} or (suffix == "m" and "p9" in near):
        return _classify_duration(token, near, after, wide)
    if suffix in _GB and suffix not in {"b", "k", "m", "g", "t", "p"} or suffix in {"g", "t"}:
        context = f"{near} {after}"
        if _SIZE_CONTEXT.search(context):
            return MetricName.WORKING_SET_GB, token.value * _GB[suffix]
        return None
    if suffix in _FACTOR_SUFFIXES:
        context = f"{wide} {after}"
        if re.search(r"\b(slower|faster|cheaper|costlier|expensive|worse|better)\b", context):
            return None
        if _SAFETY_CONTEXT.search(context):
            return MetricName.SAFETY_MARGIN, token.value
        return MetricName.GROWTH_FACTOR, token.value
    if _CORES_WORDS.match(tail):
        return MetricName.CORES, token.value
    if _SPINDLE_WORDS.match(tail):
        return MetricName.SPINDLES, token.value
    value = _count(token)
    rest = after if suffix in _MULTIPLIERS else tail
    if _USERS_WORDS.match(rest) or re.search(r"\busers?\b", near):
        return MetricName.USERS, value
    is_rate = bool(_RATE_WORDS.match(rest)) or bool(re.search(r"\b(rps|qps|req/s)\b", near))
    if _PER_REPLICA.search(near):
        return MetricName.PER_REPLICA_RPS, value
    reads = re.search(r"^reads?\b", rest) or re.search(r"\breads?$", near)
    if reads and (is_rate or re.search(r"/s|per sec", rest)):
        return MetricName.READS_RPS, value
    if is_rate:
        if re.search(r"\brpm\b|/min|per minute", rest):
            value = value / 60
        return MetricName.PEAK_RPS, value
    if re.search(r"\b(peak|traffic|throughput)\b", near):
        return MetricName.PEAK_RPS, value
    return None


def _classify_pct(
    value: float, near: str, after: str, wide: str
) -> tuple[MetricName, float] | None:
    lowered = [near.lower(), after.lower(), wide.lower()]
    if _PCT_NOT_A_METRIC.search(f"{near} {after}"):
        return None  # "disk 100% full": a share we have no metric for
    for words in lowered:
        if re.search(r"\b(grow|growth|growing|increase)\b", words):
            return MetricName.GROWTH_FACTOR, 1 + value / 100
        for metric, pattern in _PCT_RULES:
            if pattern.search(words):
                if metric is MetricName.SERVER_CPU_PCT and (
                    _DB_WORDS.search(words) or _DB_WORDS.search(lowered[2])
                ):
                    return MetricName.DB_CPU_PCT, value
                return metric, value
    return MetricName.SERVER_CPU_PCT, value


def _classify_duration(
    token: _Token, near: str, after: str, wide: str
) -> tuple[MetricName, float] | None:
    seconds = token.value * _SECONDS[token.suffix]
    for words in (near.lower(), after.lower(), wide.lower()):
        for metric, pattern in _DURATION_RULES:
            if pattern.search(words):
                scale = 1.0 if metric is MetricName.REPLICA_LAG_S else 1000.0
                return metric, float(f"{seconds * scale:.12g}")
    return None


def extract_metrics(text: str) -> dict[MetricName, float]:
    """Numbers with their meaning from free text: "db cpu 92%, p95 1.4s" -> two metrics.

    Never raises: a value that is not a plausible reading of its metric is dropped, the
    first reading of a metric wins.
    """
    found: dict[MetricName, float] = {}
    if not text or not isinstance(text, str):
        return found
    lowered = text[:5000].lower()
    prev_end = 0
    for token in _tokens(lowered):
        try:
            guess = _classify(token, lowered, prev_end)
        except (KeyError, ValueError):
            guess = None
        prev_end = token.end
        if guess is None:
            continue
        metric, value = guess
        spec = METRIC_SPECS[metric]
        try:
            check_metric(metric, value)
        except MetricError:
            continue
        if spec.integer and abs(value - round(value)) > 1e-6 * max(1.0, abs(value)):
            continue
        found.setdefault(metric, float(round(value)) if spec.integer else value)
    if MetricName.CORES in found and MetricName.SPINDLES not in found and _SSD_RE.search(text):
        found[MetricName.SPINDLES] = 1.0  # the guide counts an SSD as one spindle
    return found
