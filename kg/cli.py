"""Command line: kg build | eval | extract. A thin layer over the Python API; a KgError is one line, exit 1."""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click

from .errors import KgError
from .runtime import ends_without_freeing

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
from .export import EXTRA_FORMATS as BUILD_FORMATS  # noqa: E402


class KgGroup(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KgError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("interrupted: previous outputs left as they were", err=True)
            sys.exit(130)


@click.group(cls=KgGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="policy-kg")
def cli():
    """policy-kg: who holds which post where, which projects sit in which city, which initiatives a
    region pushes, and where each fact was read, from Chinese government news."""


@cli.command()
@click.argument("inputs", nargs=-1, type=click.Path())
@click.option("-o", "--output", "outdir", default="output", show_default=True, type=click.Path(),
              help="Directory for graph.ttl, graph.html and report.json.")
@click.option("--province", default=None, help="The paper's province (辽宁, 辽宁省 or 210000); inferred from the text by default.")
@click.option("--base", default="", help="Base IRI for minted entities [default: https://w3id.org/policy-kg/id/].")
@click.option("-f", "--format", "formats", multiple=True, type=click.Choice(BUILD_FORMATS),
              help="Also write graph.trig (one named graph per article), graph.nq, graph.nt, graph.jsonld "
                   "(+ context.jsonld) or graph.graphml. Repeatable; Turtle, HTML and the report are always written.")
@click.option("--shards", default=0, type=click.IntRange(0, 100_000), metavar="N",
              help="Also write the graph as N N-Quads files in OUTPUT/shards/ for bulk loaders (0: none).")
@click.option("--max-mb", default=50.0, show_default=True, help="Largest input file accepted, in MB.")
@click.option("-j", "--jobs", default=None, type=click.IntRange(1, 256),
              help="Processes extracting articles [default: one per core].")
@click.option("--cache/--no-cache", default=True, show_default=True,
              help="Reuse per-article extractions from OUTPUT/.kg-cache.sqlite (keyed by text and extractor version).")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where extraction runs: local processes, or a Dask cluster (with --scheduler).")
@click.option("--scheduler", default=None, help="Dask scheduler address for --executor dask, e.g. tcp://10.0.0.5:8786.")
def build(inputs, outdir, province, base, formats, shards, max_mb, jobs, cache, executor, scheduler):
    """Read articles (.txt files or directories of them) and write the knowledge graph.

    \b
    Example:
        kg build seeds/ -o output/
    """
    from .export import Stage, output_lock, outputs
    from .pipeline import run
    from .runtime import paused_gc

    t0 = time.perf_counter()
    out = Path(outdir)
    if out.exists() and not out.is_dir():
        raise KgError(f"{outdir}: exists and is not a directory")
    cache_path = out / ".kg-cache.sqlite" if cache else None
    with paused_gc(resume=not _COMMAND), output_lock(out), Stage(out) as stage:
        kg, _ = run(list(inputs) or ["seeds"], province=province, base=base, max_mb=max_mb, jobs=jobs,
                    cache_path=str(cache_path) if cache else None, executor=executor, scheduler=scheduler)
        files = outputs(kg, formats, t0, jobs=jobs, stage=stage, shards=shards, cache=cache_path)
        stage.write(stage.pending(files))
        stage.commit()
    s = files["report.json"]
    s = json.loads(s)
    for path in s["gb18030_files"]:
        click.echo(f"note: {path} was decoded as GB18030", err=True)
    for note in s["notes"]:
        click.echo(f"note: {note}", err=True)
    for skipped in s["skipped_files"]:
        click.echo(f"skipped: {skipped['path']}: {skipped['reason']}", err=True)
    click.echo(f"articles   {s['articles']} from {s['files']} files" + (f" (province: {s['province']})" if s["province"] else ""))
    click.echo("entities   " + ", ".join(f"{k} {v}" for k, v in sorted(s["entities"].items())))
    click.echo("relations  " + ", ".join(f"{k} {v}" for k, v in sorted(s["relations"].items())))
    click.echo(f"triples    {s['triples']}")
    ex = s["extraction"]
    click.echo(f"extraction {ex['extracted']} articles extracted ({ex['executor']}), {ex['cached']} from the cache")
    click.echo(f"seconds    {s['seconds']}")
    pages = [n for n in files if "/" in n and n.endswith(".html")]
    parts = [n for n in files if n.startswith("shards/")]
    click.echo("wrote      " + ", ".join(str(out / name) for name in files if "/" not in name)
               + (f", and {len(pages)} pages in {out / 'articles'} and {out / 'entities'}" if pages else "")
               + (f", and {len(parts)} N-Quads shards in {out / 'shards'}" if parts else ""))
    global _BUILT
    _BUILT = True


@cli.command("eval")
@click.argument("graph", default="output/graph.ttl", type=click.Path())
@click.option("--gold", default="../shared/gold", show_default=True, type=click.Path(), help="Gold file or directory of them.")
@click.option("--ontology", default=None, type=click.Path(), help="Directory of ontology .ttl files merged before querying.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def eval_(graph, gold, ontology, as_json):
    """Score a built graph against gold files: P/R/F1 for entities and each relation.

    \b
    Example:
        kg eval output/graph.ttl --gold ../shared/gold
    """
    from .evaluate import evaluate, format_table

    scores = evaluate(graph, gold, ontology)
    if as_json:
        click.echo(json.dumps(scores, ensure_ascii=False, indent=2))
    else:
        click.echo(format_table(scores))


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--jsonl", "jsonl", required=True, type=click.Path(), help="Where to write one JSON line per file.")
@click.option("--province", default=None, help="The paper's province; inferred by default.")
@click.option("--flat/--nested", default=True, show_default=True, help="Outermost mentions only, as flat NER gold is annotated.")
def extract(inputs, jsonl, province, flat):
    """Write the mentions found in each input file as JSON lines with offsets into the file.

    \b
    Example:
        kg extract ../shared/benchmarks/pd1998/articles --jsonl mentions.jsonl
    """
    from .export import atomic_write
    from .extract import flat as flatten
    from .pipeline import run
    from .vocab import DEFAULT_BASE, mint

    kg, extractions = run(list(inputs), province=province)
    by_doc: dict[str, list] = {}
    key_to_id = {}
    for n, d in kg.entities():
        for m in d["mentions"]:
            key_to_id[(m.article, m.start, m.end, m.type)] = n
    for ex in extractions:
        by_doc.setdefault(ex.article.doc, []).extend(ex.mentions)
    lines = []
    for doc in sorted(by_doc):
        ms = flatten(by_doc[doc]) if flat else sorted(by_doc[doc], key=lambda m: (m.start, m.end))
        out = []
        for m in ms:
            eid = key_to_id.get((m.article, m.start, m.end, m.type), "")
            kind, _, name = eid.partition("/")
            out.append({"type": m.type, "text": m.text, "start": m.start, "end": m.end,
                        "entity": str(mint(DEFAULT_BASE, kind, name)) if eid else ""})
        lines.append(json.dumps({"doc": doc, "mentions": out}, ensure_ascii=False))
    atomic_write(Path(jsonl), "\n".join(lines) + "\n")
    click.echo(f"{len(lines)} documents, {sum(len(by_doc[d]) for d in by_doc)} mentions -> {jsonl}")


@cli.command()
@click.argument("graph", type=click.Path())
@click.option("--shapes", default=None, type=click.Path(), help="SHACL shapes file [default: ontology/shapes.ttl].")
@click.option("--examples", default=3, show_default=True, help="Focus nodes shown per kind of violation.")
def validate(graph, shapes, examples):
    """Check a built graph against the SHACL shapes; exit 1 when it does not conform.

    \b
    Example:
        kg validate output/graph.ttl
    """
    from .validate import validate as run_validation

    report = run_validation(graph, shapes)
    click.echo(report.format(examples))
    if not report.conforms:
        sys.exit(1)


@cli.command()
@click.argument("graph", type=click.Path())
@click.argument("sparql", required=False)
@click.option("--file", "query_file", type=click.Path(), help="Read the query from a .rq file.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table", show_default=True)
@click.option("--bind", "bindings", multiple=True, metavar="VAR=VALUE",
              help="Bind ?VAR to a literal (e.g. --bind name=张三); values are never pasted into the query.")
@click.option("--ontology", default=None, type=click.Path(), help="Directory of ontology .ttl files merged before querying.")
def query(graph, sparql, query_file, fmt, bindings, ontology):
    """Run SPARQL over a built graph (.ttl, .trig, .nt, .nq, .jsonld) with the ontology merged.

    Prefixes kgo: org: schema: prov: skos: nif: rdfs: rdf: xsd: are predeclared.

    \b
    Examples:
        kg query output/graph.ttl 'SELECT ?name WHERE { ?p a kgo:Person ; rdfs:label ?name }'
        kg query output/graph.ttl --file queries/officials_of_region.rq --bind region=辽宁省
    """
    from .query import format_result, run_query
    from .store import load_store

    if bool(sparql) == bool(query_file):
        raise KgError("give the query as an argument or with --file, not both")
    if query_file:
        try:
            sparql = Path(query_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise KgError(f"{query_file}: cannot read query ({exc})") from None
    binds = {}
    for b in bindings:
        name, eq, value = b.partition("=")
        if not eq or not name.strip().lstrip("?$").isidentifier():
            raise KgError(f"--bind {b}: expected VAR=VALUE")
        binds[name.strip().lstrip("?$")] = value
    store = load_store(graph, ontology)
    click.echo(format_result(run_query(store, sparql, binds), fmt))


@cli.command()
@click.argument("name")
@click.option("--graph", "graph_path", default="output/graph.ttl", show_default=True, type=click.Path(),
              help="A graph written by kg build (.ttl, .trig, .nt, .nq, .jsonld).")
@click.option("--depth", default=2, show_default=True, type=click.IntRange(1, 5), help="Relations from the entity.")
@click.option("-o", "--output", "outdir", default=None, type=click.Path(),
              help="Site folder to write into [default: the graph's folder]; the page goes to entities/.")
def view(name, graph_path, depth, outdir):
    """Draw the neighbourhood of one entity (any of its names) as an offline HTML page.

    \b
    Example:
        kg view 沈阳市 --depth 2
    """
    from .export.html import MAX_EGO, TYPE_ZH, vis_assets, ego, page_name, render_page, view_graph_from_store
    from .query import run_query
    from .store import load_store

    store = load_store(graph_path, with_ontology=False)
    found = run_query(store, "SELECT DISTINCT ?e ?name WHERE { ?e rdfs:label|skos:altLabel ?name }", {"name": name}).rows
    if not found:
        raise KgError(f"no entity named {name!r} in {graph_path}")
    v = view_graph_from_store(store, run_query)
    matches = sorted((r[0].value for r in found if r[0].value in v.nodes), key=lambda e: (-v.nodes[e]["mentions"], e))
    if not matches:
        raise KgError(f"no entity named {name!r} in {graph_path}")
    center = matches[0]
    ids = ego(v, center, depth, MAX_EGO)
    d = v.nodes[center]
    rel = page_name("entities", f"{d['type'].lower()}/{d['name']}")
    page = render_page(v, ids, f"{d['name']} · {TYPE_ZH[d['type']]}", root="../", inline=False, focus=center,
                       note=f"{d['name']}: {len(ids)} entities within {depth} relations"
                            + (f" (first {MAX_EGO})" if len(ids) >= MAX_EGO else ""))
    out = Path(outdir) if outdir else Path(graph_path).parent
    js, css = vis_assets()
    files = {rel: page}
    write_page(out, files, js, css)
    if len(matches) > 1:
        click.echo(f"note: {len(matches)} entities are named {name}; drew the most mentioned ({d['type']})", err=True)
    click.echo(str(out / rel))


def write_page(out: Path, files: dict, js: str, css: str) -> None:
    """Add pages to a site folder without replacing its other pages."""
    from .export import atomic_write

    for rel, data in {**files, "lib/vis-network.min.js": js, "lib/vis-network.css": css}.items():
        if rel.startswith("lib/") and (out / rel).exists():
            continue
        atomic_write(out / rel, data)


_BUILT = False  # a build finished: its outputs are on disk and closed
_COMMAND = False  # run as the kg command (``main``), which ends with the build: nothing to collect after


def main():
    """The ``kg`` command. After a finished build the process ends without freeing its heap one
    object at a time (millions of them: ~0.3 s of a PD1998 build went to the interpreter's teardown)
    and without the cyclic collector's first pass over it (``paused_gc(resume=False)``); every output
    is written, renamed into place and closed by then, and stdout is flushed."""
    global _COMMAND
    _COMMAND = True
    ends_without_freeing()
    try:
        cli(prog_name="kg")
    except SystemExit as exc:
        if _BUILT and exc.code in (0, None):
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
        raise
