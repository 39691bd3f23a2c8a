"""Offsets are the truth: every article, sentence and mention slices back to its text."""
from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import GOLD, SEEDS
from kg.extract import Context, extract, infer_province
from kg.read import read
from kg.segment import segment


def test_offsets_slice_back():
    sources = read([str(SEEDS)])
    ctx = Context(province=infer_province([s.text for s in sources]))
    n = 0
    for s in sources:
        arts = segment(s)
        assert len(arts) >= 1
        for art in arts:
            assert s.text[art.start:art.end] == art.text
            for sent in art.sentences:
                assert art.start <= sent.start < sent.end <= art.end
            for m in extract(art, ctx).mentions:
                assert s.text[m.start:m.end] == m.text
                n += 1
    assert n > 500


def test_pages_split_into_articles():
    # a page with markdown headings and one without both split at their headlines and bylines
    sources = {s.name: s for s in read([str(SEEDS)])}
    counts = {name: len(segment(s)) for name, s in sources.items()}
    assert all(c >= 1 for c in counts.values())
    assert sum(counts.values()) >= 25
    first = segment(sources["000_a06d24ae3cd6fbd4.txt"])[1]
    assert first.byline and first.title.endswith("召开")


def test_no_gold_names_in_package():
    """Extraction works by general means: no Person, Project or Initiative name from gold is in kg/."""
    import json
    from pathlib import Path

    if not GOLD.is_dir():
        import pytest

        pytest.skip("no gold folder")
    names = set()
    for f in GOLD.glob("*.json"):
        for e in json.loads(f.read_text(encoding="utf-8"))["entities"]:
            if e["type"] in ("Person", "Project", "Initiative") and len(e["name"]) >= 2:
                names.add(e["name"])
    pkg = Path(__file__).resolve().parent.parent / "kg"
    leaks = []
    for p in pkg.rglob("*"):
        if p.is_file() and p.suffix in (".py", ".txt", ".tsv", ".json", ".rq"):
            text = p.read_text(encoding="utf-8", errors="ignore")
            leaks += [(p.name, n) for n in names if n in text]
    assert not leaks, leaks[:20]


def test_sentences_cut_at_stops_closers_newlines_and_long_runs():
    from kg.segment import MAX_SENTENCE, split_sentences

    text = "他说：“好。”她说！\n  第三句；第四句?”\n"
    got = [text[s.start:s.end] for s in split_sentences(text, 0, len(text))]
    assert got == ["他说：“好。”", "她说！", "第三句；", "第四句?”"]
    # a run with no stop is cut after its last comma within MAX_SENTENCE characters, else at the limit
    run = ("字" * 300 + "，") * 4 + "尾" * (MAX_SENTENCE * 2 + 10)
    parts = split_sentences(run, 0, len(run))
    assert "".join(run[s.start:s.end] for s in parts) == run
    assert all(s.end - s.start <= MAX_SENTENCE for s in parts)
    assert [run[s.end - 1] for s in parts[:4]] == ["，"] * 4
    assert [s.end - s.start for s in parts[4:]] == [MAX_SENTENCE, MAX_SENTENCE, 10]
    # bounds are respected: nothing before start or after end
    assert [(s.start, s.end) for s in split_sentences(text, 3, 5)] == [(3, 5)]


def test_province_of_a_large_corpus_is_read_from_an_even_spread():
    from kg.extract.context import INFER_SAMPLE

    paper = "我省沈阳市、大连市和鞍山市召开会议。全省推进。" * 20
    other = "北京市海淀区。" * 5
    # far more text than the sample: the opening of every text is read, so the paper's province
    # dominates however its texts are ordered
    texts = [paper if i % 3 else other for i in range(3 * INFER_SAMPLE // len(paper))]
    assert infer_province(texts) == "210000"
    assert infer_province([other * 10, "我省"]) == "110000"


def _province_text_by_text(texts: list[str]) -> str:
    """``infer_province`` as defined: each text's opening scanned on its own, the counts summed."""
    from collections import Counter

    from kg.extract.context import INFER_SAMPLE
    from kg.lexicon import gazetteer

    gaz = gazetteer()
    total = sum(map(len, texts))
    if total > INFER_SAMPLE:
        texts = [t[: -(-len(t) * INFER_SAMPLE // total)] for t in texts]
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update([p for _, _, f in gaz.find_forms(text) if (p := gaz.province_by_form.get(f))])
    if not counts:
        return ""
    (top, n), *rest = counts.most_common(2) + [("", 0)]
    own = sum(t.count("我省") + t.count("全省") + t.count("省委") for t in texts)
    return top if n >= 3 and n >= 2 * rest[0][1] and own > 0 else ""


PROVINCE_PIECES = ["辽宁", "辽宁省", "宁", "省", "我省", "全", "全省", "省委", "吉林", "吉林省", "林", "北京", "北京市",
                   "京", "黑龙江", "黑龙", "江", "内蒙古", "内蒙", "古", "。", "\n", "沈阳", "长春市", "x"]


@settings(max_examples=120, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PROVINCE_PIECES), max_size=12).map("".join), min_size=1, max_size=8),
       st.sampled_from([1, 2, 5, 4000]))
@example(["黑龙", "江黑龙", "江黑龙", "江我", "省"], 1)  # forms and own words only across the joints: no verdict
def test_province_scan_of_the_joined_openings_is_the_scan_text_by_text(texts, repeat):
    """The openings are scanned as one string (one call into the matcher, not one per text): a form cut
    at a text's end, or one text's end and the next's start that would read as a form together, must
    count as they do text by text. ``repeat`` grows the corpus past the sample, so openings are cut."""
    from kg.lexicon import gazetteer

    assert not any("\n" in form for form in gazetteer().province_by_form)  # (the joint the scan relies on)
    texts = [t * repeat for t in texts]
    assert infer_province(texts) == _province_text_by_text(texts)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PROVINCE_PIECES), max_size=40).map("".join))
@example("黑龙江省委")
@example("内蒙古自治区我省")
def test_forms_looked_up_are_the_automatons_and_any_opening_reads_from_where_the_forms_are(text):
    """``find_forms_looked_up`` (a few characters, without making the automaton) finds what ``find_forms`` finds;
    and the evidence of every opening of a text, given from where the forms of a longer one are
    (``evidence_within``: what a re-build does for a text whose share shrank), is what scanning that opening gives,
    a cut within a form (黑龙|江, 辽宁|省) included."""
    from kg.extract.context import evidence_within, province_evidence, province_finds
    from kg.lexicon import gazetteer

    gaz = gazetteer()
    assert gaz.find_forms_looked_up(text) == gaz.find_forms(text)
    (named, own, where), = province_finds([text], gaz)
    assert (named, own) == province_evidence([text], gaz)[0]
    for cut in range(len(text) + 1):
        assert evidence_within(text, cut, where, gaz) == province_evidence([text[:cut]], gaz)[0], cut


def test_forms_looked_up_over_a_month_of_a_national_daily():
    """The same over real text: PD1998's articles (every 7th: ~0.27 M characters), each scanned by lookups and by the
    automaton, and each article's evidence at openings cut inside every form its first 400 characters hold."""
    from conftest import SEEDS
    from kg.extract.context import evidence_within, province_evidence, province_finds
    from kg.lexicon import gazetteer

    pd = SEEDS.parent.parent / "shared" / "benchmarks" / "pd1998" / "articles"
    paths = sorted(pd.glob("*.txt"))[::7]
    if not paths:
        import pytest

        pytest.skip("no PD1998 here")
    gaz = gazetteer()
    straddled = 0
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert gaz.find_forms_looked_up(text) == gaz.find_forms(text), path.name
        opening = text[:400]
        (_, _, where), = province_finds([opening], gaz)
        for k in range(0, len(where), 3):
            start, end = where[k], where[k + 1]
            for cut in range(start + 1, end):  # (cut inside a form: the rest of the opening scanned again)
                straddled += 1
                assert evidence_within(opening, cut, where, gaz) == province_evidence([opening[:cut]], gaz)[0]
    assert straddled > 1000, straddled
