"""The error-signature catalogue: strict loading, the most specific match, and packaged data
that is well formed and actually matches the messages it describes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.models import Layer, Symptom
from advisor.signatures import (
    Catalogue,
    CatalogueError,
    Signature,
    default_catalogue,
    fold,
    load_catalogue,
    needs,
)

CAT = default_catalogue()


def _found(line: str) -> tuple[str, object] | None:
    """The signature the packaged catalogue finds in `line` and the layer it scales, if any."""
    hit = CAT.find(line)
    return None if hit is None else (hit.signature.id, hit.signature.scaling_layer)


PACKAGED = Path(__file__).resolve().parents[1] / "advisor" / "data" / "signatures"

ENTRY = """
[[signature]]
id = "{id}"
component = "{component}"
component_name = "PG"
{match}
layer = "{layer}"
meaning = "A test entry."
source = "https://example.org/docs"
"""


def entry(id="pg.x", component="pg", match='literal = "sorry, too many clients"',
          layer="database"):
    return ENTRY.format(id=id, component=component, match=match, layer=layer)


def texts(*paths: Path) -> list[tuple[str, str]]:
    """(source name, text) of each file, as the catalogue takes them."""
    return [(str(path), path.read_text(encoding="utf-8")) for path in paths]


def write(tmp_path: Path, name: str, *entries: str) -> Path:
    path = tmp_path / name
    path.write_text("".join(entries), encoding="utf-8")
    return path


def sig(id: str, **fields) -> Signature:
    base = {"component": id.split(".")[0], "component_name": "C", "layer": "database",
            "meaning": "m",
            "source": "https://example.org/x"}
    return Signature(id=id, **(base | fields))


# --- loading -----------------------------------------------------------------------------------

def test_bad_entry_names_the_file_and_the_id(tmp_path):
    path = write(tmp_path, "db.toml", entry(), entry(id="pg.broken", layer="databse"))
    with pytest.raises(CatalogueError) as err:
        load_catalogue(texts(path))
    message = str(err.value)
    assert message.startswith(f"{path}: signature pg.broken: field layer")


def test_unknown_key_is_named_first(tmp_path):
    path = write(tmp_path, "db.toml", entry().replace('layer =', 'lyer = "x"\nlayer ='))
    with pytest.raises(CatalogueError, match=r"signature pg.x: field lyer: Extra inputs"):
        load_catalogue(texts(path))


def test_entry_without_id_is_named_by_position(tmp_path):
    path = write(tmp_path, "db.toml", entry(), entry().replace('id = "pg.x"\n', ""))
    with pytest.raises(CatalogueError, match=r"db.toml: signature #2: field id: Field required"):
        load_catalogue(texts(path))


def test_duplicate_ids_refused_across_files(tmp_path):
    first = write(tmp_path, "a.toml", entry())
    second = write(tmp_path, "b.toml", entry(match='literal = "another message text"'))
    with pytest.raises(CatalogueError) as err:
        load_catalogue(texts(first, second))
    assert str(err.value) == f"{second}: signature pg.x: duplicate id, already defined in {first}"


def test_duplicate_ids_refused_within_a_file_and_in_a_catalogue(tmp_path):
    path = write(tmp_path, "a.toml", entry(), entry())
    with pytest.raises(CatalogueError, match="duplicate id"):
        load_catalogue(texts(path))
    one = sig("pg.x", literal="sorry, too many clients")
    with pytest.raises(ValueError, match="duplicate signature id pg.x"):
        Catalogue(signatures=(one, one))


@pytest.mark.parametrize("match", [
    'literal = "sorry, too many clients"\npattern = "too many clients"',
    "",
])
def test_exactly_one_of_literal_and_pattern(tmp_path, match):
    path = write(tmp_path, "a.toml", entry(match=match))
    with pytest.raises(CatalogueError, match="exactly one of literal or pattern"):
        load_catalogue(texts(path))


def test_bad_regex_refused(tmp_path):
    path = write(tmp_path, "a.toml", entry(match="pattern = 'too many (clients'"))
    with pytest.raises(CatalogueError, match=r"a.toml: signature pg.x: .*not a valid regex"):
        load_catalogue(texts(path))


@pytest.mark.parametrize(("fields", "message"), [
    ({"id": "other.x"}, "id must start with the component"),
    ({"id": "Pg.X", "component": "Pg"}, "should match pattern"),
    ({"layer": "none", "symptom": "database_slow"}, "layer none has no symptom"),
    ({"source": "http://example.org/x"}, "should match pattern"),
    ({"meaning": "x" * 140}, "at most 139 characters"),
    ({"meaning": "two\nlines"}, "should match pattern"),
    ({"example": "nothing like it"}, "example does not match"),
    ({"literal": 42}, "valid string"),
])
def test_entry_rules(fields, message):
    base = {"id": "pg.x", "component": "pg", "component_name": "PG",
            "literal": "sorry, too many clients", "layer": "database", "meaning": "m",
            "source": "https://example.org/x"}
    with pytest.raises(ValueError, match=message):
        Signature(**(base | fields))


NAMELESS = ENTRY.replace('component_name = "PG"\n', "")


def test_a_files_components_table_names_its_entries(tmp_path):
    path = write(tmp_path, "a.toml", '[components]\npg = "PostgreSQL"\n',
                 NAMELESS.format(id="pg.x", component="pg",
                                 match='literal = "too many clients"', layer="database"))
    assert [(s.component, s.component_name) for s in load_catalogue(texts(path)).signatures] \
        == [("pg", "PostgreSQL")]


def test_a_component_with_no_name_is_refused_with_the_file_and_the_entry(tmp_path):
    path = write(tmp_path, "a.toml", '[components]\nmy = "MySQL"\n',
                 NAMELESS.format(id="pg.x", component="pg",
                                 match='literal = "too many clients"', layer="database"))
    with pytest.raises(CatalogueError,
                       match=r"a.toml: signature pg.x: field component_name: Field required"):
        load_catalogue(texts(path))
    table = write(tmp_path, "b.toml", 'components = ["pg"]\n')
    with pytest.raises(CatalogueError, match=r"b.toml: components must be a table"):
        load_catalogue(texts(table))


def test_not_toml_and_wrong_shape(tmp_path):
    with pytest.raises(CatalogueError, match=r"a.toml: not valid TOML"):
        load_catalogue(texts(write(tmp_path, "a.toml", "[[signature]\n")))
    unknown = r"b.toml: unknown top-level key\(s\) \['signatures'\]"
    with pytest.raises(CatalogueError, match=unknown):
        load_catalogue(texts(write(tmp_path, "b.toml", "[[signatures]]\nid = 'x'\n")))


def test_files_load_in_the_order_given(tmp_path):
    first = write(tmp_path, "z.toml", entry(id="pg.z"))
    second = write(tmp_path, "a.toml", entry(id="pg.a", match='literal = "other text here"'))
    assert [s.id for s in load_catalogue(texts(first, second)).signatures] == ["pg.z", "pg.a"]


def test_default_catalogue_is_the_packaged_files_loaded_once():
    assert default_catalogue() is CAT
    files = texts(*sorted(PACKAGED.glob("*.toml")))
    assert [s.id for s in load_catalogue(files).signatures] == [s.id for s in CAT.signatures]


def test_each_pattern_is_compiled_once_and_shared_by_the_index(monkeypatch):
    """Loading pays for one compile per entry: the catalogue revalidates its entries,
    and re's own cache holds fewer patterns than the catalogue has."""
    files = texts(*sorted(PACKAGED.glob("*.toml")))
    compiled = []
    real = re.compile
    monkeypatch.setattr(re, "compile", lambda *a, **k: compiled.append(a[0]) or real(*a, **k))
    loaded = load_catalogue(files)
    patterns = [s.regex() for s in loaded.signatures]
    assert len(compiled) == len(loaded) == len(CAT)
    assert [regex for _, regex, _ in loaded._entries] == patterns
    assert all(a is b for a, b in zip(patterns, [s.regex() for s in loaded.signatures],
                                      strict=True))


# --- matching ----------------------------------------------------------------------------------

def test_find_prefers_the_longest_match_whatever_the_order():
    short = sig("pg.short", literal="too many clients")
    long = sig("pg.long", literal="sorry, too many clients already")
    text = "FATAL:  sorry, too many clients already"
    for order in [(short, long), (long, short)]:
        hit = Catalogue(signatures=order).find(text)
        assert (hit.signature.id, hit.matched) == ("pg.long", "sorry, too many clients already")
    assert Catalogue(signatures=(short, long)).find("too many clients").signature.id == "pg.short"


@pytest.mark.parametrize(("line", "expected"), [
    # nginx writes the errno inside its own message: its entry, not the kernel's, names it,
    # and what it was doing says where the time went
    *(pytest.param(f"[error] 31#31: *7 upstream timed out ({errno}) while reading response "
                   "header from upstream, client: 10.1.2.3",
                   ("nginx.upstream_timed_out_reading_header", Layer.APPLICATION),
                   id=f"nginx-reading-header-{system}")
      for system, errno in (("linux", "110: Connection timed out"),
                            ("bsd", "60: Operation timed out"))),
    ("[error] 31#31: *8 upstream timed out (110: Connection timed out) while connecting to"
     " upstream", ("nginx.upstream_timed_out_connecting", Layer.NETWORK)),
    ("upstream timed out (110: Operation timed out)", ("nginx.upstream_timed_out", Layer.NETWORK)),
    ("recv() failed (110: Connection timed out)", ("linux.errno_110_connection_timed_out",
                                                  Layer.NETWORK)),
    # Google's reason codes are upper case; another API's lower-case code is not Google's
    ("(reason: RATE_LIMIT_EXCEEDED)", ("gcp.quota_exceeded_compute", Layer.EXTERNAL_API)),
    # a Redis client quoting the JDK's socket timeout is Redis, not a called service
    ("redis.clients.jedis.exceptions.JedisConnectionException: java.net.SocketTimeoutException:"
     " Read timed out", ("redis.jedis_read_timed_out", Layer.DATABASE)),
    ("Caused by: java.net.SocketTimeoutException: Read timed out",
     ("java.socket_read_timed_out", Layer.EXTERNAL_API)),
    # Knex's query timeout contains axios's wording
    ("KnexTimeoutError: Defined query timeout of 3000ms exceeded when running query.",
     ("knex.query_timeout", Layer.DATABASE)),
    ("AxiosError: timeout of 3000ms exceeded", ("axios.timeout_exceeded", Layer.EXTERNAL_API)),
    # PgBouncer out of descriptors is the database tier; the bare errno stays the kernel's
    ("2025-03-02 04:10:55.016 UTC [7] ERROR accept() failed: Too many open files",
     ("pgbouncer.accept_too_many_open_files", Layer.DATABASE)),
    ("socket(): Too many open files", ("linux.too_many_open_files", Layer.APPLICATION)),
    # RequestLimitExceeded is EC2's throttling code unless DynamoDB says it
    ("An error occurred (RequestLimitExceeded) when calling the RunInstances operation "
     "(reached max retries: 4): Request limit exceeded.",
     ("aws-ec2.request_limit_exceeded", Layer.EXTERNAL_API)),
    ("botocore.errorfactory.RequestLimitExceeded: An error occurred (RequestLimitExceeded) when "
     "calling the BatchWriteItem operation: Throughput exceeds the current throughput limit "
     "for your account.", ("dynamodb.request_limit_exceeded", Layer.DATABASE)),
    ("DynamoDB: BatchGetItem, RequestLimitExceeded", ("dynamodb.request_limit_exceeded",
                                                     Layer.DATABASE)),
    # reactor-pool as R2DBC uses it, and as Reactor Netty ships it relocated
    ("reactor.pool.PoolAcquirePendingLimitException: Pending acquire queue has reached its "
     "maximum size of 250", ("r2dbc-pool.pending_acquire_queue_full", Layer.DATABASE)),
    ("io.r2dbc.spi.R2dbcException: Pending acquire queue has reached its maximum size of 250",
     ("r2dbc-pool.pending_acquire_queue_full", Layer.DATABASE)),
    ("reactor.netty.internal.shaded.reactor.pool.PoolAcquirePendingLimitException: Pending "
     "acquire queue has reached its maximum size of 250",
     ("reactor-netty.pending_acquire_queue_full", Layer.NETWORK)),
])
def test_a_components_own_message_beats_the_generic_error_it_quotes(line, expected):
    assert _found(line) == expected


def test_an_upper_case_reason_code_is_not_found_in_lower_case():
    assert CAT.find("the provider answers 429 rate_limit_exceeded on every batch") is None


def test_find_ties_go_to_the_earlier_entry():
    a = sig("pg.a", literal="deadlock detected")
    b = sig("pg.b", pattern="deadlock detecte.")
    assert Catalogue(signatures=(a, b)).find("ERROR: deadlock detected").signature.id == "pg.a"
    assert Catalogue(signatures=(b, a)).find("ERROR: deadlock detected").signature.id == "pg.b"


def test_literal_matching_folds_case_and_whitespace():
    cat = Catalogue(signatures=(sig("pg.x", literal="sorry,  too many\tclients already"),))
    text = "psql: FATAL: SORRY, too\n   many Clients ALREADY (pid 4)"
    hit = cat.find(text)
    assert (hit.signature.id, hit.matched) == ("pg.x", "SORRY, too\n   many Clients ALREADY")
    assert cat.find("sorry, toomany clients already") is None
    assert cat.find("") is None


def test_literal_special_characters_are_not_regex():
    cat = Catalogue(signatures=(sig("pg.x", literal="pool (size 10) exhausted?"),))
    assert cat.find("ERROR pool (size 10) exhausted? retry").matched == "pool (size 10) exhausted?"
    assert cat.find("pool size 10 exhausted") is None


def test_pattern_matching_ignores_case_and_returns_the_span():
    cat = Catalogue(signatures=(sig("pg.x", pattern=r"still waiting for \w+Lock after \d+ ms"),))
    hit = cat.find("LOG: process 7 STILL waiting for ShareLock after 1000 ms; query: x")
    assert hit.matched == "STILL waiting for ShareLock after 1000 ms"


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"(?:too many )+clients", (("too many ",), ("clients",))),
    (r"Lock wait timeout exceeded; try", (("lock wait timeout exceeded; try",),)),
])
def test_needs_keeps_a_repeated_body_and_literal_punctuation(pattern, expected):
    assert needs(re.compile(pattern, re.IGNORECASE)) == expected


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"ERROR:\s+deadlock detected", (("deadlock detected",), ("error:",))),
    (r"\bremaining (?:connection )?slots are reserved",
     (("slots are reserved",), ("remaining ",))),
    (r"Too many connections|ERR max number of clients reached",
     (("too many connections", "err max number of clients reached"),)),
    (r"(foo|bar) timed out", ((" timed out",),)),
    (r"Full GC|GC", ()),  # one alternative too short to be sure of
    # With no run of its own, the alternatives a match must go through.
    (r"(?<![\w.])(?:BadThing|WorseThing): ", (("badthing", "worsething"),)),
    (r"(?-i:\b(?:TOO_SLOW|WAY_TOO_SLOW)\b)", (("too_slow", "way_too_slow"),)),
    (r"\((Pause Full|GC) \)", ()),  # one alternative too short to be sure of
    (r"a.b", ()),
])
def test_needs_lists_what_every_match_contains(pattern, expected):
    assert needs(re.compile(pattern, re.IGNORECASE)) == expected


def test_find_tries_only_signatures_whose_texts_occur():
    cat = Catalogue(signatures=(
        sig("pg.a", pattern=r"ERROR:\s+deadlock detected"),
        sig("pg.b", pattern=r"Too many connections|max number of clients reached"),
        sig("pg.c", pattern=r"\d+ ms"),
    ))
    assert cat.find("error: DEADLOCK detected").matched == "error: DEADLOCK detected"
    assert cat.find("deadlock detected, no error") is None
    assert cat.find("ERR max number of clients reached").signature.id == "pg.b"
    assert cat.find("took 1200 ms").signature.id == "pg.c"


def test_fold_agrees_with_ignorecase_for_ascii_letters():
    # Every character that IGNORECASE equates with an ASCII letter must fold to that letter,
    # or the pre-filter would skip a real match.
    letter = re.compile("[a-z]", re.IGNORECASE)
    wrong = [hex(cp) for cp in range(0x80, 0x10000)
             if letter.fullmatch(chr(cp))
             and not re.fullmatch(re.escape(fold(chr(cp))), chr(cp), re.IGNORECASE)]
    assert wrong == []


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_prefilter_never_hides_a_match(data):
    signature = data.draw(st.sampled_from(CAT.signatures))
    line = signature.example or f"ERROR: {signature.literal}"
    flipped = "".join(c.upper() if data.draw(st.booleans()) else c for c in line)
    prefix = data.draw(st.text(max_size=20))
    text = f"{prefix} {flipped}"
    found = signature.regex().search(text)
    hit = CAT.find(text)
    assert found is not None and hit is not None
    assert len(hit.matched) >= found.end() - found.start()


def test_every_message_is_recognised_on_a_line_of_a_longer_paste():
    # A log line pasted among others: a pattern's `^` and `$` are that line's ends.
    missed = []
    for signature in CAT.signatures:
        line = signature.example or f"ERROR: {signature.literal}"
        text = f"2026-11-29T06:00:01Z worker-3 [main]\n{line}\n    at app.Service.call(Svc.java:4)"
        hit = CAT.find(text)
        if hit is None or hit.signature.id != signature.id:
            missed.append(signature.id)
    assert missed == []


# --- the packaged data ------------------------------------------------------------------------

def test_packaged_entries_are_well_formed():
    layers = {layer.value for layer in Layer} | {"none"}
    symptoms = {s.value for s in Symptom}
    problems = []
    for s in CAT.signatures:
        if not s.source.startswith("https://"):
            problems.append(f"{s.id}: source")
        if not 0 < len(s.meaning) < 140:
            problems.append(f"{s.id}: meaning length")
        if str(s.layer) not in layers:
            problems.append(f"{s.id}: layer")
        if s.symptom is not None and str(s.symptom) not in symptoms:
            problems.append(f"{s.id}: symptom")
        if s.pattern is not None and s.example is None:
            problems.append(f"{s.id}: pattern without example")
    assert problems == []
    assert len(CAT) >= 10


def equally_specific(hit, signature, text) -> bool:
    found = signature.regex().search(text)
    return hit is not None and (hit.signature.id == signature.id
                                or len(hit.matched) == found.end() - found.start())


@pytest.mark.parametrize("signature", [s for s in CAT.signatures if s.literal],
                         ids=lambda s: s.id)
def test_each_literal_is_found_in_a_log_line(signature):
    line = f"2026-01-01 ERROR: {signature.literal}"
    hit = CAT.find(line)
    assert equally_specific(hit, signature, line)
    assert " ".join(hit.matched.split()).lower() == " ".join(signature.literal.split()).lower()


@pytest.mark.parametrize("signature", [s for s in CAT.signatures if s.pattern],
                         ids=lambda s: s.id)
def test_each_pattern_matches_its_example(signature):
    assert signature.example is not None
    assert signature.regex().search(signature.example)
    assert equally_specific(CAT.find(signature.example), signature, signature.example)


# Plain sentences, written for this test, that name the trouble without quoting any software:
# a signature must not fire on them.
PROSE = [
    "our database is slow today",
    "we have too many users for one server",
    "how many connections should my pool have?",
    "the queue keeps growing during peak hours",
    "is a read replica worth it at 20k users",
    "our cache hit rate dropped to 60 percent",
    "the api times out when traffic spikes",
    "memory usage grows until the pods restart",
    "we see lock contention on the orders table",
    "what is a good statement timeout for a web app",
    "should we shard the users table by tenant",
    "disk usage on the database host is at 90 percent",
    "kafka consumers fall behind every evening",
    "redis is using a lot of memory",
    "mysql replication is a few seconds behind",
    "our celery workers are busy all the time",
    "postgres says we have too many connections at peak",
    "is our pool size too small for black friday traffic?",
    "there was no connection available for the worker",
    "we keep seeing too many open connections on the load balancer",
    "what query read timeout should the reporting service use",
    "there is substantial drift from the capacity plan this quarter",
]




@pytest.mark.parametrize(("row", "expected"), [
    ("21873 app       20   0 2845120 901232  31204 R 187.3  5.6  912:44.10 node dist/server.js",
     ("procps.top_process_busy", Layer.APPLICATION)),
    ("www-data 31877 86.4  3.9 512340 248120 ?       R    14:02   6:41 php-fpm: pool www",
     ("procps.ps_process_busy", Layer.APPLICATION)),
    ("  4112 postgres  20   0 4325104 2.1g 2.0g R  99.7 13.4 812:03.55 postgres: app orders",
     ("procps.database_process_busy", Layer.DATABASE)),
    ("mysql     1234 180.5 40.1 9123456 4123456 ?  Ssl  Mar01 9000:01 /usr/sbin/mysqld",
     ("procps.database_process_busy", Layer.DATABASE)),
    ("www-data 31877  6.4  3.9 512340 248120 ?       S    14:02   6:41 php-fpm: pool www", None),
])
def test_a_busy_process_row_names_whose_cpu_it_is(row, expected):
    """A pasted top or ps row at half a core or more; a database's own process is the
    database's CPU; a quiet process is no finding."""
    assert _found(f"  PID USER   PR  NI  VIRT  RES  SHR S  %CPU  %MEM  TIME+ COMMAND\n{row}") \
        == expected


@pytest.mark.parametrize(("line", "expected"), [
    ("Completed 200 OK in 2710ms (Views: 2655.0ms | ActiveRecord: 41.0ms)",
     ("rails.completed_slow_request", Layer.APPLICATION)),
    ("Completed 200 OK in 5210ms (Views: 120.4ms | ActiveRecord: 5050.2ms | Allocations: 812)",
     ("rails.slow_activerecord", Layer.DATABASE)),
    ("Completed 200 OK in 5210ms (Views: 120.4ms, ActiveRecord: 5050.2ms(31q,0h))",
     ("rails.slow_activerecord", Layer.DATABASE)),
    # Rails 2.2 and 2.3: milliseconds, View and DB without units.
    ("Completed in 2710ms (View: 2655, DB: 41) | 200 OK [http://shop.example/]",
     ("rails.legacy_slow_view", Layer.APPLICATION)),
    ("Completed in 5210ms (View: 120, DB: 5050) | 200 OK [http://shop.example/]",
     ("rails.legacy_slow_db", Layer.DATABASE)),
    ("Completed in 5210ms (DB: 5050) | 200 OK [http://shop.example/]",
     ("rails.legacy_slow_db", Layer.DATABASE)),
    ("Completed in 1900ms (View: 1200, DB: 650) | 200 OK [http://shop.example/]",
     ("rails.legacy_slow_view", Layer.APPLICATION)),
    ("Completed in 1900ms (View: 600, DB: 650) | 200 OK [http://shop.example/]",
     ("rails.legacy_slow_request", Layer.APPLICATION)),
    ("Completed in 180ms (View: 120, DB: 50) | 200 OK [http://shop.example/]", None),
])
def test_a_slow_rails_request_names_where_its_time_went(line, expected):
    """Over a second in one part names that part's layer; a slow request whose parts
    are each under a second is the application's; a fast one is no finding."""
    assert _found(line) == expected


@pytest.mark.parametrize(("line", "expected"), [
    ("main.c:(.text+0x2a): undefined reference to `flush_queue'", "gnu-ld.undefined_reference"),
    ("firmware.axf: Error: L6218E: Undefined symbol spi_init (referred from board.o).",
     "armlink.undefined_symbol"),
    ("src/main/java/shop/Order.java:88: error: cannot find symbol", "javac.cannot_find_symbol"),
    ("api/cart.ts(3,10): error TS2307: Cannot find module './pricing'.",
     "typescript.compile_error"),
    ("org.opentest4j.AssertionFailedError: expected: <3> but was: <4>",
     "junit.assertion_failed"),
    ("  File \"app.py\", line 3\n    def f(:\nSyntaxError: invalid syntax", "python.syntax_error"),
    ("fatal: unable to access 'https://git.example.org/ops/infra.git/': The requested URL "
     "returned error: 401", "git.http_refused"),
    ("curl: (7) Failed to connect to 127.0.0.1 port 5000 after 2 ms: Couldn't connect to server",
     "curl.nothing_listening_locally"),
    ("Access to XMLHttpRequest at 'https://api.example.net/v1/cart' from origin "
     "'https://shop.example.net' has been blocked by CORS policy: No "
     "'Access-Control-Allow-Origin' header is present on the requested resource.",
     "browser.cors_header_missing"),
    ("vite build: FATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed - "
     "JavaScript heap out of memory", "nodejs.heap_out_of_memory_in_a_build"),
    ("vitest run --coverage: FATAL ERROR: Reached heap limit Allocation failed - JavaScript "
     "heap out of memory", "nodejs.heap_out_of_memory_in_a_build"),
])
def test_a_build_or_test_failure_is_recognised_as_no_scaling_problem(line, expected):
    assert _found(line) == (expected, None)


def test_a_linker_line_is_recognised_and_its_offset_is_no_number():
    """The offset `0x2a` used to be said back as a growth factor of 0."""
    from advisor.ask import ask

    answer = ask("main.c:(.text+0x2a): undefined reference to `flush_queue'").answer
    assert answer.startswith("Recognised (GNU ld):")
    assert "Not read" not in answer


@pytest.mark.parametrize("line", [
    'psql: error: connection to server at "10.0.3.7", port 5432 failed: Connection refused\n'
    "\tIs the server running on that host and accepting TCP/IP connections?",
    'psql: could not connect to server: Connection refused\n\tIs the server running on host '
    '"db" (10.0.3.7) and accepting\n\tTCP/IP connections on port 5432?',
    "could not connect to server: No such file or directory\n\tIs the server running locally "
    'and accepting\n\tconnections on Unix domain socket "/var/run/postgresql/.s.PGSQL.5432"?',
    "org.postgresql.util.PSQLException: Connection to db:5432 refused. Check that the hostname "
    "and port are correct and that the postmaster is accepting TCP/IP connections.",
])
def test_nothing_listening_for_postgres_is_no_scaling_problem(line):
    """A server that is down or a wrong host or port is set-up, not load; a full server
    says "too many clients" instead."""
    hit = CAT.find(line)
    assert hit is not None and hit.signature.scaling_layer is None


@pytest.mark.parametrize(("line", "expected"), [
    # a remote host refusing, or a refusal for load, stays the scaling reading it was
    ("curl: (7) Failed to connect to api.example.org port 443 after 3 ms: Connection refused",
     None),
    ("fatal: unable to access 'https://git.example.org/ops/infra.git/': The requested URL "
     "returned error: 429", None),
    # Node.js out of heap with no build in sight is the application's memory
    ("FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
     ("nodejs.heap_out_of_memory", Layer.APPLICATION)),
    # HubSpot's limit said by its policy name alone, as people retell it
    ("still getting TEN_SECONDLY_ROLLING errors from the crm sync",
     ("hubspot.reached_your_limit", Layer.EXTERNAL_API)),
])
def test_only_a_local_refusal_or_a_refused_login_is_set_up(line, expected):
    assert _found(line) == expected


# Lines written for these tests from each message's template: the entry that names them,
# the layer it scales (None: recognised, no scaling problem) and what people see.
NAMED = [
    # Kafka clients waiting on brokers are the network's; group churn is the consumers'
    ("[Consumer clientId=c-7, groupId=ledger] Group coordinator b-3:9092 (id: 2147483644 rack: "
     "null) is unavailable or invalid due to cause: coordinator unavailable. isDisconnected: "
     "true. Rediscovery will be attempted.", "kafka.coordinator_unavailable", Layer.NETWORK, None),
    ("org.apache.kafka.common.errors.TimeoutException: Timeout of 30000ms expired before the "
     "position for partition ledger-5 could be determined", "kafka.position_timeout",
     Layer.NETWORK, Symptom.API_TIMEOUTS),
    ("Offset commit failed on partition ledger-0 at offset 901: The request timed out.",
     "kafka.offset_commit_request_timed_out", Layer.NETWORK, Symptom.API_TIMEOUTS),
    ("%4|1716000000.500|REQTMOUT|rdkafka#consumer-2| [thrd:b-1:9092/1]: b-1:9092/1: Timed out "
     "3 in-flight, 1 retry-queued, 0 out-queue, 0 partially-sent requests",
     "kafka.librdkafka_requests_timed_out", Layer.NETWORK, Symptom.API_TIMEOUTS),
    ("b-1:9092/1: Connection setup timed out in state SSL_HANDSHAKE (after 30001ms in state "
     "SSL_HANDSHAKE)", "kafka.librdkafka_connection_setup_timed_out", Layer.NETWORK,
     Symptom.API_TIMEOUTS),
    ("INFO [GroupCoordinator 0]: Preparing to rebalance group ledger in state "
     "PreparingRebalance with old generation 7 (__consumer_offsets-9) (reason: removing member "
     "c-7 on heartbeat expiration)", "kafka.preparing_to_rebalance", Layer.APPLICATION, None),
    ("[Consumer clientId=c-7, groupId=ledger] Attempt to heartbeat failed since group is "
     "rebalancing", "kafka.heartbeat_failed_rebalancing", Layer.APPLICATION, None),
    ("CommitFailedException: Offset commit cannot be completed since the consumer is not part "
     "of an active group for auto partition assignment", "kafka.commit_failed_not_in_group",
     Layer.APPLICATION, None),
    # RabbitMQ
    ("connection <0.4410.0> (10.3.0.8:51000 -> 10.3.0.2:5672): number of channels opened for "
     "user 'svc' has reached the maximum allowed limit of 128", "rabbitmq.channel_limit_reached",
     Layer.APPLICATION, None),
    ("pika.adapters: Connection.Blocked received from broker, reason: low on memory",
     "rabbitmq.connection_blocked_low_memory", Layer.APPLICATION, Symptom.HIGH_MEMORY),
    # the kernel
    ("kernel: NETDEV WATCHDOG: eth1 (ixgbe): transmit queue 7 timed out 5376 ms",
     "linux.netdev_watchdog_tx_timeout", Layer.NETWORK, None),
    ("[88211.120] sched: RT throttling activated", "linux.rt_throttling", Layer.APPLICATION,
     Symptom.HIGH_SERVER_CPU),
    ("kernel: [991.2] TCP: time wait bucket table overflow", "linux.time_wait_bucket_overflow",
     Layer.NETWORK, None),
    ("kernel: cgroup: fork rejected by pids controller in /system.slice/web.service",
     "linux.pids_controller_fork_rejected", Layer.APPLICATION, Symptom.HIGH_SERVER_CPU),
    ("kernel: UDP: bad checksum. From 172.16.0.9:123 to 172.16.0.4:40002 ulen 56",
     "linux.udp_bad_checksum", None, None),
    ("perf: interrupt took too long (3140 > 3125), lowering kernel.perf_event_max_sample_rate "
     "to 63000", "linux.perf_interrupt_took_too_long", None, None),
    # Kubernetes
    ("Error from server (TooManyRequests): the server has received too many requests and has "
     "asked us to try again later (get pods)", "kubernetes.apiserver_too_many_requests",
     Layer.APPLICATION, None),
    ("horizontal-pod-autoscaler  failed to get memory utilization: missing request for memory "
     "in container worker of Pod worker-1", "kubernetes.hpa_missing_request", None, None),
    # edges and proxies
    ("Error 1015 Ray ID: 8a1b2c3d4e5f6a7b You are being rate limited", "cloudflare.error_1015",
     Layer.EXTERNAL_API, Symptom.API_TIMEOUTS),
    ("error code: 1200 Cache connection limit", "cloudflare.error_1200", Layer.NETWORK, None),
    ('[2025-02-01T08:00:00.000Z] "POST /v2/pay HTTP/2" 503 OM 0 18 0 - "10.4.0.1" "ios" "9f" '
     '"pay:9000" "-"', "envoy.access_log_overload_manager", Layer.APPLICATION,
     Symptom.HIGH_MEMORY),
    ("< HTTP/2 429\n< x-ratelimit-limit: 100\n\nlocal_rate_limited", "envoy.local_rate_limited",
     Layer.NETWORK, None),
    ('[2025-02-01T08:00:00.000Z] "GET /v2/items HTTP/1.1" 429 RL 0 18 0 - "10.4.0.1" "ios" '
     '"9f" "items:9000" "-"', "envoy.access_log_rate_limited", Layer.NETWORK, None),
    ('[2025-02-01T08:00:00.000Z] "GET /v2/items HTTP/1.1" 503 UC 0 95 7 - "10.4.0.1" "ios" '
     '"9f" "items:9000" "10.4.2.2:9000"', "envoy.access_log_upstream_connection_termination",
     Layer.NETWORK, None),
    ('[2025-02-01T08:00:00.000Z] "POST /v2/pay HTTP/1.1" 0 DC 0 0 20004 - "10.4.0.1" "ios" '
     '"9f" "pay:9000" "10.4.2.2:9000"', "envoy.access_log_downstream_termination",
     Layer.APPLICATION, None),
    ("level=debug msg=\"'499 Client Closed Request' caused by: context canceled\"",
     "traefik.client_closed_request", Layer.APPLICATION, None),
    ("haproxy[4]: 10.4.0.1:5000 [01/Feb/2025:08:00:00.000] web~ api/a2 0/0/0/40/90004 200 "
     "2097152 - - sD-- 5/5/4/1/0 0/0 \"GET /dump HTTP/1.1\"", "haproxy.server_data_timeout_sd",
     Layer.NETWORK, Symptom.API_TIMEOUTS),
    ("haproxy[4]: 10.4.0.1:5000 [01/Feb/2025:08:00:00.000] web~ api/a2 0/0/0/-1/0 503 217 - - "
     "RC-- 5/5/4/1/0 0/0 \"GET /items HTTP/1.1\"", "haproxy.local_resource_exhausted_rc",
     Layer.NETWORK, None),
    ("haproxy[4]: Connect() failed for backend api: no free ports.", "haproxy.no_free_ports",
     Layer.NETWORK, None),
    ("504: The load balancer established a connection to the target but the target did not "
     "respond before the idle timeout period elapsed.", "aws-elb.alb_504_target_idle_timeout",
     Layer.APPLICATION, None),
    ("502 because the load balancer received a TCP RST from the target when attempting to "
     "establish a connection", "aws-elb.alb_502_rst_on_connect", Layer.NETWORK, None),
    # runtimes
    ("WARNING [ContainerBackgroundProcessor] Thread [https-jsse-nio-8443-exec-3] (id=[51]) has "
     "been active for [125,002] milliseconds (since [2/1/25, 8:00 AM]) to serve the same "
     "request for [https://api.example.org/export] and may be stuck",
     "tomcat.stuck_thread_detected", Layer.APPLICATION, Symptom.API_TIMEOUTS),
    ("org.eclipse.jetty.io.EofException: java.util.concurrent.TimeoutException: Idle timeout "
     "expired: 60000/60000 ms", "jetty.idle_timeout_expired", Layer.NETWORK,
     Symptom.API_TIMEOUTS),
    ("Sat Feb  1 08:00:00 2025 - uwsgi_response_write_body_do() TIMEOUT !!!",
     "uwsgi.write_timeout", Layer.NETWORK, None),
    ("reload-on-rss limit reached (545259520 >= 536870912)", "uwsgi.reload_on_rss",
     Layer.APPLICATION, Symptom.HIGH_MEMORY),
    ("Sat Feb  1 08:00:00 2025 - HARAKIRI triggered by worker 2 core 0 !!!",
     "uwsgi.harakiri_triggered", Layer.APPLICATION, Symptom.API_TIMEOUTS),
    ('[0.981s][warning][os,thread] Failed to start thread "GC Thread#4" - pthread_create '
     "failed (EAGAIN) for attributes: stacksize: 1024k, guardsize: 4k, detached.",
     "jvm.pthread_create_failed", Layer.APPLICATION, Symptom.HIGH_SERVER_CPU),
    ("Unhandled exception. System.Net.Sockets.SocketException (10055): An operation on a socket "
     "could not be performed because the system lacked sufficient buffer space or because a "
     "queue was full.", "dotnet.socket_no_buffer_space", Layer.NETWORK, None),
    ("io.netty.handler.ssl.SslHandshakeTimeoutException: handshake timed out after 5000ms",
     "netty.ssl_handshake_timeout", Layer.NETWORK, Symptom.API_TIMEOUTS),
    ("fatal error: concurrent map read and map write", "go.concurrent_map_writes", None, None),
    ("Post \"https://a.example/x\": http2: client connection force closed via ClientConn.Close",
     "go.http2_client_conn_force_closed", None, None),
    ("Error: listen EADDRINUSE: address already in use 0.0.0.0:8080", "nodejs.listen_eaddrinuse",
     None, None),
    ("[2025-02-01 08:00:00 +0000] [7] [ERROR] Worker (pid:12) exited with code 3",
     "gunicorn.worker_exited_with_error", None, None),
    # DNS and TLS
    ("Error: queryAaaa ETIMEOUT cdn.example.org", "nodejs.dns_query_etimeout", Layer.NETWORK,
     None),
    (";; connection timed out; no servers could be reached", "dns.dig_no_servers_reached",
     Layer.NETWORK, None),
    ("dnsmasq[4410]: Maximum number of concurrent DNS queries reached (max: 300)",
     "dnsmasq.concurrent_queries_limit", Layer.NETWORK, None),
    ("TimeoutError: _ssl.c:989: The handshake operation timed out",
     "python.ssl_handshake_timed_out", Layer.NETWORK, Symptom.API_TIMEOUTS),
    ("[ERROR] plugin/errors: 2 db.internal. A: dns: overflow unpacking uint32",
     "coredns.overflow_unpacking", None, None),
    # databases
    ("LOG:  using stale statistics instead of current ones because stats collector is not "
     "responding", "postgresql.stale_statistics", Layer.STORAGE, None),
    ('LOG:  invalidating obsolete replication slot "analytics"', "postgresql.slot_invalidated",
     Layer.DATABASE, None),
    ('ERROR:  could not obtain lock on relation "payments"',
     "postgresql.nowait_lock_not_obtained", Layer.DATABASE, None),
    ("LOG:  process 902 acquired ShareLock on transaction 55120 after 2104.530 ms",
     "postgresql.lock_acquired_after", Layer.DATABASE, None),
    ("| 41 | web | 10.0.2.5:3310 | shop | Query | 95 | Waiting for table metadata lock | "
     "SELECT 1 |", "mysql.waiting_for_metadata_lock", Layer.DATABASE, None),
    ("Seconds_Behind_Master: 1250", "mysql.seconds_behind_source", Layer.DATABASE, None),
    ("[Note] Aborted connection 90 to db: 'shop' user: 'web' host: '10.0.2.6' (Got an error "
     "reading communication packets)", "mysql.aborted_connection", Layer.DATABASE, None),
    ("MongoServerError: Transaction numbers are only allowed on a replica set member or mongos",
     "mongodb.transaction_needs_replica_set", None, None),
    ("(error) NOREPLICAS Not enough good replicas to write.", "redis.noreplicas", Layer.DATABASE,
     None),
    ("ReplyError: MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to "
     "'no'.", "redis.masterdown", Layer.DATABASE, None),
    ("Disconnecting timedout replica (full sync): 10.0.3.4:6379",
     "redis.disconnecting_timedout_replica", Layer.DATABASE, None),
    ("RedisException: Request queue size exceeded: 50000. Commands are not accepted until the "
     "queue size drops.", "redis.lettuce_request_queue_full", Layer.DATABASE,
     Symptom.API_TIMEOUTS),
    # pools
    ("Error: Queue limit reached.\n    at Pool.getConnection (node_modules/mysql2/lib/pool.js)",
     "mysql-node.queue_limit_reached", Layer.DATABASE, Symptom.API_TIMEOUTS),
    ("Error: No connections available.", "mysql-node.no_connections_available", Layer.DATABASE,
     Symptom.API_TIMEOUTS),
    ("DEBUG HikariPool-2 - Pool stats (total=10/10, idle=0/0, active=10, waiting=4)",
     "hikaricp.pool_stats_waiting", Layer.DATABASE, Symptom.API_TIMEOUTS),
    ("PrismaClientKnownRequestError: P2034 Transaction failed due to a write conflict",
     "prisma.p2034", Layer.DATABASE, None),
    ("P2028 Transaction API error: Unable to start a transaction in the given time.",
     "prisma.p2028_unable_to_start", Layer.DATABASE, Symptom.API_TIMEOUTS),
    ("Transaction already closed: The timeout for this transaction was 10000 ms, however 10033 "
     "ms passed since the start of the transaction.", "prisma.transaction_expired",
     Layer.DATABASE, None),
    ("(Background on this error at: https://sqlalche.me/e/14/3o7r)",
     "sqlalchemy.error_link_3o7r", Layer.DATABASE, Symptom.API_TIMEOUTS),
    ("R2dbcTimeoutException: Connection acquisition timed out after 5000ms",
     "r2dbc-pool.acquisition_timed_out", Layer.DATABASE, Symptom.API_TIMEOUTS),
    # cloud APIs
    ("operation error S3: PutObject, failed to get rate limit token, retry quota exceeded, 0 "
     "available, 5 requested", "aws.retry_quota_exceeded", Layer.EXTERNAL_API,
     Symptom.API_TIMEOUTS),
    ("botocore.errorfactory.PriorRequestNotComplete: An error occurred "
     "(PriorRequestNotComplete) when calling the ChangeResourceRecordSets operation",
     "aws-route53.prior_request_not_complete", Layer.EXTERNAL_API, Symptom.API_TIMEOUTS),
    ("Operation failed: ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS: The zone "
     "'projects/x/zones/us-east1-c' does not have enough resources",
     "gcp.zone_resource_pool_exhausted", Layer.APPLICATION, None),
    # third-party rate-limit bodies
    ('HTTP 429 {"name": "RATE_LIMIT_REACHED", "message": "Too many requests."}',
     "paypal.rate_limit_reached", Layer.EXTERNAL_API, Symptom.API_TIMEOUTS),
    ('429 {"error": "Rate limit exceeded", "retry_after": 12}', "zendesk.rate_limit_exceeded",
     Layer.EXTERNAL_API, Symptom.API_TIMEOUTS),
    ('{"object": "error", "status": 429, "code": "rate_limited"}', "notion.rate_limited",
     Layer.EXTERNAL_API, Symptom.API_TIMEOUTS),
    # errors said by their names and codes alone
    ("ENOSPC", "linux.enospc", Layer.STORAGE, None),
    ("read ETIMEDOUT", "linux.etimedout", Layer.NETWORK, Symptom.API_TIMEOUTS),
    ("worker pod terminated with exit code 137", "linux.exit_code_137", Layer.APPLICATION,
     Symptom.HIGH_MEMORY),
    ("ERROR: could not connect (SQLSTATE 53300)", "postgresql.sqlstate_too_many_connections",
     Layer.DATABASE, Symptom.DATABASE_SLOW),
]


@pytest.mark.parametrize(("line", "expected_id", "layer", "symptom"), NAMED,
                         ids=[n[1] for n in NAMED])
def test_a_message_is_named_with_its_layer_and_what_people_see(line, expected_id, layer,
                                                               symptom):
    hit = CAT.find(line)
    assert hit is not None and hit.signature.id == expected_id
    assert (hit.signature.scaling_layer, hit.signature.symptom) == (layer, symptom)


# The same troubles told in plain words, or a quiet reading of the same tools: no entry fires.
QUIET = [
    "we hit the rabbitmq channel limit yesterday",
    "hikari pool stats look fine most of the day",
    "HikariPool-1 - Pool stats (total=10, active=3, idle=7, waiting=0)",
    "Seconds_Behind_Source: 0",
    "Seconds_Behind_Source: 4",
    "cloudflare keeps rate limiting our crawler",
    "the kafka consumer group is rebalancing a lot",
    "our prisma transactions time out under load",
    "is the dns server reachable from the pods?",
    "we have a metadata lock problem on mysql",
    "the queue limit was reached on the worker",
    "stuck threads in tomcat during the sale",
    "envoy rate limited some requests at peak",
]


@pytest.mark.parametrize("text", PROSE + QUIET)
def test_ordinary_prose_or_a_quiet_reading_hits_nothing(text):
    assert CAT.find(text) is None
