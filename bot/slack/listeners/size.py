"""`/scale size pool|replicas|cache|capacity k=v ...`: the guide's formulas, Slack's way.

Slack's own small reader of `name=value` words (`--name value` works too, for people
who know the CLI) calling the same advisor functions as the terminal's `size`. It builds
nothing per request, so it answers inside the ack at the cost of a dict lookup.
"""

from __future__ import annotations

import difflib

from advisor import sizing
from advisor.models import Sizing
from advisor.playbook import Playbook
from advisor.sizing_words import (
    SIZE_VALUES,
    GivenTwice,
    NothingRead,
    SpindlesNotCounted,
    UnclearValue,
    read_plain,
    says_ssd,
)
from advisor.units import ParseError, parse_value_words, read_as, read_line

EXAMPLES = ("For example: `/scale size pool cores=8 ssd`, `size replicas reads=10k "
            "per-replica=3k`, `size cache working-set=10GB`, `size capacity peak=1000 "
            "growth=3x`.")


# Other words people use for each sizing.
_KIND_WORDS = {"pools": "pool", "connections": "pool", "connection": "pool", "conns": "pool",
               "replica": "replicas", "memory": "cache",
               "redis": "cache", "throughput": "capacity", "peak": "capacity"}


class SizeError(ValueError):
    """What is wrong with a `/scale size` request, in words for the person."""


def _name(word: str) -> str:
    return word.strip().lower().lstrip("-").replace("-", "_")


def _shown(name: str) -> str:
    return name.replace("_", "-")


def read_words(kind: str, words: list[str]) -> tuple[dict[str, float], bool, list[str]]:
    """`cores=8 ssd` or `--cores 8 --ssd` -> ({key: value}, ssd?, a line for each value
    converted or written in words); raises SizeError."""
    keys, _required = SIZE_VALUES[kind]
    values: dict[str, float] = {}
    notes: list[str] = []
    loose: list[str] = []
    last_loose = -1  # where the last loose word stood
    ssd = False
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        name, sep, text = word.partition("=")
        key = _name(name)
        if kind == "pool" and not sep and says_ssd(word):
            ssd = True
            continue
        # `cores 8` gives a value, but in `8 cores 4 spindles` the word is the unit of the
        # number before it, and the next number is another value's.
        unit_of_number = i >= 2 and last_loose == i - 2 and any(c.isdigit() for c in words[i - 2])
        bare_value = i < len(words) and words[i][:1].isdigit() and not unit_of_number
        if not sep and (key not in keys or not (name.startswith("--") or bare_value)):
            loose.append(word)  # "size pool 8 cores", "size cache 10GB": read as words
            last_loose = i - 1
            continue
        if not key:  # `=8`: no name to say it was not known
            raise SizeError(f"A name is missing before `={text}` (use {_known(kind)}).")
        if key not in keys:
            raise SizeError(f"I don't know `{name}` for `size {kind}` (use {_known(kind)}).")
        if not sep:
            if i >= len(words):
                raise SizeError(f"`{_shown(key)}` needs a value, e.g. `{_shown(key)}=8`.")
            text = words[i]
            i += 1
        try:  # "peak=60 thousand": the value may run on past a space
            parsed, taken = parse_value_words(text, words[i:], keys[key])
        except ParseError as err:
            raise SizeError(f"`{_shown(key)}`: {err}") from err
        text = " ".join([text, *words[i:i + taken]])
        i += taken
        if values.get(key, parsed.value) != parsed.value:  # `growth=3x growth=4x`: which?
            raise SizeError(f"`{_shown(key)}` given twice; give it once.")
        values[key] = parsed.value
        if parsed.note:
            notes.append(read_as(f"{_shown(key)}={text}", keys[key], parsed.value, parsed.note))
    if loose:
        found, line = _read_loose(kind, loose, set(values))
        values |= found
        notes += [line] if found else []
    return values, ssd, notes


def _read_loose(kind: str, loose: list[str], given: set[str]) -> tuple[dict[str, float], str]:
    """Values for `kind` read from words that are not `name=value` ("8 cores ssd", "12k
    reads/s, 3k per replica"), and the line that says how; raises SizeError when they
    give none, or give a number that cannot be read."""
    said = " ".join(loose)
    try:
        found, notes = read_plain(kind, said, given)
    except UnclearValue as err:  # "size cache 10": 10 MB or 10 GB?
        raise SizeError(f"`{_shown(err.key)}`: {err}") from err
    except GivenTwice as err:
        raise SizeError(" and ".join(f"`{_shown(k)}`" for k in err.keys)
                        + " given twice; give it once.") from err
    except SpindlesNotCounted as err:
        raise SizeError(f"`{err.word}`: how many spinning disks? Give their number, "
                        "e.g. `spindles=4`.") from err
    except NothingRead as err:
        if err.refused:  # "1.5 cores": the reason, not "I don't know"
            raise SizeError("Not read: " + "; ".join(err.refused) + ".") from err
        raise SizeError(f"I don't know `{loose[0]}` for `size {kind}` "
                        f"(use {_known(kind)}).") from err
    keys = SIZE_VALUES[kind][0]
    return found, read_line({keys[k]: v for k, v in found.items()}, notes=notes,
                            label=f"Read from \"{said}\"")


def _known(kind: str) -> str:
    return ", ".join(_shown(k) for k in SIZE_VALUES[kind][0]) + (", ssd" if kind == "pool" else "")


def compute(args: str, playbook: Playbook) -> tuple[Sizing, list[str]]:
    """The sizing `args` (the words after `size`) asks for, and how its values were read;
    raises SizeError."""
    words = args.split()
    kind = words[0].lower() if words else ""
    kind = _KIND_WORDS.get(kind, kind)
    if kind not in SIZE_VALUES:
        close = difflib.get_close_matches(kind, [*SIZE_VALUES, *_KIND_WORDS], n=1)
        hint = f"Did you mean `size {_KIND_WORDS.get(close[0], close[0])}`? " if close else ""
        said = f"I don't know `size {words[0]}`. " if words else ""
        raise SizeError(f"{said}{hint}Which sizing: pool, replicas, cache or capacity?")
    values, ssd, notes = read_words(kind, words[1:])
    return _sized(kind, values, ssd, playbook), notes


def _sized(kind: str, values: dict[str, float], ssd: bool, playbook: Playbook) -> Sizing:
    """The sizing for values already read; raises SizeError for one missing or clashing."""
    missing = [k for k in SIZE_VALUES[kind][1] if k not in values]
    if missing:
        raise SizeError(f"`size {kind}` needs " + " and ".join(
            f"`{_shown(k)}=...`" for k in missing) + ".")
    if kind == "pool":
        if ssd and "spindles" in values:
            raise SizeError("Give `spindles` or `ssd`, not both.")
        spindles = values.get("spindles")
        return sizing.pool(int(values["cores"]), None if spindles is None else int(spindles),
                           ssd=ssd, playbook=playbook)
    if kind == "replicas":
        return sizing.replicas(values["reads"], values["per_replica"], playbook)
    if kind == "cache":
        return sizing.cache(values["working_set"], playbook)
    return sizing.capacity(values["peak"], values.get("growth", 1.0), values.get("safety"),
                           playbook)
