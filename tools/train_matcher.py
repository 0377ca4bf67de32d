"""Train the learned matcher and write advisor/data/matcher.npz; or cross-validate options.

Run (needs the training extra: pip install -e '.[train]'):
    python3 tools/train_matcher.py            # train on everything, write the arrays
    python3 tools/train_matcher.py --cv       # 5-fold cross-validation of the options

Learns from ../shared/eval/tune.jsonl and dev_phrases.jsonl (read in place, never
copied), the project's own phrases in training/phrases.jsonl, and the packaged
knowledge: decision-matrix labels, bottlenecks by layer, topic titles and intros, and
the error-signature catalogue (literal or meaning -> layer). The holdout is never read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from advisor.features import featurise  # noqa: E402
from advisor.learned import NOISE, OUT, kind_of, label_of  # noqa: E402
from advisor.playbook import default_playbook  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
OWN = ROOT / "training" / "phrases.jsonl"
SEED = 7
C = 4.0


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def knowledge_rows() -> list[dict]:
    """Labelled examples the project's own data gives for free."""
    pb = default_playbook()
    rows: list[dict] = []
    for row in pb.decision_matrix:
        for text in (row.label, row.label.lower(), row.symptom.value.replace("_", " ")):
            rows.append({"text": text, "kind": "symptom", "layer": row.layer.value,
                         "symptom": row.symptom.value})
    for entry in pb.layers:
        for said in entry.symptoms:
            rows.append({"text": f"{entry.label}: {said}", "kind": "symptom",
                         "layer": entry.layer.value, "symptom": None})
    for topic in pb.topics:
        rows.append({"text": topic.title, "kind": "question", "topic": topic.id.value})
        rows.append({"text": topic.intro, "kind": "question", "topic": topic.id.value})
    rows.extend(signature_rows())
    return rows


def signature_rows() -> list[dict]:
    """Each catalogue entry twice: the text software emits, and our sentence about it."""
    try:
        from advisor.signatures import default_catalogue
    except ImportError:
        return []
    rows = []
    for sig in default_catalogue().signatures:
        said = sig.literal or ""
        for text in (said, sig.meaning):
            if not text:
                continue
            if sig.layer == "none":
                rows.append({"text": text, "kind": "noise"})
            else:
                rows.append({"text": text, "kind": "symptom", "layer": sig.layer,
                             "symptom": sig.symptom})
    return rows


def design(texts: list[str], index: dict[str, int] | None = None, min_df: int = 2):
    """Sparse rows for `texts`; builds the feature index from them when none is given."""
    from scipy.sparse import csr_matrix

    feats = [featurise(t) for t in texts]
    if index is None:
        df = Counter(n for f in feats for n in set(f.names))
        index = {n: i for i, n in enumerate(sorted(n for n, c in df.items() if c >= min_df))}
    data, cols, ptr = [], [], [0]
    for f in feats:
        for name, value in zip(f.names, f.values, strict=True):
            col = index.get(name)
            if col is not None:
                cols.append(col)
                data.append(value)
        ptr.append(len(cols))
    return csr_matrix((data, cols, ptr), shape=(len(texts), len(index))), index


def fit(rows: list[dict], c: float = C):
    """Two logistic regressions: the flat label, and the decision-matrix row of symptoms."""
    from sklearn.linear_model import LogisticRegression

    x, index = design([r["text"] for r in rows])
    y = [label_of(r) for r in rows]
    main = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(x, y)
    sym_idx = [i for i, r in enumerate(rows) if r["kind"] == "symptom"]
    ys = [rows[i].get("symptom") or "none" for i in sym_idx]
    sym = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(x[sym_idx], ys)
    return index, main, sym


def to_arrays(index, main, sym) -> dict[str, np.ndarray]:
    names = sorted(index, key=index.get)
    return {
        "features": np.array(names),
        "classes": np.array(list(main.classes_)),
        "weights": main.coef_.T.astype(np.float32),
        "bias": main.intercept_.astype(np.float32),
        "symptom_classes": np.array(list(sym.classes_)),
        "symptom_weights": sym.coef_.T.astype(np.float32),
        "symptom_bias": sym.intercept_.astype(np.float32),
    }


# ------------------------------------------------------------------ cross-validation


def score(rows: list[dict], predict) -> dict[str, tuple[int, int]]:
    """(right, total) per measure: layer of symptoms, noise rejected, topic of questions."""
    out = {"layer": [0, 0], "noise": [0, 0], "topic": [0, 0]}
    for r in rows:
        layer, topic = predict(r["text"])
        key = {"symptom": "layer", "noise": "noise", "question": "topic"}[r["kind"]]
        want = {"symptom": r.get("layer"), "noise": None, "question": r.get("topic")}[r["kind"]]
        got = {"symptom": layer, "noise": layer, "question": topic}[r["kind"]]
        out[key][0] += got == want
        out[key][1] += 1
    return {k: (a, b) for k, (a, b) in out.items()}


def folds(rows: list[dict], k: int = 5) -> list[list[int]]:
    """Stratified by flat label, fixed seed."""
    rng = np.random.default_rng(SEED)
    by: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by.setdefault(label_of(r), []).append(i)
    out: list[list[int]] = [[] for _ in range(k)]
    turn = 0
    for label in sorted(by):
        idx = by[label]
        rng.shuffle(idx)
        for i in idx:
            out[turn % k].append(i)
            turn += 1
    return out


def cross_validate(rows: list[dict], extra: list[dict], options: list[str]) -> None:
    from advisor import learned

    parts = folds(rows)
    totals: dict[str, dict[str, list[int]]] = {o: {} for o in options}
    for f, test_idx in enumerate(parts):
        test_set = set(test_idx)
        train = [r for i, r in enumerate(rows) if i not in test_set] + extra
        test = [rows[i] for i in test_idx]
        model = learned.Model.from_arrays(to_arrays(*fit(train)))
        for option in options:
            predict = predictor(option, model, train)
            for k, (a, b) in score(test, predict).items():
                t = totals[option].setdefault(k, [0, 0])
                t[0] += a
                t[1] += b
        print(f"fold {f + 1}/{len(parts)} done", file=sys.stderr)
    for option in options:
        t = totals[option]
        print(f"{option:>14}: " + "  ".join(f"{k} {a / b:.3f} ({a}/{b})" for k, (a, b) in t.items()))


def predictor(option: str, model, train: list[dict]):
    if option == "vocabulary":
        from advisor.vocab_matching import match as vocab_match

        def vocab(text):
            m = vocab_match(text)
            return (m.layer.value if m.layer else None, m.topic.value if m.topic else None)
        return vocab
    if option == "rapidfuzz":
        from rapidfuzz import fuzz, process

        texts = [r["text"] for r in train]

        def nearest(text):
            _, _, i = process.extractOne(text, texts, scorer=fuzz.token_set_ratio)
            r = train[i]
            return (r.get("layer") if r["kind"] == "symptom" else None,
                    r.get("topic") if r["kind"] == "question" else None)
        return nearest
    if option == "linear":
        def linear(text):
            p = model.predict(text)
            return p.layer, p.topic
        return linear
    if option == "signatures+lin":
        from advisor.matching import match

        def full(text):
            m = match(text, model=model)
            return (m.layer.value if m.layer else None, m.topic.value if m.topic else None)
        return full
    raise SystemExit(f"unknown option {option}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cv", action="store_true", help="cross-validate instead of training")
    ap.add_argument("--options", default="vocabulary,rapidfuzz,linear,signatures+lin")
    ap.add_argument("--out", default=str(ROOT / "advisor" / "data" / "matcher.npz"))
    args = ap.parse_args()
    if not EVAL.exists():
        raise SystemExit(f"labelled phrases not found at {EVAL}")
    rows = read_jsonl(EVAL / "tune.jsonl") + read_jsonl(EVAL / "dev_phrases.jsonl")
    extra = knowledge_rows() + (read_jsonl(OWN) if OWN.exists() else [])
    print(f"{len(rows)} labelled phrases, {len(extra)} from the project's own data",
          file=sys.stderr)
    if args.cv:
        cross_validate(rows, extra, args.options.split(","))
        return
    arrays = to_arrays(*fit(rows + extra))
    np.savez_compressed(args.out, **arrays)
    size = Path(args.out).stat().st_size
    print(f"wrote {args.out}: {len(arrays['features'])} features, "
          f"{len(arrays['classes'])} classes, {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
