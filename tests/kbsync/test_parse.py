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


# -- issue 9: hostile front matter ---------------------------------------------------------------

@pytest.mark.parametrize("data, line, words", [
    ("---\ntitle: T\ndate: 2024-02-30\n---\n", 3, "not a real date"),
    ("---\nupdated: 2024-13-01\n---\n", 2, "not a real date"),
    ("---\nat: 2024-01-01 25:61:00\n---\n", 2, "not a real date"),
    ("---\nh:\n  - a: 1\n  - when: [2023-02-29]\n---\n", 4, "not a real date"),
    ("---\nm: {x: {y: 2024-04-31}}\n---\n", 2, "not a real date"),
    ("---\nb: !!binary 'not base64!'\n---\n", 2, "base64"),
    ("---\nk: {[a]: 1}\n---\n", 2, "unhashable"),
    ("---\nmeta: {a: 1, a: 2}\n---\n", 2, "duplicate key 'a'"),
    ("---\ntitle: A\ntitle: B\n---\n", 3, "duplicate key title"),
    ("---\n? [a, b]\n: 1\n---\n", 2, "a key must be"),
])
def test_value_errors_are_problems_not_exceptions(data: str, line: int, words: str) -> None:
    parsed = p(data)
    assert [(q["line"], q["level"]) for q in parsed.problems] == [(line, "error")]
    assert words in parsed.problems[0]["message"]
    assert not parsed.meta.get("draft")  # a bad value elsewhere does not hide the entry


@pytest.mark.parametrize("data, hidden_by, line, words", [
    ("---\nprivate: !secret true\n---\n", "draft", 2, "tag '!secret'"),
    ("---\ndraft: true\ndraft: false\n---\n", "draft", 3, "duplicate key draft"),
    ("---\nprivate: true\nPrivate: false\n---\n", "draft", 3, "duplicate key Private"),
    ("---\npublish: maybe\n---\n", "publish", 2, "true or false"),
    ("---\ndraft: maybe\n---\n", "draft", 2, "true or false"),
    ("---\nprivate: [yes]\n---\n", "private", 2, "true or false"),
    ("---\ndraft: 2024-01-01\n---\n", "draft", 2, "true or false"),
    ("---\npublish: \"false\"\n---\n", "publish", 2, "quoted"),
    ("---\npublish: no\n---\n", "publish", None, None),
    ("---\n<<: {draft: true}\n---\n", "draft", None, None),
    ("---\nbase: &b {private: true}\n<<: *b\n---\n", "private", None, None),
    ("---\n<<: {private: true}\nprivate: false\n---\n", "draft", 3, "merge key"),
    ("\n---\nprivate: true\n---\nbody", "draft", 2, "must start on line 1"),
    (" \n\t\n---\ntitle: T\n---\nbody", "draft", 3, "must start on line 1"),
    ("\ufeff\ufeff---\ntitle: T\n---\n", "draft", 1, "must start on line 1"),
])
def test_visibility_fails_closed(data: str, hidden_by: str, line: int | None, words: str | None) -> None:
    """Any doubt about draft/private/publish hides the entry; the problem says why."""
    from kbsync.build import build_record
    from kbsync.derive import Options

    parsed = p(data)
    rec, _ = build_record(parsed, Options())
    assert rec["visibility"] != "public"
    assert parsed.meta.get(hidden_by) is (hidden_by != "publish")
    if words is None:
        assert [q for q in parsed.problems if q["level"] == "error"] == []
    else:
        assert any(q["line"] == line and words in q["message"] for q in parsed.problems), parsed.problems


@pytest.mark.parametrize("data", [
    "\n---\n\nA rule after a blank line, then text\n\n---\n",  # not front matter: a rule, prose, a rule
    "---\ndraft: false\nprivate: no\npublish: true\n---\n",
    "---\ndraft: \"false\"\n---\n",
    "---\ndraft:\n---\n",
])
def test_visible_entries_stay_visible(data: str) -> None:
    from kbsync.build import build_record
    from kbsync.derive import Options

    rec, _ = build_record(p(data), Options())
    assert rec["visibility"] == "public"


def _bomb(levels: int, width: int = 9) -> str:
    lines = ["---", "a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join([*lines, "---", "body"])


@pytest.mark.parametrize("data, line", [
    (_bomb(10), 2),  # 400 bytes, 10^9 values once expanded
    (_bomb(7), 2),   # once a 34 MB store
    ("---\nloop: &l [*l, *l]\n---\n", 2),
    ("---\nm: &m {k: &n [*m, *n]}\n---\n", 2),
    ("---\nm0: &m0 {k: v}\n" + "".join(f"m{i}: &m{i} {{<<: [" + ", ".join([f"*m{i - 1}"] * 4) + "]}\n"
                                          for i in range(1, 12)) + "---\n", 2),
])
def test_alias_bombs_are_refused_quickly(data: str, line: int) -> None:
    import time

    t0 = time.perf_counter()
    parsed = p(data)
    assert time.perf_counter() - t0 < 2  # generous: it takes ~2 ms; the bomb itself takes minutes and GBs
    assert parsed.meta["draft"] is True and parsed.fields == {}
    assert [(q["line"], q["code"]) for q in parsed.problems] == [(line, "front_matter")]
    assert "alias" in parsed.problems[0]["message"]


def test_small_aliases_still_work() -> None:
    parsed = p("---\nbase: &b [x, y]\nmore: [*b, *b]\n---\n")
    assert parsed.fields == {"base": ["x", "y"], "more": [["x", "y"], ["x", "y"]]} and parsed.problems == []


@pytest.mark.parametrize("value, stored", [
    ("9" * 5000, "9" * 5000),  # past Python's int() digit limit: text, not an exception
    ("123456789012345678901234567890", "123456789012345678901234567890"),
    ("12", 12),
    (".inf", None),
    (".nan", None),
])
def test_numbers_stay_json(value: str, stored: object) -> None:
    parsed = p(f"---\nn: {value}\n---\n")
    assert parsed.fields == {"n": stored} and parsed.problems == []


@pytest.mark.parametrize("data, words", [
    ("---\ntitle: T\n---\n".encode("utf-16"), "UTF-16"),
    ("---\ntitle: T\n---\n".encode("utf-16-be"), "binary"),  # no BOM: nothing says it is text
    ("\ufeffhello".encode("utf-32"), "UTF-32"),
])
def test_utf16_is_named(data: bytes, words: str) -> None:
    parsed = p(data)
    assert not parsed.readable and words in parsed.problems[0]["message"]
    assert "save it as UTF-8" in parsed.problems[0]["message"] or words == "binary"
