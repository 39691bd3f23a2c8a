"""kg eval: score a built graph against gold files (format of shared/gold, rules of the contract).

The graph is queried only through the contract's SPARQL (shipped in kg/data/contract), over the
Turtle merged with ontology/*.ttl, so what is scored is what any SPARQL user would see.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from .errors import GoldError
from .records import ENTITY_TYPES
from .store import load_store

RELATIONS = {"positions": ("person", "org", "title"), "located_in": ("entity", "region"),
             "part_of": ("region", "parent"), "promoted_by": ("initiative", "agent")}
QUERY_OF = {"positions": "positions.rq", "located_in": "located_in.rq", "part_of": "part_of.rq",
            "promoted_by": "promoted_by.rq"}
QUOTES = "“”‘’\"'「」『』《》〈〉"


def norm(name: str) -> str:
    """Compare names without quotation marks or spaces, full-width forms folded."""
    s = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in s if ch not in QUOTES and not ch.isspace())


def contract_query(name: str) -> str:
    return (resources.files("kg") / "data" / "contract" / name).read_text(encoding="utf-8")


@dataclass
class Gold:
    entities: dict[str, dict]  # canonical name -> {"type", "names": set}
    relations: dict[str, set[tuple]]


def load_gold(path: str) -> Gold:
    p = Path(path)
    files = sorted(p.glob("*.json")) if p.is_dir() else [p]
    if not p.exists():
        raise GoldError(f"{path}: no such gold file or directory")
    if not files:
        raise GoldError(f"{path}: no .json gold files")
    ents: dict[str, dict] = {}
    rels: dict[str, set[tuple]] = {k: set() for k in RELATIONS}
    for f in files:
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise GoldError(f"{f}: cannot read ({exc})") from None
        except json.JSONDecodeError as exc:
            raise GoldError(f"{f}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
        if not isinstance(data, dict) or not isinstance(data.get("entities"), list):
            raise GoldError(f"{f}: expected an object with an 'entities' list")
        local = set()
        for i, e in enumerate(data["entities"]):
            where = f"{f}: entities[{i}]"
            if not isinstance(e, dict) or not isinstance(e.get("name"), str) or not e["name"].strip():
                raise GoldError(f"{where}: needs a non-empty string 'name'")
            if e.get("type") not in ENTITY_TYPES:
                raise GoldError(f"{where} ({e['name']}): unknown type {e.get('type')!r}; expected one of {', '.join(ENTITY_TYPES)}")
            aliases = e.get("aliases", [])
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise GoldError(f"{where} ({e['name']}): 'aliases' must be a list of strings")
            ent = ents.setdefault(e["name"], {"type": e["type"], "names": set()})
            ent["names"].update(norm(x) for x in [e["name"], *aliases])
            local.add(e["name"])
        for kind, fields in RELATIONS.items():
            items = data.get(kind, [])
            if not isinstance(items, list):
                raise GoldError(f"{f}: '{kind}' must be a list")
            for i, r in enumerate(items):
                where = f"{f}: {kind}[{i}]"
                if not isinstance(r, dict) or any(not isinstance(r.get(k), str) for k in fields):
                    raise GoldError(f"{where}: needs string fields {', '.join(fields)}")
                for k in fields:
                    if k != "title" and r[k] not in local and r[k] not in ents:
                        raise GoldError(f"{where}: {k} {r[k]!r} names no entity in the file")
                rels[kind].add(tuple(r[k] for k in fields))
    return Gold(ents, rels)


def _value(term) -> str:
    return term.value if term is not None else ""


def graph_entities(store: ox.Store) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for row in store.query(contract_query("entities.rq"), use_default_graph_as_union=True):
        iri, typ, name = _value(row["entity"]), _value(row["type"]), _value(row["name"])
        e = out.setdefault(iri, {"types": set(), "names": set()})
        e["types"].add(typ.rsplit("#", 1)[-1])
        e["names"].add(norm(name))
    return out


def _match(graph: dict[str, dict], gold: dict[str, dict], typ: str | None, typed: bool) -> dict[str, str]:
    """One-to-one matching of graph entities to gold entities sharing a name (maximum bipartite).

    Nodes are integers in sorted name order, so the matching, and every score built on it, is the
    same in every run (string hashes, and so set order, change with PYTHONHASHSEED).
    """
    g = nx.Graph()
    index: dict[str, list[str]] = {}
    gold_names = sorted(n for n, ge in gold.items() if not typ or ge["type"] == typ)
    gold_id = {n: i for i, n in enumerate(gold_names)}
    for gname in gold_names:
        for n in gold[gname]["names"]:
            index.setdefault(n, []).append(gname)
    iris = sorted(iri for iri, e in graph.items() if not typ or typ in e["types"])
    offset = len(gold_names)
    for k, iri in enumerate(iris):
        e = graph[iri]
        # an exact canonical-name match is preferred by trying it first
        for n in sorted(e["names"]):
            for gname in index.get(n, []):
                if not typed or gold[gname]["type"] in e["types"]:
                    g.add_edge(offset + k, gold_id[gname])
    if g.number_of_edges() == 0:
        return {}
    top = [n for n in g if n >= offset]
    m = nx.bipartite.hopcroft_karp_matching(g, top_nodes=top)
    return {iris[k - offset]: gold_names[v] for k, v in m.items() if k >= offset}


def prf(tp: int, npred: int, ngold: int) -> dict:
    p = tp / npred if npred else 0.0
    r = tp / ngold if ngold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "pred": npred, "gold": ngold, "p": round(p, 4), "r": round(r, 4), "f1": round(f, 4)}


def evaluate(graph_path: str, gold_path: str, ontology_dir: str | None = None) -> dict[str, dict]:
    gold = load_gold(gold_path)
    store = load_store(graph_path, ontology_dir)
    ents = graph_entities(store)
    scores: dict[str, dict] = {}
    untyped = _match(ents, gold.entities, None, typed=False)
    scores["entities"] = prf(len(untyped), len(ents), len(gold.entities))
    typed = _match(ents, gold.entities, None, typed=True)
    scores["entities (typed)"] = prf(len(typed), len(ents), len(gold.entities))
    for t in ENTITY_TYPES:
        m = _match(ents, gold.entities, t, typed=True)
        npred = sum(1 for e in ents.values() if t in e["types"])
        ngold = sum(1 for g in gold.entities.values() if g["type"] == t)
        scores[f"  {t}"] = prf(len(m), npred, ngold)
    for kind, qname in QUERY_OF.items():
        pred = set()
        res = store.query(contract_query(qname), use_default_graph_as_union=True)
        names = [v.value for v in res.variables]
        for row in res:
            pred.add(tuple(_value(row[n]) for n in names))
        mapped = set()
        for tup in pred:
            ends = [untyped.get(x, "\0" + x) for x in tup[:2]]
            rest = tuple(norm(x) for x in tup[2:])
            mapped.add(tuple(ends) + rest)
        goldset = {tuple(t[:2]) + tuple(norm(x) for x in t[2:]) for t in gold.relations[kind]}
        scores[kind] = prf(len(mapped & goldset), len(mapped), len(goldset))
    return scores


def format_table(scores: dict[str, dict]) -> str:
    lines = [f"{'':20} {'gold':>5} {'pred':>5} {'tp':>5} {'P':>6} {'R':>6} {'F1':>6}"]
    for k, s in scores.items():
        lines.append(f"{k:20} {s['gold']:5d} {s['pred']:5d} {s['tp']:5d} {s['p']:6.3f} {s['r']:6.3f} {s['f1']:6.3f}")
    return "\n".join(lines)
