"""rjieba with only the dictionary words the texts it reads can hold, for a process that extracts a few articles
(a re-build's worker): instead of building rjieba's whole dictionary (349 k words, ~0.12 s of a core, the longest
step of a re-build's extraction worker), it adds, before each text is cut or tagged, the words of jieba's
dictionary that open with one of the text's characters or pairs of characters (kg/data/jieba_words.sqlite, made
by scripts/derive_jieba_words.py): ~1.5 k words for an article, in ~3 ms.

Why the cut is the same: jieba's cut of a text reads only the dictionary words that are substrings of it (its
DAG), their frequencies, and the total of all frequencies (each word's weight is its share of that total); a word
no text holds carries the frequencies not loaded, so the total is the whole dictionary's. Cut and tags are word
for word those of the whole dictionary: tests/test_tokens.py compares all of PD1998 and the seeds.
"""
from __future__ import annotations

import functools
import importlib.machinery
import importlib.util
import os
import sqlite3
import sys
from pathlib import Path

WORDS_FILE = "jieba_words.sqlite"
_BALANCE = "\U0010fffd\U0010fffc"  # (two noncharacters: a word no text holds) the frequencies not loaded
_BATCH = 900  # keys looked up a query (SQLite's default limit: 999 parameters)


def key_of(word: str) -> str:
    """The row a dictionary word is kept under: its first two characters (a one-character word: itself)."""
    return word[:2]


class NeededWords:
    """rjieba's ``cut``, ``tag`` and ``has_word`` over a dictionary that holds, at each call, every word of jieba's
    dictionary a text read so far can hold. A text with a lone surrogate raises UnicodeEncodeError, as rjieba does
    (the callers cut it with jieba)."""

    def __init__(self, jieba_class, words: sqlite3.Connection, total: int):
        self._jieba = jieba_class.empty()
        self._words = words
        self._total = total
        self._loaded = 0  # (the frequencies of the words added)
        self._seen: set[str] = set()  # keys looked up

    def _ready(self, text: str) -> None:
        keys = {text[i : i + 2] for i in range(len(text) - 1)}
        keys.update(text)
        keys -= self._seen
        if not keys:
            return
        wanted = list(keys)
        add = self._jieba.add_word
        loaded = self._loaded
        for start in range(0, len(wanted), _BATCH):
            part = wanted[start : start + _BATCH]
            for (lines,) in self._words.execute(
                    f"SELECT lines FROM words WHERE prefix IN ({','.join('?' * len(part))})", part):
                for line in lines.split("\n"):
                    word, freq, tag = line.rsplit(" ", 2)
                    add(word, int(freq), tag)
                    loaded += int(freq)
        add(_BALANCE, self._total - loaded, "x")
        self._loaded = loaded
        self._seen |= keys

    def cut(self, text: str, hmm: bool = True) -> list[str]:
        self._ready(text)
        return self._jieba.cut(text, hmm)

    def tag(self, text: str, hmm: bool = True) -> list[tuple[str, str]]:
        self._ready(text)
        return self._jieba.tag(text, hmm)

    def has_word(self, word: str) -> bool:
        self._ready(word)
        return self._jieba.has_word(word)


@functools.cache
def needed_words(stamp: str) -> NeededWords | None:
    """A ``NeededWords`` over the shipped table, where it was made from the dictionary and segmenter installed
    (``stamp``: ``tokens.tag_source_stamp``); None where it cannot serve (another dict.txt or rjieba, the table
    or rjieba's extension module not found): then the whole dictionary is built."""
    from ..lexicon import DATA

    path = Path(str(DATA / WORDS_FILE)).absolute()  # (as the other shipped data is found; a zipped install: none)
    try:
        words = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        meta = dict(words.execute("SELECT key, value FROM meta"))
        if meta.get("stamp") != stamp:
            words.close()
            return None
        jieba_class = _rjieba_class()
    except (sqlite3.Error, ValueError, OSError, ImportError):
        return None
    if jieba_class is None:
        words.close()
        return None
    return NeededWords(jieba_class, words, int(meta["total"]))


def _rjieba_class():
    """rjieba's ``Jieba`` class, from its extension module, without importing the ``rjieba`` package, whose
    ``__init__`` builds the default dictionary (~0.12 s); the module is registered as ``rjieba.rjieba``, so that
    an ``import rjieba`` later in this process takes it rather than initialising it twice. None where it is not
    found."""
    if "rjieba" in sys.modules:
        return sys.modules["rjieba"].Jieba
    if "rjieba.rjieba" in sys.modules:
        return sys.modules["rjieba.rjieba"].Jieba
    spec = importlib.util.find_spec("rjieba")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = spec.submodule_search_locations[0]
    names = [n for n in os.listdir(folder)
             if n.startswith("rjieba.") and n.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))]
    if len(names) != 1:
        return None
    path = os.path.join(folder, names[0])
    loader = importlib.machinery.ExtensionFileLoader("rjieba.rjieba", path)
    module = importlib.util.module_from_spec(importlib.util.spec_from_file_location("rjieba.rjieba", path,
                                                                                    loader=loader))
    loader.exec_module(module)
    sys.modules["rjieba.rjieba"] = module
    return module.Jieba
