"""The one visibility rule: a table of every case, failing closed."""
import pytest

from kbsync.visibility import can_see, visibility, visibility_of


@pytest.mark.parametrize("draft,private,expected", [
    (False, False, "public"), (False, True, "private"), (True, False, "draft"), (True, True, "draft"),
])
def test_visibility_of(draft: bool, private: bool, expected: str) -> None:
    assert visibility_of(draft, private) == expected


@pytest.mark.parametrize("entry,viewer,seen", [
    ({"visibility": "public"}, "public", True),
    ({"visibility": "private"}, "public", False),
    ({"visibility": "draft"}, "public", False),
    ({"visibility": "public"}, "token", True),
    ({"visibility": "private"}, "token", True),
    ({"visibility": "draft"}, "token", False),
    ({"visibility": "draft"}, "owner", True),
    ({"visibility": "private"}, "owner", True),
    # fails closed: missing, unknown or malformed values are drafts; unknown viewers see public only
    ({}, "public", False),
    ({"visibility": None}, "token", False),
    ({"visibility": "Public"}, "public", False),
    ({"visibility": "yes"}, "token", False),
    (None, "owner", True),
    ("public", "public", True),
    ("private", "stranger", False),
    ({"visibility": "public"}, "stranger", True),
])
def test_can_see(entry: object, viewer: str, seen: bool) -> None:
    assert can_see(entry, viewer) is seen  # type: ignore[arg-type]


def test_unknown_is_draft() -> None:
    assert visibility({"visibility": "weird"}) == "draft"
