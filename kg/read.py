"""Stage 1, read: input paths → Source records holding each file's exact decoded text."""
from __future__ import annotations

import os
from pathlib import Path

from .errors import InputError
from .records import Source

MAX_BYTES = 50 * 1024 * 1024  # one newspaper page is ~20 KB; refuse what is surely not an article


def find_files(inputs: list[str]) -> list[Path]:
    """Every .txt file under the inputs (a file named directly is taken whatever its suffix)."""
    if not inputs:
        raise InputError("no input given")
    found: list[Path] = []
    for raw in inputs:
        p = Path(raw)
        if not p.exists():
            raise InputError(f"{raw}: no such file or directory")
        if p.is_file():
            found.append(p)
            continue
        before = len(found)
        # os.walk does not follow symlinked directories, so link loops cannot recurse forever.
        for root, dirs, files in os.walk(p):
            dirs.sort()
            for fn in sorted(files):
                if fn.lower().endswith(".txt") and not fn.startswith("."):
                    fp = Path(root) / fn
                    if fp.is_file():
                        found.append(fp)
        if len(found) == before:
            raise InputError(f"{raw}: no .txt files in this directory")
    unique = list(dict.fromkeys(found))
    return unique


def decode(data: bytes, path: str) -> tuple[str, str]:
    """Decode UTF-8 (BOM or not), falling back to GB18030; refuse binary data."""
    if not data.strip():
        raise InputError(f"{path}: file is empty")
    if b"\x00" in data[:65536]:
        raise InputError(f"{path}: looks like a binary file (NUL bytes), not UTF-8 or GB18030 text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text, enc = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, enc = data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            raise InputError(f"{path}: not valid UTF-8 or GB18030 text") from None
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(8, len(text[:65536]) // 100):
        raise InputError(f"{path}: looks like a binary file (control characters), not text")
    return text, enc


def read_file(path: Path) -> Source:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(
                f"{path}: {size // (1024 * 1024)} MB is over the {MAX_BYTES // (1024 * 1024)} MB limit for "
                "one article file; split it, or raise kg.read.MAX_BYTES"
            )
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    text, enc = decode(data, str(path))
    return Source(path=str(path), name=path.name, text=text, encoding=enc)


def read(inputs: list[str]) -> list[Source]:
    """Read every input file; raises InputError naming the first bad one."""
    return [read_file(p) for p in find_files(inputs)]
