"""Stage 2, segment: a source page → articles (title, byline, body) → sentences, all as offsets.

A Liaoning Daily page holds several articles, each opened by a markdown ``#`` heading; ``##`` and
deeper headings are subtitles or section heads inside the article. A file with no ``#`` heading is
one article (one file per article, as in most corpora).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace
from itertools import accumulate

from .records import Article, Sentence, Source
from .regexes import compiled

HEADING = compiled(r"^(#{1,6})[ \t]*(.*?)[ \t]*$", re.M)
BYLINE = compiled(  # one flat character class with a bound: no nested quantifiers, no backtracking blow-up
    r"(?:本报(?:特约|见习)?记者|见习记者|特约记者|通讯员)[ \t\u3000]*"
    r"([\u4e00-\u9fff·][\u4e00-\u9fff·、 \t\u3000]{1,40}?)(?:[ \t\u3000]*(?:摄|报道|整理|文/图))?[ \t\u3000]*$",
    re.M,
)
LEAD = compiled(r"本报讯[ \t\u3000]*(?:[（(][^）)\n]{0,30}[）)])?[ \t\u3000]*(?:见习|特约)?记者[ \t\u3000]*"
                  r"([\u4e00-\u9fff][\u4e00-\u9fff、 ]{1,30}?)[ \t\u3000]*报道")
SENTENCE_END = "。！？!?；;"
_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0"}
_NUM = r"[0-9０-９〇○零一二三四五六七八九十]"
FULL_DATE = compiled(rf"({_NUM}{{4}})年({_NUM}{{1,3}})月({_NUM}{{1,4}})日")
YEAR = compiled(rf"(?<![0-9０-９到至])((?:19|20|１９|２０|一九|二〇|二○|二零){_NUM}{{2}})年(?!前|后|以前|以后)({_NUM}{{1,2}}月)?")
CLOSERS = "”’」』）)》】\"'"


MAX_SENTENCE = 500  # longer runs without a stop are lists, tables or debris: cut them at a comma


_CUT = compiled("\n|[" + re.escape(SENTENCE_END) + "][" + re.escape(CLOSERS) + "]*")


# A paragraph cut by the page's layout: a long line ending inside a sentence (no stop after its last
# character) and the next non-blank line going on with a character of the same sentence, e.g.
# 黑龙江|⏎⏎|省 or 首位战|⏎⏎|略. Bylines and headings after it begin something new.
SOFT_BREAK = compiled(r"(?<=[\u4e00-\u9fff0-9A-Za-z，、“‘（《])[ \t\u3000]*\n(?:[ \t\u3000]*\n)*[ \t\u3000]*(?=[\u4e00-\u9fff])")
SOFT_BREAK_LINE = 30  # shorter lines are headlines, captions or list items
_NEW_LINE = compiled(r"本报|记者|新华社|通讯员|——|（|\(")


def soft_breaks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of whitespace in [start, end) that cut a sentence in two only by the page's layout."""
    out = []
    for m in SOFT_BREAK.finditer(text, start, end):
        line = text[max(text.rfind("\n", start, m.start()) + 1, start) : m.start()]
        nl = text.find("\n", m.end(), end)
        following = text[m.end() : nl if nl >= 0 else end]
        if (len(line) >= SOFT_BREAK_LINE or any(c in line for c in "，、；：")) and not line.startswith("#") \
                and not _NEW_LINE.match(following) and not _is_short_line(following):
            out.append((m.start(), m.end()))
    return out


def without_soft_breaks(article: Article) -> tuple[Article, list[int] | None]:
    """The article with its soft breaks taken out (so that 黑龙江⏎⏎省 reads 黑龙江省), its offsets moved to
    match, and for each offset of that text the source offset it came from (None: nothing taken out)."""
    text = article.source_text
    spans = article.soft_breaks
    if not spans:
        return article, None
    pieces, back, pos = [], [], 0
    for a, b in spans:
        pieces.append(text[pos:a])
        back.extend(range(pos, a))
        pos = b
    pieces.append(text[pos:])
    back.extend(range(pos, len(text) + 1))
    ends = [b for _, b in spans]
    removed = list(accumulate(b - a for a, b in spans))

    def fwd(i: int) -> int:
        k = bisect_right(ends, i)
        return i - (removed[k - 1] if k else 0)

    view = replace(article, source_text="".join(pieces), start=fwd(article.start), end=fwd(article.end), soft_breaks=(),
                   body_start=fwd(article.body_start),
                   sentences=tuple(Sentence(fwd(x.start), fwd(x.end)) for x in article.sentences))
    return view, back


def split_sentences(text: str, start: int, end: int, breaks: list[tuple[int, int]] | None = None) -> list[Sentence]:
    """Sentences within [start, end): cut after 。！？; (with trailing closing quotes) and at newlines
    (but not at a page's soft break, see ``soft_breaks``);
    a run longer than MAX_SENTENCE is cut at its last comma (or anywhere) so that work per sentence
    stays bounded."""
    out: list[Sentence] = []
    s = start
    breaks = soft_breaks(text, start, end) if breaks is None else breaks
    soft = {i for a, b in breaks for i in range(a, b)}
    for m in _CUT.finditer(text, start, end):
        p = m.start()
        if p in soft:
            continue  # a line break of the page inside a sentence
        while p - s > MAX_SENTENCE:  # no stop within MAX_SENTENCE characters
            s = _long_cut(text, s, out)
        if text[p] == "\n":
            cut, nxt = p, p + 1
        else:
            cut = nxt = m.end()
        _add(text, s, cut, out)
        s = nxt
    while end - s > MAX_SENTENCE:
        s = _long_cut(text, s, out)
    _add(text, s, end, out)
    return out


def _long_cut(text: str, s: int, out: list[Sentence]) -> int:
    """Cut the run starting at s after its last comma within MAX_SENTENCE characters (else at the
    limit); returns where the next sentence starts."""
    i = s + MAX_SENTENCE
    k = max(text.rfind(c, s, i) for c in "，、,　 ")
    cut = (k + 1) if k > s else i
    _add(text, s, cut, out)
    return cut


def _add(text: str, a: int, b: int, out: list[Sentence]) -> None:
    a, b = _trim(text, a, b)
    if b > a:
        out.append(Sentence(a, b))


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def segment(source: Source) -> list[Article]:
    """Cut one page into articles at level-1 headings."""
    text = source.text
    stem = source.name.rsplit(".", 1)[0]
    starts = [m.start() for m in HEADING.finditer(text) if len(m.group(1)) == 1]
    if not starts:
        starts = plain_headline_starts(text)
    bounds = []
    first = starts[0] if starts else len(text)
    if text[:first].strip():
        bounds.append((0, first))
    for k, st in enumerate(starts):
        bounds.append((st, starts[k + 1] if k + 1 < len(starts) else len(text)))
    if not bounds:
        bounds = [(0, len(text))]
    articles = []
    for index, (a, b) in enumerate(bounds):
        a, b = _trim(text, a, b)
        if b <= a:
            continue
        articles.append(_article(source, stem, len(articles), a, b))
    return articles


def _is_short_line(line: str) -> bool:
    line = line.strip()
    return 0 < len(line) <= 40 and not any(c in line for c in "。！？；") and line[-1] not in "，、：:,"


BYLINE_LINE = compiled(r"(?:本报(?:特约|见习)?记者|见习记者)[ \t\u3000]*[\u4e00-\u9fff、 \u3000]{2,20}")


def _opens_article(line: str) -> bool:
    line = line.strip()
    return bool(line.startswith(("本报讯", "（上接", "(上接", "——", "—— ")) or BYLINE_LINE.fullmatch(line))


def plain_headline_starts(text: str) -> list[int]:
    """Article starts in a page without markdown: a block of short headline lines (title,
    ——subtitle, kicker) whose block or next paragraph is a byline, a 本报讯 lead or a continuation."""
    lines = []  # (offset, line) of non-blank lines
    pos = 0
    for raw in text.split("\n"):
        if raw.strip():
            lines.append((pos, raw))
        pos += len(raw) + 1
    starts = []
    k = 0
    while k < len(lines):
        if not _is_short_line(lines[k][1]) or _opens_article(lines[k][1]):
            k += 1
            continue
        j = k
        while j < len(lines) and _is_short_line(lines[j][1]):
            j += 1
        block = [ln for _, ln in lines[k : j + 1]]
        if any(_opens_article(ln) for ln in block[1:]):
            starts.append(lines[k][0])
        k = max(j, k + 1)
    return starts


def _number(text: str) -> int | None:
    """Arabic, full-width or Chinese numerals (一九九八, 十二, 三十一) as an int."""
    text = text.translate({ord(c): ord(d) for c, d in zip("０１２３４５６７８９", "0123456789")})
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        t = int(_CN_DIGITS.get(tens, "1")) if tens else 1
        o = int(_CN_DIGITS.get(ones, "0")) if ones else 0
        return t * 10 + o if len(tens) <= 1 and len(ones) <= 1 else None
    digits = "".join(_CN_DIGITS.get(c, "") for c in text)
    return int(digits) if len(digits) == len(text) else None


def article_date(text: str, a: int, b: int, body_start: int) -> tuple[str, bool]:
    """The article's date: a full date (年月日) in its head gives an ISO date; otherwise the year
    the article names most often (a year with a month weighs more; "到2030年" targets are skipped),
    marked as inferred. ("", False) where the text gives neither."""
    head_end = min(b, max(body_start, a) + 300)
    for m in FULL_DATE.finditer(text, a, head_end):
        y, mo, d = (_number(g) for g in m.groups())
        if y and mo and d and 1900 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{y:04d}-{mo:02d}-{d:02d}", False
    years: dict[int, int] = {}
    for m in YEAR.finditer(text, a, b):
        y = _number(m.group(1))
        if y and 1900 <= y <= 2100:  # a year with a month ("2025年3月") counts as more current
            years[y] = years.get(y, 0) + (3 if m.group(2) else 1)
    if years:
        return f"{max(sorted(years), key=lambda y: years[y]):04d}", True
    return "", False


def _article(source: Source, stem: str, index: int, a: int, b: int) -> Article:
    text = source.text
    title = ""
    body_start = a
    m = HEADING.match(text, a)
    if m and len(m.group(1)) == 1:
        title = m.group(2).strip()
        body_start = m.end()
    elif "\n" in text[a:b]:
        first_line = text[a : text.index("\n", a)].strip()
        if 0 < len(first_line) <= 40 and not any(c in first_line for c in "。！？"):
            title = first_line
    byline = ""
    head = text[a : min(b, a + 600)]
    lm = LEAD.search(head) or BYLINE.search(head)
    if lm:
        byline = lm.group(1).strip()
    date, date_inferred = article_date(text, a, b, body_start)
    breaks = soft_breaks(text, a, b)
    return Article(
        id=f"{stem}#{index}", doc=source.name, index=index, title=title, byline=byline,
        start=a, end=b, body_start=body_start, sentences=tuple(split_sentences(text, a, b, breaks)),
        source_text=text, date=date, date_inferred=date_inferred, soft_breaks=tuple(breaks),
    )
