"""Lexicons shipped in kg/data, loaded once: the region gazetteer, surnames, titles, suffixes.

Every list is general knowledge of Chinese administrative and official language (GB/T 2260
divisions, surnames, post titles, organisation suffixes), never names read off particular articles.
"""
from __future__ import annotations

import marshal
import re
from dataclasses import dataclass, fields
from functools import cached_property, lru_cache
from importlib import resources

import ahocorasick_rs

from .regexes import compiled

DATA = resources.files("kg") / "data"

# Suffixes stripped to make a region's short form, longest first.
REGION_SUFFIXES = (
    "特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "自治旗",
    "地区", "省", "市", "盟", "县", "区", "旗",
)
ETHNIC = "族"


def _lines(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [ln.rstrip("\n") for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    parent: str  # parent code, '' at the top
    level: str  # province, city, county, macro, country


REGION_FIELDS = tuple(f.name for f in fields(Region))

# Suffixes of zones and of towns and villages: places below the county that the gazetteer does not list
ZONE_SUFFIXES = (
    "高新技术产业开发区", "经济技术开发区", "自由贸易试验区", "综合保税区", "经济开发区", "产业开发区",
    "改革创新示范区", "开发区", "高新区", "新区", "示范区", "自贸区", "保税区", "科技城", "科学城", "工业园区", "产业园区",
    "产业园", "工业园", "试验区", "合作区", "经济区",
)
TOWN_SUFFIXES = ("街道", "镇", "乡", "村", "社区", "苏木", "嘎查")


GENERIC_DIVISION_NAMES = {"城区", "郊区", "矿区", "东区", "西区", "南区", "北区", "中区", "海域"}


class Gazetteer:
    """Regions by GB/T 2260 code, with every written form (full and short) mapped to candidates."""

    def __init__(self, tag_of=None) -> None:
        """``tag_of(word)``: jieba's tag of a word, for the county short forms it decides on; by default
        from ``county_form_tags`` (kg/data), so that the main process of a build never loads jieba's
        349 k-word tag table (0.16 s) that only the extracting processes need."""
        self.regions: dict[str, Region] = {}
        self.forms: dict[str, list[str]] = {}  # written form -> codes
        # county short forms jieba's dictionary has as a person's name (康平): a place only where the article
        # names the county's city; kept out of the automaton
        self.name_like_forms: dict[str, list[str]] = {}
        rows = _lines("regions.tsv")
        for row in rows[1:]:
            code, name, parent, level = row.split("\t")
            self._add(Region(code, name, parent, level))
        for fn, level in (("macro_regions.txt", "macro"), ("countries.txt", "country")):
            for row in _lines(fn):
                parts = row.split("\t")
                name = parts[0]
                code = f"{level}:{name}"
                self.regions[code] = Region(code, name, "", level)
                self._form(name, code)
                for alias in (parts[1].split(",") if len(parts) > 1 else []):
                    self._form(alias.strip(), code)
        for row in _lines("world_cities.txt"):  # cities abroad, inside their country
            name, country, *aliases = row.split("\t")
            code = f"abroad:{name}"
            self.regions[code] = Region(code, name, f"country:{country}", "abroad")
            self._form(name, code)
            for alias in (aliases[0].split(",") if aliases else []):
                self._form(alias.strip(), code)
        word_tag = tag_of or _shipped_tag_of()
        for code, reg in list(self.regions.items()):  # 城区, 郊区, 东区: a generic word, named only with its city
            if reg.name in GENERIC_DIVISION_NAMES and reg.parent in self.regions:
                self.forms[reg.name].remove(code)
                up = self.regions[reg.parent]
                for prefix in [up.name, *short_forms(up.name, up.level)]:
                    self._form(prefix + reg.name, code)
        self.forms = {form: codes for form, codes in self.forms.items() if codes}
        for code, reg in list(self.regions.items()):  # a county's short form that is a common word stays out
            if reg.level in ("province", "city", "county"):
                for short in short_forms(reg.name, reg.level):
                    if reg.level == "county" and len(short) >= 2 and word_tag(short) not in (None, "ns"):
                        if word_tag(short) in ("nr", "nrfg", "nrt"):  # 康平: a name-like word, read with its city
                            self.name_like_forms.setdefault(short, []).append(code)
                        continue
                    self._form(short, code)

    def snapshot(self) -> bytes:
        """The gazetteer's tables, marshalled (``from_snapshot`` reads them back): a build keeps them in its build
        cache, since making them takes ~25 ms of every build's main process (10 ms of it hashing jieba's 5 MB
        dict.txt, which the shipped county tags are checked against), before its workers start."""
        regions = [(r.code, r.name, r.parent, r.level) for r in self.regions.values()]
        return marshal.dumps((SNAPSHOT_LAYOUT, regions, self.forms, self.name_like_forms, self.province_by_form))

    @classmethod
    def from_snapshot(cls, row: bytes) -> "Gazetteer":
        """The gazetteer a ``snapshot`` was taken of (ValueError for bytes that are not one): ~6 ms."""
        try:
            layout, regions, forms, name_like, by_form = marshal.loads(row)
        except (ValueError, EOFError, TypeError):
            raise ValueError("not a gazetteer snapshot") from None
        if layout != SNAPSHOT_LAYOUT or not all(len(r) == len(REGION_FIELDS) for r in regions):
            raise ValueError("a gazetteer snapshot of another layout")
        out = cls.__new__(cls)
        out.regions = {}
        for values in regions:  # (a frozen dataclass's __init__ sets each field through object.__setattr__)
            reg = object.__new__(Region)
            reg.__dict__.update(zip(REGION_FIELDS, values))
            out.regions[reg.code] = reg
        out.forms, out.name_like_forms = forms, name_like
        out.__dict__["province_by_form"] = by_form  # (the cached property, made)
        return out

    def _add(self, reg: Region) -> None:
        self.regions[reg.code] = reg
        self._form(reg.name, reg.code)

    def _form(self, form: str, code: str) -> None:
        if len(form) >= 2:
            codes = self.forms.setdefault(form, [])
            if code not in codes:
                codes.append(code)

    def full_name(self, code: str) -> str:
        return self.regions[code].name

    @cached_property
    def province_by_form(self) -> dict[str, str]:
        """Written form -> the province of its first province, city or county reading (what the paper's
        province is inferred from); forms with no such reading are absent."""
        out = {}
        for form, codes in self.forms.items():
            for code in codes:
                reg = self.regions[code]
                if reg.level in ("province", "city", "county"):
                    out[form] = code if reg.level == "province" else self.province_of(code)
                    break
        return out

    def province_of(self, code: str) -> str:
        reg = self.regions.get(code)
        while reg is not None and reg.parent:
            reg = self.regions.get(reg.parent)
        return reg.code if reg else ""

    def ancestors(self, code: str) -> list[str]:
        out = []
        reg = self.regions.get(code)
        while reg is not None and reg.parent:
            out.append(reg.parent)
            reg = self.regions.get(reg.parent)
        return out

    def is_ambiguous_name(self, name: str) -> bool:
        """A county-level full name used in several cities (铁西区) is qualified by its city."""
        return name in GENERIC_DIVISION_NAMES or sum(1 for c in self.forms.get(name, []) if self.regions[c].name == name) > 1

    @cached_property
    def _name_like_matcher(self) -> tuple[ahocorasick_rs.AhoCorasick, list[str]]:
        forms = sorted(self.name_like_forms)
        return ahocorasick_rs.AhoCorasick(forms, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest), forms

    @cached_property
    def _matcher(self) -> tuple[ahocorasick_rs.AhoCorasick, list[str]]:
        """Every written form in one Aho–Corasick automaton (Rust: ~30 M characters a second, where
        pyahocorasick scanned 2–3 M, its root holding thousands of first characters)."""
        forms = sorted(self.forms)
        return ahocorasick_rs.AhoCorasick(forms, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest), forms

    def opening(self, name: str, longest: int = 8, whole: bool = False, keep=None) -> list[str]:
        """Codes of the longest written form that opens ``name`` (大连金普新区 → 大连), all of it too where
        ``whole``; only the codes ``keep`` accepts, the first form that has any."""
        for k in range(min(len(name) - (0 if whole else 1), longest), 1, -1):
            codes = [c for c in self.forms.get(name[:k], ()) if keep is None or keep(c)]
            if codes:
                return codes
        return []

    def find_forms(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, form) of the written forms in ``text``, leftmost-longest, not overlapping."""
        return _find(self._matcher, text)

    @property
    def matcher_made(self) -> bool:
        """Whether ``find_forms``' automaton is made (it is made when first wanted: ~14 ms)."""
        return "_matcher" in self.__dict__

    def find_forms_looked_up(self, text: str) -> list[tuple[int, int, str]]:
        """What ``find_forms`` gives, found by looking up, at each place, the longest substring that is a written form
        (the first found opening the place, the search going on after it): leftmost-longest, as the automaton finds
        them, without making it. For a few hundred characters, where the automaton would take longer to make than
        this takes (~0.5 µs a character, where the automaton scans ~0.07 µs once made; a re-build's province reads
        the new texts' openings)."""
        forms, longest = self.forms, self.longest_form
        out: list[tuple[int, int, str]] = []
        i, n = 0, len(text)
        while i < n:
            for end in range(min(n, i + longest), i, -1):
                if text[i:end] in forms:
                    out.append((i, end, text[i:end]))
                    i = end
                    break
            else:
                i += 1
        return out

    @cached_property
    def longest_form(self) -> int:
        return max(map(len, self.forms), default=0)

    def find_name_like_forms(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, form) of the county short forms kept out of ``find_forms`` (name_like_forms)."""
        return _find(self._name_like_matcher, text) if self.name_like_forms else []


SURROGATE = compiled("[\ud800-\udfff]")


def _find(matcher: tuple, text: str) -> list[tuple[int, int, str]]:
    auto, forms = matcher
    try:
        found = auto.find_matches_as_indexes(text)
    except UnicodeEncodeError:  # a lone surrogate, which a Rust string cannot hold: one character for one
        found = auto.find_matches_as_indexes(SURROGATE.sub("\ufffd", text))
    return [(a, b, forms[i]) for i, a, b in found]


def short_forms(name: str, level: str) -> list[str]:
    """辽宁省→辽宁, 内蒙古自治区→内蒙古, 延边朝鲜族自治州→延边, 黑山县→黑山."""
    for suf in REGION_SUFFIXES:
        if name.endswith(suf) and len(name) > len(suf) + 1:
            stem = name[: -len(suf)]
            if ETHNIC in stem and suf.startswith("自治"):
                # strip the ethnic designation: 延边朝鲜族 → 延边 (keep at least two characters)
                for k in range(2, len(stem)):
                    if stem[k:].endswith(ETHNIC) and _is_ethnic_run(stem[k:]):
                        stem = stem[:k]
                        break
            if ETHNIC in stem and level == "province":
                stem = stem[:2]
            if len(stem) >= 2 and stem != name:
                return [stem]
    return []


def _is_ethnic_run(s: str) -> bool:
    return all(part and len(part) <= 4 for part in s.split(ETHNIC)[:-1])


COUNTY_TAGS = "county_form_tags.tsv"


def county_short_forms() -> list[str]:
    """The short forms whose jieba tag the gazetteer asks for, in the order it asks."""
    asked: list[str] = []
    Gazetteer(tag_of=asked.append)
    return list(dict.fromkeys(asked))


def jieba_dictionary_path() -> str | None:
    """jieba's dict.txt as installed, found without importing jieba; None for an unusual install."""
    import os
    from importlib.util import find_spec

    try:
        return os.path.join(find_spec("jieba").submodule_search_locations[0], "dict.txt")
    except (AttributeError, TypeError, IndexError):  # pragma: no cover - an unusual jieba install
        return None


@lru_cache(maxsize=None)
def jieba_dictionary_stamp() -> str:
    """sha256 of jieba's dict.txt as installed (10 ms, once a process)."""
    import hashlib

    try:
        with open(jieba_dictionary_path() or "", "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except OSError:  # pragma: no cover - an unusual jieba install
        return ""


def county_form_tags() -> dict[str, str] | None:
    """kg/data/county_form_tags.tsv: jieba's tag ("" for none) of each county short form the gazetteer
    decides on, derived from jieba's dictionary by scripts/derive_county_tags.py; None when the
    installed dictionary is not the one it was derived from."""
    rows = stamped_rows(COUNTY_TAGS, jieba_dictionary_stamp())
    if rows is None:
        return None
    return {word: tag for word, _, tag in (row.partition("\t") for row in rows)}


def stamped_rows(name: str, stamp: str) -> list[str] | None:
    """The rows of a data file derived from another package's data (its first line ends "sha256 STAMP"),
    None when ``stamp``, what that data is now, is not the one it was derived from."""
    if (DATA / name).read_text(encoding="utf-8").split("\n", 1)[0].split("sha256 ", 1)[-1] != stamp:
        return None
    return _lines(name)


def _shipped_tag_of():
    """word → jieba's tag from the shipped table, falling back to jieba's whole table for a word it
    lacks (a county added to regions.tsv since) or for another jieba dictionary."""
    shipped = county_form_tags() or {}

    def tag_of(word: str) -> str | None:
        if word in shipped:
            return shipped[word] or None
        from .extract.tokens import word_tag  # here, not at the top: kg.extract imports this module

        return word_tag(word)

    return tag_of


_SHARED: list[Gazetteer] = []  # the process's gazetteer, once made or read back


def gazetteer() -> Gazetteer:
    """The shipped gazetteer, made once a process (or read back from a snapshot: ``use_gazetteer``)."""
    if not _SHARED:
        _SHARED.append(Gazetteer())
    return _SHARED[0]


def gazetteer_loaded() -> bool:
    return bool(_SHARED)


def use_gazetteer(gaz: Gazetteer) -> None:
    """Make ``gazetteer()`` give ``gaz`` (the shipped one, read back from a snapshot) from now on."""
    _SHARED[:] = [gaz]


SNAPSHOT_LAYOUT = "gazetteer snapshot 1: marshalled (region field tuples, forms, name-like forms, province by form)"
# what the gazetteer is made from: its data, and the tags of the county short forms the shipped table lacks
# (``_shipped_tag_of``: the segmenter's, with the words it does not cut whole)
GAZETTEER_DATA = ("regions.tsv", "macro_regions.txt", "countries.txt", "world_cities.txt", COUNTY_TAGS,
                  "split_word_tags.tsv")


def gazetteer_key() -> str:
    """What the shipped gazetteer is made from, hashed: this module's code and the tokenizer's (the tags of the
    county short forms), its data files, the segmenter, and jieba's dict.txt as installed, by its device, inode,
    size and times (as ``make`` judges a file unchanged: the shipped county tags hold only for the dictionary they
    were derived from, and hashing it takes 10 ms)."""
    import hashlib
    import os
    from pathlib import Path

    from .extract.segmenter import segmenter_name

    h = hashlib.sha1(SNAPSHOT_LAYOUT.encode())
    h.update(Path(__file__).read_bytes())
    h.update((Path(__file__).parent / "extract" / "tokens.py").read_bytes())
    for name in GAZETTEER_DATA:
        h.update(name.encode() + b"\0" + (DATA / name).read_bytes())
    h.update(segmenter_name().encode())
    try:
        st = os.stat(jieba_dictionary_path() or "")
        h.update(f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}".encode())
    except OSError:  # pragma: no cover - an unusual jieba install
        pass
    return h.hexdigest()


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    out = set()
    for ln in _lines("surnames.txt"):
        out.update(ln.split())
    return frozenset(out)


def longest_first(word: str) -> tuple[int, str]:
    """Longest first, then in code point order: the alternation these words make is the same pattern in every
    process (a set's order follows its strings' hashes, which change from one process to the next), which the
    compiled programs are kept by (``regexes``)."""
    return -len(word), word


@lru_cache(maxsize=1)
def titles() -> tuple[str, ...]:
    return tuple(sorted(set(_lines("titles.txt")), key=longest_first))


@lru_cache(maxsize=1)
def title_set() -> frozenset[str]:
    return frozenset(titles())


@lru_cache(maxsize=1)
def titles_pattern() -> re.Pattern:
    """Every post title, longest first: one scan of a text finds them all."""
    return compiled("|".join(map(re.escape, titles())))


@lru_cache(maxsize=1)
def org_suffixes() -> tuple[str, ...]:
    return tuple(sorted(set(_lines("org_suffixes.txt")), key=longest_first))


@lru_cache(maxsize=1)
def national_organs() -> dict[str, str]:
    """Written form -> canonical name of national organs (kg/data/national_organs.txt); an empty
    canonical name marks a form that is never an organisation on its own (中央)."""
    out = {}
    for line in _lines("national_organs.txt"):
        form, _, canonical = line.partition("\t")
        out[form] = canonical if _ else form
    return out


@lru_cache(maxsize=1)
def translit_chars() -> frozenset[str]:
    """Characters of transliterated foreign names (kg/data/translit_chars.txt)."""
    return frozenset(c for line in _lines("translit_chars.txt") for c in line.split())
