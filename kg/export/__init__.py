"""Stage 6, export: the graph → Turtle, HTML, report. Each writer writes a temp file; the commit swaps (or renames)
it into place."""
from __future__ import annotations

import errno
import functools
import marshal
import mmap
import os
import queue
import shutil
import stat
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from ..errors import OutputError
from ..runtime import Claim, ForkedHelper, can_fork, die_with_parent, hold_to_exit, stop_without_waiting

EXTRA_FORMATS = ("trig", "nquads", "ntriples", "jsonld", "graphml")


def outputs(kg, formats=(), started: float | None = None, jobs: int | None = 1,
            stage: "Stage | None" = None, shards: int = 0, cache: Path | None = None) -> dict[str, str | bytes]:
    """Every output of a build, in memory, keyed by file name: graph.ttl, graph.html, report.json,
    one file per extra format, and ``shards`` N-Quads files in shards/. Timings go into the report.
    With ``jobs`` > 1 (None: one per core) the RDF is written in a forked process while this one makes
    the HTML pages and, given a ``stage``, a thread writes them to disk as they are drawn (3,000 small
    files take one to two seconds here, mostly waiting on the file system); the caller stages the rest.
    ``cache``: the build cache's file, which keeps for the next build an index of graph.ttl, each article
    page's key (``KeptPages``) and the layouts of the large pages; a re-build reuses what is unchanged."""
    import json
    import time

    from ..buildcache import Memo, forget_tables
    from .html import Layouts, site

    rdf = functools.partial(_rdf_files, kg, tuple(formats), shards, stage, cache)
    t = time.perf_counter()

    def pages_record() -> tuple[KeptPages | None, Layouts | None]:
        """What the previous build's pages were (``KeptPages``) and their layouts, read by the pages' process once
        the RDF writer is forked (~8 ms of PD1998's re-build, off the writer's path)."""
        if cache is None:
            return None, None
        with Memo(cache, "layout") as memo:
            return KeptPages(stage, cache) if stage is not None else None, Layouts(memo.get_all())

    if cache is not None:
        forget_tables(cache, "turtle")  # (graph.ttl's record is a SideRecord now)
    if (jobs or os.cpu_count() or 1) > 1 and len(kg.articles) >= PARALLEL_EXPORT_ARTICLES and can_fork():
        global _CHILD_TASK
        if kg.changed is None:  # (a re-build's writers read only the articles they make again: ``mentions_in``)
            kg.mentions_by_article()  # made here, once, for both processes: walked after the fork, the mentions'
            # memory pages were copied by each (twelve times PD1998: -0.33 s wall, -0.8 s CPU a re-build)
        claim = Claim()  # (whichever process is first done with its outputs keeps the resolution: ``_keep``)
        _CHILD_TASK = functools.partial(rdf, keep=claim)
        try:
            pool = ForkedHelper()  # (forked now: it inherits the graph; no multiprocessing imported for it)
            try:
                child = pool.submit(_run_child_task, os.getpid())
                kept, layouts = pages_record()
                if stage is not None:  # pages go to disk from a thread as they are drawn
                    try:
                        with stage.writing_behind() as put:
                            pages = site(kg, title="policy-kg", emit=put, keep=kept, layouts=layouts)
                            html_seconds = time.perf_counter() - t
                    finally:  # (the pages patched from them written)
                        if kept is not None:
                            kept.close()
                else:
                    pages = site(kg, title="policy-kg")
                    html_seconds = time.perf_counter() - t
                _keep(kg, cache, claim)
                files, triples, rdf_seconds, turtle_cache = child.result()
            except BaseException:  # (the writer's work finished or abandoned before the error goes on)
                pool.shutdown(wait=True, cancel_futures=True)
                raise
            # its result handed back, the writer has done all it does (the cache's rows too): its process ends
            # while this one commits (waiting for its exit, freeing ~150 MB, took 8 ms of a PD1998 re-build)
            stop_without_waiting(pool)
            kg.stats["export"] = "RDF in a forked process beside the HTML"
        finally:
            _CHILD_TASK = None
            claim.close()
    else:
        kg.stats["export"] = "RDF, then HTML"
        files, triples, rdf_seconds, turtle_cache = rdf()
        t = time.perf_counter()
        kept, layouts = pages_record()
        try:
            pages = site(kg, title="policy-kg", keep=kept, layouts=layouts)
        finally:
            if kept is not None:
                kept.close()
        html_seconds = time.perf_counter() - t
    if stage is not None:
        stage.adopt([name for name, data in files.items() if data is None])  # written there by the RDF writer
    files.update(pages)
    kg.stats["triples"] = triples
    if kept is not None:
        kg.stats["pages_kept"] = len(kept.kept)
        kg.stats["page_keys_reused"] = kept.reused.get("articles", 0)  # (the article pages')
        kg.stats["hub_page_keys_reused"] = kept.reused.get("entities", 0)
        kg.stats["pages_patched"] = kept.patched
        stage.after_commit(kept.save)
    if layouts is not None:
        kg.stats["layouts"] = layouts.stats()
        with Memo(cache, "layout") as memo:
            memo.update(layouts.fresh, layouts.used)
    if turtle_cache:
        kg.stats["turtle_cache"] = turtle_cache
    kg.stats["timings"]["rdf"] = rdf_seconds
    kg.stats["timings"]["html"] = html_seconds
    if started is not None:
        kg.stats["seconds"] = round(time.perf_counter() - started, 3)
    files["report.json"] = json.dumps(kg.stats, ensure_ascii=False, indent=2, sort_keys=True)
    return files


PARALLEL_EXPORT_ARTICLES = 100  # below this, forking costs about what it saves
_CHILD_TASK = None  # what the forked exporter runs: inherited through fork, never pickled


def _run_child_task(parent: int):
    die_with_parent(parent)
    return _CHILD_TASK()


def _keep(kg, cache: Path | None, claim=None) -> None:
    """Keep the build's resolution in the build cache (``KeptResolution.keep``), where one was used; with a
    ``claim`` (a lock the pages' process and the forked RDF writer share), only in the process that takes it
    first, the other's outputs still being made (PD1998's re-build: 0.015 s, on the path of the RDF writer, which
    finished last, where the pages patched from the previous build's files are done 0.07 s sooner)."""
    if kg.resolution is not None and cache is not None and (claim is None or claim.acquire(block=False)):
        kg.resolution.keep(kg.nodes)


def _rdf_files(kg, formats: tuple[str, ...], shards: int = 0, stage: "Stage | None" = None,
               cache: Path | None = None, keep=None) -> tuple[dict[str, str | bytes | None], int, float, dict]:
    """graph.ttl, the extra formats and the N-Quads shards; the number of distinct triples; seconds taken;
    with a cache, how many articles' and merged blocks' Turtle were copied from the previous graph.ttl and
    how many were made.
    Given a ``stage``, each file goes into its folder as soon as it is made (graph.ttl piece by piece)
    and is listed with None (the caller ``adopt``s them): a forked writer then hands back names, not
    40 MB of Turtle through a pipe; and graph.ttl's blocks, where no previous file serves, wait for their
    place in temporary files there (``rdf._Spill``), not in memory. Given a ``cache`` and a ``stage`` (and no
    quads to write), each article's Turtle and each merged block is copied from the committed graph.ttl where
    its inputs are unchanged (``rdf.cached_turtle``), and the new file's index is kept for the next build."""
    import json
    import time

    from .graphml import to_graphml
    from ..buildcache import SideRecord
    from .rdf import (FORMATS, ArticleKeys, cached_turtle, graph_union, jsonld_context, serialize, statements,
                      triple_count, turtle_pieces, union_triples)
    from .rdf import shards as nquads_shards

    t = time.perf_counter()
    files: dict[str, str | bytes | None] = {}

    def made(name: str, data) -> None:
        if stage is None:
            files[name] = data if isinstance(data, (str, bytes)) else b"".join(data)
        else:
            stage.write_unregistered(name, data)
            files[name] = None

    quads = shards or any(f not in ("ntriples", "graphml") for f in formats)
    reused = None
    if not quads and "ntriples" not in formats:  # graph.ttl the only file of statements: made article by
        # article (copying the previous graph.ttl's blocks of unchanged articles and entities, given a cache)
        record = SideRecord(cache, TURTLE_RECORD) if cache is not None and stage is not None else None
        rows = record.read() if record is not None else {}
        index_row = None  # (graph.ttl's index, marshalled while the file is written, where it is complete before)
        previous = None if record is None else _previous_turtle(rows.get(TURTLE_STAMP), rows.get(TURTLE_INDEX),
                                                                stage.out_prefix + "graph.ttl")
        try:
            keys = ArticleKeys(rows.get(ARTICLE_KEYS)) if record is not None else None
            try:
                reused = cached_turtle(kg, previous, index=record is not None, keys=keys,
                                       spill=stage.stage_prefix if stage is not None else None, ahead=True)
            except OSError as exc:  # (writing the blocks to the spill's files: a full disk, a file size limit)
                raise OutputError(f"{stage.outdir / 'graph.ttl'}: cannot write ({exc.strerror})") from None
            if reused is not None and keys is not None and stage is not None:  # written by the stage's thread
                # while the records of its parts are marshalled (``rdf.ArticleKeys.made``, a part a call): the kernel
                # copies the previous file's runs while the interpreter marshals
                with stage.writing_behind(listed=False) as put:
                    put("graph.ttl", reused[0])
                    files["graph.ttl"] = None
                    keys.made  # noqa: B018
                    if isinstance(reused[0], list) and reused[3] is not None:  # (a re-build's: complete already)
                        index_row = reused[3].dumps()
            elif reused is not None:
                made("graph.ttl", reused[0])
        finally:
            if previous is not None and previous[1] is not None:
                previous[1].close()
        if record is not None:  # what the next build may copy: the file as written (swapped in, it keeps its stamp)
            index = reused[3] if reused is not None else None
            row = {TURTLE_STAMP: marshal.dumps(_stamp(stage.stage_prefix + "graph.ttl")),
                   TURTLE_INDEX: index_row or index.dumps()} if index else {}
            if row and keys.made is not None:  # (and its articles' keys, with what they were made from)
                row[ARTICLE_KEYS] = keys.made
            record.replace(row)
    if reused is None:
        qs = statements(kg) if quads else []
        union = union_triples(qs) if quads else graph_union(kg)  # made once: Turtle, N-Triples and the count share it
        made("graph.ttl", turtle_pieces(kg, union))
        triples = triple_count(union)
    else:  # (only graph.graphml can follow: no format below reads the statements)
        triples = reused[1]
    for fmt in sorted(set(formats)):
        if fmt == "graphml":
            made("graph.graphml", to_graphml(kg))
        else:
            made(FORMATS[fmt][0], serialize(kg, fmt, qs=qs, union=union))
        if fmt == "jsonld":
            made("context.jsonld", json.dumps(jsonld_context(kg), ensure_ascii=False, indent=2))
    if shards:
        for name, data in nquads_shards(qs, shards).items():
            made(name, data)
    seconds = time.perf_counter() - t
    _keep(kg, cache, keep)  # (``keep``: the claim it shares with the pages' process, where it is forked)
    hold_to_exit(locals())  # (graph.ttl's parts and records, not freed before the result goes back: ~3 ms)
    return files, triples, seconds, reused[2] if reused and cache is not None and stage is not None else {}


TURTLE_RECORD = "turtle"  # the build cache's record (``SideRecord``) of the graph.ttl last written:
TURTLE_INDEX = "index of runs"  # its row describing the file (``rdf.TurtleIndex``)
TURTLE_STAMP = "stamp"  # ... the file's inode, size and modification time as written
ARTICLE_KEYS = "article keys"  # ... and the row of its articles' keys (``rdf.ArticleKeys``)


def _stamp(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _previous_turtle(stamp_row, row, path: str):
    """The index the build cache's record holds of the graph.ttl last made (``row``), and that file's bytes (a
    ``PreviousFile``) where it is in place as written (``stamp_row``: the same inode, size and modification time),
    else None: then every part is made (the index still gives the blocks' keys, ``rdf.TurtleIndex.blocks``, of a
    build that failed once it had made the file). None where the record holds no index. The build replaces the file
    by swapping a new one in (``swap_in``), so the open one stays as it was."""
    from .rdf import TurtleIndex

    if row is None or stamp_row is None:
        return None
    try:
        stamp, index = marshal.loads(stamp_row), TurtleIndex.loads(row)
        if stamp is None or tuple(stamp) != _stamp(path):
            return index, None
        data = PreviousFile(path)
        if _stamp(path) != tuple(stamp) or len(data) != stamp[1]:
            data.close()
            return index, None
        return index, data
    except (OSError, ValueError, EOFError, TypeError):
        return None


class FileRange(NamedTuple):
    """Bytes ``start`` to ``end`` of the open file ``fd``: a piece of an output that ``Stage`` copies in the kernel
    (``os.copy_file_range``) instead of reading and writing them."""

    fd: int
    start: int
    end: int

    def copy_into(self, out: int) -> None:
        """Append the bytes to the file open as ``out``, at its offset. A re-build copies nearly all of the
        previous graph.ttl this way: twelve times PD1998's 467 MB took 0.18-0.44 s written from a mapping of
        it, 0.11 s copied (ext4, this VM); where the kernel or file system cannot, they are read and written."""
        at, left = self.start, self.end - self.start
        while left > 0:
            try:
                n = os.copy_file_range(self.fd, out, left, at)
            except (AttributeError, OSError):  # (no such call; another file system; a special file)
                n = os.write(out, os.pread(self.fd, min(left, 1 << 24), at))
            if n <= 0:
                raise OSError(errno.EIO, "the previous file is shorter than its index says")
            at, left = at + n, left - n


class PreviousFile:
    """A committed output file, open: its bytes by slice (mapped, not read: a year's graph.ttl need not sit on
    the heap) for the few a re-build reads, and by ``range`` for those it copies into the new file. The build
    replaces the file by swapping a new one in (``swap_in``) or renaming it over, so the open one stays as it was."""

    def __init__(self, path: str):
        self.fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            size = os.fstat(self.fd).st_size
            self.map = mmap.mmap(self.fd, 0, access=mmap.ACCESS_READ) if size else b""
        except BaseException:
            os.close(self.fd)
            raise

    def __len__(self) -> int:
        return len(self.map)

    def __getitem__(self, part):
        return self.map[part]

    def find(self, sub: bytes, start: int = 0) -> int:
        return self.map.find(sub, start)

    def rfind(self, sub: bytes, start: int = 0) -> int:
        return self.map.rfind(sub, start)

    def range(self, start: int, end: int) -> FileRange:
        return FileRange(self.fd, start, end)

    def close(self) -> None:
        if self.fd >= 0:
            if isinstance(self.map, mmap.mmap):
                self.map.close()
            os.close(self.fd)
            self.fd = -1


def _as_recorded(st: os.stat_result, recorded: list[str]) -> bool:
    """Whether a page file is as committed: its inode, size and modification time those ``KeptPages`` recorded (a
    row's key, then those three)."""
    return [str(st.st_ino), str(st.st_size), str(st.st_mtime_ns)] == recorded[1:]


class KeptPages:
    """Article and hub pages a re-build keeps from the previous one: the build cache's table ``html`` holds
    each page's key (``article_page_key``, ``ego_page_key``) with the file's inode, size and modification
    time as committed. A page whose key is unchanged and whose file is as it was written is kept where it
    is (``Stage.keep``: creating 3,000 files costs ~0.6 s here) instead of drawn. With the keys, one row
    (``STATE``) records what the pages drawer says they were made from (``state``: ``html.site`` uses the
    previous build's, ``previous_state``, to know which keys are the same without making them)."""

    STATE = "state"  # (a page's name holds a "/")

    def __init__(self, stage: "Stage", cache: Path):
        from ..buildcache import Memo

        self.stage, self.cache = stage, cache
        with Memo(cache, "html") as memo:
            rows = memo.get_all()
        state = rows.pop(self.STATE, None)
        self.previous_state: bytes | None = state if isinstance(state, bytes) else None
        self.previous = {name: value.split() for name, value in rows.items()}
        self.state: bytes | None = None  # (to record with this build's keys)
        self.reused: dict[str, int] = {}  # folder → its pages' keys taken from the previous build's record
        # (``previous_key``), not made
        self.keys: dict[str, str] = {}
        self.kept: set[str] = set()
        self.patched: list[str] = []  # pages made from the previous build's file (``previous_file``), not drawn
        self.opened: list[PreviousFile] = []  # (``previous_file``'s, until ``close``)

    def previous_key(self, name: str) -> str | None:
        """The key the previous build recorded for page ``name``."""
        old = self.previous.get(name)
        if not old:
            return None
        folder = name.partition("/")[0]
        self.reused[folder] = self.reused.get(folder, 0) + 1
        return old[0]

    def previous_file(self, name: str, key: str, check: bool = True) -> PreviousFile | None:
        """The page ``name`` as the previous build committed it, open (``PreviousFile``), where that build recorded
        ``key`` for it (any key, without ``check``: the caller knows the page the same otherwise) and the file is as
        written (its inode, size and time), else None; ``key`` is recorded for this build's page. A page drawn from
        what the previous one was (``html.page_light_key``) is then patched (``html.patched_page``), not drawn: its
        unchanged stretches are copied from this file (``FileRange``), which stays open until ``close``."""
        self.keys[name] = key
        old = self.previous.get(name)
        if old is None or (check and old[0] != key):
            return None
        try:
            previous = PreviousFile(self.stage.out_prefix + name)
        except (OSError, ValueError):
            return None
        if not _as_recorded(os.fstat(previous.fd), old):
            previous.close()
            return None
        self.opened.append(previous)
        return previous

    def close(self) -> None:
        """Close the previous pages ``previous_file`` opened, once the pages patched from them are written."""
        while self.opened:
            self.opened.pop().close()

    def __call__(self, name: str, key: str) -> bool:
        self.keys[name] = key
        old = self.previous.get(name)
        if old is None or old[0] != key:
            return False
        try:
            st = os.lstat(self.stage.out_prefix + name)
        except OSError:
            return False
        if not _as_recorded(st, old) or not self.stage.keep(name):
            return False
        self.kept.add(name)
        return True

    def save(self) -> None:
        """Record the pages as committed (after ``Stage.commit``)."""
        from ..buildcache import Memo

        rows = {}
        for name, key in self.keys.items():
            if name in self.kept:  # recorded as it is: the same key, the same file
                continue
            try:
                st = os.lstat(self.stage.out_prefix + name)
            except OSError:
                continue
            rows[name] = f"{key} {st.st_ino} {st.st_size} {st.st_mtime_ns}"
        if self.state is not None:
            rows[self.STATE] = self.state
        with Memo(self.cache, "html") as memo:
            memo.update(rows, self.kept | set(rows))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write to a temporary file in the same directory, then rename: readers never see half a file."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"{path.parent}: cannot write output here ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are for sharing
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(f"{path}: cannot write ({exc.strerror})") from None


LOCK_NAME = ".kg-build.lock"
WRITE_BEHIND_PAGES = 64  # pages drawn and waiting for the thread that writes them (``Stage.writing_behind``)


@contextmanager
def output_lock(outdir: Path):
    """Hold an exclusive lock on the output directory for a whole build, so two builds into the same
    directory never interleave: the second stops at once with a message naming the first's pid.
    Temp files left by a killed build are removed once the lock is ours."""
    outdir = Path(outdir)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        fd = os.open(outdir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(f"{outdir}: cannot write output here ({exc.strerror})") from None
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # no flock on this platform: build unlocked
            pass
        except OSError:
            other = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise OutputError(f"{outdir}: another kg build (pid {other}) is writing here; "
                              "wait for it to finish or choose another -o directory") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        for stale in outdir.glob(".*.tmp"):  # left by a killed build
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                try:
                    stale.unlink()
                except OSError:
                    pass
        yield outdir
    finally:
        os.close(fd)  # closing releases the lock


class Stage:
    """A hidden staging folder in the output directory. Files go into it as soon as they are made
    (the pages while the RDF is still being written elsewhere); ``commit()`` puts them into place (each
    swapped with the file it replaces, ``swap_in``, or renamed), folders (``articles/``) swapped in whole, so no
    page of an older build lingers beside the new ones; a folder whose unchanged pages a re-build keeps (``keep``)
    is patched instead: its new pages put in, the pages no longer made removed, the kept ones left where they are (a re-build that
    keeps 3,100 pages then touches a dozen files, not 3,100 links and their unlinking). Until then, and
    if the build fails or is interrupted, the previous outputs stay as they were; leaving the ``with``
    block removes whatever was not committed."""

    def __init__(self, outdir: Path):
        self.outdir = Path(outdir)
        try:
            self.path = Path(tempfile.mkdtemp(prefix=".stage-", suffix=".tmp", dir=self.outdir))
        except OSError as exc:
            raise OutputError(f"{self.outdir}: cannot write output here ({exc.strerror})") from None
        # the two folders as strings ending in a separator: a page's path is one concatenation (pathlib's
        # joins cost ~20 µs each; a re-build checks and links ~3,000 pages, two or three joins each)
        self.out_prefix = os.path.join(str(self.outdir), "")
        self.stage_prefix = os.path.join(str(self.path), "")
        self.files: list[str] = []  # top-level names staged
        self.folders: set[str] = set()
        self.names: set[str] = set()  # every name staged
        self._after: list = []
        self.kept: dict[str, set[str]] = {}  # folder → the names in it kept from the committed outputs

    def pending(self, files: dict[str, str | bytes]) -> dict[str, str | bytes]:
        """The files not staged yet."""
        return {k: v for k, v in files.items() if k not in self.names}

    def write_unregistered(self, name: str, data) -> None:
        """Write one file (str, bytes, or an iterable of bytes pieces) into the folder without listing it:
        for a forked process, whose listing the parent never sees; the parent ``adopt``s the name."""
        self._write_one(name, data, set())

    def keep(self, name: str) -> bool:
        """Keep the committed file ``name`` (``folder/file``, checked by the caller) as it is: ``commit``
        leaves it in its folder. False for any other name: the caller makes the file again."""
        folder, _, rest = name.partition("/")
        if not rest or "/" in rest:
            return False
        self.kept.setdefault(folder, set()).add(rest)
        self.names.add(name)
        return True

    def after_commit(self, task) -> None:
        """Run ``task`` once the outputs are in place (recording what was committed)."""
        self._after.append(task)

    def adopt(self, names) -> None:
        """List files another process wrote into the folder (``write_unregistered``)."""
        for name in names:
            self._register(name)

    def write(self, files: dict[str, str | bytes]) -> None:
        """Stage files now. Created with open(), so they get 0666 & ~umask like any output; only the
        staging folder itself is private, and it is never moved into place."""
        made: set[str] = set()
        for name, data in files.items():
            self._register(name)
            self._write_one(name, data, made)

    @contextmanager
    def writing_behind(self, pending: int = WRITE_BEHIND_PAGES, listed: bool = True):
        """A ``put(name, data)`` that stages a file from a thread while the caller goes on: the thread
        waits on the file system with the GIL released, so drawing pages and writing them overlap.
        At most ``pending`` files wait for the thread; ``put`` then waits for it. The thread needs the GIL
        after each call into the file system, which a caller drawing pages holds 5 ms at a time, so
        unbounded it fell behind: twelve times PD1998's first build had drawn 35,000 pages and written
        1,801, holding ~0.8 GB of pages. Leaving waits for the last file and raises the first error (later
        files are not written). ``listed=False``: the files are not listed (``write_unregistered``: a forked RDF
        writer writes graph.ttl so while it marshals its records)."""
        todo: queue.Queue = queue.Queue(maxsize=max(1, pending))
        errors: list[Exception] = []

        def drain() -> None:
            made: set[str] = set()
            while (item := todo.get()) is not None:
                if not errors:
                    try:
                        self._write_one(*item, made)
                    except Exception as exc:  # raised again in the caller's thread
                        errors.append(exc)

        writer = threading.Thread(target=drain, name="kg-stage-writer", daemon=True)
        writer.start()

        def hand_over(item) -> None:
            while True:  # (a thread that ended would never make room: not waited for)
                try:
                    todo.put(item, timeout=0.5)
                    return
                except queue.Full:
                    if not writer.is_alive():
                        raise OutputError(f"{self.outdir}: the thread writing the pages stopped") from None

        def put(name: str, data: str | bytes) -> None:
            if errors:
                raise errors[0]
            if listed:
                self._register(name)
            hand_over((name, data))

        try:
            yield put
        finally:
            hand_over(None)
            writer.join()
        if errors:
            raise errors[0]

    def _register(self, name: str) -> None:
        self.names.add(name)
        if "/" in name:
            self.folders.add(name.split("/", 1)[0])
        else:
            self.files.append(name)

    def _write_one(self, name: str, data: str | bytes, made: set[str]) -> None:
        try:
            if "/" in name:
                folder = name.rsplit("/", 1)[0]
                if folder not in made:
                    (self.path / folder).mkdir(parents=True, exist_ok=True)
                    made.add(folder)
            with open(self.stage_prefix + name, "wb") as fh:
                if isinstance(data, (str, bytes)):
                    fh.write(data.encode("utf-8") if isinstance(data, str) else data)
                else:
                    for piece in data:  # pieces of a large file, never joined
                        if isinstance(piece, FileRange):  # (copied after what is buffered)
                            fh.flush()
                            piece.copy_into(fh.fileno())
                        else:
                            fh.write(piece)
        except OSError as exc:
            raise OutputError(f"{self.outdir / name}: cannot write ({exc.strerror})") from None

    def commit(self) -> None:
        """Put what is staged into place (swapped with what it replaces, ``swap_in``, or renamed). A folder where an
        output file goes stops the build before anything is put in place; another failure of the file system is an
        OutputError too (what was put in place stays)."""
        outdir = self.outdir
        for name in self.files:
            if os.path.isdir(outdir / name) and not os.path.islink(outdir / name):
                raise OutputError(f"{outdir / name}: a folder is where this output goes; move it away")
        swapped: list[Path] = []  # committed files swapped out (``swap_in``), removed while the tasks after run
        try:
            for name in self.files:
                if swap_in(self.path / name, outdir / name):
                    swapped.append(self.path / name)
                else:
                    os.replace(self.path / name, outdir / name)
            for folder in sorted(self.folders | set(self.kept)):
                old = outdir / folder
                if folder in self.kept and old.is_dir():
                    self._patch(folder, swapped)
                    continue
                trash = None
                if old.exists():
                    trash = Path(tempfile.mkdtemp(prefix=f".old-{folder}-", suffix=".tmp", dir=outdir))
                    os.replace(old, trash / folder)
                os.replace(self.path / folder, old)
                if trash is not None:
                    shutil.rmtree(trash, ignore_errors=True)
        except OSError as exc:
            raise OutputError(f"{outdir}: cannot put the outputs in place ({exc.strerror})") from None
        self.files, self.folders, self.kept = [], set(), {}
        removing = threading.Thread(target=_remove_files, args=(swapped,), name="kg-old-outputs", daemon=True)
        removing.start()  # (the kernel frees the old files' blocks while the build records what it committed)
        try:
            for task in self._after:
                task()
        finally:
            removing.join()

    def _patch(self, folder: str, swapped: list[Path]) -> None:
        """The committed ``folder`` made what this build staged for it: the pages staged put in (swapped for the
        committed ones, which go to ``swapped``, or renamed), the pages kept left, anything else in it removed (as
        swapping the folder in whole would)."""
        old, new = self.outdir / folder, self.path / folder
        staged = os.listdir(new) if new.is_dir() else []
        wanted = self.kept[folder].union(staged)
        for entry in os.listdir(old):
            if entry not in wanted:
                gone = old / entry
                if gone.is_dir() and not gone.is_symlink():
                    shutil.rmtree(gone, ignore_errors=True)
                else:
                    gone.unlink(missing_ok=True)
        for entry in staged:
            if swap_in(new / entry, old / entry):
                swapped.append(new / entry)
            else:
                os.replace(new / entry, old / entry)

    def __enter__(self) -> "Stage":
        return self

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


@functools.cache
def exchange_call():
    """libc's ``renameat2`` (Linux; glibc 2.28 on), looked up once; None elsewhere. Through ctypes, whose import
    (~3.5 ms) a build makes while it reads (``pipeline._load_later_stages``), not at its commit."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        call = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # (no such call in this C library)
        return None
    call.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    call.restype = ctypes.c_int
    return call


def swap_in(new: Path, old: Path) -> bool:
    """Put ``new`` where ``old`` is and ``old`` where ``new`` was, in one step (``renameat2`` with RENAME_EXCHANGE):
    a reader finds one file or the other there, as with a rename over ``old``, but ext4 does not start writing the
    new file to disk on the spot, as it does on a rename over a file (``auto_da_alloc``: ~10 ms for PD1998's 40 MB
    graph.ttl, on every re-build's path), and the old file's blocks are not freed in the rename (~8 ms for that
    graph.ttl where no other link holds it): the caller removes it after. False where ``old`` is not a file or a
    link (nothing there, or a folder: a rename says what is wrong), or the system cannot (not Linux, no such call, a
    file system without it), or anything else fails: the caller renames. Outputs are not synced either way (no
    build waits for the disk); without the rename's early start, a crash within the kernel's writeback delay
    (~30 s) is likelier to lose them (README, "Outputs")."""
    call = exchange_call()
    if call is None:
        return False
    try:
        if stat.S_ISDIR(os.lstat(old).st_mode):
            return False
    except OSError:
        return False
    return call(-100, os.fsencode(new), -100, os.fsencode(old), 2) == 0  # (AT_FDCWD, RENAME_EXCHANGE)


def _remove_files(paths: list[Path]) -> None:
    for path in paths:
        try:
            os.unlink(path)
        except OSError:  # (left for the staging folder's removal)
            pass


def write_all(outdir: Path, files: dict[str, str | bytes]) -> None:
    """Write every output to the staging folder first, then put them into place (``Stage.commit``): an error or
    Ctrl-C while writing leaves the previous outputs untouched, and each file is always whole."""
    with Stage(outdir) as stage:
        stage.write(files)
        stage.commit()
