"""One article → its mentions and facts: the extractors run in order over the article's tokens."""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import replace

from ..lexicon import ZONE_SUFFIXES
from ..records import INITIATIVE, ORGANIZATION, PERSON, PROJECT, REGION, Article, Extraction, Mention
from ..segment import without_soft_breaks
from .context import Context
from .organizations import coordinated_organs, find_organizations
from .persons import find_persons
from .regions import find_regions
from .relations import Speakers, located_in, promoted_by
from .tokens import tokenize
from .undertakings import find_undertakings


def extract(article: Article, ctx: Context) -> Extraction:
    """Mentions and facts of one article, read from its text without the page's soft breaks (黑龙江⏎⏎省)
    and given back with offsets into the source."""
    view, back = without_soft_breaks(article)
    ex = _extract(view, ctx)
    if back is None:
        return ex
    src = article.source_text
    mentions = [m._replace(start=back[m.start], end=back[m.end - 1] + 1, text=src[back[m.start] : back[m.end - 1] + 1])
                for m in ex.mentions]
    facts = [replace(f, at=back[f.at]) if f.at >= 0 else f for f in ex.facts]
    return Extraction(article=article, mentions=mentions, facts=facts)


def _extract(article: Article, ctx: Context) -> Extraction:
    text = article.source_text
    a, b = article.body_start, article.end
    if article.title:
        a = article.start  # the headline names things too
    tokens = tokenize(text, a, b)
    regions, facts = find_regions(ctx, article.id, text, a, b, tokens)
    orgs = find_organizations(ctx, article.id, text, a, b, tokens, regions)
    persons, pos_facts = find_persons(ctx, article.id, text, a, b, tokens, regions, orgs)
    anchors = {m.start for m in regions + orgs}
    zones = [(m.start, m.end) for m in regions if m.text.endswith(ZONE_SUFFIXES)]
    things = find_undertakings(ctx, article.id, text, a, b, tokens, anchors, [(m.start, m.end) for m in regions + orgs],
                               zones)
    mentions = _settle(regions + orgs + persons + things)
    starts = [s.start for s in article.sentences]
    mentions = [m._replace(sentence=max(0, bisect_right(starts, m.start) - 1)) for m in mentions]
    facts = [replace(f, sentence=max(0, bisect_right(starts, f.at) - 1)) if f.sentence < 0 <= f.at else f
             for f in facts + pos_facts]
    speakers = Speakers(ctx, article, mentions, pos_facts)
    facts += located_in(ctx, article, mentions, speakers)
    shared = [replace(f, sentence=max(0, bisect_right(starts, f.at) - 1))
              for f in coordinated_organs(ctx, article.id, text, [m for m in mentions if m.type == ORGANIZATION],
                                          [m for m in mentions if m.type == REGION])]
    facts += shared
    facts += promoted_by(ctx, article, mentions, speakers, shared)
    return Extraction(article=article, mentions=mentions, facts=facts)


def _settle(mentions: list[Mention]) -> list[Mention]:
    """Drop a mention that crosses a longer one; keep nesting (a region inside an organisation's name)."""
    kept: list[Mention] = []
    starts: list[int] = []  # kept mentions sorted by start, to look only at those that can overlap
    by_start: list[Mention] = []
    longest = 0
    for m in sorted(mentions, key=lambda m: (-(m.end - m.start), m.start)):
        clash = False
        for k in by_start[bisect_left(starts, m.start - longest) : bisect_left(starts, m.end)]:
            if m.start < k.end and k.start < m.end:
                nested = k.start <= m.start and m.end <= k.end
                if not nested or k.type in (REGION,) or m.type not in (REGION, ORGANIZATION):
                    clash = True
                    break
        if not clash:
            kept.append(m)
            i = bisect_left(starts, m.start)
            starts.insert(i, m.start)
            by_start.insert(i, m)
            longest = max(longest, m.end - m.start)
    kept.sort(key=lambda m: (m.start, m.end))
    return kept


def flat(mentions: list[Mention]) -> list[Mention]:
    """Outermost mentions only, as flat NER gold is annotated: among persons, places and organisations,
    and separately among projects and initiatives (a place inside a project's name is still a place)."""
    out: list[Mention] = []
    for layer in ((PERSON, REGION, ORGANIZATION), (PROJECT, INITIATIVE)):
        kept: list[Mention] = []
        for m in sorted((m for m in mentions if m.type in layer), key=lambda m: (m.start, -(m.end - m.start))):
            if kept and m.start < kept[-1].end:
                continue
            kept.append(m)
        out += kept
    return sorted(out, key=lambda m: (m.start, m.end))
