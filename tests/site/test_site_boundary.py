"""The site's content boundary: only attachments a public entry links to (any form) are copied, under their real
names with percent-encoded links; nothing outside the content folder, no store, no dot-folder is published."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote

import pytest
from kbsite import Site, build

PUBLIC = """# Public

Wiki [[plan.pdf]], embed ![[img.png]], Markdown [d](doc.pdf), raw <a href="raw.pdf">raw</a>,
raw image <img src="raw.png" alt="r">, reference [r][1], names [[R&D plan.pdf]] ![[O'Brien.pdf]] [[q?x.pdf]]
[[50% off.pdf]] [[café ünï.pdf]] [hash](%23tag.pdf) and shared [[shared.pdf]].
Single quotes: <a href='sq.pdf'>sq</a> <img src='sq.png' alt='sq'>

[1]: ref.pdf
"""
PRIVATE = """---
private: true
---
# Private

[d](secret-md.pdf) <a href="secret-raw.pdf">x</a> <img src="secret.png"> [r][2] [[secret-wiki.pdf]]
[[shared.pdf]]

[2]: secret-ref.pdf
"""
DRAFT = "---\ndraft: true\n---\n# Draft\n\n![[draft.png]] [x](draft.pdf)\n"
# attachment -> published?
ATTACHMENTS = {
    "plan.pdf": True, "img.png": True, "doc.pdf": True, "raw.pdf": True, "raw.png": True, "ref.pdf": True,
    "R&D plan.pdf": True, "O'Brien.pdf": True, "q?x.pdf": True, "50% off.pdf": True, "café ünï.pdf": True,
    "#tag.pdf": True, "shared.pdf": True, "sq.pdf": True, "sq.png": True,
    "secret-md.pdf": False, "secret-raw.pdf": False, "secret.png": False, "secret-ref.pdf": False,
    "secret-wiki.pdf": False, "draft.png": False, "draft.pdf": False, "unlinked.pdf": False,
    "assets/logo.svg": False, "kb.sqlite": False, "notes.db": False,
}


def _content(root: Path, outside: Path) -> Path:
    files = {"Public.md": PUBLIC, "Private.md": PRIVATE, "Draft.md": DRAFT, ".obsidian/workspace.json": "{}",
             ".kb/kb.sqlite": "STORE-CANARY"}
    files |= {name: f"FILE {name}" for name in ATTACHMENTS}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    outside.mkdir()
    (outside / "secret.md").write_text("# Outside\n\nOUTSIDE-CANARY\n")
    (root / "p.md").symlink_to("/etc/passwd")
    (root / "environ.png").symlink_to("/proc/self/environ")
    (root / "etc").symlink_to("/etc", target_is_directory=True)
    (root / "up").symlink_to("..", target_is_directory=True)
    (root / "self").symlink_to(".", target_is_directory=True)
    (root / "out.md").symlink_to(outside / "secret.md")
    (root / "dangling.png").symlink_to("nowhere.png")
    (root / "twin.md").symlink_to("Public.md")  # inside: keeps working
    os.mkfifo(root / "fifo.md")
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    base = tmp_path_factory.mktemp("boundary")
    return build(_content(base / "content", base / "outside"), base / "site")


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> Site:
    base = tmp_path_factory.mktemp("boundary-wide")
    return build(_content(base / "content", base / "outside"), base / "site", public_assets=["assets/"])


@pytest.mark.parametrize("name, published", sorted(ATTACHMENTS.items()))
def test_attachment_published_only_when_a_public_entry_links_it(site: Site, name: str, published: bool) -> None:
    assert (site.out / name).is_file() is published


def test_public_assets_option_widens_to_a_folder(wide: Site) -> None:
    assert (wide.out / "assets" / "logo.svg").is_file()
    assert not (wide.out / "unlinked.pdf").exists() and not (wide.out / "secret-md.pdf").exists()


def test_nothing_outside_the_folder_nor_the_store_is_published(site: Site) -> None:
    names = {p.relative_to(site.out).as_posix() for p in site.out.rglob("*")}
    assert not any(n.split("/")[0] in ("etc", "up", "self", ".kb", ".obsidian", "p", "out") for n in names), names
    assert "environ.png" not in names and "dangling.png" not in names and "fifo" not in names
    assert not any(n.endswith((".sqlite", ".db")) for n in names)
    blob = b"".join(p.read_bytes() for p in site.out.rglob("*") if p.is_file() and p.suffix != ".gz")
    for canary in (b"OUTSIDE-CANARY", b"STORE-CANARY", b"root:x:0:0", b"PATH=/"):
        assert canary not in blob, canary
    assert (site.out / "twin" / "index.html").is_file()  # a symlink inside the folder keeps working
    assert not any("FileNotFoundError" in w for w in site.warnings)


@pytest.mark.parametrize("name", ["plan.pdf", "doc.pdf", "raw.pdf", "ref.pdf", "R&D plan.pdf", "O'Brien.pdf",
                                  "q?x.pdf", "50% off.pdf", "café ünï.pdf", "#tag.pdf", "sq.pdf"])
def test_links_reach_the_file_under_its_real_name(site: Site, name: str) -> None:
    soup = site.soup("public/")
    targets = {unquote(site.resolve_href("public/", a["href"]) or "") for a in soup.select("article a[href]")}
    assert name in targets
    assert (site.out / name).read_text(encoding="utf-8") == f"FILE {name}"


@pytest.mark.parametrize("name", ["img.png", "raw.png", "sq.png"])
def test_images_reach_the_file(site: Site, name: str) -> None:
    soup = site.soup("public/")
    assert name in {unquote(site.resolve_href("public/", i["src"]) or "") for i in soup.select("article img[src]")}


@pytest.mark.parametrize("name, why", [
    ("out.md", "outside"), ("environ.png", "outside"), ("fifo.md", "regular"), ("dangling.png", "regular"),
    (".kb/kb.sqlite", "hidden"), ("kb.sqlite", "database"), ("notes.db", "database"), ("plan.pdf", None),
    ("twin.md", None),
])
def test_files_another_walk_added_are_refused_by_the_boundary(site: Site, name: str, why: str | None) -> None:
    """The second line: docs_dir files that did not come through the core's discovery are checked again."""
    from mkdocs.structure.files import File

    from site_plugins.boundary import refused

    f = File(name, str(site.content), str(site.out), True)
    got = refused(f, os.path.realpath(site.content), None)
    assert (got is None) if why is None else (why in (got or "")), got


@pytest.mark.parametrize("edit", [
    "# Pub\n\nno links any more\n",  # the link is removed
    "---\nprivate: true\n---\n# Pub\n\n[[x.pdf]] <img src=\"y.png\">\n",  # the entry turns private
])
def test_incremental_rebuild_removes_attachments_no_public_page_links(tmp_path: Path, edit: str) -> None:
    from site_plugins.config import build_site

    content = tmp_path / "content"
    content.mkdir()
    (content / "Pub.md").write_text("# Pub\n\n[[x.pdf]] <img src=\"y.png\">\n")
    (content / "Other.md").write_text("# Other\n")
    (content / "x.pdf").write_text("x")
    (content / "y.png").write_text("y")
    url, out = f"sqlite:///{tmp_path / 'kb.sqlite'}", tmp_path / "site"
    build_site(content, out, store_url=url, incremental=True)
    assert (out / "x.pdf").is_file() and (out / "y.png").is_file()
    (content / "Pub.md").write_text(edit)
    build_site(content, out, store_url=url, incremental=True)
    assert not (out / "x.pdf").exists() and not (out / "y.png").exists()
    assert (out / "other" / "index.html").is_file()
