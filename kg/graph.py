"""Stage 5, graph: entities and relations → the in-memory model the exporters read.

Nodes are entity ids with their type, names, code, articles and mentions; edges carry the relation
kind, the title (for positions) and the articles they were read from. They are kept as plain
dictionaries and lists in the order a networkx ``MultiDiGraph`` built from them iterates; that graph
itself (``KnowledgeGraph.nx_graph``) is made only when asked for, for notebooks: the build does not
import networkx (0.17 s at every start) nor fill a graph it only iterates (0.07 s over PD1998).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING

from .records import Article, Entity, Mention, Relation

if TYPE_CHECKING:
    import networkx as nx

    from .kept import KeptResolution

# an entity's mentions in order: by article, offset and span (mentions of one span: by type and key), whatever
# order the articles and the keys merged into it came in
MENTION_ORDER = attrgetter("article", "start", "end", "type", "key")


@dataclass(frozen=True)
class Changed:
    """What a re-build served by the kept resolution changed since the build that kept it (token ``since``):
    the ``articles`` whose mentions may be read as other entities, or whose entities may differ in type, names,
    code or articles (``KeptResolution.changed_articles``); the ``entities`` made again or gone, whose nodes may
    differ; and the articles ``extracted`` (counted in anew), which only those entities name. Every other article
    reads what it read there, and every other entity's node is the one it had."""

    since: str
    articles: frozenset[str]
    entities: frozenset[str] = frozenset()
    # the articles added or edited since that build (their extractions counted in anew): every key they name was
    # decided again, so every entity that names one of them, by a mention or a fact, is among ``entities``
    # (``tests/test_kept.py`` checks it over every update it makes)
    extracted: frozenset[str] = frozenset()

    def among_made(self, article_ids) -> bool:
        """Whether only entities made again or gone (``entities``) can name these articles: all were extracted."""
        return self.extracted.issuperset(article_ids)

    def changed_subjects(self, token: str, then: list[tuple], now: list[tuple]) -> dict[str, list[tuple]] | None:
        """For an exporter that recorded what it made with the token of its build (``token``) and the relations
        as records whose first field is the subject, in the graph's order (``then``; ``now``, this build's): each
        subject whose records differ, with its records in either build. Every other subject has the same
        relations, in the same order. None where the record is of another build, or the subjects both builds
        have come in another order (never, in node order): nothing recorded is then known to be the same.
        The records a subject's come together (the graph's edges are by subject), so only those between the
        longest run the two lists open with and the longest they end with, each cut back to whole subjects, are
        compared subject by subject: a re-build changes a few subjects' relations of thousands (PD1998: 4,780
        records grouped by subject in each of the two exporting processes, ~5 ms of each)."""
        if token != self.since:
            return None
        if then == now:
            return {}
        head = _common_run(then, now)
        tail = _common_run(then[head:][::-1], now[head:][::-1])
        head = _whole_subjects(then, now, head)
        tail = _whole_subjects(then[::-1], now[::-1], tail)
        return subjects_changed(then[head : len(then) - tail], now[head : len(now) - tail])

    def articles_to_key(self, token: str, then: list[tuple], now: list[tuple], articles_of) -> set[str] | None:
        """The articles whose keys may differ from those an exporter recorded (``changed_subjects``' arguments),
        by what they read or by their share of the relations: the ``articles`` and, for each subject whose
        records differ, the articles (``articles_of(record)``) of its records in either build. An article's share
        (the records naming it, in order) is otherwise the same. None where ``changed_subjects`` is."""
        changed = self.changed_subjects(token, then, now)
        return None if changed is None else self.articles_of(changed, articles_of)

    def articles_of(self, changed: dict[str, list[tuple]], articles_of) -> set[str]:
        """The ``articles`` and those (``articles_of(record)``) of the records of the subjects ``changed``."""
        to_key = set(self.articles)
        for records in changed.values():
            for r in records:
                to_key.update(articles_of(r))
        return to_key


def subjects_changed(then: list[tuple], now: list[tuple]) -> dict[str, list[tuple]] | None:
    """Each subject whose records (records whose first field is the subject) differ between ``then`` and ``now``,
    with its records in either; None where the subjects both have come in another order. Every record grouped by
    subject (``Changed.changed_subjects`` hands it only those between the runs the two lists share)."""
    by_old: dict[str, list[tuple]] = {}
    by_new: dict[str, list[tuple]] = {}
    for r in then:
        by_old.setdefault(r[0], []).append(r)
    for r in now:
        by_new.setdefault(r[0], []).append(r)
    both = by_old.keys() & by_new.keys()
    if [s for s in by_old if s in both] != [s for s in by_new if s in both]:
        return None
    out = {}
    for s in by_old.keys() | by_new.keys():
        was, new = by_old.get(s, []), by_new.get(s, [])
        if was != new:
            out[s] = was + new
    return out


def _common_run(a: list, b: list) -> int:
    """How many items ``a`` and ``b`` open with alike: found by halving, each step a comparison of two slices (in C)
    of the part not yet known alike."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _whole_subjects(a: list, b: list, k: int) -> int:
    """``k`` (records ``a`` and ``b`` open with alike) cut back until the next record of each is another subject's
    (records whose first field is the subject, a subject's together): the records kept are whole subjects'."""
    while k > 0 and ((k < len(a) and a[k][0] == a[k - 1][0]) or (k < len(b) and b[k][0] == b[k - 1][0])):
        k -= 1
    return k


class Reads:
    """``KnowledgeGraph.mentions_by_article`` as an exporter wants it: for the articles it names to ``want``, in one
    pass over the nodes that name them (``mentions_in``), and for all at once the first time it asks for another
    (where the graph has them all made already, from those)."""

    def __init__(self, kg: "KnowledgeGraph"):
        self._kg = kg
        self._got: dict[str, tuple[list[str], list[Mention]]] = {}
        self._wanted: set[str] = set()
        self._all: dict | None = None

    def want(self, article_ids) -> None:
        fresh = set(article_ids) - self._wanted
        if fresh and self._all is None:
            self._got.update(self._kg.mentions_in(fresh))
            self._wanted |= fresh

    def took(self, got: dict[str, tuple[list[str], list[Mention]]], article_ids) -> None:
        """What ``want`` would find for ``article_ids``, found by a caller's own pass over the nodes (``got``: as
        ``mentions_in`` gives it)."""
        if self._all is None:
            self._got.update(got)
            self._wanted.update(article_ids)

    def get(self, article_id: str, default=None):
        if article_id in self._wanted:
            return self._got.get(article_id, default)
        if self._all is None:
            self._all = self._kg.mentions_by_article()
        return self._all.get(article_id, default)


@dataclass
class KnowledgeGraph:
    """The built graph plus the articles it was read from; ``to_rdf``/``to_networkx`` for notebooks.

    ``nodes``: entity id → its attributes, in id order (a dict; a re-build's, ``GraphNodes``). ``edges``: (subject, object, key, attributes), one
    per relation, in the order ``networkx.MultiDiGraph.edges`` gives them: by subject in id order, then by
    object in the order the subject was first related to it, then by key."""

    nodes: Mapping[str, dict]
    edges: list[tuple[str, str, str, dict]]
    articles: list[Article]
    province: str = ""
    base: str = ""
    stats: dict = field(default_factory=dict)
    # article id → its extraction's key in the build cache (``Extraction.key``), where a cache was used: the
    # exporters key an unchanged article's Turtle and page by it instead of hashing its mentions again
    digests: dict[str, str] = field(default_factory=dict)
    # source file name → a hash of its text (``read.text_hash``), where the build cache kept it: keys the
    # pages of its articles
    text_hashes: dict[str, str] = field(default_factory=dict)
    _by_article: tuple | None = field(default=None, init=False, repr=False, compare=False)  # (nodes, its result)
    # the resolution to keep in the build cache for the next build (``kg/kept.py``), where a cache was used:
    # ``export.outputs`` writes it beside the pages
    resolution: "KeptResolution | None" = field(default=None, repr=False, compare=False)
    # this build's token (``KeptResolution.token``), where a cache was used, and what changed since the build of
    # token ``changed.since``, where the kept resolution served: an exporter that records the token with what it
    # made keeps what it made of the articles not changed (``export.html.site``'s article page keys)
    token: str = ""
    changed: "Changed | None" = None

    @property
    def nx_graph(self) -> "nx.MultiDiGraph":
        """The graph as a networkx MultiDiGraph, made on each call; assign an edited one back to use it."""
        import networkx as nx

        g = nx.MultiDiGraph()
        g.add_nodes_from(self.nodes.items())
        for s, o, k, d in self.edges:
            g.add_edge(s, o, key=k, **d)
        return g

    @nx_graph.setter
    def nx_graph(self, g: "nx.MultiDiGraph") -> None:
        """Take a graph edited in networkx as the model (nodes with the attributes ``build_graph`` gives)."""
        self.nodes = dict(g.nodes(data=True))
        self.edges = list(g.edges(keys=True, data=True))

    def to_networkx(self) -> "nx.MultiDiGraph":
        return self.nx_graph

    def to_rdf(self):
        from .export.rdf import to_rdf

        return to_rdf(self)

    def entities(self, type: str | None = None) -> list[tuple[str, dict]]:
        return [(n, d) for n, d in self.nodes.items() if type is None or d["type"] == type]

    def relations(self, kind: str | None = None) -> list[tuple[str, str, dict]]:
        return [(s, o, d) for s, o, _, d in self.edges if kind is None or d["kind"] == kind]

    def mentions_by_article(self) -> dict[str, tuple[list[str], list[Mention]]]:
        """Article id → (the entity id of each mention read in it, those mentions), by entity in node order,
        then in each entity's order: one pass over the mentions, after which an exporter handles an article's
        mentions as whole lists (C-level maps) instead of each mention of each entity in Python.
        Made once for the nodes as they are (assigning ``nx_graph`` replaces them, and it is made again):
        the pages and the RDF writer both read it, and ``outputs`` makes it before the RDF writer is
        forked, which then inherits it. Walked in both processes after the fork, every mention's page was
        copied in both: twelve times PD1998's re-build took ~1 s longer."""
        if self._by_article is not None and self._by_article[0] is self.nodes:
            return self._by_article[1]
        out: dict[str, tuple[list[str], list[Mention]]] = {}
        get = out.get
        for n, d in self.nodes.items():
            for m in d["mentions"]:
                got = get(m.article)
                if got is None:
                    got = out[m.article] = ([], [])
                got[0].append(n)
                got[1].append(m)
        self._by_article = (self.nodes, out)
        return out

    def counts(self) -> dict[str, dict[str, int]]:
        """How many entities of each type and relations of each kind, for the report (counted in C: a generator
        over PD1998's 15,000 nodes took ~4 ms more)."""
        return {"entities": dict(Counter(map(itemgetter("type"), self.nodes.values()))),
                "relations": self.relation_kinds()}

    def relation_kinds(self) -> dict[str, int]:
        """How many relations of each kind."""
        return dict(Counter(e["kind"] for _, _, _, e in self.edges))

    def mentions_in(self, article_ids: set[str]) -> dict[str, tuple[list[str], list[Mention]]]:
        """``mentions_by_article`` for the articles ``article_ids`` only (those reading nothing left out): one pass
        over the nodes that name one of them, not over every mention. A re-build's writers read the few articles
        they state or draw again (twelve times PD1998: ~0.01 s, against 0.4 s for the 640 k mentions of all)."""
        if self._by_article is not None and self._by_article[0] is self.nodes:
            every = self._by_article[1]
            return {aid: every[aid] for aid in article_ids if aid in every}
        out: dict[str, tuple[list[str], list[Mention]]] = {}
        disjoint = article_ids.isdisjoint
        nodes = self.nodes
        for n in self.naming(article_ids):
            d = nodes[n]
            if disjoint(d["articles"]):  # (an entity's articles hold those of all its mentions)
                continue
            mentions_into(out, n, d["mentions"], article_ids)
        return out

    def naming(self, article_ids):
        """The entity ids, in node order, among which are all those that name one of ``article_ids``: where a
        re-build extracted them all (``Changed.among_made``), those made again (a re-build's writers look for the
        new article's mentions among the 10 entities made again, not through PD1998's 15 k: ~9 ms of each),
        else every one."""
        if self.changed is not None and self.changed.among_made(article_ids):
            return list(filter(self.changed.entities.__contains__, self.nodes))
        return self.nodes


def mentions_into(out: dict[str, tuple[list[str], list[Mention]]], n: str, mentions, article_ids) -> None:
    """Entity ``n``'s ``mentions`` in the articles ``article_ids`` (a set, or a dict by article), added to ``out``:
    article → (the entity of each mention, the mentions), as ``KnowledgeGraph.mentions_in`` gives them."""
    for m in mentions:
        if m.article in article_ids:
            got = out.get(m.article)
            if got is None:
                got = out[m.article] = ([], [])
            got[0].append(n)
            got[1].append(m)


def build_graph(entities: dict[str, Entity], relations: list[Relation], articles: list[Article],
                province: str = "", base: str = "", digests: dict[str, str] | None = None,
                text_hashes: dict[str, str] | None = None, kept: Mapping[str, dict] | None = None) -> KnowledgeGraph:
    """The graph of ``entities`` and ``relations``. ``kept``: entity id → its node as an earlier build made
    it, for entities a re-build found unchanged (``kg/kept.py``: ``KeptNodes``), taken as they are, each when first
    looked up (``GraphNodes``)."""
    if kept:
        nodes: Mapping[str, dict] = GraphNodes(sorted(chain(kept, entities)),  # (one id twice: once, ``GraphNodes``)
                                               {eid: entity_node(e) for eid, e in entities.items()}, kept)
    else:
        nodes = {eid: entity_node(entities[eid]) for eid in sorted(entities)}
    return KnowledgeGraph(nodes=nodes, edges=_multigraph_order(nodes, relations), articles=articles,
                          province=province, base=base, digests=digests or {}, text_hashes=text_hashes or {})


_ABSENT = object()


class GraphNodes(MutableMapping):
    """A re-build's nodes (``build_graph`` given ``kept``), in id order: those of the entities made, as dicts, and the
    kept ones, each taken from ``kept`` (``kept.KeptNodes``) when first looked up. ``column`` gives one field of every
    node without taking the kept ones' dicts, where ``kept`` gives columns: the pages' index and ranking read every
    node's name, type and mentions, and a re-build makes the dicts of the few hundred entities its writers draw or make
    again, not of PD1998's 15 k."""

    __slots__ = ("_nodes", "_set", "_kept", "_places")

    def __init__(self, order: list[str], made: dict[str, dict], kept: Mapping[str, dict]):
        self._nodes: dict[str, dict | None] = dict.fromkeys(order)  # id → its node; None for a kept one not taken yet
        self._nodes.update(made)
        self._set = dict(made)  # the nodes given here (made, or set since), rather than taken from ``kept``
        self._kept = kept
        self._places: list[int] | None = None  # (``column``'s: each node's place among kept's, then the set ones)

    def __getitem__(self, eid: str) -> dict:
        node = self._nodes[eid]
        if node is None:
            node = self._nodes[eid] = self._kept[eid]
        return node

    def get(self, eid, default=None):
        node = self._nodes.get(eid, _ABSENT)
        if node is None:
            node = self._nodes[eid] = self._kept[eid]
        return default if node is _ABSENT else node

    def __setitem__(self, eid: str, node: dict) -> None:
        self._nodes[eid] = self._set[eid] = node
        self._places = None

    def __delitem__(self, eid: str) -> None:
        del self._nodes[eid]
        self._set.pop(eid, None)
        self._places = None

    def __contains__(self, eid) -> bool:
        return eid in self._nodes

    def __iter__(self):
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)

    def column(self, name: str) -> list:
        """Every node's ``name`` ("mentions": how many it has), in order: the kept ones' off ``kept``'s ``column``
        where it has one (its nodes taken here are its own dicts: it reads them where made), the others' off
        their dicts; all looked up in C."""
        kept = self._kept
        column = getattr(kept, "column", None)
        values = column(name) if column is not None else list(node_values(kept.values(), name))
        if self._places is None:  # (made once: the kept ones' places, then the set ones', in the nodes' order)
            place = dict(zip(kept, range(len(values))))
            place.update(zip(self._set, range(len(values), len(values) + len(self._set))))
            self._places = list(map(place.__getitem__, self._nodes))
        values += node_values(self._set.values(), name)
        return list(map(values.__getitem__, self._places))


def node_values(nodes, name: str):
    """Each of ``nodes``' ``name``, in C; for "mentions", how many it has (what a column of the nodes holds)."""
    return map(len, map(itemgetter("mentions"), nodes)) if name == "mentions" else map(itemgetter(name), nodes)


def entity_node(e: Entity) -> dict:
    """An entity's attributes as the graph holds them: names, code, articles and mentions in order."""
    return {"type": e.type, "name": e.name, "aliases": sorted(e.aliases - {e.name}), "code": e.code,
            "articles": sorted(e.articles), "mentions": sorted(e.mentions, key=MENTION_ORDER)}


def _multigraph_order(nodes: dict[str, dict], relations: list[Relation]) -> list[tuple[str, str, str, dict]]:
    """The relations as edges in networkx's MultiDiGraph order (the order every exporter has always read
    them in, so the outputs stay byte for byte what they were): a subject's objects in the order the
    relations first pair them, each pair's keys in order, subjects in node order. Two relations with one
    subject, object and key are one edge with the later one's attributes, as ``add_edge`` makes them."""
    pairs: dict[str, dict[str, dict[str, dict]]] = {}
    for r in relations:
        pairs.setdefault(r.subject, {}).setdefault(r.object, {})[f"{r.kind}:{r.title}"] = {
            "kind": r.kind, "title": r.title, "articles": sorted(r.articles), "sentences": sorted(r.sentences),
            "inferred": r.inferred}
    rank = dict(zip(nodes, range(len(nodes))))  # (made in C: a comprehension took ~5 ms of PD1998's re-build)
    for r in relations:  # (resolve relates only its entities; networkx would add an unknown end as a bare node)
        for n in (r.subject, r.object):
            if n not in rank:
                rank[n] = len(rank)
                nodes[n] = {}
    return [(s, o, k, d) for s in sorted(pairs, key=rank.__getitem__) for o, keyed in pairs[s].items()
            for k, d in keyed.items()]
