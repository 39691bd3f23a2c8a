"""Vocabularies as objects (rdflib namespaces) and the one function that mints IRIs."""
from __future__ import annotations

import functools
import re

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace, ORG, PROV, RDF, RDFS, SDO, SKOS, XSD  # noqa: F401

DEFAULT_BASE = "https://w3id.org/policy-kg/id/"
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
ITSRDF = Namespace("http://www.w3.org/2005/11/its/rdf#")  # itsrdf:taIdentRef links a NIF span to its entity


class KGO(DefinedNamespace):
    """The policy-kg ontology (ontology/policy-kg.ttl); a misspelt term raises AttributeError."""

    _fail = True
    _NS = Namespace("https://w3id.org/policy-kg/ontology#")

    Person: URIRef
    Organization: URIRef
    Region: URIRef
    Project: URIRef
    Initiative: URIRef
    Mention: URIRef
    locatedIn: URIRef
    promotedBy: URIRef
    mentionedIn: URIRef
    sourceFile: URIRef
    startOffset: URIRef
    endOffset: URIRef
    mentionCount: URIRef
    inferredFromGazetteer: URIRef
    evidence: URIRef
    inferredYear: URIRef


UNSAFE = re.compile(r"[^\w\-.~]")  # \w is str.isalnum() plus "_": letters of any script stay


def _percent(m: re.Match) -> str:
    return "".join(f"%{b:02X}" for b in m.group().encode("utf-8", "surrogatepass"))


@functools.lru_cache(maxsize=1 << 18)
def slug(text: str) -> str:
    """Readable IRI segment: letters (Chinese included), digits and -_.~ stay, the rest is percent-encoded."""
    return UNSAFE.sub(_percent, text) or "_"


def mint_str(base: str, *parts: str) -> str:
    """The IRI for ``parts`` under ``base``, as a plain string (for the fast RDF path)."""
    return base + "/".join([slug(p) for p in parts])


def mint(base: str, *parts: str) -> URIRef:
    return URIRef(mint_str(base, *parts))
