#!/usr/bin/env bash
# Interleaved A/B of `kg build` between two checkouts of this project, on this noisy machine:
# the two trees build in turn, N rounds, and the fastest and mean wall seconds of each are printed.
# Run back to back instead, each tree would meet a different spell of the VM's drifting speed.
#
#   git worktree add /tmp/old HEAD~1
#   bash benchmarks/ab.sh /tmp/old . ../shared/benchmarks/pd1998/articles 5
set -euo pipefail
old=$(cd "$1" && pwd); new=$(cd "$2" && pwd); corpus=$(cd "$3" && pwd); rounds=${4:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for _ in $(seq "$rounds"); do
  for tree in "$old" "$new"; do
    start=$(date +%s.%N)
    (cd "$tree" && PYTHONPATH="$tree" python -m kg build "$corpus" -o "$out/$(basename "$tree")" --no-cache >/dev/null 2>&1)
    echo "$tree $(echo "$(date +%s.%N) - $start" | bc)"
  done
done | awk '{ if (!($1 in m) || $2 < m[$1]) m[$1] = $2; s[$1] += $2; c[$1]++ }
            END { for (k in m) printf "%-40s best %.2f s  mean %.2f s  (%d runs)\n", k, m[k], s[k] / c[k], c[k] }'
