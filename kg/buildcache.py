"""The build cache, OUTPUT/.kg-cache.sqlite: one SQLite file whose tables hold what a re-build can reuse
(pages read, extractions, where graph.ttl's parts lie, page keys, layouts), each keyed by what it was made from."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from .errors import KgError


def open_cache(path: Path, table: str) -> sqlite3.Connection:
    """The build cache's SQLite file with ``table`` (its name and columns) in it; one Error line if the
    file cannot serve (not a database, not writable). Two processes of one build may write to it (the
    RDF writer beside the page writer): each waits up to a minute for the other's transaction.
    Written without waiting for the disk (``synchronous=OFF``): a cache need not outlive a power cut that
    the outputs it describes (renamed into place, not synced) would not outlive either, and each transaction's
    syncs cost 1-25 ms here, the last (the pages' keys, after the commit) ~25 ms of every PD1998 re-build. A
    build killed half way leaves it whole (SQLite's journal is still written); an operating system that
    crashes mid-write may leave it unreadable, which the next build reports (the way out: --no-cache, or
    delete the file)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=60)
        db.execute("PRAGMA synchronous=OFF")
        db.execute(f"CREATE TABLE IF NOT EXISTS {table}")
    except (OSError, sqlite3.Error) as exc:
        raise KgError(f"{path}: cannot use as build cache ({exc}); use --no-cache") from None
    return db


class Memo:
    """A table of values keyed by a hash of everything that made them: a build looks its keys up, adds
    what it made, and may keep only the rows it used (so the table holds one build's worth)."""

    def __init__(self, path: Path, table: str):
        self.path, self.table = Path(path), table
        self.db = open_cache(self.path, f"{table} (key TEXT PRIMARY KEY, value BLOB)")

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        try:
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                q = f"SELECT key, value FROM {self.table} WHERE key IN ({','.join('?' * len(chunk))})"
                out.update(self.db.execute(q, chunk).fetchall())
        except sqlite3.Error as exc:
            raise KgError(f"{self.path}: cannot use as build cache ({exc}); use --no-cache") from None
        return out

    def get_all(self) -> dict[str, bytes]:
        try:
            return dict(self.db.execute(f"SELECT key, value FROM {self.table}"))
        except sqlite3.Error as exc:
            raise KgError(f"{self.path}: cannot use as build cache ({exc}); use --no-cache") from None

    def update(self, fresh: dict[str, bytes], used: set[str] | None) -> None:
        """Store ``fresh`` and forget every row whose key is not in ``used`` (None: forget nothing)."""
        try:
            with self.db:
                if used is not None:
                    stale = [(k,) for (k,) in self.db.execute(f"SELECT key FROM {self.table}") if k not in used]
                    self.db.executemany(f"DELETE FROM {self.table} WHERE key = ?", stale)
                self.db.executemany(f"INSERT OR REPLACE INTO {self.table} (key, value) VALUES (?, ?)", fresh.items())
        except sqlite3.Error as exc:
            raise KgError(f"{self.path}: cannot write the build cache ({exc}); use --no-cache") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Memo":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
