"""An incremental read model update answers exactly like a full rebuild of the same store."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from kbsync.view.readmodel import ReadModel


def _viewer(private: bool) -> str:
    return "token" if private else "public"


@pytest.fixture
def edited(corpus300: tuple[Path, dict], tmp_path: Path) -> tuple[ReadModel, ReadModel, ReadModel, dict]:
    """(before, incremental after, full after, what changed) over a copy of the corpus synced twice."""
    from kbsync.store import open_store
    from kbsync.sync import sync_content

    content = tmp_path / "content"
    shutil.copytree(corpus300[0], content, symlinks=True)
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    sync_content(content, store)
    before = ReadModel.from_store(store)
    public = sorted(p for p in content.rglob("*.md") if "bad" not in p.parts
                    and "private:" not in p.read_text("utf-8") and "draft:" not in p.read_text("utf-8")
                    and p.name != "index.md" and "people" not in p.parts)
    edit, hide, draft, gone, move = public[:5]
    edit.write_text(edit.read_text("utf-8") + "\nZebraword appears here.\n", "utf-8")
    hide.write_text(hide.read_text("utf-8").replace("---\n", "---\nprivate: true\n", 1) + "\nCANARY-HIDE\n", "utf-8")
    draft.write_text(draft.read_text("utf-8").replace("---\n", "---\ndraft: true\n", 1), "utf-8")
    gone.unlink()
    move.rename(move.with_name("Renamed Entry Quokka.md"))
    (content / "notes" / "Brand New Narwhal.md").write_text(
        "---\ntitle: Brand New Narwhal\ntags: [fresh]\n---\nLinks to [[Renamed Entry Quokka]].\n", "utf-8")
    sync_content(content, store)
    after = ReadModel.from_store(store, previous=before)
    full = ReadModel.from_store(store)
    slug = {p: before.summaries[before.by_slug[_slug(before, p, content)]]["slug"]
            for p in (edit, hide, draft, gone, move)}
    return before, after, full, {"edit": slug[edit], "hide": slug[hide], "draft": slug[draft], "gone": slug[gone],
                                 "move": slug[move]}


def _slug(model: ReadModel, path: Path, content: Path) -> str:
    rel = path.relative_to(content).as_posix()[:-3]
    return next(s for s in model.by_slug if s == rel.lower().replace(" ", "-"))


def answers(m: ReadModel, private: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    queries = ["zebraword", "quokka", "narwhal", "renamed entry", "canary hide", "a", "the", "obj", "fresh", "moved",
               "fresh 3", "step2word", "t4", "too"]
    for q in queries:
        out[f"suggest {q}"] = [(h["slug"], h["matched"]) for h in m.suggest(q, 20, _viewer(private))["hits"]]
        res = m.search(q, 100, viewer=_viewer(private), snippets=False)
        out[f"search {q}"] = (res["total"], sorted(h["slug"] for h in res["hits"]))
    page, cursor = [], None
    while True:
        listing = m.entries(limit=100, cursor=cursor, viewer=_viewer(private))
        page += [i["slug"] for i in listing["items"]]
        cursor = listing["next_cursor"]
        if cursor is None:
            break
    out["entries"] = page
    out["tags"] = m.tags(_viewer(private))
    g = m.graph(page[0], 2, _viewer(private)) or {}
    out["graph"] = (sorted((n["slug"], n["distance"]) for n in g["nodes"]), g["edges"])
    return out


def test_incremental_equals_full(edited: tuple[ReadModel, ReadModel, ReadModel, dict]) -> None:
    before, after, full, changed = edited
    assert after.patched > 0 and full.patched == -1  # the incremental path was taken
    assert before.fulltext.searcher is not after.fulltext.searcher
    for private in (False, True):
        a, f = answers(after, private), answers(full, private)
        diff = [k for k in a if a[k] != f[k]]
        assert not diff, [(k, a[k][0], f[k][0], set(a[k][1]) ^ set(f[k][1])) for k in diff]


def test_incremental_changes_are_visible(edited: tuple[ReadModel, ReadModel, ReadModel, dict]) -> None:
    before, after, _, changed = edited
    assert [h["slug"] for h in after.search("zebraword")["hits"]] == [changed["edit"]]
    assert after.suggest("brand new narw")["hits"][0]["title"] == "Brand New Narwhal"
    assert after.visible(changed["hide"]) is None and after.visible(changed["hide"], "token") is not None
    assert changed["hide"] not in [h["slug"] for h in after.search("CANARY-HIDE", 100)["hits"]]
    assert changed["hide"] in [h["slug"] for h in after.search("CANARY-HIDE", 100, viewer="token")["hits"]]
    for gone in (changed["draft"], changed["gone"], changed["move"]):
        assert after.visible(gone, "token") is None
        assert gone not in [i["slug"] for i in after.entries(limit=100, viewer="token")["items"]]
    # the model that was serving before is untouched
    assert before.search("zebraword")["total"] == 0 and before.visible(changed["gone"]) is not None


def structure(m: ReadModel, private: bool) -> dict[str, Any]:
    """Every visible entry's links, backlinks (by kind), public inbound count and 1-step neighbourhood."""
    out: dict[str, Any] = {}
    for slug, i in sorted(m.by_slug.items()):
        if not (private or m.public[i]):
            continue
        g = m.graph(slug, 1, _viewer(private)) or {}
        out[slug] = (m.inbound[i], sorted((e["source"], e["target"], e["kind"]) for e in g["edges"]),
                     [n["slug"] for n in g["nodes"]])
    return out


def _mutate(content: Path, rng: Any, step: int) -> None:
    files = sorted(p for p in content.rglob("*.md") if "bad" not in p.parts and p.name != "index.md")
    for j in range(rng.randint(1, 6)):
        op = rng.choice(["edit", "edit", "create", "delete", "rename", "private", "public", "draft", "unlink"])
        p = rng.choice(files)
        if not p.exists():
            continue
        text = p.read_text("utf-8")
        other = rng.choice(files).stem
        if op == "edit":
            p.write_text(text + f"\nStep{step}word{j} links [[{other}]] and [[Fresh {step} {j - 1}]].\n", "utf-8")
        elif op == "create":
            (content / "notes" / f"Fresh {step} {j}.md").write_text(
                f"---\ntitle: Fresh {step} {j}\naliases: [{other} too]\ntags: [fresh, t{step}]\n---\n"
                f"Links to [[{other}]] and [[{rng.choice(files).stem}]].\n", "utf-8")
        elif op == "delete":
            p.unlink()
        elif op == "rename":
            p.rename(p.with_name(f"Moved {step} {j}.md"))
        elif op in ("private", "draft") and text.startswith("---\n"):
            p.write_text(text.replace("---\n", f"---\n{op}: true\n", 1), "utf-8")
        elif op == "public":
            p.write_text(text.replace("private: true\n", "").replace("draft: true\n", ""), "utf-8")
        elif op == "unlink":
            p.write_text(text.replace("[[", "[").replace("]]", "]"), "utf-8")


@pytest.mark.parametrize("patch_max", [500, 0])  # 0: every change too big to patch the graph and suggest index
def test_random_edits_incremental_equals_full(corpus300: tuple[Path, dict], tmp_path: Path, patch_max: int,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    import kbsync.view.readmodel
    from kbsync.store import open_store
    from kbsync.sync import sync_content

    monkeypatch.setattr(kbsync.view.readmodel, "PATCH_MAX", patch_max)
    content = tmp_path / "content"
    shutil.copytree(corpus300[0], content, symlinks=True)
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    sync_content(content, store)
    model = ReadModel.from_store(store)
    rng = random.Random(7)
    for step in range(12):
        _mutate(content, rng, step)
        sync_content(content, store)
        if step % 2:  # a retried update (the first attempt's model was never used) adds nothing twice
            ReadModel.from_store(store, previous=model)
        after, full = ReadModel.from_store(store, previous=model), ReadModel.from_store(store)
        assert after.patched > 0, step
        assert (after.links.n == model.links.n + len(after.summaries) - len(model.summaries)) or not patch_max
        for private in (False, True):
            a, f = answers(after, private), answers(full, private)
            assert {k: a[k] for k in a if a[k] != f[k]} == {k: f[k] for k in a if a[k] != f[k]}, (step, private)
            assert structure(after, private) == structure(full, private), (step, private)
            assert after.tags(_viewer(private)) == full.tags(_viewer(private))
        assert after.edge_count == full.edge_count
        assert after.stats() | {"build_seconds": 0} == full.stats() | {"build_seconds": 0}
        model = after
