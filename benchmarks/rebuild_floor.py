"""The least any cold re-build after adding one article must do, timed as a fresh process would.

    python benchmarks/rebuild_floor.py CORPUS_FOLDER ADDED_FILE [--repeat 5]

A `kg build` re-build is a new process. Before it can know what the new article changes, it must start
the interpreter, import the pipeline, find and stat the corpus's files, load the gazetteer, and extract
the new article, which needs the extractor loaded (the rules, and the dictionary words the article can hold:
`kg.extract.words`) in the worker that `kg build` starts for it. This script does exactly that, with the build's own functions and
worker, and nothing else: no cached page read, no resolving, no graph, no output. Its wall time, from
the parent's fork to the worker's answer, is a floor under any re-build of this design, however
incremental the rest becomes. `benchmarks/speed.py` runs it beside the re-build and prints it as a
share of the first build.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import sys
sys.path.insert(0, {root!r})
from kg.lexicon import gazetteer
from kg.pipeline import find_files
from kg.read import read_all
from kg.runner import Workers, extract_batch
from kg.segment import segment

files = find_files([{corpus!r}])  # finds and stats every file, as a re-build does
gazetteer()
workers = Workers(1, few=True)  # forked now, loading the extractor while this process reads the new article
articles = [a for s in read_all([{added!r}]).sources for a in segment(s)]
out = workers.pool.submit(extract_batch, articles, "").result()
workers.close()
print(len(files), sum(len(m) for m, _ in out))
"""


def floor_run(corpus: Path, added: Path) -> dict:
    """One cold run: wall seconds from starting the interpreter to the new article's extraction."""
    code = CHILD.format(root=str(ROOT), corpus=str(corpus), added=str(added))
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t
    files, mentions = map(int, done.stdout.split())
    return {"wall": wall, "files": files, "mentions": mentions}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("added", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    runs = [floor_run(args.corpus, args.added) for _ in range(max(1, args.repeat))]
    best = min(runs, key=lambda r: r["wall"])
    print(f"floor of a cold re-build ({best['files']} files found, {best['mentions']} mentions in the new article): "
          f"best {best['wall']:.2f} s, runs " + " ".join(f"{r['wall']:.2f}" for r in runs))


if __name__ == "__main__":
    main()
