"""RDF speed: kg's own Turtle writer, pyoxigraph and rdflib's default store on the graph `kg build`
makes of a corpus.

Measures, in one run over the same statements: serialising Turtle (kg's string writer; pyoxigraph
from its terms, counting the terms' construction; rdflib), parsing it back, and a join query
(officials with their posts and the region their organisation sits in). Run by hand:

    python benchmarks/rdf_speed.py ../shared/benchmarks/pd1998/articles
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import rdflib

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from kg.export.rdf import ox_quads, prefixes, serialize, statements, to_rdf  # noqa: E402
from kg.pipeline import run  # noqa: E402

JOIN = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX kgo: <https://w3id.org/policy-kg/ontology#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
SELECT ?person ?title ?org ?text WHERE {
  ?m org:member/rdfs:label ?person ; org:role/rdfs:label ?title ; org:organization ?o ; kgo:evidence ?s .
  ?o rdfs:label ?org . ?s nif:anchorOf ?text .
  ?mention <http://www.w3.org/2005/11/its/rdf#taIdentRef> ?o ; nif:sentence ?s2 .
}"""


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inputs", nargs="+")
    args = ap.parse_args()
    kg, _ = run(args.inputs)
    qs, t_quads = timed(lambda: statements(kg))
    n = len({q[:3] for q in qs})
    rows = []
    ttl_ox, t = timed(lambda: serialize(kg, "turtle", qs=qs))
    rows.append(("serialise Turtle", "kg writer", t))

    def with_oxigraph():
        triples = list(dict.fromkeys(q.triple for q in sorted(ox_quads(qs), key=lambda q: q.subject.value)))
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes(kg))

    _, t = timed(with_oxigraph)
    rows.append(("serialise Turtle", "pyoxigraph", t))
    g, t1 = timed(lambda: to_rdf(kg, qs=qs))
    ttl_rdflib, t2 = timed(lambda: g.serialize(format="turtle"))
    rows.append(("serialise Turtle", "rdflib", t1 + t2))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "graph.ttl"
        path.write_bytes(ttl_ox)
        store = ox.Store()
        _, t = timed(lambda: store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE))
        rows.append(("parse Turtle", "pyoxigraph", t))
        g2 = rdflib.Graph()
        _, t = timed(lambda: g2.parse(path, format="turtle"))
        rows.append(("parse Turtle", "rdflib", t))
    r_ox, t = timed(lambda: len(list(store.query(JOIN))))
    rows.append(("join query", "pyoxigraph", t))
    r_rl, t = timed(lambda: len(list(g2.query(JOIN))))
    rows.append(("join query", "rdflib", t))
    assert r_ox == r_rl, (r_ox, r_rl)
    print(f"{len(kg.articles)} articles, {n} triples; statements built in {t_quads:.2f} s; join answers {r_ox} rows")
    print(f"{'operation':<18}{'engine':<12}{'seconds':>9}{'triples/s':>12}{'× pyoxigraph':>14}")
    base = {op: s for op, eng, s in rows if eng == "pyoxigraph"}
    for op, eng, s in rows:
        print(f"{op:<18}{eng:<12}{s:>9.2f}{n / s if s else 0:>12,.0f}{s / base[op] if base[op] else 0:>14.1f}")


if __name__ == "__main__":
    main()
