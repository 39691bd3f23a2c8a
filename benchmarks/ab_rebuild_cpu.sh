#!/usr/bin/env bash
# Interleaved A/B of the re-build after adding one article, with wall and CPU seconds (the process tree's user +
# system time, steadier than wall on this VM). Unlike ab_rebuild.sh, each tree builds the corpus without the
# article once; every round restores that build (hard links keep the pages' and graph.ttl's stamps, the build
# cache is copied) and times the re-build, so the pairs are seconds apart. Prints each run, then per tree the best
# and mean, and the median of the paired differences (the figure to read on a VM whose runs drift). The trees
# take turns going first (old first in odd rounds, new first in even ones): on this VM the second run of a pair
# can be the slower one by itself (session 27, twelve times PD1998, the same two commits: new minus old +0.57 s
# with new always second, -0.49 s with new always first), so a fixed order would lend that to one side.
#
#   git worktree add /tmp/old HEAD~3
#   bash benchmarks/ab_rebuild_cpu.sh /tmp/old . ../shared/benchmarks/pd1998/articles 8
set -euo pipefail
rounds=6
source "$(dirname "$0")/corpus_less_one.sh"
for tree in "$old" "$new"; do  # both byte-compiled, as speed.py does (and a default Python on kg's first run)
  python -m compileall -q "$tree/kg" >/dev/null
  (cd "$tree" && PYTHONPATH="$tree" python -m kg build "$work/in" -o "$work/base-${tree//\//_}" >/dev/null 2>&1)
done
ln -s "$corpus/$added" "$work/in/"
for round in $(seq "$rounds"); do
  order=("$old" "$new")
  if (( round % 2 == 0 )); then order=("$new" "$old"); fi
  for tree in "${order[@]}"; do
    base="$work/base-${tree//\//_}" out="$work/out"
    rm -rf "$out" && cp -al "$base" "$out" && rm "$out/.kg-cache.sqlite" && cp -p "$base/.kg-cache.sqlite" "$out/"
    sync  # the copied cache on disk, as a build's is some seconds after it (else the re-build's first SQLite sync
          # writes the 25 MB copy out, on its path: a cost of the copy, not of the re-build)
    (cd "$tree" && PYTHONPATH="$tree" /usr/bin/time -f "$tree %e %U %S" python -m kg build "$work/in" -o "$out" 2>&1 >/dev/null | tail -1)
  done
done | python3 -c '
"""Each run as it ends; then per tree the best and mean, and the median of the pairs (new minus old, same
round): on a VM whose runs drift by more than the change, the paired median is the figure to read."""
import statistics, sys
runs = {}
for line in sys.stdin:
    print(line, end="", flush=True)
    tree, wall, user, system = line.split()
    runs.setdefault(tree, []).append((float(wall), float(user) + float(system)))
for tree, rs in runs.items():
    w, c = [r[0] for r in rs], [r[1] for r in rs]
    print(f"{tree:<40} wall best {min(w):.2f} s mean {statistics.mean(w):.2f} s | "
          f"cpu best {min(c):.2f} s mean {statistics.mean(c):.2f} s ({len(rs)} runs)")
(old, a), (new, b) = runs.items()
print(f"paired, {new} minus {old}: wall median {statistics.median(y[0] - x[0] for x, y in zip(a, b)):+.3f} s, "
      f"cpu median {statistics.median(y[1] - x[1] for x, y in zip(a, b)):+.3f} s ({min(len(a), len(b))} pairs)")
'
