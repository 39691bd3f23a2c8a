"""The graph as RDF: W3C ORG memberships, schema.org places and articles, PROV provenance, SKOS names,
NIF 2.1 spans for every mention and every sentence a fact was read from.

One function, ``statements``, says what the graph holds; the writers only choose a syntax. Statements
are tuples of N-Triples term strings, written as Turtle, TriG, N-Triples and N-Quads by a few joins
(``benchmarks/rdf_speed.py`` compares with pyoxigraph and rdflib); JSON-LD and ``to_rdf`` (an rdflib
Graph for notebook users) get terms by letting pyoxigraph parse the N-Quads.

The default graph holds the merged entities, relations and articles. Each article's named graph
(its article IRI) holds what was read in it: its sentences, its mentions and the evidence linking
each fact to its sentence. Turtle and N-Triples are the union of both.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import compress, repeat
from pathlib import Path
from operator import add, attrgetter, is_, is_not, itemgetter, not_

from ..graph import Reads
from ..records import LOCATED_IN, PART_OF, POSITION, PROMOTED_BY
from ..regexes import compiled
from ..vocab import DEFAULT_BASE, ITSRDF, KGO, NIF, ORG, PROV, RDF, RDFS, SDO, SKOS, XSD, mint_str, slug

TYPE_CLASS = {"Person": KGO.Person, "Organization": KGO.Organization, "Region": KGO.Region,
              "Project": KGO.Project, "Initiative": KGO.Initiative}
PREDICATE = {LOCATED_IN: KGO.locatedIn, PART_OF: SDO.containedInPlace, PROMOTED_BY: KGO.promotedBy}
PREFIXES = {"kgo": str(KGO), "org": str(ORG), "schema": str(SDO), "prov": str(PROV), "skos": str(SKOS),
            "nif": str(NIF), "itsrdf": str(ITSRDF), "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD)}
FORMATS = {  # name → (file name, holds named graphs)
    "turtle": ("graph.ttl", False),
    "trig": ("graph.trig", True),
    "ntriples": ("graph.nt", False),
    "nquads": ("graph.nq", True),
    "jsonld": ("graph.jsonld", False),
}


def article_iri(base: str, article_id: str) -> str:
    return mint_str(base, "article", article_id.replace("#", "-"))


def sentence_iri(base: str, article_id: str, index: int) -> str:
    return mint_str(base, "sentence", f"{article_id.replace('#', '-')}-{index}")


def entity_iri(base: str, eid: str) -> str:
    kind, _, name = eid.partition("/")
    return mint_str(base, kind, name)


# Changes with the code that turns records into statements and Turtle: cached Turtle made by other code
# is never reused.
RDF_FINGERPRINT = hashlib.sha1(b"".join((Path(__file__).parent.parent / name).read_bytes()
                                        for name in ("export/rdf.py", "vocab.py"))).hexdigest()[:20]


def _hash(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:16]


# Statements are (subject, predicate, object, graph) tuples of N-Triples term strings ("<iri>",
# "\"text\"@zh", "\"3\"^^<…#nonNegativeInteger>"; graph "" is the default graph). Plain strings
# are the cheapest thing Python can build and sort; every syntax is then a few joins away, and
# pyoxigraph parses the N-Quads when terms are wanted (JSON-LD, rdflib). Building pyoxigraph terms
# for 700,000 statements cost 4 s of a 7 s Turtle export; this path writes it in about 2 s.
_ESCAPES = {**{c: f"\\u{c:04X}" for c in range(0x20)}, 0x7F: "\\u007F",
            ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"}


_NEEDS_ESCAPE = compiled(r'[\x00-\x1f\x7f\\"]')
_RARE_ESCAPE = compiled(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _escaped(text: str) -> str:
    """``text.translate(_ESCAPES)``, fast: most text needs no escape, or only of \\ " and line breaks,
    which str.replace does at memory speed where translate looks up every character (a page's text,
    stated whole: 0.13 s of PD1998's Turtle → 0.02 s)."""
    if _NEEDS_ESCAPE.search(text) is None:
        return text
    if _RARE_ESCAPE.search(text) is not None:
        return text.translate(_ESCAPES)
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
            .replace("\t", "\\t"))


def literal(text: str, language: str = "", datatype: str = "") -> str:
    """A literal in N-Triples syntax (also valid Turtle, TriG and N-Quads)."""
    body = '"' + _escaped(text) + '"'
    if language:
        return body + "@" + language
    return body + ("^^<" + datatype + ">" if datatype and datatype != str(XSD.string) else "")


class _Terms:
    """Term strings with caches: the same IRI or number is built once per export."""

    def __init__(self):
        self._iris: dict[str, str] = {}
        self._ints: dict[int, str] = {}

    def iri(self, value) -> str:
        value = str(value)
        node = self._iris.get(value)
        if node is None:
            node = self._iris[value] = "<" + value + ">"
        return node

    def integer(self, n: int) -> str:
        lit = self._ints.get(n)
        if lit is None:
            lit = self._ints[n] = literal(str(n), datatype=str(XSD.nonNegativeInteger if n >= 0 else XSD.integer))
        return lit


_WHOLE_ID = compiled(r"[^\W_]+/[^\W_]+")  # an entity id whose kind and name are letters and digits alone (``str.isalnum``'s)


def _zh(text: str) -> str:
    return literal(text, language="zh")


Statement = tuple[str, str, str, str]
Blocks = list[tuple[str, list[tuple[str, str]]]]  # (subject, its (predicate, object) pairs), sorted by subject


def statements(kg, base: str | None = None) -> list[Statement]:
    """Every statement of the graph, sorted by graph and subject (generation order within a
    subject), each once: the same input always gives the same bytes."""
    base = base or kg.base or DEFAULT_BASE
    unique = dict.fromkeys(_statements(kg, base))
    return sorted(unique, key=itemgetter(3, 0))


class _T:
    """N-Triples forms of the vocabulary terms the graph uses, built once."""

    itsrdf_taIdentRef = f"<{ITSRDF.taIdentRef}>"
    kgo_Mention = f"<{KGO.Mention}>"
    kgo_endOffset = f"<{KGO.endOffset}>"
    kgo_evidence = f"<{KGO.evidence}>"
    kgo_inferredFromGazetteer = f"<{KGO.inferredFromGazetteer}>"
    kgo_inferredYear = f"<{KGO.inferredYear}>"
    kgo_mentionCount = f"<{KGO.mentionCount}>"
    kgo_mentionedIn = f"<{KGO.mentionedIn}>"
    kgo_sourceFile = f"<{KGO.sourceFile}>"
    kgo_startOffset = f"<{KGO.startOffset}>"
    nif_Context = f"<{NIF.Context}>"
    nif_Phrase = f"<{NIF.Phrase}>"
    nif_Sentence = f"<{NIF.Sentence}>"
    nif_anchorOf = f"<{NIF.anchorOf}>"
    nif_beginIndex = f"<{NIF.beginIndex}>"
    nif_endIndex = f"<{NIF.endIndex}>"
    nif_isString = f"<{NIF.isString}>"
    nif_referenceContext = f"<{NIF.referenceContext}>"
    nif_sentence = f"<{NIF.sentence}>"
    org_Membership = f"<{ORG.Membership}>"
    org_Role = f"<{ORG.Role}>"
    org_member = f"<{ORG.member}>"
    org_organization = f"<{ORG.organization}>"
    org_role = f"<{ORG.role}>"
    prov_wasDerivedFrom = f"<{PROV.wasDerivedFrom}>"
    rdf_Statement = f"<{RDF.Statement}>"
    rdf_object = f"<{RDF.object}>"
    rdf_predicate = f"<{RDF.predicate}>"
    rdf_subject = f"<{RDF.subject}>"
    rdf_type = f"<{RDF.type}>"
    rdfs_label = f"<{RDFS.label}>"
    sdo_NewsArticle = f"<{SDO.NewsArticle}>"
    sdo_author = f"<{SDO.author}>"
    sdo_datePublished = f"<{SDO.datePublished}>"
    sdo_headline = f"<{SDO.headline}>"
    sdo_isPartOf = f"<{SDO.isPartOf}>"
    skos_altLabel = f"<{SKOS.altLabel}>"
    skos_notation = f"<{SKOS.notation}>"


Burst = tuple[str, str, list[tuple[str, str]]]  # (subject, graph, its (predicate, object) pairs in order)


def _statements(kg, base: str) -> Iterator[Statement]:
    for s, g, pos in _bursts(kg, base):
        for p, o in pos:
            yield (s, p, o, g)


_START, _END, _TEXT, _SENTENCE = (attrgetter(name) for name in ("start", "end", "text", "sentence"))


class _Made(dict):
    """A dict whose values are made when first looked up (``make(key)``)."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        value = self[key] = self.make(key)
        return value


class _Articles:
    """Per-article IRI openings and what each article's own statements are made of. A slug is made
    character by character, so slug(id + "-3-7") is slug(id) + "-3-7": the openings of an article's
    mention and sentence IRIs are slugged once, not for each of 400 k mentions. Each article's are made
    when first wanted: a re-build states a few articles, not 3,151 (~0.02 s of the RDF writer's)."""

    def __init__(self, kg, base: str, t: "_Terms"):
        iri = t.iri
        self._terms, self._base = t, base
        self.by_id = {a.id: a for a in kg.articles}
        mention_base, sentence_base = "<" + mint_str(base, "mention") + "/", "<" + mint_str(base, "sentence") + "/"
        slugs = _Made(lambda aid: slug(aid.replace("#", "-")))
        self.term: dict[str, str] = _Made(lambda aid: iri(article_iri(base, aid)))  # (any id's, as ``iri`` gives it)
        self.mention_open: dict[str, str] = _Made(lambda aid: mention_base + slugs[aid] + "-")
        self.sentence_open: dict[str, str] = _Made(lambda aid: sentence_base + slugs[aid] + "-")
        self.context: dict[str, str] = _Made(lambda doc: iri(mint_str(base, "source", doc)))  # source file → its nif:Context term
        self.owns_source: dict[str, bool] = {}  # the first article of a source file states the file
        docs: set[str] = set()
        for art in kg.articles:
            self.owns_source[art.id] = art.doc not in docs
            docs.add(art.doc)
        # entity id → its IRI term, made when first wanted or taken from the previous build's record (``seed``)
        self.entity: dict[str, str] = _Made(lambda eid: iri(entity_iri(base, eid)))
        self.read = Reads(kg)  # article → (its mentions' entity ids, its mentions), as wanted
        self.digests: dict[str, str] = kg.digests
        self.text_hashes: dict[str, str] = kg.text_hashes  # source file → its text's hash, where the build cache kept it
        self._edges = kg.edges
        self._cited: dict[str, set[int]] = {}  # article → the sentences the facts read in it cite (``cited``)
        self._cited_known: set[str] | None = set()  # (the articles ``_cited`` is made for; None: all)
        self._mentions: dict[str, list[tuple[str, int, int, str, int]]] = {}
        self._facts: dict[tuple[str, str, str, str], tuple[str, str | None]] = {}

    def seed(self, facts: dict[tuple, tuple[str, str | None]]) -> None:
        """Take the relations' fact and role terms a previous build recorded (``recorded_keys``: with this RDF code
        and base, so each is what would be minted now; no entity's, which ``entity_terms`` makes): a re-build then
        hashes only those of new relations (PD1998: 4.8 k hashed fact IRIs)."""
        self._facts.update(facts)

    def entity_terms(self, eids: list[str]) -> list[str]:
        """The IRI terms of ``eids``, in order, each kept in ``entity``: an id whose name is letters and digits alone
        (``slug`` keeps it whole, as it does each kind) is ``<`` + base + id + ``>``, made by C-level maps;
        the others are minted one by one. PD1998's 15 k entities in 11-15 ms (the collector paused, as in a build),
        about what the previous build's record of them (1.3 MB, no longer kept) took the RDF writer to read back
        (~10 ms) and to write (~5 ms); one by one they took ~25 ms."""
        opening = "<" + self._base
        terms = list(map(add, repeat(opening), map(add, eids, repeat(">"))))
        entity = self.entity
        # (kind and name letters and digits: ``_WHOLE_ID``, each match let go as the next is made, where the kinds and
        # names cut apart (``str.partition``) were 15 k tuples and 30 k strings held at once: fresh memory, in the RDF
        # writer's process)
        for i in compress(range(len(eids)), map(not_, map(_WHOLE_ID.fullmatch, eids))):
            terms[i] = entity[eids[i]]
        entity.update(zip(eids, terms))
        return terms

    def terms(self, kg) -> dict[tuple, tuple[str, str | None]]:
        """The IRI terms of the relations' facts and roles, once ``_graph_keys`` has made them all, for the next
        build to ``seed`` (no entity's: ``entity_terms`` makes them quicker than they read back): those of relations
        gone since are left in (copied whole, not looked up one by one) until they are a fifth of them."""
        facts = self._facts
        if len(facts) > 1.25 * len(kg.edges) + 100:
            fact_terms = self.fact_terms
            facts = {(s, o, d["kind"], d["title"]): fact_terms(s, o, d["kind"], d["title"]) for s, o, _, d in kg.edges}
        return dict(facts)

    def fact_terms(self, s: str, o: str, kind: str, title: str) -> tuple[str, str | None]:
        """A relation's fact subject (a membership, or the rdf:Statement of another kind) and, for a
        membership, its role's: what ``_graph_bursts`` states them as and ``_graph_keys`` keys them by,
        minted once for both."""
        got = self._facts.get((s, o, kind, title))
        if got is None:
            iri, base = self._terms.iri, self._base
            if kind == POSITION:
                got = iri(mint_str(base, "membership", _hash(s, o, title))), self.role_term(title)
            else:
                got = iri(mint_str(base, "statement", _hash(s, str(PREDICATE[kind]), o))), None
            self._facts[(s, o, kind, title)] = got
        return got

    def role_term(self, title: str) -> str:
        """The IRI term of the role a membership's title names."""
        return self._terms.iri(mint_str(self._base, "role", title))

    def mentions(self, article_id: str) -> list[tuple[str, int, int, str, int]]:
        """(entity term, start, end, text, sentence) of an article's mentions, by entity in node order: made
        when the article's statements are (in a re-build, for the new articles only), as whole lists by
        C-level maps."""
        got = self._mentions.get(article_id)
        if got is None:
            eids, ms = self.read.get(article_id, ((), ()))
            got = self._mentions[article_id] = list(zip(map(self.entity.__getitem__, eids), map(_START, ms),
                                                        map(_END, ms), map(_TEXT, ms), map(_SENTENCE, ms)))
        return got

    def want(self, article_ids: list[str]) -> None:
        """The articles whose Turtle or key a re-build makes (the others' are copied or recorded): their mentions
        (``Reads``) and the sentences the facts read in them cite, each in one pass (over the nodes, and the
        relations that name one of them), not for every article."""
        self.read.want(article_ids)
        if self._cited_known is not None:
            self._find_cited(set(article_ids) - self._cited_known)

    def cited(self, article_id: str) -> set[int]:
        """The sentences the facts read in an article cite (for every article at once, where not ``want``ed)."""
        if self._cited_known is not None and article_id not in self._cited_known:
            self._find_cited(None)
        return self._cited.get(article_id, set())

    def _find_cited(self, article_ids: set[str] | None) -> None:
        """``cited`` for ``article_ids`` (None: every article): a relation's sentences are of its articles."""
        cited, by_id = self._cited, self.by_id
        for _, _, _, d in self._edges:
            if article_ids is not None and article_ids.isdisjoint(d["articles"]):
                continue
            for art, idx in d["sentences"]:
                if art in by_id and (article_ids is None or art in article_ids):
                    cited.setdefault(art, set()).add(idx)
        if article_ids is None:
            self._cited_known = None
        else:
            self._cited_known |= article_ids

    def sentences(self, article_id: str) -> set[int]:
        """The sentences an article's mentions and the facts read in it point to."""
        return set(map(_SENTENCE, self.read.get(article_id, ((), ()))[1])) | self.cited(article_id)

    def iri(self, article_id: str) -> str:
        return self.term[article_id]

    def sentence_iri(self, article_id: str, index: int) -> str:
        return self.sentence_open[article_id] + str(index) + ">"

    def has_sentence(self, article_id: str, index: int) -> bool:
        art = self.by_id.get(article_id)
        return art is not None and 0 <= index < len(art.sentences)

    def key(self, art, base: str) -> str:
        """Everything ``article_bursts`` reads for this article, hashed: its cached Turtle is valid while
        this is unchanged (with the writer's code, in ``RDF_FINGERPRINT``). Where the build knows the
        article's extraction key (``KnowledgeGraph.digests``: a hash of its text, offsets, sentences, the
        paper's province and the extractor, which fix its mentions' spans, texts and sentences, all inside
        the article), that key stands for them, with the entity each mention resolved to and the sentences
        the facts cite; a re-build then keys 3,150 unchanged articles without walking their 53 k mentions."""
        h = hashlib.sha1(RDF_FINGERPRINT.encode())
        n = len(art.sentences)
        owner = self.owns_source[art.id]
        for part in (base, art.id, art.doc, art.title, art.byline, art.date, str(art.date_inferred), str(art.start),
                     str(art.end), str(owner), str(n)):
            h.update(part.encode("utf-8", "surrogatepass") + b"\0")
        digest = self.digests.get(art.id)
        if digest is not None:
            eids = self.read.get(art.id, ((), ()))[0]
            h.update(marshal.dumps(("extraction", digest, eids, sorted(self.cited(art.id))), 0))
            if owner:
                self._source_text(h, art)
            return h.hexdigest()
        spans = [(i, art.sentences[i].start, art.sentences[i].end) for i in sorted(self.sentences(art.id)) if 0 <= i < n]
        # the spans and mentions (tuples of strings and integers) marshalled rather than repr'd: 3 × faster;
        # version 0 writes equal values as equal bytes (later versions share interned strings by reference)
        h.update(marshal.dumps((spans, self.mentions(art.id)), 0))
        if owner:
            self._source_text(h, art)
        else:  # only its sentences' text is stated
            for _, start, end in spans:
                h.update(art.source_text[start:end].encode("utf-8", "surrogatepass") + b"\0")
        return h.hexdigest()

    def _source_text(self, h, art) -> None:
        """The text of the file an article owns (stated whole as its nif:Context) into ``h``: the hash the build
        cache kept of it, where known, rather than all its text again (0.2 s for each re-build at twelve times
        PD1998, in the RDF writer that is then the last to finish)."""
        known = self.text_hashes.get(art.doc)
        if known is not None:
            h.update(b"text hash\0" + known.encode())
        else:
            h.update(b"text\0" + art.source_text.encode("utf-8", "surrogatepass"))


def _bursts(kg, base: str) -> Iterator[Burst]:
    """The statements as runs of one subject in one graph, in generation order. A subject may have
    several runs (an entity's relations, a fact's evidence in each article's graph, a role of many
    memberships), but one run never repeats a statement; the writers group runs by subject, so a
    mention's 10 statements are sorted and written as one item, not ten. The graph-wide statements
    come first, then each article's own (``article_bursts``); a subject's runs keep their order."""
    t = _Terms()
    arts = _Articles(kg, base, t)
    yield from _graph_bursts(kg, base, t, arts)
    for art in kg.articles:
        yield from _article_bursts(art, arts, t)


def _article_bursts(art, arts: _Articles, t: "_Terms") -> list[Burst]:
    """What belongs to one article: its source file (if it is the file's first article), the article,
    the sentences its mentions and facts point to, and its mentions, all in its named graph but the
    first two. A function of ``arts.key(art)``'s inputs only, so its Turtle can be cached by that key."""
    return _article_head_bursts(art, arts, t) + _mention_bursts(art, arts, t)


def _article_head_bursts(art, arts: _Articles, t: "_Terms") -> list[Burst]:
    """An article's own statements but its mentions': its source file, the article, its sentences."""
    integer = t.integer
    a_type, default = _T.rdf_type, ""
    begin, end, anchor, ref = _T.nif_beginIndex, _T.nif_endIndex, _T.nif_anchorOf, _T.nif_referenceContext
    out: list[Burst] = []
    ctx = arts.context[art.doc]
    if arts.owns_source[art.id]:
        out.append((ctx, default, [(a_type, _T.nif_Context), (_T.nif_isString, literal(art.source_text)),
                                   (begin, integer(0)), (end, integer(len(art.source_text))),
                                   (_T.kgo_sourceFile, literal(art.doc))]))
    pos = [(a_type, _T.sdo_NewsArticle)]
    if art.title:
        pos.append((_T.sdo_headline, _zh(art.title)))
    if art.byline:
        pos.append((_T.sdo_author, _zh(art.byline)))
    if art.date and art.date_inferred:
        pos.append((_T.kgo_inferredYear, literal(art.date, datatype=str(XSD.gYear))))
    elif art.date:
        pos.append((_T.sdo_datePublished, literal(art.date, datatype=str(XSD.date))))
    g = arts.term[art.id]
    pos += [(_T.kgo_sourceFile, literal(art.doc)), (_T.kgo_startOffset, integer(art.start)),
            (_T.kgo_endOffset, integer(art.end)), (ref, ctx)]
    out.append((g, default, pos))
    n = len(art.sentences)
    for index in sorted(arts.sentences(art.id)):
        if 0 <= index < n:
            span = art.sentences[index]
            out.append((arts.sentence_iri(art.id, index), g, [
                (a_type, _T.nif_Sentence), (begin, integer(span.start)), (end, integer(span.end)),
                (anchor, literal(art.source_text[span.start : span.end])), (ref, ctx), (_T.sdo_isPartOf, g)]))
    return out


def _mention_bursts(art, arts: _Articles, t: "_Terms") -> list[Burst]:
    """An article's mentions, one run each, in its named graph."""
    integer = t.integer
    a_type, begin, end, anchor = _T.rdf_type, _T.nif_beginIndex, _T.nif_endIndex, _T.nif_anchorOf
    ctx, g, n = arts.context[art.doc], arts.term[art.id], len(art.sentences)
    out: list[Burst] = []
    opening = arts.mention_open[art.id]
    for e, start, stop, text, sentence in arts.mentions(art.id):
        mpos = [(a_type, _T.kgo_Mention), (a_type, _T.nif_Phrase), (begin, integer(start)), (end, integer(stop)),
                (anchor, literal(text)), (_T.nif_referenceContext, ctx), (_T.itsrdf_taIdentRef, e), (_T.kgo_mentionedIn, g)]
        if 0 <= sentence < n:
            mpos.append((_T.nif_sentence, arts.sentence_iri(art.id, sentence)))
        out.append((f"{opening}{start}-{stop}>", g, mpos))
    return out


def _graph_bursts(kg, base: str, t: "_Terms", arts: _Articles, wanted: set[str] | None = None,
                  only: tuple[list[str], list[int]] | None = None) -> Iterator[Burst]:
    """The merged entities and relations, with each fact's evidence in the graphs of the articles it
    was read in. ``wanted``: only the runs of these subjects (the blocks a re-build makes); ``only``: the entity
    ids (sorted) and edge indices (ascending) that state them all (``_graph_keys``' sources), the others not
    gone through (PD1998's re-build makes 11 blocks of 20 k: ~12 ms of the RDF writer)."""
    iri, integer = t.iri, t.integer
    a_type, label = _T.rdf_type, _T.rdfs_label
    default = ""
    derived, evidence = _T.prov_wasDerivedFrom, _T.kgo_evidence
    entity = arts.entity
    nodes = kg.nodes
    for eid, d in nodes.items() if only is None else [(eid, nodes[eid]) for eid in only[0]]:
        e = entity[eid]
        if wanted is not None and e not in wanted:
            continue
        pos = [(a_type, iri(TYPE_CLASS[d["type"]])), (label, _zh(d["name"]))]
        pos += [(_T.skos_altLabel, _zh(alias)) for alias in d["aliases"]]
        if d["code"] and d["code"].isdigit():
            pos.append((_T.skos_notation, literal(d["code"])))
        pos += [(derived, arts.iri(art)) for art in d["articles"]]
        pos.append((_T.kgo_mentionCount, integer(len(d["mentions"]))))
        yield (e, default, pos)

    # relations: memberships are nodes already; other facts get an rdf:Statement to hang evidence on
    for s, o, _, d in kg.edges if only is None else map(kg.edges.__getitem__, only[1]):
        si, oi = entity[s], entity[o]
        fact, role = arts.fact_terms(s, o, d["kind"], d["title"])
        if role is not None:
            pos = [(a_type, _T.org_Membership), (_T.org_member, si), (_T.org_organization, oi), (_T.org_role, role)]
            if wanted is None or role in wanted:
                yield (role, default, [(a_type, _T.org_Role), (label, _zh(d["title"]))])
        else:
            p = iri(PREDICATE[d["kind"]])
            if wanted is None or si in wanted:
                yield (si, default, [(p, oi)])
            pos = [(a_type, _T.rdf_Statement), (_T.rdf_subject, si), (_T.rdf_predicate, p), (_T.rdf_object, oi)]
        if wanted is not None and fact not in wanted:
            continue
        if d["inferred"]:
            pos.append((_T.kgo_inferredFromGazetteer, literal("true", datatype=str(XSD.boolean))))
        pos += [(derived, arts.iri(art)) for art in d["articles"]]
        yield (fact, default, pos)
        for art, idx in d["sentences"]:
            if arts.has_sentence(art, idx):
                yield (fact, arts.term[art], [(evidence, arts.sentence_iri(art, idx))])


@dataclass
class KnownBlocks:
    """The merged blocks' keys the previous build recorded (subject → key: ``keys``, read off its graph.ttl's
    ``index`` when first wanted), with what says which of them this build's blocks are still made of
    (``recorded_keys``): the ``entities`` whose nodes or relations may differ since (made again or gone, or the
    subject of other relations now), the relation ``subjects`` whose relations differ, with their relations' records
    (``_cited``) in either build (``records``), and the ``articles`` that may read otherwise (a fact cites only the
    sentences its articles have)."""

    index: "TurtleIndex | None"
    entities: set[str]
    subjects: set[str]
    articles: frozenset[str]
    records: dict = field(default_factory=dict)
    taken: int = 0  # (how many ``_graph_keys`` or ``_changed_blocks`` took)
    _keys: dict | None = None

    @property
    def keys(self) -> dict[str, str]:
        if self._keys is None:
            self._keys = self.index.blocks() if self.index is not None else {}
        return self._keys


def _block_key(salt: bytes, made_of: tuple) -> str:
    """A merged block's key: what it is made of (``_entity_made_of``, ``_fact_made_of``, ``_role_made_of``) hashed
    with ``salt`` (the RDF code and the base: ``_block_salt``), marshalled as version 0 writes it (equal inputs
    give equal bytes; later versions share interned strings). ``_graph_keys`` and ``_changed_blocks`` key by it."""
    return "block:" + hashlib.sha1(salt + marshal.dumps(made_of, 0)).hexdigest()


def _block_salt(base: str) -> bytes:
    return f"{RDF_FINGERPRINT}\0{base}\0".encode("utf-8", "surrogatepass")


def _entity_made_of(eid: str, d: dict, said: list[tuple[str, str]]) -> tuple:
    """What an entity's block is made of: its node and the (kind, object) of the relations it states."""
    return ("entity", eid, d["type"], d["name"], d["aliases"], d["code"], d["articles"], len(d["mentions"]), said)


def _fact_made_of(s: str, o: str, d: dict, arts: "_Articles") -> tuple:
    """What a relation's fact block is made of: its ends and attributes, and the sentences it was read in that its
    articles have."""
    read = [(art, idx) for art, idx in d["sentences"] if arts.has_sentence(art, idx)]
    return ("fact", d["kind"], s, o, d["title"], bool(d["inferred"]), d["articles"], read)


def _role_made_of(title: str) -> tuple:
    return ("role", title)


def _graph_keys(kg, base: str, arts: _Articles, known: KnownBlocks | None = None,
                sources: dict[str, tuple[str | None, list[int]]] | None = None) -> list[tuple[str, str]] | None:
    """Each subject ``_graph_bursts`` states, with a key of everything its block is made from (hashed with
    the base and the RDF code), in one pass over the nodes and edges that makes no statement: an entity's
    type, names, code, articles, number of mentions and the relations it is the subject of; a fact's
    kind, ends, title, whether inferred, articles and the sentences it was read in (those the articles
    have); a role's title. A re-build makes the blocks of the few keys the previous graph.ttl lacks,
    instead of all 20 k blocks' statements to hash them. ``known``: the keys recorded by the build the kept
    resolution was kept by, taken where the block is made of what it was then (an entity not made again with the
    same relations; a relation of such a subject citing no article that changed) instead of hashed again:
    twelve times PD1998's 15 k entities list 19 articles each on average (~0.25 s of the RDF writer, the last
    process to finish there). None where two of them would state one subject (their blocks merge: then every
    block is made). ``sources``: filled with what states each subject whose key is made here (an entity's id and
    the relations it is the subject of; a fact's relation; a role's relations, as indices into the edges), for
    ``_graph_bursts`` to state only the blocks a re-build makes."""
    salt = _block_salt(base)
    nodes = kg.nodes
    recorded = known.keys if known is not None else {}
    stale = (known.entities | known.subjects) if known is not None else set()
    # each entity's subject, and its key recorded where its block is made of what it was then (not ``stale``): by
    # C-level maps over the ids, not a loop over the nodes (which wrote to the memory page of every node the RDF
    # writer shares since its fork, and took 12.7 of PD1998's re-build's 42.8 ms here)
    eids = list(nodes)
    subjects = arts.entity_terms(eids)
    keys = list(map(recorded.get, subjects)) if recorded else [None] * len(eids)
    for i in compress(range(len(eids)), map(stale.__contains__, eids)) if stale else ():
        keys[i] = None
    made = list(compress(range(len(eids)), map(is_, keys, repeat(None))))  # (the entities whose keys are made)
    need = {eids[i] for i in made}
    said: dict[str, list[tuple[str, str]]] = {}  # entity id → (kind, object) of the relations it states (those made)
    facts: list[tuple[str, tuple | None, str | None]] = []  # (subject, what its block is made of, or its key known)
    roles: dict[str, tuple] = {}
    said_at: dict[str, list[int]] = {}  # (with ``sources``: entity id → the indices of the relations it states)
    for i, (s, o, _, d) in enumerate(kg.edges):
        kind, title = d["kind"], d["title"]
        fact, role = arts.fact_terms(s, o, kind, title)
        if role is not None:
            roles.setdefault(role, _role_made_of(title))
            if sources is not None:
                sources.setdefault(role, (None, []))[1].append(i)
        elif s in need:
            said.setdefault(s, []).append((kind, o))
            if sources is not None:
                said_at.setdefault(s, []).append(i)
        as_then = known is not None and s not in known.subjects and known.articles.isdisjoint(
            map(itemgetter(0), d["sentences"]))  # (its subject's relations as they were, its sentences' articles)
        key = recorded.get(fact) if as_then else None
        if key is not None:
            facts.append((fact, None, key))
            continue
        facts.append((fact, _fact_made_of(s, o, d, arts), None))
        if sources is not None:
            sources[fact] = (None, [i])
    parts: list[tuple[str, tuple | None, str | None]] = list(zip(subjects, repeat(None), keys))
    for i in made:
        eid, subject, d = eids[i], subjects[i], nodes[eids[i]]
        parts[i] = (subject, _entity_made_of(eid, d, said.get(eid, [])), None)
        if sources is not None:
            sources[subject] = (eid, said_at.get(eid, []))
    parts += facts
    parts += [(role, made_of, None) for role, made_of in roles.items()]
    if len(set(map(itemgetter(0), parts))) < len(parts):
        return None
    made_of = list(map(itemgetter(1), parts))
    if known is not None:
        known.taken = made_of.count(None)
    out = list(zip(map(itemgetter(0), parts), map(itemgetter(2), parts)))
    for i in compress(range(len(parts)), map(is_not, made_of, repeat(None))):
        out[i] = (parts[i][0], _block_key(salt, made_of[i]))
    return out


def _changed_blocks(kg, base: str, arts: _Articles, known: KnownBlocks, old: "TurtleIndex", cited: list[tuple]
                    ) -> tuple[list[int], list[tuple[str, str]], dict[str, tuple[str | None, list[int]]], int] | None:
    """A re-build's merged blocks found from what changed (``known``), not from every subject as ``_graph_keys``
    finds them: the blocks of the entities made again or gone, of the relations of the subjects whose relations
    differ or that cite an article that may read otherwise, and of the roles their titles name, are keyed (as
    ``_graph_keys`` keys them) and looked up in the previous graph.ttl's index (``old``) by subject; every other
    block is the previous build's, unchanged, and is kept without being looked at (PD1998: 15 k entities and 4.8 k
    relations, whose IRIs, keys and owners ``_graph_keys`` and its caller went through in ~40 ms of the RDF writer,
    the last process to finish). Returns the previous index's block owners kept (in its order), the (subject, key)
    of the blocks to make, what states each of them (``_graph_keys``' ``sources``) and how many blocks the graph
    has; None where the index does not hold the blocks of the build ``known`` is relative to (their number is not
    the graph's, or a subject's block is not a run of its own): then ``_graph_keys`` keys every block."""
    salt = _block_salt(base)
    nodes, edges = kg.nodes, kg.edges
    okeys, firsts, lasts, owners = old.owner_keys, old.firsts, old.lasts, old.owners
    live = list(map(str.startswith, okeys, repeat("block:")))  # (an owner's key is a block's or an article's)
    blocks_then = live.count(True)

    def old_block(subject: str) -> int | None:
        i = bisect_left(firsts, subject)
        if i < len(firsts) and firsts[i] == subject and lasts[i] == subject and live[owners[i]]:
            return owners[i]
        return None

    to_make: list[tuple[str, str]] = []
    sources: dict[str, tuple[str | None, list[int]]] = {}
    dropped: set[int] = set()

    def place(subject: str, made_of: tuple | None, source: tuple[str | None, list[int]]) -> None:
        """The block of ``subject``: kept where the previous file holds it under the same key, else made (the
        previous one dropped); dropped where ``made_of`` is None (no such subject now)."""
        was = old_block(subject)
        if made_of is None:
            if was is not None:
                dropped.add(was)
            return
        key = _block_key(salt, made_of)
        if was is not None and okeys[was] == key:
            return
        if was is not None:
            dropped.add(was)
        to_make.append((subject, key))
        sources[subject] = source

    n = len(cited)
    subjects_of = list(map(itemgetter(0), cited))
    stale = set(compress(range(n), map(known.subjects.__contains__, subjects_of)))  # (the relations to key)
    if known.articles:
        stale.update(compress(range(n), map(not_, map(known.articles.isdisjoint,
                                                        (map(itemgetter(0), r[4]) for r in cited)))))
    entities = known.entities | known.subjects
    said_at: dict[str, list[int]] = {}  # a made entity → the relations it states (not memberships), in order
    for i in compress(range(n), map(entities.__contains__, subjects_of)):
        if cited[i][2] != POSITION:
            said_at.setdefault(cited[i][0], []).append(i)
    for eid in sorted(entities):  # (sorted: a set's order differs between processes)
        d = nodes.get(eid)
        if d is None:
            place(arts.entity[eid], None, (None, []))
            continue
        at = said_at.get(eid, [])
        said = [(cited[i][2], cited[i][1]) for i in at]
        place(arts.entity[eid], _entity_made_of(eid, d, said), (eid, at))
    facts_now: set[str] = set()
    for i in sorted(stale):
        s, o, _, d = edges[i]
        fact = arts.fact_terms(s, o, d["kind"], d["title"])[0]
        facts_now.add(fact)
        place(fact, _fact_made_of(s, o, d, arts), (None, [i]))
    titles: set[str] = set()  # the roles the changed subjects' memberships name, then or now
    for records in known.records.values():
        for r in records:
            fact, role = arts.fact_terms(r[0], r[1], r[2], r[3])
            if fact not in facts_now:  # (a relation gone)
                place(fact, None, (None, []))
            if role is not None:
                titles.add(r[3])
    memberships = list(compress(range(n), map(POSITION.__eq__, map(itemgetter(2), cited))))
    used: dict[str, list[int]] = {}  # each role's title → the memberships that name it
    for i in memberships:
        used.setdefault(cited[i][3], []).append(i)
    for title in sorted(titles):  # (a title no membership names now: its role's block, if any, dropped)
        at = used.get(title)
        place(arts.role_term(title), _role_made_of(title) if at else None, (None, at or []))
    blocks_now = len(nodes) + len(edges) + len(used)
    if blocks_then - len(dropped) + len(to_make) != blocks_now:
        return None
    known.taken = blocks_now - len(used) - len(entities & nodes.keys()) - len(stale)  # (as ``_graph_keys`` counts:
    # the roles' keys always made there)
    for o in dropped:
        live[o] = False
    return list(compress(range(len(okeys)), live)), to_make, sources, blocks_now


IRI_KINDS = ("article", "sentence", "mention", "source", "membership", "statement", "role",
             "person", "organization", "region", "project", "initiative")


def prefixes(kg, base: str | None = None) -> dict[str, str]:
    """Our vocabularies plus one prefix per kind of minted IRI (person:张三, article:000_…-0)."""
    base = base or kg.base or DEFAULT_BASE
    return {**PREFIXES, "kg": base, **{kind: base + kind + "/" for kind in IRI_KINDS}}


def serialize(kg, fmt: str = "turtle", base: str | None = None, qs: list[Statement] | None = None,
              union: Blocks | None = None) -> bytes:
    """The graph in one of FORMATS, as bytes. ``union``: ``union_triples(qs)`` when the caller has it already."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown RDF format {fmt!r}; one of {', '.join(FORMATS)}")
    qs = statements(kg, base) if qs is None else qs
    if fmt == "jsonld":
        return to_jsonld(kg, base, qs)
    if fmt == "nquads":
        return "".join([f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n" for s, p, o, g in qs]).encode("utf-8")
    blocks = union if union is not None else union_triples(qs)
    if fmt == "ntriples":
        return "".join([f"{s} {p} {o} .\n" for s, pos in blocks for p, o in pos]).encode("utf-8")
    if fmt == "turtle":
        return b"".join(turtle_pieces(kg, blocks, base))
    pre = prefixes(kg, base)
    head = prefix_head(pre)
    short = _Compactor(pre)
    out = [head, _turtle_block([q[:3] for q in qs if not q[3]], short)]
    graphs: dict[str, list] = {}
    for q in qs:
        if q[3]:
            graphs.setdefault(q[3], []).append(q[:3])
    for g, ts in graphs.items():
        out.append(f"{short.term(g)} {{\n{_turtle_block(ts, short)}}}\n\n")
    return "".join(out).encode("utf-8")


def prefix_head(pre: dict[str, str]) -> str:
    """A Turtle file's head: its @prefix lines (``prefixes``) and a blank line."""
    return "".join(f"@prefix {name}: <{ns}> .\n" for name, ns in pre.items()) + "\n"


def head_prefixes(head: str) -> dict[str, str]:
    """The prefixes a ``prefix_head`` declares: its inverse, for reading back a file it opens."""
    return dict(re.findall(r"@prefix (\w*): <([^>]*)> \.", head))


def turtle_pieces(kg, blocks: Blocks, base: str | None = None) -> Iterator[bytes]:
    """graph.ttl as UTF-8 pieces of 20,000 subjects (its prefixes first): written as they come, the
    file is never held whole (40 MB for PD1998, twice that as text)."""
    pre = prefixes(kg, base)
    yield prefix_head(pre).encode("utf-8")
    for piece in _turtle_chunks(blocks, _Compactor(pre)):
        yield piece.encode("utf-8")


def shards(qs: list[Statement], n: int) -> dict[str, bytes]:
    """The N-Quads in ``n`` files of nearly equal size (contiguous runs of the sorted statements, so an
    article's named graph stays mostly in one file), for bulk loaders that take many files at once:
    ``shards/graph-00001-of-00004.nq`` … Together they hold exactly the statements of graph.nq."""
    lines = [f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n" for s, p, o, g in qs]
    n = max(1, min(n, len(lines) or 1))
    out = {}
    for i in range(n):
        part = lines[len(lines) * i // n : len(lines) * (i + 1) // n]
        out[f"shards/graph-{i + 1:05d}-of-{n:05d}.nq"] = "".join(part).encode("utf-8")
    return out


def graph_union(kg, base: str | None = None) -> Blocks:
    """``union_triples(statements(kg))`` for a build that writes no quads, made without sorting the
    statements: they come as runs of one subject (a mention's 10 in one), and only the 100 k subjects
    are sorted."""
    base = base or kg.base or DEFAULT_BASE
    runs = _runs(_bursts(kg, base))
    return [(s, _merged(runs[s])) for s in sorted(runs)]


def _runs(bursts) -> dict[str, list[Burst]]:
    runs: dict[str, list[Burst]] = {}
    for burst in bursts:
        runs.setdefault(burst[0], []).append(burst)
    return runs


def _merged(bursts: list[Burst]) -> list[tuple[str, str]]:
    """A subject's statements in the union: each once, the default graph's first, then by graph, each
    in the order generated."""
    if len(bursts) == 1:  # one run never repeats a statement
        return bursts[0][2]
    bursts.sort(key=itemgetter(1))  # by graph, the default first; stable: generation order within each
    return list(dict.fromkeys([po for b in bursts for po in b[2]]))


@dataclass
class TurtleIndex:
    """Where the blocks of a graph.ttl lie, and what they were made from: the file's prefix head; its runs in
    file order, a run being the blocks of consecutive subjects with one owner (an index into ``owner_keys``:
    the key of an article, whose own statements make many blocks, or of one merged entity's or relation's
    block), each given by its first and last subject, its owner and the byte offset where it ends; each
    owner's number of triples. A re-build copies the bytes of every run whose owner's key it finds here from
    the previous file, instead of keeping 36 MB of Turtle in the build cache and reading it back. Runs, not
    subjects: an article's mentions and sentences are a few runs, so at twelve times PD1998 the index holds
    ~0.17 M runs instead of 1.2 M subjects (its row 83 MB, loaded, marshalled and written in ~1.2 s of each
    re-build)."""

    head: str = ""
    firsts: list[str] = field(default_factory=list)
    lasts: list[str] = field(default_factory=list)
    owners: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    owner_keys: list[str] = field(default_factory=list)
    owner_counts: list[int] = field(default_factory=list)

    def add(self, first: str, last: str, owner: int, end: int) -> None:
        """A run after the others: one with the last run, where that has the same owner."""
        if self.owners and self.owners[-1] == owner:
            self.lasts[-1], self.ends[-1] = last, end
        else:
            self.firsts.append(first)
            self.lasts.append(last)
            self.owners.append(owner)
            self.ends.append(end)

    def copy_runs(self, other: "TurtleIndex", a: int, b: int) -> None:
        """``other``'s runs a..b-1 after these, as they are (owners and ends unchanged)."""
        self.firsts += other.firsts[a:b]
        self.lasts += other.lasts[a:b]
        self.owners += other.owners[a:b]
        self.ends += other.ends[a:b]

    def dumps(self) -> bytes:
        return marshal.dumps((self.head, self.firsts, self.lasts, self.owners, self.ends, self.owner_keys,
                              self.owner_counts))

    @classmethod
    def loads(cls, data: bytes) -> "TurtleIndex":
        return cls(*marshal.loads(data))

    def blocks(self) -> dict[str, str]:
        """The merged blocks' keys (``_graph_keys``) by subject: a block is a run of its own (one subject, an owner
        of its own) whose owner's key is a block's. What the build that wrote the file keyed its blocks by, read off
        its index rather than recorded beside it (PD1998: 20 k subjects and keys, 1 MB of the record, as a dict
        sharing its strings with the terms, once less dumped, written, read and loaded in each re-build's RDF
        writer)."""
        is_block = list(map(str.startswith, self.owner_keys, repeat("block:")))  # (by owner: 23 k, not by run: 32 k)
        return dict(compress(zip(self.firsts, map(self.owner_keys.__getitem__, self.owners)),
                             map(is_block.__getitem__, self.owners)))


@dataclass
class ArticleKeys:
    """The articles' keys (``_Articles.key``) a build recorded with what they and the merged blocks' keys
    (``_graph_keys``, read off graph.ttl's index: ``TurtleIndex.blocks``) were made from, for the next build to take
    those it knows unchanged (``recorded_keys``): ``previous``, the record read from the build cache; ``made``, this
    build's, once ``cached_turtle`` has keyed its parts."""

    previous: bytes | memoryview | None = None
    parts: tuple | None = None  # (what ``made`` is made of, the terms' last: a function that gives them)
    _made: bytes | None = None

    @property
    def made(self) -> bytes | None:
        """This build's record, made when first asked for: each part marshalled by a call of its own, then joined as
        marshal (version 2) writes the tuple of them, byte for byte. The RDF writer asks for it while a thread writes
        graph.ttl (``export._rdf_files``), whose copies of the previous file's runs (the kernel's, ~30 ms of PD1998's
        40 MB) then go on between the calls, not only after them."""
        if self._made is None and self.parts is not None:
            *parts, terms = self.parts
            parts.append(terms())
            self._made = b"(" + len(parts).to_bytes(4, "little") + b"".join([marshal.dumps(p, 2) for p in parts])
        return self._made


def _cited(kg) -> list[tuple]:
    """Each relation's subject, object, kind, title, sentences (article, index), whether inferred and articles, in
    the graph's order: the facts' part of the articles' keys (the sentences they cite), and what the relations'
    blocks and their subjects' are made of."""
    return [(s, o, d["kind"], d["title"], d["sentences"], bool(d["inferred"]), d["articles"])
            for s, o, _, d in kg.edges]


def _citing(record: tuple):
    return (art for art, _ in record[4])


def recorded_keys(kg, base: str, previous: bytes | None, cited: list[tuple], index: TurtleIndex | None = None
                  ) -> tuple[dict[str, str], KnownBlocks | None, tuple | None]:
    """What the previous build recorded (``ArticleKeys``) that this build would make again, where that build is
    the one the kept resolution was kept by (``kg.changed.since``), with this RDF code and base:

    - article id → its key (``_Articles.key``), for each article not among those ``kg.changed`` names (its text,
      sentences and extraction, and the entities its mentions are read as, are as they were) whose file's text
      hash is unchanged (its title, offsets, and whether it states the file) and where no subject of a relation
      citing a sentence of it has other relations (``Changed.articles_to_key``: the sentences cited in it).
      Twelve times PD1998 has 37,776 articles to key (~0.5 s of the RDF writer, then the last to finish);
    - the merged blocks' keys, with what says which still serve (``KnownBlocks``, read by ``_graph_keys``): read off
      ``index``, the previous graph.ttl's (``TurtleIndex.blocks``), where it describes that file (else none);
    - the relations' IRI terms (``_Articles.terms``, for ``_Articles.seed``), whichever build recorded them: they
      are what this code mints under this base.

    Empty and None where nothing recorded serves."""
    if previous is None:
        return {}, None, None
    try:  # (a record that does not read back as written, damaged or by other code, serves nothing)
        token, fingerprint, was_base, hashes, keys, was_cited, terms = marshal.loads(previous)
        if fingerprint != RDF_FINGERPRINT or was_base != base:
            return {}, None, None
        if not isinstance(terms, dict):
            terms = None
        if kg.changed is None:
            return {}, None, terms
        changed = kg.changed.changed_subjects(token, was_cited, cited)
        if changed is None:
            return {}, None, terms
        to_key = kg.changed.articles_of(changed, _citing)
        text_hashes = kg.text_hashes
        out = {}
        for art in kg.articles:
            key = keys.get(art.id)
            if key is not None and art.id not in to_key and text_hashes.get(art.doc, 0) == hashes.get(art.doc, 1):
                out[art.id] = key
    except (ValueError, EOFError, TypeError, IndexError, KeyError, AttributeError):
        return {}, None, None
    known = KnownBlocks(index, set(kg.changed.entities), set(changed), kg.changed.articles, changed)
    return {aid: key for aid, key in out.items() if isinstance(key, str)}, known, terms


def cached_turtle(kg, previous: tuple[TurtleIndex, object] | None = None, base: str | None = None,
                  index: bool = True, keys: ArticleKeys | None = None, spill: str | None = None,
                  ahead: bool = False) -> tuple[Iterator[bytes], int, dict[str, int], TurtleIndex | None] | None:
    """graph.ttl as ``turtle_pieces`` writes it (its pieces, as they are made), its number of triples, how
    many parts were reused and made, and (``index``) its ``TurtleIndex``, complete once the pieces are
    consumed. A part is an article's own statements (its source, sentences and mentions: nine tenths of the
    file), keyed by ``_Articles.key``, or one merged entity's, relation's or role's block, keyed by what it is
    made from (``_graph_keys``; made afresh, under no key, where two parts would state one subject); with
    ``previous`` (an index and the bytes of the file it describes, or that file open: ``export.PreviousFile``, or
    None where that file is not in place: then the index gives only the blocks' keys), a part whose key the index
    holds is copied from those bytes, not made. Same bytes as
    ``turtle_pieces(kg, graph_union(kg))``; None if two parts would state one subject (then only the whole union
    merges them right). Without ``index`` (a build with no cache) no key is made: each article's Turtle made on its
    own is still quicker than one union of all statements. ``keys``: the articles' keys recorded by the previous build, whose
    unchanged ones are taken instead of made (``recorded_keys``), and this build's to record. ``spill``: a folder
    where, with no previous file, the made blocks go as they are made (``_Spill``), and the pieces are ranges of
    that file (``export.FileRange``), not bytes: a first build's RDF writer then holds no block of the file. ``ahead``:
    where the previous file serves, the pieces as a list, the plan gone through (a re-build's few made blocks, the
    previous file's runs as ranges of it) and the index complete, so that it is marshalled while the file is written."""
    base = base or kg.base or DEFAULT_BASE
    pre = prefixes(kg, base)
    short = _Compactor(pre)
    t = _Terms()
    arts = _Articles(kg, base, t)
    head = prefix_head(pre)
    recorded_index = previous[0] if previous is not None else None  # (its blocks' keys, even with no file in place)
    in_place = previous is not None and previous[1] is not None and previous[0].head == head
    old, data = previous if in_place else (None, b"")
    old_owner = dict(zip(old.owner_keys, range(len(old.owner_keys)))) if old is not None else {}
    owner_keys: list[str] = []
    owner_counts: list[int] = []
    fresh: list[tuple] = []  # (subject, owner, its Turtle) of the parts made here; spilled: (first subject, last
    # subject, owner, place, length) of runs of them in ``spilled``'s files
    spilled = _Spill(spill) if spill is not None and old is None else None
    kept_owners: dict[int, int] = {}  # the previous index's owner → the new one, for the parts it serves
    made = {"reused": 0, "made": 0, "blocks_reused": 0, "blocks_made": 0}

    def own(key: str, count: int) -> int:
        owner_keys.append(key)
        owner_counts.append(count)
        return len(owner_keys) - 1

    cited = _cited(kg) if index and keys is not None else []
    recorded, known, terms = (recorded_keys(kg, base, keys.previous, cited, recorded_index)
                              if index and keys is not None else ({}, None, None))
    if terms is not None:
        arts.seed(terms)
    sources: dict[str, tuple[str | None, list[int]]] | None = {} if known is not None and old is not None else None
    changed = _changed_blocks(kg, base, arts, known, old, cited) if index and sources is not None else None
    keyed = _graph_keys(kg, base, arts, known, sources) if index and changed is None else None
    if changed is not None:  # a re-build: the previous file's blocks kept as they are (their owners first, in its
        # order), the blocks of what changed made
        kept_blocks, to_make, sources, blocks_now = changed
        first_block = len(owner_keys)
        owner_keys += map(old.owner_keys.__getitem__, kept_blocks)
        owner_counts += map(old.owner_counts.__getitem__, kept_blocks)
        kept_owners.update(zip(kept_blocks, range(first_block, len(owner_keys))))
        owner_of: dict[str, int] = {}
        for subject, key in to_make:
            owner_of[subject] = len(owner_keys)
            owner_keys.append(key)
            owner_counts.append(0)
        made["blocks_reused"] = blocks_now - len(owner_of)
    elif keyed is not None:  # the blocks whose keys the previous file holds are copied; only the rest are made
        # (owners numbered in key order, made or kept; as whole lists, as the articles' below)
        first_block = len(owner_keys)
        owner_keys += map(itemgetter(1), keyed)
        olds = list(map(old_owner.get, owner_keys[first_block:]))
        owner_counts += [0 if o is None else old.owner_counts[o] for o in olds]
        kept_owners.update(compress(zip(olds, range(first_block, len(owner_keys))), map(is_not, olds, repeat(None))))
        owner_of = {keyed[i][0]: first_block + i  # the blocks to make
                    for i in compress(range(len(olds)), map(is_, olds, repeat(None)))}
        made["blocks_reused"] = len(keyed) - len(owner_of)
    if changed is not None or keyed is not None:
        blocks = _subject_blocks(_graph_bursts(kg, base, t, arts, wanted=set(owner_of),
                                               only=_stating(owner_of, sources) if sources is not None else None))
        if len(blocks) != len(owner_of):  # (a subject keyed but not stated, or the reverse: not spliced)
            return None
        texts = []
        for (subject, pos), text in zip(blocks, _block_texts(blocks, short)):
            n = owner_of[subject]
            owner_counts[n] = len(pos)
            texts.append((subject, n, text))
        fresh += spilled.put(texts) if spilled is not None else [
            (subject, n, text.encode("utf-8", "surrogatepass")) for subject, n, text in texts]
        del texts
        made["blocks_made"] = len(owner_of)
    else:  # no index, or two parts of one subject: every block made, under no key (none is ever copied)
        blocks = _subject_blocks(_graph_bursts(kg, base, t, arts))
        texts = [(subject, own("", len(pos)), text)
                 for (subject, pos), text in zip(blocks, _block_texts(blocks, short))]
        fresh += spilled.put(texts) if spilled is not None else texts
        del texts
        made["blocks_made"] = len(blocks)
    if keys is not None:  # (taken as recorded: not made)
        made["keys_recorded"] = len(recorded)
        made["block_keys_recorded"] = (known.taken if known is not None and (keyed is not None or changed is not None)
                                       else 0)
    if recorded and old is not None:  # a re-build: the articles to key, and those whose Turtle is made, are read
        arts.want([art.id for art in kg.articles if art.id not in recorded])  # (another, if any: all are)
    # each article's key (recorded, else made), and its part owned in article order: the previous file's where it
    # holds the key, else made here. As whole lists, not one article at a time (twelve times PD1998: 37 k articles)
    ids = [art.id for art in kg.articles]
    article_keys = dict(zip(ids, map(recorded.get, ids) if index else [""] * len(ids)))
    for art in kg.articles if index and len(recorded) < len(ids) else ():
        if not article_keys[art.id]:
            article_keys[art.id] = arts.key(art, base)
    first = len(owner_keys)
    owner_keys += article_keys.values()
    olds = list(map(old_owner.get, article_keys.values()))
    owner_counts += [0 if o is None else old.owner_counts[o] for o in olds]
    kept_owners.update(compress(zip(olds, range(first, len(owner_keys))), map(is_not, olds, repeat(None))))
    todo = [i for i, o in enumerate(olds) if o is None]
    made["reused"], made["made"] = len(ids) - len(todo), len(todo)
    for i in todo:
        count, texts = _article_turtle(kg.articles[i], arts, t, short)
        n = first + i
        owner_counts[n] = count
        # (each block to the spill as soon as made, in a first build given a folder; else UTF-8, for ``_splice``:
        # held once, not as text and then bytes; without an index, text: joined ~1 MB at a time, then encoded)
        if spilled is not None:
            fresh += spilled.put([(s, n, text) for s, text in texts])
        else:
            fresh += [(s, n, text.encode("utf-8", "surrogatepass")) for s, text in texts] if index else [
                (s, n, text) for s, text in texts]
    fresh.sort(key=itemgetter(0))
    if spilled is not None:  # (runs of blocks, not blocks)
        fresh = spilled.ordered(fresh, head)
        if fresh is None:
            spilled.close()
            return None
        spilled.ready()
    elif any(fresh[i][0] == fresh[i - 1][0] for i in range(1, len(fresh))):
        return None
    if index and keys is not None:  # (and the blocks' keys: ``TurtleIndex.blocks`` of its index). Marshal version 2
        # writes each object as it meets it, where later versions keep a table of those written, each counted once
        # more in it: a write to every object, and most of these (the relations' ends and articles, the texts' ids)
        # were made before this process was forked, so each of their memory pages was copied. PD1998's re-build:
        # 28.8 -> 21.3 ms, half the page faults, for a record 5 % larger that reads back as quickly.
        keys.parts = (kg.token, RDF_FINGERPRINT, base, kg.text_hashes, article_keys, cited, lambda: arts.terms(kg))
    if index:
        plan, out = _splice(head, fresh, old, kept_owners, owner_keys, owner_counts, data, spilled)
        if plan is None:
            return None
    elif spilled is not None:  # (no index, no previous file: the made blocks in order, as ranges of the spill)
        plan, out = _made_pieces(fresh, range(len(fresh)), None, 0, spilled), None
    else:  # (no index, no previous file: the made blocks in order, joined as text, each let go once joined)
        plan, out = _texts(fresh), None

    def pieces() -> Iterator[bytes]:
        """The plan: runs of the previous file's bytes as one slice each (a range of it to copy, where ``data`` is
        an open file: ``export.PreviousFile``); made blocks joined ~1 MB a piece."""
        yield head.encode("utf-8")
        if hasattr(data, "range"):
            piece = data.range
        else:
            view = memoryview(data)

            def piece(start: int, end: int):
                return view[start:end]

        batch: list = []
        size = 0
        try:
            for part in plan:
                if isinstance(part, tuple):  # a range of the previous file, or (a FileRange) of the spill
                    if batch:
                        yield _joined(batch)
                        batch, size = [], 0
                    yield part if spilled is not None else piece(*part)
                else:
                    batch.append(part)
                    size += len(part)
                    if size >= 1 << 20:
                        yield _joined(batch)
                        batch, size = [], 0
            if batch:
                yield _joined(batch)
        finally:
            if spilled is not None:
                spilled.close()

    return list(pieces()) if ahead and old is not None else pieces(), sum(owner_counts), made, out


def _stating(subjects, sources: dict[str, tuple[str | None, list[int]]]) -> tuple[list[str], list[int]] | None:
    """The entity ids (sorted) and edge indices (ascending) that state ``subjects`` (``_graph_keys``'
    ``sources``); None where one is not among them (a block whose recorded key the previous file lacks: then every
    node and edge is gone through)."""
    eids: list[str] = []
    edges: set[int] = set()
    for subject in subjects:
        source = sources.get(subject)
        if source is None:
            return None
        if source[0] is not None:
            eids.append(source[0])
        edges.update(source[1])
    return sorted(eids), sorted(edges)


def _joined(parts: list) -> bytes:
    return b"".join(parts) if isinstance(parts[0], bytes) else "".join(parts).encode("utf-8", "surrogatepass")


def _splice(head: str, fresh: list[tuple[str, int, str | bytes]], old: "TurtleIndex | None",
            kept_owners: dict[int, int], owner_keys: list[str], owner_counts: list[int],
            data=None, spilled: "_Spill | None" = None) -> tuple[Iterator | None, "TurtleIndex"]:
    """How graph.ttl is put together, as the pieces to write in subject order: the previous file's byte ranges
    (start, end), each a stretch of consecutive runs kept, and the made blocks (UTF-8); and the new file's index,
    complete once the pieces are consumed. The made blocks (``fresh``, sorted) are placed among the kept runs by
    bisection, so a re-build handles the 100 k blocks as a few slices of lists of runs, not one by one; a made
    block that falls between two subjects of one kept run (an article named so that its IRIs sort among another's:
    ``a-1.txt`` beside ``a.txt``) cuts that run where it goes, read from the previous file's bytes (``data``).
    (None, _) if a made block states a subject a kept one states. Where the blocks go is decided here, before any is
    written; each made block (UTF-8, as ``cached_turtle`` makes them, or text, encoded then) is let go once written
    (``fresh``'s entry made None). A first build's made blocks are the whole file: encoded here all at once, beside
    their texts, they were held twice (PD1998: 278 → 213 MB at the RDF writer's peak)."""
    out = TurtleIndex(head, [], [], [], [], owner_keys, owner_counts)
    start_at = len(head.encode("utf-8"))
    if old is None:
        return _made_pieces(fresh, range(len(fresh)), out, start_at, spilled), out
    first = len(old.head.encode("utf-8"))
    places = [bisect_left(old.firsts, s) for s, _, _ in fresh]  # runs 0..i-1 open before the block
    within: dict[int, list[str]] = {}  # kept runs that made blocks fall within → those blocks' subjects
    for (s, _, _), i in zip(fresh, places):
        if i and s <= old.lasts[i - 1] and old.owners[i - 1] in kept_owners:
            within.setdefault(i - 1, []).append(s)
    if within:  # (then placed again, among the runs as cut)
        old = _cut_runs(old, within, data, first)
        if old is None:
            return None, out
        places = [bisect_left(old.firsts, s) for s, _, _ in fresh]
    new_of = list(map(kept_owners.get, old.owners))  # each old run's owner in the new index, None if dropped
    dropped = list(compress(range(len(new_of)), map(is_, new_of, repeat(None))))
    firsts = old.firsts
    for (s, _, _), i in zip(fresh, places):  # (a block within a dropped run goes after it, as it goes)
        if i < len(firsts) and firsts[i] == s and new_of[i] is not None:
            return None, out
    # walk the old runs once: cut at each dropped run and at each place a made block goes
    steps: list[tuple[int, int]] = []  # (a, b): the old runs a..b-1, all kept; (-1, k): made block k
    cuts = sorted([(i, 1, k) for k, i in enumerate(places)] + [(i, 0, -1) for i in dropped])
    a = 0
    for i, is_made, k in cuts:  # (a run dropped at i is passed before a block made at i, which goes before
        if a < i:                  # the old run at i)
            steps.append((a, i))
        if is_made:
            steps.append((-1, k))
            a = max(a, i)
        else:
            a = max(a, i + 1)
    if a < len(firsts):
        steps.append((a, len(firsts)))
    return _spliced_pieces(steps, fresh, old, new_of, out, start_at, first), out


def _made_pieces(fresh: list, order, out: "TurtleIndex | None", at: int, spilled: "_Spill | None" = None
                 ) -> Iterator:
    """The made blocks ``order`` lists, each indexed where it ends (in ``out``, if any: ``_splice``): encoded as
    written, or, where they were spilled (``_Spill``: runs of blocks), as ranges of the spill's files, consecutive
    runs that lie one after the other there one range."""
    run_start = run_end = -1
    for k in order:
        entry = fresh[k]
        fresh[k] = None
        if len(entry) == 5:  # (first subject, last subject, owner, place, length) of a run in the spill
            first, last, owner, start, n = entry
            if out is not None:
                at += n
                out.add(first, last, owner, at)
            if start != run_end:
                if run_end >= 0:
                    yield spilled.range(run_start, run_end)
                run_start = start
            run_end = start + n
            continue
        subject, owner, data = entry
        if not isinstance(data, bytes):
            data = data.encode("utf-8", "surrogatepass")
        at += len(data)
        out.add(subject, subject, owner, at)
        yield data
    if run_end >= 0:
        yield spilled.range(run_start, run_end)


class _Spill:
    """Made blocks written as they are made to unlinked temporary files in ``folder`` (the staging folder: the same
    file system as graph.ttl, where the kernel copies ranges without reading them into the process), each
    remembered by where it lies. A first build's blocks are the whole file, and only once all are made can they be
    sorted by subject; held in memory they made the RDF writer the largest process of a build (twelve times
    PD1998: 467 MB of Turtle, in 1.2 M bytes objects). A block goes to the file of its subject's namespace (the IRI
    up to its last ``/``: the mentions, the sentences, the persons…), an article's in subject order, so the blocks
    graph.ttl holds one after the other mostly lie one after the other in one file: PD1998's 102 k blocks are 12
    ranges to copy, one a namespace. A block's place is one integer: its file's number × ``_SPILL_FILE`` + its
    offset."""

    def __init__(self, folder: str):
        self.folder = folder
        self.files: list = []
        self.ats: list[int] = []
        self.number: dict[str, int] = {}  # namespace → its file's number

    def _file(self, ns: str) -> int:
        """The number of namespace ``ns``'s file, opened now if it is the first of its blocks."""
        if len(self.files) >= _SPILL_FILES:  # (namespaces past the first 64 share the last file)
            k = self.number[ns] = len(self.files) - 1
            return k
        import tempfile

        k = self.number[ns] = len(self.files)
        self.files.append(tempfile.TemporaryFile(dir=self.folder))
        self.ats.append(0)
        return k

    def put(self, blocks: list[tuple[str, int, str]]) -> list[tuple[str, str, int, int, int]]:
        """Write (subject, owner, Turtle) blocks in subject order; returns them as runs: (first subject, last
        subject, owner, place, length) of each stretch of consecutive blocks with one namespace and one owner (an
        article's mentions, its sentences; a merged block alone)."""
        out = []
        ats = self.ats
        ns, k, at, write, who = None, -1, 0, None, None
        run = None
        for subject, owner, text in sorted(blocks, key=itemgetter(0)):
            here = subject[: subject.rfind("/") + 1]
            if here != ns:  # (sorted: an article's blocks of one namespace come together)
                if k >= 0:
                    ats[k] = at
                ns = here
                k = self.number.get(ns)
                if k is None:
                    k = self._file(ns)
                at, write = ats[k], self.files[k].write
                who = None
            n = write(text.encode("utf-8", "surrogatepass"))  # (buffered)
            if owner == who:
                run[1], run[4] = subject, run[4] + n
            else:
                run = [subject, subject, owner, k * _SPILL_FILE + at, n]
                out.append(run)
                who = owner
            at += n
        if k >= 0:
            ats[k] = at
        return list(map(tuple, out))

    def ordered(self, runs: list[tuple], head: str) -> list[tuple] | None:
        """``runs`` (sorted by first subject) in graph.ttl's order: those whose subjects interleave with another's
        (articles whose IRIs sort among each other's: ``a-1.txt`` beside ``a.txt``) split into their blocks, read
        back from the spill; None where two blocks state one subject."""
        marked: set[int] = set()
        top = -1  # the run reaching furthest so far
        for i, run in enumerate(runs):
            if top >= 0 and run[0] <= runs[top][1]:
                marked.update((i, top))
            if top < 0 or run[1] > runs[top][1]:
                top = i
        if not marked:
            return runs
        self.ready()
        namespaces = head_prefixes(head)
        out = [run for i, run in enumerate(runs) if i not in marked]
        for i in marked:
            _, _, owner, place, length = runs[i]
            k, at = divmod(place, _SPILL_FILE)
            read = _block_subjects(os.pread(self.files[k].fileno(), length, at), namespaces)
            if read is None:
                return None
            start = 0
            for subject, end in zip(*read):
                out.append((subject, subject, owner, place + start, end - start))
                start = end
        out.sort(key=itemgetter(0))
        if any(out[i][0] <= out[i - 1][1] for i in range(1, len(out))):
            return None
        return out

    def ready(self) -> None:
        """Every block written: flushed, for the ranges to be copied from the files."""
        for f in self.files:
            f.flush()

    def range(self, start: int, end: int):
        """Places ``start`` to ``end`` (one file's) as a range to copy."""
        from . import FileRange

        k, at = divmod(start, _SPILL_FILE)
        return FileRange(self.files[k].fileno(), at, at + end - start)

    def close(self) -> None:
        for f in self.files:
            f.close()


_SPILL_FILE = 1 << 48  # (places in a file of the spill: its offsets)
_SPILL_FILES = 64


def _texts(fresh: list) -> Iterator[str]:
    """The made blocks' texts in order, each let go (``fresh``'s entry made None) as it is handed on."""
    for k in range(len(fresh)):
        text = fresh[k][2]
        fresh[k] = None
        yield text


def _spliced_pieces(steps: list[tuple[int, int]], fresh: list, old: "TurtleIndex", new_of: list,
                    out: "TurtleIndex", at: int, first: int) -> Iterator:
    """``_splice``'s steps written: a stretch of the old runs kept as one byte range of the previous file, its runs
    indexed where they now end; a made block encoded (``_made_pieces``)."""
    firsts, lasts, ends = old.firsts, old.lasts, old.ends
    for a, b in steps:
        if a < 0:
            for data in _made_pieces(fresh, (b,), out, at):
                at += len(data)
                yield data
            continue
        start = ends[a - 1] if a else first
        shift = at - start
        out.add(firsts[a], lasts[a], new_of[a], ends[a] + shift)  # (the runs after it have other owners)
        out.firsts.extend(firsts[a + 1 : b])
        out.lasts.extend(lasts[a + 1 : b])
        out.owners.extend(new_of[a + 1 : b])
        out.ends.extend([e + shift for e in ends[a + 1 : b]])
        at = ends[b - 1] + shift
        yield (start, ends[b - 1])


def _cut_runs(old: "TurtleIndex", within: dict[int, list[str]], data, first: int) -> "TurtleIndex | None":
    """``old`` with each run in ``within`` cut before each of the subjects given for it (made blocks that fall
    inside it), its blocks and their subjects read from the previous file's bytes: a block opens a line that
    does not open with a tab (literals hold no raw line break), with its subject, prefixed where it could be.
    None if a given subject is one of the run's (a made block would state a kept subject), or the bytes do not
    read as the index says."""
    if data is None:
        return None
    namespaces = head_prefixes(old.head)
    out = TurtleIndex(old.head, [], [], [], [], old.owner_keys, old.owner_counts)
    done = 0  # the runs before this one are in ``out``
    for r in sorted(within):
        out.copy_runs(old, done, r)
        done = r + 1
        start = old.ends[r - 1] if r else first
        read = _block_subjects(bytes(data[start : old.ends[r]]), namespaces)
        if read is None:
            return None
        subjects, ends = read[0], [start + b for b in read[1]]  # the run's blocks: each one's subject, and where
        # it ends in the file
        if subjects[0] != old.firsts[r] or subjects[-1] != old.lasts[r] or subjects != sorted(subjects):
            return None
        at = [bisect_left(subjects, s) for s in within[r]]
        if any(i < len(subjects) and subjects[i] == s for s, i in zip(within[r], at)):
            return None
        pieces = sorted({*at, 0, len(subjects)})
        for a, b in zip(pieces, pieces[1:]):
            out.firsts.append(subjects[a])
            out.lasts.append(subjects[b - 1])
            out.owners.append(old.owners[r])
            out.ends.append(ends[b - 1])
    out.copy_runs(old, done, len(old.firsts))
    return out


def _block_subjects(chunk: bytes, namespaces: dict[str, str]) -> tuple[list[str], list[int]] | None:
    """The blocks of Turtle this module wrote in ``chunk``: each one's subject (prefixed names expanded by
    ``namespaces``) and where it ends in the chunk. A block opens a line that does not open with a tab (literals
    hold no raw line break), with its subject. None where the bytes are not UTF-8."""
    subjects, ends = [], []
    opens = [0] + [m.end() for m in re.finditer(rb"\n(?=[^\t\n])", chunk)]
    for a, b in zip(opens, opens[1:] + [len(chunk)]):
        try:
            written = chunk[a : chunk.find(b" ", a)].decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            return None
        name, _, local = written.partition(":")
        subjects.append(written if written.startswith("<") else f"<{namespaces.get(name, '')}{local}>")
        ends.append(b)
    return subjects, ends


def _blocks_turtle(bursts: list[Burst], short: "_Compactor") -> tuple[int, list[tuple[str, str]]]:
    """Runs of statements as (number of triples, [(subject, its Turtle block)]), by the general writer."""
    blocks = _subject_blocks(bursts)
    return triple_count(blocks), list(zip([s for s, _ in blocks], _block_texts(blocks, short)))


def _subject_blocks(bursts) -> Blocks:
    """Runs of statements as one (subject, its statements) block a subject, in first-seen order."""
    return [(s, _merged(runs)) for s, runs in _runs(bursts).items()]


def _article_turtle(art, arts: _Articles, t: "_Terms", short: "_Compactor") -> tuple[int, list[tuple[str, str]]]:
    """One article's own statements (``_article_bursts``) as (number of triples, [(subject, its Turtle
    block)]): the blocks ``_block_texts`` writes for them, its mentions' (six in seven of the article's
    subjects, one run of 8–9 statements each) filled into one template instead of walked pair by pair."""
    mentions = arts.mentions(art.id)
    if len({(start, stop) for _, start, stop, _, _ in mentions}) < len(mentions):  # two mentions of one
        return _blocks_turtle(_article_bursts(art, arts, t), short)  # span: one subject, merged in general
    count, out = _blocks_turtle(_article_head_bursts(art, arts, t), short)
    known, term, iri = short._cache.get, short.term, short.iri
    g = arts.term[art.id]
    opening = arts.mention_open[art.id]
    probe = f"{opening}0-0>"  # digits and hyphens compact as any other: the prefixed form of one is all's
    compact = iri(probe)
    mention_open = compact[:-3] if compact != probe else opening
    mention_close = "" if compact != probe else ">"
    P = {name: known(x) or iri(x) for name, x in (
        ("a", _T.rdf_type), ("begin", _T.nif_beginIndex), ("end", _T.nif_endIndex), ("anchor", _T.nif_anchorOf),
        ("ref", _T.nif_referenceContext), ("ident", _T.itsrdf_taIdentRef), ("in", _T.kgo_mentionedIn),
        ("sentence", _T.nif_sentence))}
    kinds = f" {P['a']} {known(_T.kgo_Mention) or term(_T.kgo_Mention)} , {known(_T.nif_Phrase) or term(_T.nif_Phrase)} ;\n\t"
    ctx = arts.context[art.doc]
    tail = (f" ;\n\t{P['ref']} {known(ctx) or term(ctx)}", f" ;\n\t{P['in']} {known(g) or term(g)}")
    n = len(art.sentences)
    integer = t.integer
    for e, start, stop, text, sentence in mentions:
        subject = f"{opening}{start}-{stop}>"
        o_start, o_stop, o_text = integer(start), integer(stop), literal(text)
        block = (f"{mention_open}{start}-{stop}{mention_close}{kinds}{P['begin']} {known(o_start) or term(o_start)} ;\n\t"
                 f"{P['end']} {known(o_stop) or term(o_stop)} ;\n\t{P['anchor']} {known(o_text) or term(o_text)}"
                 f"{tail[0]} ;\n\t{P['ident']} {known(e) or term(e)}{tail[1]}")
        if 0 <= sentence < n:
            si = arts.sentence_iri(art.id, sentence)
            block += f" ;\n\t{P['sentence']} {known(si) or term(si)}"
            count += 9
        else:
            count += 8
        out.append((subject, block + " .\n"))
    return count, out


def union_triples(qs: list[Statement]) -> Blocks:
    """The union of all graphs: each triple once, grouped by subject in sorted order; within a subject,
    the default graph's first, then by graph, each in the order generated."""
    by_subject: dict[str, list[tuple[str, str, str]]] = {}
    for q in sorted(qs, key=itemgetter(0)):  # qs is sorted by graph, then subject: stable
        by_subject.setdefault(q[0], []).append(q[1:3])
    return [(s, list(dict.fromkeys(pos))) for s, pos in by_subject.items()]


def triple_count(blocks: Blocks) -> int:
    return sum(len(pos) for _, pos in blocks)


# A local name that Turtle accepts after a prefix (PN_LOCAL), kept to what our minted IRIs contain:
# letters of any script, digits, _ - . and %XX; anything else is written as a full <IRI>. A name's first character
# (and any other, beside - . · and combining marks) is PN_CHARS_U or a digit: [A-Za-z0-9_\u00C0-\u00D6\u00D8-\u00F6
# \u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF
# \uFDF0-\uFFFD\U00010000-\U000EFFFF], written as the characters it leaves out: ``re`` compiles a class by marking
# each of the Basic Multilingual Plane's characters it names, one at a time, and this one names ~55 k of them
# (~8 ms at every import, in the main process before the RDF writer's fork), where its complement names ~12 k.
_PN_START = ("[^\x00-/:-@\\[-^`{-\xBF\xD7\xF7\u0300-\u036F\u037E\u2000-\u200B\u200E-\u206F\u2190-\u2BFF"
             "\u2FF0-\u3000\uD800-\uF8FF\uFDD0-\uFDEF\uFFFE\uFFFF\U000F0000-\U0010FFFF]|%[0-9A-Fa-f]{2}")
_PN_LOCAL = compiled(f"(?:{_PN_START})(?:(?:{_PN_START})|[-.\u00B7\u0300-\u036F\u203F\u2040])*")


class _Compactor:
    """N-Triples terms as Turtle terms: prefixed names where the local part allows, ``a`` for rdf:type."""

    def __init__(self, pre: dict[str, str]):
        self._ns = {ns: name for name, ns in pre.items()}
        self._cache: dict[str, str] = {"<" + str(RDF.type) + ">": "a"}

    def iri(self, term: str) -> str:
        out = self._cache.get(term)
        if out is None:
            out = term
            value = term[1:-1]
            cut = max(value.rfind("/"), value.rfind("#")) + 1
            name = self._ns.get(value[:cut])
            local = value[cut:]
            if name is not None and local and not local.endswith(".") and _PN_LOCAL.fullmatch(local):
                out = f"{name}:{local}"
            if len(self._cache) < 1 << 20:
                self._cache[term] = out
        return out

    def term(self, term: str) -> str:
        if term[0] == "<":
            return self.iri(term)
        if term[-1] == ">":  # a typed literal: compact its datatype (numbers repeat: kept)
            out = self._cache.get(term)
            if out is None:
                text, _, dt = term.rpartition("^^")
                out = text + "^^" + self.iri(dt)
                if len(self._cache) < 1 << 20:
                    self._cache[term] = out
            return out
        return term


def _turtle_block(triples, short: _Compactor) -> str:
    """Triples (grouped by subject) as Turtle: one block per subject, ``;`` between predicates."""
    return _turtle_blocks(_group(triples), short)


def _group(triples) -> Blocks:
    out: Blocks = []
    last_s = None
    for s, p, o in triples:
        if s != last_s:
            pos: list[tuple[str, str]] = []
            out.append((s, pos))
            last_s = s
        pos.append((p, o))
    return out


def _turtle_blocks(blocks: Blocks, short: _Compactor) -> str:
    """Subject blocks as Turtle: ``;`` between predicates, ``,`` between objects of one predicate."""
    return "".join(_turtle_chunks(blocks, short))


def _turtle_chunks(blocks: Blocks, short: _Compactor, size: int = 20_000) -> Iterator[str]:
    """The Turtle of ``blocks``, ``size`` subjects a piece, for a writer that need not hold it whole."""
    for lo in range(0, len(blocks), size):
        yield _turtle_piece(blocks[lo : lo + size], short)


def _turtle_piece(blocks: Blocks, short: _Compactor) -> str:
    return "".join(_block_texts(blocks, short))


def _block_texts(blocks: Blocks, short: _Compactor) -> list[str]:
    """Each subject block's Turtle, on its own: ``;`` between predicates, ``,`` between objects of one
    predicate (a block's text depends on nothing around it, so it can be cached and re-joined)."""
    out: list[str] = []
    iri, term, known = short.iri, short.term, short._cache.get  # known: a term compacted before
    for s, pos in blocks:
        last_p = None
        parts = [known(s) or iri(s)]
        append = parts.append
        for p, o in pos:
            o = known(o) or term(o)
            if p == last_p:
                append(f" , {o}")
            elif last_p is None:
                append(f" {known(p) or iri(p)} {o}")
            else:
                append(f" ;\n\t{known(p) or iri(p)} {o}")
            last_p = p
        append(" .\n")
        out.append("".join(parts))
    return out


def ox_quads(qs: list[Statement]) -> list["ox.Quad"]:
    """The statements as pyoxigraph quads (parsed from their N-Quads), for writers that need terms. (pyoxigraph is
    imported here and by the functions that read its terms: the build's Turtle writer does not, and its import,
    ~7 ms, was in every build's main process.)"""
    import pyoxigraph as ox

    data = "".join([f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n" for s, p, o, g in qs]).encode("utf-8")
    return list(ox.parse(data, format=ox.RdfFormat.N_QUADS))


def jsonld_context(kg, base: str | None = None) -> dict:
    """The JSON-LD @context: our prefixes, so compacted keys read as kgo:locatedIn, rdfs:label …"""
    return {"@context": prefixes(kg, base)}


def to_jsonld(kg, base: str | None = None, qs: list[Statement] | None = None) -> bytes:
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

    import pyoxigraph as ox

    nodes: dict[str, dict] = {}
    qs = statements(kg, base) if qs is None else qs
    for tr in dict.fromkeys(q.triple for q in sorted(ox_quads(qs), key=lambda q: q.subject.value)):
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
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    dt = term.datatype.value
    return Literal(term.value, datatype=None if dt == str(XSD.string) else URIRef(dt))


def to_rdf(kg, base: str | None = None, qs: list[Statement] | None = None):
    """An rdflib Graph (the union of all graphs) with our prefixes bound, for notebook users."""
    from rdflib import Graph

    g = Graph()
    for name, ns in prefixes(kg, base).items():
        g.bind(name, ns)
    qs = statements(kg, base) if qs is None else qs
    g.addN((_to_rdflib(q.subject), _to_rdflib(q.predicate), _to_rdflib(q.object), g) for q in ox_quads(qs))
    return g


def to_turtle(kg, base: str | None = None) -> str:
    return serialize(kg, "turtle", base).decode("utf-8")
