"""What an extractor knows beyond one sentence: the paper's province and the article's regions."""
from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field

from ..lexicon import Gazetteer, gazetteer


@dataclass
class Context:
    """Corpus-level settings (the paper's province) plus per-article state the extractors share."""

    province: str = ""  # GB/T 2260 code of the paper's province, '' when unknown
    gaz: Gazetteer = field(default_factory=gazetteer)

    @property
    def province_name(self) -> str:
        return self.gaz.full_name(self.province) if self.province else ""


INFER_SAMPLE = 300_000  # characters of a corpus read to infer its province
OWN_WORDS = ("我省", "全省", "省委")  # what a provincial daily says of its own province


def sample_cuts(lengths: list[int]) -> list[int]:
    """How much of each text ``infer_province`` reads: the opening of every text, INFER_SAMPLE characters in all
    (each text's share of it, rounded up), or every text whole where they hold fewer."""
    total = sum(lengths)
    if total <= INFER_SAMPLE:
        return list(lengths)
    return [-(-n * INFER_SAMPLE // total) for n in lengths]


def province_evidence(samples: list[str], gaz: Gazetteer) -> list[tuple[tuple[tuple[str, int], ...], int]]:
    """Each sample's evidence of a province: how many times it names each province (its forms, as the gazetteer
    finds them) and its own words (我省, 全省, 省委). The samples are scanned as one string, joined by a line
    break: no form and no own word holds one, so nothing is found across two of them and every sample's finds are
    its own; one scan instead of one per text (3,148 calls into the matcher for a month of a daily: 0.03 → 0.02 s)."""
    return [(named, own) for named, own, _ in province_finds(samples, gaz)]


LOOKED_UP = 4000  # characters in all, at most, that ``province_finds`` scans without the automaton, if not made


def province_finds(samples: list[str], gaz: Gazetteer) -> list[tuple[tuple[tuple[str, int], ...], int, tuple]]:
    """``province_evidence``, each sample's with where its written forms are: a flat tuple of each one's start, end
    and province ('' for a form of no province), in order. From those, ``evidence_within`` gives the evidence of any
    shorter opening of the sample without scanning it again. A few characters in all (``LOOKED_UP``) are scanned
    by lookups, where the automaton is not made (a re-build reads the openings of one or two new texts)."""
    sample = "\n".join(samples)
    starts, at = [], 0
    for text in samples:
        starts.append(at)
        at += len(text) + 1
    counts: list[Counter] = [Counter() for _ in samples]
    where: list[list] = [[] for _ in samples]
    province = gaz.province_by_form
    small = len(sample) <= LOOKED_UP and not gaz.matcher_made
    for start, end, form in gaz.find_forms_looked_up(sample) if small else gaz.find_forms(sample):
        i = bisect_right(starts, start) - 1
        p = province.get(form)
        if p:
            counts[i][p] += 1
        where[i] += (start - starts[i], end - starts[i], p or "")
    return [(tuple(c.items()), sum(map(text.count, OWN_WORDS)), tuple(w))
            for c, text, w in zip(counts, samples, where)]


def evidence_within(text: str, cut: int, where: tuple, gaz: Gazetteer) -> tuple[tuple[tuple[str, int], ...], int]:
    """``province_evidence`` of ``text[:cut]`` from where the forms are in a longer opening of it (``province_finds``).
    Leftmost-longest finds are made left to right, each the longest form at the first place one opens: those of a
    shorter opening are the longer one's that end within it, up to the first that does not; where that one opens
    within it, the rest (a few characters) is scanned again."""
    counts: Counter = Counter()
    for k in range(0, len(where), 3):
        start, end, p = where[k : k + 3]
        if end > cut:
            if start < cut:
                province = gaz.province_by_form
                for _, _, form in gaz.find_forms_looked_up(text[start:cut]):
                    if form in province:
                        counts[province[form]] += 1
            break
        if p:
            counts[p] += 1
    return tuple(counts.items()), sum(map(text[:cut].count, OWN_WORDS))


def decide_province(evidence) -> str:
    """The province that evidence (``province_evidence``'s, of every text) names most, if it clearly dominates:
    named at least 3 times and twice as often as any other, in a corpus that speaks of its own province."""
    counts: Counter = Counter()  # (added up pair by pair: a dict and a ``Counter.update`` for each of PD1998's
    own_words = 0  # 3,148 texts took ~4 ms of every build's main process)
    for named, own in evidence:
        for province, n in named:
            counts[province] += n
        own_words += own
    if not counts:
        return ""
    (top, n), *rest = counts.most_common(2) + [("", 0)]
    second = rest[0][1]
    if n >= 3 and n >= 2 * second and own_words > 0:
        return top
    return ""


def infer_province(texts: list[str], gaz: Gazetteer | None = None) -> str:
    """The province a paper covers: the one its texts name most, if it clearly dominates.

    A provincial daily says 我省/全省 and names its own province far more often than others. Over a
    large corpus the opening of every text, INFER_SAMPLE characters in all, decides: the gazetteer
    scan costs ~0.03 µs a character, 0.06 s for a month of a daily, and the verdict is
    settled long before that. (A build with a cache keeps each text's evidence for the length of it read:
    ``pipeline.province_code``.)
    """
    gaz = gaz or gazetteer()
    samples = [t[:cut] for t, cut in zip(texts, sample_cuts(list(map(len, texts))))]
    return decide_province(province_evidence(samples, gaz))
