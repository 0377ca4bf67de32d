"""How well the matcher reads real text: accuracy per layer, noise and topic, a confusion
matrix of layers, and ms per phrase, on the labelled phrases in ../shared/eval.

Run: python3 benchmarks/understanding.py            # the holdout (report only; never tune)
     python3 benchmarks/understanding.py --data tune # the phrases the model learned from
     python3 benchmarks/understanding.py --file my_phrases.jsonl  # any sample labelled the
                                                     # same way (see ../shared/eval/README.md)
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from advisor.matching import match
from advisor.models import Layer, Match

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
FILES = {"holdout": "holdout.jsonl", "tune": "tune.jsonl", "dev": "dev_phrases.jsonl"}


def rows(name: str) -> list[dict]:
    return read(EVAL / FILES[name])


def read(path: Path) -> list[dict]:
    """Labelled phrases, one JSON object a line: `text`, `kind` and its `layer` or `topic`."""
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SystemExit(f"labelled phrases not readable at {path}: {exc}") from None
    data = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SystemExit(f"{path}:{number}: not JSON ({exc.msg})") from None
        kind = row.get("kind") if isinstance(row, dict) else None
        need = {"symptom": "layer", "question": "topic", "noise": "text"}.get(kind)
        if need is None or not isinstance(row.get("text"), str) or not row.get(need):
            raise SystemExit(f"{path}:{number}: needs text and kind (symptom with a layer, "
                             "question with a topic, or noise)")
        data.append(row)
    return data


Reading = tuple[str, str | None, str | None]  # kind, layer, topic


def reading_of(m: Match) -> Reading:
    """A match as the measures need it."""
    return m.kind, m.layer.value if m.layer else None, m.topic.value if m.topic else None


def matcher_reading(text: str) -> Reading:
    """What the matcher makes of `text`, as the measures need it."""
    return reading_of(match(text))


def evaluate(data: list[dict], read: Callable[[str], Reading] = matcher_reading) -> dict:
    """Right/total per measure, per layer, the layer confusion counts and timings."""
    right: Counter = Counter()
    total: Counter = Counter()
    confusion: Counter = Counter()
    times: list[float] = []
    for row in data:
        start = time.perf_counter()
        kind, layer, topic = read(row["text"])
        times.append((time.perf_counter() - start) * 1000)
        if row["kind"] == "symptom":
            ok = layer == row["layer"]
            total["layer"] += 1
            right["layer"] += ok
            total["layer:" + row["layer"]] += 1
            right["layer:" + row["layer"]] += ok
            confusion[(row["layer"], layer or kind)] += 1
        elif row["kind"] == "noise":
            total["noise"] += 1
            right["noise"] += layer is None
        else:
            total["topic"] += 1
            right["topic"] += topic == row["topic"]
    return {"right": right, "total": total, "confusion": confusion, "times": times}


def report(result: dict) -> list[str]:
    right, total = result["right"], result["total"]
    lines = []
    for key in ["layer", *(f"layer:{x.value}" for x in Layer), "noise", "topic"]:
        if total[key]:
            lines.append(f"{key:<22} {right[key] / total[key]:.3f}  ({right[key]}/{total[key]})")
    cols = [x.value for x in Layer] + ["noise", "question"]
    lines.append("")
    lines.append("confusion (rows: label, columns: answer)")
    lines.append(" " * 14 + "".join(f"{c[:10]:>11}" for c in cols))
    for label in (x.value for x in Layer):
        counts = "".join(f"{result['confusion'][(label, c)]:>11}" for c in cols)
        lines.append(f"{label:<14}{counts}")
    times = sorted(result["times"])
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    lines.append("")
    lines.append(f"ms per phrase: median {statistics.median(times):.3f}, p99 {p99:.3f} "
                 f"(first call includes loading)")
    return lines


def sample_args(description: str) -> argparse.Namespace:
    """`--data NAME` (one of ../shared/eval's files, the holdout by default) or `--file PATH`."""
    ap = argparse.ArgumentParser(description=description)
    source = ap.add_mutually_exclusive_group()
    source.add_argument("--data", choices=sorted(FILES), default="holdout")
    source.add_argument("--file", type=Path, help="a labelled sample of your own")
    return ap.parse_args()


def sample(args: argparse.Namespace) -> tuple[str, list[dict]]:
    """The sample the arguments name, and its name."""
    return str(args.file or args.data), read(args.file) if args.file else rows(args.data)


def main() -> None:
    name, data = sample(sample_args(__doc__.splitlines()[0]))
    print(f"{name}: {len(data)} phrases")
    print("\n".join(report(evaluate(data))))


if __name__ == "__main__":
    from closed_pipe import run

    run(main)
