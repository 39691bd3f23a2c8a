"""The build cache, OUTPUT/.kg-cache.sqlite: one SQLite file whose tables hold what a re-build can reuse
(pages read, extractions, page keys, layouts), each keyed by what it was made from; and beside it, records a
build replaces whole (``SideRecord``: where graph.ttl's parts lie, and their keys)."""
from __future__ import annotations

import marshal
import os
import sqlite3
from pathlib import Path

from .errors import KgError


MAP_BYTES = 1 << 30  # (address space, not memory: the file's pages a build reads are mapped, up to this much)


def open_cache(path: Path, table: str) -> sqlite3.Connection:
    """The build cache's SQLite file with ``table`` (its name and columns) in it; one Error line if the
    file cannot serve (not a database, not writable). Two processes of one build may write to it (the
    RDF writer beside the page writer): each waits up to a minute for the other's transaction.
    Written without waiting for the disk (``synchronous=OFF``): a cache need not outlive a power cut that
    the outputs it describes (renamed into place, not synced) would not outlive either, and each transaction's
    syncs cost 1-25 ms here, the last (the pages' keys, after the commit) ~25 ms of every PD1998 re-build. A
    build killed half way leaves it whole (SQLite's journal is still written); an operating system that
    crashes mid-write may leave it unreadable, which the next build reports (the way out: --no-cache, or
    delete the file). Read through a memory map (``mmap_size``): a re-build reads ~17 MB of it (the pages' rows, the
    kept entities'), each of its 4 KB pages otherwise copied by a system call of its own (PD1998's re-build: the
    pages' rows 15-21 -> 11-14 ms, the kept entities' 10-14 -> 6-8 ms)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=60)
        db.execute("PRAGMA synchronous=OFF")
        db.execute(f"PRAGMA mmap_size={MAP_BYTES}")
        db.execute(f"CREATE TABLE IF NOT EXISTS {table}")
    except (OSError, sqlite3.Error) as exc:
        raise KgError(f"{path}: cannot use as build cache ({exc}); use --no-cache") from None
    return db


def forget_tables(path: Path, *tables: str) -> None:
    """Drop ``tables`` from the build cache where an earlier version of kg made them (graph.ttl's record, kept in
    table turtle until session 33: 7 MB over PD1998), so that the file does not keep what no build reads."""
    try:
        db = sqlite3.connect(path, timeout=60)
        try:
            names = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            for table in set(tables) & names:
                with db:
                    db.execute(f"DROP TABLE {table}")
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise KgError(f"{path}: cannot use as build cache ({exc}); use --no-cache") from None


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


class SideRecord:
    """Rows a build replaces whole, too large to rewrite in the SQLite file at every build: graph.ttl's index and
    its parts' keys, 7 MB over PD1998, took 25-30 ms to write there (the old pages copied to the journal, then the
    new ones written) and 9 ms to read; as one file beside it (its name and ``-NAME``: .kg-cache.sqlite-turtle),
    2 ms each. The file is its rows one after the other, after a head naming each with its length, written to a
    temporary file and renamed in (so a build killed half way leaves the previous record); a file that does not
    read back holds no row. Read, the rows are views of the file mapped, not copies: a record marshalled whole, of
    rows each marshalled, was copied twice over before a row was loaded, and made once more to be written (PD1998:
    ~15 k page faults and 25-40 ms of each re-build's RDF writer)."""

    MAGIC = b"kg rows\n"

    def __init__(self, cache: Path, name: str):
        self.path = Path(f"{cache}-{name}")

    def read(self) -> dict[str, memoryview]:
        """Each row, as a view of the file mapped (valid while a view of it lives; the file may be replaced
        meanwhile). No row where the file is missing, damaged or of another layout."""
        import mmap

        try:
            with open(self.path, "rb") as fh:
                data = memoryview(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ))
        except (OSError, ValueError):  # (no file; an empty one)
            return {}
        magic = len(self.MAGIC)
        try:
            if data[:magic] != self.MAGIC:
                return {}
            size = int.from_bytes(data[magic : magic + 8], "little")
            head = marshal.loads(data[magic + 8 : magic + 8 + size])
            at = magic + 8 + size
            rows = {}
            for name, length in head:
                if not isinstance(name, str) or type(length) is not int or length < 0:
                    return {}
                rows[name] = data[at : at + length]
                at += length
        except (ValueError, EOFError, TypeError):
            return {}
        return rows if at == len(data) else {}

    def replace(self, rows: dict[str, bytes]) -> None:
        """Make the record ``rows`` (none: remove it), each row (bytes, or a view of them) written as it is. A file
        system error is one KgError line, as the build cache's are."""
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            if not rows:
                self.path.unlink(missing_ok=True)
                return
            head = marshal.dumps([(name, len(row)) for name, row in rows.items()])
            with open(tmp, "wb") as fh:
                fh.write(self.MAGIC + len(head).to_bytes(8, "little") + head)
                for row in rows.values():
                    fh.write(row)
            # removed, then renamed: ext4 writes a file renamed over another to disk at once (``auto_da_alloc``,
            # which keeps it whole through a crash): 6 ms for PD1998's 7.5 MB, on the RDF writer's path. A cache
            # record lost in a crash, or missing a moment, is none: the next build makes what it would copy
            self.path.unlink(missing_ok=True)
            os.rename(tmp, self.path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise KgError(f"{self.path}: cannot write the build cache ({exc.strerror}); use --no-cache") from None
