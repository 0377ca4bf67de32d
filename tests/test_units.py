"""Answers as people type them become values in the metric's unit, or a clear refusal."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.metrics import METRIC_SPECS
from advisor.metrics import MetricName as M
from advisor.units import (
    Parsed,
    ParseError,
    extract_metrics,
    parse_number,
    parse_quantity,
    parse_yes_no,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("50k", 50_000),
        ("50K users", 50_000),
        ("1.2M", 1_200_000),
        ("~2 million", 2_000_000),
        ("1,200,000", 1_200_000),
        ("1.2e6", 1_200_000),
        ("3x", 3),
        ("x3", 3),
        ("2k rps", 2_000),
        ("16 cores", 16),
        ("16 vCPU", 16),
        ("about 300 thousand", 300_000),
        ("1.5 billion", 1_500_000_000),
        ("  450  ", 450),
    ],
)
def test_parse_number_forms(text, value):
    assert parse_number(text) == Parsed(value)


def test_range_takes_upper_end_and_says_so():
    assert parse_number("40-60k") == Parsed(60_000, "took 60,000, the upper end of 40-60k")
    assert parse_number("between 40k and 60k") == Parsed(
        60_000, "took 60,000, the upper end of 40k-60k")
    assert parse_number("40 to 60k").value == 60_000
    assert parse_number("40k - 60k").value == 60_000


@pytest.mark.parametrize(
    "text", ["", "   ", "nan", "NaN users", "inf", "1e999", "🔥🔥🔥", "lots", "x" * 201, "1 2 3"]
)
def test_parse_number_refuses(text):
    with pytest.raises(ParseError) as info:
        parse_number(text)
    assert "Expected" in str(info.value)
    assert "50k" in str(info.value)


def test_long_paste_is_told_a_short_answer_is_expected():
    with pytest.raises(ParseError, match="short answer"):
        parse_number("50k " * 100)


# Per metric, what each answer reads as: a value, or (value, the note that says how).
CONVERSIONS: dict[M, dict[str, float | tuple[float, str]]] = {
    M.P95_MS: {"1.4s": (1400, "1.4 s = 1,400 ms"), "850 ms": 850, "850": 850,
               "2 min": (120_000, "2 min = 120,000 ms")},
    M.REPLICA_LAG_S: {"30s": 30, "2 min": (120, "2 min = 120 s"),
                      "500ms": (0.5, "500 ms = 0.5 s"), "0.5": 0.5},
    M.DB_CPU_PCT: {"92%": 92, "0.92": (92, "read 0.92 as a fraction: 92%"), "92": 92},
    M.READ_PCT: {"80 %": 80},
    M.WORKING_SET_GB: {
        "10GB": 10, "0": 0, "1.5TB": (1500, "1.5TB = 1,500 GB"), "800M": (0.8, "800M = 0.8 GB"),
        "512MB": (0.512, "512MB = 0.512 GB"), "512 MiB": (0.536870912, "512 MiB = 0.537 GB"),
        "2 GiB": (2.147483648, "2 GiB = 2.147 GB"),
    },
    M.GROWTH_FACTOR: {"3x": 3, "x3": 3, "3": 3, "10 times": 10},
    M.SAFETY_MARGIN: {"1.5x": 1.5},
    M.PEAK_RPS: {"2k rps": 2000, "120k rpm": (2000, "120,000 per minute = 2,000 per second")},
    M.USERS: {"1.2M users": 1_200_000, "50K": 50_000,
              "40-60k": (60_000, "took 60,000, the upper end of 40-60k")},
    M.CORES: {"16 vCPU": 16}, M.READS_RPS: {"12k": 12_000}, M.QUERIES_PER_REQUEST: {"15": 15},
}


@pytest.mark.parametrize(("text", "metric", "expected"), [
    (text, metric, expected)
    for metric, cases in CONVERSIONS.items() for text, expected in cases.items()
])
def test_parse_quantity_converts_to_the_metric_unit(text, metric, expected):
    value, note = expected if isinstance(expected, tuple) else (expected, None)
    assert parse_quantity(text, metric) == Parsed(value, note)


@pytest.mark.parametrize(
    ("text", "metric", "reason"),
    [
        ("-5", M.USERS, "cannot be negative"),
        ("140%", M.DB_CPU_PCT, "at most 100%"),
        ("140", M.SERVER_CPU_PCT, "at most 100%"),
        ("nan", M.P95_MS, "finite"),
        ("2.5", M.CORES, "whole number"),
        ("5 parsecs", M.P95_MS, "850 ms"),
        ("fast", M.P95_MS, "850 ms"),
        ("😅", M.CACHE_HIT_PCT, "92%"),
        ("50%", M.USERS, "not a percentage"),
        ("1e12", M.USERS, "beyond any real system"),
        ("10 apples", M.WORKING_SET_GB, "10GB"),
        ("a" * 5000, M.USERS, "short answer"),
    ],
)
def test_parse_quantity_refuses_with_the_reason(text, metric, reason):
    with pytest.raises(ParseError) as info:
        parse_quantity(text, metric)
    assert reason in str(info.value)


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("yes", True), ("Y", True), ("yep", True), ("Yeah!", True), ("sure", True),
        ("true", True), ("ok", True), ("affirmative", True),
        ("no", False), ("n", False), ("Nope.", False), ("nah", False), ("false", False),
        ("negative", False),
        ("maybe", None), ("", None), ("50k", None),
    ],
)
def test_parse_yes_no(text, answer):
    assert parse_yes_no(text) is answer


@pytest.mark.parametrize(
    ("text", "metrics"),
    [
        ("db cpu 92%, p95 1.4s, 40k users", {M.DB_CPU_PCT: 92, M.P95_MS: 1400, M.USERS: 40_000}),
        ("database CPU at 95%", {M.DB_CPU_PCT: 95}),
        ("cpu pegged at 90%", {M.SERVER_CPU_PCT: 90}),
        ("postgres cpu pegged at 90%", {M.DB_CPU_PCT: 90}),
        ("memory 88%", {M.MEMORY_PCT: 88}),
        ("pool 95% used", {M.POOL_USED_PCT: 95}),
        ("12k reads/s", {M.READS_RPS: 12_000}),
        ("one replica handles 3k", {M.PER_REPLICA_RPS: 3_000}),
        (
            "how many read replicas for 12k reads/s if one handles 3k",
            {M.READS_RPS: 12_000, M.PER_REPLICA_RPS: 3_000},
        ),
        ("peak 2k rps", {M.PEAK_RPS: 2_000}),
        ("we expect to grow 3x", {M.GROWTH_FACTOR: 3}),
        ("8 cores", {M.CORES: 8}),
        ("8 cores on SSD", {M.CORES: 8, M.SPINDLES: 1}),
        ("16 cores and 4 spindles", {M.CORES: 16, M.SPINDLES: 4}),
        ("our SSD is fine", {}),
        ("10GB working set", {M.WORKING_SET_GB: 10}),
        ("replica lag 30s", {M.REPLICA_LAG_S: 30}),
        ("slowest query 450ms", {M.SLOWEST_QUERY_MS: 450}),
        ("cache hit rate 60%", {M.CACHE_HIT_PCT: 60}),
        ("80% reads", {M.READ_PCT: 80}),
        ("15 queries per request", {M.QUERIES_PER_REQUEST: 15}),
        ("db cpu 90% and p95 2s", {M.DB_CPU_PCT: 90, M.P95_MS: 2000}),
        ("mysql cpu at 90%, memory 88%", {M.DB_CPU_PCT: 90, M.MEMORY_PCT: 88}),
        ("checkout takes 4 seconds", {M.P95_MS: 4000}),
        ("3x slower than last week", {}),
    ],
)
def test_extract_metrics_from_free_text(text, metrics):
    assert extract_metrics(text) == metrics


@pytest.mark.parametrize(
    "text", ["", "cpu at 140%", "memory -5%", "🔥" * 50, "x" * 100_000, "nan% cpu", "1e999 users"]
)
def test_extract_metrics_drops_what_it_cannot_trust(text):
    assert extract_metrics(text) == {}


def test_extract_metrics_never_raises_on_odd_types():
    assert extract_metrics(None) == {}  # type: ignore[arg-type]


# --- property tests: arbitrary text never escapes as anything but ParseError -------------

NUMBERISH = st.from_regex(
    r"[~+-]?[0-9]{1,7}([.,][0-9]{1,3})?(e[0-9])? ?(k|K|M|m|ms|s|min|%|x|GB|MiB|TB|rps|"
    r"vCPU|cores|users|million)?", fullmatch=True)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=80), NUMBERISH))
def test_any_text_parses_within_bounds_or_says_why(text: str) -> None:
    for metric, spec in METRIC_SPECS.items():
        try:
            parsed = parse_quantity(text, metric)
        except ParseError as err:
            assert str(err)  # a reason a person can read
        else:
            assert spec.minimum <= parsed.value <= spec.maximum
    assert parse_yes_no(text) in (True, False, None)
    for metric, value in extract_metrics(text).items():
        assert METRIC_SPECS[metric].minimum <= value <= METRIC_SPECS[metric].maximum


@pytest.mark.parametrize(("text", "metric", "message"), [
    ("0", M.CORES, "CPU cores must be at least 1 (got 0). Expected a whole number such as 16."),
    ("-2", M.QUERIES_PER_REQUEST, "database queries per request cannot be negative (got -2). "
                                  "Expected a number such as 12."),
    ("-5", M.USERS, "users cannot be negative (got -5). "
                    "Expected a number such as 50k, 1.2M or 1,200,000."),
])
def test_an_out_of_range_value_shows_the_form_its_metric_takes(text, metric, message):
    with pytest.raises(ParseError) as err:
        parse_quantity(text, metric)
    assert str(err.value) == message


@pytest.mark.parametrize(("text", "metric", "value"), [
    ("1m30s", M.P95_MS, 90_000), ("2 min 30 s", M.P95_MS, 150_000),
    ("1h 5m", M.REPLICA_LAG_S, 3_900), ("1m30s", M.REPLICA_LAG_S, 90),
])
def test_an_answer_in_two_time_units_is_one_time(text, metric, value):
    assert parse_quantity(text, metric).value == value
