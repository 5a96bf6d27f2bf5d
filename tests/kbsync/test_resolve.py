"""Every link rule of DESIGN.md, including the cases peers get wrong."""
import pytest

from kbsync.resolve import Resolver

ENTRIES = [
    ("Note.md", "Note", []),
    ("en/Ideas.md", "Ideas EN", []),
    ("fr/Ideas.md", "Idées", []),
    ("de/deep/Ideas.md", "Ideen", []),
    ("a/Sub/Stem.md", "Stem A", []),
    ("b/Other/Stem.md", "Stem B", []),
    ("exercises/Squat.md", "Squat", ["Back Squat"]),
    ("people/ada.md", "Ada Lovelace", []),
    ("Case.md", "Upper", []),
    ("case.md", "Lower", []),
    ("数据/知识库.md", "知识库", ["KB"]),
    ("emoji/🚀 Launch.md", "Launch", []),
    ("x/Café.md", "Café", []),
    ("docs/v1.2 notes.md", "Release notes", []),
]
ROWS = [{"path": p, "slug": p[:-3].lower(), "title": t, "aliases": a, "type": "person" if p.startswith("people") else "note"}
        for p, t, a in ENTRIES]
R = Resolver(ROWS, attachments=["images/pic.png", "b/pic.png", "files/report.pdf"])


@pytest.mark.parametrize("target, source, expect", [
    ("Note", "x/y.md", "Note.md"),                                  # stem
    ("note", "x/y.md", "Note.md"),                                  # stem, any case
    ("NOTE.md", "x/y.md", "Note.md"),                               # with .md
    ("Case", "z.md", "Case.md"),                                    # exact case beats case-insensitive
    ("case", "z.md", "case.md"),
    ("en/Ideas", "x.md", "en/Ideas.md"),                            # path
    ("fr/Ideas.md", "x.md", "fr/Ideas.md"),                         # path with .md
    ("FR/ideas", "x.md", "fr/Ideas.md"),                            # path, any case
    ("Ideas", "fr/other.md", "fr/Ideas.md"),                        # duplicate stems: closest folder
    ("Ideas", "en/x/other.md", "en/Ideas.md"),
    ("Ideas", "de/deep/z/q.md", "de/deep/Ideas.md"),
    ("Ideas", "top.md", "en/Ideas.md"),                             # no shared folder: shortest path, then a-z
    ("Sub/Stem", "q.md", "a/Sub/Stem.md"),                          # path suffix on a folder boundary
    ("Other/Stem", "q.md", "b/Other/Stem.md"),
    ("ub/Stem", "q.md", None),                                      # not on a boundary: no suffix match...
    ("Back Squat", "x.md", "exercises/Squat.md"),                   # alias
    ("back squat", "x.md", "exercises/Squat.md"),                   # alias, any case
    ("Ada Lovelace", "x.md", "people/ada.md"),                      # title
    ("知识库", "x.md", "数据/知识库.md"),                              # unicode stem
    ("kb", "x.md", "数据/知识库.md"),                                 # unicode entry by alias
    ("🚀 Launch", "x.md", "emoji/🚀 Launch.md"),                     # emoji stem
    ("Café", "x.md", "x/Café.md"),
    ("v1.2 notes", "x.md", "docs/v1.2 notes.md"),                   # a dot is not an attachment extension
    ("Nothing Here", "x.md", None),                                 # broken
    ("", "Note.md", "Note.md"),                                     # [[#Heading]]: the entry itself
])
def test_entry_rules(target: str, source: str, expect: str | None) -> None:
    r = R.resolve(target, source)
    assert (r.path if r else None) == expect


def test_ambiguous_candidates_are_reported() -> None:
    r = R.resolve("Ideas", "top.md")
    assert r.path == "en/Ideas.md" and set(r.ambiguous) == {"fr/Ideas.md", "de/deep/Ideas.md"}
    assert R.resolve("Note", "x.md").ambiguous == ()


@pytest.mark.parametrize("target, source, expect", [
    ("pic.png", "images/n.md", "images/pic.png"),
    ("pic.png", "b/n.md", "b/pic.png"),
    ("images/pic.png", "b/n.md", "images/pic.png"),
    ("report.pdf", "x.md", "files/report.pdf"),
    ("missing.png", "x.md", None),
])
def test_attachments(target: str, source: str, expect: str | None) -> None:
    r = R.resolve(target, source)
    assert (r.attachment if r else None) == expect


@pytest.mark.parametrize("target, source, expect", [
    ("Ideas.md", "fr/x.md", "fr/Ideas.md"),        # relative to the file
    ("../en/Ideas.md", "fr/x.md", "en/Ideas.md"),
    ("/Note.md", "fr/x.md", "Note.md"),            # content-absolute
    ("Squat.md", "notes/x.md", "exercises/Squat.md"),  # not relative: falls back to the wikilink rules
    ("../../outside.md", "fr/x.md", None),
])
def test_markdown_links(target: str, source: str, expect: str | None) -> None:
    r = R.resolve(target, source, md_link=True)
    assert (r.path if r else None) == expect


def test_mentions_use_person_handles() -> None:
    assert R.person("ada").path == "people/ada.md"
    assert R.person("ADA").path == "people/ada.md"
    assert R.person("note") is None  # not a person


ORDER_CASES = [("Ideas", "fr/other.md"), ("Ideas", "en/x/other.md"), ("Ideas", "top.md"), ("pic.png", "b/n.md"),
               ("pic.png", "images/n.md"), ("Note", "x/y.md"), ("Note", "fr/z.md"), ("Nothing", "a.md"),
               ("Nothing", "b/c.md"), ("Stem", "a/q.md"), ("Stem", "b/q.md"), ("Stem", "q.md")]


@pytest.mark.parametrize("order", ["forward", "reversed"])
def test_memoised_answers_equal_fresh_ones_whatever_the_order(order: str) -> None:
    """Answers are memoised per target when only one candidate exists, per (target, folder) otherwise."""
    atts = ["images/pic.png", "b/pic.png", "files/report.pdf"]
    cases = ORDER_CASES if order == "forward" else ORDER_CASES[::-1]
    shared = Resolver(ROWS, attachments=atts)
    for target, source in cases:
        assert shared.resolve(target, source) == Resolver(ROWS, attachments=atts).resolve(target, source), (target, source)
