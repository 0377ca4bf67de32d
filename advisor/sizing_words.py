"""The values each sizing takes, and how plain words give them ("8 cores ssd", "12k reads/s,
3k per replica", "10GB"): one reading for both fronts, so `scale-advisor size pool 8
cores` and `/scale size pool 8 cores` agree. Each front phrases its own refusals.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from advisor.metrics import MetricName
from advisor.units import (
    SPINNING_WORDS,
    SSD_WORDS,
    AmbiguousUnit,
    ParseError,
    parse_quantity,
    read_text,
)

M = MetricName

# kind -> (value keys -> metric, required keys). Keys are the fronts' names for them
# (`cores=8` in Slack, `--cores 8` in the terminal).
SIZE_VALUES: Mapping[str, tuple[Mapping[str, MetricName], tuple[str, ...]]] = MappingProxyType({
    "pool": ({"cores": M.CORES, "spindles": M.SPINDLES}, ("cores",)),
    "replicas": ({"reads": M.READS_RPS, "per_replica": M.PER_REPLICA_RPS},
                 ("reads", "per_replica")),
    "cache": ({"working_set": M.WORKING_SET_GB}, ("working_set",)),
    "capacity": ({"peak": M.PEAK_RPS, "growth": M.GROWTH_FACTOR, "safety": M.SAFETY_MARGIN},
                 ("peak",)),
})

# What the words of each sizing are about, so a bare `10GB` is the cache's working set and
# a bare `1k rps` the peak; free text needs its subject said.
_SUBJECT = {"pool": "", "replicas": "", "cache": "working set", "capacity": "peak"}


class NothingRead(ValueError):
    """The words give no value this sizing takes; `refused` says which numbers in them
    could not be a reading, and why ("1.5 cores (CPU cores is a whole number)")."""

    def __init__(self, said: str, refused: tuple[str, ...] = ()) -> None:
        super().__init__(said)
        self.refused = refused


class GivenTwice(ValueError):
    """The words give only values already given another way (`--peak 2000 1k rps`)."""

    def __init__(self, keys: list[str]) -> None:
        super().__init__(", ".join(keys))
        self.keys = keys


class UnclearValue(ValueError):
    """A value for `key` that could be read two ways; the message gives both."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class SpindlesNotCounted(ValueError):
    """Spinning disks named with no count (`8 cores hdd`): each adds a connection, so
    their number is asked for, never taken for an SSD's one."""

    def __init__(self, word: str) -> None:
        super().__init__(word)
        self.word = word


def says_ssd(word: str) -> bool:
    """Whether one word (`ssd`, `--ssd`) says the pool's disk is an SSD."""
    return word.strip().lower().lstrip("-") in SSD_WORDS


def _spinning_said(said: str) -> str | None:
    return next((w for w in said.split() if w.lower() in SPINNING_WORDS), None)


def read_plain(kind: str, said: str, given: set[str]
               ) -> tuple[dict[str, float], tuple[str, ...]]:
    """Values for `kind` (by key) from plain words, leaving out keys already `given`, and
    the notes on how converted values were read. A lone number is the one required value
    still missing ("size pool 8"). Raises NothingRead, or UnclearValue ("size cache 10":
    10 MB or 10 GB?), or GivenTwice, or SpindlesNotCounted ("8 cores hdd")."""
    keys, required = SIZE_VALUES[kind]
    reading = read_text(f"{_SUBJECT[kind]} {said}".strip())
    by_metric = {metric: key for key, metric in keys.items()}
    found = {by_metric[m]: v for m, v in reading.metrics.items()
             if m in by_metric and by_metric[m] not in given}
    notes: tuple[str, ...] = reading.notes
    missing = [k for k in required if k not in given]
    if not found and len(missing) == 1:
        try:
            parsed = parse_quantity(said, keys[missing[0]])
        except AmbiguousUnit as err:
            raise UnclearValue(missing[0], str(err)) from err
        except ParseError:
            pass
        else:
            found, notes = {missing[0]: parsed.value}, (parsed.note,) if parsed.note else ()
    spinning = _spinning_said(said) if kind == "pool" else None
    if spinning and "spindles" not in found and "spindles" not in given:
        raise SpindlesNotCounted(spinning)
    if not found and spinning and all(w.lower() in SPINNING_WORDS for w in said.split()):
        return {}, ()  # `spindles=4 hdd`: the disk the count already says
    if not found:
        twice = [by_metric[m] for m in reading.metrics if by_metric.get(m) in given]
        if twice:
            raise GivenTwice(twice)
        raise NothingRead(said, reading.refused)
    return found, notes
