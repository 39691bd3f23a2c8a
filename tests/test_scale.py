"""Scaling paths give the same graph: N processes, the extraction cache, and a Dask cluster."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from conftest import INTERLEAVING_PAGE, ROOT, SEEDS, invoke_kg, page_data, run_kg

PD1998 = SEEDS.parent.parent / "shared" / "benchmarks" / "pd1998" / "articles"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The seeds (three copies under other names: ~100 articles, several batches, even where the benchmark
    corpus is absent) plus some PD1998 articles when present."""
    folder = tmp_path_factory.mktemp("corpus")
    for copy in ("a", "b", "c"):
        for f in sorted(SEEDS.glob("*.txt")):
            shutil.copy(f, folder / f"{copy}{f.name}")
    for f in sorted(PD1998.glob("*.txt"))[:120] if PD1998.is_dir() else []:
        shutil.copy(f, folder / f.name)
    return folder


@pytest.fixture(scope="module")
def serial(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    res = run_kg("build", str(corpus), "-o", str(out), "-j", "1", "--no-cache")
    assert res.returncode == 0, res.stderr
    return out


def _same_outputs(a, b, positions: bool = True):
    """The same outputs, byte for byte; ``positions=False`` (``b`` a re-build): the entities of graph.html and of
    the hub pages laid out in Python may stand elsewhere (a re-build keeps or starts from the previous build's
    positions), all else the same."""
    for name in ("graph.ttl", "graph.html", "index.html"):
        if name == "graph.html" and not positions:
            assert _unplaced(a / name) == _unplaced(b / name), name
            continue
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    for folder in ("articles", "entities"):
        pages = sorted(p.relative_to(a) for p in (a / folder).glob("*.html"))
        assert pages == sorted(p.relative_to(b) for p in (b / folder).glob("*.html"))
        if folder == "entities" and not positions:
            assert all(_unplaced(a / p, some=False) == _unplaced(b / p, some=False) for p in pages), folder
            continue
        assert all((a / p).read_bytes() == (b / p).read_bytes() for p in pages), folder


POSITION = re.compile(r', "x": -?[0-9.]+, "y": -?[0-9.]+\}')


def _unplaced(page, some: bool = True) -> str:
    """A page without its entities' positions (graph.html draws every entity with both; ``some=False``: a page
    may have none, left to the browser)."""
    text = page.read_text(encoding="utf-8")
    assert len(POSITION.findall(text)) > 0 or not some
    return POSITION.sub("}", text)


def _inodes(out, folder):
    return {p.name: p.stat().st_ino for p in (out / folder).glob("*.html")}


def test_processes_give_the_same_graph(corpus, serial, tmp_path):
    out = tmp_path / "o"
    res = run_kg("build", str(corpus), "-o", str(out), "-j", "2", "--no-cache")
    assert res.returncode == 0, res.stderr
    assert "local × 2" in res.stdout
    _same_outputs(serial, out)
    # the RDF was written in a forked process beside the HTML, the serial build's in turn: same bytes
    assert json.loads((out / "report.json").read_text())["export"].startswith("RDF in a forked process")
    assert json.loads((serial / "report.json").read_text())["export"] == "RDF, then HTML"


def test_main_process_leaves_extraction_to_the_workers(corpus, tmp_path):
    """With workers, the main process never loads the extractor (rjieba's dictionary, the rules): the
    workers load it while the main process reads, and it imports the later stages while they work (the
    RDF writer among them, without rdflib: its import cost 0.05-0.1 s of every build's critical path; nor
    pyoxigraph, ~7 ms, which only the writers of other syntaxes and the queries read)."""
    import subprocess
    import sys

    watched = ("rjieba", "kg.extract.persons", "kg.extract.article", "numpy", "kg.export.rdf", "rdflib", "pyoxigraph")
    code = ("import sys; from kg.pipeline import run; kg, ex = run([sys.argv[1]], jobs=2); "
            f"print(len(ex), sorted(m for m in {watched!r} if m in sys.modules))")
    res = subprocess.run([sys.executable, "-c", code, str(corpus)], capture_output=True, text=True, cwd=SEEDS.parent)
    assert res.returncode == 0, res.stderr
    n, loaded = res.stdout.split(" ", 1)
    # (the later stages imported behind: the RDF writer, not numpy, which only a layout computed imports)
    assert int(n) >= 5 and loaded.strip() == "['kg.export.rdf']", res.stdout


def test_the_build_does_not_wait_for_its_helpers_to_end_and_they_end(corpus, tmp_path):
    """The extraction workers and the forked RDF writer are stopped without waiting for their processes to end
    (each one's exit, freeing its memory, took 7-8 ms of a PD1998 re-build's path): once their work is handed
    back they end by themselves, a thread stopping each pool (``runtime.stop_without_waiting``). Here each helper's
    exit is made to take a second: the build goes on past it; the next fork (the RDF writer's) first waits for the
    workers' pool to be stopped, so that no thread is busy with it when the process forks; none is left running,
    nor a zombie."""
    import subprocess
    import sys

    code = """if True:
        import json, os, sys, time
        from multiprocessing.util import Finalize
        from pathlib import Path
        import kg.export, kg.runner, kg.runtime
        from kg.export import Stage, outputs
        from kg.pipeline import run

        def slow_exit(parent):  # (each helper calls it as it starts)
            Finalize(None, time.sleep, (1.0,), exitpriority=10)  # (run as a pool's process ends)

        kg.runner.die_with_parent = kg.export.die_with_parent = slow_exit
        serve = kg.runtime._serve

        def slow_serve(*args):  # (a ForkedHelper's process, the RDF writer: its calls served, it ends a second later)
            serve(*args)
            time.sleep(1.0)

        kg.runtime._serve = slow_serve

        def helpers():
            found = []
            for d in os.listdir("/proc"):
                try:
                    with open(f"/proc/{d}/stat") as fh:
                        state, parent = fh.read().rsplit(")", 1)[1].split()[:2]
                except (OSError, ValueError):
                    continue
                if int(parent) == os.getpid():
                    found.append(int(d))
            return found

        kg, _ = run([sys.argv[1]], jobs=2)
        workers = helpers()
        with Stage(Path(sys.argv[2])) as stage:
            files = outputs(kg, (), jobs=2, stage=stage)
            writer = helpers()
            stage.write(stage.pending(files))
            stage.commit()
        deadline = time.monotonic() + 10
        while helpers() and time.monotonic() < deadline:
            time.sleep(0.02)
        print(json.dumps([json.loads(files["report.json"])["export"], workers, writer, helpers()]))
    """
    out = tmp_path / "o"
    out.mkdir()
    res = subprocess.run([sys.executable, "-c", code, str(corpus), str(out)], capture_output=True, text=True,
                         cwd=SEEDS.parent, timeout=300)
    assert res.returncode == 0, res.stderr
    export, workers, writer, left = json.loads(res.stdout.strip().splitlines()[-1])
    assert export.startswith("RDF in a forked process")
    assert len(workers) == 2  # (still ending after extraction: not waited for)
    assert len(writer) == 1 and not set(writer) & set(workers)  # (the writer still ending; the workers ended
    assert left == []                                            # before it was forked)
    assert (out / "graph.ttl").stat().st_size > 0


def test_cache_serves_unchanged_articles_and_gives_the_same_graph(corpus, serial, tmp_path):
    work = tmp_path / "corpus"
    shutil.copytree(corpus, work)
    extra = sorted(work.glob("*.txt"))[-1]
    held = tmp_path / extra.name
    shutil.move(extra, held)
    out = tmp_path / "o"
    assert run_kg("build", str(work), "-o", str(out)).returncode == 0
    before = json.loads((out / "report.json").read_text(encoding="utf-8"))["articles"]
    hubs_before = _inodes(out, "entities")
    blocks_before = _graph_blocks(out / "graph.ttl")
    shutil.move(held, work / extra.name)  # one page added to a built corpus
    res = run_kg("build", str(work), "-o", str(out))
    assert res.returncode == 0, res.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    n_articles = report["articles"]
    # only the new page's articles are extracted
    assert report["extraction"]["extracted"] == n_articles - before >= 1
    assert report["extraction"]["cached"] == before
    assert report["extraction"]["executor"] == "local × 1"  # a few new articles: the one worker started for them
    assert report["reading"] == {"read": 1, "cached": report["files"] - 1}  # only the new file is opened
    # graph.ttl re-joined from the articles' Turtle kept by the first build, but where they changed
    turtle = report["turtle_cache"]
    assert turtle["made"] >= n_articles - before and turtle["reused"] >= 0.9 * before, report
    assert turtle["made"] + turtle["reused"] == n_articles
    # and the merged entities' and relations' blocks from the first build's process, all but those the new page
    # changed: their keys hash equal statements to equal bytes in another process (marshal version 0; later
    # versions share interned strings). Counted from the two files, so it holds whatever the page touches (a
    # third copy of a seed page, where the benchmark corpus is absent, changes a quarter of them)
    blocks_after = _graph_blocks(out / "graph.ttl")
    changed = sum(blocks_before.get(subject) != text for subject, text in blocks_after.items())
    assert 0 < changed < len(blocks_after)
    assert (turtle["blocks_made"], turtle["blocks_reused"]) == (changed, len(blocks_after) - changed), turtle
    _same_outputs(serial, out, positions=False)  # hub pages included: those kept are what a fresh build draws
    # graph.html, which the page changed, was laid out from, or its new entities placed around, where the first
    # build had put its entities
    layouts = report["layouts"]
    assert layouts["graph_html_from_previous"] > 0, layouts
    assert (layouts["made"] >= 1) != (layouts["graph_html_placed_beside"] is not None), layouts
    # the hubs whose neighbourhood the new page does not touch are kept (the same file), the others drawn
    hubs_after = _inodes(out, "entities")
    kept = {n for n, ino in hubs_after.items() if hubs_before.get(n) == ino}
    assert 0 < len(kept) < len(hubs_after), (len(kept), len(hubs_after))


def _graph_blocks(ttl) -> dict[str, str]:
    """graph.ttl's blocks of merged entities and relations (not an article's own statements), by subject."""
    blocks: dict[str, list[str]] = {}
    lines = ttl.read_text(encoding="utf-8").split("\n\n", 1)[1].split("\n")  # (after the prefixes)
    subject = None
    for line in lines:
        if line and not line[0].isspace():
            subject = line.split(" ", 1)[0]
            blocks[subject] = []
        if subject is not None:
            blocks[subject].append(line)
    own = ("article:", "mention:", "sentence:", "source:")
    return {s: "\n".join(b) for s, b in blocks.items() if not s.startswith(own)}


def test_page_changed_in_place_is_read_again(tmp_path):
    """A page edited to the same size is read and segmented again (its change time moved), and the
    re-build equals a build from scratch of the edited corpus."""
    import time

    work = tmp_path / "corpus"
    shutil.copytree(SEEDS, work, ignore=shutil.ignore_patterns("*.md"))
    out, fresh = tmp_path / "o", tmp_path / "fresh"
    assert run_kg("build", str(work), "-o", str(out)).returncode == 0
    page = sorted(work.glob("*.txt"))[0]
    text = page.read_text(encoding="utf-8")
    i = text.index("。", len(text) // 2)
    edited = text[:i] + "！" + text[i + 1 :]  # same number of bytes
    assert len(edited.encode()) == len(text.encode()) and edited != text
    time.sleep(0.05)
    page.write_text(edited, encoding="utf-8")
    res = run_kg("build", str(work), "-o", str(out))
    assert res.returncode == 0, res.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["reading"] == {"read": 1, "cached": report["files"] - 1}
    assert run_kg("build", str(work), "-o", str(fresh), "--no-cache").returncode == 0
    assert (out / "graph.ttl").read_bytes() == (fresh / "graph.ttl").read_bytes()
    snippet = edited[i - 6 : i + 1]
    assert "\n" not in snippet and snippet not in text
    assert snippet in (out / "graph.ttl").read_text(encoding="utf-8")  # the page's text as edited


def test_read_cache_is_not_served_by_other_reading_code(tmp_path, monkeypatch):
    """Pages cached by other read or segment code are read again: the stamp holds its fingerprint."""
    from kg import runner
    from kg.read import read_all

    cache = runner.ReadCache(tmp_path / "c.sqlite")
    first = read_all([str(SEEDS)], known=cache.lookup)
    for s in first.sources:
        cache.add(s, 0, [])
    cache.close()
    again = runner.ReadCache(tmp_path / "c.sqlite")
    read_all([str(SEEDS)], known=again.lookup)
    assert len(again.articles) == len(first.sources) == 5
    again.close()
    monkeypatch.setattr(runner, "_read_fingerprint", lambda: "other code")
    other = runner.ReadCache(tmp_path / "c.sqlite")
    read_all([str(SEEDS)], known=other.lookup)
    assert other.articles == {}


def test_cached_pages_are_loaded_row_by_row_only_where_the_file_is_as_cached(tmp_path, monkeypatch):
    """``ReadCache.read_rows`` reads the cached pages' rows one at a time (never all held: ``rows`` is not made) and
    loads only those of files whose stamp is as cached: an edited file's row is not loaded and the file is read
    again, a damaged row is read again too, and the rows of files no longer among the inputs are forgotten on
    ``close``. What ``lookup`` then gives is what it gives from ``rows``."""
    import sqlite3

    from kg import runner
    from kg.read import find_files, read_all

    work = tmp_path / "corpus"
    shutil.copytree(SEEDS, work, ignore=shutil.ignore_patterns("*.md"))
    path = tmp_path / "c.sqlite"
    first = runner.ReadCache(path)
    sources = read_all([str(work)], known=first.lookup).sources
    for s in sources:
        first.add(s, 0, [])
    first.close()
    names = sorted(p.name for p in work.glob("*.txt"))
    edited, gone, damaged = work / names[0], work / names[1], names[2]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n补记。\n", encoding="utf-8")
    gone.unlink()
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE page SET value = ? WHERE path LIKE ?", (b"not marshal", damaged + "\0%"))
    db.close()
    loaded = []
    load_page = runner.load_page

    def counted(row):
        loaded.append(row)
        return load_page(row)

    monkeypatch.setattr(runner, "load_page", counted)
    found = find_files([str(work)])
    pages = runner.ReadCache(path)
    pages.read_rows(found)
    assert len(loaded) == len(names) - 2  # (all but the edited and the removed: the damaged one tried)
    again = read_all([str(work)], known=pages.lookup, found=found).sources
    assert pages._rows is None  # (the rows were never all fetched and held)
    assert sorted(pages.articles) == sorted(str(work / n) for n in names[3:])  # (the edited and damaged read again)
    assert [(s.name, s.text) for s in again] == [(s.name, s.text) for s in read_all([str(work)]).sources]
    pages.close()
    db = sqlite3.connect(path)
    kept = {k.split("\0")[0] for (k,) in db.execute("SELECT path FROM page")}
    db.close()
    assert gone.name not in kept and {names[0], damaged} <= kept  # (the others are read again, not stored: none added)


def test_changed_extractor_invalidates_cache(corpus, tmp_path, monkeypatch):
    from kg import runner
    from kg.read import read
    from kg.segment import segment

    articles = [a for s in read([str(SEEDS)]) for a in segment(s)][:5]
    cache = runner.ExtractionCache(tmp_path / "c.sqlite")
    runner.extract_all(articles, "210000", jobs=1, cache=cache)
    _, counts = runner.extract_all(articles, "210000", jobs=1, cache=cache)
    assert counts["cached"] == 5
    monkeypatch.setattr(runner, "EXTRACTOR_VERSION", "changed")
    cache2 = runner.ExtractionCache(tmp_path / "c.sqlite")
    _, counts = runner.extract_all(articles, "210000", jobs=1, cache=cache2)
    assert counts == {**counts, "cached": 0, "extracted": 5}


def test_dask_cluster_gives_the_same_graph(corpus, serial, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        out = tmp_path / "o"
        res = run_kg("build", str(corpus), "-o", str(out), "--executor", "dask", "--scheduler",
                     cluster.scheduler_address, "--no-cache")
        assert res.returncode == 0, res.stderr
        assert "(dask)" in res.stdout
    _same_outputs(serial, out)


def test_dask_without_scheduler_is_a_clear_error(tmp_path):
    res = run_kg("build", str(SEEDS), "-o", str(tmp_path / "o"), "--executor", "dask")
    assert res.returncode == 1 and res.stderr.startswith("Error: --executor dask needs --scheduler")


def test_cache_is_not_served_for_an_article_cut_differently(tmp_path):
    # the same text cut into other sentences (a change to segment.py, which the extractor reads through)
    # must miss the cache: a build once reused extractions made before a soft-break change (bug)
    from dataclasses import replace

    from kg import runner
    from kg.read import read
    from kg.segment import segment

    article = [a for s in read([str(SEEDS)]) for a in segment(s)][1]
    cache = runner.ExtractionCache(tmp_path / "c.sqlite")
    recut = replace(article, sentences=article.sentences[:1], soft_breaks=())
    assert cache.key(article, "210000") != cache.key(recut, "210000")
    assert cache.key(article, "210000") == cache.key(replace(article), "210000")


def test_cached_pages_keep_the_hashes_their_articles_have(tmp_path):
    """A re-build keys each cached article's extraction, and its page, by hashes kept with the page's row
    instead of hashing its text again: they must be the hashes its articles and text have, article by article
    (a row whose hashes were kept in another order, or for another cut, would serve the wrong extractions)."""
    from kg.pipeline import run
    from kg.read import find_files, read_all, text_hash
    from kg.runner import ExtractionCache, ReadCache, content_hash

    cache = tmp_path / "cache.sqlite"
    first = run([str(SEEDS)], cache_path=str(cache))[0]
    pages = ReadCache(cache)
    sources = read_all([str(SEEDS)], known=pages.lookup, found=find_files([str(SEEDS)])).sources
    assert sources and all(pages.segmented(s) for s in sources)
    keys = ExtractionCache(cache)
    for s in sources:
        articles, contents, digest = pages.segmented(s)
        assert digest == text_hash(s.text) and len(contents) == len(articles) > 0
        assert contents == [content_hash(a) for a in articles]
        assert len(set(contents)) == len(contents)  # (each article its own: the id is hashed in)
        assert [keys.key(a, first.province, c) for a, c in zip(articles, contents)] == \
               [keys.key(a, first.province) for a in articles] == keys.keys(articles, first.province, contents)
    pages.close()
    again = run([str(SEEDS)], cache_path=str(cache))[0]
    assert again.stats["extraction"]["extracted"] == 0 and again.stats["reading"]["cached"] == len(sources)
    assert again.digests == first.digests and again.text_hashes == first.text_hashes
    assert first.text_hashes == {s.name: text_hash(s.text) for s in sources}


def test_cached_rows_give_back_what_reading_and_extraction_made(tmp_path):
    """The build cache keeps pages and articles as marshalled fields, sentences as flat offsets and mentions as
    marshalled tuples (the named tuples made back in C): what a re-build loads must equal, field for field and type for type, what reading,
    segmenting and extracting the page make now; a row that lost a sentence, a mention's field or the named
    tuples' types would hand the later stages another corpus."""
    from kg.extract import Context, extract
    from kg.read import find_files, read_all
    from kg.pipeline import run
    from kg.records import Mention, Sentence, Sentences
    from kg.runner import ExtractionCache, ReadCache, load_extraction
    from kg.segment import segment

    cache = tmp_path / "cache.sqlite"

    first = run([str(SEEDS)], cache_path=str(cache))[0]
    pages = ReadCache(cache)
    sources = read_all([str(SEEDS)], known=pages.lookup, found=find_files([str(SEEDS)])).sources
    assert len(pages.articles) == len(sources)  # every page served by the cache, none read again
    read_now = {s.path: s for s in read_all([str(SEEDS)]).sources}
    rows = ExtractionCache(cache)
    checked = 0
    for s in sources:
        assert s == read_now[s.path] and type(s) is type(read_now[s.path])
        cached = pages.segmented(s)[0]
        fresh = segment(s)
        assert cached == fresh and [a.sentences for a in cached] == [a.sentences for a in fresh]
        assert [vars(a) == vars(b) for a, b in zip(cached, fresh)] == [True] * len(fresh)  # (source_text too)
        assert [type(v) for a in cached for k, v in vars(a).items() if k != "sentences"] == \
            [type(v) for a in fresh for k, v in vars(a).items() if k != "sentences"]
        # (the sentences read back as ``Sentences``, made when asked for: the same sequence, hashed alike)
        assert all(type(a.sentences) is Sentences and hash(a) == hash(b) for a, b in zip(cached, fresh))
        assert all(type(x) is Sentence for a in cached for x in a.sentences)
        assert all(type(a.sentences[i]) is Sentence for a in cached for i in range(-len(a.sentences), len(a.sentences)))
        assert all(a.source_text is s.text for a in cached)  # one text per page, as read
        for a in cached:
            row = rows.get_many([rows.key(a, first.province)])
            mentions, facts = load_extraction(*row.values())
            ex = extract(a, Context(province=first.province))
            assert mentions == ex.mentions and facts == ex.facts
            assert all(type(m) is Mention for m in mentions)
            assert [(type(f), {k: type(v) for k, v in vars(f).items()}) for f in facts] == \
                [(type(f), {k: type(v) for k, v in vars(f).items()}) for f in ex.facts]
            checked += len(mentions)
    pages.close()
    assert checked > 100


def test_sentences_read_back_are_the_sequence_they_were():
    """``Sentences`` (an article's sentences as a re-build reads them back, made when asked for) behave as the tuple
    of ``Sentence`` s they stand for wherever the stages use them: length, truth, indexing either way (one made
    alone, or from the whole tuple once made), slices, iteration, equality both ways, hashing, repr; pickled (to
    the extraction workers, to Dask) they are that tuple, and an article pickled twice is what it was."""
    import pickle

    from hypothesis import given, strategies as st

    from kg.records import Article, Sentence, Sentences

    @given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), max_size=8), st.integers(-10, 10))
    def check(spans, i):
        made = tuple(Sentence(a, b) for a, b in spans)
        for lazy in (Sentences(tuple(x for span in spans for x in span)), None):
            if lazy is None:  # (the same once the whole tuple is made)
                lazy = Sentences(tuple(x for span in spans for x in span))
                list(lazy)
            assert len(lazy) == len(made) and bool(lazy) == bool(made)
            assert lazy == made and made == lazy and not (lazy != made) and hash(lazy) == hash(made)
            assert list(lazy) == list(made) and lazy[1:3] == made[1:3] and repr(lazy) == repr(made)
            if -len(made) <= i < len(made):
                assert lazy[i] == made[i] and type(lazy[i]) is Sentence
            else:
                with pytest.raises(IndexError):
                    lazy[i]
            back = pickle.loads(pickle.dumps(lazy))
            assert back == made and type(back) is tuple
        article = Article(id="d#0", doc="d", index=0, title="", byline="", start=0, end=9, body_start=0,
                          sentences=made, source_text="x" * 9)
        again = pickle.loads(pickle.dumps(pickle.loads(pickle.dumps(article))))
        assert again == article and type(again.sentences) is Sentences and again.sentences == made

    check()


def test_damaged_cache_rows_are_read_and_extracted_again(tmp_path):
    """A build cache whose rows hold bytes that do not read back (a damaged file, or one written by hand) is
    no error: the page is read again, the article extracted again, the layout made again, the kept resolution
    made anew, their rows replaced, and the outputs are a fresh build's. Before, one such row stopped the build
    with a traceback."""
    import marshal
    import pickle
    import sqlite3

    work = tmp_path / "corpus"
    shutil.copytree(SEEDS, work, ignore=shutil.ignore_patterns("*.md"))
    out, fresh = tmp_path / "o", tmp_path / "fresh"
    assert run_kg("build", str(work), "-o", str(out)).returncode == 0
    db = sqlite3.connect(out / ".kg-cache.sqlite")
    (garbled, misshapen), (page,) = db.execute("SELECT key FROM extraction LIMIT 2"), db.execute("SELECT path FROM page LIMIT 1")
    with db:
        db.execute("UPDATE extraction SET value = ? WHERE key = ?", (b"\x00not a row", garbled[0]))
        db.execute("UPDATE extraction SET value = ? WHERE key = ?", (marshal.dumps(([("a", "b")], pickle.dumps([]))), misshapen[0]))
        db.execute("UPDATE page SET value = ? WHERE path = ?", (b"\x80\x05not a pickle", page[0]))
        assert db.execute("UPDATE layout SET value = ?", (b"\x00not positions",)).rowcount >= 1
        (shard,) = db.execute("SELECT key FROM resolution WHERE key LIKE 'shard %' LIMIT 1")
        db.execute("UPDATE resolution SET value = ? WHERE key = ?", (marshal.dumps(({"x": {}}, {}, {}, {}, {})), shard[0]))
    db.close()
    res = run_kg("build", str(work), "-o", str(out))
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["extraction"]["extracted"] == 2 and report["reading"]["read"] == 1, report["extraction"]
    assert run_kg("build", str(work), "-o", str(fresh), "--no-cache").returncode == 0
    assert (out / "graph.ttl").read_bytes() == (fresh / "graph.ttl").read_bytes()
    # the layouts made again, as a build with no cache makes them
    assert (out / "graph.html").read_bytes() == (fresh / "graph.html").read_bytes()
    again = run_kg("build", str(work), "-o", str(out))
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert again.returncode == 0 and report["extraction"]["extracted"] == 0 and report["reading"]["read"] == 0


def test_rebuild_splices_an_article_whose_iris_sort_among_anothers(tmp_path):
    """``a-1.txt`` (15 short articles) added beside ``a.txt`` (a seed page): the mentions of the new articles
    a-1#13 and a-1#14 (mention:a-1-13-S-E) sort among those of a#1 (mention:a-1-S-E, at offsets ~1,200 to
    ~1,600), one run of graph.ttl's index. The re-build cuts that run where the new blocks go instead of
    writing the whole file again, and its graph.ttl is a fresh build's."""
    import re

    work = tmp_path / "corpus"
    work.mkdir()
    pages = sorted(SEEDS.glob("*.txt"))
    shutil.copy(pages[0], work / "a.txt")
    out, fresh = tmp_path / "o", tmp_path / "fresh"
    assert run_kg("build", str(work), "-o", str(out)).returncode == 0
    before = json.loads((out / "report.json").read_text(encoding="utf-8"))["articles"]
    old_mentions = sorted(m + ">" for m in re.findall(r"^mention:(a-1-\d+-\d+) ", (out / "graph.ttl").read_text(encoding="utf-8"), re.M))
    (work / "a-1.txt").write_text(INTERLEAVING_PAGE, encoding="utf-8")
    res = run_kg("build", str(work), "-o", str(out))
    assert res.returncode == 0, res.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    new_mentions = [m + ">" for m in re.findall(r"^mention:(a-1-\d+-\d+-\d+) ", (out / "graph.ttl").read_text(encoding="utf-8"), re.M)]
    assert len(old_mentions) > 1 and any(old_mentions[0] < m < old_mentions[-1] for m in new_mentions)
    turtle = report["turtle_cache"]  # (absent where the whole file was made again)
    assert turtle["reused"] == before and turtle["made"] == report["articles"] - before > 0, turtle
    assert run_kg("build", str(work), "-o", str(fresh), "--no-cache").returncode == 0
    assert (out / "graph.ttl").read_bytes() == (fresh / "graph.ttl").read_bytes()


def test_build_runs_with_cyclic_gc_paused_and_restores_it(monkeypatch):
    """kg.build pauses the cyclic collector (kg/runtime.py) while it runs and leaves it as it found it."""
    import gc

    import kg
    from kg import pipeline

    seen = []
    real = pipeline.Tally.resolve

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline.Tally, "resolve", spy)
    assert gc.isenabled()
    kg.build([str(SEEDS / "000_a06d24ae3cd6fbd4.txt")])
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        kg.build([str(SEEDS / "000_a06d24ae3cd6fbd4.txt")])
        assert not gc.isenabled()  # a caller's own setting is kept
    finally:
        gc.enable()


def test_collector_stays_paused_only_where_the_process_ends_with_the_build(tmp_path):
    """``paused_gc(resume=False)`` leaves the collector off (the kg command exits after its build: a first
    collection would only scan the build's millions of objects); the build command run in-process, not as
    the kg command, turns it back on."""
    import gc

    from kg.runtime import paused_gc

    assert gc.isenabled()
    try:
        with paused_gc(resume=False):
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    res = invoke_kg(["build", str(SEEDS / "000_a06d24ae3cd6fbd4.txt"), "-o", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert gc.isenabled()


def test_rebuild_keeps_unchanged_pages_and_redraws_an_edited_one(corpus, serial, tmp_path):
    """A re-build of an unchanged corpus keeps every article page (the same file, left in its folder)
    and every layout; a page edited in the output since is drawn again; the site stays equal
    to a fresh build's either way."""
    out = tmp_path / "o"
    assert run_kg("build", str(corpus), "-o", str(out)).returncode == 0
    pages = sorted((out / "articles").glob("*.html"))
    first = {p.name: p.stat().st_ino for p in pages}
    hubs = _inodes(out, "entities")
    lib = {p.name: p.stat().st_ino for p in (out / "lib").iterdir()}
    assert run_kg("build", str(corpus), "-o", str(out)).returncode == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    # (and the two vis-network files in lib/, kept like the pages since session 29)
    assert report["pages_kept"] == len(pages) + len(hubs) + len(lib) and len(pages) > 100 and len(hubs) == 40
    assert report["layouts"]["made"] == 0 and report["layouts"]["reused"] >= 1
    assert {p.name: p.stat().st_ino for p in sorted((out / "articles").glob("*.html"))} == first
    assert _inodes(out, "entities") == hubs
    assert {p.name: p.stat().st_ino for p in (out / "lib").iterdir()} == lib and len(lib) == 2
    _same_outputs(serial, out)
    edited = pages[len(pages) // 2]
    edited.write_text(edited.read_text(encoding="utf-8").replace("<title>", "<title>EDITED "), encoding="utf-8")
    assert run_kg("build", str(corpus), "-o", str(out)).returncode == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["pages_kept"] == len(pages) + len(hubs) + len(lib) - 1
    assert "EDITED" not in edited.read_text(encoding="utf-8")
    _same_outputs(serial, out)
    css = out / "lib" / "vis-network.css"
    kept = css.read_text(encoding="utf-8")
    css.write_text("/* EDITED */" + kept, encoding="utf-8")  # a library file edited since: written again
    assert run_kg("build", str(corpus), "-o", str(out)).returncode == 0
    assert css.read_text(encoding="utf-8") == kept


def test_a_rebuild_redraws_the_pages_removed_since_with_what_they_draw(tmp_path):
    """A re-build makes the entity sets only of the articles whose page keys it makes, and takes how many entities
    the other pages draw from the previous build's record (session 31); pages removed or edited by hand since are
    drawn again, their entity sets made then (one, then all those left, in one pass each): the site is a fresh
    build's, index.html's counts included."""
    work = tmp_path / "corpus"
    shutil.copytree(SEEDS, work, ignore=shutil.ignore_patterns("*.md"))
    out = tmp_path / "o"
    assert run_kg("build", str(work), "-o", str(out)).returncode == 0
    pages = sorted((out / "articles").glob("*.html"))
    assert len(pages) > 10
    for page in pages[::4]:  # removed since
        page.unlink()
    edited = pages[1]
    edited.write_text(edited.read_text(encoding="utf-8").replace("<title>", "<title>EDITED "), encoding="utf-8")
    (work / "zz-city.txt").write_text("辽宁日报讯 今年，沈阳市加快推进华晨宝马新工厂项目建设。\n", encoding="utf-8")
    assert _rebuild_is_a_fresh_build(work, out, tmp_path)["page_keys_reused"] > 0
    assert "EDITED" not in edited.read_text(encoding="utf-8")


def test_graph_ttl_edited_or_removed_since_serves_no_block(tmp_path):
    """A re-build copies graph.ttl's unchanged blocks from the previous file only while it is the file the
    build cache describes (inode, size, modification time as written): edited in place to the same size,
    or removed, it serves nothing, and the re-build still equals a fresh build."""
    import time

    out, fresh = tmp_path / "o", tmp_path / "fresh"
    assert run_kg("build", str(SEEDS), "-o", str(out)).returncode == 0
    assert run_kg("build", str(SEEDS), "-o", str(fresh), "--no-cache").returncode == 0
    n_articles = json.loads((out / "report.json").read_text(encoding="utf-8"))["articles"]
    assert run_kg("build", str(SEEDS), "-o", str(out)).returncode == 0
    turtle = json.loads((out / "report.json").read_text(encoding="utf-8"))["turtle_cache"]
    assert turtle["reused"] == n_articles and turtle["made"] == turtle["blocks_made"] == 0  # all copied
    ttl = out / "graph.ttl"
    data = ttl.read_bytes()
    i = data.index(b"nif:anchorOf", len(data) // 2)
    time.sleep(0.05)
    ttl.write_bytes(data[:i] + b"nif:anchorOX" + data[i + 12 :])  # same size, another modification time
    assert run_kg("build", str(SEEDS), "-o", str(out)).returncode == 0
    turtle = json.loads((out / "report.json").read_text(encoding="utf-8"))["turtle_cache"]
    assert turtle["reused"] == turtle["blocks_reused"] == 0 and turtle["made"] == n_articles
    assert ttl.read_bytes() == (fresh / "graph.ttl").read_bytes()
    ttl.unlink()
    assert run_kg("build", str(SEEDS), "-o", str(out)).returncode == 0
    assert ttl.read_bytes() == (fresh / "graph.ttl").read_bytes()


def test_rebuild_patches_page_folders_leaving_no_page_of_a_removed_article(tmp_path):
    """A re-build keeps unchanged pages where they are and patches their folder: a page file removed
    from the corpus leaves no page behind, a stray file in the folder goes (as swapping the folder in
    whole did), the pages kept are the same files, and the folders equal a fresh build's."""
    work = tmp_path / "corpus"
    shutil.copytree(SEEDS, work, ignore=shutil.ignore_patterns("*.md"))
    out, fresh = tmp_path / "o", tmp_path / "fresh"
    assert run_kg("build", str(work), "-o", str(out)).returncode == 0
    before = _inodes(out, "articles")
    (out / "articles" / "stray.html").write_text("not ours", encoding="utf-8")
    gone = sorted(work.glob("*.txt"))[0]
    gone.unlink()
    assert run_kg("build", str(work), "-o", str(out)).returncode == 0
    assert run_kg("build", str(work), "-o", str(fresh), "--no-cache").returncode == 0
    after = _inodes(out, "articles")
    assert sorted(after) == sorted(_inodes(fresh, "articles")) and "stray.html" not in after
    assert len(after) < len(before) and not list(out.glob(".stage-*")) and not list(out.glob(".old-*"))
    kept = {n for n, ino in after.items() if before.get(n) == ino}
    assert 0 < len(kept) < len(after), (len(kept), len(after))  # kept (so patched) and drawn again both
    _same_outputs(fresh, out, positions=False)


def test_read_cache_serves_a_corpus_named_by_another_path(tmp_path):
    """Regression: the page cache was keyed by the path as typed, so ``kg build corpus`` then
    ``kg build /abs/corpus`` read and segmented every page again (and dropped the first rows)."""
    work = tmp_path / "corpus"
    shutil.copytree(SEEDS, work, ignore=shutil.ignore_patterns("*.md"))
    out = tmp_path / "o"
    assert run_kg("build", "corpus", "-o", str(out), cwd=tmp_path).returncode == 0
    first = (out / "graph.ttl").read_bytes()
    res = run_kg("build", str(work.resolve()), "-o", str(out))
    assert res.returncode == 0, res.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["reading"] == {"read": 0, "cached": report["files"]} and report["files"] == 5
    assert (out / "graph.ttl").read_bytes() == first


def _imports_done():
    from kg import pipeline

    return getattr(pipeline, "_PROBE_IMPORTED", False)


def test_a_fork_waits_for_the_imports_a_rebuild_runs_behind(monkeypatch):
    """A re-build imports the later stages in a thread while it reads; a process forked meanwhile (a pool
    for many new articles, the RDF writer) would inherit the import locks that thread holds, so every fork
    waits for it first: the child sees the imports finished."""
    import multiprocessing
    import time
    from concurrent.futures import ProcessPoolExecutor

    from kg import pipeline

    def slow_imports():
        time.sleep(0.5)
        pipeline._PROBE_IMPORTED = True

    monkeypatch.setattr(pipeline, "_load_later_stages", slow_imports)
    monkeypatch.setattr(pipeline, "_PROBE_IMPORTED", False, raising=False)
    later = pipeline._ImportsBehind()
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            assert pool.submit(_imports_done).result(timeout=30) is True
    finally:
        later.join()
    from kg import runtime

    assert later.thread not in runtime._FORK_WAITS_FOR  # (joined: no fork waits for it any more)


SHORT_FORM = "辽宁日报讯 今年，沈抚改革创新示范区加快建设。记者了解到，沈抚示范区今年新签约项目三十个。\n"
SECOND_FULL_NAME = "辽宁日报讯 沈抚开放合作示范区揭牌成立。\n"


def _recorded_page_keys(out) -> dict[str, str]:
    """The article and hub page keys a build recorded in its build cache, by page, its articles' Turtle keys, by
    article, and its merged blocks' keys, by subject."""
    import marshal
    import sqlite3

    from kg.buildcache import SideRecord
    from kg.export import ARTICLE_KEYS, TURTLE_INDEX, TURTLE_RECORD
    from kg.export.rdf import TurtleIndex

    db = sqlite3.connect(out / ".kg-cache.sqlite")
    try:
        pages = {name: value.split()[0] for name, value in db.execute("SELECT key, value FROM html") if "/" in name}
        state, = db.execute("SELECT value FROM html WHERE key = 'state'").fetchone()
    finally:
        db.close()
    assert marshal.dumps(marshal.loads(state), 2) == state  # (the pages' state, written as version 2 writes it)
    rows = SideRecord(out / ".kg-cache.sqlite", TURTLE_RECORD).read()
    record, blocks = marshal.loads(rows[ARTICLE_KEYS]), TurtleIndex.loads(rows[TURTLE_INDEX]).blocks()
    assert blocks  # (the blocks' keys, as the index gives them)
    assert marshal.dumps(record, 2) == rows[ARTICLE_KEYS]  # (written with no table of references: ``cached_turtle``)
    return {**pages, **{f"turtle of {aid}": key for aid, key in record[4].items()},
            **{f"block of {subject}": key for subject, key in blocks.items()}}


def _same_recorded_keys(out, fresh) -> None:
    """``out``'s build recorded the page, Turtle and block keys a fresh build of the same files (``fresh``) records;
    but a hub page it patched (``html.patched_page``) is recorded under ``patched:`` and its light key, the one the
    fresh build records for the page (a key no drawing gives, so that the next build takes it back only where
    nothing on the page changed again)."""
    import marshal
    import sqlite3

    db = sqlite3.connect(fresh / ".kg-cache.sqlite")
    try:
        (state,), = db.execute("SELECT value FROM html WHERE key = 'state'")
    finally:
        db.close()
    lights = marshal.loads(state)[6]
    ours, theirs = _recorded_page_keys(out), _recorded_page_keys(fresh)
    for name, key in ours.items():
        if key.startswith("patched:"):
            assert key == "patched:" + lights[name], name
            ours[name] = theirs.get(name)
    assert ours == theirs


def _built_without_the_last_seed(tmp_path):
    """The seeds copied to ``tmp_path``/corpus and built into ``tmp_path``/o without the last of them, which is held
    beside: (the corpus, the last seed's place in it, where it is held, the output)."""
    work = tmp_path / "corpus"
    shutil.copytree(SEEDS, work, ignore=shutil.ignore_patterns("*.md"))
    added = sorted(work.glob("*.txt"))[-1]
    held = tmp_path / added.name
    shutil.move(added, held)
    out = tmp_path / "o"
    assert run_kg("build", str(work), "-o", str(out)).returncode == 0
    return work, added, held, out


def _rebuild_is_a_fresh_build(work, out, tmp_path) -> dict:
    """Re-build ``work`` into ``out`` with the kept resolution serving (no error, no traceback), then check it records
    the keys and writes the outputs a fresh build of ``work`` does; its report, for what it took."""
    res = run_kg("build", str(work), "-o", str(out))
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["resolution"]["entities kept"] > 0, report  # (the kept resolution served)
    fresh = tmp_path / "fresh"
    assert run_kg("build", str(work), "-o", str(fresh)).returncode == 0
    _same_recorded_keys(out, fresh)
    _same_outputs(fresh, out, positions=False)
    _same_counts(out, fresh)
    return report


def _same_counts(out, fresh) -> None:
    """``out``'s report counts the entities by type and the relations by kind as ``fresh``'s (a re-build's entities
    counted as the kept resolution was updated, not node by node)."""
    ours, theirs = (json.loads((o / "report.json").read_text(encoding="utf-8")) for o in (out, fresh))
    assert (ours["entities"], ours["relations"]) == (theirs["entities"], theirs["relations"]), (ours, theirs)


def test_rebuilds_take_the_article_page_keys_they_would_make(tmp_path):
    """A re-build takes an unchanged article's page key and Turtle key from the previous build's record instead
    of making them (session 30): after articles are added, removed, edited, a file changed around its articles,
    and a relation gone to a more specific place, each re-build records the keys a fresh build of the same files
    makes, and writes the same graph.ttl and site."""
    work = tmp_path / "corpus"
    shutil.copytree(SEEDS, work, ignore=shutil.ignore_patterns("*.md"))
    for f in sorted(PD1998.glob("*.txt"))[::60][:40] if PD1998.is_dir() else []:
        shutil.copy(f, work / f.name)
    files = sorted(work.glob("*.txt"))
    held = [tmp_path / f.name for f in files[-2:]]
    for f, h in zip(files[-2:], held):
        shutil.move(f, h)
    # a project read in a city, then in a zone of it: the most specific place stays, so the first article's
    # relation goes while its entities read as they did (only the relations tell its page changed)
    (work / "zz-city.txt").write_text("辽宁日报讯 今年，沈阳市加快推进华晨宝马新工厂项目建设。\n", encoding="utf-8")
    zone = "辽宁日报讯 今年，沈阳经济技术开发区加快推进华晨宝马新工厂项目建设，沈阳市领导到场。\n"
    # a short form read as the one full name it abbreviates, until a second full name parts them: the first
    # article's mention is then read as another entity
    (work / "zz-short.txt").write_text(SHORT_FORM, encoding="utf-8")
    out = tmp_path / "o"
    assert run_kg("build", str(work), "-o", str(out)).returncode == 0
    first = files[0].read_text(encoding="utf-8")

    def step(n: int) -> dict:
        res = run_kg("build", str(work), "-o", str(out))
        assert res.returncode == 0, res.stderr
        fresh = tmp_path / f"fresh{n}"
        assert run_kg("build", str(work), "-o", str(fresh)).returncode == 0
        _same_recorded_keys(out, fresh)
        _same_outputs(fresh, out, positions=False)
        _same_counts(out, fresh)
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        assert report["turtle_cache"]["keys_recorded"] >= report["page_keys_reused"] > 0, report
        assert report["turtle_cache"]["block_keys_recorded"] > 0, report
        return report

    shutil.move(held[0], work / held[0].name)  # an article added
    report = step(1)
    assert report["resolution"]["entities kept"] > 0 and report["page_keys_reused"] > 0, report
    reused = report["page_keys_reused"]
    files[3].unlink()  # an article removed
    assert step(2)["page_keys_reused"] > 0
    text = files[5].read_text(encoding="utf-8")  # an article edited: a sentence naming other entities
    files[5].write_text(text + "\n国务院总理朱镕基在北京会见了美国国务卿奥尔布赖特。\n", encoding="utf-8")
    assert step(3)["page_keys_reused"] > 0
    files[0].write_text(first + "\n\n", encoding="utf-8")  # its articles' text as it was, the file's not
    assert step(4)["page_keys_reused"] > 0
    shutil.move(held[1], work / held[1].name)
    assert step(5)["page_keys_reused"] >= reused - 5
    (work / "zz-zone.txt").write_text(zone, encoding="utf-8")
    assert step(6)["page_keys_reused"] > 0
    assert "沈阳经济技术开发区" in (out / "graph.ttl").read_text(encoding="utf-8")
    (work / "zz-second.txt").write_text(SECOND_FULL_NAME, encoding="utf-8")
    assert step(7)["page_keys_reused"] > 0
    assert "region:沈抚示范区 " in (out / "graph.ttl").read_text(encoding="utf-8")


def test_a_rebuild_after_a_failed_one_takes_no_key_recorded_before_it(tmp_path):
    """A build that fails once its resolution is kept (here: committing its outputs) records no page keys, so
    what the next build's resolution says changed since the failed build says nothing of the pages the build
    before drew: the next build makes every article page key (the kept resolution and the pages' record carry
    one build's token) and draws what a fresh build draws."""
    work = tmp_path / "corpus"
    shutil.copytree(SEEDS, work, ignore=shutil.ignore_patterns("*.md"))
    (work / "zz-city.txt").write_text("辽宁日报讯 今年，沈阳市加快推进华晨宝马新工厂项目建设。\n", encoding="utf-8")
    out = tmp_path / "o"
    assert run_kg("build", str(work), "-o", str(out)).returncode == 0
    (work / "zz-zone.txt").write_text("辽宁日报讯 今年，沈阳经济技术开发区加快推进华晨宝马新工厂项目建设，沈阳市领导到场。\n",
                                      encoding="utf-8")  # (the city article's relation goes: its page changes)
    blocker = out / "report.json"
    blocker.unlink()
    (blocker / "x").mkdir(parents=True)  # the report cannot be renamed into place
    before = (out / "graph.ttl").read_bytes()
    res = run_kg("build", str(work), "-o", str(out))
    # (regression: a traceback, with the outputs renamed before it in place)
    assert res.returncode != 0 and "Traceback" not in res.stderr and "report.json: a folder" in res.stderr, res.stderr
    assert (out / "graph.ttl").read_bytes() == before
    shutil.rmtree(blocker)
    report = _rebuild_is_a_fresh_build(work, out, tmp_path)
    assert report["page_keys_reused"] == 0, report
    # (the Turtle keys recorded by the failed build are taken: they describe its articles as its kept resolution
    # does, whatever was committed; graph.ttl, not committed, is made again)
    assert report["turtle_cache"]["keys_recorded"] > 0 and report["turtle_cache"]["reused"] == 0, report
    assert report["turtle_cache"]["block_keys_recorded"] > 0, report


def test_article_keys_recorded_by_other_code_or_for_another_base_are_not_taken(tmp_path, monkeypatch):
    """Pages drawn by other code (``HTML_FINGERPRINT``) are drawn again in a re-build, though the kept resolution
    says no article changed: the keys recorded with them are not taken for this code's; nor are the articles'
    Turtle keys recorded for another base."""
    from kg.export import html, rdf

    work = tmp_path / "corpus"
    shutil.copytree(SEEDS, work, ignore=shutil.ignore_patterns("*.md"))
    out = tmp_path / "o"
    assert invoke_kg(["build", str(work), "-o", str(out), "-j", "1"]).exit_code == 0
    pages = len(list((out / "articles").glob("*.html")))
    assert invoke_kg(["build", str(work), "-o", str(out), "-j", "1"]).exit_code == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["page_keys_reused"] == pages > 0 and report["pages_kept"] >= pages, report
    monkeypatch.setattr(html, "HTML_FINGERPRINT", "other drawing code")
    assert invoke_kg(["build", str(work), "-o", str(out), "-j", "1"]).exit_code == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["page_keys_reused"] == 0 and report["pages_kept"] == 2, report  # (lib/'s two files)
    assert report["turtle_cache"]["keys_recorded"] == report["articles"], report
    # (nothing changed: every entity's and relation's block key is taken; the roles' are made, from their titles)
    blocks = sum(report["entities"].values()) + sum(report["relations"].values())
    assert report["turtle_cache"]["block_keys_recorded"] == blocks > 0, report
    monkeypatch.setattr(rdf, "RDF_FINGERPRINT", "other RDF code")
    assert invoke_kg(["build", str(work), "-o", str(out), "-j", "1"]).exit_code == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["turtle_cache"]["keys_recorded"] == report["turtle_cache"]["reused"] == 0, report
    assert report["turtle_cache"]["block_keys_recorded"] == report["turtle_cache"]["blocks_reused"] == 0, report
    assert report["page_keys_reused"] == pages, report
    # another base: every IRI is another, and no Turtle key recorded under the other is taken
    other = "https://example.org/kg/"
    assert invoke_kg(["build", str(work), "-o", str(out), "-j", "1", "--base", other]).exit_code == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["turtle_cache"]["keys_recorded"] == report["turtle_cache"]["reused"] == 0, report
    assert report["turtle_cache"]["block_keys_recorded"] == report["turtle_cache"]["blocks_reused"] == 0, report
    fresh = tmp_path / "fresh"
    assert invoke_kg(["build", str(work), "-o", str(fresh), "-j", "1", "--base", other]).exit_code == 0
    assert (out / "graph.ttl").read_bytes() == (fresh / "graph.ttl").read_bytes()


def test_records_of_a_build_whose_resolution_was_not_kept_are_not_taken(tmp_path):
    """The records of a build whose kept resolution did not reach the build cache (killed, or failing, after the
    writers recorded their keys: simulated by putting back the rows kept before it) are not taken by the next
    build, which knows what changed only since the build before: here the second full name that parted a short
    form is gone again, so the first article reads its short form as the full name once more, as it did then."""
    import sqlite3

    work = tmp_path / "corpus"
    shutil.copytree(SEEDS, work, ignore=shutil.ignore_patterns("*.md"))
    (work / "zz-short.txt").write_text(SHORT_FORM, encoding="utf-8")
    out = tmp_path / "o"
    assert run_kg("build", str(work), "-o", str(out)).returncode == 0
    cache = out / ".kg-cache.sqlite"
    with sqlite3.connect(cache) as db:
        kept_rows = db.execute("SELECT key, value FROM resolution").fetchall()
    (work / "zz-second.txt").write_text(SECOND_FULL_NAME, encoding="utf-8")
    assert run_kg("build", str(work), "-o", str(out)).returncode == 0
    assert "region:沈抚示范区 " in (out / "graph.ttl").read_text(encoding="utf-8")
    db = sqlite3.connect(cache)
    with db:
        db.execute("DELETE FROM resolution")
        db.executemany("INSERT INTO resolution (key, value) VALUES (?, ?)", kept_rows)
    db.close()
    (work / "zz-second.txt").unlink()
    report = _rebuild_is_a_fresh_build(work, out, tmp_path)  # (the kept resolution of the first build served)
    assert report["page_keys_reused"] == report["turtle_cache"]["keys_recorded"] == 0, report
    assert report["turtle_cache"]["block_keys_recorded"] == 0, report


def test_records_that_do_not_read_back_serve_nothing(tmp_path):
    """The pages' and graph.ttl's records of their article keys (session 30), damaged or in another shape, are no
    error: no key is taken from them, and the re-build is a fresh build's."""
    import marshal
    import sqlite3

    from kg.buildcache import SideRecord
    from kg.export import ARTICLE_KEYS, TURTLE_RECORD, KeptPages

    work, added, held, out = _built_without_the_last_seed(tmp_path)
    db = sqlite3.connect(out / ".kg-cache.sqlite")
    (state,) = db.execute("SELECT value FROM html WHERE key = ?", (KeptPages.STATE,)).fetchone()
    record = SideRecord(out / ".kg-cache.sqlite", TURTLE_RECORD)
    rows = record.read()
    state, keys = marshal.loads(state), marshal.loads(rows[ARTICLE_KEYS])
    with db:  # the tokens still those of the kept resolution: only the rest is of another shape
        db.execute("UPDATE html SET value = ? WHERE key = ?", (marshal.dumps(state[:2] + (42,) + state[3:]), KeptPages.STATE))
    db.close()
    record.replace({**rows, ARTICLE_KEYS: marshal.dumps(keys[:4] + ([1, 2],) + keys[5:])})
    shutil.move(held, added)
    report = _rebuild_is_a_fresh_build(work, out, tmp_path)
    assert report["page_keys_reused"] == report["turtle_cache"]["keys_recorded"] == 0, report
    assert report["turtle_cache"]["block_keys_recorded"] == 0, report


def test_a_pages_record_whose_entity_counts_are_not_numbers_serves_nothing(tmp_path):
    """The pages' record gives how many entities each unchanged article's page draws (session 31): a record whose
    counts read back as something else (damaged, or written by other code) serves nothing, and the re-build is a
    fresh build's (index.html's counts included)."""
    import marshal
    import sqlite3

    from kg.export import KeptPages

    work = tmp_path / "corpus"
    shutil.copytree(SEEDS, work, ignore=shutil.ignore_patterns("*.md"))
    out = tmp_path / "o"
    assert run_kg("build", str(work), "-o", str(out)).returncode == 0
    db = sqlite3.connect(out / ".kg-cache.sqlite")
    (state,) = db.execute("SELECT value FROM html WHERE key = ?", (KeptPages.STATE,)).fetchone()
    state = marshal.loads(state)
    assert sum(state[5].values()) > 0
    with db:
        db.execute("UPDATE html SET value = ? WHERE key = ?",
                   (marshal.dumps(state[:5] + ({aid: str(n) for aid, n in state[5].items()},)), KeptPages.STATE))
    db.close()
    (work / "zz-city.txt").write_text("辽宁日报讯 今年，沈阳市加快推进华晨宝马新工厂项目建设。\n", encoding="utf-8")
    assert _rebuild_is_a_fresh_build(work, out, tmp_path)["page_keys_reused"] == 0


def test_a_rebuild_that_adds_a_few_entities_places_them_with_no_layout(tmp_path):
    """A re-build whose new article adds a few entities to graph.html and a hub's laid-out page places them beside
    their neighbours and leaves the others where the first build put them (``Layouts.placed``): no layout is
    computed and numpy is not imported (0.1 s), the entities drawn before keep their positions up to the page's
    scale, and all but the positions is what a fresh build writes. The hub page's positions outlive a re-build
    that keeps the page as it was."""
    import statistics
    import subprocess
    import sys

    work = tmp_path / "corpus"
    shutil.copytree(SEEDS, work, ignore=shutil.ignore_patterns("*.md"))
    out = tmp_path / "o"
    assert run_kg("build", str(work), "-o", str(out)).returncode == 0
    first = json.loads((out / "report.json").read_text(encoding="utf-8"))["layouts"]
    # an article that relates nothing: graph.html draws one more entity, the hub pages are kept as they were (and
    # so are their entities' positions, for the next re-build)
    hubs = _inodes(out, "entities")
    (work / "zz-lone.txt").write_text("本报讯 王小明在会上发言。\n", encoding="utf-8")
    assert run_kg("build", str(work), "-o", str(out)).returncode == 0
    lone = json.loads((out / "report.json").read_text(encoding="utf-8"))["layouts"]
    assert lone["made"] == 0 and lone["placed"] == 1 and lone["graph_html_placed_beside"] == 0, lone
    assert _inodes(out, "entities") == hubs
    before = _positions(out / "graph.html")
    (work / "zz-new.txt").write_text("辽宁日报讯 本报记者王小明报道：今年，丹东市宽甸满族自治县推进“乡村振兴示范带”建设。\n",
                                     encoding="utf-8")
    code = ("import sys; from kg.cli import run; assert run(['build', sys.argv[1], '-o', sys.argv[2]]) == 0;"
            " print('numpy' in sys.modules)")
    res = subprocess.run([sys.executable, "-c", code, str(work), str(out)], capture_output=True, text=True)
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    assert res.stdout.split()[-1] == "False"
    layouts = json.loads((out / "report.json").read_text(encoding="utf-8"))["layouts"]
    assert first["made"] >= 2 and layouts["made"] == 0 and layouts["placed"] == first["made"], (first, layouts)
    assert 0 < layouts["graph_html_placed_beside"] <= 5
    after = _positions(out / "graph.html")
    assert len(after) > len(before)
    scale = statistics.median(after[n][0] / xy[0] for n, xy in before.items() if abs(xy[0]) > 50)
    assert all(abs(after[n][0] - xy[0] * scale) < 1 and abs(after[n][1] - xy[1] * scale) < 1 for n, xy in before.items())
    fresh = tmp_path / "fresh"
    assert run_kg("build", str(work), "-o", str(fresh), "--no-cache").returncode == 0
    _same_outputs(fresh, out, positions=False)


def _positions(page) -> dict[str, tuple[float, float]]:
    """Each related entity's position on a page that lays them out, from its data (the unrelated ones go on a
    spiral around them, in id order)."""
    data = page_data(page)
    related = {n for e in data["edges"] if e["from"] != e["to"] for n in (e["from"], e["to"])}
    return {n["id"]: (n["x"], n["y"]) for n in data["nodes"] if n["id"] in related}


def test_the_gazetteer_is_read_back_from_the_build_cache(tmp_path, monkeypatch):
    """A build keeps the gazetteer's tables in its build cache, and the next build reads them back (~6 ms)
    instead of making them (~25 ms of the main process, before its workers start): the same gazetteer, and the
    same graph. Where what makes the gazetteer changed (its key), or the row does not read back, it is made
    again (here making it fails, so that a build that makes it shows), and the row replaced."""
    import sqlite3

    from kg import lexicon, pipeline

    cache = tmp_path / "cache.sqlite"
    monkeypatch.setattr(lexicon, "_SHARED", [])
    first = pipeline.run([str(SEEDS)], cache_path=str(cache))[0]
    made = lexicon.gazetteer()

    def not_made(self, *args, **kwargs):
        raise RuntimeError("the gazetteer made again")

    monkeypatch.setattr(lexicon.Gazetteer, "__init__", not_made)
    monkeypatch.setattr(lexicon, "_SHARED", [])
    again = pipeline.run([str(SEEDS)], cache_path=str(cache))[0]
    read = lexicon.gazetteer()
    assert read is not made and list(read.regions.items()) == list(made.regions.items())
    assert read.forms == made.forms and read.name_like_forms == made.name_like_forms
    assert read.province_by_form == made.province_by_form and read.find_forms("沈阳市和大连") == made.find_forms("沈阳市和大连")
    assert again.nodes == first.nodes and again.edges == first.edges
    for change in ("key", "row"):
        monkeypatch.setattr(lexicon, "_SHARED", [])
        if change == "key":
            monkeypatch.setattr(pipeline, "gazetteer_key", lambda: "another gazetteer")
        else:
            monkeypatch.undo()
            monkeypatch.setattr(lexicon.Gazetteer, "__init__", not_made)
            monkeypatch.setattr(lexicon, "_SHARED", [])
            db = sqlite3.connect(cache)
            with db:
                db.execute("UPDATE gazetteer SET value = ?", (b"\x00 not a snapshot",))
            db.close()
        with pytest.raises(RuntimeError, match="made again"):
            pipeline.run([str(SEEDS)], cache_path=str(cache))
    monkeypatch.undo()
    monkeypatch.setattr(lexicon, "_SHARED", [])
    assert pipeline.run([str(SEEDS)], cache_path=str(cache))[0].nodes == first.nodes  # (the row replaced)
    db = sqlite3.connect(cache)
    rows = db.execute("SELECT key, value FROM gazetteer").fetchall()
    db.close()
    assert len(rows) == 1 and lexicon.Gazetteer.from_snapshot(rows[0][1]).forms == made.forms


def test_a_side_records_rows_read_back_as_written_and_only_whole(tmp_path):
    """``SideRecord`` writes its rows one after the other behind a head naming them, each as it is given (bytes, or a
    view of another record's), and reads them back as views of the file mapped, which stay valid when the record
    is replaced; a file cut short, grown, of another layout, empty or missing holds no row."""
    import marshal

    from kg.buildcache import SideRecord

    record = SideRecord(tmp_path / "cache", "x")
    assert record.read() == {}
    rows = {"index": marshal.dumps(list(range(1000))), "keys": b"", "stamp": marshal.dumps((1, 2, 3)), "é": b"\0" * 7}
    record.replace(rows)
    got = record.read()
    assert list(got) == list(rows) and {k: bytes(v) for k, v in got.items()} == rows
    record.replace({"index": got["index"], "more": b"new"})  # (a row passed on as read)
    assert marshal.loads(got["index"]) == list(range(1000)) and bytes(got["é"]) == b"\0" * 7  # (the old views)
    again = record.read()
    assert {k: bytes(v) for k, v in again.items()} == {"index": rows["index"], "more": b"new"}
    whole = record.path.read_bytes()
    for damaged in (whole[:-1], whole + b"x", b"garbage", b"", whole.replace(b"kg rows", b"kg rowz", 1),
                    whole[: len(SideRecord.MAGIC) + 3]):
        record.path.write_bytes(damaged)
        assert record.read() == {}, damaged[:20]
    record.replace({})
    assert not record.path.exists()


def test_graph_ttls_record_beside_the_build_cache_serves_only_when_whole(tmp_path):
    """graph.ttl's index and its parts' keys are one file beside the build cache (``SideRecord``, replaced whole
    at every build: 2 ms where rewriting them in SQLite took 25-30 ms over PD1998). A re-build copies the unchanged
    parts it describes; a record cut short (or of garbage) is no error and serves nothing, and the re-build is a
    fresh build's. The table an earlier kg kept them in is dropped from the cache."""
    import sqlite3

    from kg.buildcache import SideRecord
    from kg.export import ARTICLE_KEYS, TURTLE_INDEX, TURTLE_RECORD, TURTLE_STAMP

    work, added, held, out = _built_without_the_last_seed(tmp_path)
    record = SideRecord(out / ".kg-cache.sqlite", TURTLE_RECORD)
    assert set(record.read()) == {TURTLE_STAMP, TURTLE_INDEX, ARTICLE_KEYS} and not list(out.glob(".*.tmp"))
    shutil.move(held, added)
    report = _rebuild_is_a_fresh_build(work, out, tmp_path)
    assert report["turtle_cache"]["reused"] > 0 and report["turtle_cache"]["blocks_reused"] > 0, report
    whole = record.path.read_bytes()
    db = sqlite3.connect(out / ".kg-cache.sqlite")
    with db:
        db.execute("CREATE TABLE turtle (key TEXT PRIMARY KEY, value BLOB)")  # (as an earlier kg left it)
        db.execute("INSERT INTO turtle VALUES (?, ?)", (TURTLE_INDEX, b"x" * 1000))
    db.close()
    for damaged in (whole[: len(whole) // 2], b"garbage"):
        record.path.write_bytes(damaged)
        assert record.read() == {}
        (work / "zz-new.txt").write_text(f"辽宁日报讯 {len(damaged)} 沈阳市加快建设。\n", encoding="utf-8")
        report = _rebuild_is_a_fresh_build(work, out, tmp_path / str(len(damaged)))
        assert report["turtle_cache"]["reused"] == 0, report
        assert set(record.read()) == {TURTLE_STAMP, TURTLE_INDEX, ARTICLE_KEYS}
    db = sqlite3.connect(out / ".kg-cache.sqlite")
    assert "turtle" not in {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    db.close()


def test_the_rebuild_trace_finds_every_stage_it_names(tmp_path):
    """``benchmarks/rebuild_trace.py`` wraps the build's stage functions by name, so renaming one would leave its
    timeline short: over the seeds each stage it names is logged, in time order, each ending after it starts and
    within the re-build, and it reports the share of the first build gone before the exports."""
    import subprocess
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from rebuild_trace import STAGES
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    res = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "rebuild_trace.py"), str(SEEDS), "--runs", "1"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    wall = float(next(line for line in lines if line.startswith("re-build 1:")).split()[2])
    rows = [line.split() for line in lines if line.split()[:1] in (["main"], ["worker"], ["rdf"])]
    logged = {" ".join(r[1:-3]) for r in rows}
    assert logged == {label.strip() for _, _, _, label in STAGES}, logged
    starts = [float(r[-3]) for r in rows]
    assert starts == sorted(starts)
    assert all(0 < float(r[-3]) <= float(r[-2]) < wall for r in rows)
    share = next(line for line in lines if line.startswith("before the exports start:"))
    assert 0 < float(share.split()[4]) < wall and 0 < float(share.split()[7]) < 100, share


def test_a_rebuild_hashes_the_iris_only_of_relations_new_since_and_mints_only_the_entities_it_states(tmp_path,
                                                                                                 monkeypatch):
    """graph.ttl's record keeps each relation's fact and role IRIs (``_Articles.terms``), and a re-build takes them
    (``_Articles.seed``) instead of hashing them again: it hashes only those of the relations the previous build did
    not have (PD1998: 4.8 k hashed IRIs). The entities' IRIs are not recorded (session 40): a re-build finds the
    blocks of what changed (``_changed_blocks``, session 45) and mints the IRIs of those entities and of the new
    article's mentions alone, none of the others'. graph.ttl is a fresh build's."""
    import marshal

    from kg.buildcache import SideRecord
    from kg.export import ARTICLE_KEYS, TURTLE_RECORD, rdf

    work, added, held, out = _built_without_the_last_seed(tmp_path)

    def terms() -> tuple[dict, dict]:
        """(the entities' terms the record holds, the relations'): its terms are keyed by a relation's (s, o, kind,
        title); any other key would be an entity's"""
        recorded = marshal.loads(SideRecord(out / ".kg-cache.sqlite", TURTLE_RECORD).read()[ARTICLE_KEYS])[6]
        entities = {k: v for k, v in recorded.items() if not (isinstance(k, tuple) and len(k) == 4)}
        return entities, {k: v for k, v in recorded.items() if k not in entities}

    entities, facts = terms()
    assert entities == {} and facts
    minted, hashed = [], []
    entity_iri, hash_ = rdf.entity_iri, rdf._hash
    monkeypatch.setattr(rdf, "entity_iri", lambda base, eid: minted.append(eid) or entity_iri(base, eid))
    monkeypatch.setattr(rdf, "_hash", lambda *parts: hashed.append(parts) or hash_(*parts))
    shutil.move(held, added)
    res = invoke_kg(["build", str(work), "-o", str(out), "-j", "1"])
    assert res.exit_code == 0, res.output
    now_entities, now_facts = terms()
    new_facts = now_facts.keys() - facts.keys()
    assert now_entities == {} and new_facts
    assert len(hashed) == len(new_facts)
    nodes = json.loads((out / "report.json").read_text(encoding="utf-8"))["entities"]
    # each IRI minted once, when first wanted; those of the entities made again, or named by the blocks made or by
    # the new article (here a fifth of the corpus: 330 of 475 entities), not every entity's
    assert minted and len(minted) == len(set(minted)) and len(minted) < sum(nodes.values()), (len(minted), nodes)
    fresh = tmp_path / "fresh"  # (its record's terms all minted)
    assert run_kg("build", str(work), "-o", str(fresh)).returncode == 0
    assert (out / "graph.ttl").read_bytes() == (fresh / "graph.ttl").read_bytes()
    out = fresh
    fresh_entities, fresh_facts = terms()
    # (a relation gone since may stay recorded, until those gone are a fifth: copied whole, not filtered)
    assert fresh_entities == {} and now_facts.items() >= fresh_facts.items()


def _linked_copy(out, to):
    """A copy of a build's output folder as ``ab_rebuild_cpu.sh`` makes one: its files hard-linked (the pages keep
    their inode, size and time, as the build recorded them), its SQLite cache copied (a build writes it in place)."""
    import os

    shutil.copytree(out, to, copy_function=os.link)
    for cache in to.glob(".kg-cache.sqlite*"):
        cache.unlink()
        shutil.copy2(out / cache.name, cache)
    return to


def test_pages_drawing_what_they_drew_are_patched_as_they_would_be_drawn(tmp_path, monkeypatch):
    """Where graph.html or a hub page draws the entities, relations, links and positions the previous build's did
    (``page_light_key``, ``ego_page_light_key``), a re-build makes it from that file, with the entries of the entities
    made again since and the note made again (``patched_page``), not drawn: every page the same bytes as drawing them
    gives, after a paragraph is added that names drawn entities again (their mentions and first sentences change),
    after an article adds entities that are not drawn (graph.html's note counts them), and again from the pages so
    patched (recorded under keys no drawing gives); in one process, and with the RDF writer forked and the pages
    written from a thread (their unchanged stretches copied from the previous files, open until then). A graph.html edited since is drawn, not patched. (graph.html
    draws the 30 most related entities here, as it draws PD1998's 1,500 of 15 k.)"""
    import subprocess
    import sys

    from kg.export import html

    monkeypatch.setattr(html, "MAX_WHOLE", 30)
    monkeypatch.setattr(html, "BROWSER_LAYOUT", 20)  # (hub pages of more entities placed here, as PD1998's of 400)
    work = tmp_path / "corpus"
    shutil.copytree(SEEDS, work, ignore=shutil.ignore_patterns("*.md"))
    out = tmp_path / "o"
    assert invoke_kg(["build", str(work), "-o", str(out), "-j", "1"]).exit_code == 0
    first = sorted(work.glob("*.txt"))[0]
    paragraph = max(first.read_text(encoding="utf-8").split("\n\n"), key=len)

    def rebuild(n: int, patch: bool) -> dict:
        to = _linked_copy(out, tmp_path / f"{n}-{patch}")
        with monkeypatch.context() as m:
            if not patch:
                m.setattr(html, "patched_page", lambda *args: None)
            res = invoke_kg(["build", str(work), "-o", str(to), "-j", "1"])
        assert res.exit_code == 0, res.output
        return json.loads((to / "report.json").read_text(encoding="utf-8")) | {"out": to}

    def rebuild_forked(n: int) -> dict:
        """The re-build with the RDF writer forked beside the pages, which go to disk from a thread: a patched page's
        unchanged stretches are copied from the previous file, open until the thread has written them."""
        to = _linked_copy(out, tmp_path / f"{n}-forked")
        code = ("import sys; import kg.export as export; from kg.export import html; from kg.cli import main; "
                "html.MAX_WHOLE, html.BROWSER_LAYOUT, export.PARALLEL_EXPORT_ARTICLES = 30, 20, 1; "
                "sys.argv = ['kg', 'build', sys.argv[1], '-o', sys.argv[2], '-j', '2']; main()")
        res = subprocess.run([sys.executable, "-c", code, str(work), str(to)], capture_output=True, text=True,
                             cwd=SEEDS.parent, timeout=300)
        assert res.returncode == 0, res.stderr
        report = json.loads((to / "report.json").read_text(encoding="utf-8"))
        assert report["export"].startswith("RDF in a forked process"), report["export"]
        return report | {"out": to}

    edits = [lambda: first.write_text(first.read_text(encoding="utf-8") + "\n\n" + paragraph + "\n", encoding="utf-8"),
             lambda: (work / "zz-new.txt").write_text("辽宁日报讯 昨天，盘锦市副市长林志远在盘锦市第三中学调研。\n",
                                                      encoding="utf-8")]
    def pages(to) -> dict[str, bytes]:
        return {str(f.relative_to(to)): f.read_bytes() for f in sorted(to.rglob("*.html"))}

    hubs = 0
    for n, edit in enumerate(edits + edits[:1]):
        edit()
        made, drawn, forked = rebuild(n, True), rebuild(n, False), rebuild_forked(n)
        assert made["pages_patched"][:1] == ["graph.html"] and drawn["pages_patched"] == [], n
        assert pages(made["out"]) == pages(drawn["out"]), n
        assert forked["pages_patched"] == made["pages_patched"] and pages(forked["out"]) == pages(drawn["out"]), n
        hubs += len(made["pages_patched"]) - 1
        shutil.rmtree(out)
        out = _linked_copy(made["out"], tmp_path / f"o{n}")
    assert hubs > 0
    # hub pages that draw otherwise than recorded (their light keys all other) are drawn, not patched
    edits[0]()
    with monkeypatch.context() as m:
        m.setattr(html, "ego_page_light_key", lambda *args: "other")
        made = rebuild(8, True)
    assert made["pages_patched"] == ["graph.html"], made["pages_patched"]
    # a graph.html edited since (a byte changed: its time and its stamp with it) is drawn
    page = out / "graph.html"
    page.write_bytes(page.read_bytes().replace(b"<title>", b"<title> "))
    first.write_text(first.read_text(encoding="utf-8") + "\n\n" + paragraph + "\n", encoding="utf-8")
    made = rebuild(9, True)
    assert "graph.html" not in made["pages_patched"] and b"<title> " not in (made["out"] / "graph.html").read_bytes()


def test_the_resolution_is_kept_once_by_whichever_exporting_process_is_done_first(corpus, tmp_path):
    """The pages' process and the forked RDF writer share a claim (``export._keep``): whichever is done with its
    outputs first writes the kept resolution into the build cache, once, while the other finishes. Here the RDF
    writer is slowed, then the pages: each time exactly one process keeps it (the pages', then the writer's), and
    the re-build that follows is served by it and gives a fresh build's graph."""
    import subprocess
    import sys

    code = """if True:
        import os, sys, time
        import kg.export, kg.export.html, kg.kept
        from kg.cli import main

        log, slow = sys.argv[3], sys.argv[4]
        keep = kg.kept.KeptResolution.keep

        def logged(self, nodes):
            with open(log, "a") as fh:
                fh.write(f"{os.getpid()}\\n")
            keep(self, nodes)

        kg.kept.KeptResolution.keep = logged

        def slowed(fn):
            def slower(*args, **kwargs):
                time.sleep(0.5)
                return fn(*args, **kwargs)
            return slower

        if slow == "rdf":
            kg.export._rdf_files = slowed(kg.export._rdf_files)
        else:
            kg.export.html.site = slowed(kg.export.html.site)
        print(os.getpid(), file=sys.stderr)
        sys.argv = ["kg", "build", sys.argv[1], "-o", sys.argv[2], "-j", "2"]
        main()
    """
    out = tmp_path / "o"
    for slow, by_main in (("rdf", True), ("pages", False)):
        log = tmp_path / f"kept-{slow}.log"
        res = subprocess.run([sys.executable, "-c", code, str(corpus), str(out), str(log), slow],
                             capture_output=True, text=True, cwd=SEEDS.parent, timeout=300)
        assert res.returncode == 0, res.stderr
        main_pid = res.stderr.strip().splitlines()[0]
        kept = log.read_text().split()
        assert len(kept) == 1 and (kept[0] == main_pid) == by_main, (slow, kept, main_pid)
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        assert report["export"].startswith("RDF in a forked process"), report["export"]
    # (nothing changed since: the second build was served by the first's kept resolution, and kept its own)
    assert report["resolution"]["entities kept"] == sum(report["entities"].values()) > 0, report["resolution"]
    fresh = tmp_path / "fresh"
    assert run_kg("build", str(corpus), "-o", str(fresh), "--no-cache").returncode == 0
    assert (out / "graph.ttl").read_bytes() == (fresh / "graph.ttl").read_bytes()


def test_the_kg_command_holds_a_rebuilds_leftovers_to_its_exit_and_a_library_call_does_not(tmp_path):
    """The ``kg`` command ends without freeing its heap (``os._exit``), so what a re-build's pipeline leaves behind
    (the cached pages' rows, the sources, the files' status) and what the RDF writer leaves (graph.ttl's parts and
    records) are held to the end (``runtime.hold_to_exit``) rather than freed on the build's path; a first build's
    pipeline leftovers (every extraction's tally) are freed before the exports, which would otherwise draw the pages
    beside them; kg called as a library (here ``pipeline.run``) holds nothing."""
    import subprocess
    import sys

    from kg import runtime
    from kg.pipeline import run

    code = """if True:
        import os, sys
        import kg.runtime
        from kg.cli import main

        exit = os._exit

        def reported(status):
            held = kg.runtime._HELD
            print([sorted(k for k in ("pages", "reading", "resolved", "reused", "record") if k in h) for h in held])
            sys.stdout.flush()
            exit(status)

        os._exit = reported
        sys.argv = ["kg", "build", sys.argv[1], "-o", sys.argv[2], "-j", "1"]
        main()
    """
    said = []
    for _ in range(2):  # a first build, then a re-build of the same files (the kept resolution serving)
        res = subprocess.run([sys.executable, "-c", code, str(SEEDS), str(tmp_path / "o")], capture_output=True,
                             text=True, cwd=SEEDS.parent, timeout=300)
        assert res.returncode == 0, res.stderr
        said.append(res.stdout.strip().splitlines()[-1])
    # the RDF writer's (here in the build's process: -j 1); then the re-build's pipeline's and the writer's
    assert said == ["[['record', 'reused']]", "[['pages', 'reading', 'resolved'], ['record', 'reused']]"], said
    held = len(runtime._HELD)
    run([str(SEEDS)], cache_path=str(tmp_path / "cache.sqlite"))
    run([str(SEEDS)], cache_path=str(tmp_path / "cache.sqlite"))
    assert len(runtime._HELD) == held == 0


def test_a_rebuild_starts_its_extraction_worker_before_reading_the_cached_pages(tmp_path, monkeypatch):
    """A re-build's extraction worker loads the extractor while the build reads (what it waits on before resolving):
    it starts once the build cache is known to hold pages (``ReadCache.empty``), before their rows are read
    (``ReadCache.rows``, when first wanted: PD1998's 13 ms); a first build's start after the files are found, as many
    as they keep busy. The re-build still finds every page in the cache."""
    from contextlib import contextmanager

    from kg import pipeline
    from kg.runner import ReadCache

    caches, events = [], []
    init = ReadCache.__init__

    def made(self, path):
        init(self, path)
        caches.append(self)

    @contextmanager
    def workers(executor, jobs, busy, few=False):
        events.append((busy, caches[-1]._rows is None and caches[-1]._loaded is None))  # (its cached pages unread)
        yield None  # (extraction in this process)

    monkeypatch.setattr(pipeline, "_extraction_workers", workers)
    monkeypatch.setattr(ReadCache, "__init__", made)
    cache = str(tmp_path / "cache.sqlite")
    pipeline.run([str(SEEDS)], jobs=2, cache_path=cache)
    assert events == [(1, True)], events  # (the seeds: five files, one batch)
    events.clear()
    graph, _ = pipeline.run([str(SEEDS)], jobs=2, cache_path=cache)
    assert events == [(1, True)], events
    assert caches[-1]._loaded is not None  # (read once the worker started)
    assert graph.stats["reading"]["read"] == 0 and graph.stats["reading"]["cached"] == graph.stats["files"] > 0


def test_the_speed_benchmark_times_a_build_to_its_end_not_to_its_memory_samplers(tmp_path, monkeypatch):
    """``benchmarks/speed.py`` samples a build's memory every 0.05 s from a thread; the build's wall time is taken
    when the build has ended, not once the sampler has woken from its last sleep (up to 0.05 s more in every figure
    until session 37). Here the sampler sleeps 3 s: a one-article build is still timed at what it took."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import speed
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    one = tmp_path / "in"
    one.mkdir()
    shutil.copy(sorted(SEEDS.glob("*.txt"))[0], one / "a.txt")
    real = speed.time.sleep
    monkeypatch.setattr(speed.time, "sleep", lambda seconds: real(3))
    timed = speed.run_build([str(one), "-o", str(tmp_path / "o"), "--no-cache", "-j", "1"])
    assert timed["wall"] < 3 and timed["rss_mb"] > 0, timed


def test_an_extraction_worker_makes_what_the_rules_make_when_first_used_before_its_first_batch():
    """A worker's initializer extracts a made-up article (``runner.WARM_UP``), so that what the rules and rjieba
    make when first used (the gazetteer's automaton, the organisations' and titles' patterns, rjieba's HMM) is made
    before the first batch comes, not on it: a re-build's worker idles ~80 ms before its article comes, which took
    ~60 ms to extract cold, ~3 ms after. The made-up article reads as every kind of entity and relation."""
    code = """
import os, sys
from kg import lexicon, runner
from kg.extract import organizations
runner._load_extractor(os.getppid(), True)
from kg.extract import tokens
made = ["_matcher" in vars(lexicon.gazetteer()), organizations._patterns.cache_info().currsize == 1,
        lexicon.titles_pattern.cache_info().currsize == 1, tokens.split_word_tags.cache_info().currsize == 1,
        type(tokens._rjieba()).__name__ == "NeededWords"]
from kg.extract import Context, extract
from kg.records import Source
from kg.segment import segment
ex = extract(segment(Source("", "", runner.WARM_UP, "utf-8"))[0], Context(province=""))
print(made, sorted({m.type for m in ex.mentions}), sorted({f.kind for f in ex.facts}))
"""
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split("\n")[0] == ("[True, True, True, True, True] ['Initiative', 'Organization', 'Person', 'Project', "
                                         "'Region'] ['located_in', 'position', 'promoted_by']")
