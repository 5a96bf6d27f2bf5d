"""Parse one file: bytes → decoded text → front matter (with line numbers) + body."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

import frontmatter
import yaml

from . import yamlsafe
from .fmlinks import unquoted_links
from .models import Problem

_FM = frontmatter.YAMLHandler()
STRING_KEYS = ("title", "type")
LIST_KEYS = ("tags", "aliases", "chapters")
# Visibility keys, and the value each takes when it cannot be read: the one that hides the entry.
BOOL_KEYS = {"draft": True, "private": True, "publish": False}
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")
_LEADING = " \t\n\ufeff\u200b"  # what may hide front matter from MkDocs and Obsidian
HIDDEN = "entry is not published until fixed"


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
    for bom, name in ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
                      (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16")):
        if data.startswith(bom):  # MkDocs and most tools read UTF-8 only: say what to do, not "binary"
            parsed.problem(1, "encoding", f"the file is {name} text (it starts with a {name} byte order mark); "
                           "save it as UTF-8; entry skipped")
            return None
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
        stripped = text.lstrip(_LEADING)
        if stripped is not text and _FM.detect(stripped) and _late_front_matter(text, stripped, parsed):
            return parsed
        parsed.body = text
        return parsed
    _split(text, 0, parsed)
    return parsed


def _split(text: str, skipped: int, parsed: Parsed) -> None:
    """Front matter + body of `text`, whose first `skipped` lines were cut off the file's text."""
    try:
        fm_text, body = _FM.split(text)
    except ValueError:
        parsed.problem(1 + skipped, "front_matter", "front matter opened with `---` on line "
                       f"{1 + skipped} is never closed (add a closing `---` line); {HIDDEN}")
        parsed.meta["draft"] = True  # unknown visibility: never publish what may be private
        parsed.body = text
        return
    parsed.body = body
    parsed.body_line = skipped + (text.count("\n", 0, len(text) - len(body)) + 1 if body else text.count("\n") + 1)
    base = skipped + text.count("\n", 0, max(text.find(fm_text), 0)) + 1  # file line of the YAML text's line 0
    _front_matter(fm_text, base, parsed)


def _late_front_matter(text: str, stripped: str, parsed: Parsed) -> bool:
    """Front matter after blank lines: MkDocs would print it on the page, so hide the entry and say why."""
    skipped = text.count("\n", 0, len(text) - len(stripped))
    try:
        node = yamlsafe.compose(_FM.split(stripped)[0])
    except (ValueError, yaml.YAMLError):
        return False  # not front matter: a rule (`---`) after blank lines, say
    if not isinstance(node, yaml.MappingNode):
        return False
    _split(stripped, skipped, parsed)
    parsed.problem(1 + skipped, "front_matter", f"front matter must start on line 1, not on line {1 + skipped} "
                   "after blank or invisible characters: the site would show it as text; remove what comes "
                   f"before the opening `---`; {HIDDEN}")
    parsed.meta["draft"] = True
    return True


def _front_matter(fm_text: str, base: int, parsed: Parsed) -> None:
    try:
        node = yamlsafe.compose(fm_text)
    except yaml.YAMLError as e:
        # The context mark is where the broken construct starts: what the user must look at.
        mark = getattr(e, "context_mark", None) or getattr(e, "problem_mark", None)
        line = base + (mark.line if mark else 0)
        problem = " ".join(str(x) for x in (getattr(e, "context", None), getattr(e, "problem", None)) if x)
        parsed.problem(line, "front_matter", f"front matter is not valid YAML ({problem or e}); {HIDDEN}")
        parsed.meta["draft"] = True
        return
    if node is None:
        return
    if not isinstance(node, yaml.MappingNode):
        parsed.problem(base + node.start_mark.line, "front_matter", "front matter must be a mapping of `key: value` "
                       f"lines, not a {_kind(node)}; {HIDDEN}")
        parsed.meta["draft"] = True
        return
    if "*" in fm_text and (bomb := yamlsafe.expansion_over(node)) is not None:
        parsed.problem(base + bomb.start_mark.line, "front_matter", "front matter aliases expand to more than "
                       f"{yamlsafe.ALIAS_BUDGET:,} values (an alias bomb or a recursive anchor); {HIDDEN}")
        parsed.meta["draft"] = True
        return
    counts: dict[str, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == yamlsafe.MERGE:
            continue
        key = key_node.value
        hides = key.lower() in BOOL_KEYS
        fold = key.lower() if hides else key  # `Draft` and `draft` are one key here
        counts[fold] = counts.get(fold, 0) + 1
        if counts[fold] > 1:
            parsed.problem(base + key_node.start_mark.line, "front_matter", f"duplicate key {key}"
                           + (f" (written {counts[fold]} times): {HIDDEN}" if hides else "; the last one counts"))
            if hides:
                parsed.meta["draft"] = True
    pairs = node.value
    if any(k.tag == yamlsafe.MERGE for k, _ in pairs):
        pairs = _merged(node, base, parsed)
    for key_node, value_node in pairs:
        line = base + key_node.start_mark.line
        if not isinstance(key_node, yaml.ScalarNode):
            parsed.problem(line, "front_matter", f"a key must be a single word or phrase, not a {_kind(key_node)}; "
                           "the value is ignored")
            continue
        key = str(key_node.value)
        parsed.lines[key] = line
        try:
            _key(key, value_node, line, base, parsed)
        except yaml.YAMLError as e:  # an impossible date, an unknown tag, ...
            mark = getattr(e, "problem_mark", None)
            _bad_value(key, base + mark.line if mark else line, str(getattr(e, "problem", None) or e), parsed)
        except (ValueError, TypeError, OverflowError, RecursionError) as e:  # any value the constructor chokes on
            _bad_value(key, line, f"{type(e).__name__}: {e}", parsed)


def _merged(node: yaml.MappingNode, base: int, parsed: Parsed) -> list[tuple[yaml.Node, yaml.Node]]:
    """The top-level pairs with `<<` merge keys applied, as YAML says (explicit keys after merged ones)."""
    try:
        yamlsafe.Constructor().flatten_mapping(node)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        parsed.problem(base + (mark.line if mark else 0), "front_matter",
                       f"merge key `<<`: {getattr(e, 'problem', e)}; {HIDDEN}")
        parsed.meta["draft"] = True
        return [(k, v) for k, v in node.value if k.tag != yamlsafe.MERGE]
    seen: set[str] = set()
    for k, _ in node.value:  # a visibility key from a merge and again explicitly: which one the author meant is unclear
        lk = str(k.value).lower()
        if lk in BOOL_KEYS and lk in seen:
            parsed.problem(base + k.start_mark.line, "front_matter",
                           f"`{k.value}` is set both by a merge key `<<` and directly; {HIDDEN}")
            parsed.meta["draft"] = True
        seen.add(lk)
    return node.value


def _bad_value(key: str, line: int, why: str, parsed: Parsed) -> None:
    lk = key.lower()
    if lk in BOOL_KEYS:
        parsed.problem(line, "front_matter", f"`{key}`: {why}; {HIDDEN}")
        parsed.meta["draft"] = True
    else:
        parsed.problem(line, "front_matter", f"`{key}`: {why}; the value is ignored")


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
        _visibility_key(key, lk, node, line, parsed)
    elif lk == "date":
        value = yamlsafe.construct(node)
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
        parsed.fields[key] = unquoted_links(_jsonable(yamlsafe.construct(node)))  # `up: [[Note]]` is a link, not a list


def _visibility_key(key: str, lk: str, node: yaml.Node, line: int, parsed: Parsed) -> None:
    """draft / private / publish: true or false (quoted or not, as Obsidian writes them); anything else hides."""
    value = yamlsafe.construct(node)
    if lk == "publish":
        parsed.fields[key] = _jsonable(value)  # still shown as a field, as before
    if isinstance(value, str) and value.strip().lower() in (*_TRUE, *_FALSE):
        # Other tools read any quoted text as true: say so, but honour what the words mean.
        parsed.problem(line, "schema", f"`{key}` is the quoted text {value!r}, read as "
                       f"{str(value.strip().lower() in _TRUE).lower()}; write it without quotes", level="warning")
        value = value.strip().lower() in _TRUE
    if value is None:
        return  # `draft:` left empty: not set
    if not isinstance(value, bool):
        hide = BOOL_KEYS[lk]
        shown = value if isinstance(value, str | int | float) else _kind(node)
        parsed.problem(line, "schema", f"`{key}` must be true or false, not {str(shown)[:40]!r}; treated as "
                       f"{str(hide).lower()}, so the entry is not public")
        value = hide  # fail closed: an unclear value hides the entry
    parsed.meta[lk] = value or parsed.meta.get(lk, False) if lk != "publish" else value


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


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None  # NaN and infinities are not JSON
    return value
