"""Peak memory of one `kg build`: its process tree's (summed, sampled) and its largest process's.

    python benchmarks/peak_memory.py CORPUS -o OUT [kg build options, e.g. --no-cache]

Runs `kg build` from this checkout in a fresh process and samples /proc every 0.05 s: the resident memory of
the build and all its helper processes summed (what `speed.py` reports as the peak; pages a forked process
shares with the build count in both), and each process's high-water mark (VmHWM), whose largest is the most
one process held. Prints the wall seconds and both peaks. OUT is built into as `kg build` does: a re-build
where it holds an earlier build (with its cache), a first build where it is empty or missing.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from speed import descendants, status_kb, tree_rss_kb  # noqa: E402


def main() -> None:
    args = sys.argv[1:]
    if "-o" not in args:
        raise SystemExit(__doc__)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", *args], cwd=Path.cwd(), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    tree, largest = [0], {}

    def sample() -> None:
        while proc.poll() is None:
            tree[0] = max(tree[0], tree_rss_kb(proc.pid))
            for p in descendants(proc.pid):
                largest[p] = max(largest.get(p, 0), status_kb(p, "VmHWM"))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, err = proc.communicate()
    sampler.join()
    if proc.returncode:
        raise SystemExit(f"kg build failed: {err}")
    print(f"{time.perf_counter() - t:.1f} s; the process tree's peak {tree[0] / 1024 ** 2:.2f} GB, "
          f"the largest process's {max(largest.values(), default=0) / 1024 ** 2:.2f} GB")


if __name__ == "__main__":
    main()
