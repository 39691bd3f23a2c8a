"""The tokenizer: rjieba (jieba-rs) must cut exactly as jieba.lcut does, since the extractors were
written and measured against jieba's segmentation."""
from __future__ import annotations

import jieba
import pytest
import rjieba

from conftest import SEEDS
from kg.extract.tokens import SEGMENTER, tokenize

PD1998 = SEEDS.parent.parent / "shared" / "benchmarks" / "pd1998" / "articles"


def _texts():
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    if PD1998.is_dir():  # a spread of the 1998 People's Daily: other vocabulary, names, numbers
        texts += [p.read_text(encoding="utf-8") for p in sorted(PD1998.iterdir())[::40]]
    return texts


def test_segmentation_is_jiebas_word_for_word():
    assert SEGMENTER.startswith("rjieba"), SEGMENTER
    words = 0
    for text in _texts():
        ours = [t.word for t in tokenize(text, 0, len(text))]
        assert "".join(ours) == text
        theirs = jieba.lcut(text)
        assert rjieba.cut(text) == theirs
        # tokenize splits some unknown words further (a verb glued to a name); it never merges two
        # of jieba's words, so every one of jieba's word boundaries is one of ours
        bounds, pos = set(), 0
        for w in ours:
            pos += len(w)
            bounds.add(pos)
        pos = 0
        for w in theirs:
            pos += len(w)
            assert pos in bounds, (text[max(0, pos - 10): pos + 10], w)
        words += len(theirs)
    assert words > 5000


@pytest.mark.parametrize("text", ["记者\ud800王小明说", "\ud83d", "a\udcffb省委书记"])
def test_lone_surrogates_are_cut_too(text):
    """Rust strings cannot hold a lone surrogate; such text is cut by jieba instead of failing."""
    toks = tokenize(text, 0, len(text))
    assert "".join(t.word for t in toks) == text
    assert [t.start for t in toks][0] == 0 and toks[-1].end == len(text)


def test_tag_table_is_jiebas():
    """The tag table read straight from jieba's dict.txt is the one jieba.posseg loads."""
    import jieba.posseg

    from kg.extract.tokens import _TAGS

    assert _TAGS == jieba.posseg.dt.word_tag_tab


def test_gazetteer_forms_are_found_leftmost_longest_with_offsets_in_characters():
    # the Rust Aho–Corasick matcher: the longest form at the leftmost start, offsets in characters even after
    # a lone surrogate (which a Rust string cannot hold: it is read as one other character)
    from kg.lexicon import gazetteer

    gaz = gazetteer()
    text = "x\ud800内蒙古自治区呼和浩特市和辽宁省"
    found = gaz.find_forms(text)
    assert [(text[a:b], f) for a, b, f in found] == [("内蒙古自治区", "内蒙古自治区"), ("呼和浩特市", "呼和浩特市"),
                                                     ("辽宁省", "辽宁省")], found
