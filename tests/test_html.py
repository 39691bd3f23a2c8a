"""The HTML view: self-contained (no network), escaped, and drawing every node in real Chromium."""
from __future__ import annotations

import os
import re
import shutil

import pytest

from conftest import SEEDS, invoke_kg, page_data as _page_data, run_kg

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_page_references_nothing_remote(seeds_build):
    html = (seeds_build / "graph.html").read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)\s*=", html, re.I)
    assert not re.search(r"https?://[^\s\"']*(cdn|jsdelivr|unpkg|googleapis)", html, re.I)
    assert "vis.Network" in html and "胡异冲" in html
    for page in list((seeds_build / "articles").glob("*.html")) + list((seeds_build / "entities").glob("*.html")):
        text = page.read_text(encoding="utf-8")
        refs = re.findall(r"<(?:script|link)[^>]+(?:src|href)=\"([^\"]+)\"", text)
        assert refs == ["../lib/vis-network.css", "../lib/vis-network.min.js"], (page, refs)
        assert all((page.parent / r).resolve().is_file() for r in refs)


def test_index_lists_every_entity_by_type(seeds_build):
    import json

    report = json.loads((seeds_build / "report.json").read_text(encoding="utf-8"))
    index = (seeds_build / "index.html").read_text(encoding="utf-8")
    for typ, count in report["entities"].items():
        assert f"{typ}</b> <span class=\"n\">({count:,})" in index
    links = re.findall(r'href="([^"]+)"', index)
    assert len([x for x in links if x.startswith("articles/")]) >= 30
    assert all((seeds_build / x).is_file() for x in links)


def test_index_ranks_by_relations_then_name_then_as_listed_and_escapes_names():
    """index.html's order within a type: most relations first, then by name, then in the view's order; every
    name escaped, and only where it needs it (regression: the list is sorted as tuples in one pass now)."""
    import html as html_module

    from kg.export.html import ViewGraph, index_page

    v = ViewGraph()
    names = ["乙", "甲", "A&B", "甲", "<b>丙</b>", "丁'戊", "乙"]
    ids = [f"organization/{9 - i}" for i in range(len(names))]  # listed against their ids' order
    for i, (n, name) in enumerate(zip(ids, names)):
        v.nodes[n] = {"type": "Organization", "name": name, "aliases": [], "code": "", "mentions": i}
    v.nodes["person/x"] = {"type": "Person", "name": '张"三"', "aliases": [], "code": "", "mentions": 9}
    v.edges = [(ids[5], ids[2], "part_of", ""), (ids[3], "person/x", "position", "主任")]
    deg = v.degree()
    page = index_page(v, "t & t", {ids[3]: "entities/x.html"}, {}, deg)
    listed = re.findall(r"<li>(.*?) <span class=\"n\">(\d+) relations · (\d+) mentions</span></li>", page)
    assert listed[0] == ("张&quot;三&quot;", "1", "9")  # Person comes first
    order = [i for i in sorted(range(len(names)), key=lambda i: (-deg.get(ids[i], 0), names[i]))]  # stable
    assert order == [2, 5, 3, 4, 0, 6, 1]  # (甲 at 3 before the 乙s: relations first; the two 乙 as listed)
    shown = [f'<a href="entities/x.html">{names[i]}</a>' if i == 3 else html_module.escape(names[i]) for i in order]
    assert listed[1:] == [(x, str(deg.get(ids[i], 0)), str(i)) for x, i in zip(shown, order)]
    assert "A&amp;B" in page and "&lt;b&gt;丙&lt;/b&gt;" in page and "丁&#x27;戊" in page and "<b>丙" not in page
    # a type none of whose names needs escaping, linked; the articles' titles and files, escaped where they need it
    v.nodes["region/y"] = {"type": "Region", "name": "沈阳", "aliases": [], "code": "", "mentions": 2}
    v.articles = {"b#1": {"title": "", "doc": "b&c.txt"}, "a#1": {"title": "甲<乙>", "doc": "a.txt"}}
    page = index_page(v, "t", {"region/y": "entities/y.html"}, {"a#1": "articles/a.html", "b#1": "articles/b.html"},
                      v.degree(), {"a#1": 3, "b#1": 0})
    assert '<li><a href="entities/y.html">沈阳</a> <span class="n">0 relations · 2 mentions</span></li>' in page
    assert re.findall(r"<li><a href=\"(articles/.*?)\">(.*?)</a> <span class=\"n\">(.*?)</span></li>", page) == [
        ("articles/a.html", "甲&lt;乙&gt;", "a.txt · 3 entities"), ("articles/b.html", "b&amp;c.txt", "b&amp;c.txt · 0 entities")]


def test_hostile_label_is_escaped(tmp_path):
    f = tmp_path / "x.txt"
    f.write_text("本报讯 记者王明报道 “<img src=x onerror=alert(1)>”行动由辽宁省人民政府发起。</script><b>\n", encoding="utf-8")
    out = tmp_path / "o"
    res = run_kg("build", str(f), "-o", str(out))
    assert res.returncode == 0, res.stderr
    html = (out / "graph.html").read_text(encoding="utf-8")
    assert "<img src=x" not in html and "</script><b>" not in html


def _browser():
    if not CHROMIUM:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no Chromium installed (.ci/run installs Debian's chromium)")
        pytest.skip("no Chromium installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    return sync_api


class Browser:
    """One headless Chromium (Debian's, driven by Playwright) recording console errors and requests."""

    def __init__(self, p):
        self.browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        self.errors, self.requests = [], []

    def open(self, path):
        page = self.browser.new_page()
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url)
                if not r.url.startswith(("file:", "data:", "blob:")) else None)
        page.goto(path.as_uri())
        page.wait_for_function("window.kgReady === true", timeout=30000)
        return page


@pytest.mark.browser
def test_article_and_ego_pages_draw(seeds_build, tmp_path):
    sync_api = _browser()
    import json
    import shutil as sh

    site = tmp_path / "site"
    sh.copytree(seeds_build, site)
    res = run_kg("view", "胡异冲", "--graph", str(site / "graph.ttl"), "--depth", "2")
    assert res.returncode == 0, res.stderr
    ego_page = site / res.stdout.strip().split(str(site) + "/", 1)[-1]
    articles = sorted((site / "articles").glob("*.html"))
    with sync_api.sync_playwright() as p:
        b = Browser(p)
        for path in articles[:6]:
            page = b.open(path)
            data = json.loads(page.evaluate("JSON.stringify({n: DATA.nodes.length})"))
            assert page.evaluate("network.body.nodeIndices.length") == data["n"] > 0
            # article pages are laid out by the browser: spread out, then physics off (nothing drifts)
            spread = page.evaluate("new Set(Object.values(network.getPositions()).map(p => Math.round(p.x) + ',' + Math.round(p.y))).size")
            assert spread == data["n"]
            page.wait_for_function("network.physics.physicsEnabled === false", timeout=10000)
            page.close()
        egos = sorted((site / "entities").glob("*.html"))
        assert egos
        for path in egos[:4]:  # the build's ego pages (up to 200 entities) are laid out by the browser too
            page = b.open(path)
            data = json.loads(page.evaluate("JSON.stringify({n: DATA.nodes.length, placed: DATA.nodes.some(n => 'x' in n)})"))
            assert not data["placed"] and page.evaluate("network.body.nodeIndices.length") == data["n"] > 1
            spread = page.evaluate("new Set(Object.values(network.getPositions()).map(p => Math.round(p.x) + ',' + Math.round(p.y))).size")
            assert spread == data["n"]
            page.wait_for_function("network.physics.physicsEnabled === false", timeout=10000)
            assert page.evaluate("DATA.focus") in page.evaluate("network.getSelectedNodes()")
            page.close()
        page = b.open(ego_page)
        panel = page.inner_text("#panel")  # the page opens on its entity
        assert "胡异冲" in panel and "厅长" in panel and "。" in panel
        assert page.evaluate("network.body.nodeIndices.length") >= 3
        b.browser.close()
    assert not b.errors, b.errors
    assert not b.requests, b.requests


@pytest.mark.browser
def test_page_draws_all_nodes_offline(seeds_build):
    sync_api = _browser()
    import json

    report = json.loads((seeds_build / "report.json").read_text(encoding="utf-8"))
    n_nodes = sum(report["entities"].values())
    errors, requests = [], []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:", "blob:")) else None)
        page.goto((seeds_build / "graph.html").as_uri())
        page.wait_for_function("window.kgReady === true", timeout=30000)
        drawn = page.evaluate("network.body.nodeIndices.length")
        assert drawn == n_nodes
        page.fill("#search", "胡异冲")
        assert "胡异冲" in page.inner_text("#hits")
        page.click("#hits div")
        panel = page.inner_text("#panel")
        assert "厅长" in panel and "。" in panel  # the post and a source sentence
        browser.close()
    assert not errors, errors
    assert not requests, requests


def test_layout_does_not_depend_on_blas_threads():
    """Regression: forces summed by a BLAS matrix-vector product came out in a different order with
    another thread count, so a Dask or CI machine drew other positions (graph.html not byte-identical)."""
    import subprocess
    import sys

    code = ("import hashlib, networkx as nx; from kg.export.html import layout; "
            "g = nx.relabel_nodes(nx.gnm_random_graph(1500, 3000, seed=1), str); "
            "print(hashlib.sha1(repr(sorted(layout(g).items())).encode()).hexdigest())")
    digests = set()
    for threads in ("1", "2", "4"):
        env = dict(os.environ, OPENBLAS_NUM_THREADS=threads, OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads)
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
        assert res.returncode == 0, res.stderr
        digests.add(res.stdout.strip())
    assert len(digests) == 1, digests


def test_entities_without_relations_ring_the_rest_evenly():
    """A roster article (2,000 names, no relations) is laid out without forces: a sunflower disc, no two
    entities nearer than half the spacing; where some entities are related, the unrelated ones lie
    outside them. (Repulsion alone took 0.39 s for such a page, growing with the square of the names.)"""
    import math

    import networkx as nx

    from kg.export.html import SPACING, layout

    roster = nx.MultiGraph()
    roster.add_nodes_from(f"person/{i:04d}" for i in range(2000))
    pos = layout(roster)
    assert len(set(pos.values())) == 2000 and len(pos) == 2000

    def nearest(points):
        import numpy as np

        xy = np.array(points)
        d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
        np.fill_diagonal(d, np.inf)
        return d.min()

    assert nearest(list(pos.values())) > SPACING / 2
    radius = max(math.hypot(*p) for p in pos.values())
    assert radius < SPACING * math.sqrt(2000) * 1.1  # as dense as the forces leave related entities
    mixed = nx.relabel_nodes(nx.gnm_random_graph(300, 600, seed=3), lambda i: f"region/{i:03d}")
    mixed.add_nodes_from(f"person/{i:03d}" for i in range(200))
    pos = layout(mixed)
    related = [n for n in mixed if mixed.degree(n) > 0]
    inner = max(math.hypot(*pos[n]) for n in related)
    assert all(math.hypot(*pos[n]) > inner for n in mixed if mixed.degree(n) == 0)
    assert nearest(list(pos.values())) > 1
    assert layout(nx.MultiGraph([("a", "a")])) == {"a": (0.0, 0.0)}  # a self-loop relates nothing


def test_article_page_panel_tells_what_the_article_read(seeds_build):
    """An article page's side panel gives each entity's mentions and sentences in that article (from the
    graph: mentions pointing at the entity in the article's graph), the whole graph's page those of the
    corpus; every sentence shown is in the article's source text."""
    import collections
    from urllib.parse import unquote

    import pyoxigraph as ox

    from kg.export.html import page_name

    store = ox.Store()
    store.load(path=str(seeds_build / "graph.ttl"), format=ox.RdfFormat.TURTLE)
    q = """PREFIX itsrdf: <http://www.w3.org/2005/11/its/rdf#> PREFIX kgo: <https://w3id.org/policy-kg/ontology#>
    PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
    SELECT ?e ?a ?text WHERE { ?m itsrdf:taIdentRef ?e ; kgo:mentionedIn ?a . ?a nif:referenceContext ?c .
      ?c nif:isString ?text }"""
    per_article = collections.Counter()
    corpus = collections.Counter()
    texts, pages = {}, {}
    for row in store.query(q):
        e, a = unquote(row["e"].value.split("/id/", 1)[1]), unquote(row["a"].value.rsplit("/", 1)[1])
        stem, _, index = a.rpartition("-")  # article IRIs write the id's "#" as "-"
        pages.setdefault(page_name("articles", f"{stem}#{index}"), a)
        per_article[(a, e)] += 1
        corpus[e] += 1
        texts[a] = row["text"].value
    found = sorted((seeds_build / "articles").glob("*.html"))
    assert {f"articles/{p.name}" for p in found} == set(pages)  # every page is of an article that mentions something
    checked = 0
    for page in found:
        data = _page_data(page)
        a = pages[f"articles/{page.name}"]
        assert data["local"] is True
        for n, d in data["details"].items():
            # (an entity can be on the page through a relation read there, named in other words)
            assert d["mentions"] == per_article[(a, n)], (page.name, n)
            assert bool(d["sources"]) == (d["mentions"] > 0), (page.name, n)
            assert all(s["sentence"] in texts[a] for s in d["sources"]), (page.name, n)
            checked += d["mentions"] > 0
    assert checked > 100
    whole = _page_data(seeds_build / "graph.html")
    assert whole["local"] is False
    assert all(d["mentions"] == corpus[n] for n, d in whole["details"].items())
    assert any(corpus[n] > max(c for (_, e), c in per_article.items() if e == n) for n in whole["details"])


def test_degrees_and_neighbourhoods_are_networkx_s():
    """The pages rank entities by ``ViewGraph.degree`` and draw hubs' neighbourhoods from ``ViewGraph.within``,
    both counted from the edge list: on random multigraphs (repeated relations, relations to oneself,
    entities with none) they give what networkx's MultiGraph gives, which the pages were drawn from before."""
    import random

    import networkx as nx

    from kg.export.html import ViewGraph, ego, most_connected

    rng = random.Random(11)
    for _ in range(200):
        n = rng.randint(1, 30)
        names = [f"person/{i}" for i in range(n)]
        v = ViewGraph()
        for name in names:
            v.nodes[name] = {"type": "Person", "name": name, "aliases": [], "code": "", "mentions": rng.randint(1, 5)}
        for _ in range(rng.randint(0, 3 * n)):
            v.edges.append((rng.choice(names), rng.choice(names), rng.choice(["position", "located_in"]), ""))
        g = nx.MultiGraph()
        g.add_nodes_from(sorted(v.nodes))
        g.add_edges_from((s, o) for s, o, _, _ in v.edges)
        deg = v.degree()
        assert {x: deg.get(x, 0) for x in names} == dict(g.degree())
        assert most_connected(v, 10) == sorted(names, key=lambda x: (-g.degree(x), -v.nodes[x]["mentions"], x))[:10]
        for center in rng.sample(names, min(3, n)):
            for depth in range(4):
                assert v.within(center, depth) == nx.single_source_shortest_path_length(g, center, cutoff=depth)
            dist = nx.single_source_shortest_path_length(g, center, cutoff=2)
            assert ego(v, center, 2, 7) == sorted(dist, key=lambda x: (dist[x], -g.degree(x), x))[:7]


def test_article_page_key_follows_what_the_page_reads_where_keyed_by_its_extraction(tmp_path):
    """With a build cache an article's page is keyed by its extraction's key (which fixes its mentions' and
    sentences' spans) instead of those spans: its key still changes with the entity any of its mentions
    resolved to, with its relations, with who its entities are, and with that extraction key."""
    from kg.export.html import article_page_key, view_graph
    from kg.pipeline import run

    graph = run([str(SEEDS)], cache_path=str(tmp_path / "cache.sqlite"))[0]
    v = view_graph(graph)
    named = [a for a in v.articles.values() if len(set(a["mentions"][0])) >= 2 and a["edges"]]
    assert named and all(a["extraction"] == graph.digests[aid] for aid, a in v.articles.items())
    for a in named[:10]:
        key = article_page_key(v, a, {})
        assert article_page_key(v, dict(a), {}) == key
        eids, mentions = a["mentions"]
        other = next(e for e in eids if e != eids[0])
        changes = [
            {"mentions": ([other] + list(eids[1:]), mentions)},  # a mention resolved to another of its entities
            {"edges": a["edges"][1:]},
            {"extraction": a["extraction"] + "0"},
        ]
        for change in changes:
            assert article_page_key(v, {**a, **change}, {}) != key, change
        v.nodes = dict(v.nodes)  # (the views made from the graph's nodes, made all, to rename one)
        renamed = {**v.nodes[eids[0]], "name": v.nodes[eids[0]]["name"] + "甲"}
        v.nodes[eids[0]], saved = renamed, v.nodes[eids[0]]
        assert article_page_key(v, a, {}) != key
        v.nodes[eids[0]] = saved


def test_drawn_graph_iterates_as_networkx_graph_does():
    """A page's layout sums its forces in the order of the drawn graph's edges, and ``Layouts`` keys positions
    by its nodes and edges: ``DrawnGraph`` (which spares the build networkx's import) gives the nodes, edges
    and degrees ``networkx.Graph`` gave on the same pairs (repeated, reversed, loops, ends not among the
    nodes), so the pages and their kept layouts are what they were; and a layout of either is the same."""
    import random

    import networkx as nx

    from kg.export.html import DrawnGraph, Layouts, layout

    rng = random.Random(5)
    for trial in range(300):
        names = [f"org/{i}" for i in range(rng.randint(0, 25))]
        ids = rng.sample(names, rng.randint(0, len(names)))
        pairs = [(rng.choice(names), rng.choice(names)) for _ in range(rng.randint(0, 40))] if names else []
        ours, theirs = DrawnGraph(ids, pairs), nx.Graph()
        theirs.add_nodes_from(ids)
        theirs.add_edges_from(pairs)
        assert ours.nodes() == list(theirs.nodes())
        assert ours.edges() == list(theirs.edges())
        assert ours.degree() == list(theirs.degree())
        assert Layouts.key(ours) == Layouts.key(theirs)
        if trial % 30 == 0:
            assert layout(ours) == layout(theirs)


def test_graph_edges_in_networkx_order_and_build_without_networkx(tmp_path):
    """``KnowledgeGraph.edges`` lists the relations in the order a networkx MultiDiGraph built from them
    iterates (the order the exporters always read them in), on random relations; and a whole ``kg build``
    (extraction, every output) never imports networkx, whose import cost 0.17 s of each build's start."""
    import random
    import subprocess
    import sys

    import networkx as nx

    from kg.graph import build_graph
    from kg.records import Entity, Relation

    rng = random.Random(3)
    for _ in range(200):
        ents = {f"person/{i}": Entity(id=f"person/{i}", type="Person", name=str(i)) for i in range(rng.randint(1, 12))}
        ids = list(ents)
        rels = sorted({(rng.choice(["position", "located_in", "part_of"]), rng.choice(ids), rng.choice(ids),
                        rng.choice(["", "书记", "主任"])) for _ in range(rng.randint(0, 30))}, key=lambda r: r[3])
        rng.shuffle(rels)
        relations = [Relation(kind=k, subject=s, object=o, title=t) for k, s, o, t in rels]
        kg = build_graph(ents, relations, [])
        g = nx.MultiDiGraph()
        for eid in sorted(ents):
            g.add_node(eid)
        for r in relations:
            g.add_edge(r.subject, r.object, key=f"{r.kind}:{r.title}", kind=r.kind, title=r.title)
        assert [(s, o, k) for s, o, k, _ in kg.edges] == list(g.edges(keys=True))
        assert [(s, o, k, d["title"]) for s, o, k, d in kg.nx_graph.edges(keys=True, data=True)] == \
               [(s, o, k, d["title"]) for s, o, k, d in kg.edges]
    out = tmp_path / "out"
    code = ("import sys; from kg.cli import run; assert run(['build', sys.argv[1], '-o', sys.argv[2], '-f', 'trig']) == 0;"
            " print('networkx' in sys.modules)")
    res = subprocess.run([sys.executable, "-c", code, str(SEEDS), str(out)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split()[-1] == "False" and (out / "graph.html").stat().st_size > 0


def _graph_html_laid_out():
    """A random graph of 400 entities and 700 relations, laid out as a first build lays out graph.html: its names,
    relations, ``DrawnGraph``, ``Layouts`` and positions."""
    import random

    from kg.export.html import WHOLE_LAYOUT, DrawnGraph, Layouts

    rng = random.Random(4)
    names = [f"org/{i:03d}" for i in range(400)]
    pairs = [(rng.choice(names), rng.choice(names)) for _ in range(700)]
    before = DrawnGraph(names, pairs)
    first = Layouts({})
    return names, pairs, before, first, first.placed(before, warm=WHOLE_LAYOUT)


def test_graph_html_laid_out_again_from_the_previous_positions():
    """A re-build lays out graph.html from where the previous build put its entities (``Layouts.placed`` with
    ``warm``), once the entities placed beside their neighbours since it was last laid out (or newly related) make
    more than ``PLACE_SHARE`` of them: they stay near there (a layout from scratch, its random start shifted by one
    new name, moves them everywhere), a new entity lands beside its neighbour, the picture keeps the spread a layout
    from scratch gives, and the same inputs give the same positions. With too few entities known, or no previous
    positions (a first build), it is laid out from scratch."""
    import math
    import statistics

    import marshal

    from kg.export.html import (SPACING, WARM_ITERATIONS, WHOLE_LAYOUT, WHOLE_PLACED, DrawnGraph, Layouts,
                                layout)

    names, pairs, before, first, placed = _graph_html_laid_out()
    assert placed == layout(before) and first.warm == 0 and WHOLE_LAYOUT in first.fresh  # a first build
    after = DrawnGraph(["org/000a"] + names, pairs + [("org/000a", "org/123"), ("org/010", "org/300")])
    known = len({v for a, b in before.edges() if a != b for v in (a, b)})
    rows = dict(first.fresh)
    count, kept_pairs = marshal.loads(rows[WHOLE_PLACED])
    rows[WHOLE_PLACED] = marshal.dumps((known // 50 - 2, kept_pairs))  # placed since: one more would be too many
    again = Layouts(rows)
    warm = again.placed(after, warm=WHOLE_LAYOUT)
    assert again.warm == known and again.beside is None and marshal.loads(again.fresh[WHOLE_PLACED])[0] == 0
    assert warm == Layouts(dict(rows)).placed(after, warm=WHOLE_LAYOUT)
    assert warm == layout(after, iterations=WARM_ITERATIONS, start=marshal.loads(first.fresh[WHOLE_LAYOUT]))
    for row in (None, b"not marshal", marshal.dumps((-1, []))):  # none kept, or a damaged row: laid out
        damaged = {k: v for k, v in rows.items() if k != WHOLE_PLACED} | ({WHOLE_PLACED: row} if row else {})
        assert Layouts(damaged).placed(after, warm=WHOLE_LAYOUT) == warm
    fresh = layout(after)

    def moved(pos):
        return statistics.median(math.hypot(pos[n][0] - placed[n][0], pos[n][1] - placed[n][1]) for n in placed)

    def nearest(pos):
        pts = list(pos.values())
        return sorted(min(math.hypot(p[0] - q[0], p[1] - q[1]) for q in pts if q is not p) for p in pts)

    edge = statistics.median(math.hypot(placed[a][0] - placed[b][0], placed[a][1] - placed[b][1])
                             for a, b in before.edges() if a != b)
    assert moved(warm) < SPACING / 2 < 10 * moved(warm) < moved(fresh)
    assert math.dist(warm["org/000a"], warm["org/123"]) < edge / 2  # beside it, not wherever it started
    spread, fresh_spread = nearest(warm), nearest(fresh)
    assert spread[len(spread) // 20] > 0.8 * fresh_spread[len(fresh_spread) // 20]
    assert spread[len(spread) // 2] > 0.8 * fresh_spread[len(fresh_spread) // 2]
    other = DrawnGraph([f"region/{i:03d}" for i in range(300)], [(f"region/{i:03d}", f"region/{i + 1:03d}")
                                                                 for i in range(299)])
    unknown = Layouts(dict(first.fresh))
    assert unknown.placed(other, warm=WHOLE_LAYOUT) == layout(other) and unknown.warm == 0  # none of them known


def test_graph_html_new_entities_placed_beside_their_neighbours_until_too_many():
    """A re-build that adds a few entities to graph.html places them beside their neighbours and leaves the others
    where the previous build put them (``place_beside``: no forces), counting them, and the entities newly related,
    until more than ``PLACE_SHARE`` of those it lays out were so placed since it was last laid out: then it is laid
    out again (``WARM_ITERATIONS``), and the count starts again."""
    import math
    import statistics

    import marshal

    from kg.export.html import PLACE_SHARE, WHOLE_LAYOUT, WHOLE_PLACED, DrawnGraph, Layouts, place_beside

    names, pairs, before, first, placed = _graph_html_laid_out()
    related = {v for a, b in before.edges() if a != b for v in (a, b)}
    start = marshal.loads(first.fresh[WHOLE_LAYOUT])
    # two new entities (one beside the other only) and one relation between two entities already drawn
    after = DrawnGraph(["org/000a", "org/000b"] + names,
                       pairs + [("org/000a", "org/123"), ("org/000b", "org/000a"), ("org/010", "org/300")])
    again = Layouts(dict(first.fresh))
    pos = again.placed(after, warm=WHOLE_LAYOUT)
    assert again.beside == 2 and again.warm == len(related) and again.stats()["made"] == 0
    assert pos == Layouts(dict(first.fresh)).placed(after, warm=WHOLE_LAYOUT) == place_beside(after, start)
    coords = marshal.loads(again.fresh[WHOLE_LAYOUT])
    assert {n: coords[n] for n in start} == start  # the others stay where they were, in the layout's units
    scale = statistics.median(pos[n][0] / start[n][0] for n in start if abs(start[n][0]) > 0.1)
    assert all(math.dist(pos[n], (start[n][0] * scale, start[n][1] * scale)) < 0.2 for n in start)
    edge = statistics.median(math.dist(placed[a], placed[b]) for a, b in before.edges() if a != b)
    assert math.dist(pos["org/000a"], pos["org/123"]) < edge and math.dist(pos["org/000b"], pos["org/000a"]) < edge
    assert min(math.dist(pos["org/000a"], pos[n]) for n in start) > 0  # on no one
    assert marshal.loads(again.fresh[WHOLE_PLACED])[0] == 2 + 2  # the two placed, the two newly related
    # a new component, related to nothing drawn: just outside the rest, its entities together
    lone = DrawnGraph(["zz/1", "zz/2"] + names, pairs + [("zz/1", "zz/2")])
    out = Layouts(dict(first.fresh)).placed(lone, warm=WHOLE_LAYOUT)
    reach = max(math.hypot(*placed[n]) for n in related)
    assert math.hypot(*out["zz/1"]) > reach * 0.9 and math.dist(out["zz/1"], out["zz/2"]) < edge
    # build after build, until too many were placed: then laid out again, and counted from none
    rows, made, n = dict(first.fresh), 0, 0
    while made == 0:
        n += 1
        g = DrawnGraph([f"org/new{i}" for i in range(n)] + names,
                       pairs + [(f"org/new{i}", names[i * 7]) for i in range(n)])
        step = Layouts(rows)
        step.placed(g, warm=WHOLE_LAYOUT)
        made = step.stats()["made"]
        total = marshal.loads(step.fresh[WHOLE_PLACED])[0]
        assert (total == 0) == bool(made)
        if not made:
            assert step.beside == 1 and total == n <= PLACE_SHARE * len(related) + 1
        rows = {**rows, **step.fresh}
    assert n - 1 == int(PLACE_SHARE * (len(related) + n))


def test_a_new_entity_is_placed_in_the_clearest_direction_beside_its_neighbour():
    """``place_beside`` puts a new entity a step from its neighbours in the clearest of the directions it tries, not
    on top of an entity already there: beside a hub ringed by 18 of its relations with a quarter of the ring empty,
    it lands in the gap, whatever the seed (one direction drawn at random would land on the ring 3 times in 4)."""
    import math

    from kg.export.html import DrawnGraph, place_beside

    ring = [i for i in range(24) if i < 18]  # every 15 degrees, but for 270-345
    names = ["org/a"] + [f"org/r{i:02d}" for i in ring]
    g = DrawnGraph(names + ["org/new"], [("org/a", n) for n in names[1:]] + [("org/a", "org/new")])
    k = math.sqrt(4.0 / len(names + ["org/new"]))
    start = {"org/a": (0.0, 0.0)} | {f"org/r{i:02d}": (k * math.cos(math.radians(15 * i)),
                                                       k * math.sin(math.radians(15 * i))) for i in ring}
    for seed in range(12):
        coords: dict = {}
        place_beside(g, start, seed=seed, coords=coords)
        x, y = coords["org/new"]
        assert abs(math.hypot(x, y) - k) < 1e-9  # a step from its neighbour
        assert min(math.dist((x, y), start[n]) for n in names[1:]) > 0.5 * k, seed  # in the gap, clear of the ring
        assert {n: coords[n] for n in start} == start


def test_a_rebuild_makes_the_entity_sets_it_was_left_in_two_passes_at_most(tmp_path):
    """In a re-build the view model leaves each article's entity set and edges to make (``ViewGraph.fill``):
    ``filled`` makes them for one article the first time it is asked, then for every article still left, so that a
    re-build finding many pages removed since walks the corpus twice, not once a page; and the sets made are those
    a fresh view model has."""
    from kg.export.html import view_graph
    from kg.graph import Changed
    from kg.pipeline import run

    graph = run([str(SEEDS)])[0]
    whole = view_graph(graph)
    graph.changed = Changed("then", frozenset())
    v = view_graph(graph)
    assert all(a["entities"] is None and a["edges"] is None for a in v.articles.values())
    asked: list[int] = []
    fill = v.fill
    v.fill = lambda aids: (asked.append(len(aids)), fill(aids))
    ids = list(v.articles)
    for aid in ids[:3] + ids[-2:]:
        assert v.filled(aid)["entities"] == whole.articles[aid]["entities"]
        assert v.filled(aid)["edges"] == whole.articles[aid]["edges"]
    assert asked == [1, len(ids) - 1]
    assert all(v.articles[aid]["entities"] == whole.articles[aid]["entities"] for aid in ids)


def test_ego_page_light_key_changes_with_all_but_the_entities_own_details():
    """A hub page's light key (recorded beside its key; where it is the same and none of the page's entities was
    made again, a re-build takes the key recorded) changes with which entities the page draws, their links, the
    relations among them, its title, note, focus and layout; not with an entity's own details (names, mentions,
    first sentences), which change only where the entity is made again. The full key changes with those."""
    from kg.export.html import MAX_EGO, _edges_among, ego, ego_page_key, ego_page_light_key, view_graph
    from kg.pipeline import run

    graph = run([str(SEEDS)])[0]
    v = view_graph(graph)
    center = max(v.degree().items(), key=lambda nd: nd[1])[0]
    ids = ego(v, center, 2, MAX_EGO)
    edge_ids = _edges_among(v, set(ids))
    assert len(ids) > 10 and len(edge_ids) > 10
    args = (ids, edge_ids, "title", "note", center, False, {center: "entities/c.html"})
    light, full = ego_page_light_key(v, *args), ego_page_key(v, *args)
    changes = [(ids[:-1], edge_ids[:-1]), (ids, edge_ids[:-1]), (ids, edge_ids, "other"), (ids, edge_ids, "title", "x"),
               (ids, edge_ids, "title", "note", ids[1]), (ids, edge_ids, "title", "note", center, True),
               (ids, edge_ids, "title", "note", center, False, {center: "entities/d.html"})]
    for change in changes:
        changed = change + args[len(change):]
        assert ego_page_light_key(v, *changed) != light and ego_page_key(v, *changed) != full, change
    assert ego_page_light_key(v, list(reversed(ids)), *args[1:]) == light  # (the entities as a set)
    node = v.nodes[ids[1]]
    node["mentions"] += 1
    node["sources"] = [{"article": "a", "doc": "d", "sentence": "另一句。"}]
    assert ego_page_light_key(v, *args) == light and ego_page_key(v, *args) != full


def test_a_builds_view_model_makes_an_entitys_view_when_a_page_looks_it_up():
    """A build's view model holds its entities as ``NodeViews``: each entity's view (type, name, aliases, code,
    number of mentions) made from the graph's node when a page looks it up, so that a re-build patching or keeping
    its pages makes few of 15 k. The ranking and the index read the graph's columns instead, and give what they give
    over the views made all at once (a plain dict, as the view model made from a Turtle file holds them)."""
    import dataclasses

    from kg.export.html import NodeViews, index_page, most_connected, view_graph
    from kg.pipeline import run

    graph = run([str(SEEDS)])[0]
    v = view_graph(graph)
    assert isinstance(v.nodes, NodeViews) and len(v.nodes) == len(graph.nodes) and not v.nodes._made
    whole = dataclasses.replace(v, nodes={n: dict(d) for n, d in v.nodes.items()})  # (every view made)
    v.nodes._made.clear()
    deg = v.degree()
    ranked = most_connected(v, 40, deg)
    links = {n: f"entities/{i}.html" for i, n in enumerate(ranked[:5])}
    pages = {aid: f"articles/{i}.html" for i, aid in enumerate(v.articles)}
    size = {aid: len(a["entities"]) for aid, a in v.articles.items()}
    page = index_page(v, "t", links, pages, deg, size)
    assert not v.nodes._made  # (neither made a view)
    assert ranked == most_connected(whole, 40, deg) and page == index_page(whole, "t", links, pages, deg, size)
    n = ranked[0]
    node = graph.nodes[n]
    assert v.nodes[n] == {"type": node["type"], "name": node["name"], "aliases": list(node["aliases"]),
                          "code": node["code"] or "", "mentions": len(node["mentions"])}
    assert list(v.nodes._made) == [n] and v.nodes[n] is v.nodes[n]


def test_filling_articles_entity_sets_finds_what_they_read_in_the_same_pass():
    """A re-build's view model makes the entity sets of the articles whose pages it keys again (``fill``) and, in the
    same pass over the nodes, what they read (``reads=True``): the mentions ``KnowledgeGraph.mentions_in`` finds for
    them, in its order, so that no second pass looks for them."""
    from kg.export.html import view_graph
    from kg.graph import Changed
    from kg.pipeline import run

    graph = run([str(SEEDS)])[0]
    graph.changed = Changed("then", frozenset())  # (a re-build's view model: entity sets made when wanted)
    v = view_graph(graph)
    aids = sorted(v.articles)[::3]
    passes = []
    mentions_in = graph.mentions_in
    graph.mentions_in = lambda ids: passes.append(set(ids)) or mentions_in(ids)
    v.fill(aids, reads=True)
    v.reads.want(aids)
    assert passes == []
    expected = mentions_in(set(aids))
    assert {aid: v.reads.get(aid) for aid in aids if aid in expected} == expected and expected
    assert all(set(expected[aid][0]) <= v.articles[aid]["entities"] for aid in expected)
    v.reads.want(sorted(v.articles)[1:2])  # (another article: a pass of its own)
    assert len(passes) == 1


def test_lib_files_are_kept_while_the_installed_ones_are_the_same_and_written_again_when_they_change(tmp_path,
                                                                                                      monkeypatch):
    """Regression guard (session 40): a re-build keeps lib/ (vis-network's script and style sheet) by a key of the
    installed files as they are (path, inode, size, time), not by reading and hashing pyvis's 0.7 MB each time: the
    committed files stay where they are while pyvis's are the same, and are written again, with the new text, once
    pyvis's change (an upgrade)."""
    from kg.export import html

    out = tmp_path / "o"
    build = ["build", str(SEEDS), "-o", str(out), "-j", "1"]
    assert invoke_kg(build).exit_code == 0
    js, css = out / "lib" / "vis-network.min.js", out / "lib" / "vis-network.css"
    installed = html.vis_asset_paths()
    assert [p.read_text(encoding="utf-8") for p in (js, css)] == [p.read_text(encoding="utf-8") for p in installed]
    inodes = (js.stat().st_ino, css.stat().st_ino)
    assert invoke_kg(build).exit_code == 0
    assert (js.stat().st_ino, css.stat().st_ino) == inodes  # kept, not written again
    upgraded = tmp_path / "pyvis"
    upgraded.mkdir()
    for path in installed:
        (upgraded / path.name).write_text(path.read_text(encoding="utf-8") + "\n/* upgraded */\n", encoding="utf-8")
    monkeypatch.setattr(html, "vis_asset_paths", lambda: tuple(upgraded / p.name for p in installed))
    assert invoke_kg(build).exit_code == 0
    assert js.read_text(encoding="utf-8").endswith("/* upgraded */\n")
    assert css.read_text(encoding="utf-8").endswith("/* upgraded */\n")
