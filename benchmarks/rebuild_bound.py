"""What an exact re-build must redraw after one new article, beyond the floor (benchmarks/rebuild_floor.py).

    python benchmarks/rebuild_bound.py CORPUS_FOLDER OUT_FOLDER ADDED_DOC [--repeat 5]

OUT_FOLDER is a build of CORPUS_FOLDER with its cache (after the article ADDED_DOC, a document name, was
added). However incremental a re-build became (the merged state kept, nothing recomputed that the article
does not change), its outputs must still equal a fresh build's, so it must at least: lay out and draw
graph.html again when the article adds a relation among its entities (a force layout over all of them,
from scratch, as a fresh build draws it), draw index.html again (it lists the article), draw the
article's own page, and write graph.ttl (here: the previous file copied whole, less than splicing it).
This script times just those, in one process, on the built graph; add the floor for a lower bound of
any cold re-build of this design whose outputs stay exact.
"""
from __future__ import annotations

import argparse
import gc
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.export import html as H  # noqa: E402
from kg.pipeline import run  # noqa: E402


def best(f, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("added", help="the new article's document name (its file name)")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    gc.disable()
    kg, _ = run([str(args.corpus)], cache_path=str(args.out / ".kg-cache.sqlite"), jobs=1)
    v = H.view_graph(kg)
    deg = v.degree()
    ranked = H.most_connected(v, H.MAX_WHOLE, deg)
    links = {n: H.page_name("entities", n) for n in ranked[: H.HUB_PAGES]}
    pages = {aid: H.page_name("articles", aid) for aid, a in v.articles.items() if a["entities"]}
    new = [a for a in v.articles.values() if a["doc"] == args.added and a["entities"]]
    if not new:
        sys.exit(f"{args.added}: no article of that document names an entity in {args.corpus}")
    n = max(1, args.repeat)
    graph_html = best(lambda: H.whole_graph_page(v, "policy-kg", links, H.Layouts({}), ranked), n)
    kept = H.Layouts({})
    H.whole_graph_page(v, "policy-kg", links, kept, ranked)  # its positions kept, as they would be if not redone
    drawn_only = best(lambda: H.whole_graph_page(v, "policy-kg", links, kept, ranked), n)
    index_html = best(lambda: H.index_page(v, "policy-kg", links, pages, deg), n)
    article_pages = best(lambda: [H.render_page(
        v, sorted(a["entities"]), a["title"] or a["doc"], note="", edge_ids=a["edges"], links=links, root="../",
        inline=False, place=len(a["entities"]) > H.BROWSER_LAYOUT, encoded={}, article=a) for a in new], n)
    ttl = args.out / "graph.ttl"
    with tempfile.TemporaryDirectory() as tmp:
        turtle = best(lambda: shutil.copyfile(ttl, Path(tmp) / "graph.ttl"), n)
    total = graph_html + index_html + article_pages + turtle
    print(f"{args.added}: {len(new)} article(s); graph.ttl {ttl.stat().st_size / 1e6:.1f} MB; best of {n}, one process")
    print(f"graph.html laid out and drawn {graph_html:.3f} s, index.html {index_html:.3f} s, "
          f"the article's page {article_pages:.3f} s, graph.ttl copied whole {turtle:.3f} s")
    print(f"redrawn outputs: {total:.3f} s; with graph.html's positions kept instead of laid out again (not what a "
          f"fresh build draws): {total - graph_html + drawn_only:.3f} s (graph.html drawn {drawn_only:.3f} s)")
    print("add the floor (benchmarks/rebuild_floor.py) for the least a cold re-build can take")


if __name__ == "__main__":
    main()
