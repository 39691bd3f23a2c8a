"""Stage 6, export: the graph → Turtle, HTML, report. Each writer writes a temp file and renames it."""
from __future__ import annotations

import functools
import multiprocessing
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from ..errors import OutputError

EXTRA_FORMATS = ("trig", "nquads", "ntriples", "jsonld", "graphml")


def outputs(kg, formats=(), started: float | None = None, jobs: int | None = 1) -> dict[str, str | bytes]:
    """Every output of a build, in memory, keyed by file name: graph.ttl, graph.html, report.json,
    plus one file per extra format. Timings go into the report. With ``jobs`` > 1 (None: one per core)
    the RDF is written in a forked process while this one writes the HTML."""
    import json
    import time

    from .html import site

    rdf = functools.partial(_rdf_files, kg, tuple(formats))
    t = time.perf_counter()
    if (jobs or os.cpu_count() or 1) > 1 and len(kg.articles) >= PARALLEL_EXPORT_ARTICLES and _can_fork():
        global _CHILD_TASK
        _CHILD_TASK = rdf
        try:
            ctx = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
                child = pool.submit(_run_child_task)
                pages = site(kg, title="policy-kg")
                html_seconds = time.perf_counter() - t
                files, triples, rdf_seconds = child.result()
            kg.stats["export"] = "RDF in a forked process beside the HTML"
        finally:
            _CHILD_TASK = None
    else:
        kg.stats["export"] = "RDF, then HTML"
        files, triples, rdf_seconds = rdf()
        t = time.perf_counter()
        pages = site(kg, title="policy-kg")
        html_seconds = time.perf_counter() - t
    files.update(pages)
    kg.stats["triples"] = triples
    kg.stats["timings"]["rdf"] = rdf_seconds
    kg.stats["timings"]["html"] = html_seconds
    if started is not None:
        kg.stats["seconds"] = round(time.perf_counter() - started, 3)
    files["report.json"] = json.dumps(kg.stats, ensure_ascii=False, indent=2, sort_keys=True)
    return files


PARALLEL_EXPORT_ARTICLES = 100  # below this, forking costs about what it saves
_CHILD_TASK = None  # what the forked exporter runs: inherited through fork, never pickled


def _can_fork() -> bool:
    import sys

    return sys.platform.startswith("linux")  # fork is the safe, cheap way here; elsewhere run in turn


def _run_child_task():
    return _CHILD_TASK()


def _rdf_files(kg, formats: tuple[str, ...]) -> tuple[dict[str, str | bytes], int, float]:
    """graph.ttl and the extra formats; the number of distinct triples; seconds taken."""
    import json
    import time

    from .graphml import to_graphml
    from .rdf import FORMATS, jsonld_context, serialize, statements

    t = time.perf_counter()
    qs = statements(kg)
    files: dict[str, str | bytes] = {"graph.ttl": serialize(kg, "turtle", qs=qs)}
    triples = len({q[:3] for q in qs})
    for fmt in sorted(set(formats)):
        if fmt == "graphml":
            files["graph.graphml"] = to_graphml(kg)
        else:
            files[FORMATS[fmt][0]] = serialize(kg, fmt, qs=qs)
        if fmt == "jsonld":
            files["context.jsonld"] = json.dumps(jsonld_context(kg), ensure_ascii=False, indent=2)
    return files, triples, time.perf_counter() - t


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


def write_all(outdir: Path, files: dict[str, str | bytes]) -> None:
    """Write every output to temporary files first, then rename them into place: an error or Ctrl-C
    while writing leaves the previous outputs untouched, and each file is always whole. Names with a
    folder (``articles/x.html``) are staged in a hidden folder and swapped in as whole folders, so no
    page of an older build lingers beside the new ones."""
    outdir = Path(outdir)
    stage = None
    staged: list[tuple[str, Path]] = []
    try:
        try:
            stage = Path(tempfile.mkdtemp(prefix=".stage-", suffix=".tmp", dir=outdir))
        except OSError as exc:
            raise OutputError(f"{outdir}: cannot write output here ({exc.strerror})") from None
        folders = set()
        for name, data in files.items():
            target = stage / name
            if "/" in name:
                folders.add(name.split("/", 1)[0])
                target.parent.mkdir(parents=True, exist_ok=True)
            else:
                staged.append((name, target))
            try:
                with open(target, "wb") as fh:
                    fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            except OSError as exc:
                raise OutputError(f"{outdir / name}: cannot write ({exc.strerror})") from None
        mode = 0o666 & ~_umask()
        for p in stage.rglob("*"):
            os.chmod(p, mode | (0o111 & ~_umask() if p.is_dir() else 0))
        for name, tmp in staged:
            os.replace(tmp, outdir / name)
        for folder in sorted(folders):
            old = outdir / folder
            trash = None
            if old.exists():
                trash = Path(tempfile.mkdtemp(prefix=f".old-{folder}-", suffix=".tmp", dir=outdir))
                os.replace(old, trash / folder)
            os.replace(stage / folder, old)
            if trash is not None:
                shutil.rmtree(trash, ignore_errors=True)
    finally:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
