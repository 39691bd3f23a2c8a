"""The compiled patterns' cache (``kg.regexes``): a program read back from the file behaves as the pattern compiled
anew, every process of every build makes the same patterns, and a file that is damaged, refused or not writable
costs only the time the cache would have saved."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import zlib

import pytest

from conftest import ROOT, SEEDS

from kg import regexes


def _env(cache_home, **extra) -> dict:
    return dict(os.environ, XDG_CACHE_HOME=str(cache_home), PYTHONPATH=str(ROOT), **extra)


def _file(cache_home) -> str:
    return os.path.join(cache_home, "policy-kg", os.path.basename(regexes.default_path()))


def _behaviour(pattern: re.Pattern, texts: list[str]) -> list:
    return [(pattern.pattern, pattern.flags, pattern.groups, dict(pattern.groupindex))] + [
        (m.span(), m.groups()) for text in texts for m in pattern.finditer(text)]


pytestmark = pytest.mark.skipif(regexes.default_path() is None, reason="no program cache on this interpreter")


def test_a_build_keeps_its_patterns_and_the_next_process_reads_them_back_as_compiled_anew(tmp_path):
    """A build fills the file with the patterns its processes compiled (the reading stages' and the extraction
    rules'); a later process takes every one of them from it, compiling none; and each program read back matches the
    seed pages exactly as ``re.compile`` of its pattern does (spans and groups), with the same flags and groups."""
    res = subprocess.run([sys.executable, "-m", "kg", "build", str(SEEDS), "-o", str(tmp_path / "out")],
                         env=_env(tmp_path), capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert res.returncode == 0, res.stderr
    path = _file(tmp_path)
    table = regexes._read(path)
    from kg import segment
    from kg.extract import persons, undertakings

    for made in (segment.HEADING, segment.BYLINE, persons.NAME_CHARS, undertakings.LEAD_WORDS):
        assert (made.pattern, made.flags & ~re.UNICODE) in table
    probe = subprocess.run([sys.executable, "-c", "import kg.pipeline, kg.extract.article, kg.regexes as r; "
                            "c = r.programs(); print(c.hits, len(c.fresh))"],
                           env=_env(tmp_path), capture_output=True, text=True, cwd=ROOT, timeout=120)
    hits, fresh = map(int, probe.stdout.split())
    assert hits >= 50 and fresh == 0, probe.stdout + probe.stderr
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    cache = regexes.ProgramCache(path)
    for pattern, flags in table:
        assert _behaviour(cache.compile(pattern, flags), texts) == _behaviour(re.compile(pattern, flags), texts)
    assert cache.hits == len(table) and not cache.fresh


def test_patterns_are_the_same_whatever_the_string_hashes(tmp_path):
    """Two processes whose strings hash differently (PYTHONHASHSEED) make the same patterns: alternations of words
    kept in sets are ordered longest first, then by code point, so the file does not gain a copy of them at every
    build (it did: four of them came in a new order in each process)."""
    script = ("import kg.pipeline, kg.extract.article, kg.lexicon as l, kg.regexes as r; "
              "l.titles_pattern(); r.save()")
    keys = []
    for seed in ("1", "2"):
        home = tmp_path / seed
        res = subprocess.run([sys.executable, "-c", script], env=_env(home, PYTHONHASHSEED=seed),
                             capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert res.returncode == 0, res.stderr
        keys.append(set(regexes._read(_file(home))))
    assert len(keys[0]) >= 50 and keys[0] == keys[1]


def test_a_damaged_refused_or_unwritable_file_only_costs_the_compiling(tmp_path):
    """A file of other bytes, or whose checksum fails, holds nothing; a program the engine refuses (a code it does not
    know, under a good checksum) is compiled anew; a file anyone may write is not read; a folder that cannot be
    written is left alone. In each case the
    pattern behaves as ``re.compile``'s and nothing is raised; the next save writes a good file."""
    texts = ["本报记者李明报道 沈阳市副市长王华出席会议。\n# 标题\n"]
    pattern, flags = r"(?:本报)?记者([\u4e00-\u9fff]{2,3})报道|^#\s*(.+)$", re.M
    expected = _behaviour(re.compile(pattern, flags), texts)
    path = str(tmp_path / "programs.marshal")
    for damaged in (b"not a cache", regexes.FILE_MAGIC + b"\0\0\0\0" + b"{}"):
        with open(path, "wb") as fh:
            fh.write(damaged)
        cache = regexes.ProgramCache(path)
        assert _behaviour(cache.compile(pattern, flags), texts) == expected and cache.hits == 0
    cache.save()
    cache = regexes.ProgramCache(path)
    assert _behaviour(cache.compile(pattern, flags), texts) == expected and cache.hits == 1
    # a program the engine refuses, under a good checksum: compiled anew (and dropped from what this process knows)
    import marshal
    from array import array

    table = regexes._read(path)
    key = (pattern, int(flags))
    f, code, *rest = table[key]
    table[key] = (f, array(regexes._CODE, [99999] * 8).tobytes(), *rest)
    data = marshal.dumps(table)
    with open(path, "wb") as fh:
        fh.write(regexes.FILE_MAGIC + zlib.crc32(data).to_bytes(4, "little") + data)
    cache = regexes.ProgramCache(path)
    assert _behaviour(cache.compile(pattern, flags), texts) == expected and cache.hits == 0
    cache.save()  # (the refused program replaced by the one compiled anew)
    cache = regexes.ProgramCache(path)
    assert _behaviour(cache.compile(pattern, flags), texts) == expected and cache.hits == 1
    # a file anyone may write: not read (marshal trusts what it reads)
    os.chmod(path, 0o666)
    cache = regexes.ProgramCache(path)
    assert _behaviour(cache.compile(pattern, flags), texts) == expected and cache.hits == 0
    os.chmod(path, 0o644)
    assert regexes.ProgramCache(path).known()
    # a folder that cannot be made (a file stands where it would go)
    (tmp_path / "blocked").write_text("a file")
    cache = regexes.ProgramCache(str(tmp_path / "blocked" / "programs.marshal"))
    assert _behaviour(cache.compile(pattern, flags), texts) == expected
    cache.save()
    assert not cache.fresh and (tmp_path / "blocked").read_text() == "a file"


def test_the_word_lists_are_made_once_and_ordered_longest_first_then_by_code_point():
    """Regression guard (session 43): ``lexicon.titles`` lost its cache when ``longest_first`` was put between it and
    its decorator, and each look for a post title before a name read titles.txt and sorted it again (~0.1 ms a call,
    ~3,500 calls over PD1998, in the extraction processes of a first build). Each list of words the rules read is made
    once per process (the same object after), longest first, then by code point: the alternations made of them are
    the same pattern in every process."""
    from kg import lexicon

    for made in (lexicon.titles, lexicon.org_suffixes, lexicon.titles_pattern):
        assert made() is made(), made.__name__
    for words in (lexicon.titles(), lexicon.org_suffixes()):
        assert len(words) > 50 and list(words) == sorted(set(words), key=lambda w: (-len(w), w))
    assert lexicon.titles_pattern().pattern == "|".join(map(re.escape, lexicon.titles()))
