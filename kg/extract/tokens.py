"""jieba tokens with character offsets into the source text (jieba is the design card's tokenizer)."""
from __future__ import annotations

from dataclasses import dataclass

import jieba
import jieba.posseg

jieba.setLogLevel(60)


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    word: str
    tag: str


def tokenize(text: str, start: int, end: int) -> list[Token]:
    """POS-tagged tokens of text[start:end]; offsets are absolute and cover every character."""
    out: list[Token] = []
    pos = start
    for pair in jieba.posseg.cut(text[start:end]):
        w = pair.word
        out.append(Token(pos, pos + len(w), w, pair.flag))
        pos += len(w)
    return out


def word_tag(word: str) -> str | None:
    """jieba's dictionary tag for a word, None for words it does not know."""
    return jieba.posseg.dt.word_tag_tab.get(word)


def token_index(tokens: list[Token], pos: int) -> int | None:
    """Index of the token covering character offset pos (tokens are contiguous and sorted)."""
    lo, hi = 0, len(tokens) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        t = tokens[mid]
        if pos < t.start:
            hi = mid - 1
        elif pos >= t.end:
            lo = mid + 1
        else:
            return mid
    return None
