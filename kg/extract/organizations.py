"""Organizations by suffix grammar, with short forms canonicalised from the article's context.

省委 → 中共<province>委员会, 省政府 → <province>人民政府, 省工信厅 → <province>工业和信息化厅:
the expansions below are the standard names of Chinese party and government organs.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..lexicon import national_organs, org_suffixes, title_set, titles as title_list, titles_pattern
from ..records import ORGANIZATION, Mention
from ..regexes import compiled
from .context import Context
from .tokens import STOP_CHARS, Token, has_proper_part, is_name_token, listed_before, token_index, word_tag

# Standard abbreviations of departments (the part after the province/city prefix).
DEPT_ABBREV = {
    "工信厅": "工业和信息化厅", "发改委": "发展和改革委员会", "人社厅": "人力资源和社会保障厅",
    "住建厅": "住房和城乡建设厅", "文旅厅": "文化和旅游厅", "卫健委": "卫生健康委员会", "科技厅": "科学技术厅",
    "市场监管局": "市场监督管理局", "林草局": "林业和草原局", "国资委": "人民政府国有资产监督管理委员会",
    "统战部": "统一战线工作部", "教育工委": "教育工作委员会", "政法委": "政法委员会", "网信办": "网络安全和信息化委员会办公室",
    "外办": "人民政府外事办公室", "侨联": "归国华侨联合会", "妇联": "妇女联合会", "团委": "共青团委员会",
    "台办": "台湾工作办公室", "应急厅": "应急管理厅", "交通厅": "交通运输厅", "农业农村厅": "农业农村厅",
    "工商联": "工商业联合会", "科协": "科学技术协会", "文联": "文学艺术界联合会", "作协": "作家协会",
}
PARTY_UNDER_COMMITTEE = ("统一战线工作部", "宣传部", "组织部", "台湾工作办公室", "教育工作委员会", "政法委员会",
                         "网络安全和信息化委员会办公室", "办公厅", "政策研究室", "巡视工作领导小组")
DEMOCRATIC_PARTIES = ("民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社", "台盟")
ORGAN_ENDINGS = ("委员会", "委", "政府", "人大", "人民代表大会", "人代会", "人大常委会", "政协", "厅", "局", "办", "部", "署",
                 "办公室", "办公厅", "党工委", "管委会", "工委", "党组", "党委", "处", "法院", "检察院", "委会", "侨联", "妇联",
                 "科协", "文联", "作协", "工商联", "台办", "外办", "团委", "总工会", "工会", "军区", "中心组")
TITLE_WORDS = frozenset(title_list()) | {"代表", "负责人", "同志"}
BRANCH_ENDINGS = compiled(r"[^，。、；]{0,10}?(?:分行|支行|分公司|分社|分局|分院|营业部)")
ENTERPRISE_ENDINGS = ("公司", "集团", "银行", "分行", "支行", "大学", "学院", "学校", "医院", "研究院", "研究所", "实验室",
                      "商会", "协会", "学会", "基金会", "电视台", "报社", "出版社", "交易所", "合作社", "联合社")
LEVEL_WORDS = {"省": "province", "市": "city", "县": "county", "区": "county", "自治区": "province"}
ORG_GOVERNING = {"充分发挥", "发挥", "依托", "联合", "携手", "会同", "支持", "推动", "引导", "鼓励", "组织", "指导"}
ORG_START_BAD = set("个家所各该本其某这那些位名项条")
# endings that look like an organ's suffix but are words: 部署, 东北部 (a direction), 布局, 格局
NOT_ORG_ENDINGS = ("地处", "之处", "到处", "各处", "身处", "好处", "难处", "住处", "部署", "东部", "西部", "南部", "北部", "中部", "布局", "格局", "结局", "全局", "大局", "开局", "新局", "干部",
                    "全部", "内部", "外部", "局部", "本部", "头部", "底部", "顶部", "尾部")  # (…基地|全部建成: all, not an organ)
GENERIC = {"企业", "公司", "集团", "政府", "部门", "单位", "学校", "大学", "医院", "银行", "中心", "机构", "协会", "委员会",
           "党委", "支部", "法院", "党组", "基层党组织", "研究院", "实验室", "商会", "联合会", "学院", "局", "厅", "委",
           "办", "部", "署", "管委会", "村委会", "党工委", "国企", "央企", "民企", "外企", "高校", "车企", "房企", "药企",
           "分公司", "子公司", "总公司", "开发区", "有限公司", "股份有限公司", "省委", "市委", "县委", "省政府", "市政府"}


def canonical_org(ctx: Context, name: str, region_prefix: tuple[str, str] | None) -> str:
    """Canonical name of an organisation written as ``name``.

    ``region_prefix`` is (written prefix, full region name) when the name opens with a region
    (辽宁省委 → ('辽宁省', '辽宁省')); a bare 省/市 prefix takes the paper's province.
    """
    national = national_organs()
    if name in national and national[name]:
        return national[name]
    full, rest = "", name
    if region_prefix:
        written, full = region_prefix
        rest = name[len(written):]
    elif name.startswith("省") and ctx.province:
        full, rest = ctx.province_name, name[1:]
    elif name.startswith("全省") and ctx.province:
        full, rest = ctx.province_name, name[2:]
    for party in DEMOCRATIC_PARTIES:
        if name.startswith(party) and len(name) > len(party):
            inner = name[len(party):]
            inner = re.sub(r"第[一二三四五六七八九十]+届", "", inner)
            inner = inner.replace("委员会", "委").replace("委会", "委")
            if inner.endswith("委"):
                return party + inner[:-1] + "委员会"
            return name
    if full and (rest.endswith(ENTERPRISE_ENDINGS) or not rest.endswith(ORGAN_ENDINGS)):
        return name  # an enterprise, institution or works keeps its name as written: 辽宁某某有限公司
    if not full:
        if name.startswith("中国") and name[2:] in DEPT_ABBREV:  # 中国科协: the national body
            return "中国" + DEPT_ABBREV[name[2:]]
        return name
    if rest == "台办":  # the government's office; the party's is 省委台办 (below)
        return f"{full}人民政府台湾事务办公室"
    rest = DEPT_ABBREV.get(rest, rest)
    if rest in ("委", "委员会"):
        return f"中共{full}委员会"
    if rest.startswith("委") and not rest.startswith("委员会"):
        sub = DEPT_ABBREV.get(rest[1:], rest[1:])
        return f"中共{full}委{sub}"
    if rest in ("政府", "人民政府"):
        return f"{full}人民政府"
    if rest.startswith("政府") and len(rest) > 2:
        sub = DEPT_ABBREV.get(rest[2:], rest[2:])
        return f"{full}人民政府{sub}" if not sub.startswith("人民政府") else f"{full}{sub}"
    if rest in ("人大", "人民代表大会", "人代会"):
        return f"{full}人民代表大会"
    if rest in ("人大常委会",):
        return f"{full}人民代表大会常务委员会"
    if rest in ("政协", "政协委员会"):
        return f"政协{full}委员会"
    if rest.startswith("政协") and len(rest) > 2:
        return f"政协{full}委员会{rest[2:]}"
    if rest in PARTY_UNDER_COMMITTEE:
        return f"中共{full}委{rest}"
    return full + rest


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern]:
    """Any organisation suffix; and the fixed names of national organs and a province's own organs."""
    suffix = compiled("(" + "|".join(map(re.escape, org_suffixes())) + ")")
    names = list(national_organs()) + ["省委", "省政府", "省人大常委会", "省人大", "省政协", "省人代会"]
    fixed = compiled("(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + ")")
    return suffix, fixed


def find_organizations(ctx: Context, article_id: str, text: str, start: int, end: int, tokens: list[Token],
                       regions: list[Mention]) -> list[Mention]:
    """Spans ending in an organisation suffix, their left edge found by walking back over name tokens."""
    region_at = {m.start: m for m in regions}
    region_end = {m.end: m for m in regions}
    suffixes = org_suffixes()
    pattern, fixed = _patterns()
    found: list[Mention] = []
    occupied: list[tuple[int, int]] = []
    candidates: list[tuple[int, int]] = []
    for m in pattern.finditer(text, start, end):
        b = m.end()
        # extend to the longest suffix chain: 委员会办公厅, 党工委
        candidates.append((m.start(), b))
    spans: list[tuple[int, int, str]] = []
    title_at, titles_known = titles_pattern(), title_set()
    title_lengths = sorted({len(t) for t in titles_known})
    for a_suf, b in candidates:
        tm = title_at.match(text, a_suf)
        if tm and text[a_suf] in "党委政" and tm.end() - a_suf > b - a_suf:
            continue  # 党组 in 党组书记 is part of the title, not an organ
        if any(k > b - a_suf and text[b - k : b] in titles_known for k in title_lengths):
            continue  # 委 in 常委, 主委 ends a title, not an organ
        if text[b - 2 : b] in NOT_ORG_ENDINGS or text.startswith("城市", b) or (
                text[a_suf:b] == "中心" and text.startswith(("工作", "任务"), b)):  # 省政府|中心工作: the main work
            continue  # 战略部署, 东北部, 新格局; 国际化中心城市 is a city's role, not a centre
        ti = token_index(tokens, b - 1)
        title_next = title_at.match(text, b) is not None
        if ti is None or (tokens[ti].end != b and not title_next):
            continue  # the suffix ends inside a word: 部署, 委托 (but 产业处|处长: a title follows)
        tok = tokens[ti]
        if len(tok.word) > b - a_suf and tok.tag.startswith("v") and tok.word not in suffixes and not title_next:
            continue  # a verb ending in a suffix character (部署) is no organ
        a = _left_edge(text, tokens, a_suf, start, region_at)
        if a is None and a_suf in region_end:
            a = region_end[a_suf].start  # an organ right after its place: 李家村|党总支
        if a is None:
            continue
        a = _parent_prefix(text, tokens, a, start, region_end)
        ti0 = token_index(tokens, a)
        if ti0 is not None and tokens[ti0].start == a and tokens[ti0].word in ORG_GOVERNING and tokens[ti0].end < a_suf:
            a = tokens[ti0].end  # 充分发挥|某某集团: the verb governs the organisation
        while True:  # 中国|外交部: a country's organ keeps its country; 中国驻|南非研究中心 its seat abroad too
            before = region_end.get(a) or (region_end.get(a - 1) if text[a - 1 : a] == "驻" else None)
            if before is None or not before.code.startswith("country:") or before.start < start:
                break
            a = before.start
        if (a + 1) in region_at and word_tag(text[a]) in ("v", "p", "c", "d", "r"):
            a += 1  # ——访|沈抚改革创新示范区党工委: a verb glued to the region that opens the name
        party = next((p for p in DEMOCRATIC_PARTIES if text.startswith(p, a - len(p)) and a - len(p) >= start), None)
        if party and a in region_at:
            a -= len(party)  # 民进|辽宁省委会: the party's committee in a province
        anchored = a in region_at or text[a] in "省市县区" or text.startswith(("国家", "中央", "中共"), a) \
            or (b - a_suf == 1 and tok.end == b and tok.start == a and len(tok.word) >= 3
                and tok.tag == "nt")  # 财政部, 外交部: jieba knows the whole organ
        if b - a_suf == 1 and not anchored:
            continue  # a one-character suffix (厅 局 委 部) needs its region: 布局, 开好局 are not organs
        if not anchored and not has_proper_part(tokens, a, a_suf):
            continue  # 企业技术中心, 养老中心: a generic description, not a name
        spans.append((a, b, text[a:b]))
    starts, ends, national = {t.start for t in tokens}, {t.end for t in tokens}, national_organs()
    for m in fixed.finditer(text, start, end):
        if m.group(1) not in national or (m.start(1) in starts and (m.end(1) in ends or title_at.match(text, m.end(1)))):
            spans.append((m.start(1), m.end(1), m.group(1)))  # 建设部 never inside 建设|部署 (全国人大|代表: a post)
    spans += listed_as_organizations(text, start, end, tokens, region_at)
    # longest first, non-overlapping
    spans.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
    for a, b, name in spans:
        while a < b and (text[a].isspace() or text[a] in "*#"):  # the mention's offsets and text stay one and the
            a += 1  # same (and **3**家…公司: the page's bold marks are no part of a name)
        while b > a and text[b - 1].isspace():
            b -= 1
        name = text[a:b]
        if any(a < y and x < b for x, y in occupied):
            continue
        if name in GENERIC or len(name) < 2 or (name[0] in ORG_START_BAD and a not in region_at):
            if name not in ("省委", "省政府", "省政协", "省人大") or not ctx.province:
                continue
        if name == "中央":
            continue
        prefix = None
        rm = region_at.get(a)
        if rm is not None and rm.end < b and rm.code:
            prefix = (rm.text, ctx.gaz.regions[rm.code].name)
        key = canonical_org(ctx, name, prefix)
        qm = EVENT_COMMITTEE.match(name)
        if qm and text[a - 1 : a] == "”" and 0 <= text.rfind("“", max(start, a - 12), a - 1) < a - 2:
            a = text.rfind("“", max(start, a - 12), a - 1)  # “某某冬”省筹委会: the committee of the event quoted,
            name = text[a:b]  # known by that name too (its key stays the bare one, which later mentions use)
        occupied.append((a, b))
        found.append(Mention(article_id, ORGANIZATION, a, b, name, key))
    return found


# the committees an event sets up, named after the event written in quotes before them
EVENT_COMMITTEE = compiled(r"[省市县区]?(?:筹委会|组委会|执委会|筹备委员会|组织委员会|执行委员会|指挥部)$")


# "X、Y等企业", "以X、Y等一批企业为龙头", "X、Y等30余家企业": names listed before the kind they are.
LISTED_KIND = compiled(r"等(?:[0-9一二三四五六七八九十百千]+[余多]?[家个所])?(?:一批|多家|重点|龙头|知名|头部|骨干|科技|民营|外资)*"
                         r"(?:企业|公司|车企|药企|银行|金融机构|高校|院校|科研院所|院所|单位|机构|平台企业)")
MAX_LISTED_NAME = 10


def listed_as_organizations(text: str, start: int, end: int, tokens: list[Token],
                            region_at: dict) -> list[tuple[int, int, str]]:
    """Brand and short company names carry no suffix (华为, 西门子, 欧姆龙); official prose names them in
    a list closed by what they are: 与中国联通、华为等企业, 来自西门子、思爱普等30余家企业."""
    return [(a, b, text[a:b]) for a, b in listed_before(text, start, end, tokens, LISTED_KIND, MAX_LISTED_NAME)
            if text[a:b] not in GENERIC and not (a in region_at and region_at[a].end >= b)]


def _parent_prefix(text: str, tokens: list[Token], a: int, lo: int, region_end: dict | None = None) -> int:
    """A branch or regional company is named after its parent: 建设银行|武威民勤支行, 国家电投|东北公司,
    建设银行|合肥市|庐阳支行. Extend left over a token jieba tags as an organisation (nt) or a bank, group
    or company name, also across places written between them, or over 国家+2 characters (the state
    groups' short names) before a regional part."""
    j = a
    while region_end and j in region_end and region_end[j].start >= lo and region_end[j].start < j:
        j = region_end[j].start
    if BRANCH_ENDINGS.match(text, a, a + 14):
        tj = token_index(tokens, j - 1)
        if tj is not None and tokens[tj].end == j and tokens[tj].start >= lo and j < a + 14 and (
                tokens[tj].tag == "nt" or tokens[tj].word.endswith(("银行", "集团", "公司"))):
            return tokens[tj].start
    ti = token_index(tokens, a - 1)
    if ti is not None and tokens[ti].end == a and tokens[ti].tag == "nt" and tokens[ti].start >= lo:
        return tokens[ti].start
    if a - 4 >= lo and text.startswith("国家", a - 4) and all("\u4e00" <= c <= "\u9fff" for c in text[a - 2 : a]) \
            and text.startswith(("东北", "华北", "华东", "华南", "华中", "西北", "西南"), a):
        return a - 4
    return a


def _inside(region_at: dict, outer: int, inner: int) -> bool:
    """The region starting at ``inner`` lies inside the one starting at ``outer`` (北京|石景山)."""
    from ..lexicon import gazetteer

    o, n = region_at.get(outer), region_at.get(inner)
    return o is not None and n is not None and bool(o.code) and bool(n.code) and o.code in gazetteer().ancestors(n.code)


def _provinces(region_at: dict, *starts: int) -> bool:
    """The regions starting at these offsets are all provinces (GB/T 2260 codes ending 0000)."""
    return all(s in region_at and region_at[s].code.isdigit() and region_at[s].code.endswith("0000") for s in starts)


def _left_edge(text: str, tokens: list[Token], a: int, lo: int, region_at: dict) -> int | None:
    """Walk left from the suffix start over name tokens (at most five), stopping at stop characters."""
    idx = token_index(tokens, a - 1)
    if idx is None:
        return None
    # the suffix itself may begin inside a token (党工委 inside 示范区党工委): count from that token
    first = None
    count = 0
    i = idx
    seen_and = False
    while i >= 0 and count < 6:
        t = tokens[i]
        if t.word in ("和", "与") and not seen_and and first is not None:
            # 工业和信息化厅, 新闻与传播学院: allowed only inside a name opened by a region or 省/市
            j = i - 1
            if j >= 0 and is_name_token(tokens[j]) and tokens[j].word not in STOP_CHARS \
                    and not tokens[j].tag.startswith("nr") and not any(
                    tokens[j].word.endswith(s) for s in org_suffixes()):
                seen_and = True
                i -= 1
                count += 1
                continue
            break
        if t.word in (")", "）") and first is not None:  # 某某(沈阳)机床有限公司: a company's seat in brackets
            p = max(text.rfind("(", lo, t.start), text.rfind("（", lo, t.start))
            seat = region_at.get(p + 1)
            j = token_index(tokens, p - 1) if p > lo else None
            if seat is not None and seat.end == t.start and j is not None and tokens[j].end == p \
                    and is_name_token(tokens[j]) and not any(c in STOP_CHARS for c in tokens[j].word):
                i = j
                count += 1
                continue
            break
        opened = t.start in region_at and region_at[t.start].end == t.end  # 大连 (jieba: an adverb) opening 大连某某公司
        inner = i > 0 and len(t.word) >= 2 and (
            (t.tag == "l" and first is not None and tokens[i - 1].start in region_at)  # 某省|国有资本|运营公司
            or (t.tag == "v" and tokens[i - 1].tag == "nt" and len(t.word) == 2))  # 某部|征兵|办公室: an organ's office for a task
        if not (opened or inner) and (any(c in STOP_CHARS for c in t.word) or not is_name_token(t) or t.word in TITLE_WORDS \
                or (t.tag == "f" and len(t.word) == 1) \
                or (t.tag in ("nr", "nrfg", "nrt") and i > 0 and tokens[i - 1].word in TITLE_WORDS)):
            break  # 委员李某与…部, 代表中国政府: a person or a post is not part of an organ's name
        first, first_idx = t.start, i
        count += 1
        if t.start in region_at and not (i > 0 and tokens[i - 1].end == t.start and (
                _provinces(region_at, tokens[i - 1].start, t.start)
                or (_inside(region_at, tokens[i - 1].start, t.start) and not text.startswith(ORGAN_ENDINGS, a)))):
            break  # the region opening the name (辽宁省|香港|商会: two provinces open it; 北京|某山|发电总厂: a works
            # keeps the city it writes before its district; 安康市|汉阴县政府 does not: an organ is its county's)
        i -= 1
    if first is None:
        # the suffix token is the whole name (中心, 集团): no name
        return None
    if seen_and and not (first in region_at or text[first] in "省市县区" or tokens[first_idx].tag == "nt"):
        return None  # 和/与 inside a name only after a region or a parent organisation (辽宁大学新闻与传播学院)
    return first


def coordinated_organs(ctx: Context, article_id: str, text: str, orgs: list[Mention], regions: list[Mention]) -> list:
    """Official prose lists the regions that share an organ before naming it once: 大连市、长春市、
    哈尔滨市人大常委会 are three standing committees; 吉林省、黑龙江省国资委 two commissions. Each listed
    region gets its organ (canonicalised as the written one is), stated as located in that region."""
    from ..records import LOCATED_IN, REGION, Fact

    by_end = {r.end: r for r in regions if r.code and r.code.isdigit()}
    by_start = {r.start: r for r in regions if r.code and r.code.isdigit()}
    facts = []
    for m in orgs:
        head = by_start.get(m.start)
        if head is None or head.end >= m.end:
            continue
        rest = m.text[head.end - m.start :]
        pos = m.start
        while pos > 0 and text[pos - 1] == "、" and (pos - 1) in by_end:
            r = by_end[pos - 1]
            full = ctx.gaz.regions[r.code].name
            key = canonical_org(ctx, r.text + rest, (r.text, full))
            if key != m.key:
                facts.append(Fact(LOCATED_IN, (ORGANIZATION, key), (REGION, r.key), article_id, at=r.start))
            pos = r.start
    return facts
