"""SHACL validation of a built graph (pyshacl) against ontology/shapes.ttl, reported readably."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .store import shapes_file, syntax_of

RDFLIB_FORMAT = {".ttl": "turtle", ".trig": "trig", ".nt": "nt", ".nq": "nquads", ".jsonld": "json-ld",
                 ".json": "json-ld", ".rdf": "xml", ".owl": "xml"}


@dataclass
class Violation:
    severity: str
    shape: str
    path: str
    message: str
    focus: list[str] = field(default_factory=list)


@dataclass
class Report:
    conforms: bool
    violations: list[Violation]

    def format(self, examples: int = 3) -> str:
        if self.conforms:
            return "conforms: every shape holds"
        total = sum(len(v.focus) for v in self.violations)
        lines = [f"does not conform: {total} result(s) in {len(self.violations)} kind(s)"]
        for v in self.violations:
            lines.append(f"{v.severity:<9} {len(v.focus):>5} × {v.shape}  path {v.path or '-'}: {v.message}")
            for f in v.focus[:examples]:
                lines.append(f"              e.g. {f}")
        return "\n".join(lines)


def validate(graph_path: str, shapes: str | None = None) -> Report:
    import pyshacl
    from rdflib import Graph
    from rdflib.namespace import SH

    syntax_of(graph_path)  # a clear message for an unknown extension
    fmt = RDFLIB_FORMAT[Path(graph_path).suffix.lower()]
    data = Graph() if fmt not in ("trig", "nquads") else None
    try:
        if data is None:
            from rdflib import Dataset

            ds = Dataset()
            ds.parse(graph_path, format=fmt)
            data = Graph()
            for s, p, o, _ in ds.quads():
                data.add((s, p, o))
        else:
            data.parse(graph_path, format=fmt)
    except FileNotFoundError:
        raise InputError(f"{graph_path}: no such graph file") from None
    except Exception as exc:  # rdflib raises many parser exception types
        raise InputError(f"{graph_path}: not a readable graph ({type(exc).__name__}: {exc})") from None
    sg = Graph().parse(shapes_file(shapes), format="turtle")
    sg.bind("kgs", "https://w3id.org/policy-kg/shapes#")
    conforms, results, _ = pyshacl.validate(data, shacl_graph=sg, inference="none", advanced=True)
    grouped: dict[tuple, Violation] = {}
    for r in results.subjects(predicate=SH.resultSeverity):
        sev = str(results.value(r, SH.resultSeverity)).rsplit("#", 1)[-1]
        shape = results.value(r, SH.sourceShape)
        node_shape = next((s for s in sg.subjects(SH.property, shape)), shape)
        path = results.value(r, SH.resultPath)
        component = str(results.value(r, SH.sourceConstraintComponent) or "").rsplit("#", 1)[-1]
        key = (sev, _short(sg, node_shape), _short(data, path) if path is not None else "", component)
        v = grouped.get(key)
        if v is None:  # pyshacl's message names the focus node; keep the first as the example
            msg = str(results.value(r, SH.resultMessage) or "")
            v = grouped[key] = Violation(sev, key[1], key[2], f"{component}: {msg}")
        v.focus.append(_short(data, results.value(r, SH.focusNode)))
    violations = sorted(grouped.values(), key=lambda v: (-len(v.focus), v.shape, v.path, v.message))
    for v in violations:
        v.focus.sort()
    return Report(bool(conforms), violations)


def _short(graph, term) -> str:
    from rdflib import BNode

    if term is None:
        return ""
    if isinstance(term, BNode):
        return "[blank node]"
    try:
        return graph.namespace_manager.normalizeUri(term)
    except Exception:
        return str(term)
