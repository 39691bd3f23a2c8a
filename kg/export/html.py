"""Interactive HTML views that open from file:// with no network: the whole graph, one page per
article, ego pages for the hubs (and any entity, via ``kg view``), and an index linking them.

vis-network comes from pyvis's package (pyvis's own templates still link CDNs): inlined in
graph.html so that one file can be mailed, shipped once as lib/ beside the other pages. Positions
of large pages are computed here (``layout``) and drawn with physics off, so a page draws in about
a second at any size; article pages (a few dozen entities) are settled by vis-network in the
browser, which takes ~0.1 s there and saves computing 3,000 layouts per build. graph.html keeps
the most connected entities when the graph is large and says so.
Every string from the articles goes through JSON with <, > and & escaped, and is set with
textContent in the page: article text can never become markup.
"""
from __future__ import annotations

import hashlib
import html
import importlib.util
import json
import marshal
import math
import os
import random
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from json.encoder import encode_basestring
from operator import attrgetter, itemgetter
from pathlib import Path

from ..graph import Reads, mentions_into, node_values
from ..read import text_hash
from ..records import ENTITY_TYPES, POSITION
from ..regexes import compiled

COLORS = {"Person": "#e15759", "Organization": "#4e79a7", "Region": "#59a14f", "Project": "#f28e2b",
          "Initiative": "#b07aa1"}
SHAPES = {"Person": "dot", "Organization": "box", "Region": "triangle", "Project": "diamond", "Initiative": "star"}
TYPE_ZH = {"Person": "人物", "Organization": "机构", "Region": "地区", "Project": "项目", "Initiative": "举措"}
RELATION_ZH = {"position": "任职", "located_in": "位于", "part_of": "隶属", "promoted_by": "推动"}
MAX_WHOLE = 1500  # graph.html: the most connected entities beyond this are left to ego views
MAX_EGO = 400
HUB_PAGES = 40  # ego pages written by kg build for the most connected entities
LAYOUT_BLOCK = 128  # rows of the force matrix computed together (128 × 1,500 float32: 0.75 MB)
BROWSER_LAYOUT = 200  # article and ego pages up to this many entities are laid out by the browser (~0.1 s)
# graph.html and the hub pages in a re-build: the last steps of the cooling, from the previous positions, when at
# least this share of the entities a page lays out were laid out by the previous build
WARM_ITERATIONS = 5
WARM_SHARE = 0.8
WHOLE_LAYOUT = "graph.html"  # the layout cache's row of graph.html's previous positions (the layout's own units)
# graph.html and the hub pages in a re-build: their new entities placed beside their neighbours, the others left
# where they were, until those so placed since the page was last laid out make this share of those it lays out
# (then: WARM_ITERATIONS)
PLACE_SHARE = 0.02
PLACED = " placed"  # the layout cache's row of how many, by page: the page's name and this (marshalled)
WHOLE_PLACED = WHOLE_LAYOUT + PLACED
MAX_SOURCES = 5
START, END, SENTENCE = attrgetter("start"), attrgetter("end"), attrgetter("sentence")
SENTENCE_SPAN = attrgetter("start", "end")
# Changes with the code that draws pages: a page kept from a build by other code is drawn again.
HTML_FINGERPRINT = hashlib.sha1(Path(__file__).read_bytes()).hexdigest()[:20]


class NodeViews(Mapping):
    """Entity id → what the pages draw of it (type, name, aliases, code, and its number of mentions), each made from
    the graph's node when first looked up: a re-build's pages look up a few hundred of PD1998's 15 k entities (those
    of the pages patched or keyed again), not all (the view model's 15 k dicts took ~20 ms of the pages' process,
    and as much again in page faults, each node's memory page copied after the RDF writer forked). The ranking and
    the index read the graph's own columns (``column``)."""

    __slots__ = ("_nodes", "_made", "_columns")

    def __init__(self, nodes: dict[str, dict]):
        self._nodes, self._made, self._columns = nodes, {}, {}

    def __getitem__(self, n: str) -> dict:
        d = self._made.get(n)
        if d is None:
            g = self._nodes[n]
            d = self._made[n] = {"type": g["type"], "name": g["name"], "aliases": list(g["aliases"]),
                                 "code": g["code"] or "", "mentions": len(g["mentions"])}
        return d

    def __iter__(self):
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, n) -> bool:
        return n in self._nodes

    def column(self, name: str) -> list:
        """Every entity's ``name`` ("type", "name", "mentions"), in order, read off the graph's nodes (in C), once
        (the ranking and the index both read the mentions)."""
        got = self._columns.get(name)
        if got is None and hasattr(self._nodes, "column"):  # (a re-build's: ``graph.GraphNodes``, kept ones unmade)
            got = self._columns[name] = self._nodes.column(name)
        if got is None:
            got = self._columns[name] = list(node_values(self._nodes.values(), name))
        return got


def node_column(nodes: Mapping, name: str) -> list:
    """``NodeViews.column`` of a view model's nodes, whichever their kind (a plain dict: made from a graph's Turtle)."""
    if isinstance(nodes, NodeViews):
        return nodes.column(name)
    return [d[name] for d in nodes.values()]


@dataclass
class ViewGraph:
    """What the pages draw, independent of where it came from (a fresh build or a Turtle file):
    entity id → details, and typed edges."""

    # id → {type, name, aliases, code, mentions[, sources]} (made from a build: ``NodeViews``)
    nodes: Mapping[str, dict] = field(default_factory=dict)
    edges: list[tuple[str, str, str, str]] = field(default_factory=list)  # (subject, object, kind, title)
    # id → {title, doc, entities, edges, article (the ``Article``: its sentences and source text are read off it
    #       where its page is drawn, not for each article: in the pages' process each of 3,151 texts' memory pages
    #       was copied after the RDF writer forked, ~3 k page faults of PD1998's re-build), digest (of that text),
    #       mentions: (the entity ids, the mentions) read in it (``article_local`` makes its page's panel of them),
    #       in a re-build None until ``reads`` gives them (``site``: for the pages it keys or draws);
    #       in a re-build the entities and edges too, until ``fill`` makes them}
    articles: dict[str, dict] = field(default_factory=dict)
    reads: object = field(default=None, repr=False, compare=False)  # ``graph.Reads``, where made from a build
    _incident: tuple | None = field(default=None, repr=False, compare=False)
    # entity id → its first sentences, for a node made without "sources" (``view_graph``: found when a page
    # first shows the entity, so the 10,000 entities no page draws are never looked up)
    find_sources: object = field(default=None, repr=False, compare=False)
    # article ids → their "entities" and "edges" made, for articles left with None (``view_graph`` in a re-build)
    fill: object = field(default=None, repr=False, compare=False)
    _missed: bool = field(default=False, repr=False, compare=False)

    def sources(self, n: str) -> list[dict]:
        """The first sentences (up to MAX_SOURCES) an entity was read in."""
        d = self.nodes[n]
        got = d.get("sources")
        if got is None:
            got = d["sources"] = self.find_sources(n)
        return got

    def filled(self, aid: str) -> dict:
        """The article ``aid`` with its entity set and edges made (``fill``), where the view model left them to
        make: alone the first time, then with every other article still left (so that however many pages a
        re-build finds edited or removed since, it walks the corpus at most twice)."""
        a = self.articles[aid]
        if a["entities"] is None:
            self.fill([aid] if not self._missed else [x for x, b in self.articles.items() if b["entities"] is None])
            self._missed = True
        return a

    def incident(self) -> dict[str, list[int]]:
        """Entity id → the indices of its edges in ``edges``, ascending: a page of a few hundred entities
        finds its edges here instead of scanning all of them (41 pages × 4,780 edges in PD1998). Made
        once for the edges as they are (edges added later make it again)."""
        if self._incident is None or self._incident[0] is not self.edges or self._incident[1] != len(self.edges):
            index: dict[str, list[int]] = {}
            for i, (s, o, _, _) in enumerate(self.edges):
                index.setdefault(s, []).append(i)
                if o != s:
                    index.setdefault(o, []).append(i)
            self._incident = (self.edges, len(self.edges), index)
        return self._incident[2]

    def degree(self) -> dict[str, int]:
        """Entity id → its number of relations, either way (one to itself counts twice): what networkx's
        ``MultiGraph.degree`` gives, counted from the edge list instead of building that graph of all
        15,000 entities for it (0.05 s of every build over PD1998). An entity with none is left out."""
        deg = Counter(map(itemgetter(0), self.edges))
        deg.update(map(itemgetter(1), self.edges))
        return dict(deg)

    def within(self, center: str, depth: int) -> dict[str, int]:
        """Entity id → how many relations (either way) away from ``center`` it is, up to ``depth``: what
        ``networkx.single_source_shortest_path_length(..., cutoff=depth)`` gives on the same multigraph."""
        incident, edges = self.incident(), self.edges
        dist = {center: 0}
        frontier = [center]
        for d in range(1, depth + 1):
            reached = []
            for x in frontier:
                for i in incident.get(x, ()):
                    s, o = edges[i][0], edges[i][1]
                    y = o if s == x else s
                    if y not in dist:
                        dist[y] = d
                        reached.append(y)
            frontier = reached
        return dist


def view_graph(kg) -> ViewGraph:
    """The view model of a built KnowledgeGraph. What an article's own page says of its entities
    (``article_local``) is worked out when that page is drawn, from the article's mentions kept here
    (``KnowledgeGraph.mentions_by_article``): a re-build that keeps 3,100 of 3,107 pages does not walk
    every mention for them, and an entity's first sentences stop at the fifth. In a re-build (``kg.changed``)
    each article's entity set and edges are left to ``fill`` too: ``site`` makes those of the pages it keys or
    draws, and takes how many entities the others' pages draw from the previous build's record."""
    v = ViewGraph()
    digests: dict[str, str] = dict(kg.text_hashes)  # source file → a hash of its text (kept in the build cache)
    read = v.reads = Reads(kg)  # (a re-build's, as wanted: the articles whose pages it keys or draws, ``site``)
    lazy = kg.changed is not None
    extraction = kg.digests
    nothing: tuple[list, list] = ([], [])
    for a in kg.articles:
        if a.doc not in digests:
            digests[a.doc] = text_hash(a.source_text)
        v.articles[a.id] = {"title": a.title, "doc": a.doc, "entities": None if lazy else set(),
                            "edges": None if lazy else [],
                            "mentions": None if lazy else read.get(a.id, nothing), "article": a,
                            "digest": digests[a.doc], "extraction": extraction.get(a.id)}
    arts = {a.id: a for a in kg.articles}

    def find_sources(n: str) -> list[dict]:
        sources, said = [], set()
        for m in kg.nodes[n]["mentions"]:  # the entity's first sentences in the corpus (the mention's own text, if none)
            art = arts.get(m.article)
            if art is None:
                continue
            sentences = art.sentences  # (each a (start, end) named tuple: its span, indexed as it is)
            span = sentences[m.sentence] if 0 <= m.sentence < len(sentences) else None
            text = (art.source_text[span[0] : span[1]] if span else m.text)[:300]
            if text not in said:
                said.add(text)
                sources.append({"article": art.title or art.doc, "doc": art.doc, "sentence": text})
                if len(sources) >= MAX_SOURCES:
                    break
        return sources

    v.find_sources = find_sources

    def fill(aids, reads: bool = False) -> None:
        """The articles' entity sets and edges, in one pass over the nodes that name one of them; with ``reads``,
        their mentions too, for ``v.reads`` (what ``KnowledgeGraph.mentions_in`` finds in a pass of its own)."""
        wanted = {aid: v.articles[aid] for aid in aids}
        for a in wanted.values():
            a["entities"], a["edges"] = set(), []
        entities_of = {aid: a["entities"] for aid, a in wanted.items()}  # each article's set and list, found by
        edges_of = {aid: a["edges"] for aid, a in wanted.items()}  # one lookup (twelve times PD1998: 0.6 → 0.4 s)
        some = len(wanted) < len(v.articles)
        got: dict[str, tuple[list[str], list]] | None = {} if reads and some else None
        nodes = kg.nodes
        for n in kg.naming(wanted) if some else nodes:  # (a re-build's new articles: the entities made again)
            d = nodes[n]
            if some and entities_of.keys().isdisjoint(d["articles"]):
                continue
            for found in map(entities_of.get, d["articles"]):
                if found is not None:
                    found.add(n)
            if got is not None:
                mentions_into(got, n, d["mentions"], entities_of)
        for i, (s, o, _, e) in enumerate(kg.edges):
            for found in map(edges_of.get, e["articles"]):
                if found is not None:
                    found.append(i)
        if got is not None:
            read.took(got, wanted)

    v.fill = fill
    v.nodes = NodeViews(kg.nodes)
    for s, o, _, e in kg.edges:
        v.edges.append((s, o, e["kind"], e["title"] or ""))
    if not lazy:
        fill(list(v.articles))
    return v


def article_local(a: dict) -> dict[str, tuple[int, list[tuple[int, int]]]]:
    """What an article's own page says of each entity it names: how many mentions it has there, and the
    spans of their first sentences (the mention's own span, where it has none), up to MAX_SOURCES."""
    spans = list(map(SENTENCE_SPAN, a["article"].sentences))
    nspans = len(spans)
    out: dict[str, tuple[int, list[tuple[int, int]]]] = {}
    for n, m in zip(*a["mentions"]):
        seen = out.get(n)
        if seen is None:
            seen = out[n] = [0, []]
        seen[0] += 1
        shown = seen[1]
        if len(shown) < MAX_SOURCES:
            span = spans[m.sentence] if 0 <= m.sentence < nspans else (m.start, m.end)
            if span not in shown:
                shown.append(span)
    return {n: (count, shown) for n, (count, shown) in out.items()}


KGO = "https://w3id.org/policy-kg/ontology#"
ENTITIES_Q = """SELECT ?e ?type ?label ?code ?count WHERE {
  ?e a ?type ; rdfs:label ?label .
  VALUES ?type { kgo:Person kgo:Organization kgo:Region kgo:Project kgo:Initiative }
  OPTIONAL { ?e skos:notation ?code } OPTIONAL { ?e kgo:mentionCount ?count } }"""
ALIASES_Q = "SELECT ?e ?alt WHERE { ?e skos:altLabel ?alt }"
EDGES_Q = """SELECT ?s ?o ?kind ?title WHERE {
  { ?m org:member ?s ; org:organization ?o ; org:role/rdfs:label ?title . BIND("position" AS ?kind) }
  UNION { ?s kgo:locatedIn ?o . BIND("located_in" AS ?kind) }
  UNION { ?s schema:containedInPlace ?o . BIND("part_of" AS ?kind) }
  UNION { ?s kgo:promotedBy ?o . BIND("promoted_by" AS ?kind) } }"""
SOURCES_Q = """SELECT ?e ?text ?headline ?doc WHERE {
  ?m itsrdf:taIdentRef ?e ; nif:sentence ?s . ?s nif:anchorOf ?text ; schema:isPartOf ?a .
  ?a kgo:sourceFile ?doc . OPTIONAL { ?a schema:headline ?headline } }"""


def view_graph_from_store(store, run_query) -> ViewGraph:
    """The view model of a graph read back from RDF (``kg view`` over graph.ttl)."""
    v = ViewGraph()
    for r in run_query(store, ENTITIES_Q).rows:
        e, typ, label, code, count = r
        v.nodes.setdefault(e.value, {"type": typ.value.rsplit("#", 1)[-1], "name": label.value, "aliases": [],
                                     "code": code.value if code is not None else "",
                                     "mentions": int(count.value) if count is not None else 0, "sources": []})
    for e, alt in run_query(store, ALIASES_Q).rows:
        if e.value in v.nodes:
            v.nodes[e.value]["aliases"].append(alt.value)
    for s, o, kind, title in run_query(store, EDGES_Q).rows:
        if s.value in v.nodes and o.value in v.nodes:
            v.edges.append((s.value, o.value, kind.value, title.value if kind.value == POSITION else ""))
    v.edges.sort()
    for e, text, headline, doc in run_query(store, SOURCES_Q).rows:
        d = v.nodes.get(e.value)
        if d is not None and len(d["sources"]) < MAX_SOURCES and all(x["sentence"] != text.value[:300] for x in d["sources"]):
            d["sources"].append({"article": headline.value if headline is not None else doc.value, "doc": doc.value,
                                 "sentence": text.value[:300]})
    for d in v.nodes.values():
        d["aliases"].sort()
    return v


# ---------------------------------------------------------------- layout

def layout(g: "DrawnGraph", iterations: int = 50, seed: int = 7, start: dict | None = None,
           coords: dict | None = None) -> dict[str, tuple[float, float]]:
    """Positions for a page: the entities with relations by ``force_layout``; those without (the
    1,965 names of a roster article, 170 of graph.html's 1,500 in PD1998) on a sunflower spiral around
    them, as densely as the forces leave the rest, in id order (so by type). Repulsion alone spreads
    them into the same even disc, at a cost that grows with the square of their number (that roster's
    page: 0.39 s; now 0.01 s). ``g``: a ``DrawnGraph``, or a networkx graph (its nodes and edges in its order).
    ``start`` and ``coords``: as ``force_layout`` takes them."""
    edges, linked = _related(g)
    pos = force_layout(sorted(linked), edges, iterations, seed, start, coords) if linked else {}
    return _around(g, linked, pos)


def _around(g, linked: set[str], pos: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """``pos`` (the related entities' positions) with the unrelated ones of ``g`` on the spiral around them."""
    nodes = sorted(g.nodes())
    lone = [v for v in nodes if v not in linked]
    inner = max((math.hypot(x, y) for x, y in pos.values()), default=-SPACING) + SPACING
    golden = math.pi * (3 - math.sqrt(5))
    for k, v in enumerate(lone):  # equal areas: radius² grows by SPACING² a node
        r, a = math.sqrt(inner * inner + k * SPACING * SPACING), k * golden
        pos[v] = (round(r * math.cos(a), 1), round(r * math.sin(a), 1))
    return {v: pos[v] for v in nodes}


def place_beside(g: "DrawnGraph", start: dict, seed: int = 7, coords: dict | None = None
                 ) -> dict[str, tuple[float, float]]:
    """Positions for ``g`` with no forces: the related entities ``start`` has (positions in the layout's own units,
    ``force_layout``'s ``coords``) stay there and the others go beside them (``_beside``); then scaled, and the
    unrelated put around, as ``layout`` does. For a re-build that adds a few entities to graph.html
    (``Layouts.placed``): the picture stays as it was, and no layout is computed (nor numpy imported)."""
    edges, linked = _related(g)
    order = sorted(linked)
    xy = _beside(order, edges, start, random.Random(seed))
    if coords is not None:
        coords.update(xy)
    scale = SPACING * math.sqrt(len(order)) / max(max((max(abs(x), abs(y)) for x, y in xy.values()), default=0.0),
                                                  1e-9)
    return _around(g, linked, {v: (round(x * scale, 1), round(y * scale, 1)) for v, (x, y) in xy.items()})


def _beside(nodes: list[str], edges: list[tuple[str, str]], start: dict, rng: random.Random
            ) -> dict[str, tuple[float, float]]:
    """Positions in the layout's own units for ``nodes`` (related by ``edges``): those ``start`` has stay there;
    each other one goes beside the mean of its neighbours placed so far, a step of the layout's ideal distance
    away in the clearest of ``DIRECTIONS`` directions (the first drawn from ``rng``), in the order given, as many
    rounds as it takes; one with no neighbour placed by then (a component new to the picture) goes just outside
    the rest, and its neighbours beside it. Where a re-build's new entities go, placed (``place_beside``) or
    before a warm layout's last steps (``force_layout``)."""
    k = math.sqrt(4.0 / len(nodes)) if nodes else 0.0  # force_layout's ideal distance
    xy = {v: (float(start[v][0]), float(start[v][1])) for v in nodes if v in start}
    nbrs: dict[str, list[str]] = {v: [] for v in nodes if v not in xy}
    for a, b in edges:
        if a in nbrs:
            nbrs[a].append(b)
        if b in nbrs:
            nbrs[b].append(a)
    grid: dict[tuple[int, int], list[tuple[float, float]]] = {}  # the positions by square of side k

    def put(v: str, p: tuple[float, float]) -> None:
        xy[v] = p
        grid.setdefault((math.floor(p[0] / k), math.floor(p[1] / k)), []).append(p)

    def clearance(p: tuple[float, float]) -> float:
        """The distance from ``p`` to the nearest entity placed, up to k (the squares around it hold all nearer)."""
        cx, cy = math.floor(p[0] / k), math.floor(p[1] / k)
        return min([math.hypot(p[0] - q[0], p[1] - q[1]) for dx in (-1, 0, 1) for dy in (-1, 0, 1)
                    for q in grid.get((cx + dx, cy + dy), ())] + [k])

    for v, p in list(xy.items()):
        put(v, p)
    left = list(nbrs)
    while left:
        still = []
        for v in left:
            near = [xy[u] for u in nbrs[v] if u in xy]
            if not near:
                still.append(v)
                continue
            mx, my = sum(p[0] for p in near) / len(near), sum(p[1] for p in near) / len(near)
            first = rng.uniform(0, 2 * math.pi)
            ways = [(mx + k * math.cos(first + i * 2 * math.pi / DIRECTIONS),
                     my + k * math.sin(first + i * 2 * math.pi / DIRECTIONS)) for i in range(DIRECTIONS)]
            put(v, max(ways, key=clearance))  # (the first of the clearest)
        if len(still) == len(left):  # none beside anything placed: the first goes outside the rest
            r = max((math.hypot(*p) for p in xy.values()), default=0.0) + k
            a = rng.uniform(0, 2 * math.pi)
            put(still[0], (r * math.cos(a), r * math.sin(a)))
            still = still[1:]
        left = still
    return xy


DIRECTIONS = 12  # tried around a new entity's neighbours (``_beside``)
SPACING = 120.0  # px: force_layout scales n nodes to a half-width of SPACING·√n


def _related(g) -> tuple[list[tuple[str, str]], set[str]]:
    """A drawn graph's edges between two entities (a loop relates nothing), and the entities they relate:
    those the forces lay out."""
    edges = [(a, b) for a, b in g.edges() if a != b]
    return edges, {v for e in edges for v in e}


def force_layout(nodes: list[str], edges: list[tuple[str, str]], iterations: int = 50, seed: int = 7,
                 start: dict | None = None, coords: dict | None = None) -> dict[str, tuple[float, float]]:
    """Fruchterman–Reingold in numpy (dense float32 on x and y separately, so n up to a couple of
    thousand), with a pull to the centre so that components stay in view. networkx's spring_layout
    switches to a per-node Python loop above 500 nodes (18 s for 3,000 here). Deterministic: ``nodes``
    sorted, ``edges`` (no loops) in a fixed order, since the forces are summed in that order.
    ``start``: node → position in the layout's own units (``coords`` of an earlier layout) for some of the
    nodes: they start there, the others beside their neighbours (``_beside``, as a re-build places them with no
    layout), and the ``iterations`` run are the last ones of the cooling, so each entity moves a little from
    where it was. ``coords``, if given, receives every node's position in those units. (numpy is imported
    here, not with the module: a re-build that lays nothing out does without its 0.1 s import.)"""
    import numpy as np

    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {v: i for i, v in enumerate(nodes)}
    rng = np.random.default_rng(seed)
    x, y = (rng.uniform(-1, 1, size=n).astype(np.float32) for _ in range(2))
    pairs = edges
    edges = np.array([(index[a], index[b]) for a, b in edges], dtype=np.int64).reshape(-1, 2)
    k2 = np.float32(4.0 / n)
    k = np.sqrt(k2)
    t = np.float32(0.2)
    if start:  # (``_beside`` gives every node a position: the random start is not used)
        placed = _beside(nodes, pairs, start, random.Random(seed))
        x[:] = [placed[v][0] for v in nodes]
        y[:] = [placed[v][1] for v in nodes]
        t = np.float32(0.2 * 0.93 ** max(0, 50 - iterations))  # where a layout from scratch would be by then
    block = min(n, LAYOUT_BLOCK)  # rows at a time, so the work stays in the cache: memory-bound otherwise
    fbuf = np.empty(block * n, dtype=np.float32)  # buffers reused by every strip of every iteration
    tbuf = np.empty(block * n, dtype=np.float32)
    fx = np.empty(n, dtype=np.float32)
    fy = np.empty(n, dtype=np.float32)
    src, dst = edges[:, 0], edges[:, 1]
    for _ in range(iterations):
        fx[:] = 0
        fy[:] = 0
        for lo in range(0, n, block):
            # the strip of rows lo:hi against columns lo:n: each pair's repulsion is computed once and
            # pushes both ends (the pairs left of the strip were pushed by the strips above it)
            hi = min(n, lo + block)
            rows, cols = hi - lo, n - lo
            fb = fbuf[: rows * cols].reshape(rows, cols)
            tb = tbuf[: rows * cols].reshape(rows, cols)
            xs, ys = x[lo:], y[lo:]
            np.subtract.outer(x[lo:hi], xs, out=fb)
            np.square(fb, out=fb)
            np.subtract.outer(y[lo:hi], ys, out=tb)
            np.square(tb, out=tb)
            fb += tb
            np.maximum(fb, np.float32(1e-4), out=fb)
            np.divide(k2, fb, out=fb)  # repulsion k²/d along the unit vector: k²·delta/d² = f·delta
            fb[np.arange(rows), np.arange(rows)] = 0
            # Σ_j f_ij (x_i − x_j) = x_i Σ_j f_ij − (f·x)_i on the strip's rows, and the opposite push on
            # the columns right of it, with einsum's own loops: BLAS threads would sum in another order
            # under another thread count, and the page would differ by machine
            rsum = fb.sum(1)
            fx[lo:hi] += x[lo:hi] * rsum - np.einsum("ij,j->i", fb, xs)
            fy[lo:hi] += y[lo:hi] * rsum - np.einsum("ij,j->i", fb, ys)
            if hi < n:
                off = fb[:, rows:]
                csum = off.sum(0)
                fx[hi:] += x[hi:] * csum - np.einsum("ij,i->j", off, x[lo:hi])
                fy[hi:] += y[hi:] * csum - np.einsum("ij,i->j", off, y[lo:hi])
        if len(edges):
            ex = x[src] - x[dst]
            ey = y[src] - y[dst]
            ln = np.sqrt(ex * ex + ey * ey) / k  # attraction d²/k along the unit vector
            ex *= ln
            ey *= ln  # summed per node by bincount (np.add.at is ~10 × slower)
            fx += (np.bincount(dst, ex, n) - np.bincount(src, ex, n)).astype(np.float32)
            fy += (np.bincount(dst, ey, n) - np.bincount(src, ey, n)).astype(np.float32)
        fx -= x * (0.05 * n * k)  # gravity
        fy -= y * (0.05 * n * k)
        length = np.maximum(np.sqrt(fx * fx + fy * fy), np.float32(1e-3))
        step = np.minimum(length, t) / length
        x += fx * step
        y += fy * step
        t *= np.float32(0.93)
    x -= x.mean()
    y -= y.mean()
    if coords is not None:
        coords.update((v, (float(a), float(b))) for v, a, b in zip(nodes, x, y))
    scale = SPACING * np.sqrt(n) / max(float(np.abs(x).max()), float(np.abs(y).max()), 1e-9)
    return {v: (round(float(a * scale), 1), round(float(b * scale), 1)) for v, a, b in zip(nodes, x, y)}


class Layouts:
    """Positions ``layout`` gave earlier builds, by a hash of the graph laid out (its nodes, and its edges
    in order: the force sums follow it), so that a re-build whose graph.html or hub pages draw the same
    entities and relations does not lay them out again (0.3 s for 1,500 nodes); and, by page, the positions each
    large page's entities had, for a re-build that draws it otherwise (``placed``). ``previous``: key →
    marshalled positions; ``fresh`` and ``used`` say what to keep for the next build."""

    def __init__(self, previous: dict[str, bytes]):
        self.previous = previous
        self.fresh: dict[str, bytes] = {}
        self.used: set[str] = set()
        self.warm = 0  # entities of graph.html that started where the previous build had put them
        self.beside: int | None = None  # graph.html's new entities placed beside their neighbours (``place_beside``)
        self.pages_placed = 0  # pages whose new entities were placed so, with no layout computed
        self._page_rows: set[str] = set()

    @staticmethod
    def key(g: "DrawnGraph") -> str:
        drawn = repr((HTML_FINGERPRINT, sorted(g.nodes()), list(g.edges())))
        return hashlib.sha1(drawn.encode("utf-8", "surrogatepass")).hexdigest()

    def has(self, g: "DrawnGraph") -> bool:
        """Whether an earlier build's positions for ``g`` are kept: ``placed`` then gives them."""
        return _kept_positions(self.previous.get(self.key(g))) is not None

    def keep(self, page: str) -> None:
        """Keep the rows of ``page``'s entities' positions for the next build (a page kept as it was)."""
        rows = (page, page + PLACED)
        self.used.update(rows)
        self._page_rows.update(rows)

    def placed(self, g: "DrawnGraph", warm: str = "") -> dict[str, tuple[float, float]]:
        """Positions for ``g``: those of an earlier build that drew the same, else a layout. ``warm``: the page
        (graph.html, a hub's ego page) whose entities' positions are kept by page. Where the previous build
        positioned most of the entities it relates (``WARM_SHARE``), those stay where they were and the new ones
        are placed beside their neighbours (``place_beside``), until the entities so placed, or given a relation,
        since the page was last laid out make more than ``PLACE_SHARE`` of them; then the layout starts from where
        they were and runs the last ``WARM_ITERATIONS`` of the cooling (graph.html: 0.03 s and numpy's import,
        0.1 s, instead of 0.25-0.35 s for 1,300 related entities from scratch). Either way a re-build moves the
        picture little. A build with no previous positions lays it out from scratch, as a build with no cache
        does."""
        key = self.key(g)
        self.used.add(key)
        if warm:
            self.keep(warm)
        got = _kept_positions(self.previous.get(key) or self.fresh.get(key))
        if got is not None:
            return got
        if not warm:
            pos = layout(g)
        else:
            coords: dict[str, tuple[float, float]] = {}
            start = _kept_positions(self.previous.get(warm)) or {}
            edges, linked = _related(g)
            pairs = {(a, b) if a < b else (b, a) for a, b in edges}
            known = sum(1 for n in linked if n in start)
            unsettled = 0
            if start and known >= WARM_SHARE * len(linked):
                if warm == WHOLE_LAYOUT:
                    self.warm = known
                before = _kept_unsettled(self.previous.get(warm + PLACED))
                if before is not None:  # those placed since the last layout, the new ones, and the newly related
                    touched = {v for a, b in pairs - before[1] if a in start and b in start for v in (a, b)}
                    unsettled = before[0] + len(linked) - known + len(touched)
                if before is not None and unsettled <= PLACE_SHARE * len(linked):
                    pos = place_beside(g, start, coords=coords)
                    self.pages_placed += 1
                    if warm == WHOLE_LAYOUT:
                        self.beside = len(linked) - known
                else:
                    pos = layout(g, iterations=WARM_ITERATIONS, start=start, coords=coords)
                    unsettled = 0
            else:
                pos = layout(g, coords=coords)
            self.fresh[warm] = marshal.dumps(coords)
            self.fresh[warm + PLACED] = marshal.dumps((unsettled, sorted(pairs)))
        self.fresh[key] = marshal.dumps(pos)
        return pos

    def stats(self) -> dict[str, int]:
        """For the report: page layouts reused and made (the pages' kept positions are not one, nor a page whose
        new entities were placed beside their neighbours: those are ``placed``), how many of graph.html's entities
        started where the previous build had put them, and how many new ones were placed so (None: graph.html was
        laid out or reused)."""
        fresh = len(self.fresh.keys() - self._page_rows)
        return {"reused": len(self.used - self._page_rows) - fresh, "made": fresh - self.pages_placed,
                "placed": self.pages_placed, "graph_html_from_previous": self.warm,
                "graph_html_placed_beside": self.beside}


def _kept_unsettled(row: bytes | None) -> tuple[int, set[tuple[str, str]]] | None:
    """A page's row of placed entities (its name and ``PLACED``) as ``Layouts`` keeps it: how many of its entities
    were placed, or given a relation, since it was last laid out, and the related pairs it drew; None for no row,
    or a damaged one."""
    if row is None:
        return None
    try:
        count, pairs = marshal.loads(row)
        pairs = {(a, b) for a, b in pairs}
    except Exception:  # whatever bytes a damaged row holds: the page is then laid out
        return None
    return (count, pairs) if type(count) is int and count >= 0 else None


def _kept_positions(row: bytes | None) -> dict[str, tuple[float, float]] | None:
    """Positions as ``Layouts`` keeps them (marshalled: entity → (x, y)); None for no row, or for one that
    does not read back as positions (a damaged build cache: the layout is then made again)."""
    if row is None:
        return None
    try:
        pos = {n: tuple(xy) for n, xy in marshal.loads(row).items()}
    except Exception:  # whatever bytes a damaged row holds
        return None
    return pos if all(len(xy) == 2 for xy in pos.values()) else None


def most_connected(v: ViewGraph, limit: int, deg: dict[str, int] | None = None) -> list[str]:
    """The ``limit`` entities with the most relations, then the most mentions (``deg``: ``v.degree()``)."""
    deg = v.degree() if deg is None else deg
    ids = list(v.nodes)
    get = deg.get  # (sorted as tuples, not through a key function looking each entity up)
    mentions = node_column(v.nodes, "mentions")
    related = [i for i, n in enumerate(ids) if get(n)]  # (every entity with a relation ranks above all without)
    if len(related) >= limit:  # (PD1998: 1,500 of 15 k entities drawn, ranked among the ~5 k with a relation)
        ranked = sorted([(-deg[ids[i]], -mentions[i], ids[i]) for i in related])
    else:
        ranked = sorted(zip([-get(n, 0) for n in ids], [-m for m in mentions], ids))
    return [n for _, _, n in ranked[:limit]]


def ego(v: ViewGraph, center: str, depth: int = 2, limit: int = MAX_EGO, deg: dict[str, int] | None = None) -> list[str]:
    """The entities within ``depth`` relations of ``center``; nearest first, then most connected."""
    dist = v.within(center, depth)
    deg = v.degree() if deg is None else deg
    return sorted(dist, key=lambda n: (dist[n], -deg.get(n, 0), n))[:limit]


# ---------------------------------------------------------------- pages

_NOT_NAME, _NOT_KIND = compiled(r"[^A-Za-z0-9_-]+"), compiled(r"[^a-z]+")


def page_name(kind: str, key: str) -> str:
    """A file name for an article or entity page: ASCII, short and stable."""
    stem = _NOT_NAME.sub("_", key.rsplit("/", 1)[-1])[:40].strip("_")
    if not stem:  # Chinese names: the entity's kind
        stem = _NOT_KIND.sub("", key.split("/", 1)[0].lower())[:20] or "x"
    return f"{kind}/{stem}-{hashlib.sha1(key.encode('utf-8', 'surrogatepass')).hexdigest()[:10]}.html"


def vis_asset_paths() -> tuple[Path, Path]:
    """pyvis's copies of vis-network's script and style sheet, found without importing pyvis (its package imports
    IPython: 0.3 s)."""
    lib = Path(importlib.util.find_spec("pyvis").submodule_search_locations[0]) / "templates" / "lib" / "vis-9.1.2"
    return lib / "vis-network.min.js", lib / "vis-network.css"


def vis_assets() -> tuple[str, str]:
    js, css = vis_asset_paths()
    return js.read_text(encoding="utf-8"), css.read_text(encoding="utf-8")


def _installed_file_key(path: Path) -> str:
    """A key of an installed file as it is (its path, inode, size and modification time, hashed: a page key holds no
    space): the same while the file is, so a re-build keeps lib/ without reading pyvis's 0.7 MB and hashing it."""
    st = os.stat(path)
    return hashlib.sha1(f"{path}\0{st.st_ino}\0{st.st_size}\0{st.st_mtime_ns}".encode("utf-8", "surrogatepass")
                        ).hexdigest()


def _json(data) -> str:
    """JSON safe inside a <script> element: no </script>, no HTML-significant characters."""
    return _escape_json(json.dumps(data, ensure_ascii=False, sort_keys=True))


def _escape_json(text: str) -> str:
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


@lru_cache(maxsize=1 << 16)
def _str_json(text: str) -> str:
    """``_json`` of a string without json.dumps's set-up, memoised: names and titles recur across pages."""
    return _escape_json(encode_basestring(text))


def _detail_json(d: dict, page: str) -> tuple[str, str, str]:
    """An entity's side-panel details as JSON (keys sorted, as ``_json`` sorts them), in three pieces
    around what a page may give itself: its "facts" (the relations drawn on the page), then
    "mentions" and "sources" (an article page gives those read in the article)."""
    js = _str_json
    return ('{"aliases": [' + ", ".join([js(a) for a in d["aliases"]]) + '], "code": ' + js(d["code"]) + ', "facts": ',
            ', "name": ' + js(d["name"]) + ', "page": ' + js(page) + ', "sources": ',
            ', "type": ' + js(d["type"]) + "}")


def _sources_json(sources: list[dict]) -> str:
    js = _str_json
    return "[" + ", ".join([f'{{"article": {js(x["article"])}, "doc": {js(x["doc"])}, "sentence": {js(x["sentence"])}}}'
                            for x in sources]) + "]"


def _edges_among(v: ViewGraph, keep: set[str], edge_ids: list[int] | None = None) -> list[int]:
    """The indices of the edges (of ``edge_ids``, else of all) whose two ends are both in ``keep``, ascending."""
    if edge_ids is None:
        incident = v.incident()
        edge_ids = sorted({i for n in keep for i in incident.get(n, ())})
    edges = v.edges
    return [i for i in edge_ids if edges[i][0] in keep and edges[i][1] in keep]


class DrawnGraph:
    """The graph a page's layout is computed from (and ``Layouts`` keyed by): undirected, one edge per pair
    of entities, its nodes, edges and degrees iterated as ``networkx.Graph`` iterates them (the order the
    layout sums its forces in, and its key), without importing networkx for it."""

    def __init__(self, node_ids: list[str], pairs):
        self.adj: dict[str, dict[str, None]] = {n: {} for n in node_ids}  # node → its neighbours, in order
        adj = self.adj
        for s, o in pairs:
            adj.setdefault(s, {})[o] = None
            adj.setdefault(o, {})[s] = None

    def nodes(self) -> list[str]:
        return list(self.adj)

    def edges(self) -> list[tuple[str, str]]:
        """Each pair once, from the end that comes first."""
        seen: set[str] = set()
        out = []
        for n, nbrs in self.adj.items():
            out += [(n, m) for m in nbrs if m not in seen]
            seen.add(n)
        return out

    def degree(self) -> list[tuple[str, int]]:
        """Distinct neighbours, a loop counting twice."""
        return [(n, len(nbrs) + (n in nbrs)) for n, nbrs in self.adj.items()]


def _drawn_graph(node_ids: list[str], chosen: list[tuple[str, str, str, str]]) -> DrawnGraph:
    return DrawnGraph(node_ids, ((s, o) for s, o, _, _ in chosen))


def _drawn(v: ViewGraph, node_ids: list[str], edge_ids: list[int] | None, place: bool,
           layouts: "Layouts | None" = None, warm: str = "") -> tuple[list, dict, dict]:
    """What a page draws of ``node_ids``: the edges among them (or those ``edge_ids`` lists), the positions (laid
    out, or from ``layouts``, where ``place``; else none, for the browser to settle) and each entity's degree."""
    chosen = [v.edges[i] for i in _edges_among(v, set(node_ids), edge_ids)]
    if place:
        g = _drawn_graph(node_ids, chosen)
        pos = layout(g) if layouts is None else layouts.placed(g, warm=warm)
        deg = dict(g.degree())
    else:  # the degrees nx.Graph would give (distinct neighbours, a loop counting 2), without one per page
        pos = {}
        nbrs: dict[str, set[str]] = {n: set() for n in node_ids}
        for s, o, _, _ in chosen:
            nbrs[s].add(o)
            nbrs[o].add(s)
        deg = {n: len(x) + (n in x) for n, x in nbrs.items()}
    return chosen, pos, deg


def _node(v: ViewGraph, n: str, deg: dict[str, int], pos: dict) -> dict:
    """An entity as the page's network draws it."""
    d = v.nodes[n]
    node = {"id": n, "label": d["name"], "type": d["type"], "color": COLORS[d["type"]],
            "shape": SHAPES[d["type"]], "size": 10 + min(30, 3 * deg.get(n, 0)), "font": {"size": 14}}
    if n in pos:
        node["x"], node["y"] = pos[n]
    return node


def _facts(v: ViewGraph, chosen: list[tuple], keep: set[str]) -> dict[str, list[dict]]:
    """Each entity of ``keep``'s relations among the ``chosen`` edges, as its side panel lists them (in the order
    of the edges, each from either end)."""
    nodes = v.nodes
    facts: dict[str, list] = {n: [] for n in keep}
    for s, o, kind, ttl in chosen:
        if s in facts:
            facts[s].append({"rel": RELATION_ZH.get(kind, kind), "title": ttl, "other": nodes[o]["name"], "dir": "out"})
        if o in facts:
            facts[o].append({"rel": RELATION_ZH.get(kind, kind), "title": ttl, "other": nodes[s]["name"], "dir": "in"})
    return facts


def _detail_entry(v: ViewGraph, n: str, facts: list[dict], page: str, encoded: dict | None = None,
                  article: dict | None = None, local: dict | None = None) -> str:
    """An entity's entry in the page's "details" (its side panel): ``facts``, its relations drawn; ``page``, its
    hub page's link, if any; ``article`` and ``local`` (``article_local``): on an article's page, what the article
    says of it."""
    js = _str_json  # ("dir" is "in" or "out": written as it is)
    pieces = encoded.get((n, page)) if encoded is not None else None
    if pieces is None:
        d = v.nodes[n]
        pieces = _detail_json(d, page) + (str(d["mentions"]), _sources_json(v.sources(n)))
        if encoded is not None:
            encoded[(n, page)] = pieces
    head, middle, tail, mentions, sources = pieces
    if local is not None:
        count, spans = local.get(n, (0, []))
        mentions = str(count)
        text = article["article"].source_text
        sentences = dict.fromkeys(text[start:end][:300] for start, end in spans)
        sources = _sources_json([{"article": article["title"] or article["doc"], "doc": article["doc"], "sentence": x}
                                 for x in sentences])
    fs = ", ".join([f'{{"dir": "{f["dir"]}", "other": {js(f["other"])}, "rel": {js(f["rel"])}, "title": {js(f["title"])}}}'
                    for f in sorted(facts, key=lambda f: (f["rel"], f["other"], f["title"]))])
    return f"{js(n)}: {head}[{fs}], \"mentions\": {mentions}{middle}{sources}{tail}"


def render_page(v: ViewGraph, node_ids: list[str], title: str, note: str = "", edge_ids: list[int] | None = None,
                links: dict[str, str] | None = None, root: str = "", inline: bool = True,
                focus: str = "", place: bool = True, encoded: dict | None = None,
                article: dict | None = None, layouts: "Layouts | None" = None, warm: str = "",
                drawn: tuple | None = None) -> str:
    """One page drawing ``node_ids`` and the edges among them (or the edges ``edge_ids`` lists).
    ``links``: entity id → page (relative to the output root) to offer in the side panel.
    ``place``: positions computed here; without, the browser settles the (small) graph itself.
    ``encoded``: a memo of each entity's side-panel JSON, shared by the pages of one site (an entity
    is on many pages; encoding its sources once instead of on each page saves most of the JSON time).
    ``article``: the article the page is of (``ViewGraph.articles``): its panel then gives each entity's
    mentions and sentences in that article, not in the corpus, so the page changes only with the
    article or with who its entities are (name, aliases, code, ego page).
    ``layouts``: positions computed by earlier builds, reused for the same nodes and edges; ``warm`` (graph.html,
    a hub's ego page: the page's name): else kept or started from the previous build's (``Layouts.placed``).
    ``drawn``: ``_drawn``'s (edges, positions, degrees), where the caller made them."""
    keep = set(node_ids)
    chosen, pos, deg = drawn if drawn is not None else _drawn(v, node_ids, edge_ids, place, layouts, warm)
    nodes = [_node(v, n, deg, pos) for n in sorted(node_ids)]
    facts = _facts(v, chosen, keep)
    local = article_local(article) if article is not None else None
    parts = [_detail_entry(v, n, facts[n], (root + links[n]) if links and n in links else "", encoded, article, local)
             for n in sorted(keep)]
    details = "{" + ", ".join(parts) + "}"
    merged: dict[tuple[str, str, str], list[str]] = {}  # two posts at one organ: one edge, both titles
    for s, o, kind, ttl in chosen:
        merged.setdefault((s, o, kind), []).append(ttl if kind == POSITION else RELATION_ZH.get(kind, kind))
    edges = [{"from": s, "to": o, "kind": kind, "arrows": "to", "font": {"size": 10, "align": "middle"},
              "label": "、".join(sorted(set(labels)))} for (s, o, kind), labels in sorted(merged.items())]
    data = {"nodes": nodes, "edges": edges, "note": note, "focus": focus, "index": root + "index.html",
            "local": article is not None,
            "types": {t: {"color": COLORS[t], "zh": TYPE_ZH[t], "shape": SHAPES[t]} for t in ENTITY_TYPES}}
    data_json = '{"details": ' + details + ", " + _json(data)[1:]  # "details" sorts first: the keys stay sorted
    if inline:
        js, css = vis_assets()
        head = f"<style>{css}</style>"
        script = f"<script>{js}</script>"
    else:
        head = f'<link rel="stylesheet" href="{root}lib/vis-network.css">'
        script = f'<script src="{root}lib/vis-network.min.js"></script>'
    parts = {"TITLE": html.escape(title), "HEAD": head, "VISJS": script, "DATA": data_json}
    return re.sub(r"__(TITLE|HEAD|VISJS|DATA)__", lambda m: parts[m.group(1)], PAGE)  # one pass: no re-substitution


def whole_graph_page(v: ViewGraph, title: str, links: dict[str, str], layouts: Layouts | None = None,
                     ranked: list[str] | None = None, keep=None, changed: frozenset[str] | None = None,
                     pieces: bool = False) -> str | list:
    """``ranked``: ``most_connected(v, MAX_WHOLE)``, where the caller has it. ``keep``: the previous build's pages
    (``export.KeptPages``), which record graph.html's ``page_light_key``; ``changed``: the entities made again or
    gone since that build (``kg.changed``, where the pages' record is of that very build). Where graph.html draws
    the same entities, relations, links and positions as that build's, which is in place as written, the page is
    that file with the entries of the entities ``changed`` and the note made again (``patched_page``: PD1998's
    re-build after one article, 5 entries of 1,500; graph.html 0.10 → 0.03 s, the patch ~0.01 s of it): with
    ``pieces``, as ``patched_page``'s pieces (for a writer that copies their ranges before the file is closed)."""
    ids = most_connected(v, MAX_WHOLE) if ranked is None else ranked
    note = ""
    if len(ids) < len(v.nodes):
        note = (f"显示关联最多的 {len(ids):,} 个实体（共 {len(v.nodes):,} 个）。Showing the {len(ids):,} most connected "
                f"of {len(v.nodes):,} entities; every entity is listed in index.html, and `kg view NAME` draws any "
                "entity's neighbourhood.")
    drawn = _drawn(v, ids, None, True, layouts, WHOLE_LAYOUT)
    if keep is not None:
        previous = keep.previous_file(WHOLE_LAYOUT, page_light_key(WHOLE_LAYOUT, title, ids, links, "", drawn))
        if previous is not None and changed is not None:
            patched = patched_page(previous, v, ids, links, "", drawn, changed, note)
            if patched is not None:
                keep.patched.append(WHOLE_LAYOUT)
                return patched if pieces else patched_text(previous, patched)
    return render_page(v, ids, title, note=note, links=links, layouts=layouts, warm=WHOLE_LAYOUT, drawn=drawn)


def page_light_key(name: str, title: str, ids: list[str], links: dict[str, str], root: str, drawn: tuple) -> str:
    """A hash of what a page draws but its entities' own details: which entities, their links, the relations
    among them, and where each stands (``_drawn``). Two pages with the same differ only in the entries of
    entities whose own details differ (aliases, code, mentions, first sentences), and in the note (``patched_page``)."""
    chosen, pos, _ = drawn
    ordered = sorted(ids)
    page = (HTML_FINGERPRINT, "page light", name, title, root, ordered, [links.get(n) for n in ordered], chosen,
            [pos.get(n) for n in ordered])
    return hashlib.sha1(marshal.dumps(page, 0)).hexdigest()


def patched_page(previous, v: ViewGraph, ids: list[str], links: dict[str, str], root: str, drawn: tuple,
                 changed: frozenset[str], note: str, encoded: dict | None = None) -> list | None:
    """``render_page``'s page of ``ids`` (no article's), made from ``previous`` (``export.PreviousFile``: the file
    open), the same page as drawn by a build whose ``page_light_key`` for it was the same: the details (side panels)
    of the entities ``changed`` since made again and put where theirs were, and the note. Everything else is as it
    was: the network's nodes (an entity's label and type are its id's, its size and place the key's), every other
    entity's details (its node is as it was, ``kg.changed``, and so are its relations on the page and the names
    they give), the edges. Each entry is found by what opens it and what opens the next (JSON structure, which no
    string holds: a quote inside one is escaped). Returned as the page's pieces: the entries made again, in UTF-8,
    between ranges of the previous file (``FileRange``, copied in the kernel: PD1998's graph.html is 3.2 MB, of
    which 5 entries change), neither read as text nor written again (``patched_text`` joins them, where the page is
    wanted whole). None where an entry is not found (then the page is drawn). ``encoded``: ``render_page``'s."""
    chosen, _, _ = drawn
    touched = changed.intersection(ids)
    order = sorted(ids)
    facts = _facts(v, chosen, touched)
    js = _str_json
    edits: list[tuple[int, int, str]] = []
    at = 0
    for n in sorted(touched):
        i = bisect_left(order, n)
        start = previous.find((js(n) + ': {"aliases": [').encode("utf-8"), at)
        following = (", " + js(order[i + 1]) + ': {"aliases": [') if i + 1 < len(order) else '}, "edges": ['
        end = previous.find(following.encode("utf-8"), start) if start >= 0 else -1
        if end < 0:
            return None
        edits.append((start, end, _detail_entry(v, n, facts[n], (root + links[n]) if links and n in links else "",
                                                encoded)))
        at = end
    # the data's keys are sorted: details, edges, focus, index, local, nodes, note, types
    start = previous.rfind(b', "note": ')
    end = previous.find(b', "types": {', start) if start > at else -1
    if end < 0:
        return None
    edits.append((start + len(', "note": '), end, _escape_json(json.dumps(note, ensure_ascii=False))))
    out, done = [], 0
    for start, end, text in edits:
        out += [previous.range(done, start), text.encode("utf-8")]
        done = end
    out.append(previous.range(done, len(previous)))
    return out


def patched_text(previous, pieces: list) -> str:
    """A page ``patched_page`` gave, as text: for a build that keeps its pages to write them at the end (one
    process, no writing thread), when the previous files it copies from are closed by then."""
    return b"".join([previous[p.start:p.end] if hasattr(p, "copy_into") else p for p in pieces]).decode("utf-8")


def article_page_key(v: ViewGraph, a: dict, links: dict[str, str], who: dict[str, bytes] | None = None) -> str:
    """A hash of everything an article's page is drawn from: the article, who its entities are (name,
    type, aliases, code, ego page), what it read of them, its relations, and the drawing code.
    ``who``: a memo of each entity's part, shared by the pages of one site (an entity is on many).
    The parts are marshalled (version 0: equal values, equal bytes), 2-3 × quicker than their repr."""
    nodes = v.nodes
    who = {} if who is None else who
    ids = sorted(a["entities"])
    parts = []
    for n in ids:
        part = who.get(n)
        if part is None:
            d = nodes[n]
            part = who[n] = marshal.dumps((n, d["name"], d["type"], d["aliases"], d["code"], links.get(n)), 0)
        parts.append(part)
    h = hashlib.sha1(marshal.dumps((HTML_FINGERPRINT, a["title"], a["doc"], a["digest"]), 0))
    h.update(b"".join(parts))
    # what it read of them (``article_local`` is made of these): the entity and span of each of its
    # mentions, and its sentences' spans; where the build knows its extraction's key (a hash of its text,
    # sentences and the extractor: the spans follow from it), the entities and that key
    eids, mentions = a["mentions"]
    if a.get("extraction"):
        read = (eids, a["extraction"])
    else:
        read = (eids, list(map(START, mentions)), list(map(END, mentions)), list(map(SENTENCE, mentions)),
                list(map(START, a["article"].sentences)), list(map(END, a["article"].sentences)))
    h.update(marshal.dumps((read, [v.edges[i] for i in a["edges"]]), 0))
    return h.hexdigest()


def ego_page_key(v: ViewGraph, ids: list[str], edge_ids: list[int], title: str, note: str, focus: str, place: bool,
                 links: dict[str, str]) -> str:
    """A hash of everything a hub's ego page is drawn from: its entities as the corpus knows them (name,
    type, aliases, code, ego page, mentions and first sentences: the side panel's), the relations among
    them (``edge_ids``), its title, note, focus, whether it is laid out here, and the drawing code. One
    article that names 中国 changes the pages 中国 is on; the other hubs' pages are kept. Marshalled
    like ``article_page_key``'s parts."""
    nodes = v.nodes
    who = [(n, nodes[n]["name"], nodes[n]["type"], nodes[n]["aliases"], nodes[n]["code"], nodes[n]["mentions"],
            v.sources(n), links.get(n)) for n in sorted(ids)]
    page = (HTML_FINGERPRINT, "ego", title, note, focus, place, who, [v.edges[i] for i in edge_ids])
    return hashlib.sha1(marshal.dumps(page, 0)).hexdigest()


def ego_page_light_key(v: ViewGraph, ids: list[str], edge_ids: list[int], title: str, note: str, focus: str,
                       place: bool, links: dict[str, str]) -> str:
    """A hash of which entities a hub's ego page draws and how (``ego_page_key``'s parts but the entities' own:
    their ids, links and relations, the title, note, focus and layout), recorded with the pages' keys. Where it is
    the one recorded and none of the page's entities was made again since (``kg.changed``: every other entity's
    node is the one it had, its names, mentions and first sentences too), the page's key is the one recorded;
    a re-build then looks up no first sentence for the hub pages it keeps (most of ``ego_page_key``'s time)."""
    ordered = sorted(ids)
    page = (HTML_FINGERPRINT, "ego light", title, note, focus, place, ordered, [links.get(n) for n in ordered],
            [v.edges[i] for i in edge_ids])
    return hashlib.sha1(marshal.dumps(page, 0)).hexdigest()


def site(kg, title: str = "policy-kg", emit=None, keep=None, layouts: Layouts | None = None) -> dict[str, str | None]:
    """All pages: graph.html, index.html, lib/, one page per article, ego pages for the hubs.
    ``emit(name, text)``, if given, receives each page in a folder as soon as it is made, so a writer
    can put it on disk while the next one is drawn; such pages are then listed with None, not kept
    (3,000 pages are ~100 MB of text that would otherwise live to the end of the build). A page patched from the
    previous build's file comes as its pieces (``patched_page``), some of them ranges of that file, which ``keep``
    holds open until it is closed.
    ``keep(name, key)``, if given, is asked for each article and hub page with the hash of what it is
    drawn from (``article_page_key``, ``ego_page_key``) and returns True when the previous build's page,
    drawn from the same, has been put in place: that page is then neither drawn nor written (listed
    with None).
    ``layouts``: positions kept from earlier builds (``Layouts``)."""
    v = view_graph(kg)
    deg = v.degree()
    ranked = most_connected(v, MAX_WHOLE, deg)  # ranked once: the hubs are its first HUB_PAGES
    hubs = ranked[:HUB_PAGES]
    links = {n: page_name("entities", n) for n in hubs}
    record = _previous_record(kg, keep.previous_state) if keep is not None else None
    files: dict[str, str] = {"graph.html": whole_graph_page(v, title, links, layouts, ranked, keep,
                                                            kg.changed.entities if record is not None else None,
                                                            pieces=emit is not None)}
    if emit:  # 3 MB written while the other pages are drawn
        emit("graph.html", files["graph.html"])
        files["graph.html"] = None
    for name, path in zip(("lib/vis-network.min.js", "lib/vis-network.css"), vis_asset_paths()):
        # the same file as the last build's (its key: the installed file's, unchanged) is kept where it is, like a page
        if keep is not None and keep(name, _installed_file_key(path)):
            files[name] = None
            continue
        text = path.read_text(encoding="utf-8")
        if emit:
            emit(name, text)
            files[name] = None
        else:
            files[name] = text
    encoded: dict = {}  # each entity's panel JSON, made once for all the pages it is on
    lights: dict[str, str] = {}  # each hub page's ``ego_page_light_key``, recorded for the next build
    for n in hubs:
        ids = ego(v, n, 2, MAX_EGO, deg)
        title_n = f"{v.nodes[n]['name']} · {TYPE_ZH[v.nodes[n]['type']]}"
        note = f"{v.nodes[n]['name']} 两步以内的关联 (within two relations)"
        place = len(ids) > BROWSER_LAYOUT
        edge_ids = _edges_among(v, set(ids))
        key = drawn = None
        if keep is not None:  # the key recorded, where the page is of the same entities, none of them made again
            light = lights[links[n]] = ego_page_light_key(v, ids, edge_ids, title_n, note, n, place, links)
            same = record is not None and record[5].get(links[n]) == light
            if same and kg.changed.entities.isdisjoint(ids):
                key = keep.previous_key(links[n])  # (what ``ego_page_key`` gives: no first sentence looked up)
            elif same and (not place or layouts is not None and layouts.has(
                    _drawn_graph(ids, [v.edges[i] for i in edge_ids]))):  # (then the same positions: the key has none)
                # the previous page patched: its panels of the entities made again (``patched_page``), recorded under
                # a key no drawing gives (the next build takes it back as ``key`` above, or makes the page again)
                previous = keep.previous_file(links[n], "patched:" + light, check=False)
                drawn = _drawn(v, ids, edge_ids, place, layouts, warm=links[n]) if previous is not None else None
                patched = patched_page(previous, v, ids, links, "../", drawn, kg.changed.entities, note,
                                       encoded) if previous is not None else None
                if patched is not None:
                    keep.patched.append(links[n])
                    if emit:
                        emit(links[n], patched)
                        files[links[n]] = None
                    else:
                        files[links[n]] = patched_text(previous, patched)
                    continue
        if keep is not None and keep(links[n], key or ego_page_key(v, ids, edge_ids, title_n, note, n, place, links)):
            files[links[n]] = None  # the previous build's page, unchanged, is in place
            if place and layouts is not None:  # its positions stay in the cache for the next change
                layouts.used.add(layouts.key(_drawn_graph(ids, [v.edges[i] for i in edge_ids])))
                layouts.keep(links[n])
            continue
        files[links[n]] = render_page(v, ids, title_n, note=note, edge_ids=edge_ids, links=links, root="../",
                                      inline=False, focus=n, place=place, encoded=encoded, layouts=layouts,
                                      warm=links[n], drawn=drawn)  # (made above where a patch was tried)
        if emit:
            emit(links[n], files[links[n]])
            files[links[n]] = None
    article_pages = {}
    who: dict[str, bytes] = {}  # each entity's part of the page keys (``article_page_key``)
    digests: dict[str, str] = {}  # (no key recorded serves: each is made)
    to_key: set[str] = set()
    counts: dict[str, int] = {}  # article → the entities on its page, as recorded
    if keep is not None:  # what this build's article page keys are made from, recorded with them for the next
        edges = [(s, o, e["kind"], e["title"] or "", e["articles"]) for s, o, _, e in kg.edges]
        digests, to_key, counts = _articles_to_key(kg, hubs, edges, record) or (digests, to_key, counts)

    # the articles whose key is the one recorded, if any (``_articles_to_key``; none where nothing recorded serves)
    recorded = {aid for aid, a in v.articles.items()
                if aid not in to_key and digests.get(a["doc"]) == a["digest"] and a["extraction"]} if digests else set()
    # the entity sets the view model left to make (a re-build): those of the articles whose keys are made; the
    # others' pages draw the entities they drew, as many as recorded (twelve times PD1998: 37 k sets, ~0.2 s)
    left = [aid for aid, a in v.articles.items() if a["entities"] is None and not (aid in recorded and aid in counts)]
    if left:  # (and what they read, found in the same pass: the pages drawn or keyed again are mostly theirs)
        v.fill(left, reads=v.reads is not None)
    size = {aid: counts[aid] if a["entities"] is None else len(a["entities"]) for aid, a in v.articles.items()}
    if keep is not None:  # (marshal version 2: no table of references, so no write to each object, most of them made
        # before the RDF writer was forked, whose memory pages were then copied: PD1998 9.9 -> 6.2 ms, 290 -> 5 faults)
        keep.state = marshal.dumps((kg.token, HTML_FINGERPRINT, hubs,
                                    {a["doc"]: a["digest"] for a in v.articles.values()}, edges, size, lights), 2)
    if v.reads is not None:  # what the articles whose keys are made read, in one pass (any other, drawn: all)
        v.reads.want([aid for aid, a in v.articles.items()
                      if a["mentions"] is None and size[aid] and aid not in recorded])
    nothing: tuple[list, list] = ([], [])
    for aid, a in v.articles.items():
        if not size[aid]:
            continue
        name = article_pages[aid] = page_name("articles", aid)
        if keep is not None:
            key = None
            if aid in recorded:
                key = keep.previous_key(name)  # what ``article_page_key`` gives
            if key is None:
                a = v.filled(aid)
                if a["mentions"] is None:
                    a["mentions"] = v.reads.get(aid, nothing)
                key = article_page_key(v, a, links, who)
            if keep(name, key):
                files[name] = None  # the previous build's page, unchanged, is in place
                continue
        a = v.filled(aid)  # (a page edited or removed since)
        if a["mentions"] is None:
            a["mentions"] = v.reads.get(aid, nothing)
        files[name] = render_page(v, sorted(a["entities"]), a["title"] or a["doc"],
                                  note=f"{a['doc']} · 本文实体与关系 (entities and relations read in this article)",
                                  edge_ids=a["edges"], links=links, root="../", inline=False,
                                  place=len(a["entities"]) > BROWSER_LAYOUT, encoded=encoded, article=a)
        if emit:
            emit(name, files[name])
            files[name] = None
    files["index.html"] = index_page(v, title, links, article_pages, deg, size)
    return files


def _previous_record(kg, previous: bytes | None) -> tuple | None:
    """The previous build's record of what its pages were made from (``previous``: ``KeptPages.previous_state``,
    as ``site`` records it), read back: its resolution's token, its hubs, each document's text hash, the relations
    with their articles, how many entities each article's page draws, and each hub page's
    ``ego_page_light_key``. None where this build's resolution did not change only some articles since that very
    build (``kg.changed``), or the record does not read back as written (damaged, or by other code)."""
    if kg.changed is None or previous is None:
        return None
    try:
        token, fingerprint, old_hubs, digests, old_edges, counts, lights = marshal.loads(previous)
        if (fingerprint != HTML_FINGERPRINT or token != kg.changed.since or not isinstance(digests, dict)
                or not isinstance(counts, dict) or not all(type(n) is int for n in counts.values())
                or not isinstance(lights, dict)):
            return None
    except (ValueError, EOFError, TypeError):
        return None
    return token, old_hubs, digests, old_edges, counts, lights


def _articles_to_key(kg, hubs: list[str], edges: list[tuple], record: tuple | None
                     ) -> tuple[dict[str, str], set[str], dict[str, int]] | None:
    """Where the previous build recorded its article pages' keys with what they were made from (``record``:
    ``_previous_record``), and this build's resolution changed only some articles since that very build
    (``kg.changed``): those documents' hashes, the ids of the articles whose page key may differ from that
    build's, and those counts. The articles whose key may differ are those ``kg.changed`` names (their mentions or
    entities read otherwise), those of an entity that became or stopped being a hub (its link), and those of the
    relations of a subject whose relations changed (an article's relations are its subjects' in node order, each
    subject's in the order given). Any other article in an unchanged document gives the key recorded
    (``article_page_key``: the same article, the same entities as they were, the same relations) and draws as
    many entities: twelve times PD1998 has 37,775 of them to hash (0.7-0.9 s). None where nothing recorded
    serves: every key is made."""
    if record is None:
        return None
    token, old_hubs, digests, old_edges, counts, _ = record
    try:  # (a record that does not read back as written, damaged or by other code, serves nothing)
        to_key = kg.changed.articles_to_key(token, old_edges, edges, itemgetter(4))
        if to_key is None:
            return None
        for n in set(old_hubs).symmetric_difference(hubs):
            node = kg.nodes.get(n)
            if node is not None:  # (an entity gone is in ``kg.changed``)
                to_key.update(node["articles"])
    except (ValueError, TypeError, IndexError, KeyError, AttributeError):
        return None
    return digests, to_key, counts


_HTML_SPECIAL = compiled("[&<>\"']")


def _escape_html(text: str) -> str:
    """``html.escape``, without its five replacements where nothing needs escaping (most names: 18 k of them
    in PD1998's index.html)."""
    return html.escape(text) if _HTML_SPECIAL.search(text) else text


def index_page(v: ViewGraph, title: str, links: dict[str, str], article_pages: dict[str, str],
               deg: dict[str, int] | None = None, size: dict[str, int] | None = None) -> str:
    """Entities by type with counts (linking ego pages where written) and the articles (``size``: how many
    entities each article's page draws, where its entity set was not made). Each list's lines are made by C-level
    maps of one template over its columns (PD1998's 18 k lines, in process: 55–80 → 30–46 ms in a slow spell), the
    few linked entities' names made into links first."""
    out = [f"<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{html.escape(title)} · index</title>",
           "<style>body{font-family:\"WenQuanYi Micro Hei\",\"Noto Sans CJK SC\",sans-serif;margin:20px;max-width:1100px}"
           "li{margin:2px 0}.n{color:#777}details{margin:8px 0}</style></head><body>",
           f"<h1>{html.escape(title)}</h1>",
           f"<p><a href=\"graph.html\">整体关系图 whole graph</a> · {len(v.nodes):,} entities · "
           f"{len(v.edges):,} relations · {len(v.articles):,} articles</p>"]
    deg = v.degree() if deg is None else deg
    nodes = v.nodes  # (as columns, read in C; each type's rows ordered by two stable sorts of one key each, not
    ids = list(nodes)  # by comparing tuples: ~4 ms of PD1998's re-build)
    names, counts = node_column(nodes, "name"), node_column(nodes, "mentions")
    degrees = list(map(deg.get, ids, repeat(0, len(ids))))
    rows: dict[str, list[int]] = {t: [] for t in ENTITY_TYPES}  # a type's entities, by index
    for i, typ in enumerate(node_column(nodes, "type")):
        of_type = rows.get(typ)
        if of_type is not None:
            of_type.append(i)
    line = "<li>{} <span class=\"n\">{} relations · {} mentions</span></li>".format
    linked = {i for i, n in enumerate(ids) if n in links} if links else set()
    for t in ENTITY_TYPES:
        ranked = rows[t]
        ranked.sort(key=names.__getitem__)  # by name, then as listed
        ranked.sort(key=degrees.__getitem__, reverse=True)  # most relations first (names' order kept within)
        out.append(f"<details{' open' if t == 'Person' else ''}><summary><b>{TYPE_ZH[t]} {t}</b> "
                   f"<span class=\"n\">({len(ranked):,})</span></summary><ul>")
        shown = _escaped_all(list(map(names.__getitem__, ranked)))
        for k in [k for k, i in enumerate(ranked) if i in linked] if linked else ():
            shown[k] = f"<a href=\"{links[ids[ranked[k]]]}\">{shown[k]}</a>"
        out += map(line, shown, map(degrees.__getitem__, ranked), map(counts.__getitem__, ranked))
        out.append("</ul></details>")
    out.append(f"<details><summary><b>文章 Articles</b> <span class=\"n\">({len(article_pages):,})</span></summary><ul>")
    aids = sorted(article_pages)
    arts = list(map(v.articles.__getitem__, aids))
    out += map("<li><a href=\"{}\">{}</a> <span class=\"n\">{} · {} entities</span></li>".format,
               map(article_pages.__getitem__, aids),
               _escaped_all([a["title"] or a["doc"] for a in arts]), _escaped_all([a["doc"] for a in arts]),
               map(size.__getitem__, aids) if size else [len(a["entities"]) for a in arts])
    out.append("</ul></details></body></html>\n")
    return "\n".join(out)


def _escaped_all(texts: list[str]) -> list[str]:
    """``_escape_html`` of each text: the list as it is where none of them needs it (looked for once, in C, in
    them all joined), else each escaped."""
    if _HTML_SPECIAL.search("\n".join(texts)) is None:
        return texts
    return list(map(_escape_html, texts))


PAGE = r"""<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
__HEAD__
<style>
body { margin: 0; font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "PingFang SC", sans-serif; display: flex; height: 100vh; }
#side { width: 330px; padding: 10px; overflow-y: auto; border-right: 1px solid #ddd; font-size: 14px; }
#net { flex: 1; height: 100vh; }
.legend span { display: inline-block; margin: 2px 6px 2px 0; cursor: pointer; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 3px; border-radius: 2px; }
.legend .off { opacity: 0.3; }
#note { color: #805; font-size: 12px; margin: 6px 0; }
#panel h3 { margin: 8px 0 4px; }
#panel .src { color: #555; font-size: 12px; margin: 4px 0; border-left: 3px solid #ccc; padding-left: 6px; }
input[type=search] { width: 100%; box-sizing: border-box; padding: 4px; }
</style>
</head>
<body>
<div id="side">
  <h2 id="heading"></h2>
  <div><a id="indexlink" href="#">索引 index</a></div>
  <div id="note"></div>
  <input id="search" type="search" placeholder="搜索名称 / search a name">
  <div id="hits"></div>
  <div class="legend" id="legend"></div>
  <label><input type="checkbox" id="physics"> 物理布局 physics</label>
  <div id="counts"></div>
  <div id="panel"></div>
</div>
<div id="net"></div>
__VISJS__
<script>
"use strict";
const DATA = __DATA__;
document.getElementById("heading").textContent = document.title;
document.getElementById("note").textContent = DATA.note;
document.getElementById("indexlink").href = DATA.index;
const nodes = new vis.DataSet(DATA.nodes);
const edges = new vis.DataSet(DATA.edges.map((e, i) => Object.assign({id: "e" + i}, e)));
const hidden = new Set();
const view = new vis.DataView(nodes, {filter: n => !hidden.has(n.type)});
const placed = DATA.nodes.length === 0 || "x" in DATA.nodes[0];  // else: settle here, then stop
const network = new vis.Network(document.getElementById("net"), {nodes: view, edges: edges}, {
  physics: {enabled: !placed, barnesHut: {gravitationalConstant: -4000}, stabilization: {iterations: 150}},
  edges: {smooth: false}, interaction: {hover: true, hideEdgesOnDrag: DATA.edges.length > 2000},
  layout: {improvedLayout: false, randomSeed: 7}
});
if (!placed) network.once("stabilizationIterationsDone", () => network.setOptions({physics: {enabled: false}}));
window.kgReady = false;
network.once("afterDrawing", () => { window.kgReady = true; window.kgDrawnAt = performance.now(); });
function text(tag, s, cls) { const el = document.createElement(tag); el.textContent = s; if (cls) el.className = cls; return el; }
const legend = document.getElementById("legend");
Object.entries(DATA.types).forEach(([t, info]) => {
  const span = document.createElement("span");
  const box = document.createElement("i"); box.style.background = info.color;
  span.appendChild(box); span.appendChild(document.createTextNode(info.zh + " " + t));
  span.onclick = () => { if (hidden.has(t)) { hidden.delete(t); span.classList.remove("off"); } else { hidden.add(t); span.classList.add("off"); } view.refresh(); };
  legend.appendChild(span);
});
document.getElementById("counts").textContent = DATA.nodes.length + " nodes, " + DATA.edges.length + " edges";
document.getElementById("physics").onchange = ev => network.setOptions({physics: {enabled: ev.target.checked}});
function show(id) {
  const d = DATA.details[id]; const panel = document.getElementById("panel"); panel.replaceChildren();
  if (!d) return;
  panel.appendChild(text("h3", d.name));
  panel.appendChild(text("div", DATA.types[d.type].zh + " · " + d.type + (d.code ? " · GB/T 2260 " + d.code : "") + " · " + (!DATA.local ? d.mentions + " mentions" : d.mentions ? d.mentions + " mentions in this article (本文提及)" : "in this article through a relation (本文经关系)")));
  if (d.aliases.length) panel.appendChild(text("div", "又名 aliases: " + d.aliases.join("、")));
  if (d.page) { const a = text("a", "关系网 ego view →"); a.href = d.page; panel.appendChild(a); }
  const ul = document.createElement("ul");
  d.facts.forEach(f => ul.appendChild(text("li", (f.dir === "out" ? "→ " : "← ") + f.rel + (f.title ? " " + f.title : "") + ": " + f.other)));
  panel.appendChild(ul);
  if (d.sources.length) panel.appendChild(text("h4", DATA.local ? "本文来源 sentences in this article" : "来源 sources"));
  d.sources.forEach(s => { const div = text("div", "", "src"); div.appendChild(text("b", s.article)); div.appendChild(document.createElement("br")); div.appendChild(document.createTextNode(s.sentence)); panel.appendChild(div); });
}
function highlight(id) {
  if (id === null) { nodes.update(DATA.nodes.map(n => ({id: n.id, opacity: 1}))); return; }
  const near = new Set(network.getConnectedNodes(id)); near.add(id);
  nodes.update(DATA.nodes.map(n => ({id: n.id, opacity: near.has(n.id) ? 1 : 0.2})));
}
network.on("click", params => {
  if (!params.nodes.length) { highlight(null); return; }
  show(params.nodes[0]); highlight(params.nodes[0]);
});
function select(id) { network.selectNodes([id]); network.focus(id, {scale: 1.2}); show(id); highlight(id); }
document.getElementById("search").oninput = ev => {
  const q = ev.target.value.trim(); const hits = document.getElementById("hits"); hits.replaceChildren();
  if (!q) return;
  Object.entries(DATA.details).filter(([id, d]) => d.name.includes(q) || d.aliases.some(a => a.includes(q))).slice(0, 20).forEach(([id, d]) => {
    const a = text("div", d.name + " (" + DATA.types[d.type].zh + ")", "hit"); a.style.cursor = "pointer";
    a.onclick = () => select(id);
    hits.appendChild(a);
  });
};
if (DATA.focus) network.once("afterDrawing", () => select(DATA.focus));
</script>
</body>
</html>
"""
