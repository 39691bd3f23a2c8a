#!/usr/bin/env bash
# Interleaved A/B of the re-build after adding one article, between two checkouts of this project: for each
# round and tree, build the corpus without the article of median size (as benchmarks/speed.py picks it), add
# it, and time the re-build; the rounds pair the trees a minute apart, so the VM's drifting speed touches both.
#
#   git worktree add /tmp/old HEAD~3
#   bash benchmarks/ab_rebuild.sh /tmp/old . ../shared/benchmarks/pd1998/articles 6
set -euo pipefail
rounds=3
source "$(dirname "$0")/corpus_less_one.sh"
for _ in $(seq "$rounds"); do
  for tree in "$old" "$new"; do
    out="$work/out-$(basename "$tree")"
    rm -rf "$out" "$work/in/$added"
    (cd "$tree" && PYTHONPATH="$tree" python -m kg build "$work/in" -o "$out" >/dev/null 2>&1)
    ln -s "$corpus/$added" "$work/in/"
    start=$(date +%s.%N)
    (cd "$tree" && PYTHONPATH="$tree" python -m kg build "$work/in" -o "$out" >/dev/null 2>&1)
    echo "$tree $(echo "$(date +%s.%N) - $start" | bc)"
  done
done | awk '{ print } { if (!($1 in m) || $2 < m[$1]) m[$1] = $2; s[$1] += $2; c[$1]++ }
            END { for (k in m) printf "%-40s best %.2f s  mean %.2f s  (%d runs)\n", k, m[k], s[k] / c[k], c[k] }'
