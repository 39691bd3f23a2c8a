"""Shared fixtures: the seeds built once per session into a temp dir, the gold and contract folders."""
from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
# the compiled patterns' cache (``kg.regexes``) in a folder of this session's, for this process and every build it
# starts: the tests neither read nor fill the user's ~/.cache, and their first build compiles every pattern
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="kg-tests-cache-")
atexit.register(shutil.rmtree, os.environ["XDG_CACHE_HOME"], ignore_errors=True)
SHARED = ROOT.parent / "shared"
GOLD = SHARED / "gold"
CONTRACT = SHARED / "contract"
SEEDS = ROOT / "seeds"
ALL_FORMATS = ("-f", "trig", "-f", "nquads", "-f", "ntriples", "-f", "jsonld", "-f", "graphml")
# ``a-1.txt``, 15 short articles: beside ``a.txt`` (a seed page) the mentions of a-1#13 and a-1#14
# (mention:a-1-13-S-E) sort among those of a#1 (mention:a-1-S-E), so two articles' IRIs interleave
INTERLEAVING_PAGE = "\n\n".join(f"# 第{i}篇 辽宁推进产业发展\n\n沈阳市人民政府和大连市发展改革委员会在辽宁省召开会议，推进“数字辽宁”建设。"
                                for i in range(1, 16)) + "\n"


def need_tool(name: str) -> str:
    """The path of a system tool a test needs; skip without it, except under CI where .ci/run installs it."""
    import shutil

    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {name} is not installed (.ci/run installs it)")
        pytest.skip(f"{name} not installed")
    return path


def page_data(page) -> dict:
    """The data a page draws (its ``const DATA``): nodes with their positions, edges, the side panel's details."""
    import json

    text = page.read_text(encoding="utf-8")
    start = text.index("const DATA = ") + len("const DATA = ")
    return json.loads(text[start : text.index(";\ndocument", start)])


class Invoked(NamedTuple):
    exit_code: int
    output: str  # (stdout and stderr together)


def invoke_kg(args: list[str]) -> Invoked:
    """Run the command line in this process (``kg.cli.run``: what ``kg`` runs, without ending the process), its
    stdout and stderr captured together; an exception no command turns into a message goes up to the test."""
    import contextlib
    import io

    from kg.cli import run

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = run(args)
    return Invoked(code, out.getvalue())


def run_kg(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real command line in a subprocess, as a user would."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, cwd=cwd or ROOT,
                          env=env, timeout=600)


@pytest.fixture(scope="session")
def seeds_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seeds_build")
    res = run_kg("build", str(SEEDS), "-o", str(out), *ALL_FORMATS)
    assert res.returncode == 0, res.stderr
    return out


@pytest.fixture(scope="session")
def seeds_graph(seeds_build):
    import rdflib

    g = rdflib.Graph()
    g.parse(seeds_build / "graph.ttl", format="turtle")
    for onto in sorted(p for p in (ROOT / "ontology").glob("*.ttl") if p.name != "shapes.ttl"):
        g.parse(onto, format="turtle")
    return g


def need_gold():
    if not GOLD.is_dir():
        pytest.skip(f"no gold folder at {GOLD}")
