"""Stage 5, graph: entities and relations → one networkx MultiDiGraph, the in-memory model.

Nodes are entity ids with their type, names, code, articles and mentions; edges carry the relation
kind, the title (for positions) and the articles they were read from. Exporters only read it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter

import networkx as nx

from .records import Article, Entity, Mention, Relation

ARTICLE_START = attrgetter("article", "start")


@dataclass
class KnowledgeGraph:
    """The built graph plus the articles it was read from; ``to_rdf``/``to_networkx`` for notebooks."""

    nx_graph: nx.MultiDiGraph
    articles: list[Article]
    province: str = ""
    base: str = ""
    stats: dict = field(default_factory=dict)
    # article id → its extraction's key in the build cache (``Extraction.key``), where a cache was used: the
    # exporters key an unchanged article's Turtle and page by it instead of hashing its mentions again
    digests: dict[str, str] = field(default_factory=dict)

    def to_networkx(self) -> nx.MultiDiGraph:
        return self.nx_graph

    def to_rdf(self):
        from .export.rdf import to_rdf

        return to_rdf(self)

    def entities(self, type: str | None = None) -> list[tuple[str, dict]]:
        return [(n, d) for n, d in self.nx_graph.nodes(data=True) if type is None or d["type"] == type]

    def relations(self, kind: str | None = None) -> list[tuple[str, str, dict]]:
        return [(s, o, d) for s, o, d in self.nx_graph.edges(data=True) if kind is None or d["kind"] == kind]

    def mentions_by_article(self) -> dict[str, tuple[list[str], list[Mention]]]:
        """Article id → (the entity id of each mention read in it, those mentions), by entity in node order,
        then in each entity's order: one pass over the mentions, after which an exporter handles an article's
        mentions as whole lists (C-level maps) instead of each mention of each entity in Python."""
        out: dict[str, tuple[list[str], list[Mention]]] = {}
        get = out.get
        for n, mentions in self.nx_graph.nodes(data="mentions"):
            for m in mentions:
                got = get(m.article)
                if got is None:
                    got = out[m.article] = ([], [])
                got[0].append(n)
                got[1].append(m)
        return out


def build_graph(entities: dict[str, Entity], relations: list[Relation], articles: list[Article],
                province: str = "", base: str = "", digests: dict[str, str] | None = None) -> KnowledgeGraph:
    g = nx.MultiDiGraph()
    for eid in sorted(entities):
        e = entities[eid]
        g.add_node(eid, type=e.type, name=e.name, aliases=sorted(e.aliases - {e.name}), code=e.code,
                   articles=sorted(e.articles), mentions=sorted(e.mentions, key=ARTICLE_START))
    for r in relations:
        g.add_edge(r.subject, r.object, key=f"{r.kind}:{r.title}", kind=r.kind, title=r.title,
                   articles=sorted(r.articles), sentences=sorted(r.sentences), inferred=r.inferred)
    return KnowledgeGraph(nx_graph=g, articles=articles, province=province, base=base, digests=digests or {})
