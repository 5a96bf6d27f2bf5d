"""Dead code stays out: imports that resolve, no empty plugin hooks, package data that exists, one copy of shared
constants, the core reading its environment only through the one Settings class."""
from __future__ import annotations

import ast
import importlib
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(p for pkg in ("kbsync", "site_plugins", "api") for p in (ROOT / pkg).rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_from_import_of_our_packages_resolves(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pkg = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = pkg.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            if base.split(".")[0] not in ("kbsync", "site_plugins", "api"):
                continue
            mod = importlib.import_module(base)
            for alias in node.names:
                assert hasattr(mod, alias.name) or importlib.util.find_spec(f"{base}.{alias.name}"), \
                    f"{path.relative_to(ROOT)}:{node.lineno}: {base} has no {alias.name}"


def test_no_empty_plugin_hooks() -> None:
    tree = ast.parse((ROOT / "site_plugins" / "plugin.py").read_text(encoding="utf-8"))
    empty = [f.name for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and f.name.startswith("on_")
             and all(isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
                     for s in f.body)]
    assert empty == []


def test_package_data_globs_match_files() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    for pkg, globs in data.items():
        for g in globs:
            assert any((ROOT / pkg).glob(g)), f"package-data {pkg}: {g} matches nothing"


def test_shared_constants_are_defined_once() -> None:
    defs = [p for p in SOURCES if re.search(r"^NAME_KEYS\s*=", p.read_text(encoding="utf-8"), re.M)]
    assert len(defs) == 1, defs


def test_the_core_reads_kb_variables_only_through_settings() -> None:
    allowed = {"kbsync/settings.py", "kbsync/store/sqlite.py"}  # sqlite: the crash tests' KB_FAULT_INJECT hook
    readers = {str(p.relative_to(ROOT)) for p in SOURCES if p.parts[len(ROOT.parts)] == "kbsync"
               and re.search(r"environ(?:\.get)?\s*[\[(]\s*[\"']KB_", p.read_text(encoding="utf-8"))}
    assert readers <= allowed, readers - allowed


def test_the_core_does_not_import_the_api_except_to_start_the_server() -> None:
    importers = {str(p.relative_to(ROOT)) for p in SOURCES if p.parts[len(ROOT.parts)] == "kbsync"
                 and re.search(r"^\s*(from api\b|import api\b)", p.read_text(encoding="utf-8"), re.M)}
    assert importers <= {"kbsync/serving.py"}, importers  # the composition root of `kb serve`


def test_the_api_keeps_settings_injection_auth_and_routes_only() -> None:
    modules = {str(p.relative_to(ROOT / "api")) for p in (ROOT / "api").rglob("*.py")}
    assert {m for m in modules if not m.startswith("routes/")} == {
        "__init__.py", "app.py", "deps.py", "metrics.py", "schemas.py", "server.py",
        "sitefiles.py"}  # HTTP glue: the built site served whole from one descriptor (no search, graph or visibility)
