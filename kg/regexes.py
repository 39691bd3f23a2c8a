"""Regular expressions compiled once per machine, not once per process.

CPython compiles a pattern in Python code (``re._parser``, ``re._compiler``), and a character class over the CJK
block walks its 20,992 code points one at a time: kg's patterns took ~9 ms of every build's main process before it
found a file (a re-build's whole path is ~0.5 s) and ~30 ms of each extraction worker's start. ``compiled`` keeps each
pattern's program (the list of codes the regex engine runs) in one file of the user's cache directory, keyed by the
pattern and its flags, in a file named for the engine (the interpreter's version, ``_sre.MAGIC`` and code size), and
hands it to the engine as it is in later processes (``_sre.compile``, which checks every program it is given, as
``re.compile`` does in the end). Anything else (another interpreter, no such file, a damaged one, a program the engine
refuses) compiles as ``re.compile`` does. A process adds the programs it compiled to the file (``save``: at points of
a build where its patterns are all made); a file that cannot be written leaves each process compiling its own.
"""
from __future__ import annotations

import marshal
import os
import re
import sys
import threading
import zlib
from array import array

try:  # (CPython 3.11+; elsewhere, or on any other layout, every pattern is compiled by re.compile)
    import _sre
    from re import _compiler, _parser

    _ENGINE = f"{sys.implementation.cache_tag}.{sys.version_info[2]}-{_sre.MAGIC}-{_sre.CODESIZE}"
    _CODE = next(t for t in "IL" if array(t).itemsize == _sre.CODESIZE)
except (ImportError, AttributeError, StopIteration):  # pragma: no cover - not CPython 3.11+
    _ENGINE = None

FILE_MAGIC = b"kg regex programs 1\n"
MAX_PROGRAMS = 4000  # a file grown past this (patterns made from data that changed, say) starts again


def default_path() -> str | None:
    """The programs' file: ``$XDG_CACHE_HOME/policy-kg`` (else ``~/.cache/policy-kg``), named for the engine."""
    if _ENGINE is None:
        return None
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(root, "policy-kg", f"regex-{_ENGINE}.marshal")


class ProgramCache:
    """Compiled programs by (pattern, flags), read from ``path`` when first wanted; those compiled since, to ``save``."""

    def __init__(self, path: str | None):
        self.path = path
        self._known: dict | None = None
        self.fresh: dict[tuple[str, int], tuple] = {}
        self.hits = 0
        self._lock = threading.Lock()

    def compile(self, pattern: str, flags: int = 0) -> re.Pattern:
        """``re.compile(pattern, flags)``, its program taken from the file where it holds it."""
        if self.path is None or not isinstance(pattern, str):
            return re.compile(pattern, flags)
        key = (pattern, int(flags))
        got = self.known().get(key) or self.fresh.get(key)
        if got is not None:
            try:
                made = _sre.compile(pattern, got[0], array(_CODE, got[1]).tolist(), *got[2:])
                self.hits += 1
                return made
            except Exception:  # (a program the engine refuses, or not a program: compiled anew, and kept)
                self.known().pop(key, None)
        try:
            p = _parser.parse(pattern, key[1])
            code = _compiler._code(p, key[1])
            groupindex = dict(p.state.groupdict)
            indexgroup = [None] * p.state.groups
            for name, i in groupindex.items():
                indexgroup[i] = name
            program = (int(key[1] | p.state.flags), array(_CODE, code).tobytes(), p.state.groups - 1, groupindex,
                       tuple(indexgroup))
            made = _sre.compile(pattern, program[0], code, *program[2:])
        except Exception:  # (a layout of re other than 3.11's: as re compiles it)
            return re.compile(pattern, flags)
        self.fresh[key] = program
        return made

    def known(self) -> dict:
        """The programs the file holds (none where it is missing, damaged or of another layout)."""
        if self._known is None:
            self._known = _read(self.path)
        return self._known

    def save(self) -> None:
        """Add the programs compiled since to the file (with those another process added meanwhile), written to a
        temporary file and renamed in. Never raises: the cache only saves time."""
        with self._lock:
            if not self.fresh or self.path is None:
                return
            fresh, self.fresh = self.fresh, {}
            tmp = f"{self.path}.{os.getpid()}.{threading.get_ident()}.tmp"
            try:
                table = _read(self.path)
                if len(table) + len(fresh) > MAX_PROGRAMS:
                    table = {}
                table.update(fresh)
                data = marshal.dumps(table)
                folder = os.path.dirname(self.path)
                os.makedirs(folder, exist_ok=True)
                with open(tmp, "wb") as fh:
                    fh.write(FILE_MAGIC + zlib.crc32(data).to_bytes(4, "little") + data)
                os.replace(tmp, self.path)
                self.known().update(fresh)
            except (OSError, ValueError):
                try:
                    os.unlink(tmp)
                except OSError:
                    pass


def _read(path: str | None) -> dict:
    """The programs the file at ``path`` holds; none where it is missing, damaged, of another layout, or could be
    another user's (not this user's, or writable by anyone: marshal reads only data it can trust, as Python reads
    its own bytecode caches)."""
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if st.st_mode & 0o002 or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
                return {}
            data = fh.read()
    except (OSError, TypeError):
        return {}
    head = len(FILE_MAGIC)
    if data[:head] != FILE_MAGIC or int.from_bytes(data[head : head + 4], "little") != zlib.crc32(data[head + 4 :]):
        return {}
    try:
        table = marshal.loads(data[head + 4 :])
    except (ValueError, EOFError, TypeError):
        return {}
    return table if isinstance(table, dict) else {}


_CACHE: ProgramCache | None = None


def programs() -> ProgramCache:
    """This process's cache (``default_path``)."""
    global _CACHE
    if _CACHE is None:
        _CACHE = ProgramCache(default_path())
    return _CACHE


def compiled(pattern: str, flags: int = 0) -> re.Pattern:
    """``re.compile(pattern, flags)``, through this process's cache (``programs``)."""
    return programs().compile(pattern, flags)


def save() -> None:
    """Add this process's programs compiled since to the file."""
    if _CACHE is not None:
        _CACHE.save()
