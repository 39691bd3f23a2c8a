"""Stage 4, resolve: mentions and facts from all articles → entities and relations.

Mentions merge by their canonical key (decided in context by the extractors); a short form of a
zone merges into the full name it abbreviates (沈抚示范区 → 沈抚改革创新示范区); regions gain
their parents from the gazetteer where the parent is itself in the corpus.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from itertools import chain
from operator import attrgetter

from .lexicon import TOWN_SUFFIXES, ZONE_SUFFIXES, _lines, gazetteer
from .records import (ENTITY_TYPES, INITIATIVE, LOCATED_IN, ORGANIZATION, PART_OF, PROJECT, REGION, Entity, Extraction,
                      Relation)

TYPE_SLUG = {t: t.lower() for t in ENTITY_TYPES}


ORDINAL = re.compile(r"第[一二三四五六七八九十百0-9]+[届次]")


def _abbreviates(short: str, full: str) -> bool:
    """沈抚示范区 abbreviates 沈抚改革创新示范区: same head, same tail, characters in order."""
    if len(short) >= len(full) or short[:2] != full[:2] or short[-2:] != full[-2:] or len(short) < 4:
        return False
    if ORDINAL.search(short):
        return False  # 第N届全国运动会 is a name in full, not a short form of 第N届全国冬季运动会
    it = iter(full)
    return all(ch in it for ch in short)


KEY_TYPE = attrgetter("key", "type")
TEXT = attrgetter("text")
TYPE_KEY_TEXT = attrgetter("type", "key", "text")

BRANCH_ENDINGS = ("分行", "支行", "分公司", "分社", "分院", "营业部")


def resolve(extractions: list[Extraction], province: str = "") -> tuple[dict[str, Entity], list[Relation]]:
    gaz = gazetteer()
    mentions = list(chain.from_iterable(ex.mentions for ex in extractions))
    # 1. type of each key: the type most of its mentions carry; between types as many, the one that came
    #    first in the articles (a fact's end counts as coming, unmentioned); a key only facts name: the
    #    first type they give it. Counted per distinct (key, type), in C, not per mention in Python.
    counts = Counter(map(KEY_TYPE, mentions))
    seen: dict[tuple[str, str], None] = {}  # (key, type) in order of first appearance
    for ex in extractions:
        seen.update(dict.fromkeys(map(KEY_TYPE, ex.mentions)))
        for f in ex.facts:
            seen.setdefault(f.subject[::-1])
            seen.setdefault(f.object[::-1])
    key_type: dict[str, str] = {}
    most: dict[str, int] = {}
    for key, typ in seen:
        n = counts.get((key, typ), 0)
        if key not in most or n > most[key]:
            most[key], key_type[key] = n, typ
    # 2. short forms of zones and organisations merge into the full name they abbreviate
    alias_of: dict[str, str] = {}
    by_type: dict[str, list[str]] = defaultdict(list)
    for key, typ in key_type.items():
        by_type[typ].append(key)
    for keys in by_type.values():
        alias_of.update(abbreviations(keys))
    # 2b. a national body written without its 中国 (建设银行 = 中国建设银行) where the article set names both
    for k in by_type.get(ORGANIZATION, []):
        full = "中国" + k
        if k not in alias_of and len(k) >= 3 and key_type.get(full) == ORGANIZATION:
            alias_of[k] = alias_of.get(full, full)
    # 2c. a branch named alone (江西省分行) after its full name (建设银行江西省分行), and a project named by
    #     the head of its full name (某某半导体 for 某某半导体产业基地项目): the one longer name that fits
    orgs, projects = by_type.get(ORGANIZATION, []), by_type.get(PROJECT, [])
    branches = [k for k in orgs if k not in alias_of and k.endswith(BRANCH_ENDINGS) and len(k) >= 4]
    for k, longer in longer_names(branches, orgs, ends=True).items():
        if len(longer) == 1:
            alias_of[k] = alias_of.get(longer[0], longer[0])
    heads = [k for k in projects if k not in alias_of and len(k) >= 4]
    for k, longer in longer_names(heads, projects, starts=True, ends=True, bodies=True).items():
        longer = [o for o in longer if _shorter_project_name(k, o)]
        if len(longer) == 1:
            alias_of[k] = alias_of.get(longer[0], longer[0])
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
            alias_of[k] = alias_of.get(by_tail[k][0], by_tail[k][0])
    # 2e. an initiative named by a quoted name and its kind (“某某”活动, “某某”专场活动) or by the quoted name
    #     alone is one initiative, under its shortest full name
    by_core: dict[str, set[str]] = defaultdict(set)
    texts = dict.fromkeys(map(TEXT, mentions))
    # mention text → (as one line, unquoted, quoted core): the text itself three times and no core, but for
    # the few names with a quote or a line break (a name the page's layout split, 黑龙江⏎⏎省, is one name)
    written_forms: dict[str, tuple[str, str, str]] = {text: (text, text, "") for text in texts}
    for text in filter(QUOTED_OR_SPLIT.search, texts):
        written = LINE_BREAK.sub("", text) if "\n" in text else text
        written_forms[text] = (written, written.translate(UNQUOTE), _quoted_core(written))
    written_as = dict.fromkeys(map(TYPE_KEY_TEXT, mentions))  # each (type, key, text), in order of first mention
    for typ, key, text in written_as:
        if typ == INITIATIVE:
            core = written_forms[text][2].replace(" ", "")  # keys are written without spaces
            if core and key_type.get(key) == INITIATIVE:
                by_core[core].add(key)
    for core, keys in by_core.items():
        keys = {alias_of.get(k, k) for k in keys} | ({core} if key_type.get(core) == INITIATIVE else set())
        if len(keys) > 1:
            full = min(keys, key=lambda k: (len(k) == len(core), len(k), k))  # a kind named beats the bare core
            for k in keys - {full}:
                alias_of[k] = full
    # 3. entities
    entities: dict[str, Entity] = {}

    def entity_for(typ: str, key: str) -> Entity:
        key = alias_of.get(key, key)
        typ = key_type.get(key) or typ
        eid = f"{TYPE_SLUG[typ]}/{key}"
        ent = entities.get(eid)
        if ent is None:
            ent = entities[eid] = Entity(id=eid, type=typ, name=key)
        return ent

    for typ_key_text in written_as:  # entities made in order of first mention; their written forms, once each
        typ, key, text = typ_key_text
        ent = written_as[typ_key_text] = entity_for(typ, key)
        _, unquoted, core = written_forms[text]
        for form in (unquoted, key, core):
            if form and form != ent.name:
                ent.aliases.add(form)
    for m, typ_key_text in zip(mentions, map(TYPE_KEY_TEXT, mentions)):
        ent = written_as[typ_key_text]
        ent.mentions.append(m)
        ent.articles.add(m.article)
        if m.code and not ent.code:
            ent.code = m.code
    # 4. relations
    rels: dict[tuple, Relation] = {}

    def relate(kind: str, s: Entity, o: Entity, title: str, article: str | None, sentence: int, inferred: bool) -> None:
        if s.id == o.id:
            return
        rk = (kind, s.id, o.id, title)
        rel = rels.get(rk)
        if rel is None:
            rel = rels[rk] = Relation(kind=kind, subject=s.id, object=o.id, title=title, inferred=inferred)
        rel.inferred = rel.inferred and inferred
        if article:
            rel.articles.add(article)
            if sentence >= 0:
                rel.sentences.add((article, sentence))

    for ex in extractions:
        for f in ex.facts:
            s = entity_for(*f.subject)
            o = entity_for(*f.object)
            s.articles.add(f.article)
            o.articles.add(f.article)
            relate(f.kind, s, o, f.title, f.article, f.sentence, f.inferred)
    # 5. an organisation whose canonical name opens with a region's full name is located in it
    located = {r.subject for r in rels.values() if r.kind == LOCATED_IN}
    region_names = {e.name for e in entities.values() if e.type == REGION  # 中国联通, 东北大学: a name,
                    and not e.code.startswith(("country:", "macro:"))}  # not a seat
    longest = max(map(len, region_names), default=0)
    for ent in list(entities.values()):
        if ent.type != ORGANIZATION or ent.id in located:
            continue
        bare = ent.name
        for lead in ("中共", "政协"):
            if bare.startswith(lead):
                bare = bare[len(lead):]
        for k in range(min(len(bare) - 1, longest), 0, -1):  # the longest region name opening it
            if bare[:k] in region_names:
                relate(LOCATED_IN, ent, entities[f"region/{bare[:k]}"], "", None, -1, True)
                break
    # 6. part_of from the gazetteer between regions named in one file (白山市 in one paper and 吉林省 in
    #    another say nothing of each other there; the pair is the reader's where both are on the page)
    doc_of = {ex.article.id: ex.article.doc for ex in extractions}
    docs = {e.id: {doc_of.get(m.article) for m in e.mentions} for e in entities.values() if e.type == REGION}
    by_code = {e.code: e for e in entities.values() if e.type == REGION and e.code}
    by_name = {e.name: e for e in entities.values() if e.type == REGION}
    members = _macro_members()
    placed = {r.subject for r in rels.values() if r.kind == PART_OF}  # read from the text
    for ent in list(entities.values()):
        if ent.type != REGION:
            continue
        parent = None
        if ent.code and ent.code in gaz.regions:
            reg = gaz.regions[ent.code]
            parent = by_code.get(reg.parent)
            for macro, codes in members.items():
                if ent.code in codes and macro in by_name and docs[ent.id] & docs[by_name[macro].id]:
                    relate(PART_OF, ent, by_name[macro], "", None, -1, True)
        elif ent.id not in placed and ent.name.endswith(ZONE_SUFFIXES + TOWN_SUFFIXES):  # not a river: no one province
            parent = _zone_parent(ent.name, by_code, province)
        if parent is not None and docs[ent.id] & docs[parent.id]:
            relate(PART_OF, ent, parent, "", None, -1, True)
    # 7. the most specific place: an organisation or project placed in a zone and in the city the zone is part
    #    of is in the zone (the city follows from part_of)
    parents: dict[str, set[str]] = defaultdict(set)
    for r in rels.values():
        if r.kind == PART_OF:
            parents[r.subject].add(r.object)
    targets: dict[str, list[tuple]] = defaultdict(list)
    for rk, r in rels.items():
        if r.kind == LOCATED_IN:
            targets[r.subject].append(rk)
    for keys in targets.values():
        if len(keys) > 1:
            up = {k[2]: _ancestors(k[2], parents) for k in keys}
            for k in keys:  # (a cycle in part_of drops neither)
                if any(k[2] in up[o] and o not in up[k[2]] for o in up if o != k[2]):
                    del rels[k]
    return entities, sorted(rels.values(), key=lambda r: (r.kind, r.subject, r.object, r.title))


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
            for k in same_ends:
                fulls = [f for f in same_ends if _abbreviates(k, f)]
                if len(fulls) == 1:
                    out[k] = fulls[0]
    return out


def longer_names(shorts: list[str], names: list[str], starts: bool = False, ends: bool = False,
                 bodies: bool = False) -> dict[str, list[str]]:
    """For each of ``shorts``, the longer ``names`` that open (``starts``) or close (``ends``) with it, or
    (``bodies``) whose body before a closing 项目/工程 closes with it, in ``names``' order. Each name's
    openings and closings are looked up among the shorts, instead of testing every pair of names
    (quadratic: 0.1 s for a month of PD1998; for synthetic names at a year's scale, 40 k organisations
    and 3.5 k projects, ~2.5 s, where this takes 0.06 s)."""
    wanted = set(shorts)
    found: dict[str, list[str]] = {k: [] for k in shorts}
    for name in names:
        hits = set()
        if starts:
            hits.update(name[:i] for i in range(1, len(name)) if name[:i] in wanted)
        if ends:
            hits.update(name[i:] for i in range(1, len(name)) if name[i:] in wanted)
        if bodies and name.endswith(("项目", "工程")):
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
LINE_BREAK = re.compile(r"[ \t\u3000]*\n[\s\u3000]*")
QUOTED_OR_SPLIT = re.compile("[“”‘’\n]")  # what makes a written form other than its text


def _quoted_core(text: str) -> str:
    """The quoted name at the head of a mention followed by its kind (“某某”活动 → 某某), else ""."""
    if text[:1] in QUOTE_PAIRS and QUOTE_PAIRS[text[0]] in text[2:-1]:
        return text[1 : text.index(QUOTE_PAIRS[text[0]])]
    return ""


def _zone_parent(name: str, by_code: dict[str, Entity], province: str) -> Entity | None:
    """A zone sits in the region its name opens with (大连金普新区 → 大连市), else in the paper's province."""
    for c in gazetteer().opening(name):
        if c in by_code:
            return by_code[c]
    return by_code.get(province) if province else None


def _macro_members() -> dict[str, set[str]]:
    out = {}
    for row in _lines("macro_members.txt"):
        name, codes = row.split("\t")
        out[name] = set(codes.split())
    return out
