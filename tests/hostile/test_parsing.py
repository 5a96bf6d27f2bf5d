"""The bad-file corpus (issue 9, points 2, 3, 4, 7, 11) through `kb sync`, `kb check` and `kb export`.

Every good file is indexed and public, every bad file is reported as `path:line`, no hidden entry's
canary reaches a public record, the whole run stays under 500 MB RSS and finishes in bounded time.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from kbsync import build, reading
from kbsync.derive import Options
from kbsync.discover import DEFAULT_MAX_BYTES
from kbsync.reading import Plan, read_all
from kbsync.store import open_store
from kbsync.visibility import can_see

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "hostile" / "parse"
ENV = {**os.environ, "KB_KEYWORDS": "false", "COLUMNS": "200"}
GOOD = 40
TIMEOUT = 240  # seconds per command; the whole corpus takes a few seconds

# fixture -> (line of its first error, hidden?). Hidden files carry a CANARY-HIDDEN string in their body.
BAD: dict[str, tuple[int, bool]] = {
    "bad-date.md": (3, False),
    "bad-updated.md": (3, False),
    "nested-date.md": (7, False),
    "bad-timestamp.md": (3, False),
    "bad-binary.md": (3, False),
    "nested-duplicate.md": (3, False),
    "alias-bomb.md": (3, True),
    "recursive-alias.md": (3, True),
    "merge-bomb.md": (3, True),
    "secret-tag.md": (3, True),
    "duplicate-draft.md": (4, True),
    "publish-maybe.md": (3, True),
    "draft-maybe.md": (3, True),
    "private-list.md": (3, True),
    "blank-line-before-front-matter.md": (2, True),
    "bom-space-before-front-matter.md": (2, True),
    "merge-override.md": (4, True),
    "bad-yaml.md": (2, True),
    "unclosed.md": (1, True),
    "utf16.md": (1, True),
}
HIDDEN_OK = {"publish-quoted.md", "publish-no.md", "merge-key.md"}  # hidden, and rightly so: warning at most
FINE = {"huge-int.md"}


# Each command reports its own peak (and its children's): the test process's RUSAGE_CHILDREN would also count
# whatever else this pytest worker forked before (a site build's page workers share the worker's memory).
_PEAK = ("import atexit, resource, runpy, sys\n"
         "atexit.register(lambda: print('kb-peak-kib', max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
         " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss), file=sys.stderr))\n"
         "sys.argv = ['kbsync', *sys.argv[1:]]\nrunpy.run_module('kbsync', run_name='__main__')\n")
PEAKS_KIB: list[int] = []


def kb(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-c", _PEAK, *args], capture_output=True, text=True, env=ENV,
                          timeout=TIMEOUT)
    PEAKS_KIB.extend(int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("kb-peak-kib "))
    return done


def _corpus(root: Path) -> dict[str, str]:
    """Good files, the fixtures, and the large attack files made here. Returns {large file: first line}."""
    for i in range(GOOD):
        (root / "good").mkdir(parents=True, exist_ok=True)
        nxt = (i + 1) % GOOD
        (root / "good" / f"Good {i}.md").write_text(
            f"---\ntitle: Good {i}\ntags: [ok]\ndate: 2024-05-{i % 28 + 1:02d}\n---\n# Good {i}\n\n"
            f"GOOD-CANARY-{i} links to [[Good {nxt}]] and [the next](Good%20{nxt}.md).\n", encoding="utf-8")
    shutil.copytree(FIXTURES, root / "bad")
    big = root / "big"
    big.mkdir()
    (big / "mdlink-quadratic.md").write_text("---\ntitle: Quadratic\n---\n" + "[x](" * 50_000, encoding="utf-8")
    (big / "million-lines.md").write_text("> q\n" * 1_000_000, encoding="utf-8")
    (big / "links-100k.md").write_text("".join(f"[[Good {i % GOOD}]] " for i in range(100_000)), encoding="utf-8")
    (big / "ticks.md").write_text("``a`" * 25_000, encoding="utf-8")
    (big / "too-large.md").write_bytes(b"a" * (DEFAULT_MAX_BYTES + 1))
    with open(os.path.join(os.fsencode(root / "bad"), b"name-\xff.md"), "w") as f:  # not UTF-8: no store holds it
        f.write("CANARY-HIDDEN-bad-name")
    return {"big/million-lines.md": "1: warning", "big/too-large.md": "1: error"}


def _problems(check_stdout: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in check_stdout.splitlines():
        path, _, rest = line.partition(":")
        out.setdefault(path, []).append(rest)
    return out


@pytest.mark.slow
def test_bad_corpus_through_the_cli(tmp_path: Path) -> None:
    content = tmp_path / "content"
    expected_large = _corpus(content)
    store = f"sqlite://{tmp_path / 'kb.sqlite'}"
    t0 = time.monotonic()

    first = kb("sync", "--json", "--content", str(content), "--store", store)
    assert first.returncode == 0, first.stderr[-3000:]
    again = kb("sync", "--json", "--content", str(content), "--store", store)  # re-reads nothing
    assert again.returncode == 0, again.stderr[-3000:]
    check = kb("check", "--content", str(content), "--store", store)
    assert check.returncode == 1, check.stderr[-3000:]  # errors found, and said so
    assert "Traceback" not in first.stderr + again.stderr + check.stderr

    problems = _problems(check.stdout)
    for name, (line, _hidden) in BAD.items():
        assert any(p.startswith(f"{line}: error:") for p in problems.get(f"bad/{name}", [])), \
            (name, problems.get(f"bad/{name}"))
    for path, head in expected_large.items():
        assert any(p.startswith(head) for p in problems.get(path, [])), (path, problems.get(path))
    assert "5,242,881 bytes, over the 5,242,880-byte limit" in check.stdout
    assert "UTF-16" in "".join(problems["bad/utf16.md"])
    assert any(p.startswith("0: error: the file name is not valid UTF-8") for p in problems["bad/name-\ufffd.md"])
    for name in FINE:
        assert f"bad/{name}" not in problems

    # `errors` counts every file with an error in the store, also when this sync read none of them.
    with_errors = {p for p, items in problems.items() if any(": error:" in f":{x}" for x in items)
                   and not any("broken" in x for x in items)}
    assert json.loads(first.stdout)["errors"] == json.loads(again.stdout)["errors"] == len(with_errors)

    exported = kb("export", "--content", str(content), "--store", store)
    assert exported.returncode == 0, exported.stderr[-3000:]
    records = [json.loads(x) for x in exported.stdout.splitlines() if x.strip()]
    by_path = {r["path"]: r for r in records}
    st = open_store(store)
    try:
        texts = {r["path"]: r.get("text", "") for r in st.records()}  # entry JSON carries no body text
    finally:
        st.close()
    for i in range(GOOD):
        rec = by_path[f"good/Good {i}.md"]
        assert rec["visibility"] == "public" and f"GOOD-CANARY-{i}" in texts[rec["path"]]
        assert all(link["target"] for link in rec["links"])
    for name, (_line, hidden) in BAD.items():
        rec = by_path.get(f"bad/{name}")
        assert rec is None or (rec["visibility"] != "public") == hidden, name
    for name in HIDDEN_OK:
        assert by_path[f"bad/{name}"]["visibility"] != "public", name
    for path in ("big/mdlink-quadratic.md", "big/million-lines.md", "big/links-100k.md", "big/ticks.md"):
        assert path in by_path, path
    assert len(by_path["big/links-100k.md"]["links"]) == 100_000

    public = [r for r in records if can_see(r)]
    assert not any("CANARY-HIDDEN" in json.dumps(r) for r in public)
    st = open_store(store)
    try:
        stored_public = [r for r in st.records() if can_see(r)]
    finally:
        st.close()
    assert {r["path"] for r in stored_public} == {r["path"] for r in public}
    assert not any("CANARY-HIDDEN" in json.dumps(r) for r in stored_public)

    assert time.monotonic() - t0 < 3 * TIMEOUT
    assert PEAKS_KIB, "the kb commands reported no peak"
    peak_mb = max(PEAKS_KIB) / 1024  # KiB on Linux
    assert peak_mb <= 500, f"a kb command peaked at {peak_mb:.0f} MB"


def _plan(root: Path, names: list[str]) -> Plan:
    from kbsync.discover import Found

    return Plan({n: Found(str(root / n), 0, 0) for n in names}, set(), names, [], [], [])


@pytest.mark.parametrize("workers", [1, 2])
def test_one_failing_file_never_stops_the_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                workers: int) -> None:
    """An unexpected exception in one file's parse/derive is that file's problem, in the parent and in workers."""
    names = [f"n{i:03}.md" for i in range(60)]
    for n in names:
        (tmp_path / n).write_text(f"# {n}\n[[n000]]\n", encoding="utf-8")
    real = build.build_record

    def flaky(parsed: Any, options: Options) -> Any:
        if parsed.path in ("n007.md", "n051.md"):
            raise KeyError("boom")
        return real(parsed, options)

    monkeypatch.setattr(build, "build_record", flaky)
    monkeypatch.setattr(reading, "PARALLEL_MIN", 1)  # use the worker pool even for a small batch
    out = read_all(_plan(tmp_path, names), DEFAULT_MAX_BYTES, Options(), None, workers)
    assert sorted(p for p, _h, rec, _e, _p in out if rec is not None) == sorted(set(names) - {"n007.md", "n051.md"})
    failed = {p: probs for p, _h, rec, _e, probs in out if rec is None}
    assert set(failed) == {"n007.md", "n051.md"}
    for probs in failed.values():
        assert [(q["line"], q["code"]) for q in probs] == [(0, "internal")]
        assert probs[0]["message"].startswith("internal error while reading: KeyError")


def test_a_file_over_its_time_budget_is_reported_and_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = build.build_record

    def slow(parsed: Any, options: Options) -> Any:
        if parsed.path == "slow.md":
            time.sleep(30)
        return real(parsed, options)

    monkeypatch.setattr(build, "build_record", slow)
    monkeypatch.setattr(build, "FILE_SECONDS", 0.3)
    monkeypatch.setattr(build, "WATCH_BYTES", 0)
    for n in ("slow.md", "fast.md"):
        (tmp_path / n).write_text("text\n", encoding="utf-8")
    t0 = time.monotonic()
    out = read_all(_plan(tmp_path, ["fast.md", "slow.md"]), DEFAULT_MAX_BYTES, Options(), None, 1)
    assert time.monotonic() - t0 < 10
    by = {p: (rec, probs) for p, _h, rec, _e, probs in out}
    assert by["fast.md"][0] is not None
    assert by["slow.md"][0] is None and by["slow.md"][1][0]["code"] == "too_slow"


@pytest.mark.parametrize("size, limit, words", [
    (5_242_881, 5_242_880, "5,242,881 bytes, over the 5,242,880-byte limit"),
    (1_001, 1_000, "1,001 bytes, over the 1,000-byte limit"),
])
def test_too_large_names_both_sizes(tmp_path: Path, size: int, limit: int, words: str) -> None:
    (tmp_path / "big.md").write_bytes(b"a" * size)
    _path, _h, rec, _e, probs = build.read_and_build(("big.md", str(tmp_path / "big.md"), limit, Options()))
    assert rec is None and words in probs[0]["message"]


@pytest.mark.parametrize("dates, first", [
    (["2024-01-01T00:00:00+02:00", "garbage", "2023-01-01T00:00:00"], "garbage"),
    (["2024-01-01T00:00:00+02:00", "2023-06-01T00:00:00Z"], "2023-06-01T00:00:00Z"),
])
def test_git_dates_never_raise(dates: list[str], first: str) -> None:
    """A history record split by an odd author name, or a date without offset, sorts instead of stopping the sync."""
    from kbsync.gitinfo import _instant

    assert sorted(dates, key=_instant)[0] == first


def _small_corpus(root: Path) -> None:
    """Good files and the bad fixtures (the multi-megabyte attack files are the CLI test's and the link-scale test's)."""
    for i in range(GOOD):
        (root / "good").mkdir(parents=True, exist_ok=True)
        (root / "good" / f"Good {i}.md").write_text(
            f"---\ntitle: Good {i}\n---\n# Good {i}\n\nGOOD-CANARY-{i} [[Good {(i + 1) % GOOD}]]\n", encoding="utf-8")
    shutil.copytree(FIXTURES, root / "bad")


@pytest.mark.slow
def test_bad_corpus_through_kb_build(tmp_path: Path) -> None:
    """`kb build` over the bad files: the build succeeds, every good page is published, no hidden canary is."""
    content = tmp_path / "content"
    _small_corpus(content)
    site = tmp_path / "site"
    out = kb("build", "--content", str(content), "--store", f"sqlite://{tmp_path / 'kb.sqlite'}", "--out", str(site))
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Traceback" not in out.stderr
    for i in range(GOOD):
        page = site / "good" / f"good-{i}" / "index.html"
        assert f"GOOD-CANARY-{i}" in page.read_text(encoding="utf-8"), page
    for name, (_line, hidden) in BAD.items():
        slug = name[:-3]
        assert (site / "bad" / slug / "index.html").exists() is not hidden or name == "utf16.md", name
    leaked = [f for f in site.rglob("*") if f.is_file() and f.suffix != ".gz" and b"CANARY-HIDDEN" in f.read_bytes()]
    assert not leaked, leaked


def test_bad_corpus_through_the_watcher(tmp_path: Path) -> None:
    """`kb sync --watch`: bad files arriving while it runs are reported, good files after them still arrive."""
    import signal

    content = tmp_path / "content"
    content.mkdir()
    (content / "Start.md").write_text("# Start\n", encoding="utf-8")
    url = f"sqlite://{tmp_path / 'kb.sqlite'}"
    proc = subprocess.Popen([sys.executable, "-m", "kbsync", "sync", "--watch", "--content", str(content),
                             "--store", url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)

    def records() -> dict[str, dict[str, Any]]:
        st = open_store(url)
        try:
            return {r["path"]: r for r in st.records()}
        finally:
            st.close()

    def wait_for(path: str) -> dict[str, dict[str, Any]]:
        deadline = time.monotonic() + 60
        while True:
            if (tmp_path / "kb.sqlite").exists() and path in (recs := records()):
                return recs
            assert time.monotonic() < deadline and proc.poll() is None, path
            time.sleep(0.2)

    try:
        wait_for("Start.md")
        shutil.copytree(FIXTURES, content / "bad")
        time.sleep(1)
        (content / "After.md").write_text("# After\n\nAFTER-CANARY [[Start]]\n", encoding="utf-8")
        recs = wait_for("After.md")
        assert proc.poll() is None, "the watcher died on a bad file"
        assert recs["After.md"]["visibility"] == "public" and "AFTER-CANARY" in recs["After.md"]["text"]
        for name, (_line, hidden) in BAD.items():
            rec = recs.get(f"bad/{name}")
            assert rec is None or (rec["visibility"] != "public") == hidden, name
        public = [r for r in recs.values() if can_see(r)]
        assert not any("CANARY-HIDDEN" in json.dumps(r) for r in public)
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-3000:]
    assert "Traceback" not in err
