"""What the SQLite benchmarks share: their integer options, a throwaway store, a percentile.

Imported by the scripts beside it (`python3 benchmarks/<script>.py` puts this folder first
on the import path).
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conversations.store import Store


def int_options(description: str, **defaults: int) -> argparse.Namespace:
    """Parse `--name N` for every default given (underscores become dashes)."""
    parser = argparse.ArgumentParser(description=description.splitlines()[0])
    for name, default in defaults.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=default)
    return parser.parse_args()


@contextmanager
def temp_store(filename: str) -> Iterator[tuple[Path, Store]]:
    """A fresh database file in a folder removed afterwards, and the store on it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / filename
        with Store(path) as store:
            yield path, store


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
