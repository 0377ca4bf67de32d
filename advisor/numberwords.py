"""Numbers written as words ("ninety percent", "fifty thousand users", "half a million")
rewritten as digits, so the quantity reader sees one spelling.

Only a reading that is a number beyond doubt is rewritten: a phrase with a tens, teens or
"hundred" word ("twenty", "fifteen", "two hundred"), or a single word such as "two" right
before a multiplier, a percentage or a unit ("two million", "eight cores", "three times").
"one request fires 45 queries" and "two of our servers" are left as they are.
"""

from __future__ import annotations

import re

_ONES = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9}
_TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
          "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
         "seventy": 70, "eighty": 80, "ninety": 90}
_WORD_KIND = {**{w: "O" for w in _ONES}, **{w: "T" for w in _TEENS},
              **{w: "D" for w in _TENS}, "hundred": "H"}
# Which runs of kinds are one number: "two hundred and fifty five" is OHDO, and
# "fifteen hundred" (TH) or "twenty five hundred" (DOH) count hundreds.
_GRAMMAR = re.compile(r"^(?:(?:O|T|DO?)?H)?(?:DO?|T|O)?$")
# "15 hundred", "2.5 hundred": digits that count hundreds.
_DIGIT_HUNDREDS = re.compile(r"(?<![\d.,])(\d+(?:\.\d+)?)\s+hundred\b", re.IGNORECASE)

_WORD = "|".join(sorted(_WORD_KIND, key=len, reverse=True))
_RUN_RE = re.compile(rf"\b(?:{_WORD})(?:(?:\s+and\s+|\s+|-)(?:{_WORD}))*\b", re.IGNORECASE)
_SPLIT_RE = re.compile(r"\s+and\s+|\s+|-")
# "a million", "half a million", "a hundred": the article is the number.
_ARTICLE_RE = re.compile(r"\b(?P<half>half\s+)?an?\s+(?=(?P<next>hundred|thousand|million|"
                         r"billion)\b)", re.IGNORECASE)
# A single ones word is a number only right before one of these.
_BEFORE = re.compile(
    r"^\s*(?:thousand|thousands|million|millions|billion|billions|k|m|mm|bn|percent|pct|%|"
    r"times|fold|x|cores?|vcpus?|cpus?|users?|ms|milliseconds?|seconds?|secs?|minutes?|"
    r"mins?|hours?|hrs?|gb|tb|mb|queries|calls)\b",
    re.IGNORECASE,
)
_PER_CENT = re.compile(r"\bper\s+cent\b", re.IGNORECASE)


def _value(words: list[str]) -> int | None:
    """The number a run of number words spells, or None when the run is not one number
    (or is spelt with letters that only match when case is ignored: "ſix", "fıve")."""
    kinds = [_WORD_KIND.get(w.lower()) for w in words]
    if None in kinds or not _GRAMMAR.match("".join(kinds)):
        return None
    total = 0
    for word in words:
        word = word.lower()
        if word == "hundred":
            total = (total or 1) * 100
        else:
            total += _ONES.get(word) or _TEENS.get(word) or _TENS.get(word) or 0
    return total


def _article(m: re.Match[str]) -> str:
    if m.group("next").lower() == "hundred":
        return "one " if not m.group("half") else m.group(0)  # "half a hundred": left alone
    return "0.5 " if m.group("half") else "1 "


# Every rewrite below needs one of these as a whole word ("cent" of "per cent").
_NEEDED = frozenset(_WORD_KIND) | {"cent", "thousand", "million", "billion"}
_LETTERS = re.compile(r"[a-z]+")


def _no_number_words(text: str) -> bool:
    """Whether `text` surely has nothing to rewrite: none of the words a rewrite needs.
    Only plain ASCII is judged, where ignoring case is lower-casing (beyond it,
    IGNORECASE equates letters lower() does not: "ſ" is "s")."""
    return text.isascii() and _NEEDED.isdisjoint(_LETTERS.findall(text.lower()))


def digits_for_words(text: str, answer: bool = False) -> str:
    """`text` with each number written in words as digits: "ninety percent" -> "90 percent".

    An `answer` (to "how many cores?") is a number however it is written, so there even a
    lone "two" is one; in free text it must stand before a unit or multiplier.
    """
    if not text or _no_number_words(text):
        return text
    text = _ARTICLE_RE.sub(_article, _PER_CENT.sub("percent", text))
    text = _DIGIT_HUNDREDS.sub(lambda m: f"{float(m.group(1)) * 100:g}", text)

    def replace(m: re.Match[str]) -> str:
        words = _SPLIT_RE.split(m.group(0))
        value = _value(words)
        if value is None:
            return m.group(0)
        lone = set(map(str.lower, words)) <= set(_ONES)
        if lone and not answer and not _BEFORE.match(text[m.end():]):
            return m.group(0)  # "one request", "two of our servers": words, not numbers
        return str(value)

    return _RUN_RE.sub(replace, text)


def spelled_out(text: str, answer: bool = False) -> bool:
    """Whether `text` writes a number in words (so a reading of it should say so)."""
    return bool(text) and digits_for_words(text, answer) != _PER_CENT.sub("percent", text)
