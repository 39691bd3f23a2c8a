"""Persons and their posts: the title grammar ``[organ][title]、[organ][title]NAME``, bylines,
names before speech verbs, and jieba's person tags where the context confirms them."""
from __future__ import annotations

import re

from ..lexicon import title_set, titles_pattern, translit_chars, org_suffixes, surnames, titles
from ..records import ORGANIZATION, PERSON, POSITION, Fact, Mention
from ..regexes import compiled
from .context import Context
from .organizations import canonical_org
from .tokens import Token, token_index, word_tag

SPEECH = ("说", "表示", "介绍", "指出", "强调", "认为", "要求", "谈到", "告诉", "坦言", "提出", "透露", "称", "回忆",
          "感慨", "希望", "主持", "出席", "会见", "讲话", "致辞", "同志", "一行", "等")
NAME_END = set("，。、；：！？（）()“”‘’「」 \u3000\n说表在和与及等同的也是为对向就率带指强要主出会讲致认坦提透称回感希一了代，,.")
BYLINE_RE = compiled(
    r"(?:本报(?:特约|见习)?记者|(?<![\u4e00-\u9fff])(?:见习|特约)?记者|通讯员)[ \t\u3000]*"
    r"([\u4e00-\u9fff]{2,3}(?:[、 \u3000][\u4e00-\u9fff]{2,3})*)(?=[ \t\u3000]*(?:摄|报道|整理|\n|$))", re.M)
NOT_NAME = {"记者", "本报", "通讯", "编辑", "摄影", "同志", "领导", "代表", "委员", "主任", "书记"}
IMPLIED = {  # title → organ it implies when the text names none
    "省长": "province_gov", "副省长": "province_gov", "常务副省长": "province_gov", "代省长": "province_gov",
    "总书记": "中共中央", "总理": "国务院", "副总理": "国务院", "国务委员": "国务院",
}
GOV_TITLES = {"市长": "人民政府", "副市长": "人民政府", "常务副市长": "人民政府", "代市长": "人民政府", "县长": "人民政府",
              "副县长": "人民政府", "区长": "人民政府", "副区长": "人民政府", "省长": "人民政府", "副省长": "人民政府",
              "州长": "人民政府", "镇长": "人民政府", "乡长": "人民政府"}
PARTY_TITLES = {"书记", "副书记", "常委"}
HEAD_TITLES = {"总书记": "中共中央", "主席": "", "总理": "国务院", "副总理": "国务院", "委员长": "全国人民代表大会常务委员会",
               "同志": ""}
NOT_NAME_FINAL = set("化感村镇馆展制河性区县市省港站园厂证院赛牌词盾泊滩庙栏街局史宫楼队")  # object and place nouns
TITLE_HEADS = {"代表", "主任", "书记", "委员", "主席", "部长", "局长", "厅长", "市长", "省长", "县长"}
NAME_CHARS = compiled(r"[\u4e00-\u9fff]{2,4}")  # a Chinese name: Han characters only (主席|国，是 is none)
ORGAN_WORDS = ("人大常委会", "政府", "人大", "政协", "委")


def is_name(s: str) -> bool:
    if not 2 <= len(s) <= 4 or s in NOT_NAME or not NAME_CHARS.fullmatch(s) or s[1:] in HONORIFICS or s[1:] in title_set():
        return False  # 孔书记, 孙先生: a surname and a post, not a name
    sn = surnames()
    if s[:2] in sn and len(s) >= 3:
        return True
    return s[0] in sn and len(s) <= 3


NAME_LIKE_TAGS = {"n", "t", "ns", "nz"}  # jieba's dictionary files some famous three-character names under these


def read_name(text: str, pos: int, end: int, tokens: list[Token]) -> int | None:
    """End offset of a person's name starting at pos, or None."""
    for k in (3, 2):
        e = pos + k
        if k == 3 and (text[pos + 2 : pos + 4] in TITLE_HEADS or text.startswith(SPEECH, pos + 2)):
            continue  # 姜某|代表, 赵某|说: the third character opens the next word
        if e <= end and (e == end or text[e] in NAME_END) and _dictionary_allows(text[pos:e]):
            if k == 3 and word_tag(text[pos]) in ("c", "p") and word_tag(text[pos + 1 : e]) is not None:
                continue  # 委员|和|特邀…: a conjunction and a word, not 和 the surname
            last = token_index(tokens, e - 1)
            if last is not None and tokens[last].end > e and not tokens[last].tag.startswith("nr") \
                    and word_tag(tokens[last].word) is not None and text[e : e + 2] not in TITLE_HEADS \
                    and not text.startswith(SPEECH, e):  # (姜某|军代表: jieba glued the name to the post after it)
                continue  # 代表|齐聚一堂: a name never ends inside a word of the language
            return e
    i = token_index(tokens, pos)
    if i is None or tokens[i].start != pos:
        return None
    t = tokens[i]
    if 2 <= len(t.word) <= 3 and is_name(t.word) and (t.tag.startswith("nr") or word_tag(t.word) is None):
        return t.end
    # a surname token followed by a short given-name token (于/勇, 张/帆)
    if len(t.word) == 1 and t.word in surnames() and t.tag not in ("c", "p") and i + 1 < len(tokens):
        n = tokens[i + 1]
        if 1 <= len(n.word) <= 2 and n.word[0] not in NAME_END and "\u4e00" <= n.word[0] <= "\u9fff":
            return n.end
    return None


# a credit closing a paragraph: （杜某武孙某刚） the reporters, （宋某平摄） the photographers
CREDIT_RE = compiled(r"[（(](?:([\u4e00-\u9fff]{2,12}?)摄|([\u4e00-\u9fff]{4,12}))[）)][ \t]*(?:\n|$)")


def _split_names(run: str) -> list[str] | None:
    """Cut a run of two or more names written together into names that each open with a surname
    (three characters tried before two); None when no such cut exists."""
    if not run:
        return []
    for k in (3, 2):
        head = run[:k]
        if len(head) == k and is_name(head) and word_tag(head) in (None, "nr", "nrfg", "nrt"):
            rest = _split_names(run[k:])
            if rest is not None:
                return [head] + rest
    return None


FOREIGN_POSTS = ("总统", "副总统", "总理", "副总理", "首相", "外长", "外交部长", "外交大臣", "国王", "女王", "王储", "亲王",
                 "议长", "大臣", "部长", "大使", "参赞", "秘书长", "主席", "国务卿", "总督", "总司令", "教练", "导演", "作家",
                 "指挥家", "歌唱家", "钢琴家", "小提琴家", "选手", "球星", "教授", "博士", "先生", "女士", "夫人")
FOREIGN_HEAD_TITLES = {"总统", "首相", "外长", "国王", "议长", "国务卿", "夫人", "先生", "女士", "教授", "博士"}
FOREIGN_POST_RE = compiled("|".join(sorted(FOREIGN_POSTS, key=len, reverse=True)))
MAX_FOREIGN = 20


def _translit_end(text: str, a: int, end: int) -> int:
    """End of a run of transliteration characters from a (parts joined by ·), at most MAX_FOREIGN long."""
    chars = translit_chars()
    b = a
    while b < end and b - a < MAX_FOREIGN and (text[b] in chars or (text[b] in "·•" and b > a and b + 1 < end
                                                                     and text[b + 1] in chars)):
        b += 1
    return b


def _translit_start(text: str, b: int, lo: int) -> int:
    chars = translit_chars()
    a = b
    while a > lo and b - a < MAX_FOREIGN and (text[a - 1] in chars or (text[a - 1] in "·•" and a - 1 > lo
                                                                       and text[a - 2] in chars)):
        a -= 1
    return a


def _starts_token(tokens: list[Token], pos: int) -> bool:
    i = token_index(tokens, pos)
    return i is not None and tokens[i].start == pos


def _aligned(tokens: list[Token], a: int, b: int) -> bool:
    """jieba cut the text at both ends of [a, b)."""
    i, j = token_index(tokens, a), token_index(tokens, b - 1)
    return i is not None and j is not None and tokens[i].start == a and tokens[j].end == b


def _title_before(text: str, pos: int, lo: int) -> str | None:
    for t in titles():
        a = pos - len(t)
        if a >= lo and text[a:pos] == t:
            return t
    return None


def _inside_quoted_phrase(text: str, a: int, b: int) -> bool:
    """text[a:b] lies inside a short quotation that holds more than it (“某某向北飞”)."""
    q = text.rfind("“", max(0, a - 16), a)
    if q < 0 or "”" in text[q:a]:
        return False
    qe = text.find("”", b, b + 16)
    return qe >= 0 and "“" not in text[b:qe] and (q + 1 < a or qe > b)


def find_persons(ctx: Context, article_id: str, text: str, start: int, end: int, tokens: list[Token],
                 regions: list[Mention], orgs: list[Mention]) -> tuple[list[Mention], list[Fact]]:
    """Persons and their positions; an organ a title implies (副省长 → 省人民政府) is named in the fact."""
    persons: list[Mention] = []
    facts: list[Fact] = []
    org_end = {m.end: m for m in orgs}
    reg_end = {m.end: m for m in regions}
    org_start = {m.start: m for m in orgs}
    reg_start = {m.start: m for m in regions}
    taken: set[int] = set()
    titled: set[str] = set()  # names read with a title before or after them
    suffixes = [s for s in org_suffixes() if len(s) >= 2]

    def add_person(a: int, b: int) -> Mention:
        m = Mention(article_id, PERSON, a, b, text[a:b], text[a:b])
        if a not in taken:
            persons.append(m)
            taken.add(a)
        return m

    # 1. title + name
    for tm in titles_pattern().finditer(text, start, end):
        e = tm.end()
        if e in taken:
            continue
        ne = read_name(text, e, end, tokens)
        if ne is None:
            continue
        title = _title_before(text, e, start)
        if title is None:
            continue
        person = add_person(e, ne)
        titled.add(person.text)
        for org_key, ttl in _parse_posts(ctx, text, e, start, org_end, reg_end, org_start, reg_start, suffixes):
            facts.append(Fact(POSITION, (PERSON, person.key), (ORGANIZATION, org_key), article_id, title=ttl, at=person.start))
    # 2. bylines: 本报记者 X, 记者X报道
    for bm in BYLINE_RE.finditer(text, start, end):
        group_start = bm.start(1)
        for nm in re.finditer(r"[\u4e00-\u9fff]{2,3}", bm.group(1)):
            if is_name(nm.group()):
                add_person(group_start + nm.start(), group_start + nm.end())
    # 2b. a credit closing a paragraph: （杜某武孙某刚）, the reporters' names run together
    for cm in CREDIT_RE.finditer(text, start, end):
        g = 1 if cm.group(1) else 2
        parts = _split_names(cm.group(g))
        pos = cm.start(g)
        for part in parts or []:
            add_person(pos, pos + len(part))
            pos += len(part)
    # 3. jieba person tags, kept only with context: a speech verb or list after, or an unknown word
    for i in [i for i, t in enumerate(tokens) if t[3][:2] == "nr"]:  # a million tokens a month: filter in one pass
        t = tokens[i]
        if len(t.word) == 3 and text[t.end - 1 : t.end + 1] in TITLE_HEADS:
            t = Token(t.start, t.end - 1, t.word[:2], t.tag)  # a name glued to the head of 代表: split it
        if t.start in taken or not t.tag.startswith("nr") or not (2 <= len(t.word) <= 4) or not is_name(t.word):
            continue
        nxt = text[t.end : t.end + 2]
        known = word_tag(t.word) is not None
        speech = nxt.startswith(SPEECH)
        listed = (nxt[:1] == "、" or text[t.start - 1 : t.start] == "、") and _names_around(tokens, i)
        if known and len(t.word) == 2 and not (speech or listed):
            continue  # 高峰, 白雪, 文明: two-character dictionary words read as names only where context says so
        if known and word_tag(t.word) not in ("nr", "nrfg", "nrt"):
            continue
        if t.word[-1] in NOT_NAME_FINAL:
            continue  # 幸福感, 智能化, 富裕村: words, not given names
        if known and len(t.word) == 3 and word_tag(t.word[0]) == "a" and word_tag(t.word[1:]) in ("n", "a", "an", "vn", "ng"):
            continue  # 高|素质, 古|建筑: an adjective and a noun, listed as a name in jieba's dictionary
        if text[t.start - 1 : t.start].isdigit():
            continue  # 580|支林草: a numeral's measure word (支, 名, 位) opens no name
        if not speech and _inside_quoted_phrase(text, t.start, t.end):
            continue  # “孔雀向北飞”: part of a quoted phrase, not a person named in it
        if len(t.word) == 2 and not (speech or listed):
            continue  # two characters with no context are too often a brand or a word (华为, 林长)
        add_person(t.start, t.end)
        if speech:
            titled.add(t.word)  # a name that speaks is as sure as one with a title
    # 4. a name before a head title: NAME总书记, NAME主席 (the 1998 press: 江泽民主席)
    for title in HEAD_TITLES:
        for tm in re.finditer(re.escape(title), text[start:end]):
            a = start + tm.start()
            i = token_index(tokens, a - 1)
            if i is None:
                continue
            t = tokens[i]
            if t.end == a and t.tag.startswith("nr") and is_name(t.word):
                person = add_person(t.start, t.end)  # the name may be taken already: its post still counts
                titled.add(person.text)
                org = HEAD_TITLES[title]
                if org:
                    facts.append(Fact(POSITION, (PERSON, person.key), (ORGANIZATION, org), article_id, title=title, at=person.start))
    # 4b. a foreign name (no Chinese surname) right after a foreign post or right before one:
    #     南非外长恩佐说, 克林顿总统; transliteration characters, parts joined by ·
    for tm in FOREIGN_POST_RE.finditer(text, start, end):
        a = tm.end()
        b = _translit_end(text, a, end)
        if b - a >= 2 and a not in taken and not is_name(text[a:b]) and word_tag(text[a:b]) in (None, "nr", "nrt", "nrfg"):
            add_person(a, b)
            titled.add(text[a:b])
        b = tm.start()
        a = _translit_start(text, b, start)
        if b - a >= 2 and a not in taken and not is_name(text[a:b]) and word_tag(text[a:b]) in (None, "nr", "nrt", "nrfg") \
                and (tm.group() in HEAD_TITLES or tm.group() in FOREIGN_HEAD_TITLES):
            add_person(a, b)
            titled.add(text[a:b])
    # 4c. a name opening a sentence or clause and followed by a speech verb (。某某某说, ，某某某表示): a
    #     three-character name jieba did not see whole
    for sm in OPENING_SPEAKER.finditer(text, start, end):
        a = sm.start(1)
        i = token_index(tokens, a)
        if i is None or tokens[i].start != a or not (tokens[i].tag.startswith("nr") or tokens[i].tag == "x"):
            continue  # 但|我们认为, 战友|们说: jieba reads no name there
        if a not in taken and _free_name(text[a : a + 3], a, reg_start, org_start):
            add_person(a, a + 3)
            titled.add(text[a : a + 3])
    # 4d. the other names of a list joined by 、 that holds a person: 授予某甲、某乙、某丙, 省领导某甲、某乙出席
    for p in sorted(persons, key=lambda m: m.start):
        b = p.end
        while text[b : b + 1] == "、" and b + 1 < end:
            e = read_name(text, b + 1, end, tokens)
            if e is None or (b + 1) in taken or not _free_name(text[b + 1 : e], b + 1, reg_start, org_start):
                break
            add_person(b + 1, e)
            b = e
        a = p.start
        while a - 1 > start and text[a - 1] == "、":
            item = next((k for k in (3, 2) if a - 1 - k >= start and _starts_token(tokens, a - 1 - k)
                         and _free_name(text[a - 1 - k : a - 1], a - 1 - k, reg_start, org_start)), None)
            if item is None or (a - 1 - item) in taken:
                break
            a -= 1 + item
            add_person(a, a + item)
    # 5. a name read with its title is the same person wherever else the article writes it (王某明说…
    #    where jieba cut 王某|明说): three-character names anywhere, two-character ones before a name ending
    for name in sorted({n for n in titled if len(n) >= 2}, key=len, reverse=True):
        for nm in re.finditer(re.escape(name), text[start:end]):
            a, b = start + nm.start(), start + nm.end()
            if a in taken or any(p.start < b and a < p.end for p in persons):
                continue
            if len(name) == 2 and b < end and text[b] not in NAME_END and not _aligned(tokens, a, b):
                continue  # a two-character name inside a longer word is not that name
            add_person(a, b)
    # 6. a surname with a post or an honorific (孔书记, 孙先生, 江主席) is the one person of that surname the
    #    article names in full: a mention of that person, not a new one
    by_surname: dict[str, set[str]] = {}
    for p in persons:
        if len(p.text) >= 2:
            by_surname.setdefault(p.text[0], set()).add(p.key)
    for i in [i for i, t in enumerate(tokens[:-1]) if t[2] in by_surname] if by_surname else ():
        t, nxt = tokens[i], tokens[i + 1]
        if len(t.word) == 1 and t.word in by_surname and len(by_surname[t.word]) == 1 and t.start not in taken \
                and (nxt.word in HONORIFICS or nxt.word in title_set()) and t.start >= start:
            key = next(iter(by_surname[t.word]))
            persons.append(Mention(article_id, PERSON, t.start, t.end, t.word, key))
            taken.add(t.start)
    return persons, facts


HONORIFICS = {"先生", "女士", "同志", "老师", "师傅", "阿姨", "大爷", "大妈", "大姐", "大哥", "老人", "夫人", "小姐"}


def _parse_posts(ctx: Context, text: str, pos: int, lo: int, org_end: dict, reg_end: dict, org_start: dict,
                 reg_start: dict, suffixes: list[str]) -> list[tuple[str, str]]:
    """Walk left from a name over ``[organ]title`` segments joined by 、 and return (organ key, title)."""
    segs: list[tuple[str | None, str, str | None, str | None]] = []  # (org key, title, place key, bare organ)
    while True:
        title = _title_before(text, pos, lo)
        if title is None:
            break
        tpos = pos - len(title)
        org_key = place = bare = None
        nxt = tpos
        if tpos in org_end:
            om = org_end[tpos]
            org_key = om.key
            rm = reg_start.get(om.start)
            place = rm.key if rm is not None and rm.end < om.end else None
            if place is None and om.text.startswith("省") and ctx.province:
                place = ctx.province_name
            nxt = om.start
        elif tpos in reg_end:
            rm = reg_end[tpos]
            place = rm.key
            nxt = rm.start
        elif any(text[tpos - len(w) : tpos] == w and (tpos - len(w)) in reg_end for w in ORGAN_WORDS):
            w = next(w for w in ORGAN_WORDS if text[tpos - len(w) : tpos] == w and (tpos - len(w)) in reg_end)
            rm = reg_end[tpos - len(w)]
            full = ctx.gaz.regions[rm.code].name if rm.code else rm.key
            org_key = canonical_org(ctx, rm.text + w, (rm.text, full))
            place = rm.key
            nxt = rm.start
        else:
            for s in suffixes:
                if tpos - len(s) >= lo and text[tpos - len(s) : tpos] == s:
                    bare = s
                    nxt = tpos - len(s)
                    break
            if bare is None and text[tpos - 1 : tpos] == "省" and ctx.province:
                place = ctx.province_name
                nxt = tpos - 1
        segs.append((org_key, title, place, bare))
        pos = nxt
        if pos - 1 >= lo and text[pos - 1] == "、":
            pos -= 1
            continue
        if pos - 1 >= lo and text[pos - 1] == "，":  # 省人大代表，村党总支书记张某: posts in apposition
            before = _title_before(text, pos - 1, lo)
            if before and (pos - 1 - len(before) in org_end or pos - 1 - len(before) in reg_end):
                pos -= 1
                continue
        break
    segs.reverse()
    out: list[tuple[str, str]] = []
    prev_org = prev_place = None
    for org_key, title, place, bare in segs:
        key = org_key
        if key is None and bare is not None and not prev_place and prev_org:
            prev_place = _place_of(prev_org)  # 官营子村党总支书记、村委会主任: the village's committee
        if key is None and bare is not None and prev_place:
            key = prev_place + bare if not bare.startswith(prev_place) else bare
        if key is None and place is not None:
            key = _implied_with_place(place, title)
        if key is None and title in IMPLIED:
            imp = IMPLIED[title]
            key = f"{ctx.province_name}人民政府" if imp == "province_gov" and ctx.province else (
                imp if imp != "province_gov" else None)
        if key is None and prev_org is not None and title not in GOV_TITLES and title not in IMPLIED:
            key = prev_org
        if key is not None:
            out.append((key, title))
            prev_org = key
        if place is not None or org_key is not None:
            prev_place = place  # an organ named without a place ends the previous place's reach
    return out


OPENING_SPEAKER = compiled(r"(?:^|(?<=[。！？；，：\n“]))([\u4e00-\u9fff]{3})(?=说|表示|介绍|指出|强调|认为|坦言|告诉记者)", re.M)


def _free_name(name: str, a: int, reg_start: dict, org_start: dict) -> bool:
    """A surname and given name that no place or organisation starts at and no common word ends like."""
    return _dictionary_allows(name) and a not in reg_start and a not in org_start and name[-1] not in NOT_NAME_FINAL


def _dictionary_allows(name: str) -> bool:
    """A surname and given name that jieba's dictionary does not know as another word: unknown, a person's
    name, or a three-character name it files as a common word (刘某涛/n, 周某来/t)."""
    tag = word_tag(name)
    return is_name(name) and (tag in (None, "nr", "nrfg", "nrt") or (len(name) == 3 and tag in NAME_LIKE_TAGS))


def _place_of(organ: str) -> str | None:
    """The place an organ's name opens with, where it ends in a place suffix: 官营子村党总支 → 官营子村."""
    m = re.match(r"(.{1,12}?(?:村|镇|乡|街道|社区|县|市|区|旗))(?:党总支|党支部|党委|党工委|村委会|居委会|管委会)$", organ)
    return m.group(1) if m else None


def _implied_with_place(place: str, title: str) -> str | None:
    if title in GOV_TITLES:
        return place + GOV_TITLES[title]
    if title in PARTY_TITLES:
        return f"中共{place}委员会"
    return None


def _names_around(tokens: list[Token], i: int) -> bool:
    """In a list joined by 、 the neighbours are names too (three-character person tokens)."""
    for j in (i - 2, i + 2):
        if 0 <= j < len(tokens):
            t = tokens[j]
            if t.tag.startswith("nr") and len(t.word) == 3 and is_name(t.word):
                return True
    return False
