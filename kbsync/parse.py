"""Parse one file: bytes → decoded text → front matter (with line numbers) + body."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

import frontmatter
import yaml
from yaml.constructor import SafeConstructor

from .fmlinks import unquoted_links
from .models import Problem

try:  # libyaml when present: composing nodes is the parse floor's main cost
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pure-Python PyYAML
    _Loader = yaml.SafeLoader

_FM = frontmatter.YAMLHandler()
STRING_KEYS = ("title", "type")
LIST_KEYS = ("tags", "aliases", "chapters")
BOOL_KEYS = ("draft", "private")


@dataclass
class Parsed:
    """A file after parsing: front matter split into known keys and fields, plus the body."""

    path: str
    hash: str
    body: str = ""
    body_line: int = 1  # file line where the body starts
    meta: dict[str, Any] = field(default_factory=dict)  # known keys, normalised
    fields: dict[str, Any] = field(default_factory=dict)  # every other key, JSON-able
    lines: dict[str, int] = field(default_factory=dict)  # key -> file line
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True  # False: not an entry at all (encoding, size)

    def problem(self, line: int, code: str, message: str, level: str = "error") -> None:
        self.problems.append(Problem(path=self.path, line=line, level=level, code=code, message=message))  # type: ignore[typeddict-item]


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def decode(path: str, data: bytes, parsed: Parsed) -> str | None:
    """UTF-8 (with or without BOM) or nothing: guessing an encoding would silently corrupt text."""
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        parsed.problem(line, "encoding", "binary data (NUL byte), not a Markdown text file; entry skipped")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        parsed.problem(line, "encoding", f"not valid UTF-8 (byte 0x{data[e.start]:02x} at column {col}); "
                       "save the file as UTF-8; entry skipped")
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_bytes(path: str, data: bytes) -> Parsed:
    """Parse a file's bytes. Never raises for bad content: problems are attached instead."""
    parsed = Parsed(path=path, hash=content_hash(data))
    text = decode(path, data, parsed)
    if text is None:
        parsed.readable = False
        return parsed
    if not _FM.detect(text):
        parsed.body = text
        return parsed
    try:
        fm_text, body = _FM.split(text)
    except ValueError:
        parsed.problem(1, "front_matter", "front matter opened with `---` on line 1 is never closed "
                       "(add a closing `---` line); entry is not published until fixed")
        parsed.meta["draft"] = True  # unknown visibility: never publish what may be private
        parsed.body = text
        return parsed
    parsed.body = body
    parsed.body_line = text.count("\n", 0, len(text) - len(body)) + 1 if body else text.count("\n") + 1
    base = text.count("\n", 0, max(text.find(fm_text), 0)) + 1  # file line of the YAML text's line 0
    _front_matter(fm_text, base, parsed)
    return parsed


def _front_matter(fm_text: str, base: int, parsed: Parsed) -> None:
    try:
        node = yaml.compose(fm_text, Loader=_Loader)
    except yaml.YAMLError as e:
        # The context mark is where the broken construct starts: what the user must look at.
        mark = getattr(e, "context_mark", None) or getattr(e, "problem_mark", None)
        line = base + (mark.line if mark else 0)
        problem = " ".join(str(x) for x in (getattr(e, "context", None), getattr(e, "problem", None)) if x)
        parsed.problem(line, "front_matter", f"front matter is not valid YAML ({problem or e}); "
                       "entry is not published until fixed")
        parsed.meta["draft"] = True
        return
    if node is None:
        return
    if not isinstance(node, yaml.MappingNode):
        parsed.problem(base + node.start_mark.line, "front_matter", "front matter must be a mapping of `key: value` lines, "
                       f"not a {_kind(node)}; entry is not published until fixed")
        parsed.meta["draft"] = True
        return
    for key_node, value_node in node.value:
        key = str(key_node.value)
        line = base + key_node.start_mark.line
        parsed.lines[key] = line
        try:
            _key(key, value_node, line, base, parsed)
        except yaml.YAMLError as e:  # e.g. an impossible date
            parsed.problem(line, "front_matter", f"`{key}`: {getattr(e, 'problem', e)}")


def _kind(node: yaml.Node) -> str:
    return {"SequenceNode": "list", "MappingNode": "mapping"}.get(type(node).__name__, "single value")


def _implicit_type(node: yaml.ScalarNode) -> str:
    """What YAML would have made of a plain scalar (we keep the text, but say so when it matters)."""
    if node.style or node.tag == "tag:yaml.org,2002:str":
        return "str"
    return node.tag.rsplit(":", 1)[-1]


def _key(key: str, node: yaml.Node, line: int, base: int, parsed: Parsed) -> None:
    lk = key.lower()
    if lk == "alias":
        lk = "aliases"
    if lk in STRING_KEYS:
        if not isinstance(node, yaml.ScalarNode):
            parsed.problem(line, "schema", f"`{key}` must be a single value, not a {_kind(node)}")
            return
        if node.value.strip():
            parsed.meta[lk] = node.value.strip()
    elif lk in LIST_KEYS:
        parsed.meta[lk] = _string_list(key, lk, node, line, base, parsed)
    elif lk in BOOL_KEYS:
        value = _construct(node)
        if isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "1", "false", "no", "off", "0"):
            value = value.strip().lower() in ("true", "yes", "on", "1")
        if value is None:
            value = False
        if not isinstance(value, bool):
            parsed.problem(line, "schema", f"`{key}` must be true or false, not {value!r}; treated as true")
            value = True  # fail closed: an unclear `private:` hides the entry
        parsed.meta[lk] = value
    elif lk == "date":
        value = _construct(node)
        if isinstance(value, dt.date | dt.datetime):
            parsed.meta["date"] = value.isoformat()
        elif value is not None:
            parsed.meta["date"] = str(value)
            try:
                dt.date.fromisoformat(str(value)[:10])
            except ValueError:
                parsed.problem(line, "schema", f"`{key}` should be a date like 2024-05-31, not {value!r}",
                               level="warning")
    else:
        parsed.fields[key] = unquoted_links(_jsonable(_construct(node)))  # `up: [[Note]]` is a link, not a list


def _string_list(key: str, lk: str, node: yaml.Node, line: int, base: int, parsed: Parsed) -> list[str]:
    """Tags, aliases and chapters are strings exactly as written (`[true, no, 2024]` stays text)."""
    if isinstance(node, yaml.ScalarNode):
        if node.value.strip() == "" or _implicit_type(node) == "null":
            return []
        if _implicit_type(node) != "str":
            parsed.problem(line, "schema", f"`{key}` should be a list, not the {_implicit_type(node)} "
                           f"{node.value}; write `{key}: [{node.value}]`")
            return [node.value]
        if lk == "tags":  # Obsidian's legacy `tags: a, b c`
            return [t.lstrip("#") for t in node.value.replace(",", " ").split() if t.lstrip("#")]
        return [node.value.strip()]
    if isinstance(node, yaml.SequenceNode):
        out: list[str] = []
        for item in node.value:
            if isinstance(item, yaml.ScalarNode):
                if item.value.strip():
                    out.append(item.value.strip().lstrip("#") if lk == "tags" else item.value.strip())
            else:
                parsed.problem(base + item.start_mark.line, "schema",
                               f"`{key}` items must be single values, not a {_kind(item)}")
        return out
    parsed.problem(line, "schema", f"`{key}` must be a list, not a mapping")
    return []


def _construct(node: yaml.Node) -> Any:
    # The constructor alone: a whole loader (with a C parser) per value cost twice as much.
    return SafeConstructor().construct_document(node)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    return value
