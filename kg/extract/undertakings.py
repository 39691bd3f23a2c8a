"""Projects (named undertakings) and initiatives (named policies, plans, slogans and official events)."""
from __future__ import annotations

import re

from ..lexicon import gazetteer, longest_first
from ..records import INITIATIVE, PROJECT, Mention
from ..regexes import compiled
from .context import Context
from .regions import choose_code
from .tokens import LEAD_VERBS, STOP_CHARS, Token, has_proper_part, listed_before, token_index, walk_left, word_tag

PROJECT_SUFFIXES = ("产业基地项目", "基地项目", "项目", "工程", "基地", "核电站", "核电", "电站", "二跑道",
                    "号线", "东延线", "西延线", "南延线", "北延线", "延长线", "风电机组", "机组", "一期", "二期", "三期", "大桥", "隧道", "铁路", "高铁", "支线", "港", "产业园", "创新港",
                    "科创园", "中试基地", "大硅片", "新材料")
INITIATIVE_SUFFIXES = ("专项行动", "三年行动", "行动计划", "实施方案", "行动方案", "行动", "计划", "战略", "规划", "工程",
                       "改革", "体系", "试点", "制度", "主题教育", "学习教育", "工作会议", "会议", "大会", "全会",
                       "全体会议", "论坛", "博览会", "运动会", "年货节", "消费季", "峰会", "交流会", "座谈会",
                       "推介会", "研讨班", "洽谈会", "联席会议", "活动", "节", "试点城市", "试点示范", "思想", "理论")
SUFFIX_PATTERNS = [(typ, compiled("(" + "|".join(sorted(map(re.escape, sufs), key=len, reverse=True)) + ")"))
                   for typ, sufs in ((PROJECT, PROJECT_SUFFIXES), (INITIATIVE, INITIATIVE_SUFFIXES))]
MEETING_KINDS = ("会议", "大会", "全会", "座谈会", "交流会", "推介会", "洽谈会", "论坛", "峰会", "博览会")
SCOPED = compiled(r"(?:[0-9０-９]{4}年)?(?:中央|全国|全省|全市|全区|全县)")
PROJECT_LIST = compiled(r"等(?:[0-9一二三四五六七八九十百千]+[余多]?[个项批])?(?:一批)?(?:重大|重点|省级|国家级)*"
                          r"(?:产业|科技|基础设施|民生|能源|交通)?(?:项目|工程|大科学装置|科学装置|装置|设施)")
MAX_LISTED_PROJECT = 22
QUOTED = compiled(r"“([^“”\n]{2,24})”")
INNER_QUOTED = compiled(r"‘([^‘’“”\n]{2,24})’")  # a name quoted inside a quotation
BOOK = compiled(r"《([^《》\n]{2,60})》")
DIGIT = compiled(r"[0-9０-９一二三四五六七八九十百千万两双]")
GENERIC = {"重点项目", "重大项目", "项目", "工程", "基地", "产业项目", "建设项目", "投资项目", "民生工程", "会议", "大会",
           "活动", "行动", "计划", "战略", "规划", "改革", "体系", "试点", "制度", "工作会议", "新项目", "好项目",
           "大项目", "产业体系", "现代化产业体系", "系列活动", "专项行动", "主题活动"}
START_BAD = set("个家所各该本其某这那些位名项条次届此等新")
QUANTITY = compiled(r"^[0-9０-９一二三四五六七八九十百千万余多几两*＊]+[个项批首轮座家台]|个|以上|以下|亿元|万元")  # 10个项目, 百余个…: counts, not names
LEADING_FUNCTION = set("经暨由从据以在对向于比")  # a one-character word before a name: a preposition or "and"
CLAUSE_BREAKS = set("，。、；：！？（）()《》“”‘’「」『』 \u3000\n\t,.;:!?")
DOCTRINES = ("思想", "理论")
COUNTED = compiled(r"以上|以下|^[多几数若干]+[个项次场]|^[一两几数]?批|^新?一轮|[0-9０-９]+余[个项场次]"
                     r"|^[0-9０-９一二三四五六七八九十百]+[个项](?:重要|重大|重点|主要)")
# (10项以上改革, 多个会议, 一批工程, 新一轮…工程, 300余项活动, 16个重要战略: a count of them, not one)
PLAN_PERIOD = compiled(r"十[一二三四五六七八九]五")  # “十六五”规划 is the plan period 十六五
STRATEGIC_COMPOUNDS = ("合作", "伙伴", "投资", "意义", "高度", "地位", "定力", "眼光", "性", "协议", "框架", "对接", "重组")
CAMPAIGN_VERBS = ("深入贯彻", "学习贯彻")
COUNTED_AFTER = compiled(r"[0-9０-９]+(?:\.[0-9]+)?(?:项|个|公里|千米|处|座|条|户|家|所|万平方米|平方米)")
PHASE_END = compiled(r"[一二三四五六七八九十0-9]期$")
CHIEF_SYSTEM = compiled(r"[^\W\d_家首]长制")  # (家长制 is patriarchy, 首长制 a command structure)
MEASURES = compiled(r"[0-9０-９一二三四五六七八九十]+条")  # “26条”: a package of measures, named by what precedes
ISSUING_WORDS = ("出台", "印发", "制定", "推出", "发布", "实施", "落实", "贯彻", "提出")  # verbs that issue a document
ISSUING = compiled("|".join(ISSUING_WORDS))
LEAD_WORDS = compiled("|".join(sorted(LEAD_VERBS, key=longest_first)))
LISTED_LEAD = compiled("|".join(sorted(LEAD_VERBS | set(ISSUING_WORDS) | {"保障", "加快", "扎实推进"},
                                       key=longest_first)))
# words that govern a programme or meeting named after them (实施|某某行动, 召开|某某会议); a conjunction after
# one governs the next name too (实施A和|B工程). A meeting is governed only by convening words: 推动 and 深化
# open meeting names (新时代推动…座谈会).
CONVENING = {"召开", "举办", "举行", "出席", "参加", "承办", "主办", "筹办", "办好", "开好", "落实", "贯彻", "学习", "主持"}
GOVERNING = LEAD_VERBS | CONVENING | set(ISSUING_WORDS) | {"组织", "部署", "启动"} | {
    "全面实施", "深入实施", "大力实施", "扎实推进", "全面推进", "深入推进", "加快推进", "持续推进", "着力推进", "全面落实",
    "深入开展"}  # (an adverb and its verb, which jieba keeps as one word)
CONJUNCTIONS = {"和", "及", "与", "以及"}
HONORIFICS = {"总书记", "同志", "主席", "总理"}
PREPOSITIONS = {"在", "于"}  # 在|全国某某工作会议上: where a meeting's name starts, though nothing governs it
PROGRAMME_KINDS = ("行动", "计划", "工程", "战略", "规划")  # a governed name with one of these kinds is a programme's name
SAYING = compiled(r"[得不了着吗呢吧啊]|^[\u4e00-\u9fff]{1,2}$(?<=好)")
AWARD_WORDS = {"称号", "奖项", "品牌", "地标", "城市", "荣誉", "之称", "美誉"}
VERB_USE = compiled(r"建设|布局|开放")
JOINED_MEETING = compiled(r"暨[^，。；！？、“”《》\s]{2,24}?(?:会议|大会|座谈会|交流会|推介会|论坛|活动|仪式)")
MANNER = compiled(r"(?:“[^“”\n]{1,20}”)*的?(?:(?!等)[\u4e00-\u9fff]){0,4}?(?:原则|形式|模式|机制|方式)")
# (but “甲”“乙”等方式: named schemes listed as examples of a way)
STATE_VERBS = ("实现", "享受", "提供", "成为", "变成", "迎来", "从", "到", "把")  # (a quote after them is a state)
HONOUR_ENDINGS = ("城市", "地标", "打卡地", "之城", "之都", "百强")  # “英雄城市”, “网红打卡地”: a title won, not a policy
TAIL = compiled(r"(?![和及与])[\u4e00-\u9fff0-9]{0,14}?(?:" + "|".join(sorted(map(re.escape, INITIATIVE_SUFFIXES + (
    "产业体系", "发展战略", "赛道", "布局", "集群", "体系", "工程", "倍增计划", "培训班")), key=len, reverse=True)) + ")")


# Party congresses, plenary sessions and the sessions of people's congresses and CPPCC committees are
# written short (党的十九大, 民盟九届三中全会, 省政协十二届二次会议) and in full; both are read as the full
# name, which also names who convenes it.
_N = "[一二三四五六七八九十]{1,4}"
PARTIES = {"中国共产党": "中国共产党", "党的": "中国共产党", "中共": "中国共产党", "民革": "民革", "民盟": "民盟",
           "民建": "民建", "民进": "民进", "农工党": "农工党", "致公党": "致公党", "九三学社": "九三学社", "台盟": "台盟"}
PARTY_NAMES = {"中国共产党": "中共中央", "民革": "中国国民党革命委员会", "民盟": "中国民主同盟", "民建": "中国民主建国会",
               "民进": "中国民主促进会", "农工党": "中国农工民主党", "致公党": "中国致公党", "九三学社": "九三学社",
               "台盟": "台湾民主自治同盟"}
_PARTY = "(" + "|".join(sorted(PARTIES, key=len, reverse=True)) + ")"
CONGRESS_RE = compiled(f"(?:党的|中共|中国共产党)第?({_N})(?:次全国代表大会|大(?![会学家型量幅批力多小]))")
CENTRAL_PLENUM_RE = compiled(f"{_PARTY}第?({_N})届(?:中央委员会)?第?({_N})(?:中全会|次全体会议)")
LOCAL_PLENUM_RE = compiled(f"{_PARTY}([\u4e00-\u9fff]{{2,8}}?)(?:委员会|委)?第?({_N})届(?:委员会)?第?({_N})次(?:全会|全体会议)")
CPPCC_RE = compiled(f"政协([\\u4e00-\\u9fff]{{2,8}}?)?(?:委员会)?第?({_N})届(?:委员会)?第?({_N})次会议")
PEOPLES_CONGRESS_RE = compiled(f"第?({_N})届(全国人民代表大会|全国人大|人民代表大会|人大)第?({_N})次会议")
LOCAL_CPC_RE = compiled(f"([省市县区])委第?({_N})届第?({_N})次全(?:会|体会议)")


def _division(ctx: Context, written: str) -> str | None:
    """The full name of a province, city or county written in full or short (read as the region extractor
    reads an ambiguous name: the paper's province first), or as 省 (the paper's own)."""
    if written == "省" and ctx.province:
        return ctx.province_name
    gaz = ctx.gaz
    codes = [c for c in gaz.forms.get(written, ()) if gaz.regions[c].level in ("province", "city", "county")]
    return gaz.regions[choose_code(ctx, codes, [])].name if codes else None  # 朝阳: as the region extractor reads it


def _division_before(ctx: Context, text: str, lo: int, pos: int) -> tuple[str, int]:
    """The division whose name (its longest written form) ends at ``pos`` and that form's start:
    沈阳市|第十七届…, 省|政协…; ("", pos) when none does."""
    for k in range(min(8, pos - lo), 0, -1):
        place = _division(ctx, text[pos - k : pos])
        if place:
            return place, pos - k
    return "", pos


def meetings(ctx: Context, text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end, full name) of the party congresses, plenums and congress sessions the text names."""
    out = []
    for m in CONGRESS_RE.finditer(text, start, end):
        out.append((m.start(), m.end(), f"中国共产党第{m.group(1)}次全国代表大会"))
    for m in CENTRAL_PLENUM_RE.finditer(text, start, end):
        out.append((m.start(), m.end(), f"{PARTIES[m.group(1)]}第{m.group(2)}届中央委员会第{m.group(3)}次全体会议"))
    for m in LOCAL_PLENUM_RE.finditer(text, start, end):
        place = _division(ctx, m.group(2))
        if place:
            out.append((m.start(), m.end(), f"{PARTIES[m.group(1)]}{place}第{m.group(3)}届委员会第{m.group(4)}次全体会议"))
    for m in LOCAL_CPC_RE.finditer(text, start, end):  # 大连市委十三届八次全会: the city's Party committee
        place, a = _division_before(ctx, text, start, m.start() + 1)
        if place:
            out.append((a, m.end(), f"中国共产党{place}第{m.group(2)}届委员会第{m.group(3)}次全体会议"))
    for m in CPPCC_RE.finditer(text, start, end):
        if m.group(1):  # 政协辽宁省第十三届委员会…
            place, a = _division(ctx, m.group(1)) or "", m.start()
        else:  # 省政协十二届二次会议: the place written before
            place, a = _division_before(ctx, text, start, m.start())
        if place:
            out.append((a, m.end(), f"政协{place}第{m.group(2)}届委员会第{m.group(3)}次会议"))
    for m in PEOPLES_CONGRESS_RE.finditer(text, start, end):
        if m.group(2).startswith("全国"):
            out.append((m.start(), m.end(), f"第{m.group(1)}届全国人民代表大会第{m.group(3)}次会议"))
            continue
        place, a = _division_before(ctx, text, start, m.start())
        if place:
            out.append((a, m.end(), f"{place}第{m.group(1)}届人民代表大会第{m.group(3)}次会议"))
    return out


MEETING_CONVENER = [  # (a party congress is the party's highest organ, convened by none the text names)
    (compiled(r"(.+?)第.+届中央委员会第.+次全体会议$"), lambda m: PARTY_NAMES.get(m.group(1))),
    (compiled(r"(中国共产党|民革|民盟|民建|民进|农工党|致公党|九三学社|台盟)(.+?)第.+届委员会第.+次全体会议$"),
     lambda m: ("中共" if m.group(1) == "中国共产党" else m.group(1)) + m.group(2) + "委员会"),
    (compiled(r"政协(.+?)第.+届委员会第.+次会议$"), lambda m: f"政协{m.group(1)}委员会"),
    (compiled(r"第.+届全国人民代表大会第.+次会议$"), lambda m: "全国人民代表大会"),
    (compiled(r"(.+?)第.+届人民代表大会第.+次会议$"), lambda m: f"{m.group(1)}人民代表大会"),
]


# a meeting named after the organ that holds it: 某省委经济工作会议, 某市政府常务会议
ORGAN_MEETING = compiled(r"(.{2,10}?[省市县区州盟旗])(委|政府)(?!员会).*(?:会议|全会)$")


NATIONAL_SCOPE = compiled(r"(?:[0-9]{4}年)?(?:中央|全国)|中国共产党第.+次全国代表大会$")
EVENT_KINDS = MEETING_KINDS + ("活动", "运动会", "节", "赛")  # what a later 会议由…/活动由… sentence can mean


def is_national(name: str) -> bool:
    """An initiative of the whole nation: a 中央/全国 meeting, a party congress, a plan period (十六五), a
    doctrine. Only a host or convener the text names is its agent."""
    return bool(NATIONAL_SCOPE.match(name) or PLAN_PERIOD.fullmatch(name) or name.endswith(DOCTRINES))


def meeting_convener(name: str) -> str | None:
    """The body that convenes a meeting read by ``meetings`` (its committee, congress or party), or one
    named after the Party committee or government of a division that holds it."""
    for pattern, convener in MEETING_CONVENER:
        m = pattern.match(name)
        if m:
            return convener(m)
    m = ORGAN_MEETING.match(name)
    gaz = gazetteer()
    if m and any(gaz.regions[c].name == m.group(1) for c in gaz.forms.get(m.group(1), ())):
        return f"中共{m.group(1)}委员会" if m.group(2) == "委" else f"{m.group(1)}人民政府"
    return None


def find_undertakings(ctx: Context, article_id: str, text: str, start: int, end: int, tokens: list[Token],
                      anchors: set[int], named: list[tuple[int, int]] = (),
                      zones: list[tuple[int, int]] = ()) -> list[Mention]:
    """``anchors``: where regions and organisations start; ``named``: their spans, which a name may hold
    whole but never cut (大连金普新区|复星…项目); ``zones``: spans of zones, which a project's name
    opening with one leaves out (某某开发区|某某产业基地项目: the project is in the zone)."""
    found: list[Mention] = []
    met = meetings(ctx, text, start, end)
    named_set = set(named)
    spans: list[tuple[int, int, str, str]] = [(a, b, INITIATIVE, name) for a, b, name in met]
    # quoted names: a numbered framework (“1234”体系), a coined slogan, a plan period
    for qm in [*QUOTED.finditer(text, start, end), *INNER_QUOTED.finditer(text, start, end)]:
        inner = qm.group(1).strip()
        if any(c in inner for c in "，。！？；：,!?") or len(inner) > 16 or SAYING.search(inner):
            continue
        kind = TAIL.match(text, qm.end(), min(end, qm.end() + 20))
        if "、" in inner and not all(DIGIT.match(part) for part in inner.split("、")) \
                and not (kind and not any(c in STOP_CHARS for c in kind.group())):
            continue  # a list of words in quotes is a slogan of the text, unless numbered or named by its kind
            # (“学某某、强某某”主题教育)
        if text[qm.end() : qm.end() + 2] in AWARD_WORDS or inner.endswith(HONOUR_ENDINGS):
            continue  # “最美…”称号: an honour, not a policy
        if MANNER.match(text, qm.end()) and not DIGIT.search(inner):
            continue  # “以某定某”原则, “甲+乙”形式, “先某后某”合作机制: how a thing is done, not a named policy
        a, b = qm.start(), qm.end()
        if (a + 1, b - 1) in named_set:
            continue  # “某某三角”: a place or organisation in quotes is that place
        if MEASURES.fullmatch(inner):  # 出台推动经济稳中求进“26条”: the package is named by the words before
            lo = max(start, a - 12)
            head = text[lo:a]
            cut = max([m.end() for m in ISSUING.finditer(head)] + [i + 1 for i, c in enumerate(head) if c in CLAUSE_BREAKS],
                      default=0)
            if not head[cut:]:
                continue
            spans.append((lo + cut, b, INITIATIVE, head[cut:] + inner))
            continue
        tail = ""
        gap = int(text.startswith("的", b) and bool(re.fullmatch(r"[0-9０-９+＋]+", inner)))  # “24681”的发展战略
        m2 = TAIL.match(text, b + gap, min(end, b + gap + 20))
        if m2 and not any(c in STOP_CHARS and c not in "和及" for c in m2.group()) and not any(w in m2.group() for w in GOVERNING) \
                and not inner.endswith(INITIATIVE_SUFFIXES) and not PLAN_PERIOD.fullmatch(inner):
            tail = m2.group()  # “书记走流程”活动, “追风行动”试点: named with its kind, known by both (resolve)
            if text.startswith(("体系", "布局"), m2.end()):
                tail += text[m2.end() : m2.end() + 2]  # “某某”制造业集群|体系, “某某”创新战略|布局
        else:
            gap = 0
        name = inner + tail
        if tail and re.fullmatch(r"[0-9０-９+＋]+", inner):  # 实施数字商务“1231”工程: the words before the number
            lo = max(start, a - 6)
            head = text[lo:a]
            cuts = [m.end() for m in ISSUING.finditer(head)] + [m.end() for m in LEAD_WORDS.finditer(head)] \
                + [t.end - lo for t in tokens if lo <= t.start and t.end <= a and t.tag[:1] in ("v", "d", "c", "p")
                   and len(t.word) > 1]  # (积极构建|, but 农改渔转 holds a one-character verb)
            cut = max(cuts + [i + 1 for i, c in enumerate(head) if c in CLAUSE_BREAKS or c in "的和及与"], default=0)
            if 2 <= len(head) - cut <= 6 and cut > 0:
                a, name = lo + cut, head[cut:] + name
        listed = text[a - 1 : a] == "”" or text.startswith("“", b)  # “甲超”“乙超”“丙超”: names in a row
        if not tail and word_tag(inner) is not None and not (listed and word_tag(inner) == "v"):
            continue  # a quoted dictionary word (“高峰”) is emphasis, not a name (but “挑错”“宠某” name services)
        if not tail and not (DIGIT.search(inner) or "、" in inner or len(inner) >= 3 or listed):
            continue
        if not tail and not DIGIT.search(inner) and len(inner) > 2 and not inner.endswith(INITIATIVE_SUFFIXES + ("制", "服务")) \
                and not (listed and len(inner) >= 5) \
                and ("之" in inner or not (has_proper_part(tokens, a + 1, b - 1, anchors) or _has_verb(tokens, a + 1, b - 1))):
            continue  # “民之关切”, “健康红利”, “宏伟愿景”: a phrase of common words is the text's emphasis (but five
            # characters and more quoted in a row are names listed: “某某服务驿站”“某某服务组团集群”)
        if not tail and not DIGIT.search(inner) and text.endswith(STATE_VERBS, start, a):
            continue  # 实现“弯道超车”, 享受“健康红利”, 提供“硬支撑”: a result or state the text wants, not a programme
        if not tail and not DIGIT.search(inner) and text.startswith("的", b) and text[a - 1 : a] != "”":
            continue  # “望天吃饭”的日子, “孔雀向北飞”的局面: a description modifying a noun (but “甲”“乙”的经验)
        if not tail and re.fullmatch(r"[0-9０-９+＋]+", inner):
            continue  # a bare number in quotes names nothing until a noun follows it
        spans.append((a, b + gap + len(tail), INITIATIVE, name.replace(" ", "")))
    # the chief systems (河长制, 湖长制, 链长制): an official made answerable for one river, forest or chain
    for cm in CHIEF_SYSTEM.finditer(text, start, end):
        i = token_index(tokens, cm.start())
        if i is not None and tokens[i].start == cm.start():
            spans.append((cm.start(), cm.end(), INITIATIVE, cm.group()))
    # 《document》
    for bm in BOOK.finditer(text, start, end):
        inner = bm.group(1)
        if any(inner.endswith(s) or s in inner for s in ("方案", "规划", "计划", "意见", "办法", "条例", "纲要", "规定", "决定",
                                                                 "协议", "倡议", "宣言")):
            spans.append((bm.start(), bm.end(), INITIATIVE, inner))
    # suffix-anchored names
    for typ, pat in SUFFIX_PATTERNS:
        for m in pat.finditer(text, start, end):
            meeting = m.group().endswith(MEETING_KINDS)
            governed = _governed_start(tokens, m.start(), CONVENING if meeting else GOVERNING) if typ == INITIATIVE else None
            if governed and governed[1] in PREPOSITIONS and not (meeting and (SCOPED.match(text, governed[0])
                                                                           or text.startswith("上", m.end()))):
                governed = None  # (在|某某推动振兴座谈会|上: the frame 在…会上 bounds a meeting's name)
            a = governed[0] if governed else walk_left(tokens, m.start(), max_tokens=10, numbers=True)
            if a is None and typ == INITIATIVE and (m.group() in ("战略", "规划", "计划") or meeting):
                v = token_index(tokens, m.start() - 1)  # 某地|振兴|战略, 智能|制造|论坛: the verb is in the name
                if v is not None and tokens[v].end == m.start() and tokens[v].tag == "v" and len(tokens[v].word) == 2 \
                        and tokens[v].word not in GOVERNING:
                    a = walk_left(tokens, tokens[v].start, max_tokens=4)
            if a is None:  # (复星|雅立峰|病毒|类|疫苗|新|生产|基地; 实施|某某产业链高质量发展|行动)
                continue
            a = max([e for s0, e in named if s0 < a < e <= m.start()], default=a)
            b = m.end()
            if typ == PROJECT and (text.startswith(("港澳", "香港"), b - 2) or text.startswith("澳", b)):
                continue  # 香港, 港澳: a place, not a port project
            if COUNTED_AFTER.match(text, b):
                continue  # 实施某某改造升级工程19项, 养护工程120公里: a kind of works counted, not one named
            if typ == PROJECT and m.group().endswith("园") and text.startswith("区", b):
                continue  # 产业园|区: a kind of area, not a park's name
            if typ == INITIATIVE and (vm := VERB_USE.match(text, b)) and (vm.group() == "开放") == (m.group() == "改革") \
                    and m.group() in ("规划", "计划", "改革") or typ == INITIATIVE and text[m.start() - 1 : m.start()] == "原" \
                    and m.group() in ("规划", "计划", "方案"):
                continue  # 在某地规划|建设, 改革|开放, 比原计划: a verb, a set phrase, the plan as first made
            if m.group() == "战略" and text.startswith(STRATEGIC_COMPOUNDS, b):
                continue  # 与某集团战略|合作: strategic cooperation, not a strategy's name
            if meeting and (jm := JOINED_MEETING.match(text, b, end)):
                b = jm.end()  # 某某座谈会|暨某某交流会: one event under both names
            tb = token_index(tokens, b - 1)
            if tb is not None and tokens[tb].end > b:
                continue  # the suffix ends inside a word: 银行|动员 is no 行动
            if m.group() in DOCTRINES and not any(t.tag.startswith("nr") or "主义" in t.word
                                                  for t in tokens[token_index(tokens, a) or 0 : (tb or 0) + 1]):
                continue  # a doctrine is named after a person or an -ism, not 党组理论(学习)
            for t in tokens[token_index(tokens, a) or 0 :]:  # a verb inside is the sentence, not the name:
                if governed or t.start >= m.start() or (typ == PROJECT and pat.match(text, t.start)):
                    break  # (运营|地铁1号线, 落地|亿元以上项目; a kind inside the name: 某某创新港|二期工程)
                if t.start >= a and (t.tag == "v" or t.word in LEAD_VERBS) \
                        and not (typ == INITIATIVE and t.end == m.start() and t.word not in LEAD_VERBS):
                    a = t.end  # (but 人才交流|大会, 招商推介|会: the verb right before a meeting names it)
            if m.group() in ("学习教育", "主题教育") and "精神" in text[a:b] and text.endswith(CAMPAIGN_VERBS, start, a):
                a -= 4  # 深入贯彻|某某精神学习教育: the campaign is named with its verb
            if text.startswith("主体工程", b - 4) and PHASE_END.search(text, a, b - 4):
                if typ == INITIATIVE:
                    continue
                b -= 4  # 某某实验室二期|主体工程封顶: the main structure of the phase, which is the project
            if typ == PROJECT:
                a = max([ze for zs, ze in zones if zs == a and ze <= m.start() - 2], default=a)
            name = text[a:b]
            while name and (name[0] in START_BAD or name[0] in "的和与及") and not name.startswith(("新时代", "新时期")) \
                    and not (name[0] == "新" and (a + 1) in anchors):  # 新|重庆引才计划: "new Chongqing", a brand
                a += 1
                name = name[1:]
            ti = token_index(tokens, a)
            while name and ti is not None and tokens[ti].start == a and len(tokens[ti].word) == 1 \
                    and (tokens[ti].tag in ("p", "c") or tokens[ti].word in LEADING_FUNCTION):  # 经|…会议, 暨|…大会
                a += 1
                name = name[1:]
                ti += 1
            if len(name) < 4 or name in GENERIC or len(name) > 30 or (typ == PROJECT and QUANTITY.search(name)) \
                    or (typ == INITIATIVE and COUNTED.search(name)):
                continue
            if not has_proper_part(tokens, a, m.start(), anchors) \
                    and not (typ == INITIATIVE and m.group().endswith(MEETING_KINDS) and SCOPED.match(text, a)) \
                    and not (governed and governed[1] in GOVERNING and m.group().endswith(PROGRAMME_KINDS + MEETING_KINDS)
                             and m.start() - a >= (6 if meeting else 4) and not QUANTITY.search(name)):
                continue  # (中央金融工作会议, 全省民营经济发展大会: a meeting of a whole scope is a named one)
            spans.append((a, b, typ, name))
    # a place's digital or industrial "valley" (某市北方算谷, 某市数谷): a coined word in 谷 after the place
    ends = {e0: s0 for s0, e0 in named}
    for t in tokens:
        if t.word.endswith("谷") and len(t.word) == 2 and word_tag(t.word) is None and start <= t.start < end:
            gap = next((g for g in (0, 1, 2) if (t.start - g) in ends
                        and not any(c in STOP_CHARS for c in text[t.start - g : t.start])), None)
            if gap is not None:
                spans.append((ends[t.start - gap], t.end, PROJECT, text[ends[t.start - gap] : t.end]))
    # names listed before what they are: 加快X、Y、Z等重大产业项目, 推进A、B等大科学装置
    for a, b in listed_before(text, start, end, tokens, PROJECT_LIST, MAX_LISTED_PROJECT, edge_stops=("f",),
                              lead=LISTED_LEAD):
        name = text[a:b]
        if name not in GENERIC and not QUANTITY.search(name) and word_tag(name) in (None, "ns", "nt", "nz", "j"):
            spans.append((a, b, PROJECT, name))  # a single common word (场馆, 建设) names no project
    n_met = len(met)  # a meeting read by its grammar is named so, whatever longer span holds it
    spans[n_met:] = sorted(spans[n_met:], key=lambda s: (-(s[1] - s[0]), s[0]))
    spans[:n_met] = sorted(spans[:n_met], key=lambda s: (-(s[1] - s[0]), s[0]))
    occupied: list[tuple[int, int]] = []
    for a, b, typ, key in spans:
        if any(a < y and x < b for x, y in occupied):
            continue
        occupied.append((a, b))
        key = _canonical(ctx, key)
        found.append(Mention(article_id, typ, a, b, text[a:b], key))
    found += _coordinated(article_id, text, start, tokens, [m for m in found if m.type == INITIATIVE], occupied)
    return found


def _coordinated(article_id: str, text: str, lo: int, tokens: list[Token], named: list[Mention],
                 occupied: list[tuple[int, int]]) -> list[Mention]:
    """Names that share their head with the next one, listed before it: 中甲、中乙、中丙工业论坛 are three
    forums. The items are as long as one written between two 、 and open with the character the written
    name opens with (a shared head: 中甲, 中乙)."""
    out = []
    for m in named:
        if text[m.start - 1 : m.start] != "、" or m.text[0] in "“《":
            continue
        inner = re.search(r"、([\u4e00-\u9fff]{2,4})$", text[max(lo, m.start - 12) : m.start - 1])
        if inner is None:
            continue
        k = len(inner.group(1))
        rest = m.key[k:]
        if len(rest) < 4 or m.key[:k] != text[m.start : m.start + k]:
            continue
        items = []
        pos = m.start
        while pos - 1 - k >= lo and text[pos - 1] == "、":
            a = pos - 1 - k
            item = text[a : pos - 1]
            if not COORDINATED_ITEM.fullmatch(item) or item[0] != m.key[0] or any(a < y and x < pos - 1 for x, y in occupied):
                break
            items.append((a, pos - 1, item))
            pos = a
        if text[pos - 1 : pos] == "、":
            continue  # the list reaches further than items of this length: not one list of heads
        out += [Mention(article_id, INITIATIVE, a, b, item, item + rest) for a, b, item in items]
    return out


COORDINATED_ITEM = compiled(r"[\u4e00-\u9fff]{2,4}")


def _governed_start(tokens: list[Token], pos: int, governing: set[str], max_tokens: int = 10) -> tuple[int, str] | None:
    """Where a programme or meeting name ending at ``pos`` starts when a governing word (or, before a
    meeting, the preposition 在) stands before it in the clause: 实施|城乡冷链物流提升行动, 落实|全省县域经济发展
    大会, 在|某年全国征兵工作会议. Its inner verbs are then part of the name. (start, the word) or None."""
    i = token_index(tokens, pos - 1)
    if i is None:
        return None
    lo = max(-1, i - max_tokens)
    for k in range(i, lo, -1):
        t = tokens[k]
        if any(c in CLAUSE_BREAKS or c == "的" for c in t.word) or t.tag in ("nrfg", "nrt") or t.word in HONORIFICS:
            return None  # (落实|某某总书记致…峰会贺信: a person opens no meeting's name)
        if t.word in governing or t.word in PREPOSITIONS:
            return (t.end, t.word) if t.end < pos else None
        if t.word in CONJUNCTIONS:
            for j in range(k - 1, lo, -1):
                if any(c in CLAUSE_BREAKS or c == "的" for c in tokens[j].word):
                    return None
                if tokens[j].word in governing:
                    return t.end, tokens[j].word
            return None
    return None


def _has_verb(tokens: list[Token], a: int, b: int) -> bool:
    """A verb inside a quoted phrase makes it a campaign's slogan (书记走流程), not a description."""
    i = token_index(tokens, a)
    while i is not None and i < len(tokens) and tokens[i].start < b:
        if tokens[i].tag == "v":
            return True
        i += 1
    return False


def _canonical(ctx: Context, name: str) -> str:
    name = name.replace("“", "").replace("”", "").replace("‘", "").replace("’", "").replace("\"", "")
    if ctx.province and name.startswith(("省委", "省政府", "省人大", "省政协")):
        return ctx.province_name + name[1:]
    gm = NATIONAL_GAMES.fullmatch(name)
    if gm:  # 十六冬, 十四运: the National (Winter) Games by their number
        return f"第{gm.group(1)}届全国{'冬季' if gm.group(2) == '冬' else ''}运动会"
    return name


NATIONAL_GAMES = compiled(r"(十[一二三四五六七八九]?|[二三]十[一二三四五六七八九]?)(运|冬)会?")
