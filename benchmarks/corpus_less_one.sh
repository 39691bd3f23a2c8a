# Sourced by the re-build A/B scripts with OLD NEW CORPUS [ROUNDS] as their arguments: sets old, new, corpus and
# rounds, a temporary $work (removed on exit), $added (the corpus's article of median size, as benchmarks/speed.py
# picks it) and $work/in, the corpus without it as symbolic links.
old=$(cd "$1" && pwd); new=$(cd "$2" && pwd); corpus=$(cd "$3" && pwd); rounds=${4:-$rounds}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
added=$(python -c 'import sys, pathlib; fs = sorted(pathlib.Path(sys.argv[1]).glob("*.txt"), key=lambda f: (f.stat().st_size, f.name)); print(fs[len(fs) // 2].name)' "$corpus")
mkdir "$work/in"
for f in "$corpus"/*.txt; do [ "$(basename "$f")" = "$added" ] || ln -s "$f" "$work/in/"; done
echo "added: $added"
