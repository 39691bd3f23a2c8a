"""Command line: kg build | eval | extract. A thin layer over the Python API; a KgError is one line, exit 1."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from .errors import KgError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


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
def build(inputs, outdir, province, base):
    """Read articles (.txt files or directories of them) and write the knowledge graph.

    \b
    Example:
        kg build seeds/ -o output/
    """
    from .export import atomic_write
    from .export.html import render
    from .export.rdf import to_turtle
    from .pipeline import run

    t0 = time.perf_counter()
    kg, _ = run(list(inputs) or ["seeds"], province=province, base=base)
    out = Path(outdir)
    if out.exists() and not out.is_dir():
        raise KgError(f"{outdir}: exists and is not a directory")
    t = time.perf_counter()
    ttl = to_turtle(kg)
    html = render(kg, title="policy-kg")
    kg.stats["timings"]["export"] = time.perf_counter() - t
    kg.stats["seconds"] = round(time.perf_counter() - t0, 3)
    report = json.dumps(kg.stats, ensure_ascii=False, indent=2, sort_keys=True)
    for name, data in (("graph.ttl", ttl), ("graph.html", html), ("report.json", report)):
        atomic_write(out / name, data)
    s = kg.stats
    for path in s["gb18030_files"]:
        click.echo(f"note: {path} was decoded as GB18030", err=True)
    click.echo(f"articles   {s['articles']} from {s['files']} files" + (f" (province: {s['province']})" if s["province"] else ""))
    click.echo("entities   " + ", ".join(f"{k} {v}" for k, v in sorted(s["entities"].items())))
    click.echo("relations  " + ", ".join(f"{k} {v}" for k, v in sorted(s["relations"].items())))
    click.echo(f"seconds    {s['seconds']}")
    click.echo(f"wrote      {out / 'graph.ttl'}, {out / 'graph.html'}, {out / 'report.json'}")


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


def main():
    cli(prog_name="kg")
