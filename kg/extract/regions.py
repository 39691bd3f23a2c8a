"""Regions: gazetteer names (full and short forms), zones and towns by suffix, macro-regions, countries."""
from __future__ import annotations

import re

from ..lexicon import TOWN_SUFFIXES, ZONE_SUFFIXES, short_forms
from ..records import PART_OF, REGION, Fact, Mention
from ..regexes import compiled
from .context import Context
from .tokens import LEAD_VERBS, STEM_STOPS, Token, token_index, walk_left, word_tag

ZONE_RE = compiled("(" + "|".join(ZONE_SUFFIXES) + ")")
ZONE_AFTER_RE = compiled("([\u4e00-\u9fff]{0,6}?)(" + "|".join(ZONE_SUFFIXES) + ")")
TOWN_RE = compiled("([\u4e00-\u9fff]{1,5}?)(" + "|".join(TOWN_SUFFIXES) + ")")
DATELINE_RE = compiled(r"(?:新华社|中新社|本报)(?:记者)?([\u4e00-\u9fff]{2,8}?)"
                         r"[0-9０-９一二三四五六七八九十]{1,2}月[0-9０-９一二三四五六七八九十]{1,3}日(?:电|讯)")
# a zone named with its region in brackets: 中国（辽宁）自由贸易试验区, 西部（重庆）科学城
ZONE_BRACKET_RE = compiled("[（(]([\u4e00-\u9fff]{2,8})[）)]([\u4e00-\u9fff]{0,8}?)(" + "|".join(ZONE_SUFFIXES) + ")")
SENTENCE_STOPS = "。！？；\n"
ZONE_LEAD_VERBS = LEAD_VERBS | {"建设", "创建", "申建", "设立", "依托", "围绕", "争创"}  # 建设|某某创新区
FEATURE_ENDS = set("河江湖海山岭峰湾峡岛街路寺宫门塔桥港原漠洋洲")
TOWN_ORGAN_RE = compiled("(村|镇|乡|街道|社区)(?=党总支|党支部|党委|党工委|村委会|居委会|政府|两委)")
GENERIC_TOWN_STEMS = {"乡", "农", "全", "各", "本", "该", "我", "城", "新农", "一", "两", "三", "每", "同", "邻", "外", "此",
                      "小", "大", "美丽", "示范", "重点", "特色", "贫困", "试点", "中心", "古", "老", "山", "渔", "建制", "乡镇"}
LEVEL_RANK = {"province": 0, "country": 0, "macro": 1, "city": 2, "abroad": 2, "county": 3}


def choose_code(ctx: Context, codes: list[str], seen: list[str]) -> str:
    """Pick the reading of an ambiguous name: inside a region just named, then in the paper's province,
    then the highest level (吉林 the province before 吉林市), then the first."""
    gaz = ctx.gaz

    def rank(code: str) -> tuple:
        anc = gaz.ancestors(code)
        near = 0 if seen and any(a in seen[-6:] for a in anc) else 1
        home = 0 if ctx.province and (code == ctx.province or ctx.province in anc) else 1
        return (near, home, LEVEL_RANK.get(gaz.regions[code].level, 4), code)

    return min(codes, key=rank)


def region_key(ctx: Context, code: str) -> str:
    """Canonical name: the full name, qualified by its city where the bare name is ambiguous (沈阳市铁西区)."""
    gaz = ctx.gaz
    reg = gaz.regions[code]
    if reg.level == "county" and gaz.is_ambiguous_name(reg.name) and reg.parent:
        return gaz.regions[reg.parent].name + reg.name
    return reg.name


def find_regions(ctx: Context, article_id: str, text: str, start: int, end: int,
                 tokens: list[Token]) -> tuple[list[Mention], list[Fact]]:
    gaz = ctx.gaz
    mentions: list[Mention] = []
    facts: list[Fact] = []
    seen: list[str] = []
    tok_at = {t.start: t for t in tokens}
    tok_end = {t.end: t for t in tokens}
    taken = [False] * (end - start)

    def take(a: int, b: int) -> bool:
        if any(taken[a - start : b - start]):
            return False
        for k in range(a - start, b - start):
            taken[k] = True
        return True

    # 1. gazetteer matches, leftmost-longest, on token boundaries where jieba agrees
    for a, b, form in gaz.find_forms(text[start:end]):
        a, b = a + start, b + start
        if not _on_boundary(a, b, tok_at, tok_end, text, form) and not (
                a in tok_at and any(gaz.regions[c].level == "province" for c in gaz.forms[form])):
            continue  # (a province opening a word is still named: 台湾|同胞, 山东|人)
        if text[b : b + 1] in ("镇", "乡", "村") and all(gaz.regions[c].name != form for c in gaz.forms[form]):
            continue  # 山南镇 is a town, not 山南市: the chain from its county reads it
        code = choose_code(ctx, gaz.forms[form], seen)
        if _stray_short_form(ctx, code, form, text, start, end):
            continue
        seen.append(code)
        if not take(a, b):
            continue
        key = region_key(ctx, code)
        if gaz.regions[code].level == "city" and text.startswith("地区", b) and not any(taken[b - start : b + 2 - start]):
            take(b, b + 2)  # 那曲地区, 日喀则地区: a prefecture by its older name
            b += 2
        mentions.append(Mention(article_id, REGION, a, b, text[a:b], key, code=code))
    # 1a. a county's short form jieba takes for a person's name (康平), where jieba cuts it as a word and the
    #     article names the county's city (沈阳): one reading only
    if gaz.name_like_forms:
        body = text[start:end]
        for a, b, form in gaz.find_name_like_forms(body):
            a, b = a + start, b + start
            if a not in tok_at or b not in tok_end or any(taken[a - start : b - start]):
                continue
            codes = [c for c in gaz.name_like_forms[form] if _named_in(ctx, gaz.regions[c].parent, body)]
            if len(codes) == 1 and take(a, b):
                seen.append(codes[0])
                mentions.append(Mention(article_id, REGION, a, b, form, region_key(ctx, codes[0]), code=codes[0]))
    # 1b. the place of a dateline (新华社莫斯科12月3日电, 本报伊斯兰堡…): a city the gazetteer may not hold
    datelined = set()
    for dm in DATELINE_RE.finditer(text, start, end):
        a, b = dm.span(1)
        if not any(taken[a - start : b - start]) and take(a, b):
            mentions.append(Mention(article_id, REGION, a, b, text[a:b], text[a:b]))
            datelined.add(text[a:b])
    for name in datelined:  # the same place wherever else the article names it
        for nm in re.finditer(re.escape(name), text[start:end]):
            a, b = start + nm.start(), start + nm.end()
            if (len(name) >= 3 or (a in tok_at and b in tok_end)) and take(a, b):
                mentions.append(Mention(article_id, REGION, a, b, name, name))
    # 2. zones and towns chained after a region (大连金普新区, 阜新蒙古族自治县于寺镇官营子村)
    chained: list[Mention] = []
    coded_end = {m.end: m for m in mentions if m.code}
    for m in sorted(mentions, key=lambda m: m.start):
        parent = m
        while True:
            ext = _extend(text, parent.end, end)
            if ext is None:
                break
            b, is_zone = ext
            if is_zone and parent is m:
                a = m.start  # zone keeps its region prefix: 大连金普新区
                outer = coded_end.get(a)
                if m.code and outer is not None and outer.code in gaz.ancestors(m.code):
                    a, parent = outer.start, outer  # 沈阳浑南科技城: named from, and sitting in, its city
                name = text[a:b]
            else:
                name = text[parent.end : b]
                a = parent.end
            last = tok_end.get(b)
            if not is_zone and (word_tag(text[parent.end : b]) not in (None, "ns") or (
                    last is not None and parent.end <= last.start < b - 1 and word_tag(last.word) not in (None, "ns"))):
                break  # 农业|农村, 城乡社区: the suffix ends a word of the language, not a village's name
            if not take(max(parent.end, m.end), b):
                break
            child = Mention(article_id, REGION, a, b, name, name)
            chained.append(child)
            facts.append(Fact(PART_OF, (REGION, name), (REGION, parent.key), article_id, at=a))
            parent = child
    # 2b. a zone with its region in brackets sits in that region: 中国（辽宁）自由贸易试验区
    coded_at = {m.start: m for m in mentions if m.code}
    for zm in ZONE_BRACKET_RE.finditer(text, start, end):
        inner = coded_at.get(zm.start(1))
        first = walk_left(tokens, zm.start(), max_tokens=1)
        if inner is None or inner.end != zm.end(1) or first is None or not 2 <= zm.start() - first <= 4 \
                or any(taken[zm.end(1) + 1 - start : zm.end() - start]):
            continue
        take(zm.end(1) + 1, zm.end())
        name = text[first : zm.end()]
        chained.append(Mention(article_id, REGION, first, zm.end(), name, name))
        facts.append(Fact(PART_OF, (REGION, name), (REGION, inner.key), article_id, at=first))
    # 3. free-standing zones (沈抚改革创新示范区), walking left from the suffix over name tokens
    for zm in ZONE_RE.finditer(text, start, end):
        a, b = zm.span()
        if any(taken[a - start : b - start]):
            continue
        first = walk_left(tokens, a, max_tokens=4)
        while first is not None and first < a:  # 建设|某某创新区: the verb governs the name
            t = tokens[token_index(tokens, first)]
            if t.word not in ZONE_LEAD_VERBS or t.end >= a:
                break
            first = t.end
        if first is None or first >= a:
            continue
        name = text[first:b]
        if len(name) > 14 or not all("\u4e00" <= c <= "\u9fff" or c.isalnum() for c in name) or not take(first, b):
            continue
        chained.append(Mention(article_id, REGION, first, b, name, name))
        near = _region_before(ctx, mentions, text, start, first)
        if near is not None:  # 重庆…建设两江协同创新区: a zone after another province's place is there
            facts.append(Fact(PART_OF, (REGION, name), (REGION, near.key), article_id, at=first))
    # 4. a town or village named on its own before its organ (李家村党总支书记, 王家镇党委): walk left from
    #    the suffix over at most two name tokens, four characters
    for tm in TOWN_ORGAN_RE.finditer(text, start, end):
        a, b = tm.span(1)
        first = walk_left(tokens, a, max_tokens=2)
        if first is not None and a - first > 4:
            first = walk_left(tokens, a, max_tokens=1)
        if first is not None and text[first] in "村镇乡区县市省":
            first += 1  # 王家镇|李家村: the stem starts after another place's suffix
        if first is None or not 2 <= a - first <= 4 or text[first:a] in GENERIC_TOWN_STEMS \
                or any(c in STEM_STOPS for c in text[first:a]) or not take(first, b):
            continue
        chained.append(Mention(article_id, REGION, first, b, text[first:b], text[first:b]))
    # 5. named places jieba's dictionary knows that are not divisions: rivers, mountains, bays, streets,
    #    landmarks (淮河, 喜马拉雅山, 长安街, 天安门), by their geographic ending; two characters only for rivers
    for t in tokens:
        if t.tag == "ns" and word_tag(t.word) == "ns" and t.word[-1] in FEATURE_ENDS \
                and (len(t.word) >= 3 or (len(t.word) == 2 and t.word[-1] in "河江")) and take(t.start, t.end):
            chained.append(Mention(article_id, REGION, t.start, t.end, t.word, t.word))
    mentions.extend(chained)
    # region context for later disambiguation
    return mentions, facts


def _region_before(ctx: Context, mentions: list[Mention], text: str, lo: int, pos: int) -> Mention | None:
    """The last division named before ``pos`` in its sentence, when it lies outside the paper's province
    (a zone the text places nowhere else is otherwise taken to be in the paper's province)."""
    if not ctx.province:
        return None
    stop = max(text.rfind(c, lo, pos) for c in SENTENCE_STOPS)
    best = None
    for m in mentions:
        if m.code.isdigit() and stop < m.start and m.end <= pos and (best is None or m.start > best.start):
            best = m
    if best is None or ctx.gaz.province_of(best.code) == ctx.province:
        return None
    return best


def _named_in(ctx: Context, code: str, body: str) -> bool:
    """The article names the region ``code`` (in full or short)."""
    reg = ctx.gaz.regions.get(code)
    return reg is not None and any(n in body for n in [reg.name, *short_forms(reg.name, reg.level)] if len(n) >= 2)


def _stray_short_form(ctx: Context, code: str, form: str, text: str, start: int, end: int) -> bool:
    """A county's short form from outside the paper's province, with neither its city nor its province
    named in the article, is a word (新建 24 个…), not that county: 武威民勤 and 安康市汉阴县 stay."""
    gaz = ctx.gaz
    reg = gaz.regions.get(code)
    if reg is None or reg.level != "county" or form == reg.name or not ctx.province or not code.isdigit():
        return False
    if gaz.province_of(code) == ctx.province:
        return False
    body = text[start:end]
    return not any(_named_in(ctx, up, body) for up in (reg.parent, gaz.province_of(code)) if up)


def _on_boundary(a: int, b: int, tok_at: dict, tok_end: dict, text: str, form: str) -> bool:
    """A match must not cut through a word jieba found (锦州市 in 锦州市委 is fine: 市委 starts anew)."""
    if a in tok_at and b in tok_end:
        return True
    if a in tok_at or b in tok_end:
        # one side splits a token; accept where the split token is itself a name part
        return len(form) >= 3
    return False


def _extend(text: str, pos: int, end: int) -> tuple[int, bool] | None:
    window = text[pos : min(end, pos + 12)]
    zm = ZONE_AFTER_RE.match(window)
    if zm and not any(c in STEM_STOPS for c in zm.group(1)):
        return pos + zm.end(), True
    tm = TOWN_RE.match(window)
    if tm and tm.group(1) not in GENERIC_TOWN_STEMS and not any(c in STEM_STOPS for c in tm.group(1)):
        b = pos + tm.end()
        # do not swallow a following word: 村委会, 镇政府 stay organisations
        nxt = text[b : b + 2]
        if nxt[:1] in ("委", "党", "政", "民", "干", "级", "里") or nxt in ("集体", "企业"):
            if text[b:b + 1] in ("委", "党", "政"):
                return b, False
            return None
        return b, False
    return None
