"""The RDF a triple store gets: every syntax parses strictly, SHACL holds, spans slice back, named
graphs per article, and the same answers in rdflib, embedded pyoxigraph and an Oxigraph server."""
from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.parse
import urllib.request

import pyoxigraph as ox
import kg
import pytest
import rdflib
import rdflib.compare

from conftest import CONTRACT, INTERLEAVING_PAGE, ROOT, SEEDS, need_tool, run_kg

ARTICLE_COUNT_QUERY = "SELECT (COUNT(?a) AS ?n) WHERE { ?a a <https://schema.org/NewsArticle> }"


@pytest.mark.parametrize("name,syntax", [("graph.ttl", "turtle"), ("graph.trig", "trig"), ("graph.nt", "ntriples"),
                                         ("graph.nq", "nquads")])
def test_rapper_strict_parse(seeds_build, name, syntax):
    """Debian's raptor (an independent parser) accepts every file with the number of triples we wrote."""
    rapper = need_tool("rapper")
    res = subprocess.run([rapper, "-i", syntax, "-c", str(seeds_build / name)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    count = int(res.stderr.strip().rsplit("returned", 1)[1].split()[0])
    report = json.loads((seeds_build / "report.json").read_text(encoding="utf-8"))
    assert count >= report["triples"] > 1000


def test_all_syntaxes_hold_the_same_graph(seeds_build):
    ttl = rdflib.Graph().parse(seeds_build / "graph.ttl", format="turtle")
    for name, fmt in (("graph.nt", "nt"), ("graph.jsonld", "json-ld")):
        other = rdflib.Graph().parse(seeds_build / name, format=fmt)
        assert rdflib.compare.isomorphic(ttl, other), name
    union = {q.triple for q in ox.parse(path=str(seeds_build / "graph.trig"), format=ox.RdfFormat.TRIG)}
    assert union == {q.triple for q in ox.parse(path=str(seeds_build / "graph.ttl"), format=ox.RdfFormat.TURTLE)}


def test_trig_has_one_named_graph_per_article(seeds_build):
    store = ox.Store()
    store.bulk_load(path=str(seeds_build / "graph.trig"), format=ox.RdfFormat.TRIG)
    graphs = {g.value for g in store.named_graphs()}
    articles = {r["a"].value for r in store.query("SELECT ?a WHERE { ?a a <https://schema.org/NewsArticle> }")}
    assert graphs and graphs <= articles
    report = json.loads((seeds_build / "report.json").read_text(encoding="utf-8"))
    assert len(articles) == report["articles"]
    # merged entities live in the default graph; each article's graph holds its mentions
    rows = list(store.query("""SELECT ?g (COUNT(?m) AS ?n) WHERE { GRAPH ?g { ?m a <https://w3id.org/policy-kg/ontology#Mention> } }
                               GROUP BY ?g"""))
    assert {r["g"].value for r in rows} == graphs
    assert not bool(store.query("ASK { GRAPH ?g { ?e a <https://w3id.org/policy-kg/ontology#Person> } }"))


def test_graphml_loads_in_networkx(seeds_build):
    import networkx as nx

    g = nx.read_graphml(seeds_build / "graph.graphml")
    report = json.loads((seeds_build / "report.json").read_text(encoding="utf-8"))
    assert g.number_of_nodes() == sum(report["entities"].values())
    assert any(d.get("label") == "胡异冲" and d.get("type") == "Person" for _, d in g.nodes(data=True))


def test_jsonld_context_file_compacts(seeds_build):
    ctx = json.loads((seeds_build / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    doc = json.loads((seeds_build / "graph.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"] == ctx and ctx["kgo"] == "https://w3id.org/policy-kg/ontology#"


def test_every_mention_span_slices_its_source(seeds_build):
    """NIF: anchorOf == the context's isString[beginIndex:endIndex] for every mention and sentence."""
    g = ox.Store()
    g.bulk_load(path=str(seeds_build / "graph.ttl"), format=ox.RdfFormat.TURTLE)
    nif = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
    rows = list(g.query(f"""SELECT ?text ?b ?e ?anchor WHERE {{
        ?m <{nif}referenceContext> ?c ; <{nif}beginIndex> ?b ; <{nif}endIndex> ?e ; <{nif}anchorOf> ?anchor .
        ?c <{nif}isString> ?text }}"""))
    assert len(rows) > 500
    for r in rows:
        assert r["text"].value[int(r["b"].value):int(r["e"].value)] == r["anchor"].value


def test_fact_leads_to_its_sentence_in_one_query(seeds_build):
    res = run_kg("query", str(seeds_build / "graph.ttl"), "--file", "queries/sentences_behind_fact.rq",
                 "--bind", "name=胡异冲", "--format", "json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert any("厅长" in r["fact"] and "胡异冲" in r["sentence"] for r in rows)


def test_seeds_graph_conforms_to_shapes(seeds_build):
    res = run_kg("validate", str(seeds_build / "graph.ttl"))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "conforms" in res.stdout


def test_broken_graph_does_not_conform(seeds_build, tmp_path):
    g = rdflib.Graph().parse(seeds_build / "graph.ttl", format="turtle")
    ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
    SKOS = rdflib.namespace.SKOS
    m = next(g.subjects(rdflib.RDF.type, ORG.Membership))
    g.remove((m, ORG.role, None))
    region = next(g.subjects(SKOS.notation, None))
    g.set((region, SKOS.notation, rdflib.Literal("21A100")))
    bad = tmp_path / "broken.ttl"
    g.serialize(bad, format="turtle")
    res = run_kg("validate", str(bad))
    assert res.returncode == 1
    assert "MembershipShape" in res.stdout and "org:role" in res.stdout
    assert "RegionShape" in res.stdout and "skos:notation" in res.stdout
    assert "Traceback" not in res.stderr


def test_dates_read_from_article_head(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("省政府召开常务会议\n（二〇二五年三月五日）\n会议研究了工作。\n", encoding="utf-8")
    src2 = tmp_path / "b.txt"
    src2.write_text("我省推进工作\n2024年3月，全省完成任务。2024年底前再推进。\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_kg("build", str(tmp_path), "-o", str(out)).returncode == 0
    g = rdflib.Graph().parse(out / "graph.ttl", format="turtle")
    SDO = rdflib.Namespace("https://schema.org/")
    KGO = rdflib.Namespace("https://w3id.org/policy-kg/ontology#")
    assert {str(d) for d in g.objects(None, SDO.datePublished)} == {"2025-03-05"}
    assert {str(d) for d in g.objects(None, KGO.inferredYear)} == {"2024"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rows_rdflib(graph, query):
    return sorted(tuple(str(v) if v is not None else "" for v in row) for row in graph.query(query))


@pytest.fixture
def oxigraph_server(seeds_build):
    exe = need_tool("oxigraph")
    port = _free_port()
    proc = subprocess.Popen([exe, "serve", "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/query?query=" + urllib.parse.quote("ASK {}"), timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        files = [seeds_build / "graph.ttl"] + sorted(p for p in (ROOT / "ontology").glob("*.ttl") if p.name != "shapes.ttl")
        for f in files:
            req = urllib.request.Request(url + "/store?default", data=f.read_bytes(), method="POST",
                                         headers={"Content-Type": "text/turtle"})
            assert urllib.request.urlopen(req, timeout=30).status in (200, 201, 204)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_contract_answers_same_in_oxigraph_server(oxigraph_server, seeds_graph):
    """A real SPARQL server started here answers every contract query as rdflib does."""
    for rq in sorted(CONTRACT.glob("*.rq")):
        query = rq.read_text(encoding="utf-8")
        req = urllib.request.Request(oxigraph_server + "/query", data=query.encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/sparql-query",
                                              "Accept": "application/sparql-results+json"})
        body = json.load(urllib.request.urlopen(req, timeout=60))
        names = body["head"]["vars"]
        server = sorted(tuple(b.get(n, {}).get("value", "") for n in names) for b in body["results"]["bindings"])
        local = _rows_rdflib(seeds_graph, query)
        assert server == local and server, rq.name


@pytest.mark.parametrize("local", ["张三", "a.b", "end.", "-lead", "x%41y", "%E4%B8%89", "²", "a×b", "a·b", "_", "7天"])
def test_turtle_writer_compacts_only_valid_local_names(tmp_path, local):
    # kg writes Turtle itself (tuples of N-Triples terms → prefixed names); a local name Turtle does
    # not allow after a prefix must stay a full IRI, and every syntax must hold the same triples.
    from types import SimpleNamespace

    from kg.export.rdf import literal, serialize

    base = "https://example.org/id/"
    s = f"<{base}person/{local}>"
    qs = [(s, "<http://www.w3.org/2000/01/rdf-schema#label>", literal('say "hi"\\\n\t\x00\x7f', "zh"), ""),
          (s, "<http://www.w3.org/2000/01/rdf-schema#seeAlso>", f"<{base}region/{local}>", f"<{base}article/a>"),
          (s, "<https://w3id.org/policy-kg/ontology#mentionCount>",
           literal("3", datatype="http://www.w3.org/2001/XMLSchema#nonNegativeInteger"), "")]
    kg = SimpleNamespace(base=base)
    want = {q.triple for q in ox.parse(serialize(kg, "ntriples", qs=qs), format=ox.RdfFormat.N_TRIPLES)}
    assert len(want) == 3
    for fmt, syntax in (("turtle", ox.RdfFormat.TURTLE), ("trig", ox.RdfFormat.TRIG), ("nquads", ox.RdfFormat.N_QUADS)):
        data = serialize(kg, fmt, qs=qs)
        assert {q.triple for q in ox.parse(data, format=syntax)} == want, (fmt, data.decode())
    got = rdflib.Graph().parse(data=serialize(kg, "turtle", qs=qs).decode(), format="turtle")
    assert len(got) == 3
    path = tmp_path / "g.ttl"
    path.write_bytes(serialize(kg, "turtle", qs=qs))
    assert subprocess.run([need_tool("rapper"), "-q", "-c", "-i", "turtle", str(path)], capture_output=True).returncode == 0


def test_nquads_shards_hold_exactly_the_graph(seeds_build, tmp_path):
    """--shards N: N N-Quads files for bulk loaders; together the same quads as graph.nq, each file valid
    on its own; a later build with fewer shards leaves none of the earlier ones behind."""
    out = tmp_path / "o"
    for n in (5, 3):
        res = run_kg("build", str(SEEDS), "-o", str(out), "--shards", str(n), "--no-cache")
        assert res.returncode == 0, res.stderr
        parts = sorted((out / "shards").iterdir())
        assert [p.name for p in parts] == [f"graph-{i:05d}-of-{n:05d}.nq" for i in range(1, n + 1)]
    quads = []
    for p in parts:
        got = list(ox.parse(path=str(p), format=ox.RdfFormat.N_QUADS))
        assert got, p
        quads += got
    whole = list(ox.parse(path=str(seeds_build / "graph.nq"), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == len(set(quads)) == len(whole) and set(quads) == set(whole)


def test_turtle_is_the_same_whether_or_not_quads_are_written():
    # a Turtle-only build makes the union in one sort (graph_union); with quads it comes from the sorted
    # statements: the two must give the same bytes and the same triple count
    from kg.export import _rdf_files

    graph = kg.build([str(SEEDS)])
    alone, n_alone, _, _ = _rdf_files(graph, ())
    with_quads, n_quads, _, _ = _rdf_files(graph, ("nquads",))
    assert alone["graph.ttl"] == with_quads["graph.ttl"] and n_alone == n_quads > 1000


@pytest.mark.parametrize("cached", [False, True])
def test_cached_turtle_gives_the_bytes_of_the_whole_union_and_copies_unchanged_parts(tmp_path, cached):
    """graph.ttl made part by part equals the one made from the whole union, first with nothing to copy,
    then with every part copied from the previous file (its index says where); an article whose entities
    resolve differently (here: one renamed, so its IRI changes) is made again, and its blocks land between
    copied ones, and the file still equals the union's. ``cached``: built with a build cache, so that an
    article is keyed by its extraction's key (``KnowledgeGraph.digests``) and its mentions' entities."""
    from kg.export.rdf import cached_turtle, graph_union, triple_count, turtle_pieces
    from kg.pipeline import run

    graph = run([str(SEEDS)], cache_path=str(tmp_path / "cache.sqlite") if cached else None)[0]
    assert len(graph.digests) == (len(graph.articles) if cached else 0)
    union = graph_union(graph)
    whole = b"".join(turtle_pieces(graph, union))
    pieces, count, used, index = cached_turtle(graph)
    data = b"".join(pieces)
    assert data == whole and count == triple_count(union)
    blocks = used["blocks_made"]  # the merged entities' and relations' blocks
    assert used == {"reused": 0, "made": len(graph.articles), "blocks_reused": 0, "blocks_made": blocks} and blocks > 400
    _index_covers(index, [subject for subject, _ in union], data)
    pieces, count, used, again = cached_turtle(graph, (index, data))
    assert b"".join(pieces) == whole and count == triple_count(union)
    assert used == {"reused": len(graph.articles), "made": 0, "blocks_reused": blocks, "blocks_made": 0}
    assert again == index
    # rename the entity with the most mentions: every article naming it has other mention IRIs' objects
    eid, d = max(graph.nodes.items(), key=lambda nd: len(nd[1]["mentions"]))
    touched = {m.article for m in d["mentions"]}
    import networkx as nx

    graph.nx_graph = nx.relabel_nodes(graph.nx_graph, {eid: eid + "乙"})
    pieces, count, used, renamed = cached_turtle(graph, (index, data))
    data2 = b"".join(pieces)
    union2 = graph_union(graph)
    assert data2 == b"".join(turtle_pieces(graph, union2)) and count == triple_count(union2)
    assert used["made"] == len(touched) and 0 < len(touched) < len(graph.articles)
    # the renamed entity's block, and those of the relations and entities that name it, are made again
    assert 0 < used["blocks_made"] < blocks / 2 and used["blocks_reused"] + used["blocks_made"] == blocks
    # and the new file's index serves the next build in turn
    pieces, _, used, _ = cached_turtle(graph, (renamed, data2))
    assert b"".join(pieces) == data2 and used["made"] == used["blocks_made"] == 0


def _index_covers(index, subjects: list[str], data: bytes) -> None:
    """``index`` describes a file of ``subjects``' blocks (sorted) in ``data``: runs in order that end where the
    next begins and the file ends, each subject in one run, each run's bytes opening with its first subject's
    block (as written: prefixed where it can be) and closing a statement; fewer runs than subjects (an
    article's mentions make one)."""
    import re
    from bisect import bisect_right

    runs = list(zip(index.firsts, index.lasts, index.ends))
    assert runs and index.ends == sorted(set(index.ends)) and index.ends[-1] == len(data)
    assert all(f <= last for f, last, _ in runs) and all(a[1] < b[0] for a, b in zip(runs, runs[1:]))
    assert all(index.firsts[r] <= s <= index.lasts[r] for s in subjects for r in [bisect_right(index.firsts, s) - 1])
    assert {index.firsts[0], index.lasts[-1]} <= set(subjects) and len(runs) < len(subjects) / 2
    prefixes = re.findall(r"@prefix (\w*): <([^>]*)> \.", index.head)
    starts = [len(index.head.encode())] + index.ends[:-1]
    for first, start, end in zip(index.firsts, starts, index.ends):
        iri = first[1:-1]
        written = {first} | {f"{name}:{iri[len(ns):]}" for name, ns in prefixes if iri.startswith(ns)}
        chunk = bytes(data[start:end]).decode("utf-8", "surrogatepass")
        assert chunk.split(" ", 1)[0] in written and chunk.rstrip("\n").endswith(" ."), (first, chunk[:80])


def test_an_articles_turtle_is_made_again_when_its_page_changed_outside_it(tmp_path):
    """The article that states its page's whole text (the first of the file) is keyed by the hash of that text
    the build cache kept with the page, not by hashing the text again: a page whose text changed where no
    article's extraction did (text between articles) must still have that article's Turtle made again, and
    only that one."""
    from kg.export.rdf import cached_turtle
    from kg.pipeline import run
    from kg.read import text_hash

    graph = run([str(SEEDS)], cache_path=str(tmp_path / "cache.sqlite"))[0]
    pieces, _, _, index = cached_turtle(graph)
    previous = (index, b"".join(pieces))
    assert cached_turtle(graph, previous)[2]["made"] == 0
    page = max({a.doc for a in graph.articles}, key=lambda d: sum(a.doc == d for a in graph.articles))
    assert sum(a.doc == page for a in graph.articles) > 1  # (its other articles do not state the page's text)
    text = next(a.source_text for a in graph.articles if a.doc == page)
    assert graph.text_hashes[page] == text_hash(text)
    graph.text_hashes[page] = text_hash(text + "\n")  # the page as read again, one line longer
    used = cached_turtle(graph, previous)[2]
    assert (used["made"], used["reused"]) == (1, len(graph.articles) - 1)


def test_turtle_is_not_copied_from_other_rdf_code_or_another_prefix_head(monkeypatch):
    """A previous graph.ttl written by another version of the RDF writer, or under other prefixes (another
    --base), serves no part."""
    from kg.export import rdf

    graph = kg.build([str(SEEDS)])
    pieces, _, _, index = rdf.cached_turtle(graph)
    previous = (index, b"".join(pieces))
    assert rdf.cached_turtle(graph, previous)[2]["reused"] == len(graph.articles)
    other = rdf.cached_turtle(graph, previous, base="https://example.org/kg/")[2]
    assert (other["reused"], other["blocks_reused"]) == (0, 0)
    monkeypatch.setattr(rdf, "RDF_FINGERPRINT", "other code")
    used = rdf.cached_turtle(graph, previous)[2]
    assert (used["reused"], used["made"], used["blocks_reused"]) == (0, len(graph.articles), 0)


def test_literal_escaping_is_the_full_table_for_any_text():
    """``literal`` escapes with str.replace where a text holds only \\ " and line breaks (0.13 → 0.02 s
    over PD1998's page texts); whatever the text, the result is what the full escape table gives, and
    parses back to the text."""
    from hypothesis import given, settings, strategies as st

    from kg.export.rdf import _ESCAPES, _escaped, literal

    chars = st.characters(min_codepoint=0, max_codepoint=0x2FFF, blacklist_categories=("Cs",))

    @settings(max_examples=2000, deadline=None)
    @given(st.text(chars, max_size=40) | st.text(st.sampled_from('ab中\\"\n\r\t\x00\x1f\x7f'), max_size=40))
    def check(text):
        assert _escaped(text) == text.translate(_ESCAPES)
        parsed = list(ox.parse(f"<s:s> <p:p> {literal(text)} .\n".encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
        assert parsed[0].object.value == text

    check()


def test_articles_turtle_from_the_mention_template_is_the_general_writers():
    """Each article's Turtle, its mentions filled into one template (``_article_turtle``), is block for
    block what the general writer makes of its statements, also for an article where two mentions share
    a span (one subject: merged by the general path); a build without a cache writes graph.ttl this way,
    the bytes of the whole union."""
    from kg.export import rdf

    graph = kg.build([str(SEEDS)])
    # a second entity read at the span of one mention: that mention's subject gets two taIdentRefs
    nodes = list(graph.nodes.items())
    (_, first), (_, second) = nodes[0], nodes[1]
    second["mentions"] = sorted(second["mentions"] + [first["mentions"][0]._replace()],
                                key=lambda m: (m.article, m.start))
    base = rdf.DEFAULT_BASE
    short, terms = rdf._Compactor(rdf.prefixes(graph, base)), rdf._Terms()
    arts = rdf._Articles(graph, base, terms)
    shared = 0
    for art in graph.articles:
        own = rdf._runs(rdf._article_bursts(art, arts, terms))
        blocks = [(s, rdf._merged(b)) for s, b in own.items()]
        count, texts = rdf._article_turtle(art, arts, terms, short)
        assert count == rdf.triple_count(blocks)
        assert sorted(texts) == sorted(zip(own, rdf._block_texts(blocks, short)))
        shared += any(len(b) > 1 for b in own.values())
    assert shared == 1
    pieces, count, used, index = rdf.cached_turtle(graph, index=False)
    assert index is None
    union = rdf.graph_union(graph)
    assert b"".join(pieces) == b"".join(rdf.turtle_pieces(graph, union)) and count == rdf.triple_count(union)


def test_splice_places_made_blocks_among_kept_runs_as_a_full_sort_would():
    """``_splice`` (kept runs as byte ranges of the previous file, made blocks placed by bisection, a kept run
    cut where a made block falls inside it) gives the bytes and index of sorting every block afresh, for any
    mix of kept, dropped (replaced or gone) and made blocks, and refuses a made block that states a subject a
    kept one states."""
    from hypothesis import given, settings, strategies as st

    from kg.export.rdf import TurtleIndex, _splice

    head = "@prefix x: <http://x/> .\n\n"
    names = st.text(st.sampled_from("ab中"), min_size=1, max_size=4)

    def index_of(blocks, owners, owner_keys=()) -> tuple[bytes, TurtleIndex]:
        """A file of ``blocks`` [(subject, text)] in order and its index, runs merged by owner."""
        body, index = head.encode(), TurtleIndex(head, [], [], [], [], list(owner_keys), [])
        for (subject, text), owner in zip(blocks, owners):
            body += text.encode()
            index.add(subject, subject, owner, len(body))
        return body, index

    inside: list[bool] = []  # whether a made block fell inside a kept run, for each example spliced

    @settings(max_examples=500, deadline=None)
    @given(st.dictionaries(names, st.integers(0, 3), max_size=30), st.dictionaries(names, st.booleans(), max_size=12))
    def check(old_blocks, new_blocks):
        # the previous file: each subject's block owned by one of 4 owners, consecutive ones in runs; blocks
        # of one line and of several, as the writer makes them
        olds = sorted((f"<{s}>", o) for s, o in old_blocks.items())
        texts = {s: f"{s} x:p {o} .\n" if o < 2 else f"{s} x:p {o} ;\n\tx:q \"{s}\" .\n" for s, o in olds}
        body, old = index_of([(s, texts[s]) for s, _ in olds], [o for _, o in olds], [f"o{i}" for i in range(4)])
        kept_owners = {o: o + 10 for o in range(4) if o % 2 == 0}  # owners 0 and 2 kept, 1 and 3 dropped
        kept = {s for s, o in olds if o in kept_owners}
        fresh = sorted((f"<{s}>", 99, f"<{s}> x:new {int(b)} .\n") for s, b in new_blocks.items())
        plan, out = _splice(head, fresh, old, kept_owners, [], [], body)
        if kept & {s for s, _, _ in fresh}:
            assert plan is None
            return
        assert plan is not None
        made = list(fresh)
        got = head.encode() + b"".join(bytes(body[p[0]:p[1]]) if isinstance(p, tuple) else p for p in plan)
        assert fresh == [None] * len(made)  # each made block let go once written
        every = sorted([(s, texts[s]) for s in kept] + [(s, t) for s, _, t in made])
        assert got == (head + "".join(t for _, t in every)).encode()
        inside.append(any(f < s < last for s, _, _ in made
                          for f, last, o in zip(old.firsts, old.lasts, old.owners) if o in kept_owners))
        # and its index is the one of the file sorted afresh: the same runs, owners and ends
        expected = index_of(every, [dict(olds)[s] + 10 if s in kept else 99 for s, _ in every])[1]
        assert (out.firsts, out.lasts, out.owners, out.ends) == \
               (expected.firsts, expected.lasts, expected.owners, expected.ends)

    check()
    assert any(inside) and not all(inside)  # (both kinds of example were spliced)


def test_a_run_whose_bytes_do_not_read_as_indexed_is_not_cut():
    """Cutting a kept run reads its blocks from the previous file: where those bytes are not the blocks the
    index names (not UTF-8, another subject), the splice gives up (the caller makes the whole file) instead
    of failing or cutting at a wrong place."""
    from kg.export.rdf import TurtleIndex, _splice

    head = "@prefix x: <http://x/> .\n\n"
    blocks = ["<http://x/a> x:p 1 .\n", "<http://x/c> x:p 1 .\n"]
    body = head.encode() + "".join(blocks).encode()
    index = TurtleIndex(head, ["<http://x/a>"], ["<http://x/c>"], [0], [len(body)], ["o"], [2])
    made = "<http://x/b> x:new 1 .\n"
    plan, _ = _splice(head, [("<http://x/b>", 1, made)], index, {0: 0}, ["o", "n"], [2, 1], body)
    assert b"".join(bytes(body[p[0]:p[1]]) if isinstance(p, tuple) else p for p in plan) == \
           "".join([blocks[0], made, blocks[1]]).encode()
    fresh = [("<http://x/b>", 1, made)]
    for damaged in (body.replace(b"<http://x/c>", b"<http://x/\xff>"), body.replace(b"<http://x/c>", b"<http://x/d>")):
        assert _splice(head, fresh, index, {0: 0}, ["o", "n"], [2, 1], damaged)[0] is None


NODE_CHANGES = ["name", "alias", "code", "type", "article", "mention"]
EDGE_CHANGES = ["title", "article", "sentence", "inferred", "drop"]


def _edited(graph, node_edits, edge_edits, art: str):
    """A copy of ``graph`` with each node edit (node, one of NODE_CHANGES) and relation edit ((subject, object,
    key), one of EDGE_CHANGES) made; ``art``, the article an edit adds or takes out."""
    import copy

    g = copy.deepcopy(graph)
    nxg = g.nx_graph
    for n, change in node_edits:
        d = nxg.nodes[n]
        if change == "name":
            d["name"] += "甲"
        elif change == "alias":
            d["aliases"] = sorted(set(d["aliases"]) | {"别名"})
        elif change == "code":
            d["code"] = "" if d["code"] else "210000"
        elif change == "type":
            d["type"] = "Project" if d["type"] != "Project" else "Initiative"
        elif change == "article":
            d["articles"] = sorted(set(d["articles"]) ^ {art})
        elif d["mentions"]:
            d["mentions"] = d["mentions"][1:]
    for (s, o, k), change in edge_edits:
        if not nxg.has_edge(s, o, k):
            continue
        d = nxg.edges[s, o, k]
        if change == "title":
            d["title"] += "副"
        elif change == "article":
            d["articles"] = sorted(set(d["articles"]) ^ {art})
        elif change == "sentence":
            d["sentences"] = d["sentences"][1:] if d["sentences"] else [(art, 0)]
        elif change == "inferred":
            d["inferred"] = not d["inferred"]
        else:
            nxg.remove_edge(s, o, k)
    g.nx_graph = nxg
    return g


@pytest.mark.parametrize("cached", [False, True])
def test_a_changed_entity_or_relation_remakes_its_block_whatever_changed(tmp_path, cached):
    """The merged blocks are copied by a key of what they are made from (``_graph_keys``), not of their
    statements: whatever input of an entity or a relation changes (name, aliases, code, type, articles,
    number of mentions, the relations it states; a relation's title, articles, sentences, inferred), the
    spliced graph.ttl is still the whole union's; also where articles are keyed by their extraction's key
    (``cached``), which then stands for their mentions' spans but not for the entities they resolve to or
    the sentences the facts cite."""
    from hypothesis import given, settings, strategies as st

    from kg.export.rdf import cached_turtle, graph_union, turtle_pieces
    from kg.pipeline import run

    graph = run([str(SEEDS)], cache_path=str(tmp_path / "cache.sqlite") if cached else None)[0]
    pieces, _, _, index = cached_turtle(graph)
    previous = (index, b"".join(pieces))
    nodes = sorted(graph.nx_graph.nodes)
    edges = sorted(graph.nx_graph.edges(keys=True))
    arts = [a.id for a in graph.articles]
    node_changes, edge_changes = st.sampled_from(NODE_CHANGES), st.sampled_from(EDGE_CHANGES)

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(nodes), node_changes), max_size=3),
           st.lists(st.tuples(st.sampled_from(edges), edge_changes), max_size=3), st.sampled_from(arts))
    def check(node_edits, edge_edits, art):
        g = _edited(graph, node_edits, edge_edits, art)
        got = cached_turtle(g, previous)
        assert got is not None
        assert b"".join(got[0]) == b"".join(turtle_pieces(g, graph_union(g)))

    check()


def test_merged_block_keys_are_taken_from_the_record_only_where_they_would_be_made_again():
    """A re-build takes a merged block's key from the previous build's record (``recorded_keys``) instead of
    hashing what the block is made of only where that is unchanged (session 31): whatever changes among the
    entities the kept resolution made again (``Changed.entities``: here any edit of a node), the relations (any
    subject's, found by comparing the recorded relations, declared nowhere) and the articles it says read
    otherwise (here one cut short, so that a fact cites a sentence it no longer has), the keys ``_graph_keys``
    gives with the record are those it makes without one; and the blocks of the subjects whose keys it makes are
    stated the same going through only the nodes and edges that state them (``sources``, ``_stating``)."""
    import dataclasses
    import marshal

    from hypothesis import given, settings, strategies as st

    from kg.export.rdf import (DEFAULT_BASE, RDF_FINGERPRINT, _Articles, _cited, _graph_bursts, _graph_keys, _stating,
                               _subject_blocks, _Terms, cached_turtle, recorded_keys)
    from kg.graph import Changed
    from kg.pipeline import run

    graph = run([str(SEEDS)])[0]
    base = DEFAULT_BASE

    def keys(g, known=None):
        return _graph_keys(g, base, _Articles(g, base, _Terms()), known)

    # the blocks' keys as graph.ttl's index gives them (``TurtleIndex.blocks``): those ``_graph_keys`` made
    pieces, _, _, index = cached_turtle(graph)
    b"".join(pieces)
    assert index.blocks() == dict(keys(graph))
    record = marshal.dumps(("then", RDF_FINGERPRINT, base, {}, {}, _cited(graph), ({}, {})))
    nodes = sorted(graph.nodes)
    edges = sorted(graph.nx_graph.edges(keys=True))
    citing = sorted({art for _, _, _, d in graph.edges for art, idx in d["sentences"] if idx > 0})
    node_changes, edge_changes = st.sampled_from(NODE_CHANGES), st.sampled_from(EDGE_CHANGES)

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(nodes), node_changes), max_size=3),
           st.lists(st.tuples(st.sampled_from(edges), edge_changes), max_size=3), st.sampled_from(citing),
           st.booleans())
    def check(node_edits, edge_edits, art, cut):
        g = _edited(graph, node_edits, edge_edits, art)
        if cut:  # the article now has one sentence: the facts citing its later ones cite nothing there
            g.articles = [dataclasses.replace(a, sentences=a.sentences[:1]) if a.id == art else a for a in g.articles]
        g.changed = Changed("then", frozenset({art} if cut else ()), frozenset(n for n, _ in node_edits))
        _, known, _ = recorded_keys(g, base, record, _cited(g), index)
        assert known is not None
        assert keys(g, known) == keys(g)
        assert known.taken >= len(nodes) - 3 - len(edge_edits)  # (the others' keys: taken, not made)
        # the blocks of the subjects whose keys are made, stated going through only what states them (``sources``)
        sources: dict = {}
        arts = _Articles(g, base, _Terms())
        made = {subject for subject, _ in _graph_keys(g, base, arts, known, sources)} & sources.keys()
        t = _Terms()
        assert (_subject_blocks(_graph_bursts(g, base, t, arts, wanted=made, only=_stating(made, sources)))
                == _subject_blocks(_graph_bursts(g, base, t, arts, wanted=made)))

    check()


def test_a_turtle_head_reads_back_as_the_prefixes_it_declares(seeds_build):
    """``_cut_runs`` reads a kept run's subjects from the previous file through the prefixes its head declares:
    ``head_prefixes`` must give back exactly what ``prefix_head`` wrote, and what graph.ttl opens with."""
    import kg
    from kg.export.rdf import DEFAULT_BASE, head_prefixes, prefix_head, prefixes

    pre = prefixes(kg.build([str(SEEDS)]), DEFAULT_BASE)
    head = prefix_head(pre)
    assert len(pre) > 5 and head_prefixes(head) == pre
    assert (seeds_build / "graph.ttl").read_text(encoding="utf-8").startswith(head)


def test_slug_keeps_letters_and_digits_of_any_script_and_encodes_the_rest():
    """An IRI segment (``vocab.slug``) is its text where every character is a letter or digit of any script
    (taken whole without a regex pass), and otherwise the text with each character outside ``\\w-.~``
    percent-encoded as UTF-8: the same segment either way, for names of every kind."""
    import re
    import string

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from kg.vocab import slug

    def encoded(text: str) -> str:
        return re.sub(r"[^\w\-.~]", lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8", "surrogatepass")),
                      text) or "_"

    for text in ("沈阳市", "华晨宝马新工厂项目", "Ⅲ期", "x²", "٣٤", "ǅ", "a_b", "a b", "", "中国/北京", "〇一二", "①号"):
        assert slug(text) == encoded(text), text

    @settings(max_examples=400, deadline=None)
    @given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)) | st.sampled_from(string.punctuation + "　"),
                   max_size=12))
    def same(text):
        assert slug(text) == encoded(text)

    same()


def test_a_first_builds_turtle_is_held_once_not_as_text_and_bytes():
    """Regression (session 35): with a build cache, graph.ttl's made blocks were all encoded before the first was
    written, beside their texts, so a first build's RDF writer held the whole file twice (PD1998: 278 MB at its
    peak, 213 MB since; twelve times: ~0.5 GB). Now each block is kept as UTF-8 once made and let go once written.
    Measured with tracemalloc over the seeds: the most ``cached_turtle`` and the writing of its pieces hold at any
    time, beyond what the graph held before: 3.9 × the file's size (the blocks, once, and what makes them), where
    holding each block twice took 5.8 ×."""
    import tracemalloc

    from kg.export.rdf import cached_turtle
    from kg.pipeline import run

    graph = run([str(SEEDS)])[0]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        pieces, _, used, _ = cached_turtle(graph)
        size = 0
        for piece in pieces:
            size += len(piece)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert used["made"] == len(graph.articles) and size > 500_000
    assert peak < 4.5 * size, (peak, size)


def _staged(pieces, stage) -> tuple[int, int]:
    """graph.ttl's ``pieces`` written as a build stages them (``Stage.write_unregistered``: ranges copied in the
    kernel): how many bytes came as bytes, and how many pieces were ranges."""
    from kg.export import FileRange

    seen = [0, 0]

    def counted():
        for piece in pieces:
            if isinstance(piece, FileRange):
                seen[1] += 1
            else:
                seen[0] += len(piece)
            yield piece

    stage.write_unregistered("graph.ttl", counted())
    return seen[0], seen[1]


@pytest.mark.parametrize("index", [True, False])
def test_a_first_builds_blocks_are_spilled_to_a_file_and_copied_from_it(tmp_path, index):
    """With a ``spill`` folder (a build's staging folder), a first build's made blocks go to temporary files there
    (one a namespace) as they are made, and graph.ttl is copied from them in ranges (``FileRange``): the same bytes
    as the whole union, no block held in memory but the prefix head, fewer ranges than articles (the blocks of a
    namespace, written in order to a file of its own, are mostly one range), and nothing left in the folder but
    graph.ttl. tracemalloc's peak over making and writing it, against the file's size: 2.8 × with the index, 2.6 ×
    without, where holding the blocks took 3.5 × and 6.2 × (the texts, until joined)."""
    import os
    import tracemalloc

    from kg.export import Stage
    from kg.export.rdf import cached_turtle, graph_union, turtle_pieces
    from kg.pipeline import run

    graph = run([str(SEEDS)], cache_path=str(tmp_path / "cache.sqlite"))[0]
    whole = b"".join(turtle_pieces(graph, graph_union(graph)))
    (tmp_path / "o").mkdir()
    with Stage(tmp_path / "o") as stage:
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            pieces, _, used, _ = cached_turtle(graph, index=index, spill=stage.stage_prefix)
            held, ranges = _staged(pieces, stage)
            peak = tracemalloc.get_traced_memory()[1] - before
        finally:
            tracemalloc.stop()
        assert os.listdir(stage.path) == ["graph.ttl"]
        written = (stage.path / "graph.ttl").read_bytes()
    assert written == whole
    assert held == whole.index(b"\n\n") + 2  # the prefix head only
    assert 0 < ranges <= len(graph.articles)  # (the seeds' 34 articles and 881 merged blocks: 27 ranges)
    assert peak < 3.2 * len(whole), (peak, len(whole))


@pytest.mark.parametrize("index", [True, False])
def test_spilled_runs_whose_iris_interleave_are_split_into_their_blocks(tmp_path, monkeypatch, index):
    """``a-1.txt`` beside ``a.txt`` (``INTERLEAVING_PAGE``): the mentions of a-1#13 sort among those of a#1, so their
    runs in the spill interleave. Those runs are split into their blocks, read back from the spill, and graph.ttl
    is still the whole union's bytes."""
    from kg.export import Stage, rdf
    from kg.export.rdf import cached_turtle, graph_union, turtle_pieces
    from kg.pipeline import run

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_bytes(sorted(SEEDS.glob("*.txt"))[0].read_bytes())
    (corpus / "a-1.txt").write_text(INTERLEAVING_PAGE, encoding="utf-8")
    graph = run([str(corpus)])[0]
    whole = b"".join(turtle_pieces(graph, graph_union(graph)))
    split = []
    read = rdf._block_subjects
    monkeypatch.setattr(rdf, "_block_subjects", lambda *a: split.append(1) or read(*a))
    (tmp_path / "o").mkdir()
    with Stage(tmp_path / "o") as stage:
        _staged(cached_turtle(graph, index=index, spill=stage.stage_prefix)[0], stage)
        written = (stage.path / "graph.ttl").read_bytes()
    assert len(split) >= 2  # (the two runs that interleave, at least)
    assert written == whole


def test_a_rebuild_keys_only_the_blocks_of_what_changed_and_writes_what_a_fresh_build_writes():
    """A re-build whose kept resolution says what changed (``Changed``) keys only the blocks of the entities made
    again or gone, of the relations of the subjects whose relations differ or that cite an article read otherwise,
    and of the roles they name (``_changed_blocks``), and keeps every other block of the previous graph.ttl without
    looking at it: whatever changed (any node edit, a node gone with its relations, a new entity with a new
    membership under a new title, relations edited or dropped, an article cut short), the file it writes and the
    blocks its index records are a fresh build's, byte for byte and key for key, and a second re-build from that
    index (owners numbered otherwise than a fresh build's) does the same."""
    import dataclasses
    import marshal

    from hypothesis import given, settings, strategies as st

    from kg.export.rdf import (DEFAULT_BASE, RDF_FINGERPRINT, ArticleKeys, _Articles, _changed_blocks, _cited,
                               _Terms, cached_turtle, recorded_keys)
    from kg.graph import Changed
    from kg.pipeline import run
    from kg.records import POSITION

    graph = run([str(SEEDS)])[0]
    base = DEFAULT_BASE
    pieces, _, _, index = cached_turtle(graph)
    data = b"".join(pieces)
    nodes = sorted(graph.nodes)
    edges = sorted(graph.nx_graph.edges(keys=True))
    citing = sorted({art for _, _, _, d in graph.edges for art, idx in d["sentences"] if idx > 0})
    orgs = [n for n in nodes if graph.nodes[n]["type"] == "Organization"]

    def record_of(g, token):
        return marshal.dumps((token, RDF_FINGERPRINT, base, {}, {}, _cited(g), ({}, {})))

    def rebuilt(g, previous, record):
        """graph.ttl and its index, re-built from ``previous`` (an index and its file), checked against a fresh
        build's; and that the blocks were found from what changed."""
        _, known, _ = recorded_keys(g, base, record, _cited(g), previous[0])
        assert known is not None
        assert _changed_blocks(g, base, _Articles(g, base, _Terms()), known, previous[0], _cited(g)) is not None
        fresh_pieces, _, _, fresh_index = cached_turtle(g)
        fresh = b"".join(fresh_pieces)
        got_pieces, triples, made, got_index = cached_turtle(g, previous, keys=ArticleKeys(record))
        got = b"".join(bytes(p) for p in got_pieces)
        assert got == fresh
        assert got_index.blocks() == fresh_index.blocks()
        assert triples == sum(fresh_index.owner_counts)
        return got_index, got

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(nodes), st.sampled_from(NODE_CHANGES + ["gone"])), max_size=3),
           st.lists(st.tuples(st.sampled_from(edges), st.sampled_from(EDGE_CHANGES)), max_size=3),
           st.sampled_from(citing), st.booleans(), st.booleans(), st.sampled_from(orgs))
    def check(node_edits, edge_edits, art, cut, new_member, org):
        g = _edited(graph, [e for e in node_edits if e[1] != "gone"], edge_edits, art)
        made_again = {n for n, _ in node_edits}
        nxg = g.nx_graph  # (made on each call: edited, then assigned back)
        for n in {n for n, change in node_edits if change == "gone"}:
            nxg.remove_node(n)
        if new_member:  # a new person, a member of an organisation under a title no membership had
            nxg.add_node("person/新人", type="Person", name="新人", aliases=[], code="", articles=[art], mentions=[])
            nxg.add_edge("person/新人", org, key=f"{POSITION}:新职", kind=POSITION, title="新职", inferred=False,
                         articles=[art], sentences=[(art, 0)])
            made_again.add("person/新人")
        g.nx_graph = nxg
        assert not {n for n, change in node_edits if change == "gone"} & g.nodes.keys()
        if cut:  # the article now has one sentence: the facts citing its later ones cite nothing there
            g.articles = [dataclasses.replace(a, sentences=a.sentences[:1]) if a.id == art else a for a in g.articles]
        g.changed = Changed("then", frozenset({art} if cut else ()), frozenset(made_again))
        got_index, got = rebuilt(g, (index, data), record_of(graph, "then"))
        # again from this build's index and file: nothing more changed
        g.changed = Changed("again", frozenset(), frozenset())
        rebuilt(g, (got_index, got), record_of(g, "again"))

    check()


def test_recorded_relation_terms_keep_those_gone_only_while_few():
    """``_Articles.terms`` copies the relations' terms whole, those of relations gone since included (a re-build
    seeds them from the last record and mints the new ones), until the gone ones are more than a fifth of the
    relations (and a hundred): then only the graph's own are recorded. No entity's is recorded (session 40:
    ``entity_terms`` makes them quicker than they read back)."""
    from kg.export.rdf import DEFAULT_BASE, _Articles, _graph_keys, _Terms
    from kg.pipeline import run

    graph = run([str(SEEDS)])[0]
    arts = _Articles(graph, DEFAULT_BASE, _Terms())
    _graph_keys(graph, DEFAULT_BASE, arts)
    own = arts.terms(graph)
    entities = {k for k in own if not (isinstance(k, tuple) and len(k) == 4)}  # (a relation's key: s, o, kind, title)
    assert entities == set() and len(own) == len(graph.edges)
    few = len(own) // 10 + 50  # (a tenth and fifty: kept; then more than a fifth and a hundred: dropped)
    gone = {("organization/x", f"region/{i}", "located_in", ""): (f"<statement/{i}>", None) for i in range(few)}
    arts.entity["region/gone"] = "<region/gone>"
    arts._facts.update(gone)
    facts = arts.terms(graph)
    entities = {k for k in facts if not (isinstance(k, tuple) and len(k) == 4)}
    assert entities == set() and facts == {**own, **gone}
    arts._facts.update({("organization/y", f"region/{i}", "located_in", ""): (f"<statement/y{i}>", None)
                        for i in range(len(own) // 4 + 101)})
    facts = arts.terms(graph)
    assert facts == own


def test_the_sentences_cited_in_articles_are_found_for_those_wanted_as_for_all():
    """The RDF writer finds the sentences the facts read in an article cite (``_Articles.cited``) for the articles a
    re-build keys or states again (``want``: one pass over the relations that name one of them), or for every article
    at once where one not wanted is asked: the same either way, since a relation's sentences are of its articles."""
    from kg.export.rdf import DEFAULT_BASE, _Articles, _Terms
    from kg.pipeline import run

    graph = run([str(SEEDS)])[0]
    assert all({art for art, _ in d["sentences"]} <= set(d["articles"]) for _, _, _, d in graph.edges)
    every = _Articles(graph, DEFAULT_BASE, _Terms())
    ids = [a.id for a in graph.articles]
    whole = {aid: every.cited(aid) for aid in ids}
    assert any(whole.values())
    some = _Articles(graph, DEFAULT_BASE, _Terms())
    some.want(ids[::4])
    assert {aid: some.cited(aid) for aid in ids[::4]} == {aid: whole[aid] for aid in ids[::4]}
    assert some._cited_known is not None  # (found for those wanted only)
    assert {aid: some.cited(aid) for aid in ids} == whole and some._cited_known is None


def test_local_names_are_turtles_written_as_the_characters_left_out():
    """``_PN_START`` names what a Turtle local name may hold (PN_CHARS_U and digits, or %XX) by the characters it
    leaves out, which ``re`` compiles ~3 × quicker (at every import): over every code point, and over %XX and
    its near misses, it accepts what the grammar's own class accepts."""
    import re

    from kg.export import rdf

    grammar = re.compile("[A-Za-z0-9_\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C\u200D"
                         "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF]"
                         "|%[0-9A-Fa-f]{2}")
    ours = re.compile(rdf._PN_START)
    assert [c for c in range(0x110000) if bool(grammar.fullmatch(chr(c))) != bool(ours.fullmatch(chr(c)))] == []
    for text in ("%2F", "%af", "%G1", "%2", "%", "%%2F", "中", "a", "_", "-", ".", "·"):
        assert bool(grammar.fullmatch(text)) == bool(ours.fullmatch(text)), text
    assert rdf._PN_LOCAL.fullmatch("沈阳市-3.x_%E2%80%94") and not rdf._PN_LOCAL.fullmatch("-a")


def test_a_rebuilds_turtle_planned_ahead_and_its_record_made_part_by_part_are_what_they_were():
    """Regression guard (session 40): a re-build's RDF writer goes through graph.ttl's plan before writing it
    (``cached_turtle(ahead=True)``: the pieces as a list, the index complete at once) and marshals the record of its
    parts one part at a time (``ArticleKeys.made``), while a thread writes the file. The file's bytes and index must
    be those the plan written as it is gone through gives, and the record the bytes marshal gives the tuple of its
    parts, which ``recorded_keys`` reads back."""
    import marshal

    from kg.export.rdf import DEFAULT_BASE, ArticleKeys, _cited, cached_turtle, recorded_keys
    from kg.pipeline import run

    graph = run([str(SEEDS)])[0]
    graph.token = "first"
    keys = ArticleKeys()
    pieces, _, _, index = cached_turtle(graph, keys=keys)
    data = b"".join(pieces)
    parts = keys.parts
    assert keys.made == marshal.dumps((*parts[:-1], parts[-1]()), 2)
    assert marshal.loads(keys.made)[-1] == parts[-1]()
    node = sorted(graph.nodes)[len(graph.nodes) // 2]
    edited = _edited(graph, [(node, "name"), (sorted(graph.nodes)[3], "alias")], [], "")
    ahead = cached_turtle(edited, (index, data), ahead=True)
    assert isinstance(ahead[0], list) and any(isinstance(p, bytes) for p in ahead[0][1:])  # (made blocks among runs)
    index_ahead = ahead[3].dumps()  # (complete before the pieces are written)
    as_made = cached_turtle(edited, (index, data))
    assert b"".join(ahead[0]) == b"".join(as_made[0]) and ahead[1:3] == as_made[1:3]
    assert index_ahead == as_made[3].dumps()
    first = cached_turtle(graph, ahead=True)  # (no previous file: the pieces as they are made, as before)
    assert not isinstance(first[0], list) and b"".join(first[0]) == data
    # the record read back: its terms seed the next build
    assert recorded_keys(graph, DEFAULT_BASE, keys.made, _cited(graph), index)[2] == parts[-1]()


def test_an_id_is_told_whole_as_str_isalnum_tells_its_kind_and_name():
    """``rdf._WHOLE_ID`` (session 43: one regular expression, where each id was cut in two by ``str.partition``) tells
    an entity id minted plainly exactly where its kind and name are letters and digits alone by ``str.isalnum``: for
    every code point as a name, and for ids with no kind, no name, or more than one slash."""
    from kg.export.rdf import _WHOLE_ID

    def whole(eid: str) -> bool:
        kind, _, name = eid.partition("/")
        return kind.isalnum() and name.isalnum()

    names = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    told = [eid for eid in map("person/".__add__, names) if bool(_WHOLE_ID.fullmatch(eid)) != whole(eid)]
    assert not told, told[:10]
    for eid in ("person/", "/张三", "张三", "person/张/三", "per son/张三", "person/张三_", "①/Ａa1", "person//张三"):
        assert bool(_WHOLE_ID.fullmatch(eid)) == whole(eid), eid


def test_entity_terms_made_in_bulk_are_those_minted_one_by_one():
    """``_Articles.entity_terms`` makes an entity's IRI term as ``<`` + base + id + ``>`` where its kind and name are
    letters and digits alone, by C-level maps, and mints the others: each must be what ``entity_iri`` mints, for any
    id (names of any script, punctuation, spaces, slashes, empty; ids without a kind) and base."""
    from hypothesis import given, settings, strategies as st

    from kg.export.rdf import DEFAULT_BASE, _Articles, _Terms, entity_iri
    from kg.pipeline import run

    graph = run([str(SEEDS)])[0]
    names = st.text(st.sampled_from("沈阳市区Ａa1①·“”/ %#_-.~（）\u3000"), max_size=8)
    ids = st.one_of(st.builds(lambda k, n: f"{k}/{n}", st.sampled_from(["person", "region", "organization", "a b"]),
                              names), names)

    @settings(max_examples=200, deadline=None)
    @given(st.lists(ids, unique=True, max_size=30), st.sampled_from([DEFAULT_BASE, "https://example.org/kg/"]))
    def check(eids, base):
        eids = sorted(graph.nodes)[:20] + [e for e in eids if e not in graph.nodes]
        arts, t = _Articles(graph, base, _Terms()), _Terms()
        assert arts.entity_terms(eids) == [t.iri(entity_iri(base, e)) for e in eids]
        assert all(arts.entity[e] == t.iri(entity_iri(base, e)) for e in eids)  # (kept for the blocks made after)

    check()
