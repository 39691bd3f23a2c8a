"""When each stage of a re-build starts and ends, in each of its processes: where the time after adding one
article goes, and how much of a full build is gone before the first output is made.

    python benchmarks/rebuild_trace.py CORPUS_FOLDER [--runs 3]

Builds the corpus without its article of median size (the one `benchmarks/speed.py` adds) into a temporary
folder, timing that first build. Then, each run, re-builds with the article from a hard-linked copy of that
build (its cache files copied, so the run changes nothing the next one reads), in a fresh `kg build` process
whose stage functions are wrapped to log their start and end. Times are seconds since the command was
started, so they include the interpreter's start; the worker and the RDF writer are forked from the build and
log on the same clock. Prints each run's timeline, then the share of the first build gone before the exports
start. Wrapping adds a few microseconds a call: the stages wrapped are called once or a few dozen times.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from speed import added_article, compile_kg  # noqa: E402

# (process, module, qualified name, label): the stages "What is left" in the README reads
STAGES = [
    ("main", "kg.pipeline", "find_files", "files found"),
    ("main", "kg.runner", "ReadCache.read_rows", "cached pages read"),
    ("main", "kg.pipeline", "read_all", "pages looked up"),
    ("main", "kg.pipeline", "province_code", "province"),
    ("main", "kg.kept", "KeptResolution.load", "kept entities read"),
    ("worker", "kg.runner", "_load_extractor", "extractor loaded"),
    ("worker", "kg.runner", "extract_batch", "article extracted"),
    ("main", "kg.kept", "KeptResolution.update", "kept resolution updated"),
    ("main", "kg.graph", "build_graph", "graph"),
    ("main", "kg.export", "outputs", "exports"),
    ("main", "kg.export.html", "site", "pages"),
    ("main", "kg.export.html", "view_graph", "  view model"),
    ("main", "kg.export.html", "whole_graph_page", "  graph.html"),
    ("main", "kg.export.html", "index_page", "  index.html"),
    ("rdf", "kg.export", "_rdf_files", "RDF writer"),
    ("rdf", "kg.export.rdf", "cached_turtle", "  graph.ttl's parts keyed"),
    ("rdf", "kg.kept", "KeptResolution.keep", "  kept resolution written"),
    ("main", "kg.export", "Stage.commit", "commit"),
]

TRACER = r"""
import functools, importlib, os, sys, time
T0, LOG = float(os.environ["KG_TRACE_T0"]), open(os.environ["KG_TRACE_LOG"], "a", buffering=1)
STAGES = {stages!r}

def wrap(module, qualname, label):
    owner = importlib.import_module(module)
    *path, name = qualname.split(".")
    for part in path:
        owner = getattr(owner, part)
    fn = getattr(owner, name)

    @functools.wraps(fn)
    def traced(*args, **kwargs):
        start = time.time() - T0
        try:
            return fn(*args, **kwargs)
        finally:
            LOG.write(f"{{os.getpid()}}\t{{label}}\t{{start:.4f}}\t{{time.time() - T0:.4f}}\n")
    setattr(owner, name, traced)

import kg.pipeline  # (the later stages are imported by the build itself, in a thread: wrapped there)
early = [s for s in STAGES if s[0] in ("kg.pipeline", "kg.kept", "kg.runner", "kg.export")]
for stage in early:
    wrap(*stage)
later = kg.pipeline._load_later_stages

def load_later_stages():
    later()
    for stage in STAGES:
        if stage not in early:
            wrap(*stage)
kg.pipeline._load_later_stages = load_later_stages
sys.argv = ["kg"] + sys.argv[1:]
from kg.cli import main
main()
"""


def kg_build(inputs: Path, out: Path, log: Path | None = None) -> float:
    """Wall seconds of one `kg build` (traced into ``log`` if given), byte-compiled kg, from ROOT."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if log is None:
        cmd = [sys.executable, "-m", "kg", "build", str(inputs), "-o", str(out)]
    else:
        cmd = [sys.executable, "-c", TRACER.format(stages=[s[1:] for s in STAGES]), "build", str(inputs), "-o", str(out)]
    t = time.time()
    env.update(KG_TRACE_T0=repr(t), KG_TRACE_LOG=str(log or ""))
    subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=ROOT)
    return time.time() - t


def restore(base: Path, out: Path) -> None:
    """``out`` as ``base`` was left: its pages hard-linked (a re-build keeps their stamps), the cache copied."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(base, out, copy_function=os.link)
    for cache in base.glob(".kg-cache.sqlite*"):
        (out / cache.name).unlink()
        shutil.copy2(cache, out / cache.name)
    os.sync()  # (the copied cache on disk, as a build's is some seconds after it)


def timeline(log: Path) -> list[tuple[str, str, float, float]]:
    """(process, stage, start, end) from a run's log, the process named by the stages it ran."""
    rows = [line.rstrip("\n").split("\t") for line in log.read_text(encoding="utf-8").splitlines()]
    role = {label: proc for proc, _, _, label in STAGES}
    return sorted(((role[label], label, float(a), float(b)) for _, label, a, b in rows), key=lambda r: (r[2], r[3]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    compile_kg()
    added = added_article(sorted(args.corpus.glob("*.txt")))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "in").mkdir()
        for f in sorted(args.corpus.glob("*.txt")):
            if f != added:
                (work / "in" / f.name).symlink_to(f.resolve())
        first = kg_build(work / "in", work / "base")
        (work / "in" / added.name).symlink_to(added.resolve())
        print(f"first build of {len(list((work / 'in').iterdir())) - 1} files: {first:.2f} s; then {added.name} added")
        for run in range(1, max(1, args.runs) + 1):
            restore(work / "base", work / "out")
            log = work / f"trace-{run}.tsv"
            wall = kg_build(work / "in", work / "out", log)
            rows = timeline(log)
            print(f"\nre-build {run}: {wall:.3f} s = {100 * wall / first:.1f} % of the first build")
            print(f"{'process':<8} {'stage':<28} {'start':>7} {'end':>7} {'seconds':>8}")
            for proc, label, a, b in rows:
                print(f"{proc:<8} {label:<28} {a:7.3f} {b:7.3f} {b - a:8.3f}")
            exports = min((a for _, label, a, _ in rows if label == "exports"), default=None)
            if exports is not None:
                print(f"before the exports start: {exports:.3f} s = {100 * exports / first:.1f} % of the first build")


if __name__ == "__main__":
    main()
