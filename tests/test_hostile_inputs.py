"""Hostile inputs through `graphkit extract` / `build`: one line per bad input, no
traceback, nothing good lost, the exit status says whether anything was skipped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphkit.cli import app

runner = CliRunner()
GOOD = "BMW und Alibaba vereinbaren eine strategische Partnerschaft für vernetzte Autos."
GOOD_EN = "Tencent signed a strategic partnership agreement with Dongfeng Motor on Tuesday."


def _run(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False, env=env)


def _extracted(result_stdout: str) -> dict:
    rows = [json.loads(line) for line in result_stdout.splitlines() if line.strip()]
    return {r["article"]["id"]: r for r in rows}


def test_hostile_json_array_keeps_every_good_record(tmp_path):
    records = [{"id": f"a{i}", "text": f"{GOOD} Nummer {i}."} for i in range(5)]
    body = ",\n".join(json.dumps(r) for r in records[:2])
    body += ',\n{"id": "bad", "text": "x", oops},\n'  # a syntax error in record 3
    body += ",\n".join(json.dumps(r) for r in records[2:])
    body += ',\n{"id": "deep", "text": ' + "[" * 1000 + "]" * 1000 + "}"
    body += ',\n{"id": "big", "text": "t", "n": ' + "9" * 4301 + "}"
    body += ',\n{"id": "nested", "text": {"a": 1}}'
    (tmp_path / "batch.json").write_text("[\n" + body + "\n]", encoding="utf-8")
    result = _run("extract", tmp_path / "batch.json")
    assert result.exit_code == 2, result.output
    assert set(_extracted(result.stdout)) == {f"a{i}" for i in range(5)}
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 4
    assert "batch.json, record 3 (line 4): invalid JSON" in result.stderr
    assert "nested too deeply" in result.stderr and "digits" in result.stderr
    assert "Traceback" not in result.output


def test_hostile_jsonl_bad_line_costs_only_itself_and_u2028_is_text(tmp_path):
    lines = [json.dumps({"id": "a", "text": GOOD + "\u2028Zweite Zeile\u0085dritte."}, ensure_ascii=False),
             "{broken",
             json.dumps({"id": "b", "text": GOOD_EN, "published": 20210301, "title": ["not", "text"]}),
             json.dumps({"id": "c\ud800", "text": "Volkswagen and Microsoft\ud800 build a cloud.", "title": "T\udfff"})]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    out = tmp_path / "out.jsonl"
    result = _run("extract", tmp_path / "feed.jsonl", "--out", out)
    assert result.exit_code == 2
    assert "feed.jsonl, line 2: invalid JSON" in result.stderr
    rows = {r["article"]["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert set(rows) == {"a", "b", "c\ufffd"}
    assert rows["b"]["article"]["published"] == "2021"[:4] or rows["b"]["article"]["published"] is None
    assert rows["b"]["article"]["title"] != ["not", "text"]


def test_hostile_walk_names_every_skipped_entry(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    (folder / ".hidden.txt").write_text(GOOD_EN, encoding="utf-8")
    (folder / "empty.json").write_text("[]", encoding="utf-8")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    os.symlink(folder, folder / "sub" / "loop")
    os.symlink(folder / "missing.txt", folder / "dangling.txt")
    os.mkfifo(folder / "pipe.txt")
    result = _run("build", folder, "--out", tmp_path / "g.json")
    assert result.exit_code == 2, result.output
    err = result.stderr
    assert ".hidden.txt: hidden" in err
    assert "empty.json: holds no records" in err
    assert "photo.jpg: not an article file type" in err
    assert "loop" in err and "dangling.txt: broken symbolic link" in err
    assert "pipe.txt: a named pipe" in err
    assert (tmp_path / "g.json").exists()


def test_hostile_file_names_are_printed_escaped(tmp_path):
    name = "evil\n\x1b]0;owned\x07\r.txt"
    (tmp_path / name).write_bytes(b"")
    (tmp_path / "ok.txt").write_text(GOOD, encoding="utf-8")
    result = _run("extract", tmp_path)
    assert result.exit_code == 2
    line = next(line for line in result.stderr.splitlines() if "evil" in line)
    assert "\\n" in line and "\\x1b" in line and "\\r" in line and "file is empty" in line
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


def test_hostile_html_bogus_markup_still_gives_the_text(tmp_path):
    page = "<html><body><p>" + GOOD + "</p><![foo[ bar ]]> a<![ x <script>evil()</script></body></html>"
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    result = _run("extract", tmp_path / "p.html")
    assert result.exit_code == 0, result.output
    record = _extracted(result.stdout)["p"]
    assert {"bmw", "alibaba"} <= {e["id"] for e in record["entities"]}


def test_hostile_settings_and_outputs_fail_with_one_line(tmp_path):
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    bad_env = subprocess.run([sys.executable, "-m", "graphkit.cli", "extract", str(tmp_path / "a.txt")],
                             capture_output=True, text=True, env={**os.environ, "GRAPHKIT_MAX_BYTES": "lots"})
    assert bad_env.returncode == 1 and "Traceback" not in bad_env.stderr
    assert "GRAPHKIT_MAX_BYTES=lots is not a positive whole number" in bad_env.stderr
    result = _run("extract", tmp_path / "a.txt", "--out", tmp_path)
    assert result.exit_code == 1 and "is a folder" in result.stderr
    result = _run("build", tmp_path / "a.txt", "--out", tmp_path)
    assert result.exit_code == 1 and "is a folder" in result.stderr
    (tmp_path / "big.txt").write_text("x" * 3000, encoding="utf-8")
    result = _run("extract", tmp_path / "big.txt", env={"GRAPHKIT_MAX_BYTES": "2048"})
    assert "file is 2.9 KiB (3,000 bytes), over the 2 KiB limit (2,048 bytes" in result.stderr


def test_hostile_extract_leaves_no_partial_output(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    out = tmp_path / "o" / "x.jsonl"
    assert _run("extract", tmp_path / "empty.txt", "--out", out).exit_code == 1
    assert not out.exists()
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    assert _run("extract", tmp_path / "a.txt", "--out", out).exit_code == 0
    assert [p.name for p in out.parent.iterdir()] == ["x.jsonl"]  # no temp file left behind


def test_hostile_control_characters_never_reach_the_terminal(tmp_path):
    text = "BMW und Alibaba vereinbaren eine Partnerschaft \x1b]0;pwned\x07\x1b[2J\u009b31m am Montag."
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    graph = tmp_path / "g.json"
    assert _run("build", tmp_path / "a.txt", "--out", graph).exit_code == 0
    data = json.loads(graph.read_text(encoding="utf-8"))  # a graph written by anything else
    for edge in data["edges"]:
        edge["evidence"] = [e + "\x1b[2J\u009b1m" for e in edge["evidence"]]
    for node in data["nodes"]:
        node["name"] += "\x1b]0;x\x07"
    graph.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    for command in (["explain", "BMW"], ["rank"], ["communities"]):
        for fmt in ("table", "csv", "md", "json"):
            result = _run(*command, "--graph", graph, "--format", fmt)
            assert result.exit_code == 0, result.output
            assert "x1b" in result.stdout or "u001b" in result.stdout, (command, fmt)
            assert not any(c in result.stdout for c in "\x1b\x07\u009b"), (command, fmt)


def test_hostile_jobs_give_identical_output(tmp_path):
    from conftest import FIXTURES

    one = _run("extract", FIXTURES, "--jobs", "1")
    two = _run("extract", FIXTURES, "--jobs", "2")
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout and one.stdout.count("\n") >= 15


def test_hostile_unreadable_folder_is_named(tmp_path):
    """Root reads every folder whatever its permissions, so as root (CI) the CLI runs as
    the unprivileged user `nobody` (setpriv) on a folder it may enter but not list."""
    import shutil
    import tempfile
    as_root = os.geteuid() == 0
    if as_root and not shutil.which("setpriv"):
        pytest.fail("running as root needs setpriv (util-linux) to drop privileges for this test")
    base = Path(tempfile.mkdtemp(prefix="graphkit-locked-")) if as_root else tmp_path
    try:
        base.chmod(0o755)
        (base / "ok.txt").write_text(GOOD, encoding="utf-8")
        locked = base / "locked"
        locked.mkdir()
        (locked / "a.txt").write_text(GOOD_EN, encoding="utf-8")
        locked.chmod(0)
        if as_root:
            run = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                  sys.executable, "-m", "graphkit.cli", "extract", str(base)],
                                 capture_output=True, text=True, env={**os.environ, "HOME": str(base)}, timeout=300)
            exit_code, stderr = run.returncode, run.stderr
        else:
            result = _run("extract", base)
            exit_code, stderr = result.exit_code, result.stderr
    finally:
        (base / "locked").chmod(0o755)
        if as_root:
            shutil.rmtree(base, ignore_errors=True)
    assert exit_code == 2 and "locked: cannot list folder" in stderr, stderr


def test_hostile_broken_record_does_not_swallow_the_records_after_it(tmp_path):
    good = [json.dumps({"id": f"g{i}", "text": f"{GOOD} Folge {i}."}) for i in range(3)]
    text = "[\n" + good[0] + ',\n{"id": "bad", "text": "never closed,\nnull,\n' + ",\n".join(good[1:]) + "\n]"
    (tmp_path / "a.json").write_text(text, encoding="utf-8")
    (tmp_path / "deep.json").write_text("[" + "\n{" * 20000, encoding="utf-8")  # bounded effort
    result = _run("extract", tmp_path)
    assert result.exit_code == 2
    assert set(_extracted(result.stdout)) == {"g0", "g1", "g2"}
    assert "a.json, record 2" in result.stderr and "deep.json" in result.stderr


def test_hostile_build_with_jobs_writes_the_same_graph(tmp_path):
    from conftest import FIXTURES

    one, two = tmp_path / "one.json", tmp_path / "two.json"
    assert _run("build", FIXTURES, "--out", one, "--jobs", "1").exit_code == 0
    assert _run("build", FIXTURES, "--out", two, "--jobs", "2").exit_code == 0
    assert one.read_text(encoding="utf-8") == two.read_text(encoding="utf-8")


def test_hostile_output_to_a_pipe_is_written_in_place_never_replaced(tmp_path):
    import stat
    import threading

    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_text(encoding="utf-8")))
    reader.start()
    result = _run("extract", tmp_path / "a.txt", "--out", pipe)
    reader.join(timeout=30)
    assert result.exit_code == 0 and json.loads(received[0])["article"]["id"] == "a"
    assert stat.S_ISFIFO(pipe.stat().st_mode)  # not renamed over by a temp file
    result = _run("build", tmp_path / "a.txt", "--out", pipe)
    assert result.exit_code == 1 and "is a device or pipe" in result.stderr
    assert stat.S_ISFIFO(pipe.stat().st_mode)


def test_hostile_emoji_shortcodes_and_markup_in_data_print_as_typed():
    import io

    from graphkit.render import Format, render_rows, stdout_console

    console = stdout_console()
    console.file = io.StringIO()
    render_rows([{"name": ":smile: Tencent [bold]x[/bold]", "why": "a :car: b"}], Format.table, console, title="t :car:")
    shown = console.file.getvalue()
    assert ":smile: Tencent [bold]x[/bold]" in shown and "a :car: b" in shown and "😄" not in shown
