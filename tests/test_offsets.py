"""Offsets are the truth: every article, sentence and mention slices back to its text."""
from __future__ import annotations

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
