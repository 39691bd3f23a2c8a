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

    from kg.extract.tokens import tag_table

    assert tag_table() == jieba.posseg.dt.word_tag_tab


def test_tags_from_rjieba_are_jiebas_tables():
    """Tokens take their tags from rjieba's dictionary, not from jieba's table loaded into Python: for
    every word of the dictionary ``word_tag`` gives the table's tag (8 k words rjieba does not cut whole
    come from kg/data/split_word_tags.tsv), None for spans the table lacks, and every token of the texts
    carries its word's tag from the table (None where unknown, before ``tokenize`` guesses one)."""
    import random

    from kg.extract.tokens import _tagger, split_word_tags, tag_table, word_tag

    table = tag_table()
    assert split_word_tags() is not None, "kg/data/split_word_tags.tsv is stale: run scripts/derive_county_tags.py"
    assert [w for w, t in table.items() if word_tag(w) != t] == []
    rng = random.Random(7)
    texts = _texts()
    spans = [t[i : i + rng.randint(1, 6)] for t in texts for i in range(0, len(t), 11)]
    assert [s for s in spans if word_tag(s) != table.get(s)] == []
    for text in texts:
        words, tags = _tagger()(text)
        assert words == jieba.lcut(text)
        assert tags == [table.get(w) for w in words]


def test_extracting_never_loads_jiebas_tag_table():
    """A process that extracts articles builds rjieba's dictionary only: jieba's 349 k-word tag table
    (0.16 s and ~40 MB a process) is never loaded into Python."""
    import subprocess
    import sys

    code = ("import sys; from pathlib import Path; from kg.extract import extract, Context; "
            "from kg.segment import segment; from kg.read import read; from kg.extract.tokens import tag_table; "
            "arts = [a for s in read([sys.argv[1]]) for a in segment(s)]; "
            "n = sum(len(extract(a, Context(province='210000')).mentions) for a in arts); "
            "print(n, tag_table.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code, str(SEEDS)], capture_output=True, text=True, check=True)
    mentions, loaded = map(int, out.stdout.split())
    assert mentions > 100 and loaded == 0


def test_gazetteer_forms_are_found_leftmost_longest_with_offsets_in_characters():
    # the Rust Aho–Corasick matcher: the longest form at the leftmost start, offsets in characters even after
    # a lone surrogate (which a Rust string cannot hold: it is read as one other character)
    from kg.lexicon import gazetteer

    gaz = gazetteer()
    text = "x\ud800内蒙古自治区呼和浩特市和辽宁省"
    found = gaz.find_forms(text)
    assert [(text[a:b], f) for a, b, f in found] == [("内蒙古自治区", "内蒙古自治区"), ("呼和浩特市", "呼和浩特市"),
                                                     ("辽宁省", "辽宁省")], found


def test_shipped_county_tags_are_jiebas_and_give_the_same_gazetteer():
    """kg/data/county_form_tags.tsv is what scripts/derive_county_tags.py derives from the installed
    jieba (stale after a change to regions.tsv or short_forms: rerun the script), and the gazetteer
    built from it is the one built from jieba's whole tag table."""
    import importlib.util

    from kg.extract.tokens import word_tag
    from kg.lexicon import COUNTY_TAGS, DATA, Gazetteer, county_form_tags

    spec = importlib.util.spec_from_file_location("derive", SEEDS.parent / "scripts" / "derive_county_tags.py")
    derive = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(derive)
    assert (DATA / COUNTY_TAGS).read_text(encoding="utf-8") == derive.derived()
    from kg.extract.tokens import SPLIT_TAGS

    assert (DATA / SPLIT_TAGS).read_text(encoding="utf-8") == derive.derived_split_tags()
    shipped = county_form_tags()
    assert shipped is not None and len(shipped) > 2000
    assert any(tag in ("nr", "nrfg", "nrt") for tag in shipped.values())  # name-like short forms are among them
    ours, theirs = Gazetteer(), Gazetteer(tag_of=word_tag)
    assert ours.forms == theirs.forms and ours.name_like_forms == theirs.name_like_forms


def test_a_builds_main_process_never_loads_the_tag_table(tmp_path):
    """Only the extracting processes need jieba's 349 k-word tag table (0.16 s to load); the main
    process of a build reads, resolves and exports without it: a first build's workers, sized by the
    files (one batch: one worker), and in a re-build the one worker started for the new article."""
    import shutil
    import subprocess
    import sys

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(p, corpus / p.name)
    code = ("import sys; from kg.pipeline import run; kg, _ = run([sys.argv[1]], jobs=2, cache_path=sys.argv[2]); "
            "print(kg.stats['extraction']['extracted'], kg.stats['extraction']['executor'], 'kg.extract.tokens' in sys.modules)")
    cache = str(tmp_path / "cache.sqlite")

    def build() -> list[str]:
        out = subprocess.run([sys.executable, "-c", code, str(corpus), cache], capture_output=True, text=True, check=True)
        return out.stdout.split()

    first = build()
    assert int(first[0]) > 0 and first[1:] == ["local", "×", "1", "False"]
    shutil.copy(sorted(SEEDS.glob("*.txt"))[2], corpus / "added.txt")
    again = build()
    assert int(again[0]) > 0 and again[1:] == ["local", "×", "1", "False"]


def test_another_dictionary_tags_from_jiebas_table(monkeypatch):
    """Where the shipped split-word tags were derived from another dictionary or rjieba (their stamp
    differs), tokens and word_tag take their tags from jieba's table, as before: the same tokens."""
    from kg.extract import tokens

    text = next(p for p in sorted(SEEDS.glob("*.txt"))).read_text(encoding="utf-8")
    ours = tokenize(text, 0, len(text))
    for cached in (tokens._tagger, tokens._word_tagger, tokens.split_word_tags):
        cached.cache_clear()
    monkeypatch.setattr(tokens, "tag_source_stamp", lambda: "another dictionary")
    try:
        assert tokens.split_word_tags() is None
        assert tokenize(text, 0, len(text)) == ours
        assert tokens.word_tag("一七") == tokens.tag_table()["一七"]  # a word rjieba does not tag whole
        assert tokens._tagger().__name__ == "table_tagged"
    finally:
        for cached in (tokens._tagger, tokens._word_tagger, tokens.split_word_tags):
            cached.cache_clear()


def test_installed_versions_are_read_off_their_dist_info_as_importlib_metadata_reads_them(tmp_path, monkeypatch):
    """The extractor's fingerprint names jieba's and rjieba's versions, found without importing
    importlib.metadata (~15 ms of every build's main process): the same strings it gives for both, the one
    beside the package where a folder of packages holds one, and importlib.metadata's answer elsewhere."""
    import sys
    from importlib.metadata import version

    from kg.extract import segmenter

    for name in ("jieba", "rjieba"):
        assert segmenter.installed_version(name) == version(name)
    assert segmenter.segmenter_name() == "rjieba " + version("rjieba")
    site = tmp_path / "site"
    (site / "fakeseg").mkdir(parents=True)
    (site / "fakeseg" / "__init__.py").write_text("")
    (site / "fakeseg-2.0.1.dist-info").mkdir()
    (site / "fakeseg_extra-1.0.dist-info").mkdir()  # another distribution's
    (site / "fakeseg2").mkdir()
    (site / "fakeseg2" / "__init__.py").write_text("")  # a package with no .dist-info beside it
    monkeypatch.syspath_prepend(str(site))
    segmenter.installed_version.cache_clear()
    try:
        assert segmenter.installed_version("fakeseg") == "2.0.1"
        assert segmenter.installed_version("fakeseg2") == "" and segmenter.installed_version("no_such_pkg") == ""
    finally:
        segmenter.installed_version.cache_clear()
        sys.modules.pop("fakeseg", None)


def test_shipped_dictionary_words_are_jiebas_dict():
    """kg/data/jieba_words.sqlite (scripts/derive_jieba_words.py) holds every word of the installed dict.txt with its
    frequency and tag, under its first two characters, stamped with that dictionary and rjieba, and the total of
    the frequencies: stale, a re-build's worker would build rjieba's whole dictionary again (the same tokens)."""
    import sqlite3

    from kg.extract.tokens import tag_source_stamp
    from kg.extract.words import WORDS_FILE, key_of
    from kg.lexicon import DATA, jieba_dictionary_path

    entries = {}
    with open(jieba_dictionary_path(), encoding="utf-8") as fh:
        for line in fh:
            word, freq, tag = line.split()
            entries[word] = (int(freq), tag)
    db = sqlite3.connect(DATA / WORDS_FILE)
    meta = dict(db.execute("SELECT key, value FROM meta"))
    assert meta == {"stamp": tag_source_stamp(), "total": str(sum(f for f, _ in entries.values())),
                    "words": str(len(entries))}, "stale: run scripts/derive_jieba_words.py"
    shipped = {}
    for prefix, lines in db.execute("SELECT prefix, lines FROM words"):
        for line in lines.split("\n"):
            word, freq, tag = line.rsplit(" ", 2)
            assert key_of(word) == prefix
            shipped[word] = (int(freq), tag)
    assert shipped == entries


def test_the_words_a_text_needs_cut_and_tag_it_as_the_whole_dictionary():
    """A re-build's worker loads into rjieba only the dictionary words its texts can hold, as it reads them
    (``words.NeededWords``): over the seeds and all of PD1998, read whole and in pieces of 80 characters by one
    growing dictionary, every cut, tag (with and without the HMM) and known word is the whole dictionary's."""
    from kg.extract.tokens import tag_source_stamp
    from kg.extract.words import NeededWords, needed_words

    words = needed_words(tag_source_stamp())
    assert isinstance(words, NeededWords)
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    if PD1998.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(PD1998.iterdir())]
    checked = 0
    for i, text in enumerate(texts):
        pieces = [text] if i % 2 else [text[j : j + 80] for j in range(0, len(text), 80)]
        for piece in pieces:
            assert words.cut(piece) == rjieba.cut(piece)
            assert words.tag(piece) == rjieba.tag(piece)
            assert words.tag(piece, False) == rjieba.tag(piece, False)
            cut = rjieba.cut(piece, False)
            assert [words.has_word(w) for w in cut] == [rjieba.has_word(w) for w in cut]
            checked += len(piece)
    assert checked > (1_800_000 if PD1998.is_dir() else 40_000)
    fresh = needed_words.__wrapped__(tag_source_stamp())  # (one that has read nothing yet)
    assert fresh.has_word("中华人民共和国") and not fresh.has_word("中华人民共和") and fresh.cut("") == []
    with pytest.raises(UnicodeEncodeError):  # (a lone surrogate: rjieba refuses it too, and jieba cuts it)
        fresh.cut("记者\ud800王小明说")
    assert needed_words.__wrapped__("another dictionary") is None


def test_a_rebuilds_worker_loads_the_words_its_articles_need(tmp_path):
    """The worker a re-build starts for its few new articles (``Workers(few=True)``) cuts them with the
    dictionary words they can hold and never builds rjieba's whole dictionary (the ``rjieba`` package, whose import
    builds it, is never imported there); a first build's workers build it. Both builds' graphs are a fresh
    build's."""
    import shutil
    import subprocess
    import sys

    corpus, out, log = tmp_path / "in", tmp_path / "out", tmp_path / "log"
    corpus.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    for f in seeds[:-1]:
        shutil.copy(f, corpus / f.name)
    code = f"""
import sys
from kg import runner
extract_batch = runner.extract_batch

def logged(articles, province):
    out = extract_batch(articles, province)
    from kg.extract import tokens
    with open({str(log)!r}, "a") as fh:
        print(type(tokens._rjieba()).__name__, "rjieba" in sys.modules, file=fh)
    return out

runner.extract_batch = logged
from kg.pipeline import run
graph, _ = run([sys.argv[1]], jobs=2, cache_path=sys.argv[2])
print(len(graph.nodes), len(graph.edges))
"""
    def build(cache):
        res = subprocess.run([sys.executable, "-c", code, str(corpus), str(cache)], capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
        return res.stdout

    build(out / "cache.sqlite")
    assert set(log.read_text().split("\n")[:-1]) == {"module True"}  # (a first build: the whole dictionary)
    log.unlink()
    shutil.copy(seeds[-1], corpus / seeds[-1].name)
    again = build(out / "cache.sqlite")
    assert log.read_text().split("\n")[:-1] == ["NeededWords False"]
    assert again == build(tmp_path / "fresh.sqlite")
