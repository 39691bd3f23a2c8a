"""Stage 1, read: input paths → Source records holding each file's exact decoded text.

A file named on the command line must be readable text, or the build stops with its name. Inside
a directory (a scraped corpus), a file that is empty, binary or undecodable is skipped with a note
in the report, so one bad page does not cost a year of newspapers. Each file is read once, so a
file changed during the build is seen as it was at that moment.
"""
from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .records import Source
from .regexes import compiled

DEFAULT_MAX_MB = 50  # one newspaper page is ~20 KB; refuse what is surely not an article
CONTROLS = compiled(r"[\x00-\x08\x0b\x0e-\x1f]")  # control characters but tab, line feed, form feed, return
REPLACE_LIMIT = 0.01  # at most 1 % undecodable bytes are replaced with U+FFFD; more is not text


def text_hash(text: str) -> str:
    """A hash of a page's text: keys its articles' HTML pages (the build cache keeps it with the page)."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Reading:
    """What was read, and what was skipped or repaired on the way (for the report)."""

    sources: list[Source] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    notes: list[str] = field(default_factory=list)
    replaced: dict[str, int] = field(default_factory=dict)  # path → undecodable bytes replaced, where any


def find_files(inputs: list[str]) -> list[tuple[Path | str, str, bool, os.stat_result]]:
    """(path, document name, named directly, status) for every .txt file under the inputs.

    The document name is the path relative to the directory given (``2024/01/a.txt``), or the file
    name for a file given directly; names are unique, so two ``a.txt`` never merge."""
    if not inputs:
        raise InputError("no input given")
    found: list[tuple[Path | str, str, bool, os.stat_result]] = []
    for raw in inputs:
        p = Path(raw)
        if not p.exists():
            kind = "broken or looping symlink" if p.is_symlink() else "no such file or directory"
            raise InputError(f"{raw}: {kind}")
        if p.is_file():
            found.append((p, p.name, True, os.stat(p)))
            continue
        before = len(found)
        found += _text_files(str(p))
        if len(found) == before:
            raise InputError(f"{raw}: no .txt files in this directory")
    seen_files: set[tuple[int, int]] = set()
    names: dict[str, int] = {}
    out = []
    for path, name, direct, st in found:
        if (st.st_dev, st.st_ino) in seen_files:  # the same file by another path or link: read once
            continue
        seen_files.add((st.st_dev, st.st_ino))
        if name in names:  # the same relative name from two inputs: keep both, numbered
            names[name] += 1
            stem, dot, ext = name.rpartition(".")
            name = f"{stem}~{names[name]}{dot}{ext}"
        names.setdefault(name, 1)
        out.append((path, name, direct, st))
    return out


def _text_files(top: str) -> list[tuple[str, str, bool, os.stat_result]]:
    """(path, document name, False, status) of each regular ``.txt`` file under the folder ``top``, as ``os.walk``
    finds them top down (a folder's files by name, then its sub-folders by name, those whose names start with a dot
    left out; links to folders not followed, so link loops cannot recurse forever; a folder that cannot be listed
    skipped). Paths are joined as strings from the normalised top, which gives what Path(root) / fn gives, at a
    tenth of the cost (pathlib: ~0.05 s for 3,000 files, paid by every build and re-build). What is a folder is
    read off each entry's type, not its target: ``os.walk`` stats every link it meets to sort it (a corpus of links,
    as the benchmarks make: 3,148 calls, ~10 ms of a PD1998 re-build), where only a ``.txt`` link is wanted, and
    its one status (``_regular``) says whether it is a file."""
    out: list[tuple[str, str, bool, os.stat_result]] = []
    todo = [(top, "")]  # (folder, its document names' prefix), the next to list last
    while todo:
        root, rel = todo.pop()
        try:
            with os.scandir(root) as listing:
                entries = list(listing)
        except OSError:
            continue
        files, folders = [], []
        for entry in entries:
            try:
                folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                folder = False
            (folders if folder else files).append(entry.name)
        for fn in sorted(files):
            if fn.lower().endswith(".txt") and not fn.startswith("."):
                fp = os.path.join(root, fn)
                st = _regular(fp)  # None for broken and looping links, and links to folders
                if st is not None:
                    out.append((fp, rel + fn, False, st))
        todo += [(os.path.join(root, d), f"{rel}{d}/") for d in sorted(folders, reverse=True) if not d.startswith(".")]
    return out


def _regular(path: str) -> os.stat_result | None:
    """The file's status if it is a regular file (links followed: one call, where Path.is_file and
    os.path.realpath made one per component), else None (broken or looping links too)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st if stat.S_ISREG(st.st_mode) else None


def decode(data: bytes, path: str) -> tuple[str, str, int]:
    """(text, encoding, replaced bytes): UTF-8 (BOM or not), else GB18030, else UTF-8 with the few
    undecodable bytes (scraper debris, lone surrogates) replaced by U+FFFD. Refuses binary data."""
    if not data.strip():
        raise InputError(f"{path}: file is empty")
    if b"\x00" in data[:65536]:
        raise InputError(f"{path}: looks like a binary file (NUL bytes), not UTF-8 or GB18030 text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    replaced = 0
    try:
        text, enc = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, enc = data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            text = data.decode("utf-8", errors="replace")
            replaced = text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
            if replaced > max(4, len(data) * REPLACE_LIMIT):
                raise InputError(f"{path}: not valid UTF-8 or GB18030 text ({replaced} undecodable bytes)") from None
            enc = "utf-8"
    controls = len(CONTROLS.findall(text, 0, 65536))
    if controls > max(8, min(len(text), 65536) // 100):
        raise InputError(f"{path}: looks like a binary file (control characters), not text")
    return text, enc, replaced


def read_file(path: Path, name: str, max_mb: float = DEFAULT_MAX_MB) -> tuple[Source, int]:
    limit = int(max_mb * 1024 * 1024)
    try:
        with open(path, "rb") as fh:  # one open, one read: the text every offset points into
            size = os.fstat(fh.fileno()).st_size
            if size > limit:
                raise InputError(
                    f"{path}: {size / 1024 / 1024:.0f} MB is over the {max_mb:g} MB limit for one article file; "
                    "split it into articles, or raise the limit with --max-mb"
                )
            data = fh.read(limit + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if len(data) > limit:  # grew while we looked
        raise InputError(f"{path}: over the {max_mb:g} MB limit for one article file; raise it with --max-mb")
    text, enc, replaced = decode(data, str(path))
    return Source(path=str(path), name=name, text=text, encoding=enc), replaced


def read_all(inputs: list[str], max_mb: float = DEFAULT_MAX_MB, known=None, found=None) -> Reading:
    """Read every input file. A bad file named directly stops the build (InputError naming it); a bad
    file found in a directory is skipped and listed. No readable file at all is an error.
    ``known(path, name, status, limit)``: (Source, bytes replaced) of a file read before and unchanged,
    else None (``kg.runner.ReadCache.lookup``). ``found``: ``find_files(inputs)``, where the caller has it."""
    reading = Reading()
    limit = int(max_mb * 1024 * 1024)
    for path, name, direct, st in find_files(inputs) if found is None else found:
        try:
            got = known(path, name, st, limit) if known is not None else None
            source, replaced = got if got is not None else read_file(path, name, max_mb)
        except InputError as exc:
            if direct or "limit" in str(exc):
                raise
            reading.skipped.append((str(path), str(exc).split(": ", 1)[-1]))
            continue
        if replaced:
            reading.replaced[source.path] = replaced
            reading.notes.append(f"{path}: {replaced} undecodable byte(s) replaced with U+FFFD")
        reading.sources.append(source)
    if not reading.sources:
        raise InputError("no readable article: every file was skipped ("
                         + "; ".join(f"{p}: {r}" for p, r in reading.skipped[:3]) + ")")
    return reading


def read(inputs: list[str], max_mb: float = DEFAULT_MAX_MB) -> list[Source]:
    """The readable sources under ``inputs`` (see ``read_all`` for what is skipped)."""
    return read_all(inputs, max_mb).sources
