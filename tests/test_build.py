"""kg build on the seeds: the Turtle parses in rdflib and pyoxigraph and answers every contract query."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from importlib import resources

from conftest import ALL_FORMATS, ROOT, CONTRACT, run_kg

QUERIES = ["entities.rq", "positions.rq", "located_in.rq", "part_of.rq", "promoted_by.rq", "provenance.rq"]


def query_text(name: str) -> str:
    p = CONTRACT / name
    if p.is_file():
        return p.read_text(encoding="utf-8")
    return (resources.files("kg") / "data" / "contract" / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", QUERIES)
def test_contract_query_has_answers(seeds_graph, name):
    rows = list(seeds_graph.query(query_text(name)))
    assert rows, f"{name} returned nothing"


def test_packaged_contract_matches_shared():
    for name in QUERIES:
        if (CONTRACT / name).is_file():
            packaged = (resources.files("kg") / "data" / "contract" / name).read_text(encoding="utf-8")
            assert packaged == (CONTRACT / name).read_text(encoding="utf-8"), name


def test_official_holds_post_at_department(seeds_graph):
    rows = seeds_graph.query(query_text("positions.rq"))
    names = {}
    for s, p, o in seeds_graph.triples((None, None, None)):
        if str(p).endswith("#label") or str(p).endswith("#altLabel"):
            names.setdefault(s, set()).add(str(o))
    hits = [(r.person, r.org) for r in rows if "胡异冲" in names.get(r.person, ()) and str(r.title) == "厅长"]
    assert hits, "胡异冲 should hold 厅长"
    assert any("省工业和信息化厅" in names[org] for _, org in hits)


def test_city_contained_in_province(seeds_graph):
    q = """PREFIX schema: <https://schema.org/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    ASK { ?c rdfs:label "葫芦岛市"@zh ; schema:containedInPlace ?p . ?p rdfs:label "辽宁省"@zh }"""
    assert seeds_graph.query(q).askAnswer


def test_region_codes_are_gbt2260(seeds_graph):
    q = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT ?code WHERE { ?r rdfs:label "沈阳市"@zh ; skos:notation ?code }"""
    assert [str(r.code) for r in seeds_graph.query(q)] == ["210100"]


def test_pyoxigraph_parses_and_answers_same(seeds_build, seeds_graph):
    store = ox.Store()
    store.bulk_load(path=str(seeds_build / "graph.ttl"), format=ox.RdfFormat.TURTLE)
    for onto in sorted((Path(__file__).parent.parent / "ontology").glob("*.ttl")):
        store.bulk_load(path=str(onto), format=ox.RdfFormat.TURTLE)
    for name in QUERIES:
        q = query_text(name)
        res = store.query(q)
        vars_ = [v.value for v in res.variables]
        ox_rows = {tuple(row[v].value for v in vars_) for row in res}
        rdflib_rows = {tuple(str(x) for x in r) for r in seeds_graph.query(q)}
        assert ox_rows == rdflib_rows, name


def test_build_summary_and_report(seeds_build):
    import json

    report = json.loads((seeds_build / "report.json").read_text(encoding="utf-8"))
    assert report["articles"] >= 30 and report["province"] == "辽宁省"
    assert set(report["entities"]) == {"Person", "Organization", "Region", "Project", "Initiative"}


def test_python_api_builds_graph():
    import kg

    graph = kg.build(["seeds/000_a06d24ae3cd6fbd4.txt"])
    g = graph.to_networkx()
    assert any(d["name"] == "胡异冲" and d["type"] == "Person" for _, d in g.nodes(data=True))
    assert len(graph.to_rdf()) > 100


def test_same_input_same_bytes(tmp_path, seeds_build):
    """Every output format, built again in a process with another hash seed, is byte-identical."""
    import os
    import subprocess
    import sys

    out = tmp_path / "again"
    env = dict(os.environ, PYTHONHASHSEED="12345")
    res = subprocess.run([sys.executable, "-m", "kg", "build", "seeds", "-o", str(out), *ALL_FORMATS],
                         capture_output=True, text=True, env=env, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    names = ["graph.ttl", "graph.trig", "graph.nq", "graph.nt", "graph.jsonld", "graph.graphml", "graph.html"]
    for name in names:
        assert (out / name).read_bytes() == (seeds_build / name).read_bytes(), name
