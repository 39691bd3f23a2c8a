"""What a build keeps of its resolution for the next one: a re-build that adds articles resolves again only
the entities their keys touch.

The build cache's table ``resolution`` holds the entities in ``SHARDS`` rows (an entity's by a hash of its
id): each entity's node as the graph holds it, the votes, first code and quoted initiative texts of each key
merged into it (``resolve.Tally``'s records without the mentions, which the node holds), and the facts those
keys are the subjects of; and one row naming the articles it was all made from, with their extraction keys.
A shard's mentions are read back only when one of its entities' is first wanted (``KeptMentions``), and its keys'
records (votes, first code, texts) only when one of its keys is counted again or its row written again: what every
key's entity needs decided again, its type (decided from its votes) and its initiative texts, is kept beside them.

A re-build takes the articles removed or changed since out of the kept counts (their extractions read back
from the build cache) and counts the new or changed articles' tally in (``update``): the type and the aliases
of every key are decided again from the votes (cheap: a key is a handful of values, PD1998 has 15 k), an
entity is made again only where a key of it was touched by an article added or removed or now names another
entity, every other node is taken as it was kept, and the relations are made again from the kept facts. Where
a removed article held a key's first mention of a type, or its first code, while others name the key too,
the next is found in the articles left that name the key, read back from the build cache (where they cannot
be, ``NotKept``: that build resolves everything and keeps it anew, as it does for a changed resolver or a
shard that does not read back). Only the shards of the entities made are
written again (one new article: a dozen of the 256).
"""
from __future__ import annotations

import hashlib
import marshal
import os
import sqlite3
import zlib
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import accumulate, compress, repeat
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from .buildcache import open_cache
from .errors import KgError
from .lexicon import gazetteer
from .records import INITIATIVE, REGION, Entity, Extraction, Mention, Relation
from .resolve import (CODE, MENTIONS, QUOTED_OR_SPLIT, VOTES, Tally, aliases, documents, entity, entity_ids,
                      RELATED_TYPES, initiative_texts, key_types, relations)

KEPT_ROW = ("kept row 8: marshalled shards (nodes as columns, their mentions' columns marshalled apart with a CRC-32, "
            "regions' documents, keys' types, keys' records marshalled apart, their entities, facts, keys' initiative "
            "texts); the articles' row with the build's token")
ARTICLES_ROW = "articles"  # the row naming the articles (and the resolver) the shards were made from
SHARDS = 256
NODE_FIELDS = ("type", "name", "aliases", "code", "articles")  # a node's, as ``graph.entity_node`` makes it,
# but its mentions
TYPE = NODE_FIELDS.index("type")


def _token() -> str:
    """A build's token: 8 random bytes in hex, as ``secrets.token_hex(8)`` gives them (os.urandom), without importing
    secrets (with base64 and hmac: ~1 ms of every re-build's start)."""
    return os.urandom(8).hex()


def shard_of(eid: str) -> str:
    return f"shard {zlib.crc32(eid.encode('utf-8', 'surrogatepass')) % SHARDS}"


class NotKept(Exception):
    """The kept resolution cannot give what resolving everything gives (``KeptResolution.update``)."""


class RemovedArticle(NamedTuple):
    """What a tally reads of an article no longer among the inputs, to take its counts out."""

    id: str
    doc: str
    index: int


@dataclass
class _Removed:
    articles: set[str]  # the removed articles' ids
    touched: set[str]  # the keys they name


def _columns(eids: list[str], nodes: dict[str, dict]) -> tuple:
    """The nodes of ``eids`` as columns: their ids, each field's values, how many mentions each has, and all their
    mentions' fields, a column each, marshalled apart (with their CRC-32: ``_ShardMentions``). Made and read back by C
    loops (``zip``, ``map``): a tuple made per mention or per node in Python cost ~1.5 s of a first build's keeping
    at twelve times PD1998. Each string is made one object (marshal writes an object it wrote before as a reference,
    and reads it back once)."""
    same = {}.setdefault
    of = [nodes[e] for e in eids]
    mentions = [m for node in of for m in node["mentions"]]
    fields = [[node[f] for node in of] for f in NODE_FIELDS]
    fields[NODE_FIELDS.index("articles")] = [list(map(same, a, a)) for a in fields[NODE_FIELDS.index("articles")]]
    columns = marshal.dumps([tuple(map(same, c, c)) if c and isinstance(c[0], str) else c for c in zip(*mentions)])
    return eids, fields, [len(node["mentions"]) for node in of], (zlib.crc32(columns), columns)


class KeptNodes(Mapping):
    """The kept entities' nodes as their shards' columns hold them (``load``): entity id → its node, a dict as
    ``graph.entity_node`` makes it (its mentions a ``KeptMentions``), made when first looked up and the same dict
    after; ``column`` gives one field of every node, in order, without making them. A re-build looks up the nodes of
    the few entities it makes again and of those its writers draw: PD1998's 15 k dicts made as the shards were read
    took ~15 ms of each re-build's critical path (half of ``load``), and their memory pages were copied again in the
    pages' process, which read every node's name, type and mentions (``html.NodeViews.column``) after the RDF writer
    forked. ``without``: these nodes less some, sharing their columns and the dicts made."""

    __slots__ = ("_pos", "_columns", "_made", "_rank")

    def __init__(self, pos: dict[str, int] | None = None, columns: list[list] | None = None,
                 made: dict[str, dict] | None = None):
        self._pos: dict[str, int] = {} if pos is None else pos  # id → its place in the columns
        # each of NODE_FIELDS, then each node's number of mentions, its shard's mentions, and where its own start there
        self._columns: list[list] = [[] for _ in range(len(NODE_FIELDS) + 3)] if columns is None else columns
        self._made: dict[str, dict] = {} if made is None else made
        self._rank: dict[str, int] | None = None  # (``column``'s: each node's place in order)

    def add(self, columns: tuple, width: int) -> None:
        """A shard's nodes (``_columns``' columns) after the others, each column extended in C (ValueError for columns
        of another shape, or mentions' columns whose CRC-32 is not theirs)."""
        eids, fields, counts, (crc, mention_columns) = columns
        if (len(fields) != len(NODE_FIELDS) or any(len(f) != len(eids) for f in fields) or len(counts) != len(eids)
                or not isinstance(mention_columns, bytes) or zlib.crc32(mention_columns) != crc):
            raise ValueError("kept entities of another shape")
        if not eids:
            return
        at, into = len(self._columns[0]), self._columns
        for column, values in zip(into, fields):
            column += values
        into[-3] += counts
        into[-2] += repeat(_ShardMentions(mention_columns, width, sum(counts)), len(eids))
        into[-1] += accumulate(counts[:-1], initial=0)
        self._pos.update(zip(eids, range(at, at + len(eids))))
        self._rank = None

    def __getitem__(self, eid: str) -> dict:
        i = self._pos[eid]
        node = self._made.get(eid)
        if node is None:
            columns = self._columns
            node = self._made[eid] = dict(zip(NODE_FIELDS, [c[i] for c in columns[: len(NODE_FIELDS)]]))
            node["mentions"] = KeptMentions(columns[-2][i], columns[-1][i], columns[-3][i])
        return node

    def get(self, eid, default=None):
        return self[eid] if eid in self._pos else default

    def __contains__(self, eid) -> bool:
        return eid in self._pos

    def __iter__(self):
        return iter(self._pos)

    def __len__(self) -> int:
        return len(self._pos)

    def column(self, name: str) -> list:
        """Every node's ``name`` (one of ``NODE_FIELDS``; "mentions": how many it has), in order: off the columns, in C,
        but for the nodes made since, read off them (one may have been changed)."""
        values = self._columns[-3 if name == "mentions" else NODE_FIELDS.index(name)]
        out = list(map(values.__getitem__, self._pos.values()))
        if self._made:
            if self._rank is None:
                self._rank = dict(zip(self._pos, range(len(out))))
            rank = self._rank
            for eid, node in self._made.items():
                k = rank.get(eid)
                if k is not None:
                    out[k] = len(node["mentions"]) if name == "mentions" else node[name]
        return out

    def without(self, eids) -> "KeptNodes":
        """These nodes but ``eids`` (the columns, and the dicts made, shared)."""
        pos = dict(self._pos)
        for eid in eids:
            pos.pop(eid, None)
        return KeptNodes(pos, self._columns, self._made)


class _ShardMentions:
    """The mentions of a shard's entities, as columns marshalled apart in its row: read back when one of them is
    first wanted. A re-build reads the mentions of the few entities made again (their shards: a dozen of 256 after
    one article) and counts the others' (PD1998: 53 k mentions, ~0.045 s of the main process before the worker's
    article is in, now that the pages patched from the last build's read no entity's first sentences but those)."""

    __slots__ = ("_data", "_width", "_total", "_columns")

    def __init__(self, data: bytes, width: int, total: int):
        self._data, self._width, self._total = data, width, total
        self._columns: list | None = None

    def columns(self) -> list:
        if self._columns is None:
            columns = marshal.loads(self._data)
            if (not isinstance(columns, list) or len(columns) != (self._width if self._total else 0)
                    or any(len(c) != self._total for c in columns)):  # (its CRC-32 was checked: never, but for a bug)
                raise ValueError("kept mentions of another shape")
            self._columns, self._data = columns, b""
        return self._columns


class KeptMentions(Sequence):
    """A kept entity's mentions (``Mention``s, in order), their number known at once and the mentions made from the
    shard's columns when first read (``_ShardMentions``). Equal to the list of them; pickled as that list."""

    __slots__ = ("_shard", "_at", "_n", "_made")

    def __init__(self, shard: _ShardMentions, at: int, n: int):
        self._shard, self._at, self._n = shard, at, n
        self._made: list[Mention] | None = None

    def _list(self) -> list[Mention]:
        if self._made is None:
            at, n = self._at, self._n
            self._made = list(map(tuple.__new__, repeat(Mention), zip(*[c[at : at + n] for c in self._shard.columns()])))
        return self._made

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):
        return self._list()[i]

    def __iter__(self):
        return iter(self._list())

    def __eq__(self, other):
        if isinstance(other, (KeptMentions, list)):
            return self._list() == list(other)
        return NotImplemented

    __hash__ = None  # (as a list's)

    def __repr__(self) -> str:
        return repr(self._list())

    def __reduce__(self):
        return list, (self._list(),)


def _same_elsewhere(old: dict, new: dict, fresh: set[str]) -> bool:
    """Whether an entity's node (as kept, and as made again) is the same in all but the articles ``fresh``: its
    type, name, aliases and code, its other articles and its mentions in them, in order."""
    if (old["type"], old["name"], old["aliases"], old["code"]) != (new["type"], new["name"], new["aliases"], new["code"]):
        return False
    if [a for a in old["articles"] if a not in fresh] != [a for a in new["articles"] if a not in fresh]:
        return False
    return [m for m in old["mentions"] if m.article not in fresh] == [m for m in new["mentions"] if m.article not in fresh]


def fingerprint() -> str:
    """Changes whenever resolving, the graph's nodes or the data they read change, or the rows' layout."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256(KEPT_ROW.encode())
    files = [root / n for n in ("kept.py", "resolve.py", "graph.py", "records.py", "lexicon.py")]
    files += sorted((root / "data").glob("*.t*"))
    for f in files:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:20]


class KeptResolution:
    """The build cache's kept resolution (see the module). ``added`` tells whether it can serve a build and
    which of its articles are new; ``load`` reads the entities; ``update`` resolves with the new articles'
    extractions, or ``keep_all`` takes a full resolution; ``keep`` (given the graph's nodes) writes what changed
    or, after ``keep_all``, everything."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.fingerprint = fingerprint()
        self.sources: dict[str, str] = {}  # article id → extraction key, of the articles kept
        self.docs: dict[str, str] = {}  # article id → document name
        self.keys: dict[str, tuple] = {}  # key → (votes, code, initiative texts): the records read so far (``_read``)
        self.key_type: dict[str, str] = {}  # key → its type, decided from its votes (``resolve.key_types``): every key's
        self.texts: dict[str, list[str]] = {}  # key → its initiative texts, for the keys that have some
        self.records: dict[str, bytes] = {}  # a shard's row → its keys' records, marshalled, until they are read
        self.entity_of: dict[str, str] = {}  # key → the id of the entity it was merged into
        self.facts: dict[tuple, list] = {}
        self.nodes = KeptNodes()  # the kept entities' nodes, as read (``load``)
        self.region_docs: dict[str, list[str]] = {}  # a region's id → the documents its mentions are in
        self.made: set[str] = set()  # ids of the entities made by ``update`` (their rows to write)
        self.gone: set[str] = set()  # ids of kept entities no longer in the graph (their rows to delete)
        self.shards: dict[str, list[str]] = {}  # a shard's row → the ids of the entities in it, as read or written
        self.types: Counter = Counter()  # how many entities of each type: those read (``load``), then the graph's
        self.stats: dict[str, int] = {}
        self.everything = False  # True once ``keep_all`` took a full resolution: ``keep`` replaces every row
        self.fresh: set[str] = set()  # ids of the articles ``update`` added or took out (a changed one: both)
        # the token of the build that kept what was read (``since``), and this build's (``token``, new with each
        # ``update`` or ``keep_all`` and kept by ``keep``): an exporter records the token with what it keeps, and
        # uses ``changed_articles`` only relative to the build it recorded
        self.since, self.token = "", ""
        with self._db() as db:
            try:
                row = db.execute("SELECT value FROM resolution WHERE key = ?", (ARTICLES_ROW,)).fetchone()
            except sqlite3.Error as exc:
                raise KgError(f"{self.path}: cannot use as build cache ({exc}); use --no-cache") from None
        self.usable = False
        self.counts = (0, 0)  # (keys, entities) kept, to check a reading of the shards against
        if row is not None:
            try:
                mark, sources, docs, counts, since = marshal.loads(row[0])
                if mark == self.fingerprint:
                    self.sources, self.docs, self.counts, self.usable = sources, docs, tuple(counts), True
                    self.since = since
            except (ValueError, EOFError, TypeError):
                pass

    def changes(self, sources: dict[str, str]) -> tuple[list[str], dict[str, str]] | None:
        """What changed since: the ids among ``sources`` (article id → extraction key, this build's) of articles
        not kept (new, or changed since), and the kept articles no longer among them as they were, with the
        key they were kept under (removed, or changed); None where nothing kept can serve."""
        if not self.usable:
            return None
        removed = {aid: key for aid, key in self.sources.items() if sources.get(aid) != key}
        return [aid for aid, key in sources.items() if self.sources.get(aid) != key], removed

    def load(self) -> None:
        """Read every kept entity: its node, its keys' types, initiative texts and entities, and their facts (a
        damaged row: ValueError); the keys' records stay marshalled until wanted (``_read``: PD1998's 15 k keys' votes
        are 1.4 MB of marshal, ~0.01 s and 1.6 k page faults of a re-build, which reads a dozen of the 256 shards')."""
        width = len(Mention._fields)
        with self._db() as db:
            try:  # row by row, each row's bytes freed once read (whose memory the next row's then takes), rather than
                # all fetched at once and held to the end (PD1998: 8.1 k → 5.9 k page faults here; −0.9 k with the
                # update, which took up the rows' freed memory before)
                for name, value in db.execute("SELECT key, value FROM resolution WHERE key != ?", (ARTICLES_ROW,)):
                    self._load_row(name, value, width)
            except sqlite3.Error as exc:
                raise KgError(f"{self.path}: cannot use as build cache ({exc}); use --no-cache") from None
        if (len(self.key_type), len(self.nodes)) != self.counts or self.key_type.keys() != self.entity_of.keys():
            raise ValueError("kept entities missing")  # (a row removed since)

    def _load_row(self, name: str, value: bytes, width: int) -> None:
        """One shard's row into the kept entities (``load``)."""
        try:
            columns, region_docs, decided, records, entity_of, facts, texts = marshal.loads(value)
            if len(decided) != len(entity_of) or not isinstance(records, bytes):
                raise ValueError("keys of another shape")
            self.nodes.add(columns, width)
            self.shards[name] = list(columns[0])
            self.types.update(columns[1][TYPE])
            self.region_docs.update(region_docs)
            self.key_type.update(zip(entity_of, decided))
            self.records[name] = records
            self.entity_of.update(entity_of)
            self.facts.update(facts)
            self.texts.update(texts)
        except (ValueError, EOFError, TypeError, KeyError, AttributeError) as exc:
            raise ValueError(f"a kept entity that does not read back ({exc})") from None

    def _read(self, keys) -> None:
        """Read the kept records of ``keys`` (those kept: their shards', by the entity each was kept in), before any
        is counted again or written; NotKept where a shard's do not read back (the caller resolves everything)."""
        entity_of = self.entity_of
        for name in {shard_of(entity_of[k]) for k in keys if k in entity_of}:
            self._read_shard(name)

    def _read_shard(self, name: str) -> None:
        """Read the kept records of the shard ``name`` into ``keys``, once (a record counted again since stays)."""
        data = self.records.pop(name, None)
        if data is None:  # (read already, or a shard none of whose keys was kept)
            return
        try:
            records = marshal.loads(data)
            if not isinstance(records, dict):
                raise TypeError("not a dict")
        except (ValueError, EOFError, TypeError) as exc:
            raise NotKept(f"{name}: its keys' records do not read back ({exc})") from None
        for key, rec in records.items():
            self.keys.setdefault(key, rec)

    def update(self, extractions: list[Extraction], province: str = "", removed: list[Extraction] = (),
               reread=None) -> tuple[dict[str, Entity], list[Relation], KeptNodes]:
        """Resolve the kept articles without those ``removed`` (their extractions as kept) and with
        ``extractions`` (of the articles added: ``changes``): the entities made again, the relations, and the
        nodes of the entities kept as they were (``KeptNodes``). Where a removed article held the first of a key's type, or its
        first code, and others name the key too, the next is found in the articles left that name it, read
        again through ``reread`` (article ids → their extractions as kept, or None); NotKept where that cannot
        be done: the caller resolves everything."""
        out = self._subtract(removed, reread)
        new = Tally()
        new.add(extractions)
        self.fresh, self.token = set(new.sources) | out.articles, _token()
        keys, facts = self.keys, self.facts
        self._read(new.keys)
        for key, rec in new.keys.items():
            texts = initiative_texts({key: rec}).get(key, [])
            old = keys.get(key)
            if old is None:
                keys[key] = (rec[VOTES], rec[CODE], texts)
                continue
            votes = {t: list(v) for t, v in old[0].items()}
            for typ, (n, first, occurrences) in rec[VOTES].items():
                vote = votes.get(typ)
                if vote is None:
                    votes[typ] = [n, first, occurrences]
                else:
                    vote[0] += n
                    vote[1] = min(vote[1], first)
                    vote[2] += occurrences
            code = old[1] if rec[CODE] is None or (old[1] is not None and old[1][0] < rec[CODE][0]) else rec[CODE]
            keys[key] = (votes, code, old[2] + [t for t in texts if t not in old[2]])
        for fk, (articles, sentences, read, n) in new.facts.items():
            told = facts.get(fk)
            if told is None:
                facts[fk] = [articles, sentences, read, n]
            else:
                facts[fk] = [told[0] | articles, told[1] | sentences, told[2] + read, told[3] + n]
        self.sources.update(new.sources)
        self.docs.update(new.docs)
        # the types and texts of the keys counted again (the others' are as kept: each is decided from its own votes),
        # each in its place, the new ones after them in the order they came, as the records are
        key_type, all_texts = self.key_type, self.texts
        counted = list(new.keys) + [k for k in out.touched if k not in new.keys]
        decided = key_types({k: keys[k][0] for k in counted if k in keys})
        for k in counted:
            if k in decided:
                key_type[k] = decided[k]
            else:  # (no article names it now)
                key_type.pop(k, None)
            if k in keys and keys[k][2]:
                all_texts[k] = keys[k][2]
            else:
                all_texts.pop(k, None)
        alias_of = aliases(key_type, all_texts, gazetteer())
        eid_of = entity_ids(key_type, alias_of)
        entity_of = self.entity_of
        # made again: the entities a key touched or moved is in now, and those it left that are still there
        moved = set(new.keys) | out.touched | {k for k, eid in eid_of.items() if entity_of.get(k) != eid}
        left = {entity_of[k] for k in moved if k in entity_of}
        self.made = {eid_of[k] for k in moved if k in eid_of} | (left & set(eid_of.values()))
        self.gone = left - self.made
        members: dict[str, list[str]] = defaultdict(list)
        for k, eid in eid_of.items():
            if eid in self.made:
                members[eid].append(k)
        wanted = {k for ks in members.values() for k in ks}
        self._read(wanted)  # (their codes; and the rows ``keep`` writes: their shards', read back whole)
        for name in map(shard_of, self.made | self.gone):
            self._read_shard(name)
        fact_articles: dict[str, set[str]] = defaultdict(set)
        for (_, skey, okey, _), told in facts.items():
            if skey in wanted:
                fact_articles[skey] |= told[0]
            if okey in wanted:
                fact_articles[okey] |= told[0]
        entities: dict[str, Entity] = {}
        for eid, ks in members.items():
            parts = []
            for k in ks:
                node = self.nodes.get(entity_of.get(k))
                mentions = [m for m in node["mentions"] if m.key == k and m.article not in out.articles] if node else []
                if k in new.keys:
                    mentions += new.keys[k][MENTIONS]
                written = {(m.type, m.text) for m in mentions}
                parts.append((k, written, mentions, {m.article for m in mentions} | fact_articles[k], keys[k][1]))
            final = alias_of.get(ks[0], ks[0])
            entities[eid] = entity(eid, key_type[final], final, parts)
        kept = self.nodes.without(self.gone | self.made)
        # the graph's entities by type: those read, but those made again or gone, and those made
        self.types.subtract(self.nodes[eid]["type"] for eid in self.gone | self.made if eid in self.nodes)
        self.types.update(e.type for e in entities.values())
        self.entity_of = eid_of
        # the regions' and organisations' type, name and code, which are all ``relations`` reads (PD1998: 5.2 k of the
        # 15 k kept entities, picked by their type in C)
        types = kept.column("type")
        placed = list(map(RELATED_TYPES.__contains__, types))
        info = dict(zip(compress(kept, placed), zip(compress(types, placed), compress(kept.column("name"), placed),
                                                    compress(kept.column("code"), placed))))
        info.update((e.id, (e.type, e.name, e.code)) for e in entities.values() if e.type in RELATED_TYPES)
        doc_of = self.docs.get
        kept_docs = self.region_docs
        region_docs = {eid: set(docs) for eid, docs in kept_docs.items() if eid in kept}  # (the regions' alone)
        region_docs.update((e.id, documents(e.mentions, doc_of)) for e in entities.values() if e.type == REGION)
        self.region_docs = region_docs
        self.stats = {"entities kept": len(kept), "entities made": len(entities)}
        return entities, relations(facts, eid_of, info, region_docs, province), kept

    def _subtract(self, removed: list[Extraction], reread=None) -> "_Removed":
        """Take the ``removed`` articles' counts out of the kept keys and facts (a key or fact none of the
        others has goes; a first that was in one is found again, ``_refirst``); what they touched, for
        ``update``."""
        gone = Tally()
        gone.add(removed)
        out = _Removed(set(gone.sources), set(gone.keys))
        keys, facts = self.keys, self.facts
        self._read(gone.keys)
        refirst: list[tuple[str, object]] = []  # (key, type or CODE) whose first was in a removed article
        for key, rec in gone.keys.items():
            kept = keys.get(key)
            if kept is None:
                raise NotKept(f"{key}: not kept")
            votes = {t: list(v) for t, v in kept[0].items()}
            for typ, (n, first, occurrences) in rec[VOTES].items():
                vote = votes.get(typ)
                if vote is None or vote[2] < occurrences:
                    raise NotKept(f"{key}: counted otherwise")
                if vote[2] == occurrences:  # (all of this type were in the removed articles)
                    del votes[typ]
                else:
                    if vote[1] == first:  # the first of this type was: the next is found below
                        refirst.append((key, typ))
                    vote[0] -= n
                    vote[2] -= occurrences
            if not votes:
                del keys[key]
                continue
            code = kept[1]
            if code is not None and rec[CODE] is not None and code[0] == rec[CODE][0]:
                code = None  # (its first code was: the next is found below)
                refirst.append((key, CODE))
            node = self.nodes[self.entity_of[key]]
            texts = {m.text for m in node["mentions"] if m.key == key and m.article not in out.articles
                     and m.type == INITIATIVE and QUOTED_OR_SPLIT.search(m.text)}
            keys[key] = (votes, code, sorted(texts))
        for fk, (articles, _, read, n) in gone.facts.items():
            told = facts.get(fk)
            if told is None or told[3] < n:
                raise NotKept(f"{fk}: counted otherwise")
            if told[3] == n:
                del facts[fk]
            else:
                facts[fk] = [told[0] - articles, {x for x in told[1] if x[0] not in out.articles}, told[2] - read,
                             told[3] - n]
        for aid in out.articles:
            self.sources.pop(aid, None)
            self.docs.pop(aid, None)
        if refirst:
            self._refirst(refirst, out.articles, reread)
        return out

    def _refirst(self, refirst: list[tuple[str, object]], removed: set[str], reread) -> None:
        """Find again the first of each (key, type) and each key's first code (``refirst``) whose first was in
        a ``removed`` article: among the articles left that name the key (its mentions' and facts' articles),
        read again through ``reread`` (article ids → their extractions as kept, or None). NotKept where they
        cannot be read, or do not hold every occurrence the key's votes count (a fact with no article)."""
        wanted = {key for key, _ in refirst}
        articles = {m.article for key in wanted for m in self.nodes[self.entity_of[key]]["mentions"]
                    if m.key == key and m.article not in removed}
        for (_, skey, okey, _), told in self.facts.items():
            if skey in wanted or okey in wanted:
                articles |= told[0]
        again = reread(sorted(articles)) if reread is not None else None
        if again is None:
            raise NotKept("the articles left that name a key whose first was removed cannot be read")
        tally = Tally()
        tally.add(again)
        for key, what in refirst:
            votes, code, texts = self.keys[key]
            rec = tally.keys.get(key)
            if what == CODE:
                self.keys[key] = (votes, rec[CODE] if rec is not None else None, texts)
                continue
            found = rec[VOTES].get(what) if rec is not None else None
            if found is None or found[2] != votes[what][2]:
                raise NotKept(f"{key}: its {what}s are not all where they were looked for")
            votes[what][1] = found[1]

    def keep_all(self, tally: Tally) -> None:
        """Take a full resolution (``tally``, resolved): every row is written by ``keep``."""
        self.keys = {k: (rec[VOTES], rec[CODE], []) for k, rec in tally.keys.items()}
        self.texts = initiative_texts(tally.keys)
        for k, texts in self.texts.items():
            self.keys[k] = (self.keys[k][0], self.keys[k][1], texts)
        self.key_type, self.records = tally.key_type, {}
        self.facts, self.sources, self.docs = tally.facts, tally.sources, tally.docs
        self.region_docs = tally.region_docs
        self.entity_of = tally.entity_of
        self.made, self.gone = set(self.entity_of.values()), set(self.nodes)
        self.everything = True
        self.fresh, self.token = set(self.sources), _token()
        self.stats = {"entities kept": 0, "entities made": len(self.made)}

    def entity_types(self) -> dict[str, int]:
        """How many entities of each type the graph ``update`` resolved has, counted from those read by type (per
        shard, off its column of types) and those made again or gone (the report's: counted over the graph's
        15 k nodes, after the exporter forks, it took 7-16 ms of PD1998's re-build, each node's memory page copied
        for the count). Types with none left are left out, as a count of the nodes leaves them."""
        return {t: n for t, n in self.types.items() if n}

    def changed_articles(self, nodes: dict[str, dict]) -> set[str] | None:
        """The articles whose mentions may be read as other entities than in the build kept (``since``), or whose
        entities may differ in type, name, aliases, code or articles: the articles added or taken out, and
        those of each entity made or gone (its articles then and now) but the entities made again as they were
        (``nodes``, the graph's, against those read, leaving out the articles added or taken out: one new article
        naming 中国 makes 中国 again, and not one other article reads it otherwise). None after ``keep_all``: any
        may. Every other article reads what it read in that build, as the same entities."""
        if self.everything:
            return None
        fresh = self.fresh
        out = set(fresh)
        for eid in self.made | self.gone:
            old, new = self.nodes.get(eid), nodes.get(eid)
            if old is not None and new is not None and _same_elsewhere(old, new, fresh):
                continue
            for node in (old, new):
                if node is not None:
                    out.update(node["articles"])
        return out

    def keep(self, nodes: dict[str, dict]) -> None:
        """Write the shards of the entities made and gone (``nodes``: the graph's) and the articles' row
        (after ``keep_all``: replace every row). Opens its own connection: the exporter calls it in the
        process it forks to write the RDF beside the pages."""
        entities = set(self.entity_of.values())
        if self.everything:  # every entity's shard
            members: dict[str, list[str]] = {}
            for eid in entities:
                members.setdefault(shard_of(eid), []).append(eid)
            self.shards = {}  # (every row is replaced: none read before stays)
        else:  # the shards of the entities made and gone: those kept in them as read, and those made
            changed = self.made | self.gone
            members = {name: [] for name in map(shard_of, changed)}
            for name, eids in members.items():
                eids += [eid for eid in self.shards.get(name, ()) if eid not in changed]
            for eid in self.made:
                members[shard_of(eid)].append(eid)
        shard = {eid: name for name, eids in members.items() for eid in eids}  # (only theirs: not 15 k crc32s)
        # the rows' keys and facts: each key's and fact's shard looked up by C-level maps, and only those in the rows
        # written gone through (a loop over PD1998's 15 k keys and 4 k facts took ~5 ms of a re-build's last step)
        keys: dict[str, dict] = {name: {} for name in members}
        owners = list(map(shard.get, self.entity_of.values()))
        for k, name in compress(zip(self.entity_of, owners), owners):
            keys[name][k] = self.keys[k]
        facts: dict[str, dict] = {name: {} for name in members}
        owners = list(map(shard.get, map(self.entity_of.__getitem__, map(itemgetter(1), self.facts))))
        for (fk, told), name in compress(zip(self.facts.items(), owners), owners):
            facts[name][fk] = told
        rows = []
        for name, eids in members.items():
            its_keys = keys[name]
            rows.append((name, marshal.dumps((_columns(eids, nodes), {e: sorted(self.region_docs[e]) for e in eids
                                                                       if e in self.region_docs},
                                              [self.key_type[k] for k in its_keys], marshal.dumps(its_keys),
                                              {k: self.entity_of[k] for k in its_keys}, facts[name],
                                              {k: rec[2] for k, rec in its_keys.items() if rec[2]}))))
        self.shards.update(members)
        counts = (len(self.key_type), len(entities))
        rows.append((ARTICLES_ROW, marshal.dumps((self.fingerprint, self.sources, self.docs, counts, self.token))))
        with self._db() as db:
            try:
                with db:
                    if self.everything:
                        db.execute("DELETE FROM resolution")
                    db.executemany("INSERT OR REPLACE INTO resolution (key, value) VALUES (?, ?)", rows)
            except sqlite3.Error as exc:
                raise KgError(f"{self.path}: cannot write the build cache ({exc}); use --no-cache") from None

    @contextmanager
    def _db(self):
        db = open_cache(self.path, "resolution (key TEXT PRIMARY KEY, value BLOB)")
        try:
            yield db
        finally:
            db.close()
