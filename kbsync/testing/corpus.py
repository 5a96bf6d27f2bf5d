"""Deterministic synthetic knowledge base with ground truth, for kb's tests and benchmarks.

    python -m kbsync.testing.corpus --entries 1000 [--seed 7] --out DIR [--bad] [--planted]

Writes DIR/content/**.md (front-matter Markdown, Obsidian-style links) and DIR/truth.json:

  entries[path]     title, aliases, type, draft, private, chapters (document indexes), links (resolved target
                    paths, sorted, deduplicated; embeds included), broken (sorted targets that resolve to
                    nothing), mentions (person paths), tags (front matter + inline, nested ones whole)
  backlinks[path]   sorted paths of public entries linking to or mentioning it
  private_canaries  strings that appear only inside draft/private entries (`CANARY<i>HIDDEN`, i = the
                    entry's position in `entries`, six digits written as letters A-J: `canary_index` reads it
                    back); one word of letters, so every tokeniser and keyword extractor can pass it on
                    (YAKE drops tokens with digits or two hyphens: a leak through keywords went unseen)
  bad[path]         expected problem kind of each malformed file (--bad)
  params            the arguments that made it
  With --planted (drawn from a second generator: the base entries and their truth stay the same, planted
  words are added to their text):
  topics[path]      topic number of entries seeded with that topic's rare words
  duplicates        [original, copy] path pairs: variant title, the original's body with ~10% of words changed
  unlinked[path]    sorted paths of entries whose exact title was planted in this public entry's plain text
                    without a link (other, accidental occurrences may exist and are also correct to report;
                    draft/private entries get mentions planted too, but must never be reported as a source)

Output depends only on the arguments (and Python's `random`, stable across CPython releases).
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from kbsync.testing.malformed import write_malformed
from kbsync.testing.vocab import UNICODE_WORDS, fold, topic_words, vocabulary

VERSION = 2  # bump when the output for the same arguments changes: cached corpora are then rebuilt
RULES = """Link resolution rules the truth follows:
  1. [[a/b/Stem]] matches the entry at content path a/b/Stem.md,
  2. [[Stem]] matches the entry whose file stem is Stem (case-insensitive),
  3. otherwise an entry whose title or one of whose aliases equals it (case-insensitive).
  `[[x|label]]`, `[[x#heading]]` and `![[x]]` (embed) resolve as `[[x]]`. Nothing else resolves; links,
  tags and mentions inside code never count. Mentions are `@handle`, a person entry's file stem."""
FOLDERS = ("notes", "projects", "areas/health", "areas/home", "reference", "journal")
TYPES = ("note", "note", "note", "note", "exercise", "item", "book")
CODE_BLOCK = "```markdown\nThis [[Is Not A Link]] and #not-a-tag and @not-a-mention\n```"
INLINE_CODE = "Inline code `[[Also Not A Link]]` and `#nor-a-tag` stay text."


def canary_of(i: int) -> str:
    """The canary planted in hidden entry `i`: letters only (`CANARYAAABCDHIDDEN` for 123)."""
    return "CANARY" + "".join("ABCDEFGHIJ"[int(d)] for d in f"{i:06d}") + "HIDDEN"


def canary_index(canary: str) -> int:
    """The entry position a canary names (`canary_of`'s inverse)."""
    return int("".join(str("ABCDEFGHIJ".index(c)) for c in canary.removeprefix("CANARY").removesuffix("HIDDEN")))


@dataclass(slots=True)
class Entry:
    """One planned entry; `stem` is the file stem (`index` for a document's index)."""

    i: int
    folder: str
    stem: str
    title: str
    type: str
    aliases: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    fields: dict[str, object] = field(default_factory=dict)
    draft: bool = False
    private: bool = False
    doc: int | None = None
    chapters: list[str] = field(default_factory=list)
    topic: int | None = None

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.stem}.md"

    @property
    def hidden(self) -> bool:
        return self.draft or self.private


class Generator:
    """Plans the entries, writes them, and records what a correct sync must derive."""

    def __init__(self, entries: int, seed: int = 7, bad: bool = False, planted: bool = False):
        if entries < 20:
            raise ValueError("a corpus needs at least 20 entries")
        self.n, self.seed, self.bad, self.planted = entries, seed, bad, planted
        self.r = random.Random(seed)
        self.p = random.Random(seed * 104_729 + 17)  # planted text only: the base corpus never sees it
        self.words = vocabulary()
        self.cum = list(accumulate(1 / rank for rank in range(1, len(self.words) + 1)))  # Zipf
        self.title_words = self.words[60:]
        self.tag_words = [w for w in self.words[:200] if len(w) > 2]
        self.names: dict[str, int] = {}  # folded name -> entry number: every name means one entry
        self.entries: list[Entry] = []

    # -- names -----------------------------------------------------------------------------------
    def claim(self, name: str, owner: int) -> bool:
        """Reserve a title/alias/stem for one entry; False if another entry already uses it."""
        return self.names.setdefault(fold(name), owner) == owner

    def fresh_title(self, owner: int, unicode_ok: bool = True) -> str:
        r = self.r
        while True:
            ws = [r.choice(self.title_words).capitalize() for _ in range(r.randint(2, 4))]
            if unicode_ok and r.random() < 0.05:
                ws[r.randrange(len(ws))] = r.choice(UNICODE_WORDS)
            title = " ".join(ws)
            if fold(title) not in self.names and self.claim(title, owner):  # a new name, never a reused one
                return title

    # -- plan ------------------------------------------------------------------------------------
    def plan(self) -> None:
        r, n = self.r, self.n
        n_people, n_docs = max(3, n // 40), max(1, n // 200)
        for i in range(n):
            if i < n_people:
                e = self.person(i)
            elif i < n_people + 4 * n_docs:
                d, ch = divmod(i - n_people, 4)
                folder = f"documents/doc-{d:03d}"
                if ch == 0:
                    title = self.fresh_title(i, False) + " Handbook"
                    self.claim(title, i)
                    e = Entry(i, folder, "index", title, "document", doc=d)
                else:
                    title = self.fresh_title(i, False)
                    e = Entry(i, folder, f"{ch:02d}-" + "-".join(title.lower().split()), title, "chapter", doc=d)
            else:
                title = self.fresh_title(i)
                e = Entry(i, r.choice(FOLDERS), title, title, r.choice(TYPES))
            if e.type != "chapter" and r.random() < 0.3:
                e.aliases.append(self.fresh_title(i, False))
            e.tags = sorted({r.choice(self.tag_words) for _ in range(r.randint(0, 3))})
            e.draft = e.type in ("note", "item") and r.random() < 0.03
            e.private = not e.draft and e.type == "note" and r.random() < 0.02
            e.fields["date"] = f"20{r.randint(15, 26)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
            if e.type == "exercise":
                e.fields["muscle"] = r.choice(["legs", "back", "chest", "core"])
                e.fields["equipment"] = r.choice(["barbell", "dumbbell", "none"])
            elif e.type == "item":
                e.fields["location"] = r.choice(["garage", "kitchen", "attic"])
                e.fields["quantity"] = r.randint(0, 20)
            self.entries.append(e)
        notes = [e for e in self.entries if e.type == "note"]
        if not any(e.draft for e in self.entries):  # tests rely on both kinds of hidden entry existing
            notes[0].draft = True
        if not any(e.private for e in self.entries):
            next(e for e in notes if not e.draft).private = True
        for e in self.entries:
            if e.type == "document":
                e.chapters = [x.path for x in self.entries if x.doc == e.doc and x.type == "chapter"]
        self.people = [e for e in self.entries if e.type == "person"]
        self.popular = list(range(n))
        r.shuffle(self.popular)  # popularity rank: a few entries of every kind draw most links
        if self.planted:
            self.plan_planted()

    def person(self, i: int) -> Entry:
        while True:
            first, last = (self.r.choice(self.title_words).capitalize() for _ in range(2))
            title, stem = f"{first} {last}", f"{first}-{last}".lower()
            if fold(title) not in self.names and self.claim(title, i):  # a new name, never a reused one
                return Entry(i, "people", stem, title, "person")

    def plan_planted(self) -> None:
        p = self.p
        self.n_topics = max(4, self.n // 100)
        self.topic_words = topic_words(self.n_topics)
        for e in self.entries:
            if e.type in ("note", "book") and not e.hidden and p.random() < 0.3:
                e.topic = p.randrange(self.n_topics)
        pool = [e for e in self.entries if e.type in ("note", "book", "exercise", "item") and not e.hidden]
        self.dup_sources = {e.i for e in p.sample(pool, max(2, self.n // 100))}
        self.mentionable = pool  # titles planted as unlinked mentions: public entries of the common types

    # -- text ------------------------------------------------------------------------------------
    def sentences(self, k: int) -> list[str]:
        """k Zipf-distributed words as sentences: capitalised first word, full stop on the last."""
        ws = self.r.choices(self.words, cum_weights=self.cum, k=k)
        start = 0
        while start < k:
            end = min(k, start + self.r.randint(6, 16))
            ws[start] = ws[start].capitalize()
            ws[end - 1] += "."
            start = end
        return ws

    def target(self) -> Entry:
        r = self.r
        if r.random() < 0.6:
            return self.entries[self.popular[min(int(r.paretovariate(0.9)) - 1, self.n - 1)]]
        return self.entries[r.randrange(self.n)]

    def link(self, t: Entry) -> str:
        """A link to t in one of the forms the rules resolve."""
        r = self.r
        x = r.random()
        if t.stem == "index" or x < 0.05:  # every document's stem is `index`: only its path is unique
            label = f"|{' '.join(r.choices(self.words, cum_weights=self.cum, k=2))}" if r.random() < 0.3 else ""
            return f"[[{t.folder}/{t.stem}{label}]]"
        if t.title != t.stem and x < 0.3:  # people and chapters: by title, as written or in lower case
            return f"[[{t.title}]]" if x < 0.2 else f"[[{t.title.lower()}]]"
        if x < 0.55:
            return f"[[{t.stem}]]"
        if x < 0.65:
            return f"[[{t.stem}|{' '.join(r.choices(self.words, cum_weights=self.cum, k=2))}]]"
        if x < 0.72:
            return f"[[{t.stem}#Overview]]" if x < 0.70 else f"[[{t.stem}#Overview|overview]]"
        if x < 0.78 and t.aliases:
            return f"[[{t.aliases[0]}]]"
        if x < 0.84:  # stems match case-insensitively
            return f"[[{t.stem.upper()}]]"
        if x < 0.94:
            return f"![[{t.stem}]]"
        return f"[[{t.stem}]]"

    def broken(self) -> tuple[str, str]:
        """(markup, unresolved target) of a link that matches nothing."""
        while True:
            target = "Missing " + " ".join(w.capitalize() for w in self.r.sample(self.title_words, 2)) + " Page"
            if fold(target) not in self.names:
                return f"[[{target}]]", target

    def body(self, e: Entry, truth: dict) -> list[list[str] | str]:
        """Paragraphs (token lists, or raw blocks) of e's body; fills e's truth links, mentions, tags."""
        r = self.r
        links: set[str] = set()
        broken: set[str] = set()
        mentions: set[str] = set()
        tags = set(e.tags)
        paras: list[list[str] | str] = []
        for k in range(r.randint(2, 6)):
            toks = self.sentences(r.randint(25, 80))

            def put(markup: str, toks: list[str] = toks) -> None:
                toks.insert(r.randrange(len(toks)), markup)  # never after the final full stop

            for _ in range(r.randint(0, 3)):
                t = self.target()
                if t is not e:
                    put(self.link(t))
                    links.add(t.path)
            if r.random() < 0.05:
                markup, target = self.broken()
                put(markup)
                broken.add(target)
            if r.random() < 0.25:
                who = r.choice(self.people)
                if who is not e:
                    put(f"@{who.stem}")
                    mentions.add(who.path)
            if r.random() < 0.15:
                tag = r.choice(self.tag_words) + (f"/{r.choice(self.tag_words[:40])}" if r.random() < 0.3 else "")
                put(f"#{tag}")
                tags.add(tag)
            paras.append(toks)
            if k == 0:
                paras.append("## Overview")
        if r.random() < 0.02:
            t = self.target()
            if t is not e:
                paras.append(f"![[{t.stem if t.stem != 'index' else t.folder + '/index'}]]")  # a block embed
                links.add(t.path)
        if r.random() < 0.1:
            paras.append(CODE_BLOCK)
        if r.random() < 0.05:
            paras.append(INLINE_CODE)
        if e.hidden:  # first, where a fallback snippet (the body's start) or a summary would show it
            canary = canary_of(e.i)
            paras.insert(0, canary)
            truth["private_canaries"].append(canary)
        te = truth["entries"][e.path]
        te.update(links=sorted(links), broken=sorted(broken), mentions=sorted(mentions), tags=sorted(tags))
        if self.planted:
            self.plant(e, paras, truth)
        return paras

    def plant(self, e: Entry, paras: list[list[str] | str], truth: dict) -> None:
        """Topic words and unlinked title mentions, drawn from the planted generator only."""
        p = self.p
        linked = set(truth["entries"][e.path]["links"])
        unlinked: set[str] = set()
        for toks in paras:
            if isinstance(toks, str):
                continue
            if e.topic is not None:
                for _ in range(4):
                    toks.insert(p.randrange(len(toks)), p.choice(self.topic_words[e.topic]))
            if p.random() < 0.12:
                t = p.choice(self.mentionable)
                if t is not e and t.path not in linked:
                    toks.insert(p.randrange(len(toks)), t.title)
                    unlinked.add(t.path)
        if unlinked and not e.hidden:  # a hidden entry is no source any output may name
            truth["unlinked"][e.path] = sorted(unlinked)
        if e.topic is not None:
            truth["topics"][e.path] = e.topic

    # -- files -----------------------------------------------------------------------------------
    @staticmethod
    def front_matter(title: str, e: Entry, aliases: list[str], tags: list[str]) -> str:
        lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}"]
        if e.type != "note":
            lines.append(f"type: {e.type}")
        if aliases:
            lines += ["aliases:"] + [f"  - {json.dumps(a, ensure_ascii=False)}" for a in aliases]
        if tags:
            lines.append(f"tags: [{', '.join(tags)}]")
        lines += [f"{k}: {v}" for k, v in e.fields.items()]
        if e.draft:
            lines.append("draft: true")
        if e.private:
            lines.append("private: true")
        if e.chapters:
            lines += ["chapters:"] + [f"  - {c.rsplit('/', 1)[1]}" for c in e.chapters]
        return "\n".join(lines) + "\n---\n\n"

    @staticmethod
    def render(title: str, paras: list[list[str] | str]) -> str:
        return f"# {title}\n\n" + "\n\n".join(x if isinstance(x, str) else " ".join(x) for x in paras) + "\n"

    def write(self, out: Path) -> dict:
        """Write out/content and out/truth.json; return the truth."""
        self.plan()
        content = out / "content"
        truth: dict = {"rules": RULES, "entries": {}, "backlinks": {}, "private_canaries": [], "bad": {},
                       "params": {"entries": self.n, "seed": self.seed, "bad": self.bad,
                                  "planted": self.planted, "version": VERSION}}
        if self.planted:
            truth.update(topics={}, duplicates=[], unlinked={})
        for e in self.entries:
            truth["entries"][e.path] = {"title": e.title, "aliases": e.aliases, "type": e.type, "draft": e.draft,
                                        "private": e.private, "chapters": e.chapters}
        made: set[Path] = set()
        kept: dict[int, list[list[str] | str]] = {}
        for e in self.entries:
            paras = self.body(e, truth)
            if self.planted and e.i in self.dup_sources:
                kept[e.i] = paras
            self.put(content, e.path, self.front_matter(e.title, e, e.aliases, e.tags) + self.render(e.title, paras),
                     made)
        if self.planted:
            for e in self.entries:
                if e.i in kept:
                    self.duplicate(content, e, kept[e.i], truth, made)
        back: dict[str, set[str]] = {}
        for path, t in truth["entries"].items():
            if not (t["draft"] or t["private"]):
                for dst in t["links"] + t["mentions"]:
                    back.setdefault(dst, set()).add(path)
        truth["backlinks"] = {k: sorted(v) for k, v in sorted(back.items())}
        if self.bad:
            truth["bad"] = write_malformed(content)
        with open(out / "truth.json", "w", encoding="utf-8") as f:  # streamed: no 100 MB string at 100k entries
            json.dump(truth, f, indent=1, ensure_ascii=False)
        return truth

    @staticmethod
    def put(content: Path, rel: str, text: str, made: set[Path]) -> None:
        path = content / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(text, encoding="utf-8")

    def variant(self, title: str) -> str:
        """A near-identical title: one transposed letter, a plural, or "The …" in lower case."""
        p, ws = self.p, title.split()
        x = p.random()
        longest = max(range(len(ws)), key=lambda j: len(ws[j]))
        w = ws[longest]
        if x < 0.4 and len(w) > 3:
            k = p.randrange(1, len(w) - 2)
            ws[longest] = w[:k] + w[k + 1] + w[k] + w[k + 2:]
        elif x < 0.7:
            ws[-1] += "s"
        else:
            ws = ["The"] + [v.lower() for v in ws]
        return " ".join(ws)

    def duplicate(self, content: Path, src: Entry, paras: list[list[str] | str], truth: dict, made: set[Path]) -> None:
        """A near-duplicate of src: variant title, other folder, ~10% of its plain words changed."""
        p = self.p
        title = self.variant(src.title)
        i = len(truth["entries"])
        if fold(title) in self.names or not self.claim(title, i):
            return
        copy = Entry(i, p.choice(FOLDERS), title, title, src.type, fields=dict(src.fields))
        body = []
        for toks in paras:
            if not isinstance(toks, str):
                toks = [p.choice(self.words[:500]) if w.isalpha() and w.islower() and p.random() < 0.1 else w
                        for w in toks]
            body.append(toks)
        self.put(content, copy.path, self.front_matter(title, copy, [], []) + self.render(title, body), made)
        st = truth["entries"][src.path]
        truth["entries"][copy.path] = {
            "title": title, "aliases": [], "type": src.type, "draft": False, "private": False, "chapters": [],
            "links": list(st["links"]), "broken": list(st["broken"]), "mentions": list(st["mentions"]),
            "tags": sorted(set(st["tags"]) - set(src.tags))}  # inline tags only: front matter is not copied
        if src.path in truth["unlinked"]:
            truth["unlinked"][copy.path] = list(truth["unlinked"][src.path])
        if src.path in truth["topics"]:
            truth["topics"][copy.path] = truth["topics"][src.path]
        truth["duplicates"].append([src.path, copy.path])


def generate(out: Path, entries: int, seed: int = 7, bad: bool = False, planted: bool = False) -> dict:
    """Write a fresh corpus into `out` (replacing a previous one there); return its truth."""
    out = Path(out)
    if (out / "content").exists():
        if not (out / "truth.json").exists():
            raise FileExistsError(f"{out / 'content'} exists and is not a generated corpus (no truth.json)")
        shutil.rmtree(out / "content")
    out.mkdir(parents=True, exist_ok=True)
    return Generator(entries, seed, bad, planted).write(out)


def ensure(out: Path, entries: int, seed: int = 7, bad: bool = False, planted: bool = False) -> tuple[Path, dict]:
    """(content dir, truth) of the corpus in `out`, generated unless one made with these arguments is there."""
    out = Path(out)
    want = {"entries": entries, "seed": seed, "bad": bad, "planted": planted, "version": VERSION}
    try:
        truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        truth = None
    if truth is None or truth.get("params") != want:
        truth = generate(out, entries, seed, bad, planted)
    return out / "content", truth


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m kbsync.testing.corpus", description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path, nargs="?", help="output folder (same as --out)")
    ap.add_argument("--out", type=Path, help="output folder: content/ and truth.json go there")
    ap.add_argument("--entries", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--bad", action="store_true", help="add malformed files under content/bad/")
    ap.add_argument("--planted", action="store_true", help="plant topics, near-duplicates and unlinked mentions")
    a = ap.parse_args(argv)
    out = a.out or a.dir
    if out is None:
        ap.error("give the output folder: --out DIR")
    if a.entries < 20:
        ap.error("--entries must be at least 20")
    try:
        truth = generate(out, a.entries, a.seed, a.bad, a.planted)
    except FileExistsError as exc:
        ap.error(str(exc))
    print(f"wrote {len(truth['entries'])} entries to {out / 'content'} and truth to {out / 'truth.json'}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
