"""Commands import only what they use: `kb --help` and `kb serve` up to its bind load no site, discovery or
search engine (at 10,000 entries those imports were most of the 13 s before `kb serve` answered).

Each case runs in a fresh interpreter (this one has imported everything already) and lists `sys.modules`.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SITE = ["mkdocs", "material", "site_plugins", "markdown", "jinja2", "pygments", "pymdownx"]
LIBS = ["networkx", "numpy", "scipy", "igraph", "matplotlib", "nltk", "jieba", "yake", "datasketch"]  # discovery's
DISCOVERY = [*LIBS, "kbsync.discovery"]
ENGINES = ["tantivy", "rapidfuzz", "lark", "kbsync.query", "kbsync.view.readmodel", "kbsync.derive", "frontmatter",
           "watchdog"]
WEB = ["fastapi", "starlette", "uvicorn", "api"]
SERVER = [*WEB, "pydantic_settings"]  # settings: loaded by a command that runs

HELP = "import sys; from kbsync.cli import main; sys.argv = ['kb', '--help']\ntry:\n    main()\nexcept SystemExit:\n    pass"
# what `kb serve` runs before its socket listens: the CLI, the serve module, the app and its routes
SERVE = ("import kbsync.cli, kbsync.serving, kbsync.startup; from api.server import serve; from api.app import "
         "create_app; from kbsync.settings import Settings; create_app(Settings(), object())")

CASES = [
    ("import kbsync", "import kbsync", SITE + DISCOVERY + ENGINES + SERVER),
    ("import kbsync.cli", "import kbsync.cli", SITE + DISCOVERY + ENGINES + SERVER),
    ("kb --help", HELP, [m for m in SITE if m != "pygments"] + DISCOVERY + ENGINES + SERVER),  # rich's help: pygments
    ("kb serve before it listens", SERVE, SITE + DISCOVERY + ENGINES),
]


def loaded(code: str) -> list[str]:
    """The modules a fresh interpreter holds after running `code`."""
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize(("what", "code", "heavy"), CASES, ids=[c[0] for c in CASES])
def test_does_not_import_heavy_modules(what, code, heavy):
    mods = loaded(code)
    pulled = sorted({h for h in heavy for m in mods if m == h or m.startswith(h + ".")})
    assert not pulled, f"{what} imports {pulled}"


# commands over a synced store: (argv after `kb`, what they must not import; `kb show` has discovery fields)
COMMANDS = [
    (["search", "squat"], SITE + LIBS + ["lark", "kbsync.query"] + WEB),
    (["suggest", "squ"], SITE + LIBS + ["lark", "kbsync.query"] + WEB),
    (["show", "squat"], SITE + ["tantivy", "lark"] + WEB),
    (["query", "LIST"], SITE + LIBS + ["tantivy", "kbsync.view.readmodel"] + WEB),
]


@pytest.fixture(scope="module")
def kb_folder(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("kb")
    (base / "content").mkdir()
    (base / "content" / "squat.md").write_text("---\ntitle: Squat\ntags: [legs]\n---\nA squat. See [[Lunge]].\n")
    (base / "content" / "lunge.md").write_text("# Lunge\n\nAlso legs.\n")
    env = dict(os.environ, KB_KEYWORDS="false")
    subprocess.run([sys.executable, "-m", "kbsync", "sync", "--content", str(base / "content")], env=env, check=True,
                   capture_output=True, timeout=120)
    return base


@pytest.mark.parametrize(("argv", "heavy"), COMMANDS, ids=[" ".join(c[0]) for c in COMMANDS])
def test_a_command_imports_only_what_it_uses(kb_folder, argv, heavy):
    code = (f"import sys, contextlib, io; from kbsync.cli import main; sys.argv = {['kb', *argv]!r} + "
            f"['--content', {str(kb_folder / 'content')!r}]\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out:\n    try:\n        main()\n"
            "    except SystemExit as e:\n        assert not e.code, out.getvalue()\n"
            "assert 'quat' in out.getvalue() or 'unge' in out.getvalue(), out.getvalue()")
    mods = loaded(code)
    pulled = sorted({h for h in heavy for m in mods if m == h or m.startswith(h + ".")})
    assert not pulled, f"kb {' '.join(argv)} imports {pulled}"


def test_the_check_sees_an_import():
    """The helper itself: a module imported by the code shows up (the cases above cannot pass vacuously)."""
    assert "networkx" in loaded("import networkx")
