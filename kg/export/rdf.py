"""The graph as RDF: W3C ORG memberships, schema.org places and articles, PROV provenance, SKOS names,
NIF 2.1 spans for every mention and every sentence a fact was read from.

One function, ``quads``, says what the graph holds; the serialisers only choose a syntax. Quads are
pyoxigraph terms, which serialise Turtle, TriG, N-Triples and N-Quads about 20× faster than rdflib's
default store (``benchmarks/rdf_speed.py``); ``to_rdf`` still hands notebook users an rdflib Graph.

The default graph holds the merged entities, relations and articles. Each article's named graph
(its article IRI) holds what was read in it: its sentences, its mentions and the evidence linking
each fact to its sentence. Turtle and N-Triples are the union of both.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pyoxigraph as ox

from ..records import LOCATED_IN, PART_OF, POSITION, PROMOTED_BY
from ..vocab import DEFAULT_BASE, ITSRDF, KGO, NIF, ORG, PROV, RDF, RDFS, SDO, SKOS, XSD, mint_str

TYPE_CLASS = {"Person": KGO.Person, "Organization": KGO.Organization, "Region": KGO.Region,
              "Project": KGO.Project, "Initiative": KGO.Initiative}
PREDICATE = {LOCATED_IN: KGO.locatedIn, PART_OF: SDO.containedInPlace, PROMOTED_BY: KGO.promotedBy}
PREFIXES = {"kgo": str(KGO._NS), "org": str(ORG), "schema": str(SDO), "prov": str(PROV), "skos": str(SKOS),
            "nif": str(NIF), "itsrdf": str(ITSRDF), "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD)}
FORMATS = {  # name → (file name, pyoxigraph format or None for writers of our own, holds named graphs)
    "turtle": ("graph.ttl", ox.RdfFormat.TURTLE, False),
    "trig": ("graph.trig", ox.RdfFormat.TRIG, True),
    "ntriples": ("graph.nt", ox.RdfFormat.N_TRIPLES, False),
    "nquads": ("graph.nq", ox.RdfFormat.N_QUADS, True),
    "jsonld": ("graph.jsonld", None, False),
}


def article_iri(base: str, article_id: str) -> str:
    return mint_str(base, "article", article_id.replace("#", "-"))


def sentence_iri(base: str, article_id: str, index: int) -> str:
    return mint_str(base, "sentence", f"{article_id.replace('#', '-')}-{index}")


def entity_iri(base: str, eid: str) -> str:
    kind, _, name = eid.partition("/")
    return mint_str(base, kind, name)


def _hash(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:16]


class _Terms:
    """Term constructors with caches: the same IRI or number is built once per export."""

    def __init__(self):
        self._iris: dict[str, ox.NamedNode] = {}
        self._ints: dict[int, ox.Literal] = {}
        self.int_type = ox.NamedNode(str(XSD.integer))
        self.nonneg = ox.NamedNode(str(XSD.nonNegativeInteger))

    def iri(self, value) -> ox.NamedNode:
        value = str(value)
        node = self._iris.get(value)
        if node is None:
            node = self._iris[value] = ox.NamedNode(value)
        return node

    def integer(self, n: int) -> ox.Literal:
        lit = self._ints.get(n)
        if lit is None:
            lit = self._ints[n] = ox.Literal(str(n), datatype=self.nonneg if n >= 0 else self.int_type)
        return lit


def _zh(text: str) -> ox.Literal:
    return ox.Literal(text, language="zh")


def quads(kg, base: str | None = None) -> list[ox.Quad]:
    """Every statement of the graph, sorted, so the same input always gives the same bytes."""
    base = base or kg.base or DEFAULT_BASE
    unique = dict.fromkeys(_quads(kg, base))  # generation order is deterministic; keep it within a subject
    return sorted(unique, key=_graph_subject)


def _graph_subject(q: ox.Quad) -> tuple[str, str]:
    g = q.graph_name
    return ("" if isinstance(g, ox.DefaultGraph) else g.value, q.subject.value)


def _quads(kg, base: str) -> Iterator[ox.Quad]:
    t = _Terms()
    iri, integer = t.iri, t.integer
    a_type, label = iri(RDF.type), iri(RDFS.label)
    default = ox.DefaultGraph()
    derived, evidence = iri(PROV.wasDerivedFrom), iri(KGO.evidence)
    begin, end, anchor, ref = iri(NIF.beginIndex), iri(NIF.endIndex), iri(NIF.anchorOf), iri(NIF.referenceContext)
    articles = {a.id: a for a in kg.articles}
    contexts = {}

    # sources and articles
    for art in kg.articles:
        if art.doc not in contexts:
            ctx = contexts[art.doc] = iri(mint_str(base, "source", art.doc))
            yield ox.Quad(ctx, a_type, iri(NIF.Context), default)
            yield ox.Quad(ctx, iri(NIF.isString), ox.Literal(art.source_text), default)
            yield ox.Quad(ctx, begin, integer(0), default)
            yield ox.Quad(ctx, end, integer(len(art.source_text)), default)
            yield ox.Quad(ctx, iri(KGO.sourceFile), ox.Literal(art.doc), default)
        a = iri(article_iri(base, art.id))
        yield ox.Quad(a, a_type, iri(SDO.NewsArticle), default)
        if art.title:
            yield ox.Quad(a, iri(SDO.headline), _zh(art.title), default)
        if art.byline:
            yield ox.Quad(a, iri(SDO.author), _zh(art.byline), default)
        if art.date and art.date_inferred:
            yield ox.Quad(a, iri(KGO.inferredYear), ox.Literal(art.date, datatype=iri(XSD.gYear)), default)
        elif art.date:
            yield ox.Quad(a, iri(SDO.datePublished), ox.Literal(art.date, datatype=iri(XSD.date)), default)
        yield ox.Quad(a, iri(KGO.sourceFile), ox.Literal(art.doc), default)
        yield ox.Quad(a, iri(KGO.startOffset), integer(art.start), default)
        yield ox.Quad(a, iri(KGO.endOffset), integer(art.end), default)
        yield ox.Quad(a, ref, contexts[art.doc], default)

    emitted_sentences: set[tuple[str, int]] = set()

    def sentence(article_id: str, index: int) -> Iterator[ox.Quad]:
        """The sentence node, in its article's graph, the first time a mention or fact needs it."""
        art = articles.get(article_id)
        if art is None or not 0 <= index < len(art.sentences):
            return
        s = iri(sentence_iri(base, article_id, index))
        if (article_id, index) in emitted_sentences:
            return
        emitted_sentences.add((article_id, index))
        g = iri(article_iri(base, article_id))
        span = art.sentences[index]
        yield ox.Quad(s, a_type, iri(NIF.Sentence), g)
        yield ox.Quad(s, begin, integer(span.start), g)
        yield ox.Quad(s, end, integer(span.end), g)
        yield ox.Quad(s, anchor, ox.Literal(art.source_text[span.start : span.end]), g)
        yield ox.Quad(s, ref, contexts[art.doc], g)
        yield ox.Quad(s, iri(SDO.isPartOf), g, g)

    # entities and their mentions
    nxg = kg.nx_graph
    for eid, d in nxg.nodes(data=True):
        e = iri(entity_iri(base, eid))
        yield ox.Quad(e, a_type, iri(TYPE_CLASS[d["type"]]), default)
        yield ox.Quad(e, label, _zh(d["name"]), default)
        for alias in d["aliases"]:
            yield ox.Quad(e, iri(SKOS.altLabel), _zh(alias), default)
        if d["code"] and d["code"].isdigit():
            yield ox.Quad(e, iri(SKOS.notation), ox.Literal(d["code"]), default)
        for art in d["articles"]:
            yield ox.Quad(e, derived, iri(article_iri(base, art)), default)
        yield ox.Quad(e, iri(KGO.mentionCount), integer(len(d["mentions"])), default)
        for m in d["mentions"]:
            art = articles.get(m.article)
            if art is None:
                continue
            g = iri(article_iri(base, m.article))
            mi = iri(mint_str(base, "mention", f"{m.article.replace('#', '-')}-{m.start}-{m.end}"))
            yield ox.Quad(mi, a_type, iri(KGO.Mention), g)
            yield ox.Quad(mi, a_type, iri(NIF.Phrase), g)
            yield ox.Quad(mi, begin, integer(m.start), g)
            yield ox.Quad(mi, end, integer(m.end), g)
            yield ox.Quad(mi, anchor, ox.Literal(m.text), g)
            yield ox.Quad(mi, ref, contexts[art.doc], g)
            yield ox.Quad(mi, iri(ITSRDF.taIdentRef), e, g)
            yield ox.Quad(mi, iri(KGO.mentionedIn), g, g)
            if 0 <= m.sentence < len(art.sentences):
                yield from sentence(m.article, m.sentence)
                yield ox.Quad(mi, iri(NIF.sentence), iri(sentence_iri(base, m.article, m.sentence)), g)

    # relations: memberships are nodes already; other facts get an rdf:Statement to hang evidence on
    for s, o, d in nxg.edges(data=True):
        si, oi = iri(entity_iri(base, s)), iri(entity_iri(base, o))
        kind = d["kind"]
        if kind == POSITION:
            fact = iri(mint_str(base, "membership", _hash(s, o, d["title"])))
            role = iri(mint_str(base, "role", d["title"]))
            yield ox.Quad(fact, a_type, iri(ORG.Membership), default)
            yield ox.Quad(fact, iri(ORG.member), si, default)
            yield ox.Quad(fact, iri(ORG.organization), oi, default)
            yield ox.Quad(fact, iri(ORG.role), role, default)
            yield ox.Quad(role, a_type, iri(ORG.Role), default)
            yield ox.Quad(role, label, _zh(d["title"]), default)
        else:
            p = iri(PREDICATE[kind])
            yield ox.Quad(si, p, oi, default)
            fact = iri(mint_str(base, "statement", _hash(s, str(p.value), o)))
            yield ox.Quad(fact, a_type, iri(RDF.Statement), default)
            yield ox.Quad(fact, iri(RDF.subject), si, default)
            yield ox.Quad(fact, iri(RDF.predicate), p, default)
            yield ox.Quad(fact, iri(RDF.object), oi, default)
        if d["inferred"]:
            yield ox.Quad(fact, iri(KGO.inferredFromGazetteer), ox.Literal("true", datatype=iri(XSD.boolean)), default)
        for art in d["articles"]:
            yield ox.Quad(fact, derived, iri(article_iri(base, art)), default)
        for art, idx in d["sentences"]:
            if art in articles and 0 <= idx < len(articles[art].sentences):
                yield from sentence(art, idx)
                yield ox.Quad(fact, evidence, iri(sentence_iri(base, art, idx)), iri(article_iri(base, art)))


IRI_KINDS = ("article", "sentence", "mention", "source", "membership", "statement", "role",
             "person", "organization", "region", "project", "initiative")


def prefixes(kg, base: str | None = None) -> dict[str, str]:
    """Our vocabularies plus one prefix per kind of minted IRI (person:张三, article:000_…-0)."""
    base = base or kg.base or DEFAULT_BASE
    return {**PREFIXES, "kg": base, **{kind: base + kind + "/" for kind in IRI_KINDS}}


def serialize(kg, fmt: str = "turtle", base: str | None = None, qs: list[ox.Quad] | None = None) -> bytes:
    """The graph in one of FORMATS, as bytes."""
    if fmt == "jsonld":
        return to_jsonld(kg, base, qs)
    if fmt not in FORMATS:
        raise ValueError(f"unknown RDF format {fmt!r}; one of {', '.join(FORMATS)}")
    _, ox_format, named = FORMATS[fmt]
    qs = quads(kg, base) if qs is None else qs
    if named:
        items = qs
    else:  # the union of all graphs, each triple once, grouped by subject
        items = list(dict.fromkeys(q.triple for q in sorted(qs, key=lambda q: q.subject.value)))
    pre = prefixes(kg, base) if ox_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    return ox.serialize(items, format=ox_format, prefixes=pre)


def jsonld_context(kg, base: str | None = None) -> dict:
    """The JSON-LD @context: our prefixes, so compacted keys read as kgo:locatedIn, rdfs:label …"""
    return {"@context": prefixes(kg, base)}


def to_jsonld(kg, base: str | None = None, qs: list[ox.Quad] | None = None) -> bytes:
    """JSON-LD, one node object per subject in sorted order, keys compacted with ``jsonld_context``
    (also written as context.jsonld). Our own writer: rdflib's orders nodes by hash, not reproducibly."""
    import json

    pre = prefixes(kg, base)
    by_ns = sorted(pre.items(), key=lambda kv: -len(kv[1]))

    def compact(iri: str) -> str:
        for name, ns in by_ns:
            if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
                return f"{name}:{iri[len(ns):]}"
        return iri

    nodes: dict[str, dict] = {}
    qs = quads(kg, base) if qs is None else qs
    for tr in dict.fromkeys(q.triple for q in sorted(qs, key=lambda q: q.subject.value)):
        node = nodes.setdefault(tr.subject.value, {"@id": compact(tr.subject.value)})
        o = tr.object
        if tr.predicate.value == str(RDF.type):
            node.setdefault("@type", []).append(compact(o.value))
            continue
        if isinstance(o, ox.NamedNode):
            value = {"@id": compact(o.value)}
        elif o.language:
            value = {"@value": o.value, "@language": o.language}
        elif o.datatype.value == str(XSD.string):
            value = o.value
        else:
            value = {"@value": o.value, "@type": compact(o.datatype.value)}
        node.setdefault(compact(tr.predicate.value), []).append(value)
    doc = {"@context": pre, "@graph": list(nodes.values())}
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def _to_rdflib(term):
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    dt = term.datatype.value
    return Literal(term.value, datatype=None if dt == str(XSD.string) else URIRef(dt))


def to_rdf(kg, base: str | None = None, qs: list[ox.Quad] | None = None):
    """An rdflib Graph (the union of all graphs) with our prefixes bound, for notebook users."""
    from rdflib import Graph

    g = Graph()
    for name, ns in prefixes(kg, base).items():
        g.bind(name, ns)
    qs = quads(kg, base) if qs is None else qs
    g.addN((_to_rdflib(q.subject), _to_rdflib(q.predicate), _to_rdflib(q.object), g) for q in qs)
    return g


def to_turtle(kg, base: str | None = None) -> str:
    return serialize(kg, "turtle", base).decode("utf-8")
