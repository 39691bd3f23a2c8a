"""kg eval: a graph made from the gold itself scores 1.0, an empty graph 0.0, the seeds their figures."""
from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import ORG, PROV, RDF, RDFS, SDO, SKOS

from conftest import GOLD, need_gold, run_kg
from kg.evaluate import evaluate

KGO = Namespace("https://w3id.org/policy-kg/ontology#")
B = "http://example.org/gold/"


def gold_to_turtle(path) -> str:
    """The gold files as a graph in the contract's vocabulary (written here, independently of kg.export)."""
    g = Graph()
    ids = {}
    art = URIRef(B + "article")
    g.add((art, RDF.type, SDO.NewsArticle))
    for f in sorted(path.glob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        for e in data["entities"]:
            iri = ids.setdefault(e["name"], URIRef(B + f"e{len(ids)}"))
            g.add((iri, RDF.type, KGO[e["type"]]))
            g.add((iri, RDFS.label, Literal(e["name"], lang="zh")))
            for a in e.get("aliases", []):
                g.add((iri, SKOS.altLabel, Literal(a, lang="zh")))
            g.add((iri, PROV.wasDerivedFrom, art))
        for i, p in enumerate(data.get("positions", [])):
            m = URIRef(B + f"m/{f.stem}/{i}")
            role = URIRef(B + "role/" + str(abs(hash(p["title"]))))
            g.add((m, RDF.type, ORG.Membership))
            g.add((m, ORG.member, ids[p["person"]]))
            g.add((m, ORG.organization, ids[p["org"]]))
            g.add((m, ORG.role, role))
            g.add((role, RDFS.label, Literal(p["title"], lang="zh")))
        for r in data.get("located_in", []):
            g.add((ids[r["entity"]], KGO.locatedIn, ids[r["region"]]))
        for r in data.get("part_of", []):
            g.add((ids[r["region"]], SDO.containedInPlace, ids[r["parent"]]))
        for r in data.get("promoted_by", []):
            g.add((ids[r["initiative"]], KGO.promotedBy, ids[r["agent"]]))
    return g.serialize(format="turtle")


def test_gold_graph_scores_one(tmp_path):
    need_gold()
    ttl = tmp_path / "gold.ttl"
    ttl.write_text(gold_to_turtle(GOLD), encoding="utf-8")
    scores = evaluate(str(ttl), str(GOLD))
    for k, s in scores.items():
        assert s["f1"] == 1.0, (k, s)


def test_empty_graph_scores_zero(tmp_path):
    need_gold()
    ttl = tmp_path / "empty.ttl"
    ttl.write_text("", encoding="utf-8")
    scores = evaluate(str(ttl), str(GOLD))
    assert all(s["f1"] == 0.0 and s["tp"] == 0 for s in scores.values())


def test_eval_cli_prints_table(seeds_build):
    need_gold()
    res = run_kg("eval", str(seeds_build / "graph.ttl"), "--gold", str(GOLD))
    assert res.returncode == 0, res.stderr
    for row in ("entities (typed)", "positions", "located_in", "part_of", "promoted_by"):
        assert row in res.stdout
    res = run_kg("eval", str(seeds_build / "graph.ttl"), "--gold", str(GOLD), "--json")
    assert json.loads(res.stdout)["positions"]["gold"] > 0


# The extraction issue's targets, asserted as they are stated (typed F1 and each type; the relations).
TARGETS = {"entities (typed)": 0.85, "positions": 0.90, "part_of": 0.90, "located_in": 0.70, "promoted_by": 0.60,
           "  Person": 0.75, "  Region": 0.75, "  Organization": 0.75, "  Project": 0.75, "  Initiative": 0.75}
# Floors just under the seeds' current scores, so a change that loses ground fails (README "Quality").
FLOORS = {"entities (typed)": 0.87, "positions": 0.95, "part_of": 0.91, "located_in": 0.78, "promoted_by": 0.68,
          "  Person": 0.94, "  Region": 0.92, "  Organization": 0.86, "  Project": 0.85, "  Initiative": 0.83}


@pytest.mark.parametrize("row", sorted(TARGETS))
def test_seed_scores_meet_the_targets(seeds_build, row):
    need_gold()
    scores = evaluate(str(seeds_build / "graph.ttl"), str(GOLD))
    assert scores[row]["f1"] >= TARGETS[row], scores[row]


@pytest.mark.parametrize("row", sorted(FLOORS))
def test_seed_scores_do_not_regress(seeds_build, row):
    need_gold()
    scores = evaluate(str(seeds_build / "graph.ttl"), str(GOLD))
    assert scores[row]["f1"] >= FLOORS[row], scores[row]


def test_scores_do_not_depend_on_hash_seed(seeds_build):
    """Regression: the one-to-one matching once broke ties by set order, so scores moved between runs."""
    import os
    import subprocess
    import sys

    need_gold()
    outs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        res = subprocess.run([sys.executable, "-m", "kg", "eval", str(seeds_build / "graph.ttl"), "--gold", str(GOLD),
                              "--json"], capture_output=True, text=True, env=env, timeout=300)
        assert res.returncode == 0, res.stderr
        outs.append(json.loads(res.stdout))
    assert outs[0] == outs[1]
