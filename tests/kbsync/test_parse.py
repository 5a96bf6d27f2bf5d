"""Front matter and file-level problems, each with the file and line a user must look at."""
import pytest

from kbsync.parse import parse_bytes


def p(data: str | bytes):
    return parse_bytes("x.md", data.encode() if isinstance(data, str) else data)


@pytest.mark.parametrize("data, meta, fields", [
    ("", {}, {}),
    ("no front matter", {}, {}),
    ("---\n---\nbody", {}, {}),
    ("\ufeff---\r\ntitle: Bom\r\n---\r\nbody\r\n", {"title": "Bom"}, {}),
    ("---\ntags: [true, no, 2024, 1.5]\n---\n", {"tags": ["true", "no", "2024", "1.5"]}, {}),
    ("---\ntags: a, b c\n---\n", {"tags": ["a", "b", "c"]}, {}),
    ("---\ntags: ['#x', y]\n---\n", {"tags": ["x", "y"]}, {}),
    ("---\naliases: One Alias\n---\n", {"aliases": ["One Alias"]}, {}),
    ("---\nalias: [A, B]\n---\n", {"aliases": ["A", "B"]}, {}),
    ("---\ntitle: 2024\n---\n", {"title": "2024"}, {}),
    ("---\ntitle: yes\n---\n", {"title": "yes"}, {}),
    ("---\ndate: 2024-05-31\n---\n", {"date": "2024-05-31"}, {}),
    ("---\ndraft: yes\nprivate: false\n---\n", {"draft": True, "private": False}, {}),
    ("---\nmuscle: legs\nquantity: 3\nwhen: 2024-01-01\nnested: {a: [1, 2]}\n---\n", {},
     {"muscle": "legs", "quantity": 3, "when": "2024-01-01", "nested": {"a": [1, 2]}}),
])
def test_front_matter(data: str, meta: dict, fields: dict) -> None:
    parsed = p(data)
    assert parsed.meta == meta and parsed.fields == fields and parsed.problems == []


@pytest.mark.parametrize("data, line, code, words", [
    ("---\ntitle: Never closed\ntags: [a, b\n\nBody\n", 1, "front_matter", "never closed"),
    ("---\ntitle: ok\ntitle2: [unbalanced\n---\nBody\n", 3, "front_matter", "not valid YAML"),
    ("---\n- just\n- a list\n---\nBody\n", 2, "front_matter", "mapping"),
    (b"---\ntitle: Latin1 \xe9t\xe9\n---\n", 2, "encoding", "UTF-8"),
    (b"\x00\x01\x02", 1, "encoding", "binary"),
    ("---\ntitle: T\ntype: exercise\ntags: 42\n---\n", 4, "schema", "should be a list"),
    ("---\ntitle: [a, b]\n---\n", 2, "schema", "single value"),
    ("---\nprivate: maybe\n---\n", 2, "schema", "true or false"),
    ("---\ndate: someday\n---\n", 2, "schema", "date"),
])
def test_problems_name_the_line(data, line: int, code: str, words: str) -> None:
    parsed = p(data)
    assert [(q["line"], q["code"]) for q in parsed.problems] == [(line, code)]
    assert words in parsed.problems[0]["message"]


@pytest.mark.parametrize("data", ["---\ntitle: [x\n---\n", "---\ntitle: x\ntags: [a\n", "---\n- l\n---\n",
                                  "---\nprivate: maybe\n---\n"])
def test_unreadable_front_matter_fails_closed(data: str) -> None:
    """When we cannot tell whether an entry is private, it is never published."""
    parsed = p(data)
    assert parsed.meta.get("draft") or parsed.meta.get("private")


def test_body_line_offsets() -> None:
    parsed = p("---\ntitle: T\n---\n# H\n\ntext\n")
    assert parsed.body_line == 3 and parsed.body.split("\n")[1] == "# H"
