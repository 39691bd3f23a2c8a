"""policy-kg: a knowledge graph of officials, organisations, regions, projects and initiatives
read from Chinese government news.

    >>> import kg
    >>> graph = kg.build(["seeds/"])
    >>> graph.to_rdf()        # rdflib.Graph
    >>> graph.to_networkx()   # networkx.MultiDiGraph
"""
from __future__ import annotations

__version__ = "0.1.0"


def build(paths, province: str | None = None, base: str = ""):
    """Read, extract and resolve the articles under ``paths`` into a KnowledgeGraph."""
    from .pipeline import run
    from .runtime import paused_gc

    if isinstance(paths, str):
        paths = [paths]
    with paused_gc():
        graph, _ = run([str(p) for p in paths], province=province, base=base)
    return graph
