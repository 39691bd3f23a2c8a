"""jieba tokens with character offsets into the source text (jieba is the design card's tokenizer)."""
from __future__ import annotations

import functools
import re
from functools import partial
from itertools import accumulate
from operator import itemgetter
from typing import NamedTuple

from ..lexicon import jieba_dictionary_path, jieba_dictionary_stamp, stamped_rows, surnames
from ..regexes import compiled
from .segmenter import segmenter_name

_first, _second = itemgetter(0), itemgetter(1)


def _jieba():
    """jieba itself, imported only where needed (its import pulls in pkg_resources: 0.07 s)."""
    import jieba

    jieba.setLogLevel(60)
    return jieba


def _load_tags() -> dict[str, str]:
    """jieba's dictionary as word -> part-of-speech tag: the table jieba.posseg loads (349 k words),
    read straight from jieba's dict.txt ("word freq tag" lines) in 0.16 s, where importing
    jieba.posseg costs 0.25 s more at every start."""
    try:
        with open(jieba_dictionary_path() or "", encoding="utf-8") as fh:
            fields = fh.read().split()
    except OSError:  # pragma: no cover - an unusual jieba install
        fields = []
    if not fields or len(fields) % 3 or not all(f.isdigit() for f in fields[1:3000:3]):
        import jieba.posseg  # pragma: no cover - not three fields a line: let jieba read it

        return _jieba().posseg.dt.word_tag_tab
    return dict(zip(fields[0::3], fields[2::3]))


@functools.cache
def tag_table() -> dict[str, str]:
    """jieba's whole tag table, loaded on first use: only where rjieba cannot answer (no rjieba, text
    with a lone surrogate, a dictionary the shipped split-word tags were not derived from)."""
    return _load_tags()


_FEW: list[bool] = []  # (``extract_few``: this process extracts a few articles)


def extract_few() -> None:
    """This process extracts a few articles (a re-build's worker): rjieba's cuts, tags and known words come from the
    dictionary words its texts can hold (``words.NeededWords``, where the shipped table was made from the installed
    dictionary and rjieba), not from rjieba's whole dictionary, which takes ~0.12 s of a core to build."""
    _FEW.append(True)
    for made in (_rjieba, _segmenter, _tagger, _word_tagger):
        made.cache_clear()


@functools.cache
def _rjieba():
    """What gives rjieba's ``cut``, ``tag`` and ``has_word``: the ``rjieba`` module (its whole dictionary), or in a
    process that extracts a few articles (``extract_few``) the words their texts need."""
    if _FEW:
        from .words import needed_words

        words = needed_words(tag_source_stamp())
        if words is not None:
            return words
    import rjieba

    return rjieba


@functools.cache
def _segmenter():
    """jieba's segmentation, computed by rjieba (jieba-rs: the same dictionary, DAG and HMM in Rust,
    ~15 × faster, word for word the same as jieba.lcut over all of PD1998 and the seeds; a test
    checks it) when installed, else by jieba itself."""
    if not SEGMENTER.startswith("rjieba"):  # pragma: no cover - rjieba is a dependency; jieba's own cut is the fallback
        return _jieba().dt.lcut
    rjieba_cut = _rjieba().cut

    def cut(text: str) -> list[str]:
        try:
            return rjieba_cut(text)
        except UnicodeEncodeError:  # a lone surrogate (Rust strings cannot hold one): jieba cuts it
            return _jieba().dt.lcut(text)

    return cut


def _cut(text: str) -> list[str]:
    """jieba's words of ``text``."""
    return _segmenter()(text)


def _rjieba_tags() -> bool:
    """Tags are taken from rjieba's dictionary where it is jieba's as the shipped split-word tags were
    derived from (rjieba is a dependency), else from jieba's table."""
    return SEGMENTER.startswith("rjieba") and split_word_tags() is not None


@functools.cache
def _tagger():
    """``text → (words, tags)``: jieba's words, each with its dictionary tag, None for a word the
    dictionary does not know. With rjieba both come from its dictionary, which is jieba's (tags and
    all: a test checks every word), so no process loads jieba's 349 k-word table into Python (0.16 s
    and ~40 MB a process); a word is known where rjieba ``has_word`` it."""
    if not _rjieba_tags():

        def table_tagged(text: str) -> tuple[list[str], list[str | None]]:
            words = _cut(text)
            return words, list(map(tag_table().get, words))

        return table_tagged
    words = _rjieba()
    has_word, tag = words.has_word, words.tag

    def tagged(text: str) -> tuple[list[str], list[str | None]]:
        try:
            pairs = tag(text)
        except UnicodeEncodeError:  # a lone surrogate: jieba cuts it, the whole table tags it
            words = _jieba().dt.lcut(text)
            return words, list(map(tag_table().get, words))
        words = list(map(_first, pairs))
        tags = list(map(_second, pairs))
        for i in [i for i, known in enumerate(map(has_word, words)) if not known]:
            tags[i] = None  # rjieba guesses a tag for a word it does not know; jieba's table has none
        return words, tags

    return tagged


@functools.cache
def _word_tagger():
    """``word → tag or None``, as jieba's table gives it, for any string (a token, a span of text)."""
    if not _rjieba_tags():
        return tag_table().get
    words = _rjieba()
    has_word, tag = words.has_word, words.tag
    split = split_word_tags()

    def word_tag(word: str) -> str | None:
        try:
            if not has_word(word):
                return None
            pieces = tag(word, False)
        except UnicodeEncodeError:  # a lone surrogate: never a dictionary word
            return None
        # a known word alone is cut whole but for 8 k of them (一七 → 一|七): those ship with their tags
        return pieces[0][1] if len(pieces) == 1 else split.get(word)

    return word_tag


SPLIT_TAGS = "split_word_tags.tsv"


def split_words() -> list[tuple[str, str]]:
    """jieba's dictionary words that rjieba does not cut whole when tagged alone, with their tags, in
    the dictionary's order (from its whole table: for scripts/derive_county_tags.py)."""
    import rjieba

    return [(w, t) for w, t in tag_table().items() if len(rjieba.tag(w, False)) != 1]


@functools.cache
def split_word_tags() -> dict[str, str] | None:
    """kg/data/split_word_tags.tsv (``split_words``), None when the installed jieba dictionary or
    rjieba is not the one it was derived from."""
    rows = stamped_rows(SPLIT_TAGS, tag_source_stamp())
    return None if rows is None else dict(row.split("\t") for row in rows)


def tag_source_stamp() -> str:
    """What the shipped split-word tags depend on: jieba's dict.txt (its sha256) and the segmenter."""
    return f"{jieba_dictionary_stamp()} {segmenter_name()}"


SEGMENTER = segmenter_name()
_NUMBER = compiled(r"(?=.*\d)[\d.．,，%％]+$")
# Function characters (adverbs, prepositions, conjunctions, pronouns, particles) that jieba's HMM
# sometimes glues to the name before them (王明|就说, 李华|并指出): split off a 3-character guess.
NAME_FOLLOWERS = set("摄说等们讲称")  # 戴某|摄 (photo by), 王某|说: a word after a name, glued to it by the HMM
DIVISION_WORDS = set("省市县区乡镇村")
_AFTER_NAME_TAGS = {"d", "p", "c", "r", "y", "uj", "ul", "uz", "ud", "ug", "uv"}


class Token(NamedTuple):
    """One word: a tuple, because a page has thousands and a frozen dataclass costs 3× to build."""

    start: int
    end: int
    word: str
    tag: str


_new_token = partial(tuple.__new__, Token)  # Token from a 4-tuple without the Python-level __new__


def _tag_unknown(word: str) -> list[tuple[str, str]]:
    """Tags for a word jieba's HMM found but its dictionary does not know. jieba.posseg would run a
    ~250-state Viterbi here (5 × the cost of segmenting); its verdict on such words is, in 1998
    People's Daily, mostly `nr` when the word opens with a surname and a common noun or verb
    otherwise, which is what this says: numbers `m`, Latin `eng`, a surname + one or two characters
    `nr` (a trailing function character split off), anything else `x` (unknown, may be in a name)."""
    c = word[0]
    if len(word) == 1:
        return [(word, word_tag(word) or "x")]
    if not ("\u4e00" <= c <= "\u9fd5"):
        if _NUMBER.match(word):
            return [(word, "m")]
        return [(word, "eng" if word.isascii() and word.isalnum() else "x")]
    names = surnames()  # cached by lexicon
    if word_tag(c) in ("v", "p") and ((c not in names and len(word) >= 3) or word[1:] in DIVISION_WORDS):
        return [(c, word_tag(c))] + _tag_unknown(word[1:])  # 访|沈抚, 由|省: a verb or preposition glued to a name
    # (由 is a surname too, but 由省 names the province's organ that follows, never a person)
    if 2 <= len(word) <= 3 and (c in names or word[:2] in names) and word_tag(c) != "m":
        if len(word) == 3 and (word_tag(word[2]) in _AFTER_NAME_TAGS or word[2] in NAME_FOLLOWERS):
            return [(word[:2], "nr"), (word[2], word_tag(word[2]) or "x")]
        return [(word, "nr")]
    return [(word, "x")]


def tokenize(text: str, start: int, end: int) -> list[Token]:
    """Tagged tokens of text[start:end]; offsets are absolute and cover every character.

    jieba.lcut's segmentation (dictionary DAG + its 4-state HMM for unknown runs, linear in the
    text), with each word's tag from jieba's dictionary and unknown words tagged by _tag_unknown.
    Built with C-level map/accumulate: a month of a daily is a million tokens."""
    words, tags = _tagger()(text[start:end])
    unknown = [i for i, t in enumerate(tags) if t is None]
    if unknown:
        w2: list[str] = []
        t2: list[str] = []
        prev = 0
        for i in unknown:
            w2 += words[prev:i]
            t2 += tags[prev:i]
            for part, tag in _tag_unknown(words[i]):
                w2.append(part)
                t2.append(tag)
            prev = i + 1
        w2 += words[prev:]
        t2 += tags[prev:]
        words, tags = w2, t2
    bounds = list(accumulate(map(len, words), initial=start))
    return list(map(_new_token, zip(bounds, bounds[1:], words, tags)))


def word_tag(word: str) -> str | None:
    """jieba's dictionary tag for a word, None for words it does not know."""
    return _word_tagger()(word)


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
# Verbs that govern a name rather than open one (推进|某某项目, 建设|某某创新区)
LEAD_VERBS = {"运营", "落地", "谋划", "布局", "深化", "推进", "实施", "开工", "签约", "引进", "招引", "储备", "新建",
              "续建", "开展", "推动", "加快", "启动", "建成", "投产", "竣工", "完成", "打造", "实现", "参与", "支持"}
PHASE = compiled(r"[一二三四五六七八九十0-9]+期")  # 一期, 二期: jieba tags them adverbs
UNIT = compiled(r"[千万兆吉]?瓦|[万亿]?吨|公里|千米|英寸|兆瓦时|千伏|万千瓦|万平方米|平方米")
PROPER_TAGS = {"ns", "nt", "nz", "nr", "nrt", "nrfg", "eng", "m", "j"}


def is_name_token(tok: Token, numbers: bool = False) -> bool:
    """A token that can be part of a proper name (nouns, places, abbreviations, policy words)."""
    if numbers and (tok.tag in ("m", "q") or tok.word.isdigit() or PHASE.match(tok.word) or UNIT.fullmatch(tok.word)):
        return True  # 400兆瓦风电项目, 一期工程: numbers, units and phases inside a project's name
    return tok.tag in NAME_TAGS or tok.word in POLICY_WORDS or (tok.tag.startswith("n") and tok.tag != "nr") \
        or (tok.tag == "l" and tok.word[-1] == "化") or (tok.tag == "k" and tok.word in NAME_AFFIXES)
    # (一体化项目, 融合式基地: an -ization word or a form affix inside a name)


NAME_AFFIXES = {"式", "型", "性", "级"}


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
        if (t.tag in PROPER_TAGS and t.word not in COMMON_PLACE_NOUNS) or word_tag(t.word) is None or t.word.isascii():
            return True
        i += 1
    return False


COMMON_PLACE_NOUNS = {"城市", "城镇", "都市"}  # jieba tags them place names (ns); they name no place


LIST_BREAKS = set("，。、；：！？（）()《》“”‘’「」『』 \u3000\n\t,.;:!?[]")  # punctuation only: 华为 holds 为


def listed_before(text: str, start: int, end: int, tokens: list[Token], closing: re.Pattern, max_len: int,
                  edge_stops: tuple[str, ...] = ("vn", "f", "a"), lead: re.Pattern | None = None) -> list[tuple[int, int]]:
    """Spans of the names listed before a word saying what they are: 与中国联通、华为等企业 →
    中国联通, 华为. ``closing`` matches from 等 on; items are split at 、; the first item starts after
    the verb or preposition before it (与|中国联通; with ``lead``, after the last of those verbs:
    推进|同步辐射光源). Names hold no punctuation."""
    spans = []
    for m in closing.finditer(text, start, end):
        b = m.start()
        items = []
        while b - start >= 2:
            a = b
            while a > start and b - a <= max_len and text[a - 1] not in LIST_BREAKS:
                a -= 1
            if a < b and text[a - 1 : a] == "、" and b - a <= max_len and a > start:
                items.append((a, b))
                b = a - 1
                continue
            lo = max(a, b - max_len)
            leads = [m.end() for m in lead.finditer(text, lo, b)] if lead else []
            edge = max(leads) if leads else _first_item_edge(tokens, lo, b, edge_stops)
            if edge is not None and b - edge >= 2:
                items.append((edge, b))
            break
        spans += [(a, b) for a, b in items if 2 <= b - a <= max_len
                  and not any(c in LIST_BREAKS or c.isspace() for c in text[a:b])]
    return spans


def _first_item_edge(tokens: list[Token], a: int, b: int, stops: tuple[str, ...]) -> int | None:
    i = token_index(tokens, b - 1)
    first = None
    while i is not None and i >= 0 and tokens[i].start >= a:
        t = tokens[i]
        if not is_name_token(t, numbers=True) or t.tag in stops and first is not None:
            break
        first = t.start
        i -= 1
    return first
