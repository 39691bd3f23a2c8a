"""Stage 4, resolve: mentions and facts from all articles → entities and relations.

Mentions merge by their canonical key (decided in context by the extractors); a short form of a
zone merges into the full name it abbreviates (沈抚示范区 → 沈抚改革创新示范区); regions gain
their parents from the gazetteer where the parent is itself in the corpus. What resolution reads of the
articles is first summed by key (``Tally``), each "first" decided by where it stands (the document's name,
the article's index in it, the order in the article): the graph does not depend on the order the articles
come in, and a build's tally can be kept and added to (``kg/kept.py``).
"""
from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from functools import lru_cache
from operator import add

from .lexicon import TOWN_SUFFIXES, ZONE_SUFFIXES, _lines, gazetteer, longest_first
from .records import (ENTITY_TYPES, INITIATIVE, LOCATED_IN, ORGANIZATION, PART_OF, PROJECT, REGION, Entity, Extraction,
                      Relation)
from .regexes import compiled

TYPE_SLUG = {t: t.lower() for t in ENTITY_TYPES}


ORDINAL = compiled(r"第[一二三四五六七八九十百0-9]+[届次]")


def _abbreviates(short: str, full: str) -> bool:
    """沈抚示范区 abbreviates 沈抚改革创新示范区: same head, same tail, characters in order."""
    if len(short) >= len(full) or short[:2] != full[:2] or short[-2:] != full[-2:] or len(short) < 4:
        return False
    if ORDINAL.search(short):
        return False  # 第N届全国运动会 is a name in full, not a short form of 第N届全国冬季运动会
    return _in_order(short[2:-2], full, 2, len(full) - 2)


BRANCH_ENDINGS = ("分行", "支行", "分公司", "分社", "分院", "营业部")


def resolve(extractions: list[Extraction], province: str = "") -> tuple[dict[str, Entity], list[Relation]]:
    """Entities and relations of ``extractions``: their ``Tally``, resolved."""
    tally = Tally()
    tally.add(extractions)
    return tally.resolve(province)


# a key's record in a tally: [votes, written, mentions, articles, code]
VOTES, WRITTEN, MENTIONS, ARTICLES, CODE = range(5)


class Tally:
    """What resolution reads of the articles, summed by key: for each key, its votes (each type its mentions
    carry: how many, where the first mention or fact end of that type stands, and how many mentions and fact
    ends carry it in all, so that an article's can be taken out again), the (type, text) it is
    written as, its mentions, the articles that name it (by a mention or a fact) and its first code (where
    the first mention with a code stands, and that code); for each fact's (kind, subject key, object key,
    title), the articles and sentences that state it, how many of its statements were read rather than
    inferred, and how many there are.

    Every "first" is decided by a position that does not depend on how the articles were listed: the
    document's name, the article's index in it, the mention's (or fact end's, after the mentions) index in
    the article. So one corpus gives one graph in whatever order its files are named, and a re-build that
    adds an article to what a build kept of its resolution (``kg/kept.py``) gives what resolving them all gives."""

    def __init__(self):
        self.keys: dict[str, list] = {}  # key → [VOTES, WRITTEN, MENTIONS, ARTICLES, CODE]
        self.facts: dict[tuple, list] = {}  # (kind, subject key, object key, title) → [articles, sentences, read, all]
        self.sources: dict[str, str] = {}  # article id → its extraction's key in the build cache ("" without one)
        self.docs: dict[str, str] = {}  # article id → its document's name
        self.entity_of: dict[str, str] = {}  # key → the id of the entity it names, once resolved
        self.key_type: dict[str, str] = {}  # key → its type, once resolved
        self.region_docs: dict[str, set[str]] = {}  # a region's id → the documents naming it, once resolved

    def add(self, extractions: list[Extraction]) -> None:
        """Count in ``extractions`` (of articles not counted yet)."""
        keys, facts = self.keys, self.facts
        for ex in extractions:
            art = ex.article
            aid, doc, index = art.id, art.doc, art.index
            self.sources[aid] = ex.key
            self.docs[aid] = doc
            for i, m in enumerate(ex.mentions):
                rec = keys.get(m.key)
                if rec is None:
                    rec = keys[m.key] = [{}, set(), [], set(), None]
                pos = (doc, index, i)
                vote = rec[VOTES].get(m.type)
                if vote is None:
                    rec[VOTES][m.type] = [1, pos, 1]
                else:
                    vote[0] += 1
                    vote[2] += 1
                    if pos < vote[1]:
                        vote[1] = pos
                rec[WRITTEN].add((m.type, m.text))
                rec[MENTIONS].append(m)
                rec[ARTICLES].add(aid)
                if m.code and (rec[CODE] is None or pos < rec[CODE][0]):
                    rec[CODE] = (pos, m.code)
            n = len(ex.mentions)
            for j, f in enumerate(ex.facts):
                for side, (typ, key) in enumerate((f.subject, f.object)):  # a fact's ends vote with no count
                    rec = keys.get(key)
                    if rec is None:
                        rec = keys[key] = [{}, set(), [], set(), None]
                    pos = (doc, index, n + 2 * j + side)
                    vote = rec[VOTES].get(typ)
                    if vote is None:
                        rec[VOTES][typ] = [0, pos, 1]
                    else:
                        vote[2] += 1
                        if pos < vote[1]:
                            vote[1] = pos
                    if f.article:
                        rec[ARTICLES].add(f.article)
                fk = (f.kind, f.subject[1], f.object[1], f.title)
                told = facts.get(fk)
                if told is None:
                    told = facts[fk] = [set(), set(), 0, 0]
                told[2] += not f.inferred
                told[3] += 1
                if f.article:
                    told[0].add(f.article)
                    if f.sentence >= 0:
                        told[1].add((f.article, f.sentence))

    def resolve(self, province: str = "") -> tuple[dict[str, Entity], list[Relation]]:
        """Entities and relations: mentions merge by their canonical key (the extractors decided it in
        context), a key takes the type most of its mentions carry, short forms merge into the names they
        abbreviate, regions gain their parents from the gazetteer."""
        keys = self.keys
        key_type = key_types({k: rec[VOTES] for k, rec in keys.items()})
        alias_of = aliases(key_type, initiative_texts(keys), gazetteer())
        eid_of = self.entity_of = entity_ids(key_type, alias_of)
        self.key_type = key_type
        merged: dict[str, list[str]] = {}  # a key others are aliases of → it and them
        for key, target in alias_of.items():
            merged.setdefault(target, [target]).append(key)
        entities: dict[str, Entity] = {}
        for key, rec in keys.items():
            if key not in alias_of:
                eid = eid_of[key]
                parts = [(k, *keys[k][WRITTEN:]) for k in merged[key]] if key in merged else [(key, *rec[WRITTEN:])]
                entities[eid] = entity(eid, key_type[key], key, parts)
        info = {e.id: (e.type, e.name, e.code) for e in entities.values() if e.type in RELATED_TYPES}
        doc_of = self.docs.get
        self.region_docs = {e.id: documents(e.mentions, doc_of) for e in entities.values() if e.type == REGION}
        return entities, relations(self.facts, eid_of, info, self.region_docs, province)


def documents(mentions, doc_of) -> set[str]:
    """The documents ``mentions`` are in (``doc_of``: article id → document name): which regions are named
    on one page (part_of from the gazetteer holds only between those)."""
    return set(map(doc_of, {m.article for m in mentions}))


def key_types(votes: dict[str, dict[str, list]]) -> dict[str, str]:
    """Type of each key: the type most of its mentions carry; between types as many, the one that comes first
    (a fact's end counts as coming, unmentioned); a key only facts name: the first type they give it."""
    key_type: dict[str, str] = {}
    for key, by_type in votes.items():
        if len(by_type) == 1:
            key_type[key], = by_type
        else:
            key_type[key] = min(by_type.items(), key=_VOTE_ORDER)[0]
    return key_type


def initiative_texts(keys: dict[str, list]) -> dict[str, list[str]]:
    """Key → the texts of its initiative mentions that hold a quote or a line break (``aliases`` reads the
    quoted names in them), for the keys that have such texts."""
    out: dict[str, list[str]] = {}
    for key, rec in keys.items():
        for typ, text in rec[WRITTEN]:
            if typ == INITIATIVE and QUOTED_OR_SPLIT.search(text):
                out.setdefault(key, []).append(text)
    return out


def entity_ids(key_type: dict[str, str], alias_of: dict[str, str]) -> dict[str, str]:
    """Key → the id of the entity it names (type slug / the key it is an alias of, else itself)."""
    opening = {t: slug + "/" for t, slug in TYPE_SLUG.items()}
    # each key its own, in C (an f-string for each of 15 k keys: ~2 ms more), then the aliases'
    out = dict(zip(key_type, map(add, map(opening.__getitem__, key_type.values()), key_type)))
    for key, target in alias_of.items():
        if key in out:
            out[key] = opening[key_type[target]] + target
    return out


def entity(eid: str, typ: str, name: str, parts) -> Entity:
    """The entity named ``name`` from the keys merged into it, each as (key, written, mentions, articles,
    code) (a tally's record): its aliases are their written forms, its mentions and articles theirs, its
    code the one that comes first."""
    ent = Entity(id=eid, type=typ, name=name)
    first = None
    for key, written, mentions, articles, code in parts:
        _written(ent, key, written)
        ent.mentions += mentions
        ent.articles |= articles
        if code is not None and (first is None or code[0] < first[0]):
            first = code
    if first is not None:
        ent.code = first[1]
    return ent


RELATED_TYPES = frozenset((REGION, ORGANIZATION))  # the entities whose names and codes ``relations`` infers from


def relations(facts: dict[tuple, list], eid_of: dict[str, str], info: dict[str, tuple[str, str, str]],
              region_docs: dict[str, set[str]], province: str = "") -> list[Relation]:
    """The facts' relations between the entities their keys name (``eid_of``), and those that follow from
    the entities (``info``: id → type, name, code, of the regions and organisations at least, ``RELATED_TYPES``:
    no other entity's is read; ``region_docs``: a region's id → the documents that mention it): organisations in
    the region their name opens with, regions in their parents, the most specific place kept."""
    gaz = gazetteer()
    rels: dict[tuple, Relation] = {}  # (kind, subject, object, title) → the relation: its sort key too

    def relate(kind: str, s: str, o: str, title: str, inferred: bool) -> None:
        if s == o:
            return
        rk = (kind, s, o, title)
        rel = rels.get(rk)
        if rel is None:
            rels[rk] = Relation(kind, s, o, title, set(), set(), inferred)
        else:
            rel.inferred = rel.inferred and inferred

    # (the facts' relations made in one loop, not a call each: PD1998's 4.2 k facts: ~4 ms less)
    for (kind, skey, okey, title), (articles, sentences, read, _) in facts.items():
        s, o = eid_of[skey], eid_of[okey]
        if s == o:
            continue
        rk = (kind, s, o, title)
        rel = rels.get(rk)
        if rel is None:
            rels[rk] = Relation(kind, s, o, title, set(articles), set(sentences), not read)
        else:
            rel.inferred = rel.inferred and not read
            rel.articles.update(articles)
            rel.sentences.update(sentences)
    # an organisation whose canonical name opens with a region's full name is located in it
    located = {r.subject for r in rels.values() if r.kind == LOCATED_IN}
    region_names = {name for typ, name, code in info.values() if typ == REGION  # 中国联通, 东北大学: a name,
                    and not code.startswith(("country:", "macro:"))}  # not a seat
    opening: dict[str, list[str]] = {}  # a region name's first character → the names, longest first
    for region in sorted(region_names, key=longest_first):
        opening.setdefault(region[:1], []).append(region)
    for eid, (typ, name, code) in info.items():
        if typ != ORGANIZATION or eid in located:
            continue
        bare = name
        for lead in ("中共", "政协"):
            if bare.startswith(lead):
                bare = bare[len(lead):]
        for region in opening.get(bare[:1], ()):  # the longest region name opening it and shorter than it: of the
            if len(region) < len(bare) and bare.startswith(region):  # few names opening with its first character
                relate(LOCATED_IN, eid, f"region/{region}", "", True)
                break
    # part_of from the gazetteer between regions named in one file (白山市 in one paper and 吉林省 in
    # another say nothing of each other there; the pair is the reader's where both are on the page)
    by_code: dict[str, str] = {}  # (two regions of one code: the one first in id order)
    by_name: dict[str, str] = {}
    for eid in sorted(region_docs, reverse=True):
        typ, name, code = info[eid]
        by_name[name] = eid
        if code:
            by_code[code] = eid
    macros_of = _macros_of()
    placed = {r.subject for r in rels.values() if r.kind == PART_OF}  # read from the text
    for eid, docs in region_docs.items():
        _, name, code = info[eid]
        parent = None
        if code and code in gaz.regions:
            parent = by_code.get(gaz.regions[code].parent)
            for macro in macros_of.get(code, ()):
                if macro in by_name and not docs.isdisjoint(region_docs[by_name[macro]]):
                    relate(PART_OF, eid, by_name[macro], "", True)
        elif eid not in placed and name.endswith(ZONE_SUFFIXES + TOWN_SUFFIXES):  # not a river: no one province
            parent = _zone_parent(name, by_code, province)
        if parent is not None and not docs.isdisjoint(region_docs[parent]):
            relate(PART_OF, eid, parent, "", True)
    # the most specific place: an organisation or project placed in a zone and in the city the zone is part
    # of is in the zone (the city follows from part_of)
    parents: dict[str, set[str]] = defaultdict(set)
    for r in rels.values():
        if r.kind == PART_OF:
            parents[r.subject].add(r.object)
    targets: dict[str, list[tuple]] = defaultdict(list)
    for rk, r in rels.items():
        if r.kind == LOCATED_IN:
            targets[r.subject].append(rk)
    for placed_at in targets.values():
        if len(placed_at) > 1:
            up = {k[2]: _ancestors(k[2], parents) for k in placed_at}
            for k in placed_at:  # (a cycle in part_of drops neither)
                if any(k[2] in up[o] and o not in up[k[2]] for o in up if o != k[2]):
                    del rels[k]
    return [rels[rk] for rk in sorted(rels)]  # (by kind, subject, object and title: each one's key)


_VOTE_ORDER = lambda type_vote: (-type_vote[1][0], type_vote[1][1])  # noqa: E731  (most mentions, then first)


def aliases(key_type: dict[str, str], texts: dict[str, list[str]], gaz) -> dict[str, str]:
    """Key → the key of the entity it names (for the keys that name another's): short forms, national bodies
    without their 中国, branches and project heads named alone, zones without their city, quoted names.
    Each rule's result followed to its end, so that the result does not depend on the order of the keys.
    ``texts``: ``initiative_texts``."""
    # 2. short forms of zones and organisations merge into the full name they abbreviate
    alias_of: dict[str, str] = {}
    by_type: dict[str, list[str]] = defaultdict(list)
    for key, typ in key_type.items():
        by_type[typ].append(key)
    for same_type in by_type.values():
        alias_of.update(abbreviations(same_type))
    # 2b. a national body written without its 中国 (建设银行 = 中国建设银行) where the article set names both
    for k in by_type.get(ORGANIZATION, []):
        full = "中国" + k
        if k not in alias_of and len(k) >= 3 and key_type.get(full) == ORGANIZATION:
            alias_of[k] = full
    # 2c. a branch named alone (江西省分行) after its full name (建设银行江西省分行), and a project named by
    #     the head of its full name (某某半导体 for 某某半导体产业基地项目): the one longer name that fits
    orgs, projects = by_type.get(ORGANIZATION, []), by_type.get(PROJECT, [])
    branches = [k for k in orgs if k not in alias_of and k.endswith(BRANCH_ENDINGS) and len(k) >= 4]
    for k, longer in longer_names(branches, orgs, ends=True).items():
        if len(longer) == 1:
            alias_of[k] = longer[0]
    heads = [k for k in projects if k not in alias_of and len(k) >= 4]
    for k, longer in longer_names(heads, projects, starts=True, ends=True, bodies=True).items():
        longer = [o for o in longer if _shorter_project_name(k, o)]
        if len(longer) == 1:
            alias_of[k] = longer[0]
    # 2d. a zone named without the city its full name opens with (浑南科技城 for 沈阳浑南科技城): the one
    #     longer region name that ends with it and opens with a written form of a division
    regions = by_type.get(REGION, [])
    by_tail: dict[str, list[str]] = defaultdict(list)
    for r in regions:
        for k in range(2, min(len(r) - 3, 8) + 1):
            if r[:k] in gaz.forms:
                by_tail[r[k:]].append(r)
    for k in regions:
        if k not in alias_of and len(k) >= 4 and len(by_tail.get(k, ())) == 1:
            alias_of[k] = by_tail[k][0]
    alias_of = _followed(alias_of)
    # 2e. an initiative named by a quoted name and its kind (“某某”活动, “某某”专场活动) or by the quoted name
    #     alone is one initiative, under its shortest full name
    by_core: dict[str, set[str]] = defaultdict(set)
    for key in by_type.get(INITIATIVE, []):
        for text in texts.get(key, ()):
            core = _written_forms(text)[2].replace(" ", "")  # keys are written without spaces
            if core:
                by_core[core].add(key)
    for core in sorted(by_core):
        named = {alias_of.get(k, k) for k in by_core[core]} | ({core} if key_type.get(core) == INITIATIVE else set())
        if len(named) > 1:
            full = min(named, key=lambda k: (len(k) == len(core), len(k), k))  # a kind named beats the bare core
            for k in named - {full}:
                alias_of[k] = full
    return _followed(alias_of)


def _followed(alias_of: dict[str, str]) -> dict[str, str]:
    """Each alias to the key at the end of its chain (A → B → C: A → C); a key on a cycle stays its own."""
    out: dict[str, str] = {}
    for key in alias_of:
        seen, target = {key}, alias_of[key]
        while target in alias_of and target not in seen:
            seen.add(target)
            target = alias_of[target]
        if target not in seen:
            out[key] = target
    return out


def _written(ent: Entity, key: str, written: set[tuple[str, str]]) -> None:
    """Add to ``ent``'s aliases the forms a key is written in: each text (on one line, unquoted), the quoted
    name it holds, and the key itself where mentions carry it."""
    if not written:
        return
    aliases, name = ent.aliases, ent.name
    for _, text in written:
        if QUOTED_OR_SPLIT.search(text):
            _, unquoted, core = _written_forms(text)
            if unquoted:
                aliases.add(unquoted)
            if core:
                aliases.add(core)
        else:
            aliases.add(text)
    aliases.add(key)
    aliases.discard(name)


def _written_forms(text: str) -> tuple[str, str, str]:
    """A mention's text as one line, unquoted, and its quoted core (a name the page's layout split,
    黑龙江⏎⏎省, is one name)."""
    written = LINE_BREAK.sub("", text) if "\n" in text else text
    return written, written.translate(UNQUOTE), _quoted_core(written)


def abbreviations(keys: list[str]) -> dict[str, str]:
    """Each of ``keys`` that abbreviates exactly one other (``_abbreviates``) → that one. Only keys with the
    same first two and last two characters can match, so each is tested against those alone, and the
    keys that share their ends with no other (most of them) against none: over PD1998, 27 k tests of
    every key against its group (itself included) became a few hundred (step 2: 60 → 32 ms)."""
    by_ends: dict[tuple[str, str], list[str]] = defaultdict(list)
    for k in keys:
        if len(k) >= 4:
            by_ends[(k[:2], k[-2:])].append(k)
    out: dict[str, str] = {}
    for same_ends in by_ends.values():
        if len(same_ends) > 1:
            # each key tested against the longer ones alone, up to the second that fits (PD1998's largest groups
            # hold 83 and 45 keys); ``_abbreviates``' tests of ends made once for the group
            longest_first = sorted(same_ends, key=len, reverse=True)
            minus_lengths = [-len(f) for f in longest_first]
            for k in same_ends:
                longer = bisect_left(minus_lengths, -len(k))  # (how many are longer)
                if not longer or ORDINAL.search(k):
                    continue
                middle, full = k[2:-2], None
                for f in longest_first[:longer]:
                    if _in_order(middle, f, 2, len(f) - 2):
                        if full is not None:
                            break
                        full = f
                else:
                    if full is not None:
                        out[k] = full
    return out


def _in_order(short: str, full: str, start: int, end: int) -> bool:
    """The characters of ``short`` appear in ``full[start:end]`` in order."""
    find = full.find
    for ch in short:
        start = find(ch, start, end) + 1
        if not start:
            return False
    return True


def longer_names(shorts: list[str], names: list[str], starts: bool = False, ends: bool = False,
                 bodies: bool = False) -> dict[str, list[str]]:
    """For each of ``shorts``, the longer ``names`` that open (``starts``) or close (``ends``) with it, or
    (``bodies``) whose body before a closing 项目/工程 closes with it, in ``names``' order. Each name's
    openings and closings are looked up among the shorts, instead of testing every pair of names
    (quadratic: 0.1 s for a month of PD1998; for synthetic names at a year's scale, 40 k organisations
    and 3.5 k projects, ~2.5 s, where this takes 0.06 s)."""
    wanted = set(shorts)
    found: dict[str, list[str]] = {k: [] for k in shorts}
    firsts, lasts = {k[0] for k in wanted if k}, {k[-1] for k in wanted if k}  # (a name that opens or closes
    for name in names:  # with no short's first or last character has no short to look up there)
        if not name:
            continue
        hits = set()
        if starts and name[0] in firsts:
            hits.update(name[:i] for i in range(1, len(name)) if name[:i] in wanted)
        if ends and name[-1] in lasts:
            hits.update(name[i:] for i in range(1, len(name)) if name[i:] in wanted)
        if bodies and name.endswith(("项目", "工程")) and name[-3:-2] in lasts:
            body = name[:-2]
            hits.update(body[i:] for i in range(len(body)) if body[i:] in wanted)
        for k in hits:
            found[k].append(name)
    return found


def _shorter_project_name(short: str, full: str) -> bool:
    """``short`` names the project ``full`` names: its head (某某半导体 | 产业基地项目), or its body without the
    mode or place before it (5号线一期 | 地铁5号线一期, and with 工程 after: 地铁5号线一期工程)."""
    if full.startswith(short):
        return full.endswith(("项目", "工程", "基地"))
    return full.endswith(short) or (full.endswith(("项目", "工程")) and full[:-2].endswith(short))


def _ancestors(node: str, parents: dict[str, set[str]]) -> set[str]:
    out: set[str] = set()
    todo = list(parents.get(node, ()))
    while todo:
        p = todo.pop()
        if p not in out:
            out.add(p)
            todo.extend(parents.get(p, ()))
    return out


QUOTE_PAIRS = {"“": "”", "‘": "’"}
UNQUOTE = str.maketrans("", "", "“”‘’")
LINE_BREAK = compiled(r"[ \t\u3000]*\n[\s\u3000]*")
QUOTED_OR_SPLIT = compiled("[“”‘’\n]")  # what makes a written form other than its text


def _quoted_core(text: str) -> str:
    """The quoted name at the head of a mention followed by its kind (“某某”活动 → 某某), else ""."""
    if text[:1] in QUOTE_PAIRS and QUOTE_PAIRS[text[0]] in text[2:-1]:
        return text[1 : text.index(QUOTE_PAIRS[text[0]])]
    return ""


def _zone_parent(name: str, by_code: dict[str, str], province: str) -> str | None:
    """A zone sits in the region its name opens with (大连金普新区 → 大连市), else in the paper's province."""
    for c in gazetteer().opening(name):
        if c in by_code:
            return by_code[c]
    return by_code.get(province) if province else None


@lru_cache(maxsize=1)
def _macros_of() -> dict[str, tuple[str, ...]]:
    """A province's code → the macro-regions it is part of (华北, 东北 …), in the file's order: read once a process,
    and looked up by each region rather than every macro-region tested for each of them."""
    members = {}  # (a macro-region's later row replaces an earlier one)
    for row in _lines("macro_members.txt"):
        name, codes = row.split("\t")
        members[name] = set(codes.split())
    out: dict[str, list[str]] = {}
    for macro, codes in members.items():
        for code in codes:
            out.setdefault(code, []).append(macro)
    return {code: tuple(macros) for code, macros in out.items()}
