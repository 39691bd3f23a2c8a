"""Vocabularies as objects (rdflib namespaces) and the one function that mints IRIs."""
from __future__ import annotations

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


def _safe(ch: str) -> bool:
    return ch.isalnum() or ch in "-_.~"


def slug(text: str) -> str:
    """Readable IRI segment: letters (Chinese included) and digits stay, the rest is percent-encoded."""
    out = []
    for ch in text:
        if _safe(ch) and ch.isprintable():
            out.append(ch)
        else:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass")))
    return "".join(out) or "_"


def mint(base: str, *parts: str) -> URIRef:
    return URIRef(base + "/".join(slug(p) for p in parts))
