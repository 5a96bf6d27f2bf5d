"""Careless-user footguns give one clear line and a non-zero exit, never a traceback or a silent wrong result."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV = {k: v for k, v in os.environ.items() if not k.startswith("KB_")} | {"KB_KEYWORDS": "false"}


def kb(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kbsync", *args], capture_output=True, text=True, cwd=cwd, env=ENV,
                          timeout=timeout)


def one_line_error(r: subprocess.CompletedProcess[str], *needles: str) -> str:
    """The process failed with exactly one line on stderr, holding every needle; returns that line."""
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode != 0, r
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert all(n in lines[0] for n in needles), lines[0]
    return lines[0]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with content/ holding two entries, synced into the default store."""
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "alpha.md").write_text("---\ntitle: Alpha\n---\nSee [[Beta]].\n", encoding="utf-8")
    (tmp_path / "content" / "beta.md").write_text("# Beta\n\nbody\n", encoding="utf-8")
    r = kb("sync", "--content", str(tmp_path / "content"))
    assert r.returncode == 0, r.stderr
    return tmp_path


# -- a misspelled store path never creates a new empty database -------------------------------------------------
READ_COMMANDS = [["search", "alpha"], ["show", "alpha"], ["export"], ["suggest", "al"]]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=[c[0] for c in READ_COMMANDS])
def test_read_commands_refuse_a_missing_store(project: Path, command: list[str]) -> None:
    typo = project / ".kb" / "kb.sqlit"
    r = kb(*command, "--content", str(project / "content"), "--store", f"sqlite:///{typo}")
    one_line_error(r, f"store not found: {typo} (run kb sync first)")
    assert not [p.name for p in typo.parent.iterdir() if p.name.startswith("kb.sqlit") and
                not p.name.startswith("kb.sqlite")]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=[c[0] for c in READ_COMMANDS])
def test_read_commands_refuse_a_misspelled_content_folder(project: Path, command: list[str]) -> None:
    r = kb(*command, "--content", str(project / "typo" / "content"))  # its default store: typo/.kb/kb.sqlite
    one_line_error(r, f"store not found: {project / 'typo' / '.kb' / 'kb.sqlite'}", "run kb sync first")
    assert sorted(os.listdir(project)) == [".kb", "content"]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=[c[0] for c in READ_COMMANDS])
def test_read_commands_work_on_the_real_store(project: Path, command: list[str]) -> None:
    r = kb(*command, "--content", str(project / "content"))
    assert r.returncode == 0 and "Alpha" in r.stdout, r.stderr


# -- a read-only store: one line, and reading still works ------------------------------------------------------
@pytest.fixture
def read_only_store(project: Path) -> Iterator[Path]:
    store = project / ".kb" / "kb.sqlite"
    if os.geteuid() == 0:  # root ignores permission bits: make the file immutable instead
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(store)]).returncode != 0:
            pytest.skip("running as root on a filesystem without chattr +i: cannot make a read-only store")
    else:
        store.chmod(0o444)
    try:
        yield project
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(store)], check=True)
        else:
            store.chmod(0o644)


@pytest.mark.parametrize("command", [["sync"], ["check"], ["build"], ["reindex"]])
def test_writing_a_read_only_store_is_one_line(read_only_store: Path, command: list[str]) -> None:
    (read_only_store / "content" / "gamma.md").write_text("# Gamma\n", encoding="utf-8")
    r = kb(*command, "--content", str(read_only_store / "content"))
    one_line_error(r, "store is read-only:", str(read_only_store / ".kb" / "kb.sqlite"))


def test_reading_a_read_only_store_works(read_only_store: Path) -> None:
    r = kb("search", "alpha", "--content", str(read_only_store / "content"))
    assert r.returncode == 0 and "Alpha" in r.stdout, r.stderr


def test_a_store_that_is_not_a_database_is_one_line(project: Path) -> None:
    r = kb("sync", "--content", str(project / "content"), "--store", f"sqlite:///{project / 'content' / 'alpha.md'}")
    one_line_error(r, "cannot open store", "alpha.md", "not a database")


# -- kb serve on a port in use fails at once, before building anything ----------------------------------------
def test_serve_on_a_port_in_use_fails_at_once(project: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        t0 = time.monotonic()
        r = kb("serve", "--content", str(project / "content"), "--host", "127.0.0.1", "--port", str(port), timeout=60)
        took = time.monotonic() - t0
    one_line_error(r, f"port {port}", "in use")
    assert not (project / "site").exists(), "the site was built before the port was checked"
    assert took < 30  # a hang here would be the server starting


# -- mkdocs.yml: only one that publishes the content folder; a syntax error is path:line -------------------------
NEIGHBOURS = [
    ("docs_dir: docs\n", False),  # another folder: ignored, with a warning
    ("", False),  # MkDocs' default docs_dir is docs/
    ("docs_dir: content\n", True),  # this content folder: used
    ("docs_dir: ./content/\n", True),
]


@pytest.mark.parametrize(("docs_dir", "used"), NEIGHBOURS, ids=["other", "default-docs", "content", "dot-slash"])
def test_neighbouring_mkdocs_yml_is_used_only_for_its_docs_dir(project: Path, docs_dir: str, used: bool) -> None:
    (project / "docs").mkdir()
    (project / "docs" / "other.md").write_text("# Other\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(f"site_name: Neighbour Site\n{docs_dir}theme: {{name: material}}\n"
                                        "plugins: [search, kb]\n", encoding="utf-8")
    r = kb("build", "--content", str(project / "content"))
    assert r.returncode == 0, r.stderr[-2000:]
    home = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert ("Neighbour Site" in home) is used
    assert (project / "site" / "alpha" / "index.html").is_file()  # the content's entries have pages either way
    assert not (project / "site" / "other").exists()
    assert ("ignored: its docs_dir" in r.stdout + r.stderr) is not used  # logs go to stdout


YAML_ERRORS = [
    ("site_name: x\ndocs_dir: content\nnav:\n  - a: [b\n  - c\n", 6, "expected ',' or ']'"),
    ("site_name: x\ndocs_dir: content\n  bad: indent\n", 3, "mapping values are not allowed here"),
    ("site_name: x\ntheme: {name: material\n", 3, "expected ',' or '}'"),
    ("site_name: 'x\n", 2, "found unexpected end of stream"),
]


@pytest.mark.parametrize(("text", "line", "message"), YAML_ERRORS, ids=["flow-seq", "indent", "flow-map", "quote"])
@pytest.mark.parametrize("command", ["build", "serve"])
def test_mkdocs_yml_syntax_error_is_one_line(project: Path, text: str, line: int, message: str, command: str) -> None:
    (project / "mkdocs.yml").write_text(text, encoding="utf-8")
    port = []
    if command == "serve":
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = ["--host", "127.0.0.1", "--port", str(s.getsockname()[1])]
    r = kb(command, "--content", str(project / "content"), *port, timeout=60)
    one_line_error(r, f"{project / 'mkdocs.yml'}:{line}: {message}")
