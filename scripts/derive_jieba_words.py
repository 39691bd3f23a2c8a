"""Regenerate kg/data/jieba_words.sqlite: jieba's dictionary (its dict.txt: word, frequency, tag) keyed by each
word's first two characters (a one-character word by itself), so that a process extracting a few articles loads
into rjieba only the words those articles can hold (kg.extract.words) instead of building its whole 349 k-word
dictionary (~0.12 s, the longest step of a re-build's extraction worker). Stamped with the sha256 of the dict.txt
and the segmenter it came from (``kg.extract.tokens.tag_source_stamp``: another one, and the whole dictionary is
built) and the total of its frequencies; tests/test_tokens.py fails when it is stale.
Usage: python scripts/derive_jieba_words.py [kg/data]
"""
import os
import sqlite3
import sys
from pathlib import Path

from kg.extract.tokens import tag_source_stamp
from kg.extract.words import WORDS_FILE, key_of
from kg.lexicon import jieba_dictionary_path


def derive(path: Path) -> None:
    entries: dict[str, tuple[int, str]] = {}  # (a word listed twice: its last line, as jieba and rjieba read it)
    with open(jieba_dictionary_path(), encoding="utf-8") as fh:
        for line in fh:
            word, freq, tag = line.split()
            entries[word] = (int(freq), tag)
    groups: dict[str, list[str]] = {}
    for word, (freq, tag) in entries.items():
        groups.setdefault(key_of(word), []).append(f"{word} {freq} {tag}")
    total, words = sum(freq for freq, _ in entries.values()), len(entries)
    tmp = path.with_suffix(".tmp")
    if tmp.exists():
        tmp.unlink()
    db = sqlite3.connect(tmp)
    db.execute("CREATE TABLE words (prefix TEXT PRIMARY KEY, lines TEXT) WITHOUT ROWID")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.executemany("INSERT INTO words VALUES (?, ?)", [(k, "\n".join(v)) for k, v in sorted(groups.items())])
    db.executemany("INSERT INTO meta VALUES (?, ?)", [("stamp", tag_source_stamp()), ("total", str(total)),
                                                      ("words", str(words))])
    db.commit()
    db.execute("VACUUM")
    db.close()
    os.replace(tmp, path)


if __name__ == "__main__":
    derive(Path(sys.argv[1] if len(sys.argv) > 1 else "kg/data") / WORDS_FILE)
