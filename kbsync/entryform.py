"""`kb new TYPE TITLE` as a form: the type's schema fields, a duplicate warning first, then the file."""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from .schema import SCHEMA_FILES

Rec = dict[str, Any]
PAGE = 20  # relation choices listed at once in a plain (piped) prompt


class FormError(ValueError):
    """Bad input (an unknown field, a value not allowed, a required field left empty): nothing was written."""


class Declined(Exception):
    """The user answered no to "create anyway?": nothing was written."""


@dataclass
class FieldSpec:
    """One field of an entry type, as `.kb/types.yaml` declares it."""

    name: str
    type: str = "any"  # str | int | float | bool | date | list | relation | any
    required: bool = False
    values: list[str] = field(default_factory=list)  # allowed values, offered as choices
    targets: list[str] = field(default_factory=list)  # relation: the target entries' types (empty: any)


def type_fields(content: Path, type: str) -> list[FieldSpec]:
    """The fields `.kb/types.yaml` declares for `type` ([] when the type or the file is absent)."""
    for name in SCHEMA_FILES:
        path = Path(content) / name
        if not path.is_file():
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            raise FormError(f"{name}: cannot read type schemas: {e}") from None
        spec = (data.get(type) if isinstance(data, dict) else None) or {}
        out = []
        for key, f in ((spec.get("fields") or {}) if isinstance(spec, dict) else {}).items():
            f = {"type": f} if isinstance(f, str) else (f or {})
            t = f.get("target") or []
            out.append(FieldSpec(str(key), str(f.get("type", "any")), bool(f.get("required")),
                                 [str(v) for v in f.get("values") or []], [t] if isinstance(t, str) else list(t)))
        return out
    return []


def convert(spec: FieldSpec, text: str, entries: list[Rec]) -> Any:
    """A typed value from what was typed; FormError says why it is not one."""
    text = text.strip()
    if spec.type == "list":
        items = [x.strip() for x in text.split(",") if x.strip()]
        bad = [x for x in items if spec.values and x not in spec.values]
        if bad:
            raise FormError(f"`{spec.name}`: {', '.join(bad)} not allowed (one of: {', '.join(spec.values)})")
        return items
    if spec.values and text not in spec.values:
        raise FormError(f"`{spec.name}`: {text!r} not allowed (one of: {', '.join(spec.values)})")
    try:
        if spec.type == "int":
            return int(text)
        if spec.type == "float":
            return float(text)
    except ValueError:
        raise FormError(f"`{spec.name}`: {text!r} is not a number ({spec.type})") from None
    if spec.type == "bool":
        if text.lower() not in ("true", "false", "yes", "no", "y", "n"):
            raise FormError(f"`{spec.name}`: {text!r} is not true or false")
        return text.lower() in ("true", "yes", "y")
    if spec.type == "relation":
        return relation_link(text, candidates(spec, entries))
    return text


def candidates(spec: FieldSpec, entries: list[Rec]) -> list[Rec]:
    """Entries a relation field may point to (of its target types), by title."""
    out = [r for r in entries if not spec.targets or r.get("type") in spec.targets]
    return sorted(out, key=lambda r: (str(r["title"]).casefold(), r["path"]))


def relation_link(text: str, cands: list[Rec]) -> str:
    """`[[Title]]` of the entry typed (title or alias, any case); text naming no entry is linked as written."""
    text = text.strip()
    if text.startswith("[[") and text.endswith("]]"):
        return text
    low = text.casefold()
    for r in cands:
        if low in (str(n).casefold() for n in [r["title"], *(r.get("aliases") or [])]):
            return f"[[{r['title']}]]"
    return f"[[{text}]]"


class Asker(Protocol):
    """How the form talks to a person: one line answered (None at end of input), or yes/no."""

    def ask(self, question: str, choices: list[str]) -> str | None: ...
    def confirm(self, question: str) -> bool: ...
    def say(self, text: str) -> None: ...


class LineAsker:
    """Plain prompts on stderr, answers line by line from stdin (pipes, scripts, tests): choices are numbered."""

    def __init__(self, read: Callable[[], str] | None = None, write: Callable[[str], Any] | None = None) -> None:
        self.read = read or sys.stdin.readline
        self.write = write or (lambda s: (sys.stderr.write(s), sys.stderr.flush()))

    def ask(self, question: str, choices: list[str]) -> str | None:
        for i, c in enumerate(choices[:PAGE], 1):
            self.write(f"  {i}) {c}\n")
        if len(choices) > PAGE:
            self.write(f"  ... {len(choices) - PAGE} more: type a name\n")
        self.write(f"{question}: ")
        line = self.read()
        if not line:
            return None
        answer = line.rstrip("\r\n")
        if answer.strip().isdigit() and 1 <= int(answer) <= min(len(choices), PAGE):
            return choices[int(answer) - 1]
        return answer

    def confirm(self, question: str) -> bool:
        self.write(f"{question} [y/N] ")
        return self.read().strip().lower() in ("y", "yes")

    def say(self, text: str) -> None:
        self.write(text + "\n")


class TerminalAsker:
    """prompt_toolkit in a terminal: typeahead over the choices (entries of a relation's target type).

    It draws on stderr, so `path=$(kb new ...)` still gets only the path on stdout."""

    def __init__(self) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.output import create_output

        self.session: Any = PromptSession(output=create_output(stdout=sys.stderr))

    def ask(self, question: str, choices: list[str]) -> str | None:
        from prompt_toolkit.completion import FuzzyWordCompleter

        try:
            return str(self.session.prompt(f"{question}: ", completer=FuzzyWordCompleter(choices) if choices else None,
                                           complete_while_typing=True))
        except (EOFError, KeyboardInterrupt):
            return None

    def confirm(self, question: str) -> bool:
        answer = self.ask(f"{question} [y/N]", ["yes", "no"])
        return (answer or "").strip().lower() in ("y", "yes")

    def say(self, text: str) -> None:
        sys.stderr.write(text + "\n")


def default_asker() -> Asker:
    """Typeahead in a terminal, numbered choices otherwise (prompt_toolkit needs a real terminal)."""
    if sys.stdin.isatty() and sys.stderr.isatty():
        return TerminalAsker()
    return LineAsker()


def parse_given(pairs: Iterable[str]) -> dict[str, str]:
    """`--field k=v` options → {k: v}; FormError for one without `=`."""
    out = {}
    for p in pairs:
        key, eq, value = p.partition("=")
        if not eq or not key.strip():
            raise FormError(f"--field {p!r}: expected NAME=VALUE")
        out[key.strip()] = value
    return out


def fill(specs: list[FieldSpec], given: dict[str, str], entries: list[Rec], asker: Asker | None) -> dict[str, Any]:
    """Field values: the given ones checked, the others asked for (an empty answer skips an optional one);
    with no asker (scripts) every required one must be given."""
    known = {s.name: s for s in specs}
    out: dict[str, Any] = {}
    for name, text in given.items():  # undeclared fields are kept as text, as in front matter
        out[name] = convert(known[name], text, entries) if name in known else text
    for spec in specs:
        if spec.name in out or (asker is None and not spec.required):
            continue
        if asker is None:
            raise FormError(f"`{spec.name}` is required: pass --field {spec.name}=VALUE")
        value = _ask(spec, entries, asker)
        if value is not None:
            out[spec.name] = value
    return out


def _ask(spec: FieldSpec, entries: list[Rec], asker: Asker) -> Any:
    """One field's value, asked until it is valid; None: an optional field skipped."""
    cands = candidates(spec, entries) if spec.type == "relation" else []
    choices = spec.values or [str(r["title"]) for r in cands] or (["true", "false"] if spec.type == "bool" else [])
    what = f" ({', '.join(spec.targets)})" if spec.targets else f" ({spec.type})" if spec.type != "any" else ""
    question = f"{spec.name}{what}" + ("" if spec.required else " [Enter: skip]")
    while True:
        answer = asker.ask(question, choices)
        if (answer is None or not answer.strip()) and not spec.required:
            return None
        if answer is None:
            raise FormError(f"`{spec.name}` is required and no answer came (end of input)")
        if not answer.strip():
            continue
        try:
            return convert(spec, answer, entries)
        except FormError as e:
            asker.say(str(e))


def duplicate_notes(title: str, entries: list[Rec]) -> list[str]:
    """`"Back Squat" is an alias of Squat (exercises/Squat.md)` for each entry the title is near."""
    from .discovery.duplicates import DuplicateIndex
    from .visibility import OWNER

    by = {r["slug"]: r for r in entries}
    index = DuplicateIndex(viewer=OWNER).build(entries, signatures=dict.fromkeys(by))  # names only: no bodies yet
    out = []
    for row in index.similar(title):
        other = by[row["slug"]]
        kind, _, pct = row["reason"].partition(" ")
        how = "is an alias of" if kind == "alias" and pct == "100%" else f"is near the {kind} of"
        out.append(f'"{title}" {how} {other["title"]} ({other["path"]}, {row["reason"]})')
    return out


def create(content: Path, type: str, title: str, given: dict[str, str], *, asker: Asker | None,
           yes: bool = False) -> Path:
    """The whole form: where the file goes (refused if taken), the duplicate warning, the fields, then the file.

    `yes`: no questions (scripts): duplicates are only reported, every required field must be given."""
    from .scaffold import entry_path, light_entries, write_entry

    entries = light_entries(content)
    specs = type_fields(content, type)
    path = entry_path(content, type, title, entries)
    notes = duplicate_notes(title, entries)
    talk = asker or LineAsker()
    for n in notes:
        talk.say(f"possible duplicate: {n}")
    if notes and not yes and (asker is None or not asker.confirm("create anyway?")):
        raise Declined(f"not created: {path} (possible duplicate; --yes creates it anyway)")
    fields = fill(specs, given, entries, None if yes else asker)
    return write_entry(path, type, title, fields)
