"""Stage 3, extract: one article → typed mentions with offsets, and the facts they state.

Extractors run in a fixed order because each reads what the earlier ones found:
regions → organizations → persons and posts → projects and initiatives → relations.

The rules live in the submodules and load jieba's tables and rjieba's dictionary (~0.4 s), so this
package imports them only when ``extract`` or ``flat`` is first used: a build's main process, which
hands extraction to worker processes, never pays for them.
"""
from __future__ import annotations

from .context import Context, infer_province

__all__ = ["Context", "extract", "flat", "infer_province"]

EXTRACTOR_VERSION = "2"  # 2: read across soft breaks


def __getattr__(name: str):
    if name in ("extract", "flat"):
        from . import article

        return getattr(article, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
