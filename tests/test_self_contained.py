"""Tests, benchmarks, the Makefile and CI need nothing outside the repository (a bare `git clone` passes).

Python files are read as code: every path built from `__file__` (`Path(__file__).parents[N]`, `.parent`,
`ROOT.parent`, `/ ".."`, `os.path.dirname`/`join`) is followed and must stay inside the repository. All files
are also searched for the usual ways out: `../shared`, the shared data and tools folders, home/work folders.
In the Makefile and `.ci/` any `../` counts. Data such as "../b/" in a test table is not a path and is allowed.
"""
from __future__ import annotations

import ast
import os.path
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP_DIRS = {"__pycache__", "out", "fixtures", ".pytest_cache"}  # fixtures: vendored data, not code
ANYWHERE = [
    (re.compile(r"\.\./shared(?![\w.-])"), "../shared"),
    (re.compile(r"\bshared/(?:data|tools)\b"), "the shared data/tools folder"),
    (re.compile(r"(?:^|[\s\"'=(:])/(?:work|home|root|Users|mnt)/"), "an absolute path on one machine"),
]
SHELL = [(re.compile(r"\.\./"), "a path above the folder")]


def checked_files(root: Path) -> list[Path]:
    files = [root / "Makefile"] if (root / "Makefile").exists() else []
    for top in ("tests", "bench", ".ci"):
        for dirpath, dirnames, names in os.walk(root / top):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
            files += [Path(dirpath) / n for n in sorted(names) if not n.endswith((".pyc", ".sqlite"))]
    return files


class _Paths(ast.NodeVisitor):
    """Evaluates path expressions anchored at `__file__` and records the ones that leave the repository."""

    def __init__(self, file: Path, root: Path):
        self.file, self.root = str(file), str(root)
        self.env: dict[str, str] = {}
        self.escapes: list[tuple[int, str]] = []

    def value(self, node: ast.AST) -> str | None:  # noqa: C901 - one branch per path operation
        if isinstance(node, ast.Name):
            return self.file if node.id == "__file__" else self.env.get(node.id)
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            if name in ("Path", "PurePath", "PosixPath", "abspath", "realpath", "normpath") and node.args:
                return self.value(node.args[0])
            if name in ("resolve", "absolute") and isinstance(f, ast.Attribute):
                return self.value(f.value)
            if name == "dirname" and node.args:
                base = self.value(node.args[0])
                return os.path.dirname(base) if base else None
            if name == "join" and node.args:
                base = self.value(node.args[0])
                rest = [a.value for a in node.args[1:] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                return os.path.normpath(os.path.join(base, *rest)) if base and len(rest) == len(node.args) - 1 else None
            return None
        if isinstance(node, ast.Attribute) and node.attr == "parent":
            base = self.value(node.value)
            return os.path.dirname(base) if base else None
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
            base = self.value(node.value.value)
            if base and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, int):
                for _ in range(node.slice.value + 1):
                    base = os.path.dirname(base)
                return base
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            base = self.value(node.left)
            if base and isinstance(node.right, ast.Constant) and isinstance(node.right.value, str):
                return os.path.normpath(os.path.join(base, node.right.value))
        return None

    def check(self, node: ast.AST) -> None:
        path = self.value(node)
        if path is not None and os.path.commonpath([path, self.root]) != self.root:
            self.escapes.append((getattr(node, "lineno", 0), os.path.relpath(path, self.root)))

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            path = self.value(node.value)
            if path is not None:
                self.env[node.targets[0].id] = path
        if isinstance(node, (ast.Attribute, ast.Subscript, ast.BinOp, ast.Call)):
            self.check(node)
            if self.escapes and self.escapes[-1][0] == getattr(node, "lineno", -1):
                return  # one report per expression, not one per sub-expression
        super().generic_visit(node)


def problems(file: Path, text: str, root: Path) -> list[str]:
    """`path:line: why` for each way `file` (with this text, inside `root`) refers outside `root`."""
    rel = file.relative_to(root).as_posix()
    out: list[str] = []
    rules = ANYWHERE + (SHELL if file.suffix != ".py" and not rel.startswith(("tests/", "bench/")) else [])
    for n, line in enumerate(text.splitlines(), 1):
        out += [f"{rel}:{n}: {why}" for rx, why in rules if rx.search(line)]
    if file.suffix == ".py":
        v = _Paths(file, root)
        v.visit(ast.parse(text, filename=rel))
        out += [f"{rel}:{n}: path leaves the repository ({where})" for n, where in v.escapes]
    return sorted(set(out))


@pytest.mark.parametrize("rel, text, bad", [
    ("tests/conftest.py", 'GEN = Path(__file__).resolve().parent.parent.parent / "shared" / "tools"\n', True),
    ("tests/conftest.py", "ROOT = Path(__file__).resolve().parent.parent\nX = ROOT.parent / 'data'\n", True),
    ("tests/conftest.py", "ROOT = Path(__file__).resolve().parent.parent\nX = ROOT / 'tests' / 'fixtures'\n", False),
    ("tests/store/test_x.py", "gen = Path(__file__).resolve().parents[3] / 'tools'\n", True),
    ("tests/store/test_x.py", "gen = Path(__file__).resolve().parents[2] / 'kbsync'\n", False),
    ("tests/site/kbsite.py", "HERE = Path(__file__).parent\nX = HERE / '..' / '..' / '..' / 'x'\n", True),
    ("tests/site/kbsite.py", "HERE = Path(__file__).parent\nX = HERE / '..' / 'fixtures'\n", False),
    ("bench/sync.py", "D = os.path.join(os.path.dirname(__file__), '..', '..', 'x')\n", True),
    ("bench/sync.py", "D = os.path.join(os.path.dirname(__file__), '..', 'kbsync')\n", False),
    ("bench/sync.py", 'run(["python", "../shared/tools/gen_corpus.py"])\n', True),
    ("tests/kbsync/test_x.py", 'VAULT = "/work/shared/data/vaults/obsidian-tasks-docs"\n', True),
    ("tests/kbsync/test_x.py", 'CASES = [("../../etc/passwd", None), ("../b/", "a/")]\n', False),
    ("tests/site/test_x.py", 'CHROMIUM = Path("/usr/bin/chromium")\n', False),
    ("Makefile", "test:\n\tpython ../shared/tools/gen_corpus.py out\n", True),
    (".ci/run", 'cd "$(dirname "$0")/.."\nmake test\n', False),
    (".ci/run", 'cp -r "$(dirname "$0")/../../shared" x\n', True),
    (".ci/run", "ln -s /home/ci/data tests/data\n", True),
])
def test_the_checker_finds_ways_out(tmp_path: Path, rel: str, text: str, bad: bool) -> None:
    assert bool(problems(tmp_path / rel, text, tmp_path)) == bad


def test_nothing_refers_outside_the_repository() -> None:
    files = checked_files(ROOT)
    assert ROOT / "Makefile" in files and ROOT / ".ci" / "run" in files and len(files) > 30
    files.remove(Path(__file__).resolve())  # its table above spells out the ways out on purpose
    found = [p for f in files if (text := _text(f)) is not None for p in problems(f, text, ROOT)]
    assert not found, "\n".join(found)


def _text(file: Path) -> str | None:
    try:
        return file.read_text(encoding="utf-8")
    except (UnicodeDecodeError, IsADirectoryError):
        return None  # binary files name no paths we could follow
