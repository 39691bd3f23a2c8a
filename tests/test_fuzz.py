"""Property-based fuzzing of the whole pipeline, read → segment → extract → resolve → export.

The default run tries a few dozen examples; the fuzz job (`KG_FUZZ_EXAMPLES=10000 python -m pytest -m fuzz`,
run by .ci/run) tries ten thousand. For every input: either a clear InputError or no exception; every
mention's offsets slice back to its text; the Turtle parses in rdflib and pyoxigraph; the HTML carries no
label unescaped.
"""
from __future__ import annotations

import os

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import InputError

EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "40"))

PIECES = [
    "省委书记", "副省长", "市长", "厅长", "党组书记、", "本报记者 ", "本报讯 ", "记者", "说，", "表示，", "。", "，", "、",
    "辽宁省", "沈阳市", "铁西区", "朝阳", "黑山县", "于寺镇", "官营子村", "东北", "开发区", "高新区", "示范区",
    "有限公司", "集团", "研究院", "委员会", "管委会", "厅", "局", "项目", "工程", "二期", "号线", "行动", "战略",
    "“", "”", "『", "』", "《", "》", "「", "（", "）", "(", ")", "——", "# ", "## ", "\n", "\n\n", "\r\n",
    "\u200b", "\u200d", "\ufeff", "\u2028", "\u3000", "ＡＢＣ１２３", "１９９８年１月３日", "二〇二五年三月五日",
    "𠀀𪚥", "\x01", "\x7f", "\\", '"""', "<img src=x onerror=alert(1)>", "</script>", "&amp;", "%41", "}",
    "张立林", "王明", "高峰", "李", "司马", "·", "@", "\t", "ــ", "한국", "Москва", "😀",
]

fragment = st.one_of(
    st.sampled_from(PIECES),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.builds(lambda t, n: t * n, st.sampled_from(["省委书记", "副省长", "“", "《", "沈阳市", "有限公司"]),
              st.integers(1, 20)),
)
article = st.lists(fragment, min_size=1, max_size=24).map("".join)
raw_bytes = st.one_of(  # bytes as scrapers leave them: lone surrogates escaped, stray high bytes
    st.just(b""), st.just(b"\xed\xa0\x80"), st.just(b"\xed\xbf\xbf"), st.just(b"\xff"), st.just(b"\xef\xbb\xbf"),
)


@pytest.mark.fuzz
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.tuples(article, raw_bytes), min_size=1, max_size=3))
def test_pipeline_survives_anything(tmp_path_factory, texts):
    from kg.export import outputs

    from kg.pipeline import run

    folder = tmp_path_factory.mktemp("fuzz")
    for i, (text, junk) in enumerate(texts):
        data = text.encode("utf-8")
        (folder / f"{i}.txt").write_bytes(data[: len(data) // 2] + junk + data[len(data) // 2 :])
    try:
        kg, extractions = run([str(folder)])
    except InputError:
        return  # a clear message (all pages empty, binary …) is a valid answer
    for ex in extractions:
        for m in ex.mentions:
            assert ex.article.source_text[m.start : m.end] == m.text
    kg.stats.setdefault("timings", {})
    files = outputs(kg)
    ttl = files["graph.ttl"]
    ox_triples = list(ox.parse(ttl, format=ox.RdfFormat.TURTLE))
    g = rdflib.Graph().parse(data=ttl.decode("utf-8"), format="turtle")
    assert len(g) == len(ox_triples) == kg.stats["triples"]
    html = files["graph.html"]
    data = html[html.index("const DATA = ") :] if "const DATA = " in html else html
    for _, d in kg.entities():
        for name in [d["name"], *d["aliases"]]:
            if any(c in name for c in "<>&"):
                assert name not in data
    assert "<img src=x" not in data

