"""The pipeline: read → segment → extract → resolve → graph, one stage per module, data one way."""
from __future__ import annotations

import marshal
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .extract import Context, infer_province
from .extract.context import INFER_SAMPLE, decide_province, evidence_within, province_finds, sample_cuts
from .lexicon import Gazetteer, gazetteer, gazetteer_key, gazetteer_loaded, use_gazetteer
from .read import DEFAULT_MAX_MB, find_files, read_all
from .records import Article, Extraction
from .kept import KeptResolution, NotKept, RemovedArticle
from .resolve import Tally
from .runner import BATCH, ExtractionCache, ReadCache, Workers, extract_all, load_extraction
from .runtime import forget_finished, fork_waits_for, hold_to_exit
from .segment import segment

if TYPE_CHECKING:
    from .graph import KnowledgeGraph


def province_code(name_or_code: str | None, texts: list[str], keys: list[str] | None = None,
                  cache: Path | None = None) -> str:
    """The paper's province from the --province option (name, short name or code), else inferred. ``keys``: each
    text's hash, with ``cache``, the build cache, which keeps each text's evidence (``kept_evidence``)."""
    gaz = gazetteer()
    if name_or_code:
        if name_or_code in gaz.regions and gaz.regions[name_or_code].level == "province":
            return name_or_code
        for code in gaz.forms.get(name_or_code, []):
            if gaz.regions[code].level == "province":
                return code
        from .errors import KgError

        raise KgError(f"--province {name_or_code}: not a Chinese province, autonomous region or municipality")
    if keys is None or cache is None:
        return infer_province(texts, gaz)
    try:
        return decide_province(kept_evidence(texts, keys, cache, gaz))
    except (TypeError, ValueError):  # (evidence kept in another shape: found again, every text's)
        return infer_province(texts, gaz)


def kept_evidence(texts: list[str], keys: list[str], cache: Path, gaz) -> list[tuple]:
    """Each text's evidence of the paper's province (``extract.context.province_evidence``) for the length of it that
    ``infer_province`` reads (``sample_cuts``: a share of 300,000 characters, which moves with the corpus's
    length), taken from the build cache where the text (``keys``: its hash) was read that far or further before,
    else found now, and kept (one row, under the gazetteer's key) with where its forms are (``province_finds``): a
    re-build after one article, whose texts' shares shrink by a character (PD1998: ~7 % of them), gives their
    evidence from those (``evidence_within``) and scans the new text's opening alone, by lookups, without making the
    gazetteer's automaton (PD1998: 28.7 → 12.0 ms of the main process, before the kept entities are read)."""
    from .buildcache import Memo

    row_key = f"{gazetteer_key()}\0{INFER_SAMPLE}\0where"
    cuts = sample_cuts(list(map(len, texts)))
    with Memo(cache, "province") as memo:
        row = memo.get_many([row_key]).get(row_key)
        try:
            kept = marshal.loads(row) if row is not None else {}
        except (ValueError, EOFError, TypeError):  # (a damaged row: every text's found again)
            kept = {}
        if not isinstance(kept, dict):
            kept = {}
        evidence: list = [None] * len(texts)
        todo = []
        for i, (key, cut) in enumerate(zip(keys, cuts)):
            got = kept.get(key)
            if type(got) is tuple and len(got) == 4 and type(got[0]) is int and type(got[3]) is tuple:
                if got[0] == cut:
                    evidence[i] = got[1:3]
                    continue
                if cut < got[0]:
                    try:
                        evidence[i] = evidence_within(texts[i], cut, got[3], gaz)
                        continue
                    except (ValueError, TypeError):  # (where the forms are, damaged: found again)
                        pass
            todo.append(i)
        fresh = {}
        for i, (named, own, where) in zip(todo, province_finds([texts[i][: cuts[i]] for i in todo], gaz)):
            evidence[i] = (named, own)
            fresh[keys[i]] = (cuts[i], named, own, where)
        if fresh or kept.keys() != set(keys):  # (each text's kept as read furthest, until it is gone)
            now = {key: fresh.get(key) or kept[key] for key in keys}
            memo.update({row_key: marshal.dumps(now)}, {row_key})
    return evidence


def run(inputs: list[str], province: str | None = None, base: str = "", max_mb: float = DEFAULT_MAX_MB,
        jobs: int | None = 1, cache_path: str | None = None, executor: str = "local",
        scheduler: str | None = None) -> tuple["KnowledgeGraph", list[Extraction]]:
    """The whole pipeline. ``jobs`` processes extract (None: one per core); ``cache_path`` is an SQLite
    file of pages read and segmented, of per-article extractions and of the kept resolution, reused across
    builds; ``executor="dask"`` sends extraction to the Dask scheduler at ``scheduler``. Returns the graph and
    the extractions resolved; where the kept resolution served (``kg/kept.py``), those of the articles added
    since (the others were not read)."""
    timings: dict[str, float] = {}
    t = time.perf_counter()
    pages = ReadCache(Path(cache_path)) if cache_path else None
    if cache_path:  # (before the workers start, which share it)
        _gazetteer_from_cache(Path(cache_path))
    # workers start before reading and load the extractor meanwhile: as many as the files can keep busy
    # in a first build; one in a re-build (pages cached), for the few articles that are new (more start
    # a pool of their own), started before the files are found: its extractor loaded (~0.25 s) is then what
    # the re-build waits on least (finding 3,148 files: ~0.035 s)
    first = pages is None or pages.empty
    files = find_files(inputs) if first else None
    with _extraction_workers(executor, jobs, _batches_expected(files) if first else 1, few=not first) as workers:
        if files is None:
            files = find_files(inputs)
        # a re-build imports the later stages in a thread while this one reads the cached pages (waiting on
        # SQLite and the file system), not after (~0.25 s on its critical path); a first build imports them
        # while its workers extract
        later = _ImportsBehind() if not first else None
        complete = False
        try:
            if pages:
                pages.read_rows(files)
            reading = read_all(inputs, max_mb, known=pages.lookup if pages else None, found=files)
            sources = reading.sources
            timings["read"] = time.perf_counter() - t
            t = time.perf_counter()
            articles: list[Article] = []
            contents: list[bytes] = []  # with a cache: each article's content hash, which keys its extraction
            text_hashes: dict[str, str] = {}  # with a cache: each page's text hash, which keys its articles' pages
            for s in sources:
                if pages:  # a page found in the cache, else read and segmented now, with the hashes kept for it
                    found = pages.segmented(s) or pages.add(s, reading.replaced.get(s.path, 0), segment(s))
                    found, hashes, text_hashes[s.name] = found
                    contents += hashes
                else:
                    found = segment(s)
                articles += found
            complete = True
        finally:
            if pages:
                pages.close(complete)
        timings["segment"] = time.perf_counter() - t
        prov = province_code(province, [s.text for s in sources], [text_hashes[s.name] for s in sources] if pages
                             else None, Path(cache_path) if cache_path else None)
        ctx = Context(province=prov)
        t = time.perf_counter()
        cache = ExtractionCache(Path(cache_path)) if cache_path else None
        kept = KeptResolution(Path(cache_path)) if cache_path else None
        resolved, resolving = None, 0.0  # (the kept resolution's update, where it served, and its seconds)
        try:
            keys = cache.keys(articles, prov, contents) if cache else None
            article_keys = dict(zip((a.id for a in articles), keys)) if cache else {}
            changes = kept.changes(article_keys) if kept and len(article_keys) == len(articles) else None
            # the kept resolution serves: only the new articles' extractions are read (and those kept of the
            # articles removed or changed since, to take them out)
            removed = _kept_extractions(cache, kept, changes[1]) if changes else None
            imports = later.join if later else _load_later_stages
            if removed is not None:
                new = set(changes[0])
                todo = [i for i, a in enumerate(articles) if a.id in new]
                loading: list[bool] = []  # [whether the kept entities could be read], once read

                def waiting() -> None:  # (while other processes extract the new articles, if any)
                    if not loading:
                        try:
                            kept.load()
                            loading.append(True)
                        except ValueError:  # a damaged row: resolve everything below
                            loading.append(False)
                    imports()

                extractions, counts = extract_all([articles[i] for i in todo], prov, jobs=jobs, cache=cache,
                                                  executor=executor, scheduler=scheduler, workers=workers,
                                                  while_waiting=waiting, keys=[keys[i] for i in todo])
                counts["cached"] = len(articles) - counts["extracted"]
                waiting()
                if loading[0]:
                    started = time.perf_counter()
                    try:
                        resolved = kept.update(extractions, prov, removed, reread=lambda aids: _kept_extractions(
                            cache, kept, {aid: kept.sources[aid] for aid in aids}))
                    except NotKept:  # (a removed article held a first, and the articles left could not be read)
                        pass
                    resolving = time.perf_counter() - started
            if resolved is None:  # every article's extraction, and everything resolved below
                extractions, counts = extract_all(articles, prov, jobs=jobs, cache=cache, executor=executor,
                                                  scheduler=scheduler, workers=workers, while_waiting=imports,
                                                  keys=keys)
        finally:
            if cache:
                cache.close()
    timings["extract"] = time.perf_counter() - t - resolving
    t = time.perf_counter()
    if resolved is not None:
        entities, relations, unchanged = resolved
    else:
        tally = Tally()
        tally.add(extractions)
        entities, relations = tally.resolve(prov)
        unchanged = None
        if kept:
            kept.keep_all(tally)
    timings["resolve"] = time.perf_counter() - t + resolving
    t = time.perf_counter()
    from .graph import Changed, build_graph

    kg = build_graph(entities, relations, articles, province=prov, base=base, digests=article_keys,
                     text_hashes=text_hashes, kept=unchanged)
    kg.resolution = kept  # written into the build cache by the exporter, beside the pages
    if kept:
        kg.token = kept.token
        changed = kept.changed_articles(kg.nodes) if resolved is not None and kept.since else None
        if changed is not None:
            kg.changed = Changed(kept.since, frozenset(changed), frozenset(kept.made | kept.gone),
                                 frozenset(x.article.id for x in extractions))
    timings["graph"] = time.perf_counter() - t
    kg.stats = {
        "files": len(sources),
        "articles": len(articles),
        "gb18030_files": [s.path for s in sources if s.encoding != "utf-8"],
        "skipped_files": [{"path": p, "reason": r} for p, r in reading.skipped],
        "notes": reading.notes,
        "province": ctx.province_name,
        "timings": timings,
        "extraction": counts,
        "reading": {"read": len(sources) - (len(pages.articles) if pages else 0),
                    "cached": len(pages.articles) if pages else 0},
    }
    if kept:
        kg.stats["resolution"] = kept.stats
    if resolved is None:
        kg.stats.update(kg.counts())
    else:  # (the entities counted by type as the kept resolution was updated, not node by node)
        kg.stats.update(entities=kept.entity_types(), relations=kg.relation_kinds())
        # a re-build's leftovers not freed here, on its path, where the process ends without freeing them (a first
        # build's, with every extraction's tally, are freed for the exports)
        hold_to_exit(locals())
    return kg, extractions


def _gazetteer_from_cache(path: Path) -> None:
    """The gazetteer as the build cache keeps it (``Gazetteer.snapshot``), where it was made from what makes it
    now (``gazetteer_key``): ~6 ms, where making it takes ~25 ms of the main process before the workers start.
    Else it is made, and kept for the next build."""
    from .buildcache import Memo

    key = gazetteer_key()
    with Memo(path, "gazetteer") as memo:
        row = memo.get_many([key]).get(key)
        if row is not None:
            if gazetteer_loaded():  # (a build run before in this process made it)
                return
            try:
                use_gazetteer(Gazetteer.from_snapshot(row))
                return
            except ValueError:  # (a damaged row: made again, and replaced)
                pass
        memo.update({key: gazetteer().snapshot()}, {key})


def _kept_extractions(cache: ExtractionCache, kept: KeptResolution, removed: dict[str, str]) -> list[Extraction] | None:
    """The extractions, as the build cache keeps them, of articles the kept resolution counted (article id →
    the key it was kept under): those removed since, for ``KeptResolution.update`` to take out, or those that
    name a key whose first was removed; None where one is not in the cache any more (or does not read back)."""
    if not removed:
        return []
    rows = cache.get_many(list(removed.values()))
    out = []
    for aid, key in removed.items():
        row = rows.get(key)
        if row is None or aid not in kept.docs:
            return None
        try:
            mentions, facts = load_extraction(row)
        except Exception:  # whatever bytes a damaged row holds: everything is resolved
            return None
        out.append(Extraction(article=RemovedArticle(aid, kept.docs[aid], int(aid.rsplit("#", 1)[1])),
                              mentions=mentions, facts=facts, key=key))
    return out


def _batches_expected(found) -> int:
    """How many batches of articles the files will make, at least (a file holds one article or more, of
    ~2 kB in UTF-8 where news is short): no more workers start than can have work, since each spends
    ~0.35 s of a core loading the extractor (one article on 2 cores: 0.1 s slower with 2 workers)."""
    articles = max(len(found), sum(st.st_size for *_, st in found) // 2000)
    return max(1, -(-articles // BATCH))


@contextmanager
def _extraction_workers(executor: str, jobs: int | None, busy: int, few: bool = False):
    """For a run with more than one job, up to ``busy`` local extraction processes, started now — before
    the articles are read — and stopped when extraction is over, before the exporter forks (``Workers.close``,
    not waiting for their exits: ``runtime.stop_without_waiting``). ``few``: a re-build's, for the few articles
    new since (``Workers``)."""
    jobs = jobs or os.cpu_count() or 1
    if executor != "local" or jobs <= 1:
        yield None
        return
    gazetteer()  # loaded before the workers start, which then share its tables
    workers = Workers(min(jobs, busy), few=few)
    try:
        yield workers
    finally:
        workers.close()


class _ImportsBehind:
    """``_load_later_stages`` in a thread. A process forked while it imports would inherit the import locks it
    holds (a worker pool started for many new articles, the RDF writer): every fork waits for it first
    (``runtime.fork_waits_for``)."""

    def __init__(self):
        self.thread = threading.Thread(target=_load_later_stages, name="kg-imports", daemon=True)
        self.thread.start()
        fork_waits_for(self.thread)

    def join(self) -> None:
        if self.thread is not threading.current_thread():
            self.thread.join()
            forget_finished(self.thread)


def _load_later_stages() -> None:
    """Import what the graph and export stages need (the writers; the RDF writer, which the forked
    RDF writer then inherits; not networkx, which the build does not use, nor numpy, which a layout computed
    imports) while the extraction workers run, instead of after them on the critical path."""
    from .export import exchange_call, html, rdf  # noqa: F401
    from .graph import build_graph  # noqa: F401
    from .regexes import save

    exchange_call()  # (ctypes, for the commit: ``export.swap_in``)
    save()  # (the patterns this process made, reading and writers', kept for the next build: ``regexes``)
