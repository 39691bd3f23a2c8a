"""The graph as RDF: W3C ORG memberships, schema.org places and articles, PROV provenance, SKOS names.

Vocabulary terms come from rdflib's namespaces and ``kg.vocab.KGO``, never from strings.
"""
from __future__ import annotations

import hashlib

from rdflib import BNode, Graph, Literal, URIRef

from ..records import LOCATED_IN, PART_OF, POSITION, PROMOTED_BY
from ..vocab import DEFAULT_BASE, KGO, NIF, ORG, PROV, RDF, RDFS, SDO, SKOS, XSD, mint

TYPE_CLASS = {"Person": KGO.Person, "Organization": KGO.Organization, "Region": KGO.Region,
              "Project": KGO.Project, "Initiative": KGO.Initiative}


def article_iri(base: str, article_id: str) -> URIRef:
    return mint(base, "article", article_id.replace("#", "-"))


def entity_iri(base: str, eid: str) -> URIRef:
    kind, _, name = eid.partition("/")
    return mint(base, kind, name)


def to_rdf(kg, base: str | None = None) -> Graph:
    base = base or kg.base or DEFAULT_BASE
    g = Graph()
    g.bind("kgo", KGO._NS)
    g.bind("org", ORG)
    g.bind("schema", SDO)
    g.bind("prov", PROV)
    g.bind("skos", SKOS)
    g.bind("nif", NIF)
    g.bind("kg", base)
    zh = "zh"
    for art in kg.articles:
        a = article_iri(base, art.id)
        g.add((a, RDF.type, SDO.NewsArticle))
        if art.title:
            g.add((a, SDO.headline, Literal(art.title, lang=zh)))
        if art.byline:
            g.add((a, SDO.author, Literal(art.byline, lang=zh)))
        g.add((a, KGO.sourceFile, Literal(art.doc)))
        g.add((a, KGO.startOffset, Literal(art.start, datatype=XSD.integer)))
        g.add((a, KGO.endOffset, Literal(art.end, datatype=XSD.integer)))
    nxg = kg.nx_graph
    for eid, d in nxg.nodes(data=True):
        e = entity_iri(base, eid)
        g.add((e, RDF.type, TYPE_CLASS[d["type"]]))
        g.add((e, RDFS.label, Literal(d["name"], lang=zh)))
        for alias in d["aliases"]:
            g.add((e, SKOS.altLabel, Literal(alias, lang=zh)))
        if d["code"] and d["code"].isdigit():
            g.add((e, SKOS.notation, Literal(d["code"])))
        for art in d["articles"]:
            g.add((e, PROV.wasDerivedFrom, article_iri(base, art)))
        g.add((e, KGO.mentionCount, Literal(len(d["mentions"]), datatype=XSD.integer)))
    for s, o, d in nxg.edges(data=True):
        si, oi = entity_iri(base, s), entity_iri(base, o)
        kind = d["kind"]
        if kind == POSITION:
            h = hashlib.sha1(f"{s}|{o}|{d['title']}".encode()).hexdigest()[:16]
            m = mint(base, "membership", h)
            role = mint(base, "role", d["title"])
            g.add((m, RDF.type, ORG.Membership))
            g.add((m, ORG.member, si))
            g.add((m, ORG.organization, oi))
            g.add((m, ORG.role, role))
            g.add((role, RDF.type, ORG.Role))
            g.add((role, RDFS.label, Literal(d["title"], lang=zh)))
            for art in d["articles"]:
                g.add((m, PROV.wasDerivedFrom, article_iri(base, art)))
        elif kind == LOCATED_IN:
            g.add((si, KGO.locatedIn, oi))
        elif kind == PART_OF:
            g.add((si, SDO.containedInPlace, oi))
        elif kind == PROMOTED_BY:
            g.add((si, KGO.promotedBy, oi))
    return g


def to_turtle(kg, base: str | None = None) -> str:
    return to_rdf(kg, base).serialize(format="turtle")
