"""Bad input: one clear line, a non-zero exit, no traceback, no half-written output."""
from __future__ import annotations

from conftest import run_kg


def _one_line_error(res, *needles):
    assert res.returncode != 0
    assert "Traceback" not in res.stderr
    err = res.stderr.strip()
    assert err.startswith("Error:"), err
    for n in needles:
        assert n in err, err


def test_missing_path(tmp_path):
    _one_line_error(run_kg("build", str(tmp_path / "nope"), "-o", str(tmp_path / "o")), "no such file")


def test_empty_directory(tmp_path):
    (tmp_path / "in").mkdir()
    _one_line_error(run_kg("build", str(tmp_path / "in"), "-o", str(tmp_path / "o")), "no .txt files")


def test_empty_file(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("")
    _one_line_error(run_kg("build", str(f), "-o", str(tmp_path / "o")), "a.txt", "empty")


def test_binary_file(tmp_path):
    f = tmp_path / "b.txt"
    f.write_bytes(bytes(range(256)) * 10)
    _one_line_error(run_kg("build", str(f), "-o", str(tmp_path / "o")), "b.txt", "binary")


def test_undecodable_file(tmp_path):
    f = tmp_path / "c.txt"
    f.write_bytes("辽宁".encode("utf-8") + b"\xff\xff\xfe\x80\x80" * 4)
    _one_line_error(run_kg("build", str(f), "-o", str(tmp_path / "o")), "c.txt", "UTF-8")


def test_gb18030_file_is_decoded_and_reported(tmp_path):
    f = tmp_path / "gbk.txt"
    f.write_bytes("本报讯 记者王明报道 辽宁省人民政府副省长张立林出席会议。".encode("gb18030"))
    res = run_kg("build", str(f), "-o", str(tmp_path / "o"))
    assert res.returncode == 0, res.stderr
    assert "GB18030" in res.stderr
    assert "张立林" in (tmp_path / "o" / "graph.ttl").read_text(encoding="utf-8")


def test_output_not_writable_keeps_nothing_half_written(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    _one_line_error(run_kg("build", "seeds/000_a06d24ae3cd6fbd4.txt", "-o", str(blocker / "sub")), "cannot")


def test_failed_build_leaves_previous_outputs(tmp_path):
    out = tmp_path / "o"
    assert run_kg("build", "seeds/000_a06d24ae3cd6fbd4.txt", "-o", str(out)).returncode == 0

    def snapshot():
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
                if p.is_file() and not p.name.startswith(".")}

    before = snapshot()
    assert {"graph.ttl", "graph.html", "index.html", "report.json"} <= set(before)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01")
    _one_line_error(run_kg("build", str(bad), "-o", str(out)))
    assert snapshot() == before
    assert not list(out.glob(".*.tmp"))
    # a re-build starts its extraction worker before it looks for the files: a missing input still gives one
    # line, and the worker stops with the build
    _one_line_error(run_kg("build", str(tmp_path / "gone"), "-o", str(out)), "no such file")
    assert snapshot() == before
    assert not list(out.glob(".*.tmp"))
    # a folder where an output file goes (regression: a traceback from the commit, after the outputs renamed
    # before it were in place): one line naming it, nothing renamed
    (out / "report.json").unlink()
    (out / "report.json" / "x").mkdir(parents=True)
    del before["report.json"]
    _one_line_error(run_kg("build", "seeds/", "-o", str(out)), "report.json", "a folder")
    assert snapshot() == before
    assert not list(out.glob(".*.tmp"))


def test_bad_gold_file_named(tmp_path, seeds_build):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "x.json").write_text('{"entities": [{"type": "Persn", "name": "某人"}]}', encoding="utf-8")
    _one_line_error(run_kg("eval", str(seeds_build / "graph.ttl"), "--gold", str(gold)), "x.json", "entities[0]", "Persn")
    (gold / "x.json").write_text('{"entities": [', encoding="utf-8")
    _one_line_error(run_kg("eval", str(seeds_build / "graph.ttl"), "--gold", str(gold)), "x.json", "not valid JSON")
    (gold / "x.json").write_text('{"entities": [{"type": "Person", "name": "甲"}], "positions": [{"person": "乙", "org": "丙", "title": "丁"}]}', encoding="utf-8")
    _one_line_error(run_kg("eval", str(seeds_build / "graph.ttl"), "--gold", str(gold)), "positions[0]", "乙")


def test_help_for_every_command():
    for cmd in ([], ["build"], ["eval"], ["extract"]):
        res = run_kg(*cmd, "--help")
        assert res.returncode == 0 and "Usage:" in res.stdout


def test_control_characters_mark_a_binary_file_but_layout_characters_do_not():
    """More than 1 % control characters (no NUL) in the first 64 k characters is not text; tabs, form
    feeds and CRLF line ends are a page's layout; control characters after the first 64 k are not read."""
    import pytest

    from kg.errors import InputError
    from kg.read import decode

    body = "辽宁省沈阳市召开会议。" * 100
    with pytest.raises(InputError, match="control characters"):
        decode((body + "\x01\x02\x1b\x7f\x0b" * 20).encode("utf-8"), "x.txt")
    text, enc, replaced = decode((body.replace("。", "。\t\f\r\n") * 3).encode("utf-8"), "y.txt")
    assert enc == "utf-8" and replaced == 0 and "\f" in text
    decode(("辽" * 65536 + "\x01" * 5000).encode("utf-8"), "z.txt")  # beyond the part looked at
    decode((body + "\x01" * 8).encode("utf-8"), "w.txt")  # a few stray ones in a short page


def test_a_command_line_that_does_not_parse_is_one_line_and_exit_2():
    """argparse's usage errors, as kg's own: one line naming what is wrong and where the help is, exit 2."""
    for args, needle in ((["build", "-j", "0"], "-j/--jobs: 0 is not in the range 1 to 256"),
                         (["build", "-f", "xml"], "invalid choice: 'xml'"),
                         (["build", "--shards", "two"], "'two' is not a whole number"),
                         (["build", "--max-mb", "lots"], "'lots' is not a number"),
                         (["bild"], "invalid choice: 'bild'"),
                         (["query"], "GRAPH"),
                         (["extract", "seeds"], "--jsonl")):
        res = run_kg(*args)
        err = res.stderr.strip()
        assert res.returncode == 2 and "Traceback" not in err and len(err.splitlines()) == 1, (args, res.stderr)
        assert err.startswith("Error:") and needle in err and "--help" in err, (args, err)


def test_version_is_the_installed_distributions():
    from importlib.metadata import version

    res = run_kg("--version")
    assert res.returncode == 0 and res.stdout.strip() == f"kg, version {version('policy-kg')}"


def test_the_build_switches_reach_the_build(tmp_path):
    """Each switch of ``kg build`` does what its help says, read off what the build wrote."""
    from conftest import SEEDS, invoke_kg

    one = str(SEEDS / "000_a06d24ae3cd6fbd4.txt")
    plain, other = tmp_path / "plain", tmp_path / "other"
    res = invoke_kg(["build", one, "-o", str(plain), "-j", "1"])
    assert res.exit_code == 0 and (plain / ".kg-cache.sqlite").is_file(), res.output
    assert not (plain / "graph.trig").exists() and not (plain / "shards").exists()
    res = invoke_kg(["build", one, "--output", str(other), "--no-cache", "-f", "trig", "--format", "nquads",
                     "--shards", "2", "--base", "http://example.org/x/", "--jobs", "1"])
    assert res.exit_code == 0, res.output
    assert not (other / ".kg-cache.sqlite").exists()
    assert (other / "graph.trig").is_file() and (other / "graph.nq").is_file()
    assert len(list((other / "shards").glob("*.nq"))) == 2
    assert "<http://example.org/x/" in (other / "graph.ttl").read_text(encoding="utf-8")
    assert " from 1 files (province: " in res.output and str(other / "graph.ttl") in res.output
