"""Loading a built graph (any RDF syntax we write) plus the ontology into pyoxigraph, for the
commands that read graphs back: eval, query, validate, view."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from .errors import InputError

SYNTAX = {".ttl": ox.RdfFormat.TURTLE, ".trig": ox.RdfFormat.TRIG, ".nt": ox.RdfFormat.N_TRIPLES,
          ".nq": ox.RdfFormat.N_QUADS, ".jsonld": ox.RdfFormat.JSON_LD, ".json": ox.RdfFormat.JSON_LD,
          ".rdf": ox.RdfFormat.RDF_XML, ".owl": ox.RdfFormat.RDF_XML}
PROJECT_ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
SHAPES = "shapes.ttl"


def syntax_of(path: str | Path) -> ox.RdfFormat:
    fmt = SYNTAX.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unknown RDF syntax; name it .ttl, .trig, .nt, .nq or .jsonld")
    return fmt


def load_store(graph_path: str, ontology_dir: str | None = None, with_ontology: bool = True) -> ox.Store:
    """An in-memory store with the graph (all its named graphs) and the ontology in the default graph.
    Query it with ``use_default_graph_as_union=True`` to see a TriG file's article graphs too."""
    store = ox.Store()
    p = Path(graph_path)
    if not p.is_file():
        raise InputError(f"{graph_path}: no such graph file")
    fmt = syntax_of(p)
    try:
        store.bulk_load(path=str(p), format=fmt)
    except (SyntaxError, ValueError, OSError) as exc:
        raise InputError(f"{graph_path}: not a readable {fmt.name} graph ({exc})") from None
    if with_ontology:
        for onto in ontology_files(ontology_dir):
            store.bulk_load(path=str(onto), format=ox.RdfFormat.TURTLE)
    return store


def ontology_files(ontology_dir: str | None = None) -> list[Path]:
    """--ontology, else the project's ontology/ beside the package (vocabulary only, not the SHACL
    shapes). The graph types its entities with the contract's classes directly, so contract queries
    answer the same without it; subclasses and property hierarchies need it."""
    if ontology_dir:
        if not Path(ontology_dir).is_dir():
            raise InputError(f"{ontology_dir}: no such ontology directory")
        root = Path(ontology_dir)
    else:
        root = PROJECT_ONTOLOGY
    return sorted(p for p in root.glob("*.ttl") if p.name != SHAPES) if root.is_dir() else []


def shapes_file(path: str | None = None) -> Path:
    p = Path(path) if path else PROJECT_ONTOLOGY / SHAPES
    if not p.is_file():
        raise InputError(f"{p}: no such SHACL shapes file")
    return p
