"""The `kb` command line, run as a user runs it (subprocesses over real folders)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write

ENV = {**os.environ, "KB_KEYWORDS": "false", "COLUMNS": "200"}  # wide: rich wraps error boxes


def kb(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kbsync", *args], capture_output=True, text=True, cwd=cwd, env=ENV)


@pytest.fixture
def kbdir(tmp_path: Path) -> Path:
    write(tmp_path / "content", {"A.md": "---\ntags: [x]\n---\n# Alpha\n[[B]] and [[Nowhere]]\n", "B.md": "Bee\n",
                                 "people/pat.md": "---\ntype: person\n---\n"})
    return tmp_path


def test_sync_json_summary_and_default_store_beside_content(kbdir: Path) -> None:
    out = kb("sync", "--json", "--content", str(kbdir / "content"))
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert {k: summary[k] for k in ("added", "updated", "deleted", "unchanged")} == \
        {"added": 3, "updated": 0, "deleted": 0, "unchanged": 0}
    assert set(summary) >= {"errors", "seconds", "revision"}
    assert (kbdir / ".kb" / "kb.sqlite").exists()


def test_env_vars_select_content_and_store(kbdir: Path) -> None:
    env = {**ENV, "KB_CONTENT_DIR": str(kbdir / "content"), "KB_STORE_URL": f"sqlite://{kbdir / 'x.sqlite'}"}
    out = subprocess.run([sys.executable, "-m", "kbsync", "sync", "--json"], capture_output=True, text=True, env=env)
    assert out.returncode == 0 and (kbdir / "x.sqlite").exists()


def test_check_lists_problems_and_exits_1(kbdir: Path) -> None:
    out = kb("check", "--content", str(kbdir / "content"))
    assert out.returncode == 1
    assert out.stdout.splitlines() == ["A.md:5: error: broken link [[Nowhere]]: no entry or attachment matches"]
    js = kb("check", "--json", "--content", str(kbdir / "content"))
    assert json.loads(js.stdout)[0]["code"] == "broken_link"


def test_check_exits_0_when_clean(tmp_path: Path) -> None:
    write(tmp_path / "content", {"A.md": "[[B]]", "B.md": "b"})
    assert kb("check", "--content", str(tmp_path / "content")).returncode == 0


@pytest.mark.parametrize("query", ["a", "A", "Alpha", "alpha"])
def test_show_accepts_slug_or_anything_a_wikilink_accepts(kbdir: Path, query: str) -> None:
    kb("sync", "--content", str(kbdir / "content"))
    out = kb("show", query, "--json", "--content", str(kbdir / "content"))
    rec = json.loads(out.stdout)
    assert rec["slug"] == "a" and rec["links"][0]["target"] == "b" and rec["links"][1]["target"] is None


def test_show_unknown_is_an_error(kbdir: Path) -> None:
    kb("sync", "--content", str(kbdir / "content"))
    out = kb("show", "zzz", "--content", str(kbdir / "content"))
    assert out.returncode == 1 and "no entry" in out.stderr


def test_export_is_json_lines_with_the_entry_shape(kbdir: Path) -> None:
    kb("sync", "--content", str(kbdir / "content"))
    out = kb("export", "--content", str(kbdir / "content"))
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["slug"] for r in rows] == ["a", "b", "people/pat"]
    for r in rows:
        assert {"slug", "path", "title", "type", "tags", "aliases", "visibility", "url", "fields", "links",
                "backlinks"} <= set(r)
    assert [(b["source"], b["kind"]) for b in rows[1]["backlinks"]] == [("a", "link")]


def test_init_creates_a_working_kb_and_refuses_to_overwrite(tmp_path: Path) -> None:
    assert kb("init", str(tmp_path / "kb")).returncode == 0
    assert (tmp_path / "kb" / "mkdocs.yml").exists() and (tmp_path / "kb" / "README.md").exists()
    assert kb("check", "--content", str(tmp_path / "kb" / "content")).returncode == 0
    again = kb("init", str(tmp_path / "kb"))
    assert again.returncode == 2 and "not overwriting" in again.stderr


def test_new_puts_entries_where_their_type_lives(tmp_path: Path) -> None:
    write(tmp_path / "content", {"gym/Squat.md": "---\ntype: exercise\n---\n"})
    out = kb("new", "exercise", "Front Squat", "--content", str(tmp_path / "content"))
    path = Path(out.stdout.strip())
    assert path == tmp_path / "content" / "gym" / "Front Squat.md"
    assert "type: exercise" in path.read_text()
    assert kb("new", "exercise", "Front Squat", "--content", str(tmp_path / "content")).returncode == 2


def test_missing_content_dir_is_a_clear_error(tmp_path: Path) -> None:
    out = kb("sync", "--content", str(tmp_path / "nope"))
    assert out.returncode == 2 and "does not exist" in out.stderr


def test_python_dash_m_and_console_script_agree(kbdir: Path) -> None:
    exe = Path(sys.executable).parent / "kb"
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "sync" in out.stdout


def test_old_store_layout_asks_for_migrate_and_migrate_is_idempotent(kbdir: Path) -> None:
    import sqlite3

    content = str(kbdir / "content")
    kb("sync", "--content", content)
    db = sqlite3.connect(kbdir / ".kb" / "kb.sqlite")
    db.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    db.commit()
    db.close()
    refused = kb("sync", "--content", content)
    assert refused.returncode == 2 and "kb migrate" in refused.stderr
    first = kb("migrate", "--content", content)
    from kbsync.store.sqlite import SCHEMA_VERSION

    assert first.returncode == 0 and f"migrated layout 1 -> {SCHEMA_VERSION}; 3 added" in first.stdout
    again = kb("migrate", "--content", content)
    assert again.returncode == 0 and "is current; 0 added, 0 updated" in again.stdout
    assert json.loads(kb("show", "a", "--json", "--content", content).stdout)["links"][0]["target"] == "b"


def test_reindex_rebuilds_everything(kbdir: Path) -> None:
    content = str(kbdir / "content")
    kb("sync", "--content", content)
    out = json.loads(kb("reindex", "--json", "--content", content).stdout)
    assert out["added"] == 3 and out["unchanged"] == 0


@pytest.mark.parametrize("command, query, expect", [("search", "bee", "b"), ("suggest", "alph", "a")])
def test_search_and_suggest_from_the_cli_serve_public_entries_only(tmp_path: Path, command: str, query: str,
                                                                     expect: str) -> None:
    write(tmp_path / "content", {"A.md": "# Alpha\nabout bees\n", "B.md": "# Bee\nbee bee\n",
                                 "Secret.md": "---\nprivate: true\n---\n# Alphabet bee secret\nbee\n"})
    content = str(tmp_path / "content")
    kb("sync", "--content", content)
    out = json.loads(kb(command, query, "--json", "--content", content).stdout)
    slugs = [h["slug"] for h in out["hits"]]
    assert slugs[0] == expect and "secret" not in slugs


def test_json_logs_and_clean_sigterm_for_sync_watch(tmp_path: Path) -> None:
    """KB_LOG_FORMAT=json: every log line on stdout is one JSON event; SIGTERM exits 0."""
    import signal
    import time

    write(tmp_path / "content", {"A.md": "a"})
    proc = subprocess.Popen([sys.executable, "-m", "kbsync", "sync", "--watch", "--content", str(tmp_path / "content")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**ENV, "KB_LOG_FORMAT": "json"})
    try:
        time.sleep(3)
        write(tmp_path / "content", {"B.md": "b [[A]]"})
        time.sleep(2)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert events and all({"ts", "level", "event"} <= set(e) for e in events)
    assert any("synced" in e["event"] and "1 added" in e["event"] for e in events), out


@pytest.mark.parametrize("link", ["[[Ideas]]", "[ideas](Ideas.md)", "[[Ideas#Later|later]]"])
def test_check_names_the_other_candidates_of_an_ambiguous_link(tmp_path: Path, link: str) -> None:
    write(tmp_path / "content", {"en/Ideas.md": "en", "fr/Ideas.md": "fr", "de/deep/Ideas.md": "de",
                                 "Start.md": f"see {link}\n"})
    out = kb("check", "--json", "--content", str(tmp_path / "content"))
    amb = [p for p in json.loads(out.stdout) if p["code"] == "ambiguous_link"]
    assert len(amb) == 1 and "?" not in amb[0]["message"]
    assert amb[0]["message"].endswith(": chose en/ideas (closest), also matches fr/Ideas.md, de/deep/Ideas.md")


def test_show_lists_git_authors(tmp_path: Path) -> None:
    write(tmp_path / "content", {"A.md": "# Alpha\n"})
    git = ["git", "-C", str(tmp_path / "content"), "-c", "user.name=Ada Lovelace", "-c", "user.email=a@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "a"], check=True)
    kb("sync", "--content", str(tmp_path / "content"))
    out = kb("show", "Alpha", "--content", str(tmp_path / "content"))
    assert "  authors: Ada Lovelace" in out.stdout.splitlines(), out.stdout + out.stderr
