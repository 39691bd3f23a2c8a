"""The graph as GraphML for networkx and Gephi users: scalar attributes only, lists joined by '|'."""
from __future__ import annotations


def to_graphml(kg) -> bytes:
    import networkx as nx  # only for this format: the build itself does not need networkx

    g = nx.MultiDiGraph()
    for n, d in kg.nodes.items():
        g.add_node(n, type=d["type"], label=d["name"], aliases="|".join(d["aliases"]), code=d["code"] or "",
                   articles="|".join(d["articles"]), mentions=len(d["mentions"]))
    for s, o, k, d in kg.edges:
        g.add_edge(s, o, key=k, kind=d["kind"], title=d["title"] or "", articles="|".join(d["articles"]),
                   inferred=bool(d["inferred"]))
    return "\n".join(nx.generate_graphml(g)).encode("utf-8") + b"\n"
