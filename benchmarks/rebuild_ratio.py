"""The re-build target, measured as a ratio within each round: a re-build after one new article against full
builds of the same corpus run in the same minute.

    python benchmarks/rebuild_ratio.py CORPUS_FOLDER [--rounds 10]

`benchmarks/speed.py` reports the best of three re-builds against the best of three first builds, each best
taken at whatever minute it fell in. This shared machine's speed swings by a third from one minute to the
next, so a re-build measured in a slow spell beside a build measured in a fast one (or the reverse) moves the
share by a percentage point or two. Here each round runs, back to back:

- a **full build with the cache** of the whole corpus into an empty folder: `kg build CORPUS -o OUT`, the
  command a user runs the first time (it writes the build cache as it goes);
- a **full build without it** (`--no-cache`), the one `speed.py` sets against `jieba.lcut`;
- a **re-build after one new article**: the corpus less its article of median size (speed.py's
  `added_article`) built once before the rounds, restored each round from a hard-linked copy (its cache files
  copied), then built with the article.

The order of the three turns each round, so that none always follows another. Prints each round's seconds and
the re-build's share of each full build in that round, then the median and the largest share over the rounds:
the target (at most 10 %) is met when the largest is; the median says where the re-build stands most days. Wall seconds of a fresh `kg build` process each, from
the project root, kg byte-compiled as for speed.py; nothing else runs (no memory sampler).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from rebuild_trace import restore  # noqa: E402  (the base build as it was left, its cache copied)
from speed import added_article, compile_kg  # noqa: E402


def kg_build(*args: str) -> float:
    """Wall seconds of one `kg build` in a fresh process."""
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "kg", "build", *args], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode:
        raise SystemExit(f"kg build {' '.join(args)} failed: {proc.stderr}")
    return wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    files = sorted(args.corpus.glob("*.txt"))
    if not files:
        raise SystemExit(f"{args.corpus}: no .txt files")
    compile_kg()
    added = added_article(files)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        whole, less = work / "whole", work / "less"
        whole.mkdir()
        less.mkdir()
        for f in files:
            os.symlink(f.resolve(), whole / f.name)
            if f != added:
                os.symlink(f.resolve(), less / f.name)
        kg_build(str(less), "-o", str(work / "base"))
        os.symlink(added.resolve(), less / added.name)

        def full() -> float:
            shutil.rmtree(work / "full", ignore_errors=True)
            os.sync()
            return kg_build(str(whole), "-o", str(work / "full"))

        def no_cache() -> float:
            shutil.rmtree(work / "bare", ignore_errors=True)
            os.sync()
            return kg_build(str(whole), "-o", str(work / "bare"), "--no-cache")

        def rebuild() -> float:
            restore(work / "base", work / "out")
            return kg_build(str(less), "-o", str(work / "out"))

        runs = [("full", full), ("no_cache", no_cache), ("rebuild", rebuild)]
        print(f"{len(files)} files; the re-build adds {added.name} to the other {len(files) - 1}\n")
        print(f"{'round':>5} {'full s':>8} {'no-cache s':>11} {'re-build s':>11} {'of full':>8} {'of no-cache':>12}")
        for r in range(max(1, args.rounds)):
            got = {}
            for name, run in runs[r % 3:] + runs[: r % 3]:  # (the order turns each round)
                got[name] = run()
            row = (got["full"], got["no_cache"], got["rebuild"])
            rows.append(row)
            print(f"{r + 1:>5} {row[0]:>8.2f} {row[1]:>11.2f} {row[2]:>11.3f} {row[2] / row[0]:>8.1%} {row[2] / row[1]:>12.1%}")
    of_full = [c / a for a, _, c in rows]
    of_bare = [c / b for _, b, c in rows]
    print(f"\nre-build: median {statistics.median(r[2] for r in rows):.3f} s, "
          f"fastest {min(r[2] for r in rows):.3f} s, slowest {max(r[2] for r in rows):.3f} s")
    print(f"full build with the cache: median {statistics.median(r[0] for r in rows):.2f} s; "
          f"without: {statistics.median(r[1] for r in rows):.2f} s")
    print(f"share of the full build, same round: median {statistics.median(of_full):.1%}, largest {max(of_full):.1%}")
    print(f"share of the no-cache build, same round: median {statistics.median(of_bare):.1%}, largest {max(of_bare):.1%}")


if __name__ == "__main__":
    main()
