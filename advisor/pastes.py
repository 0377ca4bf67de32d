"""What tools print, said the way the readers of `advisor.units` take it.

On-call people paste what their tools show: top and free, kubectl and vmstat tables,
MySQL's and Redis's status, pgbouncer's pools, CloudWatch and Prometheus alerts, load
generators' summaries. Each form is rewritten here into the words and units a person
would have typed ("%Cpu(s): ... 3.0 id" -> "cpu 97%"), so the one reader of free text
reads them; nothing here decides what a number is a reading of. Takes and returns text
already lower-cased.
"""

from __future__ import annotations

import re


def as_said(text: str) -> str:
    """`text` with every form below rewritten as the reading it gives. Each kind of form
    is looked for only where a word every one of them holds is there: most texts are
    sentences, and the request path reads every one."""
    for rewrite, marks in _REWRITES:
        if any(mark in text for mark in marks):
            text = rewrite(text)
    return text


# What the tools on a host print. top's and uptime's head counts logged-in sessions ("1
# user, load average: ..."), not people using the product. A CPU line (top, BusyBox,
# macOS) says how busy the CPU is as what is neither idle nor waiting on I/O. A memory
# line (procps top since 3.3.10, free with an `available` column) says used of total,
# where used leaves out the cache the kernel gives back (the older forms counted the cache
# as used, so they are left alone).
_LOGGED_IN_RE = re.compile(r"\b\d+\s+users?(?=,\s+load averages?:)")
_CPU_LINE_RE = re.compile(
    r"(?<![\w.])%?cpu(?:\d+|\(s\))?\s*(?:usage)?\s*:\s*"
    r"(?P<fields>(?:\d{1,3}(?:\.\d+)?\s*%?\s*[a-z]{2,6}\b[\s,]*){3,})")
_CPU_FIELD_RE = re.compile(r"(?P<n>\d{1,3}(?:\.\d+)?)\s*%?\s*(?P<name>[a-z]{2,6})\b")
_IDLE_FIELDS = {"id", "idle"}
_WAIT_FIELDS = {"wa", "io", "iowait"}
_SIZE = r"\d+(?:\.\d+)?\s?(?:[kmgtp]i?b?|b)?"
_TOP_MEMORY_RE = re.compile(
    rf"\b(?:[kmgtp]i?b\s+)?mem\s*:\s*(?P<total>{_SIZE})\s*total,\s*(?P<free>{_SIZE})\s*free,"
    rf"\s*(?P<used>{_SIZE})\s*used\b")
_FREE_TABLE_RE = re.compile(
    rf"\btotal\s+used\s+free\s+shared\s+buff/cache\s+available\s*\n\s*mem:\s+"
    rf"(?P<total>{_SIZE})\s+(?P<used>{_SIZE})\s+(?P<free>{_SIZE})\s+{_SIZE}\s+{_SIZE}"
    rf"\s+{_SIZE}")


# `docker stats`: its headings hold spaces ("CPU %", "MEM USAGE / LIMIT"), so its rows are
# read by their own shape. A container's MEM % is of its limit, like kubectl's MEMORY%
# (the fullest container binds); its CPU % counts one core as 100%, no share of a machine.
_DOCKER_STATS_RE = re.compile(
    rf"(?m)^\S+\s+\S+\s+\d+(?:\.\d+)?%\s+{_SIZE}\s*/\s*{_SIZE}\s+(?P<mem>\d+(?:\.\d+)?)%\s.*$")


def _host_tool_lines(text: str) -> str:
    """`text` with each such line said as the reading it gives (see above)."""
    text = _CPU_LINE_RE.sub(_cpu_line, _LOGGED_IN_RE.sub("", text))
    for pattern in (_TOP_MEMORY_RE, _FREE_TABLE_RE):
        text = pattern.sub(_memory_line, text)
    if "mem usage / limit" in text:
        text = _docker_stats(text)
    return _column_tables(text) if "\n" in text else text


def _docker_stats(text: str) -> str:
    shares = [float(m.group("mem")) for m in _DOCKER_STATS_RE.finditer(text)]
    if not shares:
        return text
    return f"{_DOCKER_STATS_RE.sub('', text)}\nmemory {max(shares):g}%; "


# Tables of columns, read by their heading: `kubectl top node|pod` (`CPU%`, `MEMORY%`: the
# busiest row, the one that binds), pgbouncer's `SHOW POOLS` (the fullest pool), vmstat
# (`us sy id wa`: its last sample, the first is the average since boot) and mpstat or sar
# (`%idle`, `%iowait`: the last `all` row).
_TABLE_ROWS = 200
_TABLE_HEADS = frozenset({"cpu%", "memory%", "id", "%idle", "sv_active"})


def _column_tables(text: str) -> str:
    """`text` with each table of a known heading said as its reading (see above)."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        head = lines[i].split()
        rows = []
        j = i + 1
        while (_TABLE_HEADS.intersection(head) and j < len(lines) and j - i <= _TABLE_ROWS
               and len(lines[j].split()) == len(head)):
            rows.append(lines[j].split())
            j += 1
        said = _table_reading(head, rows) if rows else None
        out.extend(lines[i:j] if said is None else [said])  # a table read once, either way
        i = j
    return "\n".join(out)


def _table_reading(head: list[str], rows: list[list[str]]) -> str | None:
    """What a table with this heading says, as words and shares; None for other tables."""
    def column(name: str, chosen: list[list[str]]) -> list[float]:
        at = head.index(name)
        return [float(v) for row in chosen
                if re.fullmatch(r"\d+(?:\.\d+)?", v := row[at].rstrip("%"))]
    if "cpu%" in head or "memory%" in head:
        said = [f"{word} {max(values):g}%"
                for name, word in (("cpu%", "cpu"), ("memory%", "memory"))
                if name in head and (values := column(name, rows))]
        return "; ".join(said) + "; " if said else None
    if {"sv_active", "sv_idle"} <= set(head):  # pgbouncer's SHOW POOLS: the fullest pool
        shares = [share for a, i in zip(column("sv_active", rows), column("sv_idle", rows),
                                        strict=False)
                  if (share := _servers_share(a, i)) is not None]
        return _pool_said(max(shares)) if shares else None
    if {"us", "sy", "id", "wa"} <= set(head):
        chosen = rows[-1:]
        idle, wait = column("id", chosen), column("wa", chosen)
    elif "%idle" in head and "%iowait" in head:
        chosen = [row for row in rows if "all" in row][-1:] or rows[-1:]
        idle, wait = column("%idle", chosen), column("%iowait", chosen)
    else:
        return None
    if not idle or not wait or idle[0] + wait[0] > 100:
        return None
    return f"cpu {100 - idle[0] - wait[0]:.3g}%; "


def _cpu_line(m: re.Match[str]) -> str:
    fields = {f.group("name"): float(f.group("n"))
              for f in _CPU_FIELD_RE.finditer(m.group("fields"))}
    idle = next((v for k, v in fields.items() if k in _IDLE_FIELDS), None)
    if idle is None or idle > 100:
        return m.group(0)
    waiting = sum(v for k, v in fields.items() if k in _WAIT_FIELDS)
    return f"cpu {max(0.0, 100 - idle - waiting):.3g}%; "


def _memory_line(m: re.Match[str]) -> str:
    total = _in_bytes(m.group("total"))
    if total <= 0 or _in_bytes(m.group("used")) > total:
        return m.group(0)
    return f"memory {_in_bytes(m.group('used')) / total * 100:.3g}%; "


def _in_bytes(size: str) -> float:
    """A size as the tools print it ("15890.0", "14Gi", "3.91G", "512M") in one scale."""
    number = re.match(r"\d+(?:\.\d+)?", size)
    if number is None:
        return 0.0
    unit = size[number.end():].strip()[:1]
    return float(number.group(0)) * 1024.0 ** ("kmgtp".index(unit) + 1 if unit and unit != "b"
                                               else 0)


# What databases print about themselves (CamelCase names arrive cut into words and lower
# case): MySQL's status and variables (`Threads_connected`, `max_connections`) are a pool
# in use; its slow log's `Query_time: 12.3` is a query's seconds; `Seconds_Behind_Master`
# (`_Source` since 8.0.22) is a replica's lag; Redis's `keyspace_hits` and
# `keyspace_misses` are its hit rate; pgbouncer's `sv_active` and `sv_idle` (a log line's
# pairs, or `SHOW POOLS` read as a table above) its server connections in use.
_DATABASE_FORMS = (
    (re.compile(r"\bthreads_connected\b[\s|:=]{1,8}(\d+)\b"), r"\1 connections in use"),
    (re.compile(r"\bmax_connections\b[\s|:=]{1,8}(\d+)\b"), r"max_connections = \1"),
    (re.compile(r"\bquery_time:\s*(\d+(?:\.\d+)?)(?![\w.])"), r"slowest query \1s"),
    (re.compile(r"\bseconds_behind_(?:master|source)\b[\s|:=]{1,8}(\d+)\b"), r"replica lag \1s"),
)
_PGBOUNCER_RE = re.compile(r"\bsv_active=(?P<active>\d+)\s+sv_idle=(?P<idle>\d+)\b")
_KEYSPACE_RE = re.compile(r"\bkeyspace_hits:(?P<hits>\d+)\s+keyspace_misses:(?P<misses>\d+)\b")


# psql's answer of one value: its column's name, a rule of dashes, the value, "(1 row)".
# `SHOW max_connections` is the limit; a count from pg_stat_activity, connections in use.
_PSQL_ONE_VALUE_RE = re.compile(
    r"(?m)^[ \t]*(?P<name>\w+)[ \t]*\n[ \t]*-+[ \t]*\n[ \t]*(?P<n>\d+)[ \t]*\n[ \t]*\(1 row\)")


def _psql_values(text: str) -> str:
    def said(m: re.Match[str]) -> str:
        name, n = m.group("name"), m.group("n")
        if name == "max_connections":
            return f"max_connections = {n}"
        if name == "count" and "pg_stat_activity" in text:
            return f"{n} connections in use"
        return m.group(0)
    return _PSQL_ONE_VALUE_RE.sub(said, text)


def _database_tool_lines(text: str) -> str:
    """`text` with each such line said as the reading it gives (see above)."""
    text = _psql_values(text) if "(1 row)" in text else text
    for pattern, said in _DATABASE_FORMS:
        text = pattern.sub(said, text)
    return _KEYSPACE_RE.sub(_hit_rate, _PGBOUNCER_RE.sub(_servers_line, text))


def _servers_line(m: re.Match[str]) -> str:
    share = _servers_share(float(m.group("active")), float(m.group("idle")))
    return m.group(0) if share is None else _pool_said(share)


def _servers_share(active: float, idle: float) -> float | None:
    """pgbouncer's server connections in use, as a share of its pool, in percent."""
    return None if active + idle <= 0 else active / (active + idle) * 100


def _pool_said(share: float) -> str:
    # set apart from the words before: a number takes the word after it as its unit
    return f"; pool in use {share:.4g}%; "


def _hit_rate(m: re.Match[str]) -> str:
    hits, misses = int(m.group("hits")), int(m.group("misses"))
    if hits + misses == 0:
        return m.group(0)
    return f"cache hit rate {hits / (hits + misses) * 100:.4g}%; "


# What alerts print. A CloudWatch alarm's reason: "Threshold Crossed: 3 out of the last 3
# datapoints [97.1 (29/11/26 06:00:00), 96.4 (...)] was greater than the threshold
# (80.0)". The newest datapoint comes first; which measure it is, the alarm's metric
# (`CPUUtilization`) or failing that its name says, and an RDS namespace or dimension says
# whose. A Prometheus rule's summary "CPU usage is above 90% (current value: 97.4)": the
# value is the reading, the threshold is not. Kubernetes' event count "(x12 over 10m)" is
# how often an event repeated, no growth. A rule's description with its threshold and the
# value on a line of its own ("too many connections (> 80%)", "CPU load is > 80%" ...
# "VALUE = 93.5", as widely shared Prometheus rules write them): the value stands where
# the threshold was.
_THRESHOLD_CROSSED_RE = re.compile(
    r"\bthreshold crossed:\s*\d+ (?:out )?of the last \d+ datapoints?\s*"
    r"\[\s*(?P<n>\d+(?:\.\d+)?)[^\]\n]{0,400}\]\s*was (?:greater|less) than"
    r"(?: or equal to)? the threshold\s*\(\s*[\d.]+\s*\)")
_ALARM_NAME_RE = re.compile(r"\balarm:?\s*\"(?P<name>[^\"\n]{1,200})\"")
_ALARM_SHARES = (("cpu", re.compile(r"\bcpu ?utili[sz]ation\b|\bcpu\b|cpu[-_]|[-_]cpu")),
                 ("memory", re.compile(r"\b(?:memory ?utili[sz]ation|mem_used_percent)\b")))
_RDS_RE = re.compile(r"\baws/rds\b|\bdb ?(?:instance|cluster) ?identifier\b")
_CURRENT_VALUE_RE = re.compile(
    r"\b(?:above|over|exceeds?|exceeding|greater than|higher than|>=?)\s*"
    r"(?P<limit>\d+(?:\.\d+)?)\s*(?P<pct>%?)(?P<between>[^\n(]{0,120}?)[\s.,;]*\(?\s*"
    r"current value:?\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<npct>%?)\s*\)?")
_SHARE_WORDS_BEFORE = re.compile(r"\b(?:cpu|memory|mem|utili[sz]ation|usage)\b[^\n]{0,60}$")
# "above the threshold of 1 s", "threshold: 85%": a limit, no reading.
_THRESHOLD_FIGURE_RE = re.compile(
    r"\bthreshold(?:\s+of|\s*[:=])?\s*\d+(?:\.\d+)?(?:\s*(?:%|[a-z]{1,3}\b))?")
_EVENT_COUNT_RE = re.compile(r"\(x\d+ over [^)\n]{1,20}\)")
_THRESHOLD_SHARE_RE = re.compile(r"\(?\s*(?:>=?|above|over)\s*\d+(?:\.\d+)?\s*%(?:\s*\))?")
_VALUE_LINE_RE = re.compile(r"(?m)^\s*value\s*=\s*(?P<n>\d+(?:\.\d+)?)\s*$")


def _alert_forms(text: str) -> str:
    """`text` with each such form said as the reading it gives (see above)."""
    text = _EVENT_COUNT_RE.sub("", _threshold_crossed(text))
    text = _THRESHOLD_FIGURE_RE.sub("threshold", _CURRENT_VALUE_RE.sub(_current_value, text))
    value, limit = _VALUE_LINE_RE.search(text), _THRESHOLD_SHARE_RE.search(text)
    if value and limit and 1 < float(value.group("n")) <= 100:
        text = (f"{text[: limit.start()]}({value.group('n')}%)"
                f"{text[limit.end(): value.start()]}{text[value.end():]}")
    return text


def _current_value(m: re.Match[str]) -> str:
    """The value an alert reports, where its threshold stood: a share when the threshold
    was one, or the alert is about CPU or memory (Datadog writes "above 90.0")."""
    share = m.group("pct") or m.group("npct") or (
        "%" if _SHARE_WORDS_BEFORE.search(m.string, max(0, m.start() - 80), m.start()) else "")
    return f"at {m.group('n')}{share}{m.group('between')}"


def _threshold_crossed(text: str) -> str:
    m = _THRESHOLD_CROSSED_RE.search(text)
    if m is None:
        return text
    named = _ALARM_NAME_RE.search(text)
    alarm = named.group("name") if named else ""
    metric = re.search(r"\bmetric ?name\"?\s*[:=]\s*\"?(\w+(?: utili[sz]ation)?)", text)
    about = metric.group(1) if metric else alarm
    measure = next((said for said, pattern in _ALARM_SHARES if pattern.search(about)), None)
    if measure is None:
        return text
    whose = "database" if _RDS_RE.search(text) else alarm
    return f"{text[: m.start()]}{whose} {measure} {m.group('n')}%; {text[m.end():]}"


# What load generators print: k6's `p(95)=3.1s` and `med=900ms`, a latency distribution
# line (wrk's `  99%    2.40s`, hey's `  95% in 0.2033 secs`, ab's `  95%    300` under its
# "(ms)" heading; `100%` is the slowest, no tail), ab's `81.000 [ms]`, a rate before its
# figure (`Requests/sec: 626.59`, `Requests per second:    1234.56 [#/sec]`), and wrk's
# own threads (`12 threads and 400 connections`), which are no cores, and their stats.
_LOAD_TOOL_FORMS = (
    (re.compile(r"\bp\((\d\d(?:\.\d+)?)\)"), r"p\1"),
    (re.compile(r"\bmed="), "median="),
    (re.compile(r"(?m)^([ \t]*)(\d{2,3}(?:\.\d+)?)%[ \t]+(?:in[ \t]+)?(?=\d)"), r"\1p\2 "),
    (re.compile(r"\b(\d+) threads and (\d+) connections\b"), r"\1 client threads, \2 connections"),
    # wrk's thread stats (avg, stdev, max, +/- stdev): the average, once; a thread's rate
    # is no traffic
    (re.compile(r"(?m)^([ \t]*latency[ \t]+\S+)(?:[ \t]+\S+){2}[ \t]+\d+(?:\.\d+)?%[ \t]*$"),
     r"\1"),
    (re.compile(r"(?m)^[ \t]*req/sec(?:[ \t]+\S+){3}[ \t]+\d+(?:\.\d+)?%[ \t]*$"), ""),
    (re.compile(r"(\d)[ \t]*\[ms\]"), r"\1 ms"),
    (re.compile(r"\b(?:requests?|reqs?)[ \t]*(?:/[ \t]*s(?:ec)?|per[ \t]+second)[ \t]*:[ \t]*"
                r"(\d+(?:\.\d+)?)(?:[ \t]*\[#/sec\])?"), r"\1 req/s"),
)


def _load_tool_forms(text: str) -> str:
    """`text` with each such form said the way the readers below take it (see above)."""
    for pattern, said in _LOAD_TOOL_FORMS:
        text = pattern.sub(said, text)
    return text


_REWRITES = (
    (_host_tool_lines, ("load average", "cpu", "mem", "\n")),
    (_database_tool_lines, ("_",)),
    (_alert_forms, ("threshold", "current value", "value", "(x")),
    (_load_tool_forms, ("p(", "med=", "%", "[ms]", "threads and", "/s", "/sec", "per second")),
)
