"""The meaning vector: the model's own word pieces, and likeness that carries meaning.

The expected pieces are what the model's WordPiece tokenizer gives for the same text
(checked against it when the vectors were distilled); the vectors must split text the same
way or a piece's vector would stand for something else.
"""

import numpy as np
import pytest

from advisor.features import featurise
from advisor.wordvectors import basic_words, default_vectors


@pytest.mark.parametrize(("text", "pieces"), [
    ("OOMKilled: pod evicted", ["o", "##om", "##kill", "##ed", ":", "pod", "evicted"]),
    ("Café résumé — naïve", ["cafe", "resume", "—", "naive"]),
    ("p95 went from 300ms to 2.4s!",
     ["p", "##9", "##5", "went", "from", "300", "##ms", "to", "2", ".", "4", "##s", "!"]),
    ("x" * 101, ["[UNK]"]),
    ("中文 ok\x01yes\u200b", ["中", "文", "ok", "##yes"]),
    ("", []),
])
def test_text_splits_into_the_models_own_word_pieces(text, pieces):
    assert default_vectors().pieces(text) == pieces


def test_ascii_and_unicode_paths_split_alike():
    text = "Connection refused (errno 111); retrying in 5s..."
    assert basic_words(text) == basic_words(text + "\u00a0")  # a non-ASCII space: slow path
    assert basic_words(text) == ["connection", "refused", "(", "errno", "111", ")", ";",
                                 "retrying", "in", "5s", ".", ".", "."]


def cosine(a: str, b: str) -> float:
    va, vb = default_vectors().of(a), default_vectors().of(b)
    return float(va @ vb)


def test_words_that_mean_alike_sit_closer_than_unrelated_chatter():
    slow = "the site is sluggish at peak"
    assert cosine(slow, "the website is slow at peak") > 0.7
    assert cosine(slow, "please update the readme with install steps") < 0.5


def test_a_text_vector_is_unit_length_and_none_when_there_is_nothing_to_read():
    vector = default_vectors().of("replication lag keeps growing")
    assert vector.shape == (default_vectors().dims,)
    assert np.isclose(np.linalg.norm(vector), 1.0)
    assert default_vectors().of("  \t ") is None


def test_features_carry_the_vector_beside_the_words():
    with_words = featurise("replication lag keeps growing")
    assert with_words.vector is not None
    assert with_words.vector_names()[:2] == ("e:0", "e:1")
    assert featurise("").vector is None
