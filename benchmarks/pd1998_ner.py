"""Score kg's Person/Region/Organization mentions against PD1998's PER/LOC/ORG spans (strict).

Usage:
    python benchmarks/pd1998_ner.py [--data ../shared/benchmarks/pd1998] [--limit N] [--json]

Runs the same extraction as `kg extract` (outermost mentions, offsets into each file; see kg.extract.flat)
and prints
per-type and micro P/R/F1 over (type, start, end). The corpus is read in place, never copied.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.extract import flat  # noqa: E402
from kg.pipeline import run  # noqa: E402

MAP = {"Person": "PER", "Region": "LOC", "Organization": "ORG"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(Path(__file__).resolve().parent.parent.parent / "shared/benchmarks/pd1998"))
    ap.add_argument("--limit", type=int, default=0, help="first N articles only")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    data = Path(args.data)
    gold_lines = (data / "entities.jsonl").read_text(encoding="utf-8").splitlines()
    if args.limit:
        gold_lines = gold_lines[: args.limit]
    gold = {}
    for ln in gold_lines:
        rec = json.loads(ln)
        gold[rec["doc"]] = {(e["type"], e["start"], e["end"]) for e in rec["entities"]}
    files = [str(data / "articles" / d) for d in gold]
    t0 = time.perf_counter()
    _, extractions = run(files)
    secs = time.perf_counter() - t0
    pred: dict[str, set] = {d: set() for d in gold}
    by_doc: dict[str, list] = {}
    for ex in extractions:
        by_doc.setdefault(ex.article.doc, []).extend(ex.mentions)
    for doc, ms in by_doc.items():
        for m in flat(ms):
            if m.type in MAP:
                pred[doc].add((MAP[m.type], m.start, m.end))
    rows = {}
    for typ in ("PER", "LOC", "ORG", "micro"):
        tp = npred = ngold = 0
        for d in gold:
            g = {x for x in gold[d] if typ == "micro" or x[0] == typ}
            p = {x for x in pred[d] if typ == "micro" or x[0] == typ}
            tp += len(g & p)
            npred += len(p)
            ngold += len(g)
        pr = tp / npred if npred else 0.0
        rc = tp / ngold if ngold else 0.0
        f1 = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
        rows[typ] = {"gold": ngold, "pred": npred, "tp": tp, "p": round(pr, 4), "r": round(rc, 4), "f1": round(f1, 4)}
    chars = sum(len(Path(f).read_text(encoding="utf-8")) for f in files)
    if args.json:
        print(json.dumps({"articles": len(files), "seconds": round(secs, 1), "scores": rows}, indent=2))
        return
    print(f"{len(files)} articles, {chars} characters, {secs:.1f} s ({chars / secs:,.0f} chars/s, kg pipeline to graph)")
    print("| type | gold | pred | P | R | F1 |\n|---|---|---|---|---|---|")
    for typ, r in rows.items():
        print(f"| {typ} | {r['gold']} | {r['pred']} | {r['p']:.3f} | {r['r']:.3f} | {r['f1']:.3f} |")


if __name__ == "__main__":
    main()
