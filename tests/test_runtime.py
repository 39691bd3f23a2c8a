"""The process helpers a build forks (``kg.runtime.ForkedHelper``, ``Claim``): what a process pool of one gave, without
importing multiprocessing on a re-build's path."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import SEEDS
from kg.errors import OutputError
from kg.runtime import Claim, ForkedHelper, HelperDied, HelperTraceback

PD1998 = SEEDS.parent.parent / "shared" / "benchmarks" / "pd1998" / "articles"
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")


def _fail(message: str):
    raise OutputError(message)


def _pid_and(value):
    return os.getpid(), value


_SEEN: list = []


def _remember(value) -> None:
    _SEEN.append(value)


def _seen() -> list:
    return list(_SEEN)


def _gone(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_a_helper_runs_calls_in_its_own_process_and_hands_back_values_and_exceptions():
    helper = ForkedHelper(_remember, ("set up",))  # (the initializer runs in the helper, once)
    try:
        pid, value = helper.submit(_pid_and, {"a": [1, 2], "b": "文"}).result()
        assert pid == helper.pid != os.getpid() and value == {"a": [1, 2], "b": "文"}
        assert helper.submit(_seen).result() == ["set up"] and _SEEN == []
        failed = helper.submit(_fail, "cannot write x")
        with pytest.raises(OutputError, match="cannot write x") as raised:
            failed.result()
        assert isinstance(raised.value.__cause__, HelperTraceback) and "_fail" in str(raised.value.__cause__)
        with pytest.raises(OutputError):  # (asked again, the same outcome)
            failed.result()
        assert helper.submit(len, "四个字符").result() == 4  # (an exception leaves it serving)
    finally:
        helper.shutdown()
    assert helper.pid == 0
    with pytest.raises(RuntimeError, match="shut down"):
        helper.submit(len, "x")


def test_a_helper_takes_one_call_at_a_time_and_is_reaped_by_shutdown():
    helper = ForkedHelper()
    pid = helper.pid
    pending = helper.submit(time.sleep, 0.2)
    with pytest.raises(RuntimeError, match="one call at a time"):
        helper.submit(len, "x")
    assert pending.result() is None
    helper.shutdown()  # (waits for its exit)
    assert _gone(pid)  # (reaped: no zombie left)


def test_a_helper_whose_initializer_failed_raises_on_every_call():
    helper = ForkedHelper(_fail, ("no extractor",))
    try:
        for _ in range(2):
            with pytest.raises(RuntimeError, match="initializer failed.*no extractor"):
                helper.submit(len, "x").result()
    finally:
        helper.shutdown()


def test_a_helper_killed_mid_call_is_a_clear_error_not_a_hang():
    helper = ForkedHelper()
    try:
        pending = helper.submit(time.sleep, 30)
        time.sleep(0.1)
        os.kill(helper.pid, signal.SIGKILL)
        started = time.monotonic()
        with pytest.raises(HelperDied, match="ended before it handed back"):
            pending.result()
        assert time.monotonic() - started < 5
    finally:
        helper.shutdown()


def test_a_claim_is_taken_by_exactly_one_of_the_processes_racing_for_it():
    for _ in range(20):
        claim = Claim()
        helper = ForkedHelper()
        try:
            theirs = helper.submit(claim.acquire, False)
            ours = claim.acquire(block=False)
            assert [ours, theirs.result()].count(True) == 1
            assert claim.acquire(block=False) is False  # (taken once, for good)
        finally:
            helper.shutdown()
            claim.close()


def test_a_rebuild_imports_neither_multiprocessing_nor_concurrent_futures(tmp_path):
    """A re-build's extraction worker and its RDF writer are ``ForkedHelper``s: multiprocessing, concurrent.futures
    (with logging, subprocess and socket: ~15-20 ms of every start) are not imported on its path, while its
    outputs are a fresh build's and the RDF writer still runs beside the pages."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for copy in ("a", "b", "c"):  # (over a hundred articles: the RDF writer is forked)
        for f in sorted(SEEDS.glob("*.txt")):
            shutil.copy(f, corpus / f"{copy}{f.name}")
    held = sorted(corpus.glob("*.txt"))[-1]
    text = held.read_text(encoding="utf-8")
    held.unlink()
    out = tmp_path / "o"
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    kg = [sys.executable, "-X", "importtime", "-m", "kg", "build", str(corpus), "-o"]
    first = subprocess.run(kg + [str(out), "-j", "2"], capture_output=True, text=True, env=env, timeout=600)
    assert first.returncode == 0, first.stderr
    (corpus / held.name).write_text(text, encoding="utf-8")
    again = subprocess.run(kg + [str(out), "-j", "2"], capture_output=True, text=True, env=env, timeout=600)
    assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["extraction"]["extracted"] >= 1 and report["extraction"]["executor"] == "local × 1"
    assert report["export"].startswith("RDF in a forked process")
    imported = {line.rsplit("|", 1)[1].strip() for line in again.stderr.splitlines() if line.startswith("import time:")}
    assert "kg.export.rdf" in imported  # (the import times are those of the build)
    assert not {m for m in imported if m.split(".")[0] in ("multiprocessing", "concurrent")}, sorted(imported)
    fresh = tmp_path / "fresh"
    assert subprocess.run([sys.executable, "-m", "kg", "build", str(corpus), "-o", str(fresh)], capture_output=True,
                          env=env, timeout=600).returncode == 0
    assert (out / "graph.ttl").read_bytes() == (fresh / "graph.ttl").read_bytes()
    assert (out / "index.html").read_bytes() == (fresh / "index.html").read_bytes()


def test_a_helper_that_dies_fails_the_build_with_one_line_and_no_output(tmp_path):
    """The RDF writer's process killed mid-build (here: it exits at once, as the OOM killer would end it): the build
    stops with one line naming what happened, exit 1, no traceback, and no output put in place."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for copy in ("a", "b", "c"):  # (over a hundred articles: the RDF writer is forked)
        for f in sorted(SEEDS.glob("*.txt")):
            shutil.copy(f, corpus / f"{copy}{f.name}")
    out = tmp_path / "o"
    code = """if True:
        import os, sys
        import kg.cli, kg.export

        kg.export._rdf_files = lambda *args, **kwargs: os._exit(9)  # (the writer ends without a result)
        sys.argv = ["kg", "build", sys.argv[1], "-o", sys.argv[2], "-j", "2"]
        kg.cli.main()
    """
    res = subprocess.run([sys.executable, "-c", code, str(corpus), str(out)], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONIOENCODING="utf-8"), cwd=SEEDS.parent, timeout=600)
    assert res.returncode == 1, (res.returncode, res.stderr)
    assert "Traceback" not in res.stderr and "ended before it handed back its result" in res.stderr, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert not (out / "graph.ttl").exists() and not (out / "index.html").exists()
