"""jieba tokens with character offsets into the source text (jieba is the design card's tokenizer)."""
from __future__ import annotations

import functools
from dataclasses import dataclass

import jieba
import jieba.posseg

jieba.setLogLevel(60)

MAX_HMM_RUN = 32  # no name or new word is longer; longer unknown runs are OCR debris or repetition


class BoundedPOSTokenizer(jieba.posseg.POSTokenizer):
    """jieba's POS tokenizer with its HMM kept to what it is for. jieba runs a Viterbi over ~250
    states on every run of characters its dictionary cannot segment; that costs ~0.3 ms a character,
    and ~4 ms for characters its HMM has never seen (all states possible), so a page of debris or a
    name repeated 10⁵ times takes minutes. Here runs longer than MAX_HMM_RUN, and characters the
    HMM does not know, are tagged one character at a time instead. Real text tokenizes as before."""

    def __init__(self, base: jieba.posseg.POSTokenizer):  # share jieba's loaded dictionary and tags
        self.tokenizer = base.tokenizer
        self.word_tag_tab = base.word_tag_tab

    def _single(self, chars: str):
        for ch in chars:
            yield jieba.posseg.pair(ch, self.word_tag_tab.get(ch, "x"))

    def _POSTokenizer__cut_detail(self, sentence):  # overrides jieba's private __cut_detail
        known = jieba.posseg.char_state_tab_P
        piece = ""
        for ch in sentence:
            if ch in known or not ("\u4e00" <= ch <= "\u9fd5"):
                piece += ch
                continue
            yield from self._cut_piece(piece)
            piece = ""
            yield from self._single(ch)
        yield from self._cut_piece(piece)

    def _cut_piece(self, piece: str):
        if len(piece) > MAX_HMM_RUN:
            yield from self._single(piece)
        elif piece:
            for word, flag in self._viterbi(piece):
                yield jieba.posseg.pair(word, flag)

    @functools.lru_cache(maxsize=1 << 17)
    def _viterbi(self, piece: str) -> tuple[tuple[str, str], ...]:
        """jieba's HMM on one run, memoised: the runs are mostly names, and names recur."""
        return tuple((p.word, p.flag) for p in super()._POSTokenizer__cut_detail(piece))


_POS = BoundedPOSTokenizer(jieba.posseg.dt)


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
    for pair in _POS.cut(text[start:end]):
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


# What may stand inside a name, shared by every suffix-anchored extractor (zones, organs, projects).
NAME_TAGS = {"n", "nr", "ns", "nt", "nz", "j", "b", "vn", "an", "nrt", "nrfg", "x", "eng", "s", "f", "a", "ng"}
POLICY_WORDS = {"改革", "创新", "开放", "发展", "合作", "综合", "试验", "示范", "融合", "高新", "自由"}
STOP_CHARS = set("，。、；：！？（）()《》“”‘’「」『』 \u3000\n\t的在和与及或是为将把被从对到向于了等,.;:!?[]——")
# Inside a place-name stem only punctuation and a few particles stop (于 opens town names: 于寺镇).
STEM_STOPS = set("，。、；：！？（）()《》“”‘’「」『』 \u3000\n\t的在和与及或是为将把被从对到向了等,.;:!?[]")
PROPER_TAGS = {"ns", "nt", "nz", "nr", "nrt", "nrfg", "eng", "m", "j"}


def is_name_token(tok: Token, numbers: bool = False) -> bool:
    """A token that can be part of a proper name (nouns, places, abbreviations, policy words)."""
    if numbers and (tok.tag == "m" or tok.word.isdigit()):
        return True
    return tok.tag in NAME_TAGS or tok.word in POLICY_WORDS or (tok.tag.startswith("n") and tok.tag != "nr")


def walk_left(tokens: list[Token], a: int, max_tokens: int, numbers: bool = False) -> int | None:
    """Start of the name ending at offset a: up to max_tokens name tokens back, never across a stop.

    The token covering a-1 counts first, so a suffix that begins inside a token keeps that token."""
    i = token_index(tokens, a - 1)
    first = None
    count = 0
    while i is not None and i >= 0 and count < max_tokens:
        t = tokens[i]
        if any(c in STOP_CHARS for c in t.word) or not is_name_token(t, numbers):
            break
        first = t.start
        count += 1
        i -= 1
    return first


def has_proper_part(tokens: list[Token], a: int, b: int, anchors: set[int] = frozenset()) -> bool:
    """text[a:b] holds a proper name: a region or organisation starting inside it, a place or person tag,
    an abbreviation, a number, Latin letters, or a word jieba's dictionary does not know."""
    if any(a <= x < b for x in anchors):
        return True
    i = token_index(tokens, a)
    while i is not None and i < len(tokens) and tokens[i].start < b:
        t = tokens[i]
        if t.tag in PROPER_TAGS or word_tag(t.word) is None or t.word.isascii():
            return True
        i += 1
    return False
