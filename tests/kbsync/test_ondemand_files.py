"""`kb serve`'s pages on demand (kbsync/ondemand.py, ondemand_files.py): a page the first build has not written
is rendered by the renderer process; the site folder wins; nothing hidden or outside the site is answered; a
sync that moves the store stops it (fail closed)."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kbsync.ondemand import OnDemand
from kbsync.store import open_store
from kbsync.sync import sync_content

ROOT = Path(__file__).resolve().parents[2]
CANARY = "ZQONDEMANDCANARY"


@contextmanager
def _served(tmp_path: Path) -> Iterator[tuple[object, OnDemand, Path, Path, str]]:
    """An API app with an empty site folder, its missing files asked of a prepared renderer over a copy of the
    sample content (plus a private and a draft canary entry)."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from kbsync.serving import _attach
    from kbsync.settings import Settings

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "zsecret.md").write_text(f"---\nprivate: true\n---\n# Zsecret\n\n{CANARY}\n", encoding="utf-8")
    (content / "zdraft.md").write_text(f"---\ndraft: true\n---\n# Zdraft\n\n{CANARY}\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'kb.sqlite'}"
    store = open_store(url)
    sync_content(content, store)
    site = tmp_path / "site"
    site.mkdir()
    ondemand = OnDemand(content, url, None)
    assert ondemand.prepare(wait=120)
    settings = Settings(content_dir=content, store_url=url, site_dir=site)
    app = create_app(settings, store)

    class Startup:
        def current(self, model: object) -> bool:
            return True

    import multiprocessing as mp

    _attach(app, [], mp.Event(), mp.Event(), Startup(), ondemand)
    try:
        with TestClient(app) as client:
            yield client, ondemand, content, site, url
    finally:
        ondemand.stop()
        store.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[object, OnDemand, Path, Path, str]]:
    with _served(tmp_path) as got:
        yield got


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, OnDemand, Path, Path, str]]:
    """One renderer for the read-only tests."""
    with _served(tmp_path_factory.mktemp("ondemand")) as got:
        yield got


def test_a_missing_page_is_rendered_on_demand_and_the_site_folder_wins(served) -> None:
    client, ondemand, _content, site, _url = served
    r = client.get("/start-here/")
    assert r.status_code == 200 and r.headers["x-kb-page"] == "on-demand" and r.headers["cache-control"] == "no-store"
    assert "<h1" in r.text and "Start Here" in r.text and "md-content" in r.text
    home = client.get("/")
    assert home.status_code == 200 and "kb-card-recent" in home.text and home.headers["x-kb-page"] == "on-demand"
    css = client.get("/assets/kb/kb.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert client.get("/start-here", follow_redirects=False).status_code in (301, 302, 307)
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "x-kb-page" in missing.headers  # the site's own 404 page
    (site / "start-here").mkdir()
    (site / "start-here" / "index.html").write_text("<p>the build's page</p>", encoding="utf-8")
    r = client.get("/start-here/")
    assert r.text == "<p>the build's page</p>" and "x-kb-page" not in r.headers
    # the build's home page, written before its discovery (a title over a placeholder body), is not served
    (site / "index.html").write_text("<h1>kb</h1><!--kb-later-0123abcd:_kb/home.md-->", encoding="utf-8")
    assert "kb-card-recent" in client.get("/").text
    ondemand.stop()
    assert client.get("/").text.startswith("<h1>kb</h1>")  # over: the site folder as it is
    assert client.get("/notes/").status_code == 404


@pytest.mark.parametrize("path", ["/zsecret/", "/zdraft/", "/zsecret/kb-preview.json", "/zsecret", "/zdraft/index.html",
                                  "/../kb.sqlite", "/%2e%2e/kb.sqlite", "/..%2fkb.sqlite", "/content/start-here.md",
                                  "/%2e%2e/content/zsecret.md", "/start-here/..%2f..%2fkb.sqlite"])
def test_hidden_entries_and_paths_outside_the_site_are_not_answered(shared, path: str) -> None:
    client, *_ = shared
    r = client.get(path)
    assert r.status_code == 404, (path, r.status_code)
    assert CANARY not in r.text
    assert client.get("/start-here/").status_code == 200  # the renderer answers the rest


def test_a_sync_that_moves_the_store_stops_pages_on_demand(served) -> None:
    client, ondemand, content, _site, url = served
    assert client.get("/start-here/").status_code == 200
    (content / "Start Here.md").write_text(f"---\nprivate: true\n---\n# Start Here\n\n{CANARY}\n", encoding="utf-8")
    store = open_store(url)
    sync_content(content, store)
    store.close()
    assert ondemand.active  # the server has not been told yet: the renderer itself refuses
    for path in ("/start-here/", "/notes/", "/"):
        r = client.get(path)
        assert r.status_code == 404 and CANARY not in r.text, path


def test_a_terminated_renderer_leaves_no_folder_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server stopped without `stop` (its exit terminates the daemon renderer) used to leave the renderer's
    private site folder, one `kb-ondemand-*` per start, in /tmp."""
    import tempfile

    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))  # the forked renderer's tempfile.gettempdir()
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    url = f"sqlite:///{tmp_path / 'kb.sqlite'}"
    store = open_store(url)
    sync_content(content, store)
    store.close()
    ondemand = OnDemand(content, url, None)
    assert ondemand.prepare(wait=120)
    assert [p.name for p in temp.glob("kb-ondemand-*")], "the renderer made its folder"
    ondemand.proc.terminate()
    ondemand.proc.join(30)
    assert ondemand.proc.exitcode == 0
    assert not list(temp.glob("kb-ondemand-*"))
