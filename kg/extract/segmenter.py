"""Which segmenter cuts the words: named apart from kg.extract.tokens, which loads jieba's tag table
(0.16 s) at import, so that a build's main process can fingerprint the extractor without loading it."""
from __future__ import annotations

import functools


@functools.cache
def segmenter_name() -> str:
    """Which segmenter cuts the words, found without importing it (rjieba builds its dictionary at
    import: 0.15 s a process, paid only by the processes that tokenize)."""
    from importlib.util import find_spec

    if find_spec("rjieba") is not None:
        found = installed_version("rjieba")
        if found:
            return "rjieba " + found
    return "jieba " + installed_version("jieba")  # pragma: no cover - rjieba is a dependency


@functools.cache
def installed_version(name: str) -> str:
    """The version of the installed distribution ``name`` ('' if none): read off the name of its ``.dist-info``
    folder beside the package, as pip installs it, else by ``importlib.metadata``. That module's import and
    lookups take ~15 ms, on the critical path of every build's main process (the extractor's fingerprint)."""
    import os
    from importlib.util import find_spec

    spec = find_spec(name)
    if spec is not None and spec.origin and spec.submodule_search_locations:
        site = os.path.dirname(os.path.dirname(spec.origin))
        try:
            found = [e.name[len(name) + 1 : -len(".dist-info")] for e in os.scandir(site)
                     if e.name.startswith(name + "-") and e.name.endswith(".dist-info")]
        except OSError:
            found = []
        if len(found) == 1 and "-" not in found[0]:  # (name-version.dist-info: a version holds no "-")
            return found[0]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return ""
