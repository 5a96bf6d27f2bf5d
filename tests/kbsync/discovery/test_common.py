"""Name normalisation shared by the duplicate and form checks."""
from __future__ import annotations

import pytest

from kbsync.discovery.common import norm_name


@pytest.mark.parametrize("name, want", [
    ("The Squats", "squats"), ("Back  Squat!", "back squat"), ("A", "a"), ("Node.js", "node js"),
    ("Ångström Über", "angstrom uber"), ("Crème Brûlée", "creme brulee"), ("STRASSE", "strasse"),
    ("Die Straße", "strasse"), ("知识库", "知识库"), ("ﬁle", "file"),
])
def test_norm_name(name: str, want: str) -> None:
    assert norm_name(name) == want
