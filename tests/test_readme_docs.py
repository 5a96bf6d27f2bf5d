"""Every CLI command and option, setting, route and plugin option is documented (as sqlite-utils does)."""
from __future__ import annotations

from pathlib import Path

import pytest
import typer.main

from kbsync.cli import app
from kbsync.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = typer.main.get_command(app).commands  # type: ignore[attr-defined]


def test_readme_opens_with_the_two_commands() -> None:
    head = README.split("\n## ")[0]
    assert "make run" in head and "make test" in head


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_documented(name: str) -> None:
    assert f"`kb {name}" in README, f"kb {name} missing from README's command table"


@pytest.mark.parametrize("name, option", sorted(
    (name, opt) for name, cmd in COMMANDS.items() for p in cmd.params
    for opt in getattr(p, "opts", []) if opt.startswith("--") and opt not in ("--help",)))
def test_every_option_is_documented(name: str, option: str) -> None:
    assert option in README, f"kb {name} {option} is not in the README"


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_documented(field: str) -> None:
    assert f"KB_{field.upper()}" in README


def test_every_route_is_documented() -> None:
    from api.app import create_app

    paths = {p for p in create_app().openapi()["paths"] if p.startswith(("/api", "/metrics"))}
    assert len(paths) >= 8
    for path in paths:
        assert f"`GET {path}" in README, path


def test_plugin_options_are_documented_where_the_readme_points() -> None:
    assert "site_plugins/OPTIONS.md" in README and (ROOT / "site_plugins" / "OPTIONS.md").exists()
