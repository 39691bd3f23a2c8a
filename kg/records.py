"""Typed records that flow between the stages: read → segment → extract → resolve → graph → export.

Offsets are the truth: every span is a half-open [start, end) range into the unaltered text of
its source file, so ``source_text[start:end] == text`` always holds.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from typing import NamedTuple

PERSON = "Person"
ORGANIZATION = "Organization"
REGION = "Region"
PROJECT = "Project"
INITIATIVE = "Initiative"
ENTITY_TYPES = (PERSON, ORGANIZATION, REGION, PROJECT, INITIATIVE)

POSITION = "position"
LOCATED_IN = "located_in"
PART_OF = "part_of"
PROMOTED_BY = "promoted_by"
RELATION_KINDS = (POSITION, LOCATED_IN, PART_OF, PROMOTED_BY)


@dataclass(frozen=True)
class Source:
    """One input file as read: its exact text and how it was decoded."""

    path: str  # as given (relative paths stay relative)
    name: str  # file name, the document id in reports and JSONL
    text: str
    encoding: str


class Sentence(NamedTuple):
    """A sentence's span. A named tuple, like ``Mention``: there are tens of thousands of them."""

    start: int
    end: int


class Sentences(Sequence):
    """An article's sentences as a re-build reads them back (``Article.__setstate__``): the flat offsets (start,
    end, start, end, …) kept as they were read, each ``Sentence`` made when it is asked for. A re-build reads
    every cached page back and asks for the sentences of a few articles: twelve times PD1998 has 563 k of them,
    ~0.15 s made as tuples, on the critical path. Equal to, and hashed as, the tuple of its ``Sentence`` s;
    pickled as that tuple."""

    __slots__ = ("_flat", "_made")

    def __init__(self, flat: tuple[int, ...]):
        self._flat = flat
        self._made: tuple[Sentence, ...] | None = None

    def _all(self) -> tuple[Sentence, ...]:
        if self._made is None:
            offsets = iter(self._flat)
            self._made = tuple(map(tuple.__new__, repeat(Sentence), zip(offsets, offsets)))  # made in C
        return self._made

    def __len__(self) -> int:
        return len(self._flat) // 2

    def __getitem__(self, i):
        if isinstance(i, slice) or self._made is not None:
            return self._all()[i]
        n = len(self._flat) // 2
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("sentence index out of range")
        return Sentence(self._flat[2 * i], self._flat[2 * i + 1])

    def __iter__(self):
        return iter(self._all())

    def __eq__(self, other):
        if isinstance(other, Sentences):
            return self._flat == other._flat
        if isinstance(other, tuple):
            return self._all() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return repr(self._all())

    def __reduce__(self):
        return tuple, (self._all(),)

    def flat(self) -> tuple[int, ...]:
        return self._flat


@dataclass(frozen=True)
class Article:
    """One article cut from a source page; offsets point into ``source.text``."""

    id: str  # e.g. "000_a06d24ae3cd6fbd4#2"
    doc: str  # source file name
    index: int
    title: str
    byline: str
    start: int
    end: int
    body_start: int
    sentences: tuple[Sentence, ...]  # (or ``Sentences``, read back from the build cache: the same sequence)
    source_text: str = field(repr=False, compare=False)
    date: str = ""  # ISO date (YYYY-MM-DD) where the head gives one, else the year it names most
    date_inferred: bool = False  # True when ``date`` is a year inferred from the body
    soft_breaks: tuple[tuple[int, int], ...] = ()  # whitespace the page's layout put inside a sentence

    @property
    def text(self) -> str:
        return self.source_text[self.start : self.end]

    def __getstate__(self) -> dict:
        """Pickled with its sentences as one flat tuple of offsets: a re-build unpickles every cached page's
        articles, and 47 k ``Sentence`` objects made one by one took half of that (PD1998: 0.11 → 0.06 s)."""
        state = self.__dict__.copy()
        sentences = self.sentences
        state["sentences"] = (sentences.flat() if isinstance(sentences, Sentences)
                              else tuple(chain.from_iterable(sentences)))
        return state

    def __setstate__(self, state: dict) -> None:
        """Made back with its sentences as ``Sentences`` over the flat offsets: each made when asked for."""
        state["sentences"] = Sentences(tuple(state["sentences"]))
        self.__dict__.update(state)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "doc": self.doc, "title": self.title, "byline": self.byline,
            "start": self.start, "end": self.end, "date": self.date, "date_inferred": self.date_inferred,
        }


class Mention(NamedTuple):
    """A typed span of text naming an entity, with the key it resolves under.

    ``key`` is the canonical name decided from the mention and its article's context
    (e.g. 省委 in a Liaoning paper → 中共辽宁省委员会); resolve merges mentions by key.

    A named tuple rather than a frozen dataclass: a month of a daily has 53 k of them, pickled by the
    workers, into the build cache and out of it in every re-build, where a tuple unpickles in about half
    the time of an object with a ``__dict__`` (and takes less memory). Same fields, repr, equality among
    mentions and hash; changed with ``m._replace(...)``.
    """

    article: str
    type: str
    start: int
    end: int
    text: str
    key: str
    sentence: int = -1
    code: str = ""  # GB/T 2260 code for regions from the gazetteer

    def to_dict(self) -> dict:
        return self._asdict()


@dataclass(frozen=True)
class Fact:
    """A relation read from one article, its ends named by (type, key)."""

    kind: str
    subject: tuple[str, str]
    object: tuple[str, str]
    article: str
    title: str = ""  # the bare post for positions
    sentence: int = -1
    inferred: bool = False  # from the gazetteer rather than the text
    at: int = -1  # offset of the mention the fact was read at; gives ``sentence`` where it is unset


@dataclass
class Extraction:
    """What the extractors found in one article."""

    article: Article
    mentions: list[Mention] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    key: str = ""  # the build cache's key for it (a hash of all it was made from), where a cache was used


@dataclass
class Entity:
    """A resolved thing: one node of the graph."""

    id: str  # stable slug, unique within the graph
    type: str
    name: str
    aliases: set[str] = field(default_factory=set)
    code: str = ""
    articles: set[str] = field(default_factory=set)
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class Relation:
    """A resolved relation between two entities, with the articles it was read from."""

    kind: str
    subject: str  # entity id
    object: str  # entity id
    title: str = ""
    articles: set[str] = field(default_factory=set)
    sentences: set[tuple[str, int]] = field(default_factory=set)
    inferred: bool = True
