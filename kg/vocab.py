"""Vocabularies as objects (namespaces whose attributes are their terms) and the one function that mints IRIs.

Modelled on rdflib's ``Namespace`` and ``DefinedNamespace`` but plain strings, so that a build does not
import rdflib (0.05–0.1 s at every start, on the critical path of a re-build); rdflib is loaded only where
its objects are handed out (``mint``, ``KnowledgeGraph.to_rdf``, ``kg validate``). Each namespace is closed:
it knows the terms the graph uses, and a misspelt one raises AttributeError instead of minting a wrong IRI.
"""
from __future__ import annotations

import functools
import re

from .regexes import compiled


class Namespace(str):
    """An IRI namespace (the string is its IRI) whose attributes are its declared terms, as strings."""

    def __new__(cls, iri: str, terms: str = ""):
        ns = super().__new__(cls, iri)
        ns._terms = frozenset(terms.split())
        return ns

    def __getattr__(self, name: str) -> str:
        if name.startswith("_") or name not in self._terms:
            raise AttributeError(f"{name!r} is not a term of {str(self)} declared in kg/vocab.py")
        return str(self) + name


DEFAULT_BASE = "https://w3id.org/policy-kg/id/"

# The policy-kg ontology (ontology/policy-kg.ttl)
KGO = Namespace("https://w3id.org/policy-kg/ontology#",
                "Person Organization Region Project Initiative Mention locatedIn promotedBy mentionedIn sourceFile "
                "startOffset endOffset mentionCount inferredFromGazetteer evidence inferredYear")
ORG = Namespace("http://www.w3.org/ns/org#", "Membership member organization role Role")
PROV = Namespace("http://www.w3.org/ns/prov#", "wasDerivedFrom")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "type Statement subject predicate object")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#", "label subClassOf subPropertyOf")
SDO = Namespace("https://schema.org/", "NewsArticle headline author datePublished isPartOf containedInPlace location")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#", "altLabel notation")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#", "string integer nonNegativeInteger boolean date gYear")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
                "Context Phrase Sentence isString beginIndex endIndex anchorOf referenceContext sentence")
ITSRDF = Namespace("http://www.w3.org/2005/11/its/rdf#", "taIdentRef")  # itsrdf:taIdentRef links a NIF span to its entity


UNSAFE = compiled(r"[^\w\-.~]")  # \w is str.isalnum() plus "_": letters of any script stay


def _percent(m: re.Match) -> str:
    return "".join(f"%{b:02X}" for b in m.group().encode("utf-8", "surrogatepass"))


@functools.lru_cache(maxsize=1 << 18)
def slug(text: str) -> str:
    """Readable IRI segment: letters (Chinese included), digits and -_.~ stay, the rest is percent-encoded. Most
    names are letters and digits only (``str.isalnum``: each character one ``\\w`` matches), and stay whole
    without a regex pass: a quarter of the time of minting an entity's IRI."""
    if text.isalnum():
        return text
    return UNSAFE.sub(_percent, text) or "_"


def mint_str(base: str, *parts: str) -> str:
    """The IRI for ``parts`` under ``base``, as a plain string (for the fast RDF path)."""
    return base + "/".join([slug(p) for p in parts])


def mint(base: str, *parts: str):
    """The IRI for ``parts`` under ``base``, as an rdflib URIRef."""
    from rdflib import URIRef

    return URIRef(mint_str(base, *parts))
