"""Every plugin option is documented in site_plugins/OPTIONS.md (and nothing documented is missing)."""
from __future__ import annotations

import re
from pathlib import Path

from site_plugins.config import KbConfig

DOC = Path(__file__).resolve().parents[2] / "site_plugins" / "OPTIONS.md"


def test_every_option_is_documented() -> None:
    documented = set(re.findall(r"^\| `(\w+)` \|", DOC.read_text(encoding="utf-8"), re.M))
    options = {name for name, _ in KbConfig._schema}
    assert options == documented
