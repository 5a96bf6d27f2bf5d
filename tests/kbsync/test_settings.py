"""One Settings class: every `kb` command runs with each documented `KB_*` variable in each documented form."""
from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from kbsync.cli import app
from kbsync.settings import Settings
from tests.conftest import write

ROOT = Path(__file__).resolve().parents[2]
CONFIGMAP = yaml.safe_load((ROOT / "deploy" / "k8s" / "configmap.yaml").read_text(encoding="utf-8"))["data"]
SHIPPED = {k: v for k, v in CONFIGMAP.items() if k in ("KB_CORS_ORIGINS", "KB_LOG_FORMAT", "KB_LOG_LEVEL", "KB_MONGODB_DB")}

# each row: the variables one user sets, in a form the README documents ("{tmp}" is the test's folder)
FORMS: list[dict[str, str]] = [
    {},
    {"KB_CONTENT_DIR": "{tmp}/content"},
    {"KB_STORE_URL": "sqlite:///{tmp}/abs.sqlite"},
    {"KB_STORE_URL": "sqlite://rel/kb.sqlite"},
    {"KB_MONGODB_DB": "notes"},
    {"KB_MONGODB_GRIDFS": "false"},
    {"KB_MONGODB_GRIDFS": "true"},
    {"KB_SITE_DIR": "{tmp}/site"},
    {"KB_HOST": "0.0.0.0", "KB_PORT": "8080"},
    {"KB_API_TOKEN": "s3cret"},
    {"KB_CORS_ORIGINS": "https://a,https://b"},
    {"KB_CORS_ORIGINS": "https://a"},
    {"KB_CORS_ORIGINS": '["https://a", "https://b"]'},
    {"KB_LOG_FORMAT": "json", "KB_LOG_LEVEL": "debug"},
    {"KB_LOG_FORMAT": "text", "KB_LOG_LEVEL": "WARNING"},
    {"KB_MAX_FILE_BYTES": "5242880"},
    {"KB_SERVE_WATCH": "false"},
    {"KB_ROLE": "all"},
    {"KB_ROLE": "Writer"},
    {"KB_ROLE": "reader"},
    {"KB_REFRESH_INTERVAL": "0.25"},
    {"KB_KEYWORDS": "false"},
    SHIPPED,  # what deploy/k8s/configmap.yaml ships
]
COMMANDS = [["sync"], ["check"], ["show", "Alpha", "--json"], ["export"], ["search", "alpha"], ["suggest", "alp"],
            ["reindex"], ["migrate"], ["build", "--help"], ["serve", "--help"], ["init", "--help"], ["new", "--help"]]


def test_every_documented_variable_has_a_form_here() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = set(re.findall(r"^\| `(KB_\w+)`(?:, `(KB_\w+)`)?", readme, re.M))
    documented = {v for row in table for v in row if v}
    assert documented and documented <= {k for form in FORMS for k in form}
    assert SHIPPED["KB_CORS_ORIGINS"]


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


@pytest.mark.parametrize("form", FORMS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()) or "none")
def test_every_command_runs_with_the_variable_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  restore_logging: None, form: dict[str, str]) -> None:
    write(tmp_path / "content", {"Alpha.md": "---\ntags: [x]\n---\n# Alpha\n[[B]]\n", "B.md": "Bee\n"})
    monkeypatch.chdir(tmp_path)
    for k, v in form.items():
        monkeypatch.setenv(k, v.format(tmp=tmp_path))
    runner = CliRunner()
    for cmd in COMMANDS:
        res = runner.invoke(app, cmd)
        assert res.exit_code == 0, f"kb {' '.join(cmd)} with {form}: {res.output}{res.exception!r}"


@pytest.mark.parametrize("value, origins", [
    ("https://a,https://b", ["https://a", "https://b"]),
    (" https://a , https://b ,", ["https://a", "https://b"]),
    ("https://example.github.io", ["https://example.github.io"]),
    ('["https://a","https://b"]', ["https://a", "https://b"]),
    ("", []),
])
def test_cors_origins_forms(monkeypatch: pytest.MonkeyPatch, value: str, origins: list[str]) -> None:
    monkeypatch.setenv("KB_CORS_ORIGINS", value)
    assert Settings().cors_origins == origins


def test_store_url_defaults_beside_the_content(tmp_path: Path) -> None:
    assert Settings(content_dir=tmp_path / "content").resolved_store_url() == \
        f"sqlite://{(tmp_path / '.kb' / 'kb.sqlite').as_posix()}"
    assert Settings(store_url="mongodb://db/").resolved_store_url() == "mongodb://db/"
