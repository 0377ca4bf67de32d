"""A text's meaning as one vector: the mean of its word pieces' static vectors.

The vectors (advisor/data/wordvectors.npz) are distilled offline from a sentence-embedding
model by `python3 tools/distill_vectors.py`; they let the learned matcher weigh words it
never saw in its labelled phrases by the company they keep ("sluggish" sits near "slow").
Text is split exactly as the model's own WordPiece tokenizer splits it (lower case,
accents dropped, punctuation apart, then longest known piece first), written here in
plain Python so that run time needs only numpy.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from io import BytesIO
from itertools import chain

import numpy as np

MAX_CHARS = 2000
MAX_WORD = 100  # the model's own limit: a longer "word" is one unknown piece
UNKNOWN = "[UNK]"
_ASCII_WORDS = re.compile(r"[a-z0-9]+|[!-/:-@\[-`{-~]")
_ASCII_CONTROL = {i: None for i in (*range(0, 9), 11, 12, *range(14, 32), 127)}
_ASCII_CONTROL_CHAR = re.compile("[" + "".join(map(chr, _ASCII_CONTROL)) + "]")


def basic_words(text: str) -> list[str]:
    """Lower-cased words and single punctuation marks, as BERT's basic tokenizer gives."""
    if text.isascii():
        if _ASCII_CONTROL_CHAR.search(text):  # rare: only then is there one to drop
            text = text.translate(_ASCII_CONTROL)
        return _ASCII_WORDS.findall(text.lower())
    out: list[str] = []
    word: list[str] = []
    for ch in unicodedata.normalize("NFD", text.lower()):
        category = unicodedata.category(ch)
        if category == "Mn" or ch in "\x00\ufffd" or (category in ("Cc", "Cf")
                                                      and ch not in "\t\n\r"):
            continue  # accents and control characters are dropped
        if ch.isspace():
            if word:
                out.append("".join(word))
                word = []
        elif _is_punctuation(ch) or _is_cjk(ch):
            if word:
                out.append("".join(word))
                word = []
            out.append(ch)
        else:
            word.append(ch)
    if word:
        out.append("".join(word))
    return out


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


class WordVectors:
    """Piece vectors with their vocabulary; `of(text)` is the text's unit vector."""

    def __init__(self, pieces, vectors, scale) -> None:
        self.index = {str(p): i for i, p in enumerate(pieces)}
        self.vectors = np.asarray(vectors, dtype=np.float32) * np.asarray(scale, np.float32)
        self.longest = max(map(len, self.index))
        self.skip = {self.index[p] for p in ("[CLS]", "[SEP]", "[PAD]") if p in self.index}
        self.dims = self.vectors.shape[1]
        # Words recur across texts: each is split and looked up once per process.
        self._ids_of_word = lru_cache(maxsize=8192)(self._word_ids)

    @classmethod
    def from_arrays(cls, arrays) -> WordVectors:
        return cls(arrays["pieces"], arrays["vectors"], arrays["scale"])

    def is_word(self, word: str) -> bool:
        """Whether `word` (lower case) is one whole piece of the model's vocabulary: a
        word of the language, not a typo of one."""
        return word in self.index

    def pieces(self, text: str) -> list[str]:
        """The model's word pieces of `text` (`##` marks a piece inside a word)."""
        return [p for w in basic_words(text[:MAX_CHARS]) for p in self._word_pieces(w)]

    def _word_pieces(self, word: str) -> list[str]:
        if len(word) > MAX_WORD:
            return [UNKNOWN]
        out: list[str] = []
        start = 0
        while start < len(word):
            end = min(len(word), start + self.longest)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.index:
                    break
                end -= 1
            else:
                return [UNKNOWN]
            out.append(piece)
            start = end
        return out

    def _word_ids(self, word: str) -> tuple[int, ...]:
        """The vector rows of one word's pieces (unknown pieces as [UNK], if it has one)."""
        unknown = self.index.get(UNKNOWN)
        ids = (self.index.get(p, unknown) for p in self._word_pieces(word))
        return tuple(i for i in ids if i is not None and i not in self.skip)

    def of(self, text: str) -> np.ndarray | None:
        """The unit mean vector of the text's pieces; None when it has none."""
        ids = list(chain.from_iterable(map(self._ids_of_word, basic_words(text[:MAX_CHARS]))))
        if not ids:
            return None
        rows = self.vectors.take(np.fromiter(ids, dtype=np.intp, count=len(ids)), axis=0)
        mean = rows.sum(axis=0) / len(ids)  # what .mean does, without its checks
        norm = float(np.sqrt(mean.dot(mean)))  # what np.linalg.norm does, without its checks
        return mean / norm if norm > 0 else None


@lru_cache(maxsize=1)
def default_vectors() -> WordVectors:
    """The packaged vectors, loaded once (read-only afterwards, so sharing is safe)."""
    raw = resources.files("advisor").joinpath("data/wordvectors.npz").read_bytes()
    with np.load(BytesIO(raw), allow_pickle=False) as arrays:
        return WordVectors.from_arrays(arrays)
