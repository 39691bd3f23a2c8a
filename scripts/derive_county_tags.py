"""Regenerate kg/data/county_form_tags.tsv: jieba's tag of each county short form the gazetteer decides on.

The gazetteer keeps a county's short form (黑山 for 黑山县) out of its automaton where jieba's dictionary
has it as another word, and reads a name-like one (康平) only beside its city. Those ~2,800 look-ups
are all it needs of jieba's 349 k-word tag table, which costs 0.16 s to load; this table ships them,
stamped with the sha256 of the dict.txt they came from (another dictionary: the gazetteer loads the
whole table). tests/test_tokens.py fails when this file is stale.
Usage: python scripts/derive_county_tags.py [kg/data/county_form_tags.tsv]
"""
import sys

from kg.extract.tokens import word_tag
from kg.lexicon import county_short_forms, jieba_dictionary_stamp


def derived() -> str:
    """The file's text: the stamp line (read by kg.lexicon.county_form_tags), a note, then word<TAB>tag."""
    head = [f"# made by scripts/derive_county_tags.py from jieba's dict.txt, sha256 {jieba_dictionary_stamp()}",
            "# jieba's tag of each county short form kg.lexicon.Gazetteer decides on (empty: not in the dictionary)"]
    return "\n".join(head + [f"{w}\t{word_tag(w) or ''}" for w in county_short_forms()]) + "\n"


if __name__ == "__main__":
    dst = sys.argv[1] if len(sys.argv) > 1 else "kg/data/county_form_tags.tsv"
    with open(dst, "w", encoding="utf-8") as fh:
        fh.write(derived())
