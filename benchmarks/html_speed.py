"""Time to interactive of the HTML views in headless Chromium, and the Python layout cost, by size.

    python benchmarks/html_speed.py output/ /tmp/pd1998-output/     # built sites
    python benchmarks/html_speed.py --synthetic 300 1000 3000 10000  # random graphs of those sizes

For each page: seconds from navigation to the first drawing with every node placed (window.kgDrawnAt),
then how long a search and a click on a node take to answer. Uses Debian's Chromium via Playwright.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def measure(browser, path: Path) -> dict:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    t = time.perf_counter()
    page.goto(path.resolve().as_uri())
    page.wait_for_function("window.kgReady === true", timeout=120000)
    wall = time.perf_counter() - t
    drawn_ms = page.evaluate("window.kgDrawnAt")
    n = page.evaluate("network.body.nodeIndices.length")
    name = page.evaluate("DATA.nodes[0].label")
    t = time.perf_counter()
    page.fill("#search", name)
    page.wait_for_selector("#hits div")
    page.click("#hits div")
    page.wait_for_function("document.getElementById('panel').textContent.length > 0")
    respond = time.perf_counter() - t
    page.close()
    return {"page": str(path), "nodes": n, "load_s": wall, "drawn_s": drawn_ms / 1000, "search_click_s": respond,
            "errors": len(errors), "mb": path.stat().st_size / 1e6}


def synthetic(n: int, folder: Path) -> tuple[Path, float]:
    import random

    from kg.export.html import ViewGraph, render_page

    rnd = random.Random(n)
    types = ["Person", "Organization", "Region", "Project", "Initiative"]
    v = ViewGraph()
    for i in range(n):
        v.nodes[f"n{i}"] = {"type": types[i % 5], "name": f"实体{i}", "aliases": [], "code": "", "mentions": 1,
                            "sources": [{"article": "a", "doc": "a.txt", "sentence": "句子。"}]}
    for i in range(1, n):  # a sparse, scale-free-ish graph like ours (~1.3 edges a node)
        v.edges.append((f"n{i}", f"n{rnd.randrange(max(1, i // 2 + 1))}", "located_in", ""))
        if rnd.random() < 0.3:
            v.edges.append((f"n{i}", f"n{rnd.randrange(n)}", "promoted_by", ""))
    t = time.perf_counter()
    html = render_page(v, sorted(v.nodes), f"synthetic {n}")
    took = time.perf_counter() - t
    path = folder / f"synthetic-{n}.html"
    path.write_text(html, encoding="utf-8")
    return path, took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sites", nargs="*", type=Path, help="output folders of kg build")
    ap.add_argument("--synthetic", nargs="*", type=int, default=[])
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for n in args.synthetic:
            path, took = synthetic(n, Path(tmp))
            r = measure(browser, path)
            r["python_s"] = took
            rows.append(r)
        for site in args.sites:
            pages = [site / "graph.html"] + sorted((site / "entities").glob("*.html"))[:1] + sorted((site / "articles").glob("*.html"))[:1]
            for path in pages:
                rows.append(measure(browser, path))
        browser.close()
    print(f"{'page':<48}{'nodes':>7}{'MB':>7}{'python s':>10}{'drawn s':>9}{'load s':>8}{'search+click s':>16}{'errors':>7}")
    for r in rows:
        print(f"{r['page'][-48:]:<48}{r['nodes']:>7}{r['mb']:>7.1f}{r.get('python_s', float('nan')):>10.2f}"
              f"{r['drawn_s']:>9.2f}{r['load_s']:>8.2f}{r['search_click_s']:>16.2f}{r['errors']:>7}")


if __name__ == "__main__":
    main()
