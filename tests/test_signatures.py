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


@pytest.mark.parametrize("text", PROSE)
def test_ordinary_prose_hits_nothing(text):
    assert CAT.find(text) is None


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
