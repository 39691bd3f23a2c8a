"""SPARQL over a built graph (pyoxigraph), results as an aligned table, CSV, TSV or JSON.

Our vocabulary prefixes (kgo:, org:, schema:, prov:, skos:, nif:, rdfs: …) are predeclared, so a
query may use them without PREFIX lines. Values from users go in as bound variables
(``bindings``), never pasted into the query text.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass

import pyoxigraph as ox

from .errors import InputError
from .export.rdf import IRI_KINDS, PREFIXES
from .vocab import DEFAULT_BASE

DEFAULT_PREFIXES = {**PREFIXES, "owl": "http://www.w3.org/2002/07/owl#", "kg": DEFAULT_BASE,
                    **{kind: DEFAULT_BASE + kind + "/" for kind in IRI_KINDS}}
OUTPUT_FORMATS = ("table", "csv", "tsv", "json")


@dataclass
class Result:
    """A query's answer: column names and rows of terms (SELECT), a boolean (ASK) or triples."""

    variables: list[str]
    rows: list[list]
    boolean: bool | None = None
    triples: list | None = None


def run_query(store: ox.Store, sparql: str, bindings: dict[str, str] | None = None) -> Result:
    """Run SPARQL; ``bindings`` maps variable names to literal values (a user's search term)."""
    subs = {ox.Variable(k): ox.Literal(v, language="zh") if not v.isascii() else ox.Literal(v)
            for k, v in (bindings or {}).items()}
    try:
        res = store.query(sparql, prefixes=DEFAULT_PREFIXES, use_default_graph_as_union=True,
                          substitutions=subs or None)
    except SyntaxError as exc:
        raise InputError(f"SPARQL syntax error: {exc}") from None
    except (OSError, ValueError, RuntimeError) as exc:  # e.g. a bound variable the query does not project
        raise InputError(f"SPARQL query failed: {exc}") from None
    if isinstance(res, ox.QueryBoolean):
        return Result(["ask"], [[ox.Literal(str(bool(res)).lower())]], boolean=bool(res))
    if isinstance(res, ox.QuerySolutions):
        names = [v.value for v in res.variables]
        return Result(names, [[sol[n] for n in names] for sol in res])
    triples = list(res)
    return Result(["subject", "predicate", "object"], [[t.subject, t.predicate, t.object] for t in triples],
                  triples=triples)


def compact(term) -> str:
    """A term as a person reads it: prefixed IRIs, bare literal values, '' for unbound."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        best = ""
        for name, ns in DEFAULT_PREFIXES.items():
            if term.value.startswith(ns) and len(ns) > len(best):
                best, pick = ns, name
        return f"{pick}:{term.value[len(best):]}" if best else f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cell(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_result(result: Result, fmt: str = "table") -> str:
    if result.triples is not None and fmt != "table":
        return ox.serialize(result.triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    if fmt == "json":
        if result.boolean is not None:
            return json.dumps({"boolean": result.boolean})
        return json.dumps([{v: compact(t) for v, t in zip(result.variables, row) if t is not None}
                           for row in result.rows], ensure_ascii=False, indent=1)
    if fmt in ("csv", "tsv"):
        import csv
        import io

        buf = io.StringIO()
        w = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        w.writerow(result.variables)
        for row in result.rows:
            w.writerow([compact(t) if fmt == "csv" else compact(t).replace("\t", " ").replace("\n", " ")
                        for t in row])
        return buf.getvalue().rstrip("\n")
    cells = [[_cell(compact(t)) for t in row] for row in result.rows]
    widths = [max([_width(v)] + [_width(r[i]) for r in cells]) for i, v in enumerate(result.variables)]
    lines = ["  ".join(v + " " * (w - _width(v)) for v, w in zip(result.variables, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for r in cells:
        lines.append("  ".join(v + " " * (w - _width(v)) for v, w in zip(r, widths)).rstrip())
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines)
