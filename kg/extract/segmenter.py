"""Which segmenter cuts the words: named apart from kg.extract.tokens, which loads jieba's tag table
(0.16 s) at import, so that a build's main process can fingerprint the extractor without loading it."""
from __future__ import annotations

import functools


@functools.cache
def segmenter_name() -> str:
    """Which segmenter cuts the words, found without importing it (rjieba builds its dictionary at
    import: 0.15 s a process, paid only by the processes that tokenize)."""
    from importlib.metadata import PackageNotFoundError, version
    from importlib.util import find_spec

    if find_spec("rjieba") is not None:
        try:
            return "rjieba " + version("rjieba")
        except PackageNotFoundError:  # pragma: no cover - importable but not installed as a package
            pass
    return "jieba " + version("jieba")  # pragma: no cover - rjieba is a dependency
