#!/usr/bin/env bash
# Interleaved A/B of the re-build after adding one article, with wall and CPU seconds (the process tree's user +
# system time, steadier than wall on this VM). Unlike ab_rebuild.sh, each tree builds the corpus without the
# article once; every round restores that build (hard links keep the pages' and graph.ttl's stamps, the build
# cache is copied) and times the re-build, so the pairs are seconds apart.
#
#   git worktree add /tmp/old HEAD~3
#   bash benchmarks/ab_rebuild_cpu.sh /tmp/old . ../shared/benchmarks/pd1998/articles 8
set -euo pipefail
rounds=6
source "$(dirname "$0")/corpus_less_one.sh"
for tree in "$old" "$new"; do
  (cd "$tree" && PYTHONPATH="$tree" python -m kg build "$work/in" -o "$work/base-${tree//\//_}" >/dev/null 2>&1)
done
ln -s "$corpus/$added" "$work/in/"
for _ in $(seq "$rounds"); do
  for tree in "$old" "$new"; do
    base="$work/base-${tree//\//_}" out="$work/out"
    rm -rf "$out" && cp -al "$base" "$out" && rm "$out/.kg-cache.sqlite" && cp -p "$base/.kg-cache.sqlite" "$out/"
    (cd "$tree" && PYTHONPATH="$tree" /usr/bin/time -f "$tree %e %U %S" python -m kg build "$work/in" -o "$out" 2>&1 >/dev/null | tail -1)
  done
done | awk '{ print } { w[$1] += $2; c[$1] += $3 + $4; n[$1]++
               if (!($1 in bw) || $2 < bw[$1]) bw[$1] = $2; if (!($1 in bc) || $3 + $4 < bc[$1]) bc[$1] = $3 + $4 }
            END { for (k in w) printf "%-40s wall best %.2f s mean %.2f s | cpu best %.2f s mean %.2f s (%d runs)\n",
                  k, bw[k], w[k] / n[k], bc[k], c[k] / n[k], n[k] }'
