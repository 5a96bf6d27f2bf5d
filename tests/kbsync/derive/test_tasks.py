"""tasks deriver: task lines with status, text, line, inline fields and emoji dates; nothing inside code."""
from __future__ import annotations

import pytest

from kbsync.derive import derive
from kbsync.parse import parse_bytes


def tasks_of(text: str) -> list[dict]:
    return derive(parse_bytes("t.md", text.encode()))["tasks"]


@pytest.mark.parametrize(("body", "expected"), [
    ("- [ ] open", [(" ", "open")]),
    ("- [x] done\n- [X] Done too", [("x", "done"), ("X", "Done too")]),
    ("* [/] half\n+ [-] dropped", [("/", "half"), ("-", "dropped")]),
    ("1. [ ] numbered\n2) [>] forwarded", [(" ", "numbered"), (">", "forwarded")]),
    ("  - [ ] nested", [(" ", "nested")]),
    ("- [] not a task\n- [ ]\n[ ] no bullet\n- [ ]no space", []),
    ("```\n- [ ] in code\n```\n    - [ ] indented code", []),
    ("<!-- -->\n> - [ ] quoted", []),
])
def test_task_lines(body: str, expected: list) -> None:
    assert [(t["status"], t["text"]) for t in tasks_of(body)] == expected


def test_line_numbers_count_front_matter() -> None:
    ts = tasks_of("---\ntitle: x\n---\nintro\n\n- [ ] one\n- [x] two\n")
    assert [t["line"] for t in ts] == [6, 7]


def test_fields_dates_and_tags() -> None:
    (t,) = tasks_of("- [ ] Pay rent [due:: 2024-06-01] (owner:: Ada) #home 📅 2024-06-02 ⏳ 2024-05-30 `[x:: 1]`")
    assert t["fields"] == {"due": "2024-06-01", "owner": "Ada", "scheduled": "2024-05-30"}
    assert t["tags"] == ["home"]
