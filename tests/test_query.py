"""kg query: the example queries answer over the seeds, every output format, bound values, errors."""
from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import run_kg


def query(seeds_build, name, *args):
    res = run_kg("query", str(seeds_build / "graph.ttl"), "--file", f"queries/{name}.rq", "--format", "json", *args)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def test_officials_of_region(seeds_build):
    rows = query(seeds_build, "officials_of_region", "--bind", "region=辽宁省")
    assert {"person": "胡异冲", "title": "厅长", "organization": "辽宁省工业和信息化厅", "region": "辽宁省"} in rows
    # a city-level official is found through the city's place in the province
    assert any(r["organization"].startswith("中共") and "市委员会" in r["organization"] for r in rows)


def test_located_in_city_includes_districts(seeds_build):
    rows = query(seeds_build, "located_in_city", "--bind", "city=沈阳市")
    assert rows and all(r["city"] == "沈阳市" for r in rows)
    assert any(r["place"] != "沈阳市" for r in rows), "nothing from inside the city was found"


def test_posts_of_person(seeds_build):
    rows = query(seeds_build, "posts_of_person", "--bind", "person=胡异冲")
    assert {r["title"] for r in rows} >= {"厅长", "党组书记"}
    assert all(r["headline"] for r in rows)


def test_initiatives_by_region(seeds_build):
    rows = query(seeds_build, "initiatives_by_region")
    counts = [int(r["initiatives"]) for r in rows]
    assert counts == sorted(counts, reverse=True) and counts[0] >= 2
    assert any(r["region"] == "辽宁省" for r in rows)


def test_top_organizations(seeds_build):
    rows = query(seeds_build, "top_organizations")
    assert int(rows[0]["officials"]) >= 2
    assert len(rows[0]["who"].split("、")) == int(rows[0]["officials"])


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv"])
def test_output_formats(seeds_build, fmt):
    res = run_kg("query", str(seeds_build / "graph.ttl"), "--file", "queries/posts_of_person.rq",
                 "--bind", "person=胡异冲", "--format", fmt)
    assert res.returncode == 0, res.stderr
    if fmt == "table":
        assert "厅长" in res.stdout and "(2 rows)" in res.stdout or "rows)" in res.stdout
    else:
        rows = list(csv.reader(io.StringIO(res.stdout), delimiter="," if fmt == "csv" else "\t"))
        assert rows[0] == ["person", "title", "organization", "headline"]
        assert any(r[1] == "厅长" for r in rows[1:])


def test_bad_sparql_gets_parser_message(seeds_build):
    res = run_kg("query", str(seeds_build / "graph.ttl"), "SELEC ?x WHERE {}")
    assert res.returncode == 1
    assert res.stderr.startswith("Error: SPARQL syntax error") and "Traceback" not in res.stderr


def test_bound_value_is_never_sparql(seeds_build):
    hostile = 'x" } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #'
    rows = query(seeds_build, "posts_of_person", "--bind", f"person={hostile}")
    assert rows == []
