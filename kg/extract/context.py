"""What an extractor knows beyond one sentence: the paper's province and the article's regions."""
from __future__ import annotations

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


def infer_province(texts: list[str], gaz: Gazetteer | None = None) -> str:
    """The province a paper covers: the one its texts name most, if it clearly dominates.

    A provincial daily says 我省/全省 and names its own province far more often than others.
    """
    gaz = gaz or gazetteer()
    counts: Counter[str] = Counter()
    auto = gaz.automaton
    for text in texts:
        for end, form in auto.iter_long(text):
            for code in gaz.forms[form]:
                reg = gaz.regions[code]
                if reg.level in ("province", "city", "county"):
                    counts[gaz.province_of(code) if reg.level != "province" else code] += 1
                    break
    if not counts:
        return ""
    (top, n), *rest = counts.most_common(2) + [("", 0)]
    second = rest[0][1]
    own_words = sum(t.count("我省") + t.count("全省") + t.count("省委") for t in texts)
    if n >= 3 and n >= 2 * second and own_words > 0:
        return top
    return ""
