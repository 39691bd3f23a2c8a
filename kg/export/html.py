"""Interactive HTML network view that works from file:// with no network.

pyvis assembles the nodes, edges and vis-network options; the page is our own template with
pyvis's shipped vis-network script and stylesheet inlined (pyvis's own templates still link to
CDNs), and every string from the articles is JSON-encoded with <, > and & escaped.
"""
from __future__ import annotations

import json
from importlib import resources

from pyvis.network import Network

from ..records import ENTITY_TYPES, POSITION

COLORS = {"Person": "#e15759", "Organization": "#4e79a7", "Region": "#59a14f", "Project": "#f28e2b",
          "Initiative": "#b07aa1"}
SHAPES = {"Person": "dot", "Organization": "box", "Region": "triangle", "Project": "diamond", "Initiative": "star"}
TYPE_ZH = {"Person": "人物", "Organization": "机构", "Region": "地区", "Project": "项目", "Initiative": "举措"}
RELATION_ZH = {"position": "任职", "located_in": "位于", "part_of": "隶属", "promoted_by": "推动"}


def _vis_assets() -> tuple[str, str]:
    lib = resources.files("pyvis") / "templates" / "lib" / "vis-9.1.2"
    return (lib / "vis-network.min.js").read_text(encoding="utf-8"), (lib / "vis-network.css").read_text(encoding="utf-8")


def _json(data) -> str:
    """JSON safe inside a <script> element: no </script>, no HTML-significant characters."""
    return (json.dumps(data, ensure_ascii=False, sort_keys=True)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def node_details(kg, node: str, d: dict) -> dict:
    """What the side panel shows: names, type, code, posts or officials, located items, source sentences."""
    g = kg.nx_graph
    names = {n: dd["name"] for n, dd in g.nodes(data=True)}
    facts = []
    for _, o, e in g.out_edges(node, data=True):
        facts.append({"rel": e["kind"], "title": e["title"], "other": names[o], "dir": "out"})
    for s, _, e in g.in_edges(node, data=True):
        facts.append({"rel": e["kind"], "title": e["title"], "other": names[s], "dir": "in"})
    arts = {a.id: a for a in kg.articles}
    sources = []
    for m in d["mentions"][:5]:
        art = arts.get(m.article)
        if art is None:
            continue
        sent = art.sentences[m.sentence] if 0 <= m.sentence < len(art.sentences) else None
        text = art.source_text[sent.start : sent.end] if sent else m.text
        sources.append({"article": art.title or art.doc, "doc": art.doc, "sentence": text[:300]})
    return {"name": d["name"], "aliases": d["aliases"], "type": d["type"], "code": d["code"],
            "facts": sorted(facts, key=lambda f: (f["rel"], f["other"], f["title"])), "sources": sources,
            "mentions": len(d["mentions"])}


def render(kg, title: str = "policy-kg") -> str:
    g = kg.nx_graph
    net = Network(directed=True)
    degree = dict(g.degree())
    for n, d in g.nodes(data=True):
        net.add_node(n, label=d["name"], color=COLORS[d["type"]], shape=SHAPES[d["type"]],
                     size=10 + min(30, 3 * degree.get(n, 0)), title=None, font={"size": 14})
        net.node_map[n]["type"] = d["type"]
    for s, o, e in g.edges(data=True):
        label = e["title"] if e["kind"] == POSITION else RELATION_ZH.get(e["kind"], e["kind"])
        net.add_edge(s, o, label=label, arrows="to", font={"size": 10, "align": "middle"})
        net.edges[-1]["kind"] = e["kind"]
    nodes = [{k: v for k, v in nd.items() if v is not None} for nd in net.nodes]
    details = {n: node_details(kg, n, d) for n, d in g.nodes(data=True)}
    js, css = _vis_assets()
    data = {"nodes": nodes, "edges": net.edges, "details": details,
            "types": {t: {"color": COLORS[t], "zh": TYPE_ZH[t], "shape": SHAPES[t]} for t in ENTITY_TYPES}}
    return PAGE.replace("__TITLE__", _escape(title)).replace("__CSS__", css).replace("__VISJS__", js).replace(
        "__DATA__", _json(data))


def _escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


PAGE = r"""<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>__CSS__</style>
<style>
body { margin: 0; font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "PingFang SC", sans-serif; display: flex; height: 100vh; }
#side { width: 320px; padding: 10px; overflow-y: auto; border-right: 1px solid #ddd; font-size: 14px; }
#net { flex: 1; height: 100vh; }
.legend span { display: inline-block; margin: 2px 6px 2px 0; cursor: pointer; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 3px; border-radius: 2px; }
.legend .off { opacity: 0.3; }
#panel h3 { margin: 8px 0 4px; }
#panel .src { color: #555; font-size: 12px; margin: 4px 0; border-left: 3px solid #ccc; padding-left: 6px; }
input[type=search] { width: 100%; box-sizing: border-box; padding: 4px; }
</style>
</head>
<body>
<div id="side">
  <h2 id="heading"></h2>
  <input id="search" type="search" placeholder="搜索名称 / search a name">
  <div id="hits"></div>
  <div class="legend" id="legend"></div>
  <label><input type="checkbox" id="physics"> 物理布局 physics</label>
  <div id="counts"></div>
  <div id="panel"></div>
</div>
<div id="net"></div>
<script>__VISJS__</script>
<script>
"use strict";
const DATA = __DATA__;
document.getElementById("heading").textContent = document.title;
const nodes = new vis.DataSet(DATA.nodes.map(n => Object.assign({}, n, {title: undefined})));
const edges = new vis.DataSet(DATA.edges.map((e, i) => Object.assign({id: "e" + i}, e)));
const hidden = new Set();
const view = new vis.DataView(nodes, {filter: n => !hidden.has(n.type)});
const network = new vis.Network(document.getElementById("net"), {nodes: view, edges: edges}, {
  physics: {enabled: true, stabilization: {iterations: 200}, barnesHut: {gravitationalConstant: -4000}},
  edges: {smooth: false}, interaction: {hover: true}
});
network.once("stabilizationIterationsDone", () => network.setOptions({physics: {enabled: false}}));
window.kgReady = false;
network.once("afterDrawing", () => { window.kgReady = true; });
function text(tag, s, cls) { const el = document.createElement(tag); el.textContent = s; if (cls) el.className = cls; return el; }
const legend = document.getElementById("legend");
Object.entries(DATA.types).forEach(([t, info]) => {
  const span = document.createElement("span");
  const box = document.createElement("i"); box.style.background = info.color;
  span.appendChild(box); span.appendChild(document.createTextNode(info.zh + " " + t));
  span.onclick = () => { if (hidden.has(t)) { hidden.delete(t); span.classList.remove("off"); } else { hidden.add(t); span.classList.add("off"); } view.refresh(); };
  legend.appendChild(span);
});
document.getElementById("counts").textContent = DATA.nodes.length + " nodes, " + DATA.edges.length + " edges";
document.getElementById("physics").onchange = ev => network.setOptions({physics: {enabled: ev.target.checked}});
function show(id) {
  const d = DATA.details[id]; const panel = document.getElementById("panel"); panel.replaceChildren();
  if (!d) return;
  panel.appendChild(text("h3", d.name));
  panel.appendChild(text("div", DATA.types[d.type].zh + " · " + d.type + (d.code ? " · GB/T 2260 " + d.code : "") + " · " + d.mentions + " mentions"));
  if (d.aliases.length) panel.appendChild(text("div", "又名 aliases: " + d.aliases.join("、")));
  const ul = document.createElement("ul");
  d.facts.forEach(f => ul.appendChild(text("li", (f.dir === "out" ? "→ " : "← ") + f.rel + (f.title ? " " + f.title : "") + ": " + f.other)));
  panel.appendChild(ul);
  if (d.sources.length) panel.appendChild(text("h4", "来源 sources"));
  d.sources.forEach(s => { const div = text("div", "", "src"); div.appendChild(text("b", s.article)); div.appendChild(document.createElement("br")); div.appendChild(document.createTextNode(s.sentence)); panel.appendChild(div); });
}
network.on("click", params => {
  if (!params.nodes.length) { nodes.update(DATA.nodes.map(n => ({id: n.id, opacity: 1}))); return; }
  const id = params.nodes[0]; show(id);
  const near = new Set(network.getConnectedNodes(id)); near.add(id);
  nodes.update(DATA.nodes.map(n => ({id: n.id, opacity: near.has(n.id) ? 1 : 0.2})));
});
document.getElementById("search").oninput = ev => {
  const q = ev.target.value.trim(); const hits = document.getElementById("hits"); hits.replaceChildren();
  if (!q) return;
  Object.entries(DATA.details).filter(([id, d]) => d.name.includes(q) || d.aliases.some(a => a.includes(q))).slice(0, 20).forEach(([id, d]) => {
    const a = text("div", d.name + " (" + DATA.types[d.type].zh + ")", "hit"); a.style.cursor = "pointer";
    a.onclick = () => { network.selectNodes([id]); network.focus(id, {scale: 1.2}); show(id); };
    hits.appendChild(a);
  });
};
</script>
</body>
</html>
"""
