"""Command line: kg build | eval | extract | validate | query | view. A thin layer over the Python API, parsed by
argparse (the standard library's: click, which it replaced, took ~12 ms of every command's start here, a fortieth
of a PD1998 re-build). A KgError is one line, exit 1; a wrong option one line, exit 2."""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from .errors import KgError
from .export import EXTRA_FORMATS as BUILD_FORMATS
from .runtime import ends_without_freeing

PROG = "kg"


def build(inputs, outdir, province, base, formats, shards, max_mb, jobs, cache, executor, scheduler):
    """Read articles (.txt files or directories of them) and write the knowledge graph.

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
        print(f"note: {path} was decoded as GB18030", file=sys.stderr)
    for note in s["notes"]:
        print(f"note: {note}", file=sys.stderr)
    for skipped in s["skipped_files"]:
        print(f"skipped: {skipped['path']}: {skipped['reason']}", file=sys.stderr)
    print(f"articles   {s['articles']} from {s['files']} files" + (f" (province: {s['province']})" if s["province"] else ""))
    print("entities   " + ", ".join(f"{k} {v}" for k, v in sorted(s["entities"].items())))
    print("relations  " + ", ".join(f"{k} {v}" for k, v in sorted(s["relations"].items())))
    print(f"triples    {s['triples']}")
    ex = s["extraction"]
    print(f"extraction {ex['extracted']} articles extracted ({ex['executor']}), {ex['cached']} from the cache")
    print(f"seconds    {s['seconds']}")
    pages = [n for n in files if "/" in n and n.endswith(".html")]
    parts = [n for n in files if n.startswith("shards/")]
    print("wrote      " + ", ".join(str(out / name) for name in files if "/" not in name)
          + (f", and {len(pages)} pages in {out / 'articles'} and {out / 'entities'}" if pages else "")
          + (f", and {len(parts)} N-Quads shards in {out / 'shards'}" if parts else ""))
    global _BUILT
    _BUILT = True


def eval_(graph, gold, ontology, as_json):
    """Score a built graph against gold files: P/R/F1 for entities and each relation.

    Example:
        kg eval output/graph.ttl --gold ../shared/gold
    """
    from .evaluate import evaluate, format_table

    scores = evaluate(graph, gold, ontology)
    if as_json:
        print(json.dumps(scores, ensure_ascii=False, indent=2))
    else:
        print(format_table(scores))


def extract(inputs, jsonl, province, flat):
    """Write the mentions found in each input file as JSON lines with offsets into the file.

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
    print(f"{len(lines)} documents, {sum(len(by_doc[d]) for d in by_doc)} mentions -> {jsonl}")


def validate(graph, shapes, examples):
    """Check a built graph against the SHACL shapes; exit 1 when it does not conform.

    Example:
        kg validate output/graph.ttl
    """
    from .validate import validate as run_validation

    report = run_validation(graph, shapes)
    print(report.format(examples))
    if not report.conforms:
        sys.exit(1)


def query(graph, sparql, query_file, fmt, bindings, ontology):
    """Run SPARQL over a built graph (.ttl, .trig, .nt, .nq, .jsonld) with the ontology merged.

    Prefixes kgo: org: schema: prov: skos: nif: rdfs: rdf: xsd: are predeclared.

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
    print(format_result(run_query(store, sparql, binds), fmt))


def view(name, graph_path, depth, outdir):
    """Draw the neighbourhood of one entity (any of its names) as an offline HTML page.

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
        print(f"note: {len(matches)} entities are named {name}; drew the most mentioned ({d['type']})", file=sys.stderr)
    print(str(out / rel))


def write_page(out: Path, files: dict, js: str, css: str) -> None:
    """Add pages to a site folder without replacing its other pages."""
    from .export import atomic_write

    for rel, data in {**files, "lib/vis-network.min.js": js, "lib/vis-network.css": css}.items():
        if rel.startswith("lib/") and (out / rel).exists():
            continue
        atomic_write(out / rel, data)


class _UsageError(Exception):
    """A command line that does not parse: its message, and the command whose help to point to."""

    def __init__(self, message: str, prog: str):
        super().__init__(message)
        self.prog = prog


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Help as written (the examples keep their lines), "Usage:" capitalised, each option's default shown where the
    option has one worth showing (``show``)."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "Usage: " if prefix is None else prefix)

    def _get_help_string(self, action):
        text = action.help or ""
        if getattr(action, "show_default", False) and "%(default)" not in text:
            text += " [default: %(default)s]"
        return text


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise _UsageError(message, self.prog)


def _int_range(low: int, high: int):
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= n <= high:
            raise argparse.ArgumentTypeError(f"{n} is not in the range {low} to {high}")
        return n

    parse.__name__ = "integer"
    return parse


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None


class _Version(argparse.Action):
    """``--version``: the installed distribution's version, looked up only when asked for."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib.metadata import version

        print(f"{PROG}, version {version('policy-kg')}")
        parser.exit()


def _summary(fn) -> str:
    return (fn.__doc__ or "").strip().split("\n")[0]


def _described(fn) -> str:
    """A command's docstring as its help: the first line, then the rest with the docstring's indent taken off."""
    first, _, rest = (fn.__doc__ or "").strip().partition("\n")
    return "\n".join([first] + [line[4:] if line.startswith("    ") else line for line in rest.split("\n")])


def _option(parser, *names, show: bool = False, **kw):
    action = parser.add_argument(*names, **kw)
    action.show_default = show
    return action


def parser() -> argparse.ArgumentParser:
    """The command line: one sub-command per function above, each with its options."""
    top = _Parser(prog=PROG, formatter_class=_Formatter, description="policy-kg: who holds which post where, which "
                  "projects sit in which city, which initiatives a region pushes, and where each fact was read, from "
                  "Chinese government news.")
    top.add_argument("--version", action=_Version, help="Show the version and exit.")
    commands = top.add_subparsers(title="Commands", metavar="COMMAND", dest="command", parser_class=_Parser)

    def command(name: str, fn):
        p = commands.add_parser(name, help=_summary(fn), description=_described(fn),
                                formatter_class=_Formatter)
        p.set_defaults(run=fn)
        return p

    p = command("build", build)
    p.add_argument("inputs", nargs="*", metavar="INPUTS", help="Files or folders of .txt articles [default: seeds].")
    _option(p, "-o", "--output", dest="outdir", default="output", metavar="OUTPUT", show=True,
            help="Directory for graph.ttl, graph.html and report.json.")
    p.add_argument("--province", default=None,
                   help="The paper's province (辽宁, 辽宁省 or 210000); inferred from the text by default.")
    p.add_argument("--base", default="", help="Base IRI for minted entities [default: https://w3id.org/policy-kg/id/].")
    p.add_argument("-f", "--format", dest="formats", action="append", default=[], choices=BUILD_FORMATS,
                   metavar="FORMAT", help="One of " + ", ".join(BUILD_FORMATS) + ". Also write graph.trig (one "
                                          "named graph per article), graph.nq, graph.nt, graph.jsonld "
                        "(+ context.jsonld) or graph.graphml. Repeatable; Turtle, HTML and the report are always "
                        "written.")
    p.add_argument("--shards", default=0, type=_int_range(0, 100_000), metavar="N",
                   help="Also write the graph as N N-Quads files in OUTPUT/shards/ for bulk loaders (0: none).")
    _option(p, "--max-mb", default=50.0, type=_number, metavar="MB", show=True,
            help="Largest input file accepted, in MB.")
    p.add_argument("-j", "--jobs", default=None, type=_int_range(1, 256), metavar="N",
                   help="Processes extracting articles [default: one per core].")
    _option(p, "--cache", action=argparse.BooleanOptionalAction, default=True, show=True,
            help="Reuse per-article extractions from OUTPUT/.kg-cache.sqlite (keyed by text and extractor version).")
    _option(p, "--executor", choices=["local", "dask"], default="local", show=True,
            help="Where extraction runs: local processes, or a Dask cluster (with --scheduler).")
    p.add_argument("--scheduler", default=None,
                   help="Dask scheduler address for --executor dask, e.g. tcp://10.0.0.5:8786.")

    p = command("eval", eval_)
    _option(p, "graph", nargs="?", default="output/graph.ttl", metavar="GRAPH", show=True, help="A built graph.")
    _option(p, "--gold", default="../shared/gold", show=True, help="Gold file or directory of them.")
    p.add_argument("--ontology", default=None, help="Directory of ontology .ttl files merged before querying.")
    p.add_argument("--json", dest="as_json", action="store_true", help="Print the scores as JSON.")

    p = command("extract", extract)
    p.add_argument("inputs", nargs="+", metavar="INPUTS", help="Files or folders of .txt articles.")
    p.add_argument("--jsonl", required=True, help="Where to write one JSON line per file.")
    p.add_argument("--province", default=None, help="The paper's province; inferred by default.")
    p.add_argument("--flat", dest="flat", action="store_true", default=True,
                   help="Outermost mentions only, as flat NER gold is annotated (the default).")
    p.add_argument("--nested", dest="flat", action="store_false", help="Every mention, nested ones too.")

    p = command("validate", validate)
    p.add_argument("graph", metavar="GRAPH", help="A built graph.")
    p.add_argument("--shapes", default=None, help="SHACL shapes file [default: ontology/shapes.ttl].")
    _option(p, "--examples", default=3, type=_int_range(0, 1_000_000), show=True,
            help="Focus nodes shown per kind of violation.")

    p = command("query", query)
    p.add_argument("graph", metavar="GRAPH", help="A built graph (.ttl, .trig, .nt, .nq, .jsonld).")
    p.add_argument("sparql", nargs="?", default=None, metavar="SPARQL", help="The query (or --file).")
    p.add_argument("--file", dest="query_file", default=None, metavar="FILE", help="Read the query from a .rq file.")
    _option(p, "--format", dest="fmt", choices=["table", "csv", "tsv", "json"], default="table", show=True,
            help="How the answer is printed.")
    p.add_argument("--bind", dest="bindings", action="append", default=[], metavar="VAR=VALUE",
                   help="Bind ?VAR to a literal (e.g. --bind name=张三); values are never pasted into the query.")
    p.add_argument("--ontology", default=None, help="Directory of ontology .ttl files merged before querying.")

    p = command("view", view)
    p.add_argument("name", metavar="NAME", help="Any name of the entity.")
    _option(p, "--graph", dest="graph_path", default="output/graph.ttl", metavar="GRAPH", show=True,
            help="A graph written by kg build (.ttl, .trig, .nt, .nq, .jsonld).")
    _option(p, "--depth", default=2, type=_int_range(1, 5), show=True, help="Relations from the entity.")
    p.add_argument("-o", "--output", dest="outdir", default=None, metavar="FOLDER",
                   help="Site folder to write into [default: the graph's folder]; the page goes to entities/.")
    return top


def run(argv: list[str] | None = None) -> int:
    """Run one command line (``argv``: the arguments after ``kg``), returning its exit status: 0 done, 1 a KgError
    (one line, ``Error: ...``, on stderr), 2 a command line that does not parse, 130 interrupted. Help and
    ``--version`` print and return 0."""
    try:
        command_line = parser()
        args = command_line.parse_args(sys.argv[1:] if argv is None else argv)
        if getattr(args, "run", None) is None:
            command_line.print_help()
            return 0
        fn = args.run
        del args.run, args.command
        fn(**vars(args))
    except _UsageError as exc:
        print(f"Error: {exc} (see '{exc.prog} --help')", file=sys.stderr)
        return 2
    except KgError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: previous outputs left as they were", file=sys.stderr)
        return 130
    except SystemExit as exc:  # (help, --version; validate's exit 1 where the graph does not conform)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


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
    code = run()
    if _BUILT and code == 0:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    sys.exit(code)
