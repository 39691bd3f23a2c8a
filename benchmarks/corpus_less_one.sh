# Sourced by the re-build A/B scripts with OLD NEW CORPUS [ROUNDS] as their arguments: sets old, new, corpus and
# rounds, a temporary $work (removed on exit), $added (the corpus's article of median size: speed.py's
# added_article) and $work/in, the corpus without it as symbolic links.
old=$(cd "$1" && pwd); new=$(cd "$2" && pwd); corpus=$(cd "$3" && pwd); rounds=${4:-$rounds}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
added=$(python -c 'import sys, pathlib; sys.path.insert(0, sys.argv[2]); from speed import added_article; print(added_article(sorted(pathlib.Path(sys.argv[1]).glob("*.txt"))).name)' "$corpus" "$(dirname "${BASH_SOURCE[0]}")")
mkdir "$work/in"
for f in "$corpus"/*.txt; do [ "$(basename "$f")" = "$added" ] || ln -s "$f" "$work/in/"; done
echo "added: $added"
