"""A kept resolution with articles added resolves as all of them resolved at once would, and resolution does
not depend on the order the articles come in (kg/kept.py, kg/resolve.py)."""
from __future__ import annotations

import json
import random
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SEEDS, invoke_kg, run_kg
from kg.graph import build_graph
from kg.kept import KeptResolution, NotKept
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


def _as_read(nodes) -> dict[str, list]:
    """Article id → what it reads, as the graph's nodes give it: each entity it is an article of (id, type, name,
    aliases, code) and each of its mentions with the entity it is read as, in node order."""
    out: dict[str, list] = {}
    for eid, n in nodes.items():
        for aid in n["articles"]:
            out.setdefault(aid, []).append((eid, n["type"], n["name"], list(n["aliases"]), n["code"]))
        for m in n["mentions"]:
            out.setdefault(m.article, []).append((eid, m))
    return out


def _kept_then_changed(path, steps, province, reread_kept=True):
    """Keep a resolution of ``steps[0]`` (articles), then for each later step (articles added, articles
    removed) update what was kept, read back from the file each time as a re-build does (where the kept
    resolution cannot take a removed article out, resolve everything, as the build does). The last graph, and
    how many steps the kept resolution served. Where it served, every article it does not name as changed
    (``changed_articles``) that was there before reads what it read then."""
    first = Tally()
    first.add(steps[0])
    entities, relations = first.resolve(province)
    kept = KeptResolution(path)
    kept.keep_all(first)
    nodes, edges = _graph(entities, relations)
    kept.keep(nodes)
    now = {ex.article.id: ex for ex in steps[0]}
    served = 0
    for more, fewer in steps[1:]:
        gone = [now.pop(ex.article.id) for ex in fewer]
        now.update((ex.article.id, ex) for ex in more)
        kept = KeptResolution(path)
        added, removed = kept.changes({aid: ex.key for aid, ex in now.items()})
        assert sorted(added) == sorted(ex.article.id for ex in more)
        assert removed == {ex.article.id: ex.key for ex in gone}
        kept.load()
        reread = (lambda aids: [now[aid] for aid in aids]) if reread_kept else None  # noqa: E731
        before = nodes
        try:
            entities, relations, unchanged = kept.update(more, province, gone, reread)
            served += 1
        except NotKept:
            tally = Tally()
            tally.add(list(now.values()))
            entities, relations = tally.resolve(province)
            unchanged = None
            kept.keep_all(tally)
        nodes, edges = _graph(entities, relations, unchanged)
        changed = kept.changed_articles(nodes)
        if unchanged is None:
            assert changed is None
        else:
            assert kept.fresh <= changed and len(kept.since) == len(kept.token) == 16 and kept.since != kept.token
            was, now_read = _as_read(before), _as_read(nodes)
            for aid in (was.keys() & now_read.keys()) - changed:
                assert was[aid] == now_read[aid], aid
            # every entity naming an article counted in anew (by an article of its, or a mention) was made again,
            # as ``Changed.extracted`` says to the writers, which look for those articles among them alone
            extracted, made = {ex.article.id for ex in more}, kept.made | kept.gone
            for eid, node in nodes.items():
                if extracted.intersection(node["articles"]) or any(m.article in extracted for m in node["mentions"]):
                    assert eid in made, (eid, sorted(extracted))
        kept.keep(nodes)
    return (nodes, edges), served


def _kept_then_added(path, rounds, province):
    return _kept_then_changed(path, [rounds[0]] + [(more, []) for more in rounds[1:]], province)[0]


def _kept_but_one(extractions, tmp_path):
    """A kept resolution of every extraction but the last that names a key others name too (its path), that one, and
    the kept resolution read back (``load``)."""
    from collections import Counter

    exs, province = extractions
    path = tmp_path / "kept.sqlite"
    named = Counter(k for ex in exs for k in {m.key for m in ex.mentions})
    added = next(ex for ex in reversed(exs) if any(named[m.key] > 1 for m in ex.mentions))  # (names kept keys)
    _kept_then_added(path, [[ex for ex in exs if ex is not added]], province)
    kept = KeptResolution(path)
    kept.load()
    return path, added, kept


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


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), rounds=st.integers(2, 5))
def test_articles_added_and_removed_resolve_as_the_articles_left_at_once(extractions, tmp_path, seed, rounds):
    """Articles removed from a kept resolution (an edited one: removed and added again) give what resolving the
    articles left gives, whether the kept resolution takes them out or, where one held a key's first, resolves
    everything."""
    exs, province = extractions
    rng = random.Random(seed)
    order = list(exs)
    rng.shuffle(order)
    steps, now, rest = [order[: len(order) // 2]], list(order[: len(order) // 2]), order[len(order) // 2 :]
    for _ in range(rounds - 1):
        fewer = rng.sample(now, rng.randint(0, min(3, len(now))))
        edited = [Extraction(article=ex.article, mentions=ex.mentions[1:], facts=ex.facts[1:], key=ex.key + " edited")
                  for ex in rng.sample(fewer, len(fewer) // 2)]  # (the same article, read differently)
        more, rest = rest[: rng.randint(0, 20)], rest[20:]
        now = [ex for ex in now if ex not in fewer] + more + edited
        steps.append((more + edited, fewer))
    path = tmp_path / f"kept-{seed}-{rounds}.sqlite"
    graph, _ = _kept_then_changed(path, steps, province)
    assert graph == _fresh(now, province)


def test_a_removed_article_is_taken_out_and_a_first_it_held_found_again(tmp_path):
    """An article that holds no key's first is taken out of the kept resolution (a key only it named goes with
    it); where it held the first mention of a key others name too (and its first code), the next is found in
    the articles left that name the key, read again; where they cannot be read, everything is resolved."""
    a = _extraction("a.txt", ("Region", "甲地"), ("Person", "乙某"))
    a.mentions[0] = a.mentions[0]._replace(code="110000")
    b = _extraction("b.txt", ("Organization", "戊己"), ("Region", "甲地"), ("Organization", "甲地"))
    b.mentions[1] = b.mentions[1]._replace(code="120000")
    c = _extraction("c.txt", ("Person", "丙某"), ("Organization", "甲地"))
    graph, served = _kept_then_changed(tmp_path / "one.sqlite", [[a, b, c], ([], [b])], "")
    assert served == 1 and graph == _fresh([a, c], "")
    assert graph[0]["region/甲地"]["articles"] == ["a.txt#0", "c.txt#0"] and "organization/戊己" not in graph[0]
    graph, served = _kept_then_changed(tmp_path / "two.sqlite", [[a, b, c], ([], [a])], "")
    assert served == 1 and graph == _fresh([b, c], "")
    assert graph[0]["organization/甲地"]["code"] == "120000"  # (the first code left: b.txt's)
    graph, served = _kept_then_changed(tmp_path / "three.sqlite", [[a, b, c], ([], [a])], "", reread_kept=False)
    assert served == 0 and graph == _fresh([b, c], "")


def test_a_build_resolves_everything_where_the_kept_resolution_cannot_serve(tmp_path, monkeypatch):
    """The pipeline's way out: where the kept resolution cannot take a removed article out (``NotKept``), the
    build reads every article's extraction and resolves them all, with the graph a fresh build makes."""
    from kg import kept as kept_module

    def refuse(self, *args):
        raise NotKept("refused for the test")

    work = tmp_path / "corpus"
    shutil.copytree(SEEDS, work, ignore=shutil.ignore_patterns("*.md"))
    cache = tmp_path / "cache.sqlite"
    run([str(work)], cache_path=str(cache))
    sorted(work.glob("*.txt"))[0].unlink()
    monkeypatch.setattr(kept_module.KeptResolution, "_refirst", refuse)
    graph = run([str(work)], cache_path=str(cache))[0]
    assert graph.stats["resolution"]["entities kept"] == 0
    fresh = run([str(work)])[0]
    assert (graph.nodes, graph.edges) == (fresh.nodes, fresh.edges)


def test_a_kept_resolution_tells_what_changed(extractions, tmp_path):
    """Articles new or changed (another extraction key) since, and those removed or changed, with the key they
    were kept under."""
    exs, province = extractions
    path = tmp_path / "kept.sqlite"
    _kept_then_added(path, [exs], province)
    sources = {ex.article.id: ex.key for ex in exs}
    kept = KeptResolution(path)
    assert kept.changes(sources) == ([], {}) and kept.changes({**sources, "new#0": "k"}) == (["new#0"], {})
    first = exs[0].article.id
    assert kept.changes(dict(list(sources.items())[1:])) == ([], {first: sources[first]})
    assert kept.changes(dict(sources, **{first: "another key"})) == ([first], {first: sources[first]})


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


def test_relations_read_the_regions_and_organisations_alone(extractions, monkeypatch):
    """A full resolution gives ``relations`` the type, name and code of the regions and organisations alone
    (``RELATED_TYPES``: a third of PD1998's entities), and the relations are those it makes given every entity's: a
    rule that came to read another type's would fail here until that type is added. (A re-build's update picks the
    same off the kept columns; the tests above compare its relations with a full resolution's.)"""
    import kg.resolve as resolve_module

    exs, province = extractions
    given = []
    real = resolve_module.relations

    def relations(facts, eid_of, info, region_docs, province=""):
        given.append((dict(facts), dict(eid_of), dict(info), {k: set(v) for k, v in region_docs.items()}, province))
        return real(facts, eid_of, info, region_docs, province)

    monkeypatch.setattr(resolve_module, "relations", relations)
    entities, made = resolve(exs, province)
    facts, eid_of, info, region_docs, _ = given[-1]
    assert {typ for typ, _, _ in info.values()} == set(resolve_module.RELATED_TYPES)
    every = {e.id: (e.type, e.name, e.code) for e in entities.values()}
    assert len(every) > len(info)
    assert real(facts, eid_of, every, region_docs, province) == made
    for eid in region_docs:  # (each region whose documents are read has its info)
        assert info[eid][0] == "Region"


@pytest.mark.parametrize("how", ["default", "one job", "dask"])
def test_a_rebuild_takes_the_entities_no_new_article_touches_as_they_were_kept(tmp_path, how):
    """The command line: a re-build after one page is added reads the kept resolution (the new page extracted by
    the worker, in the main process with one job, or on a Dask cluster), makes again only the entities the
    page's keys touch, and writes what a fresh build writes; removing that page again takes it out, and so does
    removing the first page (which holds the first mention of keys others name too: found again)."""
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
    for gone in (held, sorted(work.glob("*.txt"))[0]):
        gone.unlink()  # the page just added (it holds no key's first mention), then the first page (it does)
        assert run_kg("build", str(work), "-o", str(out)).returncode == 0
        assert run_kg("build", str(work), "-o", str(fresh), "--no-cache").returncode == 0
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        assert report["resolution"]["entities kept"] > 0, report["resolution"]
        assert (out / "graph.ttl").read_bytes() == (fresh / "graph.ttl").read_bytes()
        assert (out / "index.html").read_bytes() == (fresh / "index.html").read_bytes()


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


def test_a_kept_resolution_reads_the_records_of_the_keys_an_article_counts_again(extractions, tmp_path):
    """A re-build reads back the records (votes, first code, texts) of the shards whose keys an added article
    counts again or whose rows it writes, not all 256; what it resolves is what resolving everything gives. A shard
    whose records do not read back when wanted refuses the update (NotKept: the build resolves everything)."""
    import marshal
    import sqlite3

    from kg.kept import SHARDS, shard_of

    exs, province = extractions
    path, added, kept = _kept_but_one(extractions, tmp_path)
    unread = set(kept.records)
    entities, relations, unchanged = kept.update([added], province)
    read = unread - set(kept.records)
    assert 0 < len(read) < len(unread) / 4 <= SHARDS / 4, (len(read), len(unread))
    assert _graph(entities, relations, unchanged) == _fresh(exs, province)
    assert kept.key_type.keys() == kept.entity_of.keys()
    # the shard of a key the added article names, its records damaged
    again = KeptResolution(path)
    again.load()
    name = shard_of(again.entity_of[next(m.key for m in added.mentions if m.key in again.entity_of)])
    with sqlite3.connect(path) as db:
        value, = db.execute("SELECT value FROM resolution WHERE key = ?", (name,)).fetchone()
        row = list(marshal.loads(value))
        row[3] = b"\x00 not marshal"
        db.execute("UPDATE resolution SET value = ? WHERE key = ?", (marshal.dumps(tuple(row)), name))
    damaged = KeptResolution(path)
    damaged.load()  # (the records are read when wanted)
    with pytest.raises(NotKept):
        damaged.update([added], province)


def test_kept_nodes_are_made_when_looked_up_and_their_columns_are_the_nodes_values(extractions, tmp_path):
    """A re-build's graph takes each kept entity's node from the shards' columns when first looked up
    (``KeptNodes``, ``GraphNodes``): resolving one article more makes the dicts of a few of the kept nodes, not all,
    and the graph is a fresh one's. ``column`` gives each node's field in node order without making the others'
    dicts, and follows nodes changed, set or removed since."""
    from kg.graph import GraphNodes

    exs, province = extractions
    _, added, kept = _kept_but_one(extractions, tmp_path)
    entities, relations, unchanged = kept.update([added], province)
    graph = build_graph(entities, relations, [], kept=unchanged)
    nodes = graph.nodes
    assert isinstance(nodes, GraphNodes) and len(unchanged) > 20
    taken = len(kept.nodes._made)
    assert taken < len(unchanged) / 4, (taken, len(unchanged))  # (made eagerly: every one)
    fields = ("type", "name", "aliases", "code", "articles", "mentions")
    columns = {f: nodes.column(f) for f in fields}
    assert len(kept.nodes._made) == taken  # (the columns made no dict)
    fresh_nodes, fresh_edges = _fresh(exs, province)
    assert dict(nodes.items()) == fresh_nodes and graph.edges == fresh_edges
    for f in fields:
        assert columns[f] == [len(d["mentions"]) if f == "mentions" else d[f] for d in fresh_nodes.values()], f
    # a kept node and a made one changed, one set anew and one removed: the columns follow the nodes
    kept_id = next(e for e in unchanged if e not in entities)
    made_id = next(iter(entities))
    nodes[kept_id]["name"] = "甲乙"
    nodes[made_id]["name"] = "丙丁"
    nodes["person/新人"] = {"type": "Person", "name": "新人", "aliases": [], "code": "", "articles": [], "mentions": []}
    gone = next(e for e in nodes if e not in (kept_id, made_id))
    del nodes[gone]
    assert nodes.column("name") == [d["name"] for d in nodes.values()]
    assert list(nodes)[-1] == "person/新人" and gone not in nodes and nodes.get(gone) is None


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), size=st.integers(0, 12))
def test_mentions_in_some_articles_are_those_of_all_made_at_once(extractions, seed, size):
    """``mentions_in`` (what a re-build's writers read for the articles they make again) gives for each article
    asked for what ``mentions_by_article`` gives, in its order, whether that is made already or not; and a
    ``Reads`` gives the same for the articles it was told to want and for any other."""
    from kg.graph import Reads

    exs, province = extractions
    entities, relations = resolve(exs, province)
    ids = sorted({ex.article.id for ex in exs}) + ["no such article#0"]
    wanted = set(random.Random(seed).sample(ids, min(size, len(ids))))
    graph = build_graph(entities, relations, [])
    some = graph.mentions_in(wanted)
    reads = Reads(graph)
    reads.want(wanted)
    from_reads = {aid: reads.get(aid) for aid in wanted}
    every = graph.mentions_by_article()
    assert some == {aid: every[aid] for aid in wanted if aid in every}
    assert from_reads == {aid: every.get(aid) for aid in wanted}
    assert graph.mentions_in(wanted) == some  # (from the whole, once made)
    other = next((aid for aid in ids if aid not in wanted and aid in every), None)
    assert other is None or reads.get(other) == every[other]


def test_kept_mentions_are_read_back_for_the_entities_a_rebuild_reads_only(tmp_path, monkeypatch):
    """A kept entity's mentions are its shard's columns, marshalled apart and read back when first wanted
    (``KeptMentions``): their number is known at once. A re-build after a page naming a city is added reads back the
    mentions of the entities it makes again (and of their shards', to keep them) and of those its writers read, not all (graph.html draws the 30 most related
    entities here, as PD1998's draws 1,500 of 15 k, and is patched: no other entity's first sentences are looked
    up), and writes what a fresh build writes. A shard whose mentions' bytes do not match their CRC-32 is a kept entity that does not read back: the
    build resolves everything, and still writes a fresh build's graph."""
    import marshal
    import sqlite3

    from kg import kept as kept_module
    from kg.export import html

    monkeypatch.setattr(html, "MAX_WHOLE", 30)
    work = tmp_path / "corpus"
    shutil.copytree(SEEDS, work, ignore=shutil.ignore_patterns("*.md"))
    out, fresh = tmp_path / "o", tmp_path / "fresh"
    assert invoke_kg(["build", str(work), "-o", str(out), "-j", "1"]).exit_code == 0
    (work / "zz-more.txt").write_text("辽宁日报讯 今年，沈阳市加快推进项目建设。\n", encoding="utf-8")
    read: list[int] = []
    columns = kept_module._ShardMentions.columns

    def counted(self):
        if self._columns is None:
            read.append(self._total)
        return columns(self)

    monkeypatch.setattr(kept_module._ShardMentions, "columns", counted)
    assert invoke_kg(["build", str(work), "-o", str(out), "-j", "1"]).exit_code == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["resolution"]["entities kept"] > 0 and "graph.html" in report["pages_patched"], report
    assert 0 < len(read) < 10, len(read)
    assert run_kg("build", str(work), "-o", str(fresh), "--no-cache").returncode == 0
    assert (out / "graph.ttl").read_bytes() == (fresh / "graph.ttl").read_bytes()
    # one shard's mentions' bytes damaged, their CRC-32 left as it was
    db = sqlite3.connect(out / ".kg-cache.sqlite")
    name, value = db.execute("SELECT key, value FROM resolution WHERE key LIKE 'shard %' LIMIT 1").fetchone()
    columns_, *rest = marshal.loads(value)
    eids, fields, counts, (crc, data) = columns_
    damaged = data[:-8] + bytes(8)
    with db:
        db.execute("UPDATE resolution SET value = ? WHERE key = ?",
                   (marshal.dumps(((eids, fields, counts, (crc, damaged)), *rest)), name))
    db.close()
    (work / "zz-new.txt").write_text("辽宁日报讯 昨天，盘锦市副市长林志远在盘锦市第三中学调研。\n", encoding="utf-8")
    res = invoke_kg(["build", str(work), "-o", str(out), "-j", "1"])
    assert res.exit_code == 0, res.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["resolution"]["entities kept"] == 0, report["resolution"]
    assert run_kg("build", str(work), "-o", str(fresh), "--no-cache").returncode == 0
    assert (out / "graph.ttl").read_bytes() == (fresh / "graph.ttl").read_bytes()


def test_changed_subjects_compares_only_what_lies_between_the_runs_both_lists_share():
    """``Changed.changed_subjects`` leaves out the records both builds open and end with (whole subjects' only) and
    groups the rest by subject: for records grouped by subject, as the graph's edges are, its answer is what grouping
    them all gives (the subjects whose records differ, with both builds' records; None where the subjects both have
    come in another order), whatever records are added, removed or changed and whatever subjects come or go."""
    from hypothesis import given, settings, strategies as st

    from kg.graph import Changed, subjects_changed as everything  # (every record grouped: as before session 37)

    subjects = st.lists(st.tuples(st.sampled_from("abcdefgh"), st.lists(st.integers(0, 3), max_size=4)),
                        max_size=8, unique_by=lambda x: x[0])

    def records(groups):
        return [(s, x) for s, xs in groups for x in xs]

    @settings(max_examples=400, deadline=None)
    @given(subjects, st.lists(st.tuples(st.integers(0, 7), st.sampled_from(["drop", "add", "swap", "edit"]),
                                        st.integers(0, 3)), max_size=4))
    def check(groups, edits):
        now = [(s, list(xs)) for s, xs in groups]
        for at, edit, x in edits:
            if not now and edit != "add":
                continue
            i = at % max(1, len(now))
            if edit == "drop":
                del now[i]
            elif edit == "add":
                name = "new" + str(at)
                if all(s != name for s, _ in now):
                    now.insert(min(at, len(now)), (name, [x]))
            elif edit == "swap" and len(now) > 1:
                j = (i + 1) % len(now)
                now[i], now[j] = now[j], now[i]
            else:
                now[i][1][x % max(1, len(now[i][1]))::] = [x + 10]
        then, now = records(groups), records(now)
        changed = Changed("t", frozenset())
        assert changed.changed_subjects("t", then, now) == everything(then, now)
        assert changed.changed_subjects("t", now, then) == everything(now, then)

    check()


def test_the_province_is_inferred_from_each_texts_evidence_kept_for_the_length_read(tmp_path, monkeypatch):
    """With a build cache, each text's evidence of the paper's province (the provinces it names, its own words) is
    kept for the length of it read (``sample_cuts``: a share of the corpus's sample, which moves with the corpus's
    length), and found again only for texts new or read to another length: the province inferred is the one the
    whole sample gives (checked against the verdict over the texts joined, as it was made before session 37),
    whatever texts come and go, and a damaged record is no error."""
    import marshal
    import random
    import sqlite3
    from collections import Counter

    from kg.extract import context
    from kg.lexicon import gazetteer
    from kg.pipeline import kept_evidence, province_code
    from kg.read import read_all, text_hash

    def joined_verdict(texts):  # (the sample scanned whole, as infer_province did it before session 37)
        gaz = gazetteer()
        total = sum(map(len, texts))
        if total > context.INFER_SAMPLE:
            texts = [t[: -(-len(t) * context.INFER_SAMPLE // total)] for t in texts]
        sample = "\n".join(texts)
        counts = Counter([p for _, _, f in gaz.find_forms(sample) if (p := gaz.province_by_form.get(f))])
        if not counts:
            return ""
        (top, n), *rest = counts.most_common(2) + [("", 0)]
        own = sample.count("我省") + sample.count("全省") + sample.count("省委")
        return top if n >= 3 and n >= 2 * rest[0][1] and own > 0 else ""

    pool = [s.text for s in read_all([str(SEEDS)]).sources]
    pd = sorted(PD1998.glob("*.txt"))[::40] if PD1998.is_dir() else []
    pool += [s.text for s in read_all([str(f) for f in pd]).sources] if pd else []
    scanned = []
    evidence, finds = context.province_evidence, context.province_finds
    monkeypatch.setattr("kg.pipeline.province_finds", lambda samples, gaz: scanned.append(len(samples))
                        or finds(samples, gaz))
    cache = tmp_path / "cache.sqlite"
    rng = random.Random(7)
    verdicts = set()
    for sample in (context.INFER_SAMPLE, 3000):  # every text read whole; then each cut to its share, as PD1998's
        monkeypatch.setattr(context, "INFER_SAMPLE", sample)
        monkeypatch.setattr("kg.pipeline.INFER_SAMPLE", sample)
        texts = rng.sample(pool, min(len(pool), 30))
        added = False
        for step in range(12):
            # each text's evidence, kept or found again, is what its sample gives now
            scanned.clear()
            kept = kept_evidence(texts, [text_hash(t) for t in texts], cache, gazetteer())
            cuts = context.sample_cuts([len(t) for t in texts])
            assert kept == evidence([t[:cut] for t, cut in zip(texts, cuts)], gazetteer()), (sample, step)
            got = province_code(None, texts, [text_hash(t) for t in texts], cache)
            assert got == joined_verdict(texts) == province_code(None, texts), (sample, step)
            verdicts.add(got)
            if step and (sample > 3000 or added):  # (read whole, or each read less than before as a text came:
                # the others' evidence is kept, or given by where their forms are, and the new text's alone found)
                assert sum(scanned) <= 1, (step, scanned)
            added = rng.random() < 0.7 or len(texts) < 5
            if added:
                texts.append(rng.choice(pool) + "又" * step)
            else:
                texts.pop(rng.randrange(len(texts)))
        assert province_code(None, texts, [text_hash(t) for t in texts], cache) == joined_verdict(texts)
        scanned.clear()
        assert province_code(None, texts, [text_hash(t) for t in texts], cache) == joined_verdict(texts)
        assert scanned in ([0], []), scanned  # (nothing changed since: nothing found again)
    assert verdicts & {"210000", "110000"}, verdicts
    db = sqlite3.connect(cache)
    with db:
        db.execute("UPDATE province SET value = ?", (marshal.dumps({k: (1, 2) for k in range(3)}),))
        got = db.execute("SELECT value FROM province").fetchone()
    db.close()
    assert province_code(None, texts, [text_hash(t) for t in texts], cache) == joined_verdict(texts)


def test_a_rebuilds_writers_find_its_new_articles_among_the_entities_made_again(tmp_path):
    """A re-build served by the kept resolution says which articles it counted in anew (``Changed.extracted``);
    the writers look for what those read among the entities made again alone (``KnowledgeGraph.naming``: a dozen
    of thousands), and find what a walk through every entity finds: each one's mentions, by entity in node order,
    and (the pages' ``fill``) each one's entities and relations."""
    from kg.export.html import view_graph
    from kg.graph import KnowledgeGraph

    work = tmp_path / "corpus"
    shutil.copytree(SEEDS, work, ignore=shutil.ignore_patterns("*.md"))
    held = sorted(work.glob("*.txt"))[-1]
    text = held.read_text(encoding="utf-8")
    held.unlink()
    cache = tmp_path / "cache.sqlite"
    first = run([str(work)], cache_path=str(cache))[0]
    first.resolution.keep(first.nodes)  # (as the exporter keeps it)
    held.write_text(text, encoding="utf-8")
    graph = run([str(work)], cache_path=str(cache))[0]
    new = {a.id for a in graph.articles if a.doc == held.name}
    assert graph.changed is not None and graph.changed.extracted == new
    among = graph.naming(new)
    assert 0 < len(among) < len(graph.nodes) and among == [n for n in graph.nodes if n in graph.changed.entities]
    every = KnowledgeGraph(nodes=graph.nodes, edges=graph.edges, articles=graph.articles)  # (no ``changed``)
    assert every.naming(new) is every.nodes
    assert graph.mentions_in(new) == every.mentions_in(new) and graph.mentions_in(new)
    assert graph.naming(new | {graph.articles[0].id}) is graph.nodes  # (an article not counted in anew: all)
    for aid in new:
        ours, theirs = view_graph(graph), view_graph(every)
        theirs.articles[aid]["entities"], theirs.articles[aid]["edges"] = None, None
        theirs.fill([aid], reads=False)
        ours.fill([aid], reads=True)
        assert ours.articles[aid]["entities"] == theirs.articles[aid]["entities"] and ours.articles[aid]["entities"]
        assert ours.articles[aid]["edges"] == theirs.articles[aid]["edges"]
        assert ours.reads.get(aid) == every.mentions_in({aid})[aid]
