"""located_in and promoted_by from the sentence, part_of from the gazetteer and from the text."""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict

from ..records import (INITIATIVE, LOCATED_IN, ORGANIZATION, PERSON, PROJECT, PROMOTED_BY, REGION,
                       Article, Fact, Mention)
from ..regexes import compiled
from .context import Context
from .persons import SPEECH
from .undertakings import EVENT_KINDS, is_national, meeting_convener

CLAUSE_END = compiled(r"[，；;,]")
OWN_PROVINCE = compiled(r"我省|本省|全省(?![^，。；]{0,6}系统)")  # 全省工信系统: the department's system, not bare 全省
HOSTED_BY = compiled(r"由(.{2,40}?)(?:联合)?(?:主办|承办|举办|发起|牵头)|"
                       r"(?:联合|会同|携手)([^，。；！？]{2,20}?)(?:共同)?(?:主办|承办|举办|发起)")


def located_in(ctx: Context, article: Article, mentions: list[Mention], speaker: Speakers | None = None) -> list[Fact]:
    """An organisation opened by a region is in it; a project is in the nearest region before it in its
    clause, else in the region of the official speaking (the last one named with a post), else in the
    region the article is about."""
    facts = []
    regions = [m for m in mentions if m.type == REGION]
    by_start = _Spans(regions)
    by_sentence = defaultdict(list)
    for r in regions:
        by_sentence[r.sentence].append(r)
    speaker = speaker or Speakers(ctx, article, mentions, [])
    subject = speaker.subject
    for m in mentions:
        if m.type == ORGANIZATION:
            target = _region_in_name(ctx, m, by_start)
            if target and m.key.endswith(COMPANY_ENDINGS) and _is_province(ctx, target):
                local = speaker.region(m.start) or subject  # 辽宁某某有限公司 in an article about a city or zone
                if local and _inside_named(ctx, local, target):  # of that province: registered with the
                    target = local  # province's name, sited where the article is
            if target:
                facts.append(Fact(LOCATED_IN, (ORGANIZATION, m.key), (REGION, target), article.id, sentence=m.sentence))
        elif m.type == PROJECT:
            target = _region_in_name(ctx, m, by_start)
            if not target:
                before = [r for r in by_sentence[m.sentence] if r.end <= m.start
                          and not r.code.startswith(("country:", "macro:"))
                          and not CLAUSE_END.search(article.source_text, r.end, m.start)]  # same clause only
                if before:
                    target = before[-1].key
            target = target or speaker.region(m.start) or subject  # else: whose region is speaking, the article's
            if target:
                facts.append(Fact(LOCATED_IN, (PROJECT, m.key), (REGION, target), article.id, sentence=m.sentence))
    return facts


class Speakers:
    """Built once per article from its position facts, read by located_in and promoted_by.

    Who is speaking at a point of an article: the last person named before it whose post the
    article gives (or the interviewee), as the agent that post stands for (a leadership organ: its
    region; a department: itself) and as a region (a department: the region its name opens with)."""

    def __init__(self, ctx: Context, article: Article, mentions: list[Mention], positions: list[Fact]):
        region_keys = {m.key for m in mentions if m.type == REGION}
        self.post_of: dict[str, tuple[str, str]] = {}
        for f in positions:  # a person's leadership post (the region they lead) wins over their other posts
            agent = _organ_as_agent(f.object[1], region_keys)
            if f.subject[1] not in self.post_of or (agent[0] == REGION and self.post_of[f.subject[1]][0] != REGION):
                self.post_of[f.subject[1]] = agent
        # speakers hold a post somewhere (a region's leader, a province's department); a national leader
        # the article quotes (总书记…提出) is cited, not speaking for a place
        local = {k for k, (typ, key) in self.post_of.items()
                 if typ == REGION or any(r and r in key for r in region_keys)}
        said = [m for m in sorted(mentions, key=lambda m: m.start) if m.type == PERSON and m.key in local]
        self.starts = [m.start for m in said]
        self.keys = [m.key for m in said]
        self.interviewee = _interviewee(article, mentions, self.post_of)
        self.province = ctx.province_name
        self.subject = _subject_region(mentions)  # the region the article is about, the last resort of both

    def agent(self, pos: int) -> tuple[str, str] | None:
        i = bisect_left(self.starts, pos) - 1
        return self.post_of[self.keys[i]] if i >= 0 else self.interviewee

    def region(self, pos: int) -> str:
        agent = self.agent(pos)
        if agent is None:
            return ""
        if agent[0] == REGION:
            return agent[1]
        return self.province if self.province and agent[1].startswith(self.province) else ""


class _Spans:
    """Mentions sorted by start, to find those inside a span in O(log n) rather than a scan."""

    def __init__(self, mentions: list[Mention]):
        self.mentions = sorted(mentions, key=lambda r: r.start)
        self.starts = [r.start for r in self.mentions]

    def inside(self, start: int, end: int) -> list[Mention]:
        out = []
        for r in self.mentions[bisect_left(self.starts, start):]:
            if r.start >= end:
                break
            out.append(r)
        return out


def _region_in_name(ctx: Context, m: Mention, by_start: _Spans) -> str:
    """The most specific region named inside the name (an institute's base in a city → that city); a bare
    country prefix (中国…) says nothing about where a national body sits."""
    inner = [r for r in by_start.inside(m.start, m.end) if r.end <= m.end and r.end - r.start < m.end - m.start]
    inner = [r for r in inner if not r.code.startswith("country:")
             and not (r.code.startswith("macro:") and r.start == m.start)]  # 国家电投东北公司: in 东北; 东北大学: a name
    if inner:
        return max(inner, key=lambda r: (_depth(ctx, r), -r.start)).key  # deepest; at one depth the first (辽宁省香港商会)
    for lead in ("中共", "政协", "民进", "民革", "民盟", "民建", "台盟", "致公党", "九三学社"):
        if m.key.startswith(lead):
            rest = m.key[len(lead):]
            for cand in (ctx.province_name,):
                if cand and rest.startswith(cand):
                    return cand
    if ctx.province_name and m.key.startswith(ctx.province_name):
        return ctx.province_name
    return ""


COMPANY_ENDINGS = ("公司", "集团", "厂")  # (a provincial laboratory or university is the province's)


def _is_province(ctx: Context, name: str) -> bool:
    return any(ctx.gaz.regions[c].level == "province" and ctx.gaz.regions[c].name == name for c in ctx.gaz.forms.get(name, ()))


def _inside_named(ctx: Context, place: str, province: str) -> bool:
    """The region named ``place`` (a division, or a zone named from one) lies in ``province``."""
    gaz = ctx.gaz
    codes = gaz.opening(place, whole=True, keep=str.isdigit)
    return place != province and any(gaz.regions[c].name == province or any(
        gaz.regions[a].name == province for a in gaz.ancestors(c) if a in gaz.regions) for c in codes)


def _depth(ctx: Context, r: Mention) -> int:
    if not r.code:
        return 4  # zones, towns: below the county level they sit in
    return len(ctx.gaz.ancestors(r.code))


def _subject_region(mentions: list[Mention]) -> str:
    """The region an article is about: the administrative region it names most, at least twice and more
    often than any other (a city's interview, a province's work report). Initiatives the article reports
    without naming their agent in the sentence are that region's."""
    counts = Counter(m.key for m in mentions if m.type == REGION and m.code.isdigit())
    top = counts.most_common(2)
    if top and top[0][1] >= 2 and (len(top) == 1 or top[0][1] > top[1][1]):
        return top[0][0]
    return ""


GATHERINGS = ("会议", "座谈会", "联席会议", "协议", "交流会", "推介会", "洽谈会", "签约仪式")
LEADERSHIP = compiled(r"^(?:中共)?(.+?)(?:委员会|人民政府|党工委|管委会|工委)$")  # organs that stand for their region
INTERVIEW = compiled(r"访")


NATIONAL_SPEAKER = compiled(r"(?:总书记|国家主席|总理)在$")  # 总书记在|某某座谈会上: a national meeting


def _nations(text: str, m: Mention) -> bool:
    """An initiative of the whole nation by its name (is_national) or where the national leader speaks at it."""
    return is_national(m.key) or NATIONAL_SPEAKER.search(text, max(0, m.start - 6), m.start) is not None


def promoted_by(ctx: Context, article: Article, mentions: list[Mention], speaker: Speakers | None = None,
                shared: list[Fact] = ()) -> list[Fact]:
    """An initiative's agent is who the sentence names as hosting it (由X主办), else its subject: the
    first region or organisation the sentence names before it (a person stands for the organ of the post
    the article gives them); 我省/全省 is the paper's province; else the region whose leader is speaking
    (the last official named with a post); else, in an interview, the interviewee's organ; else the
    region the article is about."""
    facts = []
    text = article.source_text
    agents = defaultdict(list)  # by sentence
    for a in mentions:
        if a.type in (REGION, ORGANIZATION, PERSON):
            agents[a.sentence].append(a)
    speaker = speaker or Speakers(ctx, article, mentions, [])
    post_of = speaker.post_of
    subject = speaker.subject
    for m in mentions:
        if m.type != INITIATIVE:
            continue
        sent = article.sentences[m.sentence] if 0 <= m.sentence < len(article.sentences) else None
        if sent is None:
            continue
        chosen: list[tuple[str, str]] = []
        convener = meeting_convener(m.key)  # 民盟第九届中央委员会第三次全体会议: its committee holds it
        if convener:
            chosen = [(ORGANIZATION, convener)]
        hm = None if chosen else HOSTED_BY.search(text, sent.start, m.start)
        if hm:  # 由X与Y联合主办…, 联合X举办…: the hosts named
            g = 1 if hm.group(1) is not None else 2
            chosen = [(a.type, a.key) for a in agents[m.sentence]
                      if hm.start(g) <= a.start and a.end <= hm.end(g) and a.type != PERSON]
        if not chosen and _nations(text, m):
            continue  # 中央…会议, 全国…, a plan period, a doctrine: the nation's, whoever cites it
        if not chosen and ctx.province and m.key.startswith("全省"):
            chosen = [(REGION, ctx.province_name)]  # 全省…大会: the province's own meeting, wherever it is cited
        if not chosen and m.key.endswith(GATHERINGS):  # a meeting or pact: the organisations named at it hold it
            chosen = list(dict.fromkeys((a.type, a.key) for a in agents[m.sentence]
                                        if a.type == ORGANIZATION and a.end <= m.start))
        if not chosen or (hm and hm.group(2) is not None):  # X携手Y共同主办: X hosts too
            chosen += [k for k in _clause_subject(ctx, text, sent.start, m.start, agents[m.sentence], post_of)
                       if k not in chosen]
        if not chosen:  # 《某省推动…实施方案》印发: a programme named after a division is that division's
            chosen = [(REGION, a.key) for a in agents[m.sentence][:] if a.type == REGION and m.start <= a.start <= m.start + 1
                      and a.end < m.end and a.code.isdigit()][:1]
        keys = chosen
        if not keys and ctx.province and OWN_PROVINCE.search(text, sent.start, m.start):
            keys = [(REGION, ctx.province_name)]
        speaking = speaker.agent(m.start)
        if not keys and speaking and speaking[0] == REGION:
            keys = [speaking]  # what a city's or province's leader says it will do, that region pushes
        if not keys and speaker.interviewee:
            keys = [speaker.interviewee]
        if not keys and subject:
            keys = [(REGION, subject)]
        for k in keys:
            facts.append(Fact(PROMOTED_BY, (INITIATIVE, m.key), k, article.id, sentence=m.sentence))
    return facts + _hosts_named_later(article, mentions, shared)


# 会议由X、Y共同主办: an event named before, referred to by its kind, and who hosts it
ANAPHORIC_HOST = compiled(r"(?:本次|此次|该|这次)?(会议|大会|活动|论坛|峰会|博览会|运动会|交流会|座谈会|年货节|赛事)由"
                            r"([^。；！？]{2,60}?)(?:联合|共同)*(?:主办|承办|举办|发起)")
HOST_REACH = 12  # sentences back to the event a 会议由… sentence can mean (a lead paragraph between)


def _hosts_named_later(article: Article, mentions: list[Mention], shared: list[Fact]) -> list[Fact]:
    """Hosts an article names after the event (…联席会议召开。会议由某省、某省国资委共同主办): each
    organisation in the 由… span, an organ shared by listed regions included, promotes the last event named
    within HOST_REACH sentences before."""
    text = article.source_text
    events = [m for m in mentions if m.type == INITIATIVE and m.key.endswith(EVENT_KINDS)
              and not _nations(text, m)]  # (no host of the nation's)
    facts = []
    for hm in ANAPHORIC_HOST.finditer(text, article.body_start, article.end):
        earlier = [m for m in events if m.end <= hm.start()]
        if not earlier:
            continue
        event = earlier[-1]
        a, b = hm.span(2)
        sentence = max(0, bisect_right([s.start for s in article.sentences], hm.start()) - 1)
        if sentence - event.sentence > HOST_REACH:
            continue
        hosts = [(ORGANIZATION, _unit_of(m.key)) for m in mentions
                 if m.type == ORGANIZATION and a <= m.start and m.end <= b]
        hosts += [f.subject for f in shared if a <= f.at < b]
        for k in dict.fromkeys(hosts):
            facts.append(Fact(PROMOTED_BY, (INITIATIVE, event.key), k, article.id, sentence=sentence))
    return facts


DIVISION = compiled(r"(.+?(?:厅|局|委员会|委))[\u4e00-\u9fff]{1,8}处$")


def _unit_of(organ: str) -> str:
    """A division (某省体育局产业处) acts for the bureau it belongs to."""
    m = DIVISION.match(organ)
    return m.group(1) if m else organ


ZONE_ORGANS = ("党工委", "管委会", "工委")
NOT_SUBJECT = set("应受向对为")  # 应某县政府邀请, 受…委托: the body after these is not who acts


def _clause_subject(ctx: Context, text: str, sent_start: int, pos: int, agents: list[Mention],
                    post_of: dict[str, tuple[str, str]]) -> list[tuple[str, str]]:
    """The subject of the clause that names an initiative at ``pos``: the last region or organisation
    (or official, standing for the organ of their post; or 我省, the paper's province) that opens the
    sentence or a clause of it before ``pos`` (为贯彻…，某银行…推出X; 某某说，我省将设立X); never a
    macro-region or a foreign country (建设东北亚…中心 is what a programme aims at), a body after 应/受/向
    (应某县政府邀请), nor an official whose words are reported (某某说，…) or the organ in their title."""
    found: list[tuple[str, str]] = []
    phrase, last_end = -1, -1  # where the run of adjoining names an agent belongs to starts (安康市汉阴县政府)
    opening = lambda p: p - sent_start <= 12 or text[p - 1 : p] in ("，", "；", ",")  # noqa: E731
    candidates = list(agents)
    if ctx.province:
        candidates += [Mention("", REGION, m.start(), m.end(), m.group(), ctx.province_name)
                       for m in OWN_PROVINCE.finditer(text, sent_start, pos) if m.group() != "全省"]
        candidates.sort(key=lambda a: a.start)
    speakers = [p for p in agents if p.type == PERSON and text.startswith(SPEECH, p.end)]
    for a in candidates:
        if a.end > pos:
            break
        if a.type != PERSON and any(0 <= p.start - a.end <= 6 for p in speakers):
            continue  # 某省委书记|王某某说: the organ of a post in a speaker's title; the speaker decides
        if a.start > last_end:
            phrase = a.start
        last_end = max(last_end, a.end)
        if not opening(phrase) or text[phrase - 1 : phrase] in NOT_SUBJECT:
            continue
        if a.type == REGION and (a.code.startswith(("macro:", "country:"))
                                 or any(o is not a and o.start <= a.start and a.end <= o.end and o.type != PERSON
                                        for o in agents)):
            continue  # (辽宁省|某某集团有限公司: the organisation whose name holds the region acts)
        if a.type == ORGANIZATION and a.key.endswith(ZONE_ORGANS):  # a zone's working or management
            return [_organ_as_agent(a.key, {r.key for r in agents if r.type == REGION})]  # committee: the zone
        if a.type == ORGANIZATION:
            return [(ORGANIZATION, _unit_of(a.key))]
        if a.type != PERSON:
            return [(a.type, a.key)]
        elif a.key in post_of and not (phrase - sent_start > 12 and text.startswith(SPEECH, a.end)):
            typ, key = post_of[a.key]  # 刘某指出…: the organ of his post, or the region it leads
            return [(typ, _unit_of(key) if typ == ORGANIZATION else key)]
    return found


def _organ_as_agent(organ: str, region_keys: set[str]) -> tuple[str, str]:
    """A leadership organ (中共锦州市委员会, 沈抚…示范区管委会) acts for its region; a department for itself."""
    lm = LEADERSHIP.match(organ)
    if lm and lm.group(1) in region_keys:
        return REGION, lm.group(1)
    return ORGANIZATION, organ


def _interviewee(article: Article, mentions: list[Mention], post_of: dict) -> tuple[str, str] | None:
    """In an interview (访… in the headline or its first sentences) the official whose post the head
    gives speaks for that organ: what the article says they push, the organ pushes."""
    head_end = article.sentences[min(3, len(article.sentences) - 1)].end if article.sentences else article.start
    head = article.source_text[article.start : head_end]
    if not INTERVIEW.search(head):
        return None
    for m in mentions:
        if m.type == PERSON and m.start < head_end and m.key in post_of:
            return post_of[m.key]
    return None
