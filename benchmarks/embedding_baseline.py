"""The yardstick the matcher is held against: the whole sentence model its word vectors are
distilled from, with one logistic regression per head (kind, layer, topic), trained on
exactly the rows the matcher learns from and scored the same way, printed beside the
matcher's own figures.

The sentence model reads words in context, which the matcher's static vectors cannot; it
also needs about 23 million weights and tens of ms a phrase, far outside what the matcher
may ship and spend. This script shows what that costs in accuracy.

A third column hands the sentence model only the texts the matcher is unsure of (no
signature, and a confidence under the matcher's own bar for a clear answer), the matcher
keeping the rest: what a slow path for unsure texts, beside today's fast one, would gain.

Run (needs the train and vectors extras: pip install -e '.[train,vectors]'):
    python3 benchmarks/embedding_baseline.py                 # the holdout (report only)
    python3 benchmarks/embedding_baseline.py --file ours.jsonl
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from understanding import Reading, evaluate, reading_of, sample, sample_args

from advisor.matching import CLEAR_LAYER, match

ROOT = Path(__file__).resolve().parents[1]
HEADS = ("kind", "layer", "topic")
C = 4.0  # the regularisation the heads were measured with; 1 to 16 moved no measure much


def training_rows() -> list[dict]:
    """The rows tools/train_matcher.py fits the matcher on."""
    sys.path.insert(0, str(ROOT / "tools"))
    import train_matcher as tm

    return (tm.read_jsonl(tm.EVAL / "tune.jsonl") + tm.read_jsonl(tm.EVAL / "dev_phrases.jsonl")
            + tm.knowledge_rows() + tm.own_rows())


def head_label(head: str, row: dict) -> str | None:
    if head == "kind":
        return row["kind"]
    wanted = {"layer": "symptom", "topic": "question"}[head]
    return row.get(head) if row["kind"] == wanted else None


def fit(encode, train: list[dict]) -> dict:
    """One logistic regression per head over the sentence model's vectors."""
    from sklearn.linear_model import LogisticRegression

    vectors = encode([r["text"] for r in train])
    heads = {}
    for head in HEADS:
        idx = [i for i, r in enumerate(train) if head_label(head, r)]
        heads[head] = LogisticRegression(C=C, max_iter=3000, class_weight="balanced").fit(
            vectors[idx], [head_label(head, train[i]) for i in idx])
    return heads


def reader(encode, heads: dict):
    def reading(text: str) -> Reading:
        vector = encode([text])
        kind, layer, topic = (heads[h].predict(vector)[0] for h in HEADS)
        return (kind, layer if kind == "symptom" else None,
                topic if kind == "question" else None)
    return reading


def handoff_reader(model: Callable[[str], Reading], below: float = CLEAR_LAYER,
                   handed: list[str] | None = None) -> Callable[[str], Reading]:
    """The matcher's reading, unless it recognised no signature and its confidence is
    under `below`: then `model`'s. Each text handed over is appended to `handed`."""
    def reading(text: str) -> Reading:
        found = match(text)
        if found.signature is not None or found.confidence >= below:
            return reading_of(found)
        if handed is not None:
            handed.append(text)
        return model(text)
    return reading


def load_encoder():
    """The sentence model, from the offline package the vectors were distilled from."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        sys.path.insert(0, str(ROOT / "tools"))
        import sklearn.linear_model  # noqa: F401  (fit needs it; say so before any work)
        from distill_vectors import model_path
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise SystemExit(f"needs the train and vectors extras ({exc.name} is missing): "
                         "pip install -e '.[train,vectors]'") from None
    model = SentenceTransformer(model_path(None), device="cpu")
    return lambda texts: model.encode(texts, batch_size=64, normalize_embeddings=True)


def main() -> None:
    args = sample_args(__doc__.splitlines()[0])
    encode = load_encoder()  # before any work: without the extras, say so at once
    name, data = sample(args)
    start = time.perf_counter()
    heads = fit(encode, training_rows())
    print(f"{name}: {len(data)} phrases; sentence model heads fitted in "
          f"{time.perf_counter() - start:.0f} s")
    handed: list[str] = []
    results = [evaluate(data), evaluate(data, reader(encode, heads)),
               evaluate(data, handoff_reader(reader(encode, heads), handed=handed))]
    print(f"{'measure':<22} {'matcher':>16} {'sentence model':>16} {'unsure to model':>16}")
    for key in ["layer", "noise", "topic"]:
        cells = [f"{r['right'][key] / r['total'][key]:.3f} ({r['right'][key]}/{r['total'][key]})"
                 if r["total"][key] else "-" for r in results]
        print(f"{key:<22} {cells[0]:>16} {cells[1]:>16} {cells[2]:>16}")
    medians = [statistics.median(r["times"]) for r in results]
    print(f"{'ms per phrase (median)':<22} {medians[0]:>16.2f} {medians[1]:>16.2f} "
          f"{medians[2]:>16.2f}")
    print(f"texts handed to the sentence model: {len(handed)} of {len(data)} "
          f"(confidence under {CLEAR_LAYER}, no signature)")


if __name__ == "__main__":
    from closed_pipe import run

    run(main)
