"""Quantities as people type them: rates keep their multiplier, shares, changes, misspelt
number words and bare numbers whose unit matters."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from advisor.matching import match
from advisor.metrics import METRIC_SPECS
from advisor.metrics import MetricName as M
from advisor.units import (
    AmbiguousUnit,
    MisspeltNumber,
    Parsed,
    ParseError,
    Reading,
    extract_metrics,
    number_word,
    parse_number,
    parse_quantity,
    parse_value_words,
    read_line,
    read_text,
)


def spellings(value: float, note: str | None, *texts: str) -> list[tuple]:
    """Cases where every text reads as the same value with the same note."""
    return [(text, value, note) for text in texts]


@pytest.mark.parametrize(("text", "value", "note"), [
    *spellings(3000, None, "3k/s", "3k /s", "3 k/s", "3000/s", "3k/sec", "3k/second",
               "3k per second", "3k requests per second", "3k req/s", "3k reqs/sec"),
    *spellings(2500, None, "2.5k rps", "2.5krps", "2.5k qps"),
    *spellings(1000, "60,000 per minute = 1,000 per second",
               "60k/min", "60k/minute", "60k requests per minute", "60k rpm"),
    *spellings(1000, "3,600,000 per hour = 1,000 per second",
               "3.6M/h", "3.6M/hr", "3.6 million requests per hour"),
    *spellings(1_200_000, None, "1.2M/s"),
    *spellings(12000, None, "12000", "12,000", "12_000", "12_000/s"),
    *spellings(1_200_000, None, "1.200.000", "1_200_000 req/s", "1,200,000 rps"),
    *spellings(1500, None, "1,5k/s", "1.5k/s"),  # a decimal comma is a decimal point
])
def test_rates_keep_their_multiplier_and_become_per_second(text, value, note):
    assert parse_quantity(text, M.PEAK_RPS) == Parsed(value, note)
    assert parse_quantity(text, M.PER_REPLICA_RPS) == Parsed(value, note)


@pytest.mark.parametrize(("text", "value", "note"), spellings(
    90, "45 of 50 = 90%", "45/50", "45 of 50", "45 out of 50 connections", "45/50 connections"))
def test_part_of_a_whole_is_a_share(text, value, note):
    assert parse_quantity(text, M.POOL_USED_PCT) == Parsed(value, note)


@pytest.mark.parametrize(("text", "value", "note"), [
    ("14GB of 16GB", 87.5, "14GB of 16GB = 87.5%"),
    ("3.5G/4G", 87.5, "3.5G/4G = 87.5%"),
    ("900 MB out of 1 GB", 90, "900 MB out of 1 GB = 90%"),
])
def test_two_sizes_are_a_share_of_memory(text, value, note):
    assert parse_quantity(text, M.MEMORY_PCT) == Parsed(value, note)


@pytest.mark.parametrize(("text", "metrics"), [
    ("memory on the cache nodes looks bad today, 14GB of 16GB", {M.MEMORY_PCT: 87.5}),
    ("we added memory last week. 14GB of 16GB disk used", {}),  # another sentence
])
def test_two_sizes_are_memory_when_their_sentence_says_so(text, metrics):
    assert read_text(text).metrics == metrics


def test_a_ratio_is_a_share_and_exactly_one_is_asked():
    assert parse_quantity("0.62", M.CACHE_HIT_PCT) == Parsed(62, "read 0.62 as a fraction: 62%")
    with pytest.raises(AmbiguousUnit) as info:
        parse_quantity("1", M.CACHE_HIT_PCT)
    assert info.value.readings == ("1%", "100%")
    assert parse_quantity("62", M.CACHE_HIT_PCT) == Parsed(62)


@pytest.mark.parametrize(
    "text",
    ["went from 300ms to 2.4s", "300ms -> 2.4s", "300ms → 2.4s", "up from 300ms to 2.4s",
     "from 300ms to 2.4s"],
)
def test_a_change_keeps_the_latest_value(text):
    parsed = parse_quantity(text, M.P95_MS)
    assert parsed.value == 2400
    assert parsed.note is not None and parsed.note.startswith("took 2,400, the latest value")


def test_a_fall_keeps_the_latest_value_too():
    assert parse_quantity("from 2.4s to 300ms", M.P95_MS).value == 300


@pytest.mark.parametrize(
    ("text", "value", "word"),
    [("40 thousnad", 40_000, "thousnad"), ("3 millon", 3_000_000, "millon"),
     ("2 bilion", 2_000_000_000, "bilion"), ("40 thousend users", 40_000, "thousend"),
     ("1.5 milion", 1_500_000, "milion")],
)
def test_misspelt_number_words_are_understood(text, value, word):
    parsed = parse_quantity(text, M.USERS)
    assert parsed.value == value
    assert parsed.note == f"read '{word}' as {number_word(word)[0]}"


def test_a_word_only_close_to_a_number_word_is_refused():
    with pytest.raises(ParseError) as info:
        parse_quantity("40 thsnad", M.USERS)
    assert str(info.value) == ("'thsnad' is not a number word I know; did you mean thousand? "
                               "Write it as 40 thousand or with k/M/B.")
    with pytest.raises(ParseError):
        parse_number("40 thsnad users")


@pytest.mark.parametrize(
    ("text", "value"),
    [("40 thou", 40_000), ("40 Tsd", 40_000), ("1.5 mln", 1_500_000), ("3 mill", 3_000_000),
     ("2 bln", 2_000_000_000), ("40thous users", 40_000)],
)
def test_common_abbreviations_of_number_words_are_multipliers(text, value):
    assert parse_quantity(text, M.USERS) == Parsed(value, None)


@pytest.mark.parametrize(
    ("text", "word", "meant"),
    [("40 thsnd", "thsnd", "thousand"), ("40thsnd", "thsnd", "thousand"),
     ("3 mlln", "mlln", "million"), ("2 blln", "blln", "billion"),
     ("5 ths users", "ths", "thousand")],
)
def test_a_vowel_less_cut_of_a_number_word_is_asked_back(text, word, meant):
    with pytest.raises(MisspeltNumber) as info:
        parse_quantity(text, M.USERS)
    value = text.split()[0].removesuffix(word)
    assert str(info.value) == (f"'{word}' is not a number word I know; did you mean {meant}? "
                               f"Write it as {value} {meant} or with k/M/B.")


def test_free_text_says_it_did_not_read_a_cut_number_word():
    reading = read_text("40thsnd users and p95 2s")
    assert reading.metrics == {M.P95_MS: 2000}
    assert reading.refused == ("40thsnd ('thsnd' is not a number word I know; did you mean "
                               "thousand? Write it as 40 thousand or with k/M/B.)",)


@pytest.mark.parametrize(
    ("text", "metric", "readings", "message"),
    [("50.000", M.USERS, ("50", "50,000"),
      "50.000: 50 or 50,000? Write it without the dot, e.g. 50000."),
     ("2.500 rps", M.PEAK_RPS, ("2.5", "2,500"),
      "2.500 rps: 2.5 or 2,500? Write it without the dot, e.g. 2500."),
     ("16.000", M.CORES, ("16", "16,000"),
      "16.000: 16 or 16,000? Write it without the dot, e.g. 16000.")],
)
def test_one_dot_group_in_a_count_or_rate_gives_both_readings(text, metric, readings, message):
    with pytest.raises(AmbiguousUnit) as info:
        parse_quantity(text, metric)
    assert (info.value.readings, str(info.value)) == (readings, message)


def test_one_dot_group_is_plain_where_it_cannot_be_thousands():
    assert read_text("1.500k users, p95 1.250 s, 1.200.000 requests a day").metrics == {
        M.USERS: 1500, M.P95_MS: 1250, M.PEAK_RPS: pytest.approx(1_200_000 / 86400)}
    reading = read_text("we have 50.000 users and p95 2s")
    assert (reading.metrics, reading.refused) == ({M.P95_MS: 2000},
                                                  ("50.000 users (50 or 50,000?)",))


@pytest.mark.parametrize("word", ["ms", "tb", "mb", "hrs", "mbps", "bps", "th", "rps", "qps"])
def test_vowel_less_units_are_not_cut_number_words(word):
    assert number_word(word) == (None, None)


@pytest.mark.parametrize("word", ["billing", "mission", "motion", "mention", "minutes", "millis",
                                  "users", "tables", "threads", "bitcoin"])
def test_ordinary_words_are_not_number_words(word):
    assert number_word(word) == (None, None)


@pytest.mark.parametrize(
    ("text", "metric", "readings"),
    [
        ("1.2", M.P95_MS, ("1.2 ms", "1.2 s")),
        ("60", M.P95_MS, ("60 ms", "60 s")),
        ("5", M.SLOWEST_QUERY_MS, ("5 ms", "5 s")),
        ("12", M.REPLICA_LAG_S, ("12 ms", "12 s")),
        ("10", M.WORKING_SET_GB, ("10 MB", "10 GB")),
        ("1", M.DB_CPU_PCT, ("1%", "100%")),
    ],
)
def test_a_bare_number_whose_unit_matters_gives_both_readings(text, metric, readings):
    with pytest.raises(AmbiguousUnit) as info:
        parse_quantity(text, metric)
    assert info.value.readings == readings
    assert str(info.value) == f"{readings[0]} or {readings[1]}? Give the unit, e.g. {readings[1]}."


@pytest.mark.parametrize(
    ("text", "metric", "value"),
    [("61", M.P95_MS, 61), ("850", M.P95_MS, 850), ("0", M.P95_MS, 0),
     ("0.5", M.REPLICA_LAG_S, 0.5), ("0", M.WORKING_SET_GB, 0), ("50k", M.USERS, 50_000),
     ("3", M.GROWTH_FACTOR, 3), ("450", M.PEAK_RPS, 450), ("92", M.DB_CPU_PCT, 92),
     ("45", M.QUERIES_PER_REQUEST, 45), ("16", M.CORES, 16)],
)
def test_a_bare_number_is_read_where_its_unit_is_plain(text, metric, value):
    assert parse_quantity(text, metric).value == value


@pytest.mark.parametrize(
    ("text", "metrics"),
    [
        ("p95 went from 300ms to 2.4s, 40 thousnad users, db cpu 85%",
         {M.P95_MS: 2400, M.USERS: 40_000, M.DB_CPU_PCT: 85}),
        ("p95 300ms -> 2.4s", {M.P95_MS: 2400}),
        ("p95 up from 300ms to 2.4s", {M.P95_MS: 2400}),
        ("p95 went from 300 to 2400 ms", {M.P95_MS: 2400}),
        ("p95 was 300ms, now 2.4s", {M.P95_MS: 2400}),
        ("12k reads/s, 3k per replica", {M.READS_RPS: 12_000, M.PER_REPLICA_RPS: 3000}),
        ("3k rps each replica", {M.PER_REPLICA_RPS: 3000}),
        ("peak 3k rps per region", {M.PEAK_RPS: 3000}),
        ("p95 300ms (now 2.4 s)", {M.P95_MS: 2400}),
        ("db cpu was 40% and now it is 95%", {M.DB_CPU_PCT: 95}),
        ("50k users, now 2k rps", {M.USERS: 50_000, M.PEAK_RPS: 2000}),
        # The first value's own words may stand before the change; another noun after
        # the later value means it measures something else.
        ("we had 10k users, now 50k", {M.USERS: 50_000}),
        ("we had 10k users and now 50k users", {M.USERS: 50_000}),
        ("db cpu 40% yesterday, now 95%", {M.DB_CPU_PCT: 95}),
        ("p95 300ms last week; now 2.4s", {M.P95_MS: 2400}),
        ("p95 300ms yesterday, 2s today", {M.P95_MS: 2000}),
        # A change or range of bare numbers after a latency label: the later value, as
        # "p95 1200" would be.
        ("p95 went from 800 to 1200", {M.P95_MS: 1200}),
        ("latency 800 -> 1200", {M.P95_MS: 1200}),
        ("p95 800-1200", {M.P95_MS: 1200}),
        ("p95 went from 1.2 to 1.5", {}),
        # A change of shares written as ratios, and words after the later value.
        ("cache hit ratio dropped from 0.92 to 0.40 after the key change",
         {M.CACHE_HIT_PCT: 40}),
        ("hit rate from 0.9 to 0.4", {M.CACHE_HIT_PCT: 40}),
        ("p95 went from 300ms to 2.4s after the deploy", {M.P95_MS: 2400}),
        ("db cpu from 40% to 90 since monday", {M.DB_CPU_PCT: 90}),
        ("p95 from 300ms to 450", {M.P95_MS: 450}),
        # A time after a timeout is the limit that was reached or set, not a latency.
        ("Connection is not available, request timed out after 30000ms.", {}),
        ("the checkout api times out after 30s", {}),
        ("statement timeout=5s, p99 latency 4s", {M.P95_MS: 4000}),
        ("p99 timed out at 5s", {M.P95_MS: 5000}),
        # Swap in use is no share of memory or CPU we size from.
        ("swap usage 90% on the worker nodes", {}),
        # Nor is a drive's or a partition's, whatever machine it is on.
        ("the app server's root drive sat full at 100%", {}),
        ("the /var partition on the app server is at 96%", {}),
        # An alert's glued name says what its number is; units stay whole.
        ("[FIRING:1] RedisMemoryHigh redis-cache 94%", {M.MEMORY_PCT: 94}),
        ("ALERT: RDS CPUUtilization > 90% on prod-db", {M.DB_CPU_PCT: 90}),
        ("NodeFilesystemAlmostOutOfSpace /var/lib/docker 3% left", {}),
        ("redis working set 5GiB", {M.WORKING_SET_GB: 5 * 1024**3 / 1e9}),
        # A job's wait or run time is not the response time; a p95 said as such still is.
        ("sidekiq latency 20 minutes on the mailers queue", {}),
        ("the nightly export takes 40 minutes", {}),
        # Nor is a developer's wait on a compiler, a test suite or an install.
        ("the app takes 3 minutes to compile from scratch", {}),
        ("our test suite takes 25 minutes on a laptop", {}),
        ("yarn install took 90s this morning", {}),
        ("p99 of the job api is 3s", {M.P95_MS: 3000}),
        ("checkout takes 8s and jobs are queued", {M.P95_MS: 8000}),
        ("db cpu was 40% a few hours ago, 95%", {M.DB_CPU_PCT: 95}),
        ("we had 10k users last year, 50k", {M.USERS: 50_000}),
        ("10k users last year, 2k rps", {M.USERS: 10_000, M.PEAK_RPS: 2000}),
        ("db cpu 40% yesterday, memory 95%", {M.DB_CPU_PCT: 40, M.MEMORY_PCT: 95}),
        ("latency was 300ms. Now it is 2s", {M.P95_MS: 2000}),
        ("users was 10k, now 50 replicas", {M.USERS: 10_000}),
        ("10k users, p95 now 2s", {M.USERS: 10_000, M.P95_MS: 2000}),
        ("db cpu 40%, server cpu now 95%", {M.DB_CPU_PCT: 40, M.SERVER_CPU_PCT: 95}),
        ("45/50 connections in use", {M.POOL_USED_PCT: 90}),
        ("45 out of 50 connections", {M.POOL_USED_PCT: 90}),
        ("pool at 45 of 50", {M.POOL_USED_PCT: 90}),
        ("cache hit ratio 0.62", {M.CACHE_HIT_PCT: 62}),
        ("redis hit rate is 0.62", {M.CACHE_HIT_PCT: 62}),
        ("each request fires 45 queries", {M.QUERIES_PER_REQUEST: 45}),
        ("every page load runs 45 db queries", {M.QUERIES_PER_REQUEST: 45}),
        ("45 queries per request", {M.QUERIES_PER_REQUEST: 45}),
        ("45 queries per page", {M.QUERIES_PER_REQUEST: 45}),
        ("peak is 3k/s", {M.PEAK_RPS: 3000}),
        ("peak 60k/min", {M.PEAK_RPS: 1000}),
        ("we serve 2.5k rps", {M.PEAK_RPS: 2500}),
        ("traffic 120k requests per minute", {M.PEAK_RPS: 2000}),
        ("12000 reads/s and each replica handles 3k/s",
         {M.READS_RPS: 12_000, M.PER_REPLICA_RPS: 3000}),
        ("40 thsnad users", {}),
        ("p95 is 850, 40k users", {M.P95_MS: 850, M.USERS: 40_000}),
        ("latency 1.2 and db cpu 90%", {M.DB_CPU_PCT: 90}),
        ("the meeting is 11/28 at 3pm", {}),
        ("disk on the kafka broker is at 97%", {}),
        ("p95 latency went up 3x", {}),
        ("errors are up 5x since the deploy", {}),
        ("traffic will grow 3x by spring", {M.GROWTH_FACTOR: 3}),
        ("TTFB 900ms", {M.P95_MS: 900}),
        ("the web servers are at 97%", {M.SERVER_CPU_PCT: 97}),
        ("db cpu ninety percent and p95 is 2s", {M.DB_CPU_PCT: 90, M.P95_MS: 2000}),
        ("memory at eighty five per cent", {M.MEMORY_PCT: 85}),
        ("we serve fifty thousand users", {M.USERS: 50_000}),
        ("half a million users, p95 two seconds", {M.USERS: 500_000, M.P95_MS: 2000}),
        ("a hundred thousand users on eight cores", {M.USERS: 100_000, M.CORES: 8}),
        ("traffic will grow three times", {M.GROWTH_FACTOR: 3}),
        ("one request fires forty five queries", {M.QUERIES_PER_REQUEST: 45}),
        ("two of our servers are down", {}),
        ("about 50,000 daily active users", {M.USERS: 50_000}),
        ("1.5 lakh users and p95 is 3s", {M.USERS: 150_000, M.P95_MS: 3000}),
        # A range is read with the words before it, and its upper end is kept.
        ("db cpu hovering around 85-90%", {M.DB_CPU_PCT: 90}),
        ("users 40-50k and p95 1-2s", {M.USERS: 50_000, M.P95_MS: 2000}),
        ("server cpu at 60-70% and db cpu 95%", {M.SERVER_CPU_PCT: 70, M.DB_CPU_PCT: 95}),
        # A median or a lower percentile is not the tail latency; p90 and above are.
        ("p50 120ms p99 2.3s", {M.P95_MS: 2300}),
        ("median latency 80ms, p999 1.9s", {M.P95_MS: 1900}),
        ("p75 400ms", {}),
        ("50th percentile 200ms, 99th percentile 3s", {M.P95_MS: 3000}),
        ("average response time 2s", {M.P95_MS: 2000}),
        ("we are at 80% of max_connections", {M.POOL_USED_PCT: 80}),
        # A metric's own name, as the fronts' name=value takes it, says which it is.
        ("db_cpu=93% and checkout is slow", {M.DB_CPU_PCT: 93}),
        ("db_cpu: 0.93, pool_used_pct=90, p95 2s",
         {M.P95_MS: 2000, M.DB_CPU_PCT: 93, M.POOL_USED_PCT: 90}),
        # Other dashboard names read as their words: an error rate or a disk is no metric.
        ("error_rate: 5%", {}),
        ("http_5xx_rate=3%", {}),
        ("disk_usage=95%", {}),
        ("mem_usage: 80%", {M.MEMORY_PCT: 80}),
        # Memory in use of what there is, beside a memory word.
        ("memory at 14GB of 16GB and p95 2s", {M.MEMORY_PCT: 87.5, M.P95_MS: 2000}),
        ("redis using 900MB/1GB", {M.MEMORY_PCT: 90}),
        ("disk 90GB of 100GB", {}),
        ("12k reads/s and 3k writes/s", {M.READS_RPS: 12_000, M.READ_PCT: 80}),  # no peak
        ("read/write ratio 90/10, p95 2s", {M.READ_PCT: 90, M.P95_MS: 2000}),
        ("reads:writes 4:1", {M.READ_PCT: 80}),
        ("10k concurrent users", {M.USERS: 10_000}),
        ("10k concurrent connections", {}),  # connections are not people
        ("2 crore users", {M.USERS: 20_000_000}),
        ("1_200_000 users, pool 45/50", {M.USERS: 1_200_000, M.POOL_USED_PCT: 90}),
        ("timeouts to 10.100.200.250:5432, p95 2s", {M.P95_MS: 2000}),
        ("20k monthly active users", {M.USERS: 20_000}),
        ("3 million requests per hour at peak", {M.PEAK_RPS: 3_000_000 / 3600}),
        ("10M requests daily", {M.PEAK_RPS: 10_000_000 / 86400}),
        ("1.5 billion events/day", {M.PEAK_RPS: 1.5e9 / 86400}),
        ("8 million page views per month", {M.PEAK_RPS: 8e6 / (30 * 86400)}),
        ("HikariPool-1 - Pool stats (total=50, active=48, idle=2, waiting=10)",
         {M.POOL_USED_PCT: 96}),
        ("200ms p95", {M.P95_MS: 200}),
        ("cpu 0.95 utilization", {M.SERVER_CPU_PCT: 95}),
        ("40k+ users", {M.USERS: 40_000}),
        ("error rate 5%", {}),
        ("db cpu 95% and error rate 5%", {M.DB_CPU_PCT: 95}),
        ("grew 50% month over month", {}),
        ("traffic is up 300%", {}),
        ("cpu up to 95%", {M.SERVER_CPU_PCT: 95}),
    ],
)
def test_free_text_reads_every_form(text, metrics):
    assert extract_metrics(text) == metrics


def test_a_refused_number_word_is_said_not_dropped_silently():
    reading = read_text("40 thsnad users and db cpu 90%")
    assert reading == Reading(
        {M.DB_CPU_PCT: 90},
        ("40 thsnad ('thsnad' is not a number word I know; did you mean thousand? Write it as "
         "40 thousand or with k/M/B.)",),
    )


def test_a_bare_latency_in_free_text_is_said_back_not_guessed():
    assert read_text("p95 1.2 and db cpu 90%") == Reading(
        {M.DB_CPU_PCT: 90}, ("p95 1.2 (1.2 ms or 1.2 s?)",))


@pytest.mark.parametrize("text", ["p95 went from 300ms to 2 after the deploy", "p95 300ms -> 2"])
def test_a_small_bare_value_after_milliseconds_is_said_back(text):
    # 2 ms or 2 s? And the earlier 300 ms is no longer how things stand, so it is not kept.
    assert read_text(f"{text}, db cpu 90%") == Reading(
        {M.DB_CPU_PCT: 90}, ("p95 2 (2 ms or 2 s?)",))


@pytest.mark.parametrize(("text", "said"), [
    ("p95 went from 300ms to 99999999999999999999ms",
     "p95 99999999999999999999ms (P95 response time that high is beyond any real system)"),
    ("p95 300ms -> 99999999999999999999",
     "p95 99999999999999999999 (P95 response time that high is beyond any real system)"),
    ("db cpu went from 40% to 400%",
     "database CPU 400% (database CPU is a share, so at most 100%)"),
])
def test_an_impossible_later_value_of_a_change_is_said_back_and_the_earlier_not_kept(
        text, said):
    assert read_text(f"{text}, 20k users") == Reading({M.USERS: 20_000}, (said,))


@pytest.mark.parametrize(("text", "metrics"), [
    ('ALARM: "prod-rds-high-cpu": CPUUtilization > 90 for 3 datapoints', {M.DB_CPU_PCT: 90}),
    ("memory utilization > 85 on the workers", {M.MEMORY_PCT: 85}),
    ("cpu usage is 72.5", {M.SERVER_CPU_PCT: 72.5}),
    ("cpu usage 8 cores", {M.CORES: 8}),  # a unit of its own: no share
    ("memory usage 512 MB", {}),
    ("memory usage of 3 servers", {}),  # a count of something else
])
def test_a_utilisation_is_a_share_with_or_without_its_sign(text, metrics):
    assert read_text(text) == Reading(metrics)
    assert read_text("cpu usage 150") == Reading(
        {}, ("150% (server CPU is a share, so at most 100%)",))


@pytest.mark.parametrize(("text", "metrics"), [
    # a number in a name is no reading and leaves the reading after it whole
    ("replication lag on orders-replica-2 is 180s", {M.REPLICA_LAG_S: 180}),
    ("web-01 and web-02 at 95% cpu", {M.SERVER_CPU_PCT: 95}),
    ("db cpu 85-90%", {M.DB_CPU_PCT: 90}),  # a range still is one
    ("index data under /srv/data/nodes/0 is 40 GB", {M.WORKING_SET_GB: 40}),  # a path
    ("free: 11.1gb on the data volume", {}),  # room left on a disk, not data in use
    # how often something restarted or failed is no growth of the traffic
    ("Pod prod/api-6c9 is restarting 4.2 times / 10 minutes", {}),
    # a hexadecimal address or offset is no "0x"
    ("segfault at 0x7f3a2c ip 0x55d1 in worker, growth 3x", {M.GROWTH_FACTOR: 3}),
    ("the import retried 3 times and failed", {}),
    ("the upload took over 20 seconds 3 times in the past week", {M.P95_MS: 20_000}),
    # user-space CPU time is not people
    ("avg:system.cpu.user{role:web} > 95", {}),
    ("95 users online", {M.USERS: 95}),
    ("500 users time out at checkout", {M.USERS: 500}),
])
def test_names_event_counts_and_cpu_time_are_not_readings(text, metrics):
    assert read_text(text) == Reading(metrics)


@pytest.mark.parametrize(("text", "metrics"), [
    ("[FIRING:1] NodeDiskIOSaturation node-7 io time 98%", {}),
    ("iowait at 60% and db cpu 90%", {M.DB_CPU_PCT: 90}),
    ("iostat shows %util 100 and await 450ms on sdb", {}),
    ("the web servers are at 97%", {M.SERVER_CPU_PCT: 97}),  # machines: their CPU
])
def test_an_io_share_is_no_cpu(text, metrics):
    assert read_text(text) == Reading(metrics)


@pytest.mark.parametrize(("text", "metrics"), [
    ('ALARM: "prod-rds-high-cpu" in US East (N. Virginia): CPUUtilization > 90 for 3 datapoints',
     {M.DB_CPU_PCT: 90}),  # the alert's name says what the figure is about
    ("[FIRING:1] HighCPU web-1 cpu 95%", {M.SERVER_CPU_PCT: 95}),
    ("the db is fine but app servers cpu 95%", {M.SERVER_CPU_PCT: 95}),  # nearest words win
    ("postgres primary at 95% cpu", {M.DB_CPU_PCT: 95}),
    ("redis cpu at 100%", {M.DB_CPU_PCT: 100}),  # a data store's CPU is the database's
    ("the elasticsearch nodes sit at 88% cpu", {M.DB_CPU_PCT: 88}),
    ("redis memory at 91%", {M.MEMORY_PCT: 91}),
])
def test_whose_cpu_a_share_is(text, metrics):
    assert read_text(text) == Reading(metrics)


@pytest.mark.parametrize(("text", "metrics"), [
    ("cpu hit 95% during the import", {M.SERVER_CPU_PCT: 95}),  # "hit" the verb
    ("the primary hits 100% cpu every night", {M.DB_CPU_PCT: 100}),
    ("redis hit 95% cpu", {M.DB_CPU_PCT: 95}),
    ("the cache hit ratio dropped to 62%", {M.CACHE_HIT_PCT: 62}),  # no packets dropped
    ("hit rate fell to 0.4", {M.CACHE_HIT_PCT: 40}),
    ("redis hits 95%", {M.CACHE_HIT_PCT: 95}),
    ("keyspace_hits: 90%", {M.CACHE_HIT_PCT: 90}),
    ("packets dropped 5%", {}),
])
def test_a_hit_rate_is_a_caches_and_hit_the_verb_is_not(text, metrics):
    """"CPU hits 100%" was read as a cache hit rate of 100%, and "hit ratio dropped to
    62%" as dropped packets."""
    assert read_text(text) == Reading(metrics)


@pytest.mark.parametrize(("text", "metrics"), [
    ("disk on the db primary is 95% full", {}),  # was the database's CPU
    ("memory is 95% full", {M.MEMORY_PCT: 95}),
    ("the connection pool is 95% full", {M.POOL_USED_PCT: 95}),
])
def test_a_share_full_is_no_cpu(text, metrics):
    assert read_text(text) == Reading(metrics)


PACE = "how fast it moves, not the share in use"


@pytest.mark.parametrize(("text", "reading"), [
    ("memory usage climbing 2% per hour", Reading({}, refused=(f"2% ({PACE})",))),
    ("memory 85%, climbing 2% per hour", Reading({M.MEMORY_PCT: 85}, refused=(f"2% ({PACE})",))),
    ("heap grows 3% a day", Reading({}, refused=(f"3% ({PACE})",))),
    ("cpu at 90% a day ago", Reading({M.SERVER_CPU_PCT: 90})),
    ("cpu 85% each day at noon", Reading({M.SERVER_CPU_PCT: 85})),
    ("traffic growing 20% a year", Reading({M.GROWTH_FACTOR: 1.2})),  # the guide's growth
    ("heap grows 3%", Reading({}, refused=("3% (how much it changed, not where it is now)",))),
])
def test_a_share_per_hour_is_its_pace_not_its_level(text, reading):
    """"memory usage climbing 2% per hour" read memory at 2%: a pace, said back."""
    assert read_text(text) == reading


MOVED = "how much it changed, not where it is now"


@pytest.mark.parametrize(("text", "reading"), [
    ("cpu up 20% since monday", Reading({}, refused=(f"20% ({MOVED})",))),
    ("db cpu went up by 30%", Reading({}, refused=(f"30% ({MOVED})",))),
    ("latency is up 300ms since the release", Reading({}, refused=(f"300ms ({MOVED})",))),
    ("p95 went up by 2s", Reading({}, refused=(f"2s ({MOVED})",))),
    ("p95 1.4s, down from 2s", Reading({M.P95_MS: 1400})),
    ("the node process eats up 100% of cpu", Reading({M.SERVER_CPU_PCT: 100})),  # a verb's
    ("the replica fell 40 minutes behind", Reading({M.REPLICA_LAG_S: 2400})),
    ("cpu went from 40% up to 90%", Reading({M.SERVER_CPU_PCT: 90})),  # "up to": the level
    ("cpu usage was 45% yesterday and 98% today", Reading({M.SERVER_CPU_PCT: 98})),
    ("p95 under 200ms is our slo", Reading({}, refused=("200ms (a target, not a reading)",))),
    ("SLO is 300ms, we are at 1.2s",  # the time after a target in its sentence is the reading
     Reading({M.P95_MS: 1200}, refused=("300ms (a target, not a reading)",))),
    ("replica lag target 5s, currently 40s",
     Reading({M.REPLICA_LAG_S: 40}, refused=("5s (a target, not a reading)",))),
    ("the job queue has 40k pending jobs and grows 5k/min",
     Reading({}, refused=(f"5k/min ({MOVED})",))),  # was a peak of 83 req/s
    ("users grew by 10k last month", Reading({}, refused=(f"10k ({MOVED})",))),
    ("we gained 5k users and now have 50k users",
     Reading({M.USERS: 50_000}, refused=(f"5k ({MOVED})",))),
    ("users went up to 50k", Reading({M.USERS: 50_000})),
    ("p95 doubled from 400ms", Reading({M.P95_MS: 800})),  # kept the 400 ms it came from
    ("cpu doubled from 40%", Reading({M.SERVER_CPU_PCT: 80})),
    ("latency tripled from 300ms to 900ms", Reading({M.P95_MS: 900})),
])
def test_a_change_or_a_target_is_not_the_level(text, reading):
    """"cpu up 20%" read a CPU at 20% (trouble read as health), "p95 under 200ms is our slo"
    a p95 of 200 ms, and "45% yesterday and 98% today" kept the 45%."""
    assert read_text(text) == reading


@pytest.mark.parametrize(("text", "metrics"), [
    ("queries average 45 ms, the slowest is 3.2 s", {M.SLOWEST_QUERY_MS: 3200}),  # was 45
    ("the slowest query takes 12 s", {M.SLOWEST_QUERY_MS: 12_000}),
    ("2.5M monthly actives", {M.USERS: 2_500_000}),  # was nothing
    ("50k DAUs", {M.USERS: 50_000}),
])
def test_the_slowest_query_wins_and_actives_are_users(text, metrics):
    assert read_text(text) == Reading(metrics)


@pytest.mark.parametrize(("text", "metrics"), [
    ("avg cpu 35%, peak 98%", {M.SERVER_CPU_PCT: 98}),  # was 35%, and 98% asked about
    ("cpu peak 98%, avg 35%", {M.SERVER_CPU_PCT: 98}),
    ("memory 70% (max 95%)", {M.MEMORY_PCT: 95}),
    ("db cpu 60%, peaking at 97%", {M.DB_CPU_PCT: 97}),
])
def test_a_shares_peak_said_bare_is_the_same_share(text, metrics):
    assert read_text(text) == Reading(metrics)


@pytest.mark.parametrize(("text", "reading"), [
    ("we do about 1.2k writes/s and 9k reads/s", Reading(
        {M.READS_RPS: 9000, M.READ_PCT: 88.24},
        notes=("9,000 reads/s of 10,200 reads and writes = 88.24% reads",))),
    ("9k reads/s, 1k writes/s, 80% reads", Reading({M.READS_RPS: 9000, M.READ_PCT: 80})),
    ("can one postgres take 5,000 writes a second?", Reading({})),  # a part, weighed by no line
])
def test_reads_and_writes_side_by_side_give_the_read_share(text, reading):
    assert read_text(text) == reading


@pytest.mark.parametrize(("text", "reading"), [
    ("we're at 3.5k rps and growing 20% month over month", Reading(
        {M.PEAK_RPS: 3500, M.GROWTH_FACTOR: 8.916},
        notes=("20% compounded 12 times is 8.916x in 12 months",))),  # was 1.2x
    ("traffic grows 10% a month", Reading(
        {M.GROWTH_FACTOR: 3.138}, notes=("10% compounded 12 times is 3.138x in 12 months",))),
    ("users growing 15% QoQ", Reading(
        {M.GROWTH_FACTOR: 1.749}, notes=("15% compounded 4 times is 1.749x in 12 months",))),
    ("growth of 50% per year", Reading({M.GROWTH_FACTOR: 1.5})),
])
def test_growth_per_month_is_compounded_to_the_guides_year(text, reading):
    """The guide's growth factor is over 12 months: 20% a month was taken as 1.2x."""
    assert read_text(text) == reading


@pytest.mark.parametrize(("text", "metrics"), [
    ("connection pool size is 10 and we have 40 threads", {}),  # worker threads
    ("16 cpu threads", {M.CORES: 16}),
    ("8 vcpus", {M.CORES: 8}),
    ("the worker pins one core", {}),  # CPU in use, not the machine's size
    ("the resize step eats up all 4 cores", {}),
    ("16 cores and 4 spinning disks", {M.CORES: 16, M.SPINDLES: 4}),
    ("at peak we see 12k concurrent websocket connections", {}),  # was 12,000 users
    ("12k concurrent users", {M.USERS: 12_000}),
    ("at peak 40 pods", {}),  # a count of pods, no rate
    ("our peak is 2000", {M.PEAK_RPS: 2000}),
])
def test_cores_are_a_machines_size_not_threads_or_cpu_in_use(text, metrics):
    assert read_text(text).metrics == metrics


def tail_taken(metrics: dict, label: str) -> Reading:
    """The reading, with the note that its p95 was said as another percentile."""
    ms = f"{metrics[M.P95_MS]:,.0f}"
    runs = "higher" if label == "p90" else "lower"
    return Reading(metrics, (), (f"{ms} ms is the {label}, taken as the p95; the p95 runs "
                                 f"{runs}, so give it if you know it",))


def as_reading(expected: dict | Reading) -> Reading:
    return expected if isinstance(expected, Reading) else Reading(expected)


@pytest.mark.parametrize(("text", "metrics"), [
    ("latency_p99_seconds 2.3", tail_taken({M.P95_MS: 2300}, "p99")),
    ('http_request_duration_seconds{quantile="0.99"} 2.3 on checkout',
     tail_taken({M.P95_MS: 2300}, "p99")),
    ('http_request_duration_seconds{quantile="0.5"} 0.18', {}),  # a median is no tail
    ("api.latency.ms: 850 and db cpu 90%", {M.P95_MS: 850, M.DB_CPU_PCT: 90}),
    ('checkout_latency_seconds_bucket{le="2.5"} 1234', {}),  # counts, not times
    ('checkout_latency_seconds{le="2.5"} 1234', {}),
])
def test_a_time_whose_unit_is_in_the_metrics_name(text, metrics):
    assert read_text(text) == as_reading(metrics)


@pytest.mark.parametrize(("text", "metrics"), [
    ("the checkout request took 2m 30s", {M.P95_MS: 150_000}),
    ("p95 went from 900ms to 1m5s", {M.P95_MS: 65_000}),
    ("replica lag 1h 30m", {M.REPLICA_LAG_S: 5_400}),
    ("p95 1m30.5s", {M.P95_MS: 90_500}),
])
def test_a_time_in_two_units_is_one_time(text, metrics):
    assert read_text(text) == Reading(metrics)


@pytest.mark.parametrize(("text", "metrics"), [
    ("max_connections = 100 and we have 97 active", {M.POOL_USED_PCT: 97}),
    ("pool size 20, 20 in use, 35 waiting", {M.POOL_USED_PCT: 100}),
    ("postgres max_connections is 500, 480 connections active", {M.POOL_USED_PCT: 96}),
    ("we have 97 active users and max_connections 100", {M.USERS: 97}),  # people, not a pool
    ("max pool size 50 but 200 active requests", {}),  # more in use than the pool holds
    ("connections to postgres are maxed, 500 of 500", {M.POOL_USED_PCT: 100}),  # same sentence
    ("we moved connections to pgbouncer and 3 of 4 services use it", {}),  # services counted
    ("the pool. Later 3 of 4 nodes went down", {}),
])
def test_a_pool_in_use_said_in_words(text, metrics):
    assert read_text(text) == Reading(metrics)


TOP = """top - 10:01:02 up 12 days,  3:04,  1 user,  load average: 31.02, 28.44, 20.10
Tasks: 312 total,   9 running, 303 sleeping,   0 stopped,   0 zombie
%Cpu(s): 97.3 us,  1.2 sy,  0.0 ni,  1.5 id,  0.0 wa,  0.0 hi,  0.0 si,  0.0 st
MiB Mem :  15890.0 total,    212.4 free,  15001.2 used,    676.4 buff/cache
MiB Swap:   2048.0 total,      0.0 free,   2048.0 used.    320.1 avail Mem"""
FREE = """              total        used        free      shared  buff/cache   available
Mem:          16000       15200         180          12         620         320
Swap:          2047        2047           0"""
FREE_H = """               total        used        free      shared  buff/cache   available
Mem:            16Gi        12Gi       180Mi        12Mi       3.5Gi       3.9Gi"""


KUBECTL_TOP_NODE = """NAME           CPU(cores)   CPU%   MEMORY(bytes)   MEMORY%
node-1         1200m        30%    9000Mi          56%
node-2         3800m        95%    14000Mi         88%"""
VMSTAT = """procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu-----
 r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st
 1  0      0 180424  33412 334416    0    0     5    20  300  500 10  2 88  0  0
12  0      0 180424  33412 334416    0    0     5    20 2100 4100 80  6  4 10  0"""
MPSTAT = """08:00:01 AM  CPU    %usr   %nice    %sys %iowait    %irq   %soft  %steal  %idle
08:00:02 AM  all   85.00    0.00   10.00    1.00    0.00    1.00    0.00    3.00
08:00:02 AM    0   99.00    0.00    1.00    0.00    0.00    0.00    0.00    0.00"""


DOCKER_STATS = (
    "CONTAINER ID   NAME     CPU %     MEM USAGE / LIMIT   MEM %     NET I/O        PIDS\n"
    "3f2a1b9c8d7e   api      199.50%   1.9GiB / 2GiB       95.10%    1.2MB / 3.4MB  42\n"
    "9a8b7c6d5e4f   worker   12.00%    300MiB / 1GiB       29.30%    10kB / 20kB    8")


@pytest.mark.parametrize(("text", "metrics"), [
    (TOP, {M.SERVER_CPU_PCT: 98.5, M.MEMORY_PCT: 94.4}),
    ("Cpu(s): 60.0%us,  5.0%sy,  0.0%ni,  5.0%id, 30.0%wa,  0.0%hi,  0.0%si,  0.0%st",
     {M.SERVER_CPU_PCT: 65}),  # waiting on the disk is not CPU work
    ("CPU:  97% usr   1% sys   0% nic   1% idle   0% io   0% irq   0% sirq",
     {M.SERVER_CPU_PCT: 99}),
    ("CPU usage: 70.5% user, 12.0% sys, 17.5% idle", {M.SERVER_CPU_PCT: 82.5}),
    ("top on the postgres primary: %Cpu(s): 88.0 us, 2.0 sy, 0.0 ni, 10.0 id, 0.0 wa",
     {M.DB_CPU_PCT: 90}),
    (FREE, {M.MEMORY_PCT: 95}),
    (FREE_H, {M.MEMORY_PCT: 75}),
    # the older form counts the page cache as used: no share of it is a reading
    ("Mem:  16314972k total, 15800132k used,   180424k free,   334416k buffers", {}),
    ("Threads_connected\t150\nmax_connections\t200", {M.POOL_USED_PCT: 75}),
    ("| Threads_connected | 190 |\n| max_connections   | 200 |", {M.POOL_USED_PCT: 95}),
    ("cpu: 12 cores, 2 sockets", {M.CORES: 12}),  # no idle figure: not a CPU line
    (KUBECTL_TOP_NODE, {M.SERVER_CPU_PCT: 95, M.MEMORY_PCT: 88}),  # the busiest node
    (VMSTAT, {M.SERVER_CPU_PCT: 86}),  # the last sample, less idle and I/O wait
    (MPSTAT, {M.SERVER_CPU_PCT: 96}),  # all CPUs, not one
    ("NAME  CPU(cores)  MEMORY(bytes)\napi-7d9f  1980m  1890Mi", {}),  # no share to read
    (DOCKER_STATS, {M.MEMORY_PCT: 95.1}),  # the fullest container; its CPU % counts cores
    ("\n".join(" ".join(line.split()) for line in DOCKER_STATS.splitlines()),
     {M.MEMORY_PCT: 95.1}),  # as a Slack mention has it, runs of spaces made one
])
def test_what_host_tools_print(text, metrics):
    assert read_text(text) == Reading(metrics)


K6 = """    http_req_duration......: avg=1.2s  min=80ms  med=900ms  max=9.1s  p(90)=2.3s  p(95)=3.1s
    http_reqs......................: 48000   400.05/s"""
WRK = """Running 30s test @ http://10.0.0.5:8080/
  12 threads and 400 connections
  Latency Distribution
     50%  512.00ms
     90%    1.21s
     99%    2.40s
Requests/sec:    626.59"""
AB = """Requests per second:    1234.56 [#/sec] (mean)
Time per request:       81.000 [ms] (mean)
Percentage of the requests served within a certain time (ms)
  50%     81
  95%    300
  99%    900
 100%   1200 (longest request)"""
HEY = """Latency distribution:
  10% in 0.0412 secs
  95% in 0.2033 secs
  99% in 0.3011 secs"""


@pytest.mark.parametrize(("text", "metrics"), [
    (K6, {M.P95_MS: 3100, M.PEAK_RPS: 400.05}),
    # the first tail; wrk's threads are no cores
    (WRK, tail_taken({M.P95_MS: 1210, M.PEAK_RPS: 626.59}, "p90")),
    (AB, {M.PEAK_RPS: 1234.56, M.P95_MS: 300}),
    (HEY, {M.P95_MS: 203.3}),
])
def test_what_load_generators_print(text, metrics):
    assert read_text(text) == as_reading(metrics)


def test_wrks_thread_stats_are_its_average_once():
    stats = ("  Thread Stats   Avg      Stdev     Max   +/- Stdev\n"
             "    Latency   635.91ms  410.86ms   2.00s    68.25%\n"
             "    Req/Sec    52.30     31.53   250.00     71.00%\n"
             "Requests/sec:    626.59")
    assert read_text(stats) == Reading({M.P95_MS: 635.91, M.PEAK_RPS: 626.59})


@pytest.mark.parametrize(("text", "metrics"), [
    ("p50 100ms p90 300ms p95 500ms p99 900ms", {M.P95_MS: 500}),  # the p95 itself
    ("p99 2s, p95 500ms", {M.P95_MS: 500}),
    ("average latency 200ms, p99 2s", tail_taken({M.P95_MS: 2000}, "p99")),  # a tail first
    ("p90 300ms p99 900ms", tail_taken({M.P95_MS: 300}, "p90")),  # no p95: the first tail
    ("p95 went from 300ms to 2.4s, p99 5s", {M.P95_MS: 2400}),
])
def test_the_p95_itself_wins_over_other_times(text, metrics):
    assert read_text(text) == as_reading(metrics)


AVERAGE = "{} ms is an average, taken as the p95; the p95 runs higher, so give it if you know it"


@pytest.mark.parametrize(("text", "reading"), [
    ("average latency 1.2s", Reading({M.P95_MS: 1200}, (), (AVERAGE.format("1,200"),))),
    ("latency avg=635.91ms", Reading({M.P95_MS: 635.91}, (), (AVERAGE.format("635.91"),))),
    ("avg response time 800ms, p99 2s", tail_taken({M.P95_MS: 2000}, "p99")),  # a tail won
    ("p95 800ms, avg 800ms", Reading({M.P95_MS: 800})),
    # The later value of a change is said as the first was.
    ("average latency went from 200ms to 900ms",
     Reading({M.P95_MS: 900}, (), (AVERAGE.format("900"),))),
    ("p99 went from 1s to 3s", tail_taken({M.P95_MS: 3000}, "p99")),
    ("p99.9 is 1.9s", tail_taken({M.P95_MS: 1900}, "p99.9")),
    ("p95 went from 300ms to 2.4s, p99 5s", Reading({M.P95_MS: 2400})),
])
def test_an_average_or_another_percentile_taken_as_the_p95_says_so(text, reading):
    assert read_text(text) == reading


def test_a_number_at_the_end_of_a_line_takes_no_unit_from_the_next():
    assert read_text("p95 800\nms are what the dashboard shows") == Reading({M.P95_MS: 800})
    assert read_text("p95 300\np99 900") == Reading({M.P95_MS: 300})


ALARM = """ALARM: "orders-db-cpu" in EU (Ireland)
Threshold Crossed: 3 out of the last 3 datapoints [97.1 (29/11/26 06:00:00), 96.4 (29/11/26 \
05:55:00)] was greater than the threshold (80.0) (minimum 3 datapoints for OK -> ALARM \
transition)."""
RDS_ALARM = """NewStateReason: Threshold Crossed: 1 out of the last 1 datapoints [93.0 (29/11/26 \
06:00:00)] was greater than the threshold (80.0)
MetricName: CPUUtilization
Namespace: AWS/RDS
Dimensions: [DBInstanceIdentifier = orders-primary]"""
ECS_ALARM = ('{"AlarmName":"api-mem","NewStateReason":"Threshold Crossed: 1 out of the last 1 '
             'datapoints [96.5 (29/11/26 06:00:00)] was greater than the threshold (90.0)",'
             '"Trigger":{"MetricName":"MemoryUtilization","Namespace":"AWS/ECS"}}')


@pytest.mark.parametrize(("text", "metrics"), [
    (ALARM, {M.DB_CPU_PCT: 97.1}),  # the newest datapoint; the alarm's name says whose
    (RDS_ALARM, {M.DB_CPU_PCT: 93}),
    (ECS_ALARM, {M.MEMORY_PCT: 96.5}),
    (ALARM.replace("orders-db-cpu", "web-asg-high-cpu"), {M.SERVER_CPU_PCT: 97.1}),
    (ALARM.replace("orders-db-cpu", "queue-depth"), {}),  # a count of what: not a share
])
def test_what_a_cloudwatch_alarm_reports(text, metrics):
    assert read_text(text) == Reading(metrics)


@pytest.mark.parametrize(("text", "metrics"), [
    ("summary: Instance web-2 CPU usage is above 90% (current value: 97.4)",
     {M.SERVER_CPU_PCT: 97.4}),  # the value, not the threshold
    ("description: PostgreSQL instance has too many connections (> 80%).\n  VALUE = 93.5",
     {M.POOL_USED_PCT: 93.5}),
    ("CPU load is > 80%\n  VALUE = 97.2\n  LABELS = map[instance:node-1:9100]",
     {M.SERVER_CPU_PCT: 97.2}),
    ("Readiness probe failed 3m (x12 over 10m)", {}),  # repeats of an event, no growth
    ("[P1] Triggered: Avg CPU usage by host is above 90.0 on host:web-7. Current value: 97.3",
     {M.SERVER_CPU_PCT: 97.3}),  # the value, a share as the alert is about CPU
    ("error rate 12.5% over threshold 5%", {}),  # no metric of ours; the limit is no reading
    ("PagerDuty: [P1] checkout 5xx error rate 8.2% > 2%", {}),  # the line is no share of what
    ("timeouts on 30% of requests to the payment gateway", {}),  # an error share, not asked
    ("30% of requests time out", {}),
    ("we are at 95% of our rate limit on the mail api", {}),  # a quota's share
    ("cpu 95% timeouts everywhere", {M.SERVER_CPU_PCT: 95}),
    ("checkout p99 latency is 2.41 s, above the threshold of 1 s.",
     tail_taken({M.P95_MS: 2410}, "p99")),
    ("Alert: web tier memory utilization high (value: 91.2%, threshold: 85%)",
     {M.MEMORY_PCT: 91.2}),
    ("description: Memory usage on node-3 is 93.2%", {M.MEMORY_PCT: 93.2}),
    ("disk usage on node-3 is 93%", {}),
    ("network utilization at 85%", {}),  # no metric of ours, and not the CPU
    ("gpu usage 90%", {}),
    ("db connection usage on the primary is 97%", {M.POOL_USED_PCT: 97}),
    ("memory usage is fine but cpu usage on web-1 is 95%", {M.SERVER_CPU_PCT: 95}),
])
def test_what_alert_rules_print(text, metrics):
    assert read_text(text) == as_reading(metrics)


@pytest.mark.parametrize(("text", "metrics"), [
    ("# Query_time: 12.345678  Lock_time: 0.000123 Rows_sent: 1  Rows_examined: 9876543",
     {M.SLOWEST_QUERY_MS: 12345.678}),
    ("Seconds_Behind_Master: 3600", {M.REPLICA_LAG_S: 3600}),
    ("| Seconds_Behind_Source | 45 |", {M.REPLICA_LAG_S: 45}),
    ("keyspace_hits:1200\nkeyspace_misses:800", {M.CACHE_HIT_PCT: 60}),
    ("keyspace_hits:0\nkeyspace_misses:0", {}),
    ("pgbouncer: cl_active=200 cl_waiting=150 sv_active=20 sv_idle=0 maxwait=12",
     {M.POOL_USED_PCT: 100}),
    ("prod=> select count(*) from pg_stat_activity;\n count\n-------\n   480\n(1 row)\n\n"
     "prod=> show max_connections;\n max_connections\n-----------------\n 500\n(1 row)",
     {M.POOL_USED_PCT: 96}),  # psql's answers: in use of the limit
    (" count\n-------\n   480\n(1 row)", {}),  # a count of what: not said
    (" database | user | cl_active | cl_waiting | sv_active | sv_idle | sv_used | maxwait\n"
     " app      | app  |       200 |        150 |        15 |       5 |       0 |      12\n"
     " web      | web  |        10 |          0 |         4 |      16 |       0 |       0",
     {M.POOL_USED_PCT: 75}),  # SHOW POOLS: the fullest pool
    ("ReadIOPS 3000 WriteLatency 25ms", {}),  # the disk's time, not a request's
    ("fsync latency 2s and p95 800ms", {M.P95_MS: 800}),
])
def test_what_databases_print_about_themselves(text, metrics):
    assert read_text(text) == Reading(metrics)


@pytest.mark.parametrize(("text", "metrics"), [
    ("we expect traffic to double next quarter", {M.GROWTH_FACTOR: 2}),
    ("users will triple by summer", {M.GROWTH_FACTOR: 3}),
    ("traffic will double or even quadruple next year", {M.GROWTH_FACTOR: 4}),  # upper end
    ("we plan to grow tenfold next year", {M.GROWTH_FACTOR: 10}),
    ("traffic doubled overnight", {}),  # already in today's figures
    ("we expect to double check the config", {}),
    ("this will double the cost of the cluster", {}),  # "double the X": X may be anything
])
def test_growth_to_come_said_in_a_word(text, metrics):
    assert read_text(text) == Reading(metrics)


PAST = ("growth that already happened is in today's figures; say the growth you expect, "
        "e.g. 'expect 2x next year'")


@pytest.mark.parametrize(("text", "reading"), [
    ("traffic grew 4 times since march", Reading({}, (f"4 times ({PAST})",))),
    ("10x more users since launch", Reading({}, (f"10x ({PAST})",))),
    ("we grew 3x last year and expect another 2x",
     Reading({M.GROWTH_FACTOR: 2}, (f"3x ({PAST})",))),
    ("traffic will grow 3x by spring", Reading({M.GROWTH_FACTOR: 3})),
    ("10x more users", Reading({M.GROWTH_FACTOR: 10})),  # nothing says when: taken as to come
])
def test_growth_that_already_happened_is_said_back(text, reading):
    assert read_text(text) == reading


@pytest.mark.parametrize(("text", "metrics"), [
    ("rps 3000 cpu 90% mem 80% p95 1.2s",
     {M.PEAK_RPS: 3000, M.SERVER_CPU_PCT: 90, M.MEMORY_PCT: 80, M.P95_MS: 1200}),
    ("peak 3000 memory 85%", {M.PEAK_RPS: 3000, M.MEMORY_PCT: 85}),
    ("users 50000 p95 2s", {M.USERS: 50000, M.P95_MS: 2000}),
    ("connections 480 cpu 90%", {M.SERVER_CPU_PCT: 90}),  # not 480 cores
    ("8 cores 32 GB", {M.CORES: 8}),  # no label first: the word after is the unit
    ("the app servers cpu 90% network 40%", {M.SERVER_CPU_PCT: 90}),
    ("cpu 90% disk 40%", {M.SERVER_CPU_PCT: 90}),  # the next label is no subject of 90%
    ("we have 3000 users 90% cpu", {M.USERS: 3000, M.SERVER_CPU_PCT: 90}),
])
def test_labels_each_before_its_value(text, metrics):
    assert read_text(text) == Reading(metrics)


def test_at_least_keeps_its_unit():
    assert read_text("the dashboard takes 30+ seconds to load") == Reading({M.P95_MS: 30_000})
    assert read_text("40k+ users, 3k+ rps") == Reading({M.USERS: 40_000, M.PEAK_RPS: 3_000})


def test_a_count_per_day_is_read_as_an_average_and_said_so():
    average = ("10,000,000 per day is 115.741 per second on average; the busiest hour runs "
               "higher, so give the peak if you know it")
    assert read_text("we get 10 million requests a day") == Reading(
        {M.PEAK_RPS: 10_000_000 / 86400}, (), (average,))
    assert parse_quantity("10M/day", M.PEAK_RPS) == Parsed(115.740740741, average)
    assert read_text("peak 60k/min") == Reading(  # a peak needs no warning, only its unit
        {M.PEAK_RPS: 1000}, (), ("60,000 per minute = 1,000 per second",))
    assert read_text("peak 3k rps") == Reading({M.PEAK_RPS: 3000})  # per second already
    assert read_line({M.PEAK_RPS: 115.741}, notes=(average,)) == (
        f"Read: peak 115.741 req/s. ({average}.)")


@pytest.mark.parametrize(("text", "metric", "value"), [
    ("ninety percent", M.DB_CPU_PCT, 90),
    ("ninety-five per cent", M.SERVER_CPU_PCT, 95),
    ("fifty thousand", M.USERS, 50_000),
    ("Forty Thousand users", M.USERS, 40_000),
    ("half a million", M.USERS, 500_000),
    ("a million", M.USERS, 1_000_000),
    ("15 lakh", M.USERS, 1_500_000),
    ("15 hundred", M.USERS, 1_500),
    ("1,2 s", M.P95_MS, 1_200),
    ("40 gigs", M.WORKING_SET_GB, 40),
    ("500 megabytes", M.WORKING_SET_GB, 0.5),
    ("fifteen hundred", M.USERS, 1_500),
    ("twenty five hundred", M.USERS, 2_500),
    ("1 crore", M.USERS, 10_000_000),
    ("two hundred and fifty ms", M.P95_MS, 250),
    ("two seconds", M.P95_MS, 2000),
    ("three times", M.GROWTH_FACTOR, 3),
    ("double", M.GROWTH_FACTOR, 2),
    ("it will triple", M.GROWTH_FACTOR, 3),
    ("tenfold", M.GROWTH_FACTOR, 10),
    ("twelve", M.QUERIES_PER_REQUEST, 12),
])
def test_numbers_written_in_words_are_read(text, metric, value):
    assert parse_quantity(text, metric).value == value


@pytest.mark.parametrize(("text", "refused"), [
    ("db cpu 150%", "150% (database CPU is a share, so at most 100%)"),
    ("p95 -5s", "-5s (P95 response time cannot be negative)"),
    ("1e400 users", "1e400 users (users must be a finite number)"),
    ("p95 1e309", "1e309 (P95 response time must be a finite number)"),  # bare, no unit
    ("replica lag 99999 hours", "99999 hours (replica lag that high is beyond any real system)"),
    ("1.5 cores", "1.5 cores (CPU cores is a whole number)"),
    ("0 cores", "0 cores (CPU cores is at least 1)"),
])
def test_free_text_says_back_a_value_no_system_has(text, refused):
    reading = read_text(f"{text} and 50k users")
    assert (reading.metrics, reading.refused) == ({M.USERS: 50_000}, (refused,))


def test_two_growth_words_are_a_range():
    assert parse_quantity("double or even triple", M.GROWTH_FACTOR) == Parsed(
        3, "took 3x, the upper end of 'double or even triple'")
    with pytest.raises(ParseError):
        parse_quantity("double and triple", M.GROWTH_FACTOR)


@pytest.mark.parametrize("text", ["one two three", "twenty twenty", "a few thousand"])
def test_words_that_are_not_one_number_are_refused(text):
    with pytest.raises(ParseError):
        parse_number(text)


def test_read_line_echoes_every_number_with_its_unit():
    metrics = extract_metrics("p95 went from 300ms to 2.4s, 40 thousnad users, db cpu 85%")
    assert read_line(metrics) == "Read: p95 2,400 ms, users 40,000, db cpu 85%."
    assert read_line({M.PEAK_RPS: 1000, M.WORKING_SET_GB: 10, M.GROWTH_FACTOR: 3,
                      M.REPLICA_LAG_S: 2}) == (
        "Read: peak 1,000 req/s, working set 10 GB, growth 3x, replica lag 2 s.")
    assert read_line({}) == ""


# --- properties ------------------------------------------------------------------------

ONES = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def spelled(n: int, joiner: str) -> str:
    """English words for 1..999, the way a test would write them by hand."""
    hundreds, rest = divmod(n, 100)
    head = f"{ONES[hundreds]} hundred" if hundreds else ""
    if rest < 10:
        tail = ONES[rest]
    elif rest < 20:
        tail = TEENS[rest - 10]
    else:
        tail = TENS[rest // 10] + (joiner + ONES[rest % 10] if rest % 10 else "")
    return " ".join(part for part in (head, tail) if part)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=999), st.sampled_from(["-", " "]),
       st.sampled_from([("", 1), (" thousand", 1e3), (" million", 1e6)]))
def test_any_number_in_words_reads_as_its_digits(number, joiner, mult):
    word, factor = mult
    assert parse_number(spelled(number, joiner) + word).value == number * factor
    if number <= 100:
        assert parse_quantity(f"{spelled(number, joiner)} percent", M.MEMORY_PCT).value == number


RATE_SPELLINGS = {
    "/s": 1, "/sec": 1, "/second": 1, " rps": 1, " qps": 1, " req/s": 1, " reqs/sec": 1,
    " requests per second": 1, "/min": 60, "/minute": 60, " rpm": 60,
    " requests per minute": 60, "/h": 3600, "/hr": 3600, "/hour": 3600,
}
MULTIPLIERS = {"": 1, "k": 1e3, "K": 1e3, "M": 1e6, " thousand": 1e3, " million": 1e6}
VALUES = st.decimals(min_value="0.01", max_value="9999", places=2).map(
    lambda d: format(d.normalize(), "f"))


@settings(max_examples=400, deadline=None)
@given(VALUES, st.sampled_from(sorted(MULTIPLIERS)), st.sampled_from(sorted(RATE_SPELLINGS)))
def test_any_rate_spelling_reads_back_its_value_per_second(number, mult, unit):
    per = RATE_SPELLINGS[unit]
    expected = float(number) * MULTIPLIERS[mult] / per
    text = f"{number}{mult}{unit}"
    try:
        parsed = parse_quantity(text, M.PEAK_RPS)
    except ParseError as err:  # only the metric's bounds may refuse it
        assert "beyond any real system" in str(err)
        return
    assert parsed.value == pytest.approx(expected, rel=1e-9), text


@settings(max_examples=200, deadline=None)
@given(VALUES.filter(lambda n: float(n) < 1000), st.sampled_from(["k", "K", "M", " thousand",
                                                                  " million"]))
def test_per_minute_is_per_second_times_sixty(number, mult):
    per_second = parse_quantity(f"{number}{mult}/s", M.PEAK_RPS).value
    per_minute = parse_quantity(f"{number}{mult}/min", M.PEAK_RPS).value
    assert per_minute * 60 == pytest.approx(per_second, rel=1e-9)


@settings(max_examples=300, deadline=None)
@given(VALUES, st.sampled_from(["k", "K", "M", "m", "B", " thousand", " million"]),
       st.sampled_from(["", "/s", " rps", " users", " reads/s"]))
def test_a_multiplier_is_never_dropped(number, mult, unit):
    metric = M.USERS if unit == " users" else M.READS_RPS
    try:
        value = parse_quantity(f"{number}{mult}{unit}", metric).value
    except ParseError:
        return  # out of bounds, or not a whole number of users: refused, never misread
    assert value >= float(number) * 1000 * (1 - 1e-9)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="0123456789.,/kKmMsx%-> tohusandrplq", max_size=30),
       st.sampled_from(sorted(METRIC_SPECS)))
def test_number_like_text_raises_only_parse_error(text, metric):
    try:
        parse_quantity(text, metric)
    except ParseError:
        pass
    read_text(text)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(METRIC_SPECS)), st.floats(min_value=0, max_value=1e5))
@example(M.QUERIES_PER_REQUEST, 0.375).via("a leading zero groups no thousands")
@example(M.PEAK_RPS, 1.375).via("three decimals after one dot could be thousands")
def test_echo_text_of_a_value_reads_back(metric, value):
    from conversations.dialog import quantity_text

    spec = METRIC_SPECS[metric]
    value = max(spec.minimum, min(spec.maximum, round(value, 3)))
    if spec.integer:
        value = float(round(value))
    assert parse_quantity(quantity_text(value, metric), metric).value == pytest.approx(value)


ORDINARY_WORDS = {"mullion", "mullions", "bullion", "bullions", "pillion", "pillions"}


def _one_slip(word: str, kind: int, at: int, letter: str) -> str:
    at %= len(word)
    if kind == 0:
        return word[:at] + word[at + 1:]  # a letter left out
    if kind == 1 and at < len(word) - 1:
        return word[:at] + word[at + 1] + word[at] + word[at + 2:]  # two letters swapped
    return word[:at] + letter + word[at + 1:]  # a wrong letter


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=1, max_value=999),
       st.sampled_from(["thousand", "million", "billion", "thousands", "millions"]),
       st.integers(0, 2), st.integers(1, 20), st.sampled_from("abcdeilmnostuz"))
def test_a_misspelt_number_word_is_never_read_as_the_bare_number(number, word, kind, at, letter):
    slipped = _one_slip(word, kind, at, letter)
    if slipped in ORDINARY_WORDS:
        return  # a real word one slip from a number word ("1 mullion") is not a number
    try:
        value = parse_quantity(f"{number} {slipped}", M.PEAK_RPS).value
    except ParseError:
        return  # refused with a message: allowed
    assert value in {number * 1e3, number * 1e6, number * 1e9}, slipped


# Letters that equal an ASCII one only when case is ignored: the long s, the dotless i and
# the Kelvin sign. A number word spelt with one is not read, and nothing raises.
@pytest.mark.parametrize("text", [
    "\u017fix cores", "f\u0131ve thousand users", "t\u0131mes \u212aelvin"])
def test_a_number_word_in_lookalike_letters_reads_nothing_and_never_raises(text):
    assert read_text(text) == Reading({})
    assert match(text).metrics == {}


def test_a_multiplier_in_lookalike_letters_is_said_back_like_any_misspelling():
    refused = read_text("a b\u0131ll\u0131on rps").refused
    assert len(refused) == 1 and "did you mean billion?" in refused[0]


@pytest.mark.parametrize(("text", "metrics"), [
    ("5xx at 3%", {}),
    ("5xx rate 3%", {}),
    ("HTTP 502s at 2%", {}),
    ("4xx errors 10%", {}),
    ("we see 502s at 2%", {}),
    ("HTTP 503 at 4%", {}),
    ("HTTP/1.1 503 at 4%", {}),
    ("5XX's at 3%", {}),
    ("3% of requests return 502", {}),
    ("we see 500s at 2%", {}),
    ("status=429 at 3% and cpu 80%", {M.SERVER_CPU_PCT: 80}),
    ("5xx at 3% and db cpu 90%", {M.DB_CPU_PCT: 90}),
    ("502 bad gateway on 2% of requests, db cpu 91%", {M.DB_CPU_PCT: 91}),
    ("500 errors per minute with 40k users", {M.USERS: 40_000}),
    ("p95 400ms and 502s at 2%", {M.P95_MS: 400}),
    ("slowest query 500s", {M.SLOWEST_QUERY_MS: 500_000}),  # no word of HTTP: seconds
    ("we serve 500 rps", {M.PEAK_RPS: 500}),
])
def test_a_status_code_is_a_name_not_a_number(text, metrics):
    assert read_text(text) == Reading(metrics)


@pytest.mark.parametrize(("text", "metric"), [
    ("5xx", M.USERS), ("502s", M.PEAK_RPS), ("HTTP 503", M.USERS)])
def test_a_status_code_is_no_answer_to_a_number_question(text, metric):
    with pytest.raises(ParseError) as err:
        parse_quantity(text, metric)
    expected = {M.USERS: "a number such as 50k, 1.2M or 1,200,000",
                M.PEAK_RPS: "a rate such as 2k rps or 450"}[metric]
    assert str(err.value) == (f"Expected {expected}; '{text}' names HTTP status codes, "
                              "not a quantity.")


def test_a_named_value_that_cannot_be_read_is_refused_not_guessed():
    reading = read_text("working_set=10 and db_cpu=lots")
    assert reading.metrics == {}
    assert reading.refused == (
        "working_set=10 (10 MB or 10 GB? Give the unit, e.g. 10 GB.)",
        "db_cpu=lots (Expected a share such as 92% or 0.92.)",
    )


def test_a_bare_number_under_a_full_name_takes_the_unit_the_name_says():
    """`p95_ms`, `replica_lag_s`, `working_set_gb` name their unit; a short name does not."""
    reading = read_text("p95_ms=1.2 replica_lag_s=30 working_set_gb=10 slowest_query_ms=40 "
                        "p95=1.2")
    assert reading.metrics == {M.P95_MS: 1.2, M.REPLICA_LAG_S: 30, M.WORKING_SET_GB: 10,
                               M.SLOWEST_QUERY_MS: 40}
    assert reading.notes == ("p95_ms=1.2 read in ms, the unit its name says",
                             "replica_lag_s=30 read in s, the unit its name says",
                             "working_set_gb=10 read in GB, the unit its name says",
                             "slowest_query_ms=40 read in ms, the unit its name says")
    assert reading.refused == ("p95 1.2 (1.2 ms or 1.2 s?)",)
    said = read_text("p95_ms=1.2s replica_lag_s=500ms p95_ms=900")  # a unit typed wins
    assert (said.metrics, said.notes) == ({M.P95_MS: 1200, M.REPLICA_LAG_S: 0.5}, ())


@pytest.mark.parametrize(("text", "metrics"), [
    ("peak_rps=1,200, db_cpu=90%", {M.PEAK_RPS: 1200, M.DB_CPU_PCT: 90}),
    ("users=1,200,000; p95_ms=1,2", {M.USERS: 1_200_000, M.P95_MS: 1.2}),
    ("p95_ms=300,db_cpu_pct=90", {M.P95_MS: 300, M.DB_CPU_PCT: 90}),
])
def test_a_named_value_keeps_its_digit_groups(text, metrics):
    """`peak_rps=1,200` was read as 1 req/s: the comma grouping thousands ended the value."""
    assert read_text(text).metrics == metrics


@pytest.mark.parametrize(("text", "metrics", "refused"), [
    ("replica lag 30", {}, ("replica lag 30 (30 ms or 30 s?)",)),
    ("lag=30", {}, ("replica lag 30 (30 ms or 30 s?)",)),
    ("replication lag is 0.5", {M.REPLICA_LAG_S: 0.5}, ()),
    ("slowest query 40", {}, ("slowest query 40 (40 ms or 40 s?)",)),
    ("slowest query took 4500", {M.SLOWEST_QUERY_MS: 4500}, ()),
    ("the replica lag was 12, p95 900", {M.P95_MS: 900}, ("replica lag 12 (12 ms or 12 s?)",)),
    ("consumer lag 3000", {}, ()),  # a consumer's lag counts messages
])
def test_a_bare_lag_or_query_time_is_read_or_asked_back_never_dropped(text, metrics, refused):
    reading = read_text(text)
    assert (reading.metrics, reading.refused) == (metrics, refused)


def test_a_bare_latency_change_too_small_to_tell_ms_from_s_is_asked_back():
    assert read_text("p95 went from 1.2 to 1.5").refused == (
        "p95 1.5 (1.5 ms or 1.5 s?)",)


def test_a_share_of_nothing_named_is_said_back_not_taken_for_the_servers_cpu():
    unnamed = "(a share of what? Say, e.g., cpu or memory before it)"
    reading = read_text("checkout is at 95% and db cpu 40%")
    assert (reading.metrics, reading.refused) == ({M.DB_CPU_PCT: 40}, (f"95% {unnamed}",))
    # A change names the later value by the first; machines at a share are their CPU.
    assert read_text("db cpu 40% before the deploy, 95%").metrics == {M.DB_CPU_PCT: 95}
    assert read_text("was 40%, now 95%").refused == (f"40% {unnamed}", f"95% {unnamed}")
    assert read_text("the api pods are at 97%").metrics == {M.SERVER_CPU_PCT: 97}


@pytest.mark.parametrize(("text", "metric", "error"), [
    ("300ms", M.PEAK_RPS, "Expected a rate such as 2k rps or 450; 300ms is a time."),
    ("1.2 s", M.PEAK_RPS, "Expected a rate such as 2k rps or 450; 1.2 s is a time."),
    ("2 GB", M.READS_RPS, "Expected a rate such as 2k rps or 450; 2 GB is a size."),
    ("2 seconds", M.USERS, "Expected a number such as 50k, 1.2M or 1,200,000; 2 seconds is "
                           "a time."),
    ("16 GB", M.CORES, "Expected a number such as 50k, 1.2M or 1,200,000; 16 GB is a size."),
    ("2k rps", M.USERS, "Expected a number such as 50k, 1.2M or 1,200,000; 2k rps is a rate."),
    ("3k/s", M.USERS, "Expected a number such as 50k, 1.2M or 1,200,000; 3k/s is a rate."),
    ("3k rpm", M.GROWTH_FACTOR, "Expected a factor such as 3x or 10; 3k rpm is a rate."),
    ("2s", M.GROWTH_FACTOR, "Expected a factor such as 3x or 10; 2s is a time."),
])
def test_a_count_or_rate_in_another_kind_of_unit_is_refused(text, metric, error):
    with pytest.raises(ParseError) as refused:
        parse_quantity(text, metric)
    assert str(refused.value) == error


def test_people_in_a_period_are_still_a_count_of_users():
    assert parse_quantity("50k/day", M.USERS).value == 50_000
    assert parse_quantity("2M/month", M.USERS).value == 2_000_000


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1_000, max_value=999_999_999))
def test_any_grouping_of_thousands_reads_back_the_same_count(number):
    spellings = [f"{number:,}", f"{number:_}", str(number)]
    if number >= 1_000_000:  # exactly two dot groups: 1.200.000
        spellings.append(f"{number:,}".replace(",", "."))
    for text in spellings:
        assert parse_quantity(text, M.USERS).value == number, text


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=999),
       st.sampled_from([("thousand", 1e3), ("million", 1e6), ("lakh", 1e5), ("crore", 1e7),
                        ("hundred", 1e2)]))
def test_a_value_word_after_a_space_is_never_dropped(number, word):
    said, factor = word
    parsed, taken = parse_value_words(str(number), [said, "checkout", "is", "slow"], M.USERS)
    assert (parsed.value, taken) == (number * factor, 1)


def test_a_disk_word_after_a_count_is_never_taken_for_its_unit():
    assert parse_value_words("8", ["ssd"], M.CORES) == (Parsed(8.0, None), 0)
    assert parse_value_words("4", ["nvme", "checkout"], M.SPINDLES) == (Parsed(4.0, None), 0)
    assert parse_value_words("8", ["cores", "ssd"], M.CORES) == (Parsed(8.0, None), 1)


def test_a_word_that_names_another_count_is_never_taken_for_a_counts_unit():
    assert parse_value_words("8", ["spindles", "4"], M.CORES) == (Parsed(8.0, None), 0)
    assert parse_value_words("4", ["cores"], M.SPINDLES) == (Parsed(4.0, None), 0)
    assert parse_value_words("8", ["vcpus", "and"], M.CORES) == (Parsed(8.0, None), 1)


@pytest.mark.parametrize(("text", "value", "note"), [
    ("90/10", 90, "90 reads to 10 writes = 90% reads"),
    ("4:1", 80, "4 reads to 1 write = 80% reads"),
    ("80:20 read/write", 80, "80 reads to 20 writes = 80% reads"),
    ("45/50", 90, "45 of 50 = 90%"),  # not summing to 100: a part of a whole
])
def test_a_read_write_split_is_the_read_share(text, value, note):
    assert parse_quantity(text, M.READ_PCT) == Parsed(value, note)


@pytest.mark.parametrize(("text", "metrics"), [
    ("mysql slow log shows 45s queries", {M.SLOWEST_QUERY_MS: 45_000}),
    ("we see 10 second queries on orders", {M.SLOWEST_QUERY_MS: 10_000}),
    ("p95 is 800ms with 40 queries per request", {M.P95_MS: 800, M.QUERIES_PER_REQUEST: 40}),
])
def test_a_time_said_of_the_queries_after_it_is_the_slowest_query(text, metrics):
    """"45s queries" read as the p95, because "slow log" came before it."""
    assert read_text(text).metrics == metrics


@pytest.mark.parametrize(("text", "metrics"), [
    ("we have 3 replicas at 4k reads/s each and 20k reads/s total",
     {M.PER_REPLICA_RPS: 4000, M.READS_RPS: 20_000}),
    ("3 replicas doing 2k qps each", {M.PER_REPLICA_RPS: 2000}),
    ("our 2 replicas. traffic is 900 rps each day", {M.PEAK_RPS: 900}),
    ("2 replicas, 900 rps each", {M.PER_REPLICA_RPS: 900}),  # a comma is no new sentence
    ("we have 2 replicas. the api takes 900 rps each", {M.PEAK_RPS: 900}),
])
def test_a_rate_each_beside_replicas_is_one_replicas_share(text, metrics):
    assert read_text(text).metrics == metrics


@pytest.mark.parametrize(("text", "reading"), [
    ("load average 24 on a 8 core box", Reading({M.CORES: 8}, refused=(
        "load average 24 (tasks running or waiting, not a CPU share; on 8 cores that is 3.0 "
        "a core; give the CPU % to weigh it)",))),
    ("loadavg: 1.50 1.20 0.90", Reading({}, refused=(
        "load average 1.50 (tasks running or waiting, not a CPU share; give the CPU % to "
        "weigh it)",))),
    ("load average 12 but cpu 35%", Reading({M.SERVER_CPU_PCT: 35})),  # the share is said
    (" 10:01:02 up 40 days,  2:03,  3 users,  load average: 0.52, 0.58, 0.59", Reading(
        {}, refused=("load average 0.52 (tasks running or waiting, not a CPU share; give the "
                     "CPU % to weigh it)",))),  # the 3 users are logged-in sessions
    ("peak load 3000 rps", Reading({M.PEAK_RPS: 3000})),  # load as traffic
])
def test_a_load_average_is_said_back_not_read_as_cpu(text, reading):
    """A load average counts tasks (on Linux those waiting on disks too): it was dropped
    without a word; it is no CPU share, so it is said back, per core when cores are given."""
    assert read_text(text) == reading


@pytest.mark.parametrize(("text", "reading"), [
    ("100 000 users", Reading({M.USERS: 100_000})),
    ("users: 100 000", Reading({M.USERS: 100_000})),
    ("p95 1 200ms and 1\u202f500 rps", Reading({M.P95_MS: 1200, M.PEAK_RPS: 1500})),
    ("users: 100 000, db cpu 90%", Reading({M.USERS: 100_000, M.DB_CPU_PCT: 90})),
])
def test_spaces_group_thousands_in_free_text(text, reading):
    """"100 000 users" read users 0 (the 000 took the word) and "users: 100 000" read 100."""
    assert read_text(text) == reading


def test_spaces_group_thousands_in_one_value_and_only_in_threes():
    assert [parse_number("1 000 000"), parse_quantity("100\u00a0000", "users")] == [
        Parsed(1_000_000), Parsed(100_000)]
    with pytest.raises(ParseError, match="found 2 numbers"):
        parse_number("1 0000")


@pytest.mark.parametrize(("text", "metric", "parsed"), [
    ("80k-120k", M.USERS, Parsed(120_000, "took 120,000, the upper end of 80k-120k")),
    ("50k-100k", M.USERS, Parsed(100_000, "took 100,000, the upper end of 50k-100k")),
    ("800ms-1.2s", M.P95_MS,
     Parsed(1200, "took 1,200, the upper end of 800ms-1.2s; 1.2 s = 1,200 ms")),
    ("75%-95%", M.DB_CPU_PCT, Parsed(95, "took 95, the upper end of 75%-95%")),
])
def test_a_range_with_units_on_both_ends_keeps_its_upper_end(text, metric, parsed):
    """The hyphen after a unit was taken for a name's ("replica-2"), so the lower end was
    the only number and was kept with no note."""
    assert parse_quantity(text, metric) == parsed


@pytest.mark.parametrize(("text", "reading"), [
    ("db cpu 75%-95%", Reading({M.DB_CPU_PCT: 95})),
    ("db cpu 75% - 95%", Reading({M.DB_CPU_PCT: 95})),
    ("users 80k-120k", Reading({M.USERS: 120_000})),
    ("p95 800ms-1.2s", Reading({M.P95_MS: 1200})),
    ("replica-2 lag 3s", Reading({M.REPLICA_LAG_S: 3})),  # a name's hyphen stays a name's
])
def test_free_text_keeps_the_upper_end_of_a_range_with_units(text, reading):
    assert read_text(text) == reading


@pytest.mark.parametrize(("text", "said"), [
    ("50kk", "Not read exactly: 50kk ('kk' is no multiplier; write it with one, e.g. 50k)."),
    ("1k2", "Not read exactly: 1k2 (digits after its unit; write one number, e.g. 1.2k)."),
    ("1 000 00", "Not read exactly: 1 000 00 (thousands are grouped in threes, e.g. 100 000)."),
])
def test_a_malformed_number_is_refused_not_read_as_part_of_it(text, said):
    """"50kk" was read as 50 and "1k2" as 1,000, with nothing said."""
    with pytest.raises(ParseError) as err:
        parse_quantity(text, M.USERS)
    assert str(err.value) == said


def test_free_text_says_a_malformed_number_back():
    assert read_text("users 1k2, p95 2s") == Reading(
        {M.P95_MS: 2000}, ("1k2 (digits after its unit; write one number, e.g. 1.2k)",))


@pytest.mark.parametrize("text", ["５０ｋ", "50ｋ", "٥٠k"])
def test_full_width_digits_and_letters_read_as_their_ascii_forms(text):
    """Full-width "５０ｋ" read as 50: its "ｋ" was no multiplier (Arabic-Indic digits were
    fine); NFKC makes both ASCII."""
    assert [parse_quantity(text, M.USERS), parse_number(text)] == [Parsed(50_000)] * 2


@pytest.mark.parametrize(("text", "reading"), [
    ("db cpu 0.88", Reading({M.DB_CPU_PCT: 88})),
    ("db cpu is 0.88", Reading({M.DB_CPU_PCT: 88})),
    ("cpu 0.9", Reading({M.SERVER_CPU_PCT: 90})),
    ("cpu load 0.9", Reading({})),  # a load average, no share
    ("cpu request 0.5", Reading({})),  # a pod's CPU request counts cores
    ("queries per request 35", Reading({M.QUERIES_PER_REQUEST: 35})),
    ("queries per request: 35 and p95 2s", Reading({M.QUERIES_PER_REQUEST: 35, M.P95_MS: 2000})),
    ("db cpu between 75 and 95%", Reading({M.DB_CPU_PCT: 95})),
])
def test_a_value_named_before_it_is_read_not_dropped(text, reading):
    """A ratio after a CPU, a count after "queries per request" and the upper end of
    "between 75 and 95%" were dropped, or said back as a share of nothing."""
    assert read_text(text) == reading


@pytest.mark.parametrize(("text", "metric", "parsed"), [
    ("2.4s to 300ms", M.P95_MS, Parsed(300, "took 300, the latest value in 2.4s to 300ms")),
    ("50k to 20k", M.USERS, Parsed(20_000, "took 20,000, the latest value in 50k to 20k")),
    ("1.2s-800ms", M.P95_MS, Parsed(800, "took 800, the latest value in 1.2s-800ms")),
    ("900 to 1.2k", M.USERS, Parsed(1200, "took 1,200, the upper end of 900 to 1.2k")),
    ("-10%", M.GROWTH_FACTOR, Parsed(0.9, "read -10% as a factor of 0.9x")),
    ("10%", M.GROWTH_FACTOR, Parsed(1.1, "read +10% as a factor of 1.1x")),
])
def test_a_note_says_the_value_as_it_was_said(text, metric, parsed):
    """A fall was noted as "the upper end" of itself (300 of "2.4s to 300ms"), and a
    negative growth as "+-10%"."""
    assert parse_quantity(text, metric) == parsed


@pytest.mark.parametrize(("text", "parsed"), [
    ("doubles every quarter",
     Parsed(16, "'doubles' (2x) compounded 4 times is 16x in 12 months")),
    ("2x per quarter", Parsed(16, "2x compounded 4 times is 16x in 12 months")),
    ("50% per quarter", Parsed(5.062, "50% compounded 4 times is 5.062x in 12 months")),
    ("3x in 12 months", Parsed(3)),
    ("3x over the next year", Parsed(3)),
    ("3x in 6 months", Parsed(9, "3x in 6 months compounded to 12 months is 9x")),
])
def test_a_multiple_per_period_is_compounded_as_a_percentage_is(text, parsed):
    """"doubles every quarter" read 2x beside "50% per quarter" at 5.06x; "3x in 12 months"
    was refused as two numbers."""
    assert parse_quantity(text, M.GROWTH_FACTOR) == parsed


def test_free_text_compounds_a_multiple_per_period():
    assert read_text("we expect traffic to double every quarter") == Reading(
        {M.GROWTH_FACTOR: 16}, notes=("2x compounded 4 times is 16x in 12 months",))


@pytest.mark.parametrize(("text", "reading"), [
    ("growth 3x in 6 months, peak 1k rps", Reading(
        {M.GROWTH_FACTOR: 9, M.PEAK_RPS: 1000},
        notes=("3x in 6 months compounded to 12 months is 9x",))),
    ("2x over the next 6 months", Reading(
        {M.GROWTH_FACTOR: 4}, notes=("2x in 6 months compounded to 12 months is 4x",))),
    ("traffic will triple over the next 2 quarters", Reading(
        {M.GROWTH_FACTOR: 9}, notes=("3x in 6 months compounded to 12 months is 9x",))),
    ("expect 50% growth in 6 months", Reading(
        {M.GROWTH_FACTOR: 2.25}, notes=("1.5x in 6 months compounded to 12 months is 2.25x",))),
    ("growth 3x in 12 months", Reading({M.GROWTH_FACTOR: 3})),
    ("growing 20% month over month", Reading(
        {M.GROWTH_FACTOR: 8.916}, notes=("20% compounded 12 times is 8.916x in 12 months",))),
])
def test_free_text_reads_a_growth_with_its_horizon_as_an_answer_does(text, reading):
    """"growth 3x in 6 months" was 9x as a --growth value or an answer but 3x, with no
    note, in free text (ask, a mention, a description)."""
    assert read_text(text) == reading


@pytest.mark.parametrize("said", ["3x in 6 months", "2x over the next 6 months",
                                  "3x within 26 weeks", "50% in 2 quarters", "10x in 2 years"])
def test_a_growth_with_its_horizon_reads_the_same_as_an_answer_and_in_text(said):
    answer = parse_quantity(said, M.GROWTH_FACTOR)
    assert read_text(f"growth {said}") == Reading(
        {M.GROWTH_FACTOR: answer.value}, notes=(answer.note.split("; ")[-1],))


@pytest.mark.parametrize(("text", "metric", "readings", "message"), [
    ("1.0", M.DB_CPU_PCT, ("1%", "100%"), "1% or 100%? Give the unit, e.g. 100%."),
    ("10Gb", M.WORKING_SET_GB, ("1.25 GB", "10 GB"),
     "10 Gb is gigabits (1.25 GB); did you mean 10 GB?"),
    ("512 Mb", M.WORKING_SET_GB, ("0.064 GB", "512 MB"),
     "512 Mb is megabits (0.064 GB); did you mean 512 MB?"),
])
def test_a_value_read_two_ways_is_asked_whichever_way_it_is_typed(text, metric, readings,
                                                                   message):
    """"1" was asked back but "1.0" read as 100%; "10Gb" (gigabits) read as 10 GB."""
    with pytest.raises(AmbiguousUnit) as info:
        parse_quantity(text, metric)
    assert (info.value.readings, str(info.value)) == (readings, message)


def test_a_size_in_small_letters_is_bytes():
    assert [parse_quantity(t, M.WORKING_SET_GB) for t in ("10gb", "10GB")] == [Parsed(10)] * 2


@pytest.mark.parametrize(("text", "reading"), [
    ("peak 1000 rps on x86 boxes, how much capacity?", Reading({M.PEAK_RPS: 1000})),
    ("we are migrating the fleet from x64 to arm", Reading({})),
    ("x509: certificate signed by unknown authority", Reading({})),
    ("the x86_64 build is slower", Reading({})),
    ("we expect x10 growth", Reading({M.GROWTH_FACTOR: 10})),
    ("peak 1k rps, pcie x16 nvme", Reading({M.PEAK_RPS: 1000})),
    ("peak 1k rps on x1e.xlarge instances", Reading({M.PEAK_RPS: 1000})),
    ("we run 3x m5.large at a peak of 1k rps", Reading({M.PEAK_RPS: 1000})),
    ("peak 1k rps after a 2x speedup", Reading({M.PEAK_RPS: 1000})),
    ("peak 1k rps with 3x replication", Reading({M.PEAK_RPS: 1000})),
    ("peak 1k rps, we expect 3x more traffic", Reading({M.PEAK_RPS: 1000,
                                                       M.GROWTH_FACTOR: 3})),
])
def test_names_made_of_an_x_and_a_number_are_no_growth(text, reading):
    """"x86" made a capacity 86 times too large: `x3` is 3x growth, x86 is a processor."""
    assert read_text(text) == reading


@pytest.mark.parametrize(("text", "reading"), [
    ("traffic doubles every quarter, peak 1k rps",
     Reading({M.GROWTH_FACTOR: 16, M.PEAK_RPS: 1000},
             notes=("2x compounded 4 times is 16x in 12 months",))),
    ("the bill doubles every month", Reading({})),
])
def test_growth_said_as_a_rate_in_a_word_is_compounded_in_free_text(text, reading):
    """"doubles every quarter" was read by --growth (16x) but dropped from free text, so a
    capacity came out 16 times too small."""
    assert read_text(text) == reading
