"""A kept resolution with articles added resolves as all of them resolved at once would, and resolution does
not depend on the order the articles come in (kg/kept.py, kg/resolve.py)."""
from __future__ import annotations

import json
import random
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SEEDS, run_kg
from kg.graph import build_graph
from kg.kept import KeptResolution
from kg.pipeline import run
from kg.records import Article, Extraction, Fact, Mention
from kg.resolve import Tally, resolve

PD1998 = SEEDS.parent.parent / "shared" / "benchmarks" / "pd1998" / "articles"


@pytest.fixture(scope="module")
def extractions(tmp_path_factory):
    """The seeds' extractions and, where the benchmark corpus is present, those of 150 PD1998 articles (short
    forms, quoted initiatives, regions of one code: what the merge rules read)."""
    folder = tmp_path_factory.mktemp("kept-corpus")
    for f in sorted(SEEDS.glob("*.txt")):
        shutil.copy(f, folder / f.name)
    for f in sorted(PD1998.glob("*.txt"))[::20][:150] if PD1998.is_dir() else []:
        shutil.copy(f, folder / f.name)
    kg, exs = run([str(folder)], jobs=2)
    for ex in exs:
        ex.key = f"key of {ex.article.id}"  # (as a build cache would key them)
    return exs, kg.province


def _graph(entities, relations, kept=None):
    g = build_graph(entities, relations, [], kept=kept)
    return g.nodes, g.edges


def _fresh(exs, province):
    return _graph(*resolve(exs, province))


def _kept_then_added(path, rounds, province):
    """Keep a resolution of ``rounds[0]``, then add each later round to what was kept (read back from the
    file each time, as a re-build does): the last round's graph."""
    first = Tally()
    first.add(rounds[0])
    entities, relations = first.resolve(province)
    kept = KeptResolution(path)
    kept.keep_all(first)
    nodes, edges = _graph(entities, relations)
    kept.keep(nodes)
    seen = list(rounds[0])
    for more in rounds[1:]:
        seen += more
        kept = KeptResolution(path)
        added = kept.added({ex.article.id: ex.key for ex in seen})
        assert sorted(added) == sorted(ex.article.id for ex in more)
        kept.load()
        entities, relations, unchanged = kept.update(more, province)
        nodes, edges = _graph(entities, relations, unchanged)
        kept.keep(nodes)
    return nodes, edges


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), rounds=st.integers(2, 4))
def test_articles_added_to_a_kept_resolution_resolve_as_all_at_once(extractions, tmp_path, seed, rounds):
    exs, province = extractions
    order = list(exs)
    random.Random(seed).shuffle(order)
    cuts = sorted(random.Random(seed + 1).sample(range(1, len(order)), rounds - 1))
    parts = [order[a:b] for a, b in zip([0] + cuts, cuts + [len(order)])]
    path = tmp_path / f"kept-{seed}-{rounds}.sqlite"
    assert _kept_then_added(path, parts, province) == _fresh(exs, province)


def test_a_kept_resolution_serves_only_a_build_that_kept_all_its_articles(extractions, tmp_path):
    """An article removed or changed since (its extraction key differs) cannot be taken back out of what was
    kept: the kept resolution does not serve, and the build resolves everything."""
    exs, province = extractions
    path = tmp_path / "kept.sqlite"
    _kept_then_added(path, [exs], province)
    sources = {ex.article.id: ex.key for ex in exs}
    kept = KeptResolution(path)
    assert kept.added(sources) == [] and kept.added({**sources, "new#0": "k"}) == ["new#0"]
    removed = dict(list(sources.items())[1:])
    changed = dict(sources, **{exs[0].article.id: "another key"})
    assert kept.added(removed) is None and kept.added(changed) is None


def _article(doc: str, text: str) -> Article:
    return Article(id=f"{doc}#0", doc=doc, index=0, title="", byline="", start=0, end=len(text), body_start=0,
                   sentences=(), source_text=text)


def _extraction(doc: str, *names: tuple[str, str]) -> Extraction:
    """An article naming each (type, key) once, in that order."""
    text = "".join(key for _, key in names)
    mentions, at = [], 0
    for typ, key in names:
        mentions.append(Mention(article=f"{doc}#0", type=typ, start=at, end=at + len(key), text=key, key=key))
        at += len(key)
    return Extraction(article=_article(doc, text), mentions=mentions, key=f"key of {doc}")


def test_short_forms_merge_and_part_again_as_articles_are_added(tmp_path):
    """A short form merges into the one full name it abbreviates, and stands alone again when a second full
    name makes it ambiguous; an article added to a kept resolution moves its mentions either way."""
    short, full, other = "甲乙示范区", "甲乙改革创新示范区", "甲乙开放合作示范区"
    first = [_extraction("a.txt", ("Region", short), ("Region", full))]
    merged = _kept_then_added(tmp_path / "one.sqlite", [first, [_extraction("b.txt", ("Region", short))]], "")
    assert f"region/{short}" not in merged[0] and short in merged[0][f"region/{full}"]["aliases"]
    assert len(merged[0][f"region/{full}"]["mentions"]) == 3
    rounds = [first, [_extraction("c.txt", ("Region", other))]]
    parted = _kept_then_added(tmp_path / "two.sqlite", rounds, "")
    assert parted == _fresh(first + rounds[1], "")
    assert len(parted[0][f"region/{short}"]["mentions"]) == 1 and parted[0][f"region/{full}"]["aliases"] == []


def test_a_short_form_of_a_short_form_names_the_full_name():
    """Aliases are followed to their end: 甲乙公司 abbreviates 甲乙石油公司, which is 中国甲乙石油公司 without its
    中国; all three are one entity. Before, the middle name was left as an entity of its own with no mention,
    holding the first name's mentions (PD1998: six such entities, among them two projects and an initiative)."""
    ex = _extraction("a.txt", ("Organization", "中国甲乙石油公司"), ("Organization", "甲乙石油公司"),
                     ("Organization", "甲乙公司"))
    entities, _ = resolve([ex])
    assert list(entities) == ["organization/中国甲乙石油公司"]
    assert entities["organization/中国甲乙石油公司"].aliases == {"甲乙石油公司", "甲乙公司"}
    assert len(entities["organization/中国甲乙石油公司"].mentions) == 3


def test_resolution_does_not_depend_on_the_order_of_the_articles():
    """A key's type between as many votes, an entity's code, regions of one code: each first is decided by where
    the article stands in its document and the document's name, not by the order the files were listed in."""
    a = _extraction("a.txt", ("Organization", "丙丁"), ("Region", "丙丁"))
    b = _extraction("b.txt", ("Region", "丙丁"), ("Organization", "丙丁"))
    b.mentions[0] = b.mentions[0]._replace(code="110000")
    b.facts.append(Fact(kind="located_in", subject=("Person", "戊己"), object=("Region", "丙丁"), article="b.txt#0"))
    forward, backward = resolve([a, b]), resolve([b, a])
    assert _graph(*forward) == _graph(*backward)
    assert forward[0]["organization/丙丁"].code == "110000"  # (a.txt names it first, as an organisation)


@pytest.mark.parametrize("how", ["default", "one job", "dask"])
def test_a_rebuild_takes_the_entities_no_new_article_touches_as_they_were_kept(tmp_path, how):
    """The command line: a re-build after one page is added reads the kept resolution (the new page extracted by
    the worker, in the main process with one job, or on a Dask cluster), makes again only the entities the
    page's keys touch, and writes what a fresh build writes; removing a page resolves all again."""
    work = tmp_path / "corpus"
    shutil.copytree(SEEDS, work, ignore=shutil.ignore_patterns("*.md"))
    held = sorted(work.glob("*.txt"))[-1]
    held.rename(tmp_path / held.name)
    out, fresh = tmp_path / "o", tmp_path / "fresh"
    assert run_kg("build", str(work), "-o", str(out)).returncode == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["resolution"]["entities kept"] == 0
    (tmp_path / held.name).rename(held)
    if how == "dask":
        distributed = pytest.importorskip("dask.distributed")
        with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster:
            res = run_kg("build", str(work), "-o", str(out), "--executor", "dask", "--scheduler",
                         cluster.scheduler_address)
        assert res.returncode == 0 and "(dask)" in res.stdout, res.stderr
    else:
        assert run_kg("build", str(work), "-o", str(out), *(["-j", "1"] if how == "one job" else [])).returncode == 0
    assert run_kg("build", str(work), "-o", str(fresh), "--no-cache").returncode == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    made, kept = report["resolution"]["entities made"], report["resolution"]["entities kept"]
    assert 0 < made < kept and made + kept == sum(report["entities"].values()), report["resolution"]
    assert (out / "graph.ttl").read_bytes() == (fresh / "graph.ttl").read_bytes()
    assert (out / "index.html").read_bytes() == (fresh / "index.html").read_bytes()
    sorted(work.glob("*.txt"))[0].unlink()
    assert run_kg("build", str(work), "-o", str(out)).returncode == 0
    assert run_kg("build", str(work), "-o", str(fresh), "--no-cache").returncode == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["resolution"]["entities kept"] == 0, report["resolution"]
    assert (out / "graph.ttl").read_bytes() == (fresh / "graph.ttl").read_bytes()


def test_a_kept_resolution_missing_a_shard_does_not_read_back(extractions, tmp_path):
    """Every shard is written in one transaction with the row that counts the keys and entities; a reading that
    finds fewer (a row removed by hand, a file put together from two) refuses the kept resolution, and the
    build resolves everything, as it does for a shard that does not read back."""
    import sqlite3

    exs, province = extractions
    path = tmp_path / "kept.sqlite"
    _kept_then_added(path, [exs], province)
    KeptResolution(path).load()  # (whole, it reads back)
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM resolution WHERE key = (SELECT key FROM resolution WHERE key LIKE 'shard %' LIMIT 1)")
    with pytest.raises(ValueError):
        KeptResolution(path).load()
