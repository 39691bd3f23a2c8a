"""Speed and scale of `kg build` against a bare jieba.lcut pass over the same text, in one run.

    python benchmarks/speed.py ../shared/benchmarks/pd1998/articles

For 1/4, 1/2 and all of the corpus: the jieba.lcut baseline; `kg build` end to end (all outputs, a
fresh process, default jobs, no cache) with wall and CPU seconds and peak resident memory of the
process tree; then each stage on its own (one process); then a re-build after adding one article
to an already built corpus (the build cache at work: pages read, extractions, articles' Turtle, article
pages and layouts kept from the first build), beside the floor under any cold re-build
(benchmarks/rebuild_floor.py: start, imports, finding the files, the new article extracted). Prints
tables and the ratio kg build / jieba.lcut.

Every timing is the best of --repeat runs (default 3), as timeit reports: this shared machine's
speed drifts by a third between runs, and the fastest run is the one least disturbed.

kg's modules are byte-compiled first (kg/__pycache__), as a default Python writes them on kg's first
run: this machine sets PYTHONDONTWRITEBYTECODE=1, under which every process compiles them from source
again (~0.1 s of a re-build; jieba, the baseline, was compiled when pip installed it). --no-compile
measures kg as this machine runs it by default.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from rebuild_floor import floor_run  # noqa: E402


def descendants(pid: int) -> list[int]:
    """A process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def status_kb(pid: int, field: str) -> int:
    """A process's ``field`` of /proc/PID/status in kB (VmRSS, VmHWM), 0 once it has ended."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc)."""
    return sum(status_kb(p, "VmRSS") for p in descendants(pid))


def run_build(args: list[str]) -> dict:
    """A `kg build` in a fresh process: wall, CPU (its tree) and peak resident memory (its tree)."""
    t0 = time.perf_counter()
    before = os.times()
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample():
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss_kb(proc.pid))
            time.sleep(0.05)

    th = threading.Thread(target=sample)
    th.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t0  # (the build has ended: not the sampler's last sleep, up to 0.05 s, which
    th.join()                        # was in every figure until session 37, ~0.025 s a build on average)
    after = os.times()
    if proc.returncode:
        raise SystemExit(f"kg build failed: {err}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {"wall": wall, "cpu": cpu, "rss_mb": peak[0] / 1024, "stdout": out}


def best(runs: list[dict]) -> dict:
    """The fastest of repeated runs (by wall time); peak memory is the largest seen in any of them."""
    out = dict(min(runs, key=lambda r: r["wall"]))
    if "rss_mb" in out:
        out["rss_mb"] = max(r["rss_mb"] for r in runs)
    return out


def lcut_pass(texts: list[str]) -> dict:
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    t, c = time.perf_counter(), time.process_time()
    for x in texts:
        jieba.lcut(x)
    out = {"wall": time.perf_counter() - t, "cpu": time.process_time() - c}
    from kg.extract.tokens import _cut  # the segmenter kg uses (rjieba): the same words, for reference

    t = time.perf_counter()
    for x in texts:
        _cut(x)
    out["kg_cut"] = time.perf_counter() - t
    return out


def stages(files: list[Path]) -> dict:
    """Each stage on its own, in this process, one extraction process, as a build runs it (cyclic GC
    paused; Turtle alone by the path a build without quads takes)."""
    from kg.runtime import paused_gc

    with paused_gc():
        return _stages(files)


def _stages(files: list[Path]) -> dict:
    from kg.export import _rdf_files
    from kg.export.html import site
    from kg.graph import build_graph
    from kg.pipeline import province_code
    from kg.read import read_all
    from kg.resolve import resolve
    from kg.runner import extract_all
    from kg.segment import segment

    out = {}
    t = time.perf_counter()
    sources = read_all([str(f) for f in files]).sources
    out["read"] = time.perf_counter() - t
    t = time.perf_counter()
    articles = [a for s in sources for a in segment(s)]
    out["segment"] = time.perf_counter() - t
    prov = province_code(None, [s.text for s in sources])
    t = time.perf_counter()
    extractions, _ = extract_all(articles, prov, jobs=1)
    out["extract"] = time.perf_counter() - t
    t = time.perf_counter()
    ents, rels = resolve(extractions, prov)
    out["resolve"] = time.perf_counter() - t
    t = time.perf_counter()
    kg = build_graph(ents, rels, articles, province=prov)
    out["graph"] = time.perf_counter() - t
    t = time.perf_counter()
    _rdf_files(kg, ())
    out["turtle"] = time.perf_counter() - t
    t = time.perf_counter()
    site(kg)
    out["html"] = time.perf_counter() - t
    return out


def added_article(files: list[Path]) -> Path:
    """The article a re-build is timed adding: the one of median size (in PD1998 a news report naming places and
    organisations; the corpus's last file is a poem naming nothing). ``rebuild_trace.py`` and the re-build A/B
    scripts add the same one."""
    return sorted(files, key=lambda f: (f.stat().st_size, f.name))[len(files) // 2]


def compile_kg() -> bool:
    """kg's modules byte-compiled into kg/__pycache__, as a default Python writes them on kg's first run; a
    module changed later is compiled from source again, as Python checks each file's time and size."""
    import compileall

    return bool(compileall.compile_dir(str(ROOT / "kg"), quiet=1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--fractions", default="0.25,0.5,1")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each timing; the fastest is reported")
    ap.add_argument("--no-compile", action="store_true",
                    help="do not byte-compile kg first (under PYTHONDONTWRITEBYTECODE each process compiles it)")
    args = ap.parse_args()
    compiled = not args.no_compile and compile_kg()
    n = max(1, args.repeat)
    files = sorted(args.corpus.glob("*.txt"))
    rows, stage_rows = [], []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        fracs = [float(x) for x in args.fractions.split(",")]
        parts, texts = {}, {}
        for frac in fracs:
            part = parts[frac] = files[: max(1, round(len(files) * frac))]
            folder = tmp / f"in-{frac}"
            folder.mkdir()
            for f in part:
                os.symlink(f.resolve(), folder / f.name)
            texts[frac] = [f.read_text(encoding="utf-8") for f in part]
        # Round r runs every measurement once, so a slow spell of the machine touches each fraction alike
        # (one fraction's runs back to back would each meet a different spell, biasing the growth figure).
        runs: dict = {frac: {"lcut": [], "build": [], "stages": []} for frac in fracs}
        fulls, agains, ones, floors = [], [], [], []
        smallest = min(files, key=lambda f: f.stat().st_size)
        added = added_article(files)
        one = tmp / "in-one"
        one.mkdir()
        os.symlink(smallest.resolve(), one / smallest.name)
        for r in range(n):
            ones.append(run_build([str(one), "-o", str(tmp / "out-one"), "--no-cache"]))  # what any build costs
            for frac in fracs:
                runs[frac]["lcut"].append(lcut_pass(texts[frac]))
                runs[frac]["build"].append(run_build([str(tmp / f"in-{frac}"), "-o", str(tmp / f"out-{frac}"), "--no-cache"]))
                runs[frac]["stages"].append(stages(parts[frac]))
            # re-build after adding one article to an already built corpus: the article of median size (a
            # news report naming places and organisations; the corpus's last file is a poem naming nothing)
            inc, out = tmp / f"inc-{r}", tmp / f"out-inc-{r}"
            inc.mkdir()
            for f in files:
                if f != added:
                    os.symlink(f.resolve(), inc / f.name)
            fulls.append(run_build([str(inc), "-o", str(out)]))
            os.symlink(added.resolve(), inc / added.name)
            os.sync()  # (the first build's files on disk, as they are some seconds after it; rebuild_ratio.py does so too)
            agains.append(run_build([str(inc), "-o", str(out)]))
            agains[-1]["report"] = json.loads((out / "report.json").read_text(encoding="utf-8"))
            floors.append(floor_run(inc, added))  # what any cold re-build must do (benchmarks/rebuild_floor.py)
            shutil.rmtree(out, ignore_errors=True)
        for frac in fracs:
            st = runs[frac]["stages"]
            rows.append((frac, len(parts[frac]), sum(map(len, texts[frac])), best(runs[frac]["lcut"]), best(runs[frac]["build"])))
            stage_rows.append((frac, {k: min(x[k] for x in st) for k in st[0]}))
        full, again, start = best(fulls), best(agains), best(ones)
        floor = min(floors, key=lambda r: r["wall"])

    print(f"machine: {os.cpu_count()} cores; kg build with default --jobs, all outputs, no cache; "
          f"each timing the best of {n} runs; kg's modules "
          + ("byte-compiled first, as a default Python writes them on its first run" if compiled else
             "compiled from source by every process (--no-compile, or compileall failed)"))
    print("lcut s: the baseline, a bare jieba.lcut pass; rjieba s: the same words cut by the segmenter kg uses\n")
    print(f"{'corpus':<8}{'files':>7}{'chars':>11}{'lcut s':>9}{'rjieba s':>9}{'build s':>9}{'build cpu s':>13}{'peak MB':>9}"
          f"{'chars/s':>10}{'µs/char':>9}{'× lcut':>8}")
    for frac, n, chars, base, build in rows:
        print(f"{frac:<8g}{n:>7}{chars:>11,}{base['wall']:>9.2f}{base['kg_cut']:>9.2f}{build['wall']:>9.2f}{build['cpu']:>13.2f}"
              f"{build['rss_mb']:>9.0f}{chars / build['wall']:>10,.0f}{build['wall'] / chars * 1e6:>9.2f}"
              f"{build['wall'] / base['wall']:>8.2f}")
    first, last = rows[0], rows[-1]
    growth = (last[4]["wall"] / last[2]) / (first[4]["wall"] / first[2])
    print(f"\ntime per character, whole / quarter: {growth:.2f} (1.00 = linear)")
    base_growth = (last[3]["wall"] / last[2]) / (first[3]["wall"] / first[2])
    print(f"the baseline's own, lcut whole / quarter: {base_growth:.2f}; kg build's ratio to it, whole / quarter: "
          f"{(last[4]['wall'] / last[3]['wall']) / (first[4]['wall'] / first[3]['wall']):.2f} (the machine's drift between "
          "the sizes' runs cancels)")
    fixed = start["wall"]
    net = ((last[4]["wall"] - fixed) / last[2]) / ((first[4]["wall"] - fixed) / first[2])
    print(f"a build of one article (start-up, paid by every build): {fixed:.2f} s; "
          f"time per character net of it, whole / quarter: {net:.2f}")
    if len(rows) > 1:  # start-up (interpreter, jieba's dictionary in each worker) is paid once per build
        prev = rows[-2]
        marginal = (last[4]["wall"] - prev[4]["wall"]) / (last[2] - prev[2]) * 1e6
        print(f"marginal cost from {prev[0]:g} to {last[0]:g}: {marginal:.2f} µs/char "
              f"(whole: {last[4]['wall'] / last[2] * 1e6:.2f}, quarter: {first[4]['wall'] / first[2] * 1e6:.2f})")
    names = list(stage_rows[0][1])
    print("\nstages on their own (one process), seconds:")
    print(f"{'corpus':<8}" + "".join(f"{n:>10}" for n in names))
    for frac, st in stage_rows:
        print(f"{frac:<8g}" + "".join(f"{st[n]:>10.2f}" for n in names))
    print(f"\nre-build after adding 1 article ({added.name}) to {len(files) - 1}: {again['wall']:.2f} s vs first build "
          f"{full['wall']:.2f} s = {again['wall'] / full['wall']:.1%}")
    if rows[-1][0] == 1:  # the first build writes the cache; the build of the whole above writes none
        print(f"  and vs the no-cache build of all {rows[-1][1]} files above ({rows[-1][4]['wall']:.2f} s): "
              f"{again['wall'] / rows[-1][4]['wall']:.1%}")
    # each round's re-build against that round's builds, run minutes apart at most (the bests above may come from
    # different rounds, one in a fast spell and one in a slow one): benchmarks/rebuild_ratio.py does this over more
    # rounds, with full builds of the whole corpus
    of_first = [a["wall"] / f["wall"] for a, f in zip(agains, fulls)]
    print(f"  round by round, of that round's first build: {', '.join(f'{x:.1%}' for x in of_first)}"
          f" (median {statistics.median(of_first):.1%}, largest {max(of_first):.1%})")
    if rows[-1][0] == 1:
        whole = runs[fracs[-1]]["build"]
        of_bare = [a["wall"] / b["wall"] for a, b in zip(agains, whole)]
        print(f"  of that round's no-cache build of all {rows[-1][1]} files: {', '.join(f'{x:.1%}' for x in of_bare)}"
              f" (median {statistics.median(of_bare):.1%}, largest {max(of_bare):.1%})")
    rep = again["report"]
    print("  its report: " + ", ".join(f"{k} {v:.2f} s" for k, v in rep["timings"].items())
          + f"; pages kept {rep.get('pages_kept', 0)}, Turtle of articles {rep.get('turtle_cache', {})}, "
          f"layouts {rep.get('layouts', {})}")
    print(f"  floor of any cold re-build (start, imports, finding the files, the extractor loaded and the new article "
          f"extracted; benchmarks/rebuild_floor.py): {floor['wall']:.2f} s = {floor['wall'] / full['wall']:.1%} of the first build")


if __name__ == "__main__":
    main()
