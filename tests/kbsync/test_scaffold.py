"""`kb new` as a form: valid YAML whatever the title, schema fields asked (piped stdin), duplicate warning first."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kbsync.entryform import FieldSpec, FormError, LineAsker, convert, fill, relation_link
from kbsync.parse import parse_bytes
from kbsync.scaffold import file_name, front_matter, light_entries, new_entry

HOSTILE = ['He said "hi"', "it's", "a: b", "key: value # not a comment", "#hashtag first", "C# notes",
           "line one\nline two", "---", "x\n---\ny", "... end", "yes", "no", "null", "~", "2024", "1.5", "[[Squat]]",
           "[a, b]", "{a: 1}", "&anchor *alias", "!!python/object", "> folded", "| literal", "%TAG", "@at `tick`",
           "tab\there", " leading and trailing ", "Ünïcödé 日本語 🏋️", "emoji 🏋️‍♀️ zwj", "\u202eRTL override",
           "a/b\\c", "../../escape", ".hidden", "CON", "q?x*<>|", "x" * 300, "trailing.", "\x00nul\x07bell"]


@pytest.mark.parametrize("title", HOSTILE)
def test_any_title_gives_valid_front_matter_that_reads_back(tmp_path: Path, title: str) -> None:
    text = front_matter("exercise", title, {"muscle": "legs", "related": "[[Squat]]"})
    parsed = parse_bytes("x.md", text.encode())
    assert not parsed.problems, parsed.problems
    meta = {**parsed.meta, **parsed.fields}
    assert meta["title"] == title.strip() and meta["type"] == "exercise"  # the parser trims titles
    assert meta["muscle"] == "legs" and meta["related"] == "[[Squat]]" and parsed.body.strip() == ""
    path = new_entry(tmp_path, "note", title)
    assert path.parent == tmp_path and path.name == file_name(title) + ".md" and path.is_file()
    assert [e["title"] for e in light_entries(tmp_path)] == [title.strip()]  # found by discovery (not hidden, not outside)


EXERCISES = [{"slug": "gym/squat", "path": "gym/Squat.md", "title": "Squat", "aliases": ["Back Squat"],
              "type": "exercise"},
             {"slug": "gym/deadlift", "path": "gym/Deadlift.md", "title": "Deadlift", "aliases": [], "type": "exercise"},
             {"slug": "people/ann", "path": "people/ann.md", "title": "Squat", "aliases": [], "type": "person"}]


@pytest.mark.parametrize("spec, text, value", [
    (FieldSpec("n", "int"), "12", 12), (FieldSpec("x", "float"), "1.5", 1.5), (FieldSpec("b", "bool"), "yes", True),
    (FieldSpec("m", "str", values=["legs", "back"]), "back", "back"),
    (FieldSpec("l", "list", values=["a", "b"]), "a, b", ["a", "b"]), (FieldSpec("s", "str"), "a: b", "a: b"),
    (FieldSpec("r", "relation", targets=["exercise"]), "back squat", "[[Squat]]"),
    (FieldSpec("r", "relation", targets=["exercise"]), "DEADLIFT", "[[Deadlift]]"),
    (FieldSpec("r", "relation"), "New One", "[[New One]]"),
])
def test_convert(spec: FieldSpec, text: str, value: object) -> None:
    assert convert(spec, text, EXERCISES) == value


@pytest.mark.parametrize("spec, text, error", [
    (FieldSpec("n", "int"), "twelve", "`n`: 'twelve' is not a number"),
    (FieldSpec("m", "str", values=["legs"]), "arms", "`m`: 'arms' not allowed (one of: legs)"),
    (FieldSpec("l", "list", values=["a"]), "a, z", "`l`: z not allowed"),
    (FieldSpec("b", "bool"), "maybe", "`b`: 'maybe' is not true or false"),
])
def test_convert_refuses(spec: FieldSpec, text: str, error: str) -> None:
    with pytest.raises(FormError, match=error.replace("(", r"\(").replace(")", r"\)")):
        convert(spec, text, EXERCISES)


def test_relation_choices_are_the_target_type_only() -> None:
    asked: list[list[str]] = []
    lines = iter(["2\n"])
    asker = LineAsker(read=lambda: next(lines, ""), write=lambda s: None)
    asker_ask = asker.ask
    asker.ask = lambda q, c: (asked.append(c), asker_ask(q, c))[1]  # type: ignore[method-assign]
    out = fill([FieldSpec("related", "relation", targets=["exercise"])], {}, EXERCISES, asker)
    assert asked == [["Deadlift", "Squat"]] and out == {"related": "[[Squat]]"}
    assert relation_link("[[Kept]]", []) == "[[Kept]]"


TYPES = """exercise:
  fields:
    muscle: {type: str, required: true, values: [legs, back, chest]}
    sets: {type: int}
    related: {type: relation, target: exercise}
"""


def kb(content: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "KB_LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-m", "kbsync", "new", *args, "--content", str(content)], input=stdin,
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    (root / ".kb").mkdir(parents=True)
    (root / ".kb" / "types.yaml").write_text(TYPES)
    (root / "gym").mkdir()
    (root / "gym" / "Squat.md").write_text("---\ntype: exercise\naliases: [Back Squat]\nmuscle: legs\n---\n")
    (root / "gym" / "Deadlift.md").write_text("---\ntype: exercise\nmuscle: back\n---\n")
    return root


# (args, stdin, exit code, expected front matter (None: nothing written), text on stderr)
FORMS = [
    (["exercise", "Front Squat"], "1\n5\n2\n", 0, {"muscle": "legs", "sets": 5, "related": "[[Squat]]"}, "1) legs"),
    (["exercise", "Front Squat"], "arms\n\nchest\nmany\n\n\n", 0, {"muscle": "chest"}, "'arms' not allowed"),
    (["exercise", "Front Squat"], "", 2, None, "`muscle` is required and no answer came"),
    (["exercise", "Back Squat"], "n\n", 1, None, '"Back Squat" is an alias of Squat (gym/Squat.md, alias 100%)'),
    (["exercise", "Back Squat"], "y\nback\n\ndeadlift\n", 0, {"muscle": "back", "related": "[[Deadlift]]"},
     "possible duplicate"),
    (["exercise", "Back Squat", "--yes", "--field", "muscle=legs", "-f", "related=back squat"], "", 0,
     {"muscle": "legs", "related": "[[Squat]]"}, "possible duplicate"),
    (["exercise", "Bench", "--yes"], "", 2, None, "`muscle` is required: pass --field muscle=VALUE"),
    (["exercise", "Bench", "--yes", "--field", "muscle=arms"], "", 2, None, "'arms' not allowed"),
    (["exercise", "Bench", "--yes", "--field", "muscle"], "", 2, None, "expected NAME=VALUE"),
    (["exercise", "Squat"], "", 2, None, "already exists"),
    (["note", 'Odd: "title" #1\n---'], "", 0, {}, ""),
]


@pytest.mark.parametrize("args, stdin, code, fields, err", FORMS)
def test_new_form_driven_by_piped_stdin(content: Path, args: list[str], stdin: str, code: int,
                                        fields: dict[str, object] | None, err: str) -> None:
    before = sorted(p for p in content.rglob("*.md"))
    out = kb(content, *args, stdin=stdin)
    assert out.returncode == code, out.stderr
    assert err in out.stderr, out.stderr
    if fields is None:
        assert sorted(content.rglob("*.md")) == before  # nothing written
        return
    path = Path(out.stdout.strip())
    assert path.is_file() and path.parent.parent == content.parent or path.parent == content or \
        path.parent == content / "gym", path
    parsed = parse_bytes(path.name, path.read_bytes())
    meta = {**parsed.meta, **parsed.fields}
    assert meta["title"] == args[1]
    assert {k: v for k, v in meta.items() if k not in ("title", "type", "date", "tags")} == fields


def test_typeahead_in_a_terminal(content: Path) -> None:
    """In a real terminal (a pty), Tab completes allowed values and the target type's entries; stdout: the path."""
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(sys.executable, ["-m", "kbsync", "new", "exercise", "Front Squat", "--content", str(content)],
                          encoding="utf-8", timeout=60, env={**os.environ, "KB_LOG_LEVEL": "WARNING"})
    child.expect("muscle")
    child.send("le")
    child.expect("gs")  # "legs" offered as you type (the typed part highlighted apart)
    child.send("\t")
    child.expect("gs")
    child.send("\r")
    child.expect("sets")
    child.send("\r")  # optional: skipped
    child.expect("related")
    child.send("Dead")
    child.expect("lift")
    child.send("\t")
    child.expect("lift")
    child.send("\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    parsed = parse_bytes("x.md", (content / "gym" / "Front Squat.md").read_bytes())
    assert parsed.fields == {"muscle": "legs", "related": "[[Deadlift]]"}
