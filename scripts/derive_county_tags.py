"""Regenerate the tag files derived from jieba's dictionary: kg/data/county_form_tags.tsv, jieba's tag of
each county short form the gazetteer decides on, and kg/data/split_word_tags.tsv, the words rjieba does not
cut whole when tagged alone, with their tags (kg.extract.tokens.word_tag asks rjieba for the rest).

The gazetteer keeps a county's short form (黑山 for 黑山县) out of its automaton where jieba's dictionary
has it as another word, and reads a name-like one (康平) only beside its city. Those ~2,800 look-ups
are all it needs of jieba's 349 k-word tag table, which costs 0.16 s to load; this table ships them,
stamped with the sha256 of the dict.txt they came from (another dictionary: the gazetteer loads the
whole table). tests/test_tokens.py fails when this file is stale.
Usage: python scripts/derive_county_tags.py [kg/data]
"""
import sys
from pathlib import Path

from kg.extract.tokens import SPLIT_TAGS, split_words, tag_source_stamp, tag_table
from kg.lexicon import COUNTY_TAGS, county_short_forms, jieba_dictionary_stamp


def derived() -> str:
    """The file's text: the stamp line (read by kg.lexicon.county_form_tags), a note, then word<TAB>tag."""
    head = [f"# made by scripts/derive_county_tags.py from jieba's dict.txt, sha256 {jieba_dictionary_stamp()}",
            "# jieba's tag of each county short form kg.lexicon.Gazetteer decides on (empty: not in the dictionary)"]
    table = tag_table()
    return "\n".join(head + [f"{w}\t{table.get(w, '')}" for w in county_short_forms()]) + "\n"


def derived_split_tags() -> str:
    """split_word_tags.tsv: the stamp line (read by kg.extract.tokens.split_word_tags), a note, then word<TAB>tag."""
    head = [f"# made by scripts/derive_county_tags.py from jieba's dict.txt and the segmenter, sha256 {tag_source_stamp()}",
            "# jieba's words that rjieba does not cut whole when tagged alone, with jieba's tag"]
    return "\n".join(head + [f"{w}\t{t}" for w, t in split_words()]) + "\n"


if __name__ == "__main__":
    dst = Path(sys.argv[1] if len(sys.argv) > 1 else "kg/data")
    (dst / COUNTY_TAGS).write_text(derived(), encoding="utf-8")
    (dst / SPLIT_TAGS).write_text(derived_split_tags(), encoding="utf-8")
