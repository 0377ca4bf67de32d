"""How the matcher's accuracy grows with the real labelled phrases it learns from: the
learned part is fitted again on a share of ../shared/eval's tune and dev phrases (drawn at
random within each label, several draws) plus all the project's own phrases, and scored on
a sample it never learned from. It says whether more labelled text would close a gap, and
by about how much.

Run: python3 benchmarks/learning_curve.py                    # scored on the holdout
     python3 benchmarks/learning_curve.py --file my_phrases.jsonl --draws 3
Needs the train extra (pip install -e '.[train]'); each fit takes about half a minute.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections import defaultdict
from pathlib import Path
from types import ModuleType

from understanding import FILES, evaluate, read, reading_of, rows

from advisor.learned import Model
from advisor.matching import match

ROOT = Path(__file__).resolve().parents[1]
MEASURES = ("layer", "noise", "topic")


def trainer() -> ModuleType:
    """The script that builds the shipped model, as a module."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import sklearn  # noqa: F401  (fit needs it; say so before any work)
        import train_matcher
    except ImportError as exc:
        raise SystemExit(f"needs the train extra ({exc.name} is missing): "
                         "pip install -e '.[train]'") from None
    return train_matcher


def share_of(real: list[dict], share: float, seed: int) -> list[dict]:
    """`share` of the real rows, drawn within each label so every label keeps its weight."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in real:
        groups[(row["kind"], row.get("layer") or row.get("topic"))].append(row)
    draw = random.Random(seed)
    return [row for group in groups.values()
            for row in draw.sample(group, round(len(group) * share))]


def scores(tm: ModuleType, train: list[dict], sample: list[dict]) -> dict[str, float]:
    """Each measure's accuracy on `sample` of a model fitted on `train` alone, fitted as
    `tm` (the trainer) fits the shipped one, so the curve speaks for that model."""
    model = Model.from_arrays(tm.fit(train, tm.C, tm.KIND_VOCAB))
    result = evaluate(sample, lambda text: reading_of(match(text, model=model)))
    return {k: result["right"][k] / result["total"][k] for k in MEASURES if result["total"][k]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path, help="a labelled sample to score on (default: holdout)")
    ap.add_argument("--shares", default="0,0.25,0.5,0.75,1", help="shares of the real rows")
    ap.add_argument("--draws", type=int, default=3, help="random draws per share under 1")
    args = ap.parse_args()
    tm = trainer()
    sample = read(args.file) if args.file else rows("holdout")
    real = tm.read_jsonl(tm.EVAL / FILES["tune"]) + tm.read_jsonl(tm.EVAL / FILES["dev"])
    own = tm.knowledge_rows() + tm.own_rows()
    print(f"{args.file or 'holdout'}: {len(sample)} phrases; {len(real)} real rows to learn "
          f"from, {len(own)} of the project's own always in")
    print(f"{'share':>6} {'rows':>5}  " + "  ".join(f"{m:>14}" for m in MEASURES))
    for share in (float(s) for s in args.shares.split(",")):
        draws = 1 if share in (0.0, 1.0) else args.draws
        got = [scores(tm, share_of(real, share, seed) + own, sample) for seed in range(draws)]
        cells = []
        for m in MEASURES:
            values = [g[m] for g in got if m in g]
            spread = f"±{(max(values) - min(values)) / 2:.3f}" if len(values) > 1 else " " * 6
            cells.append(f"{statistics.mean(values):.3f} {spread}" if values else " " * 14)
        print(f"{share:>6.2f} {round(len(real) * share):>5}  " + "  ".join(cells), flush=True)


if __name__ == "__main__":
    from closed_pipe import run

    run(main)
