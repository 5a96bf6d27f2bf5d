"""keywords deriver: YAKE phrases when asked for and the text is long enough, else none."""
from __future__ import annotations

import pytest

from .conftest import derived

LONG = ("Barbell squats build leg strength. A barbell squat loads the legs and the back. Squats with a barbell "
        "need good form: knees out, back straight. Leg strength grows with heavy barbell squats.")


@pytest.mark.parametrize(("body", "on", "expect"), [
    (LONG, False, None), ("short text", True, None), (LONG, True, "barbell"),
])
def test_keywords(body: str, on: bool, expect: str | None) -> None:
    kws = derived(body, keywords=on)["keywords"]
    if expect is None:
        assert kws == []
    else:
        assert 0 < len(kws) <= 8 and any(expect in k.lower() for k in kws), kws
