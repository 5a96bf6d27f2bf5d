"""A page replaced by the site build between the server's lookup and its read is served whole, with its own length."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from api.sitefiles import WHOLE, SiteFiles

SCOPE = {"type": "http", "method": "GET", "headers": [], "path": "/"}


@pytest.mark.parametrize("old, new", [(b"<p>kb site home</p>", b"<p>a longer page the build just wrote</p>" * 40),
                                      (b"x" * 5000, b"short"), (b"same", b"same")])
def test_a_page_replaced_after_the_lookup_is_served_whole(tmp_path: Path, old: bytes, new: bytes) -> None:
    page = tmp_path / "index.html"
    page.write_bytes(old)
    looked_up = os.stat(page)  # what StaticFiles saw before the build renamed a new page over it
    tmp = tmp_path / ".kb-index.tmp"
    tmp.write_bytes(new)
    os.replace(tmp, page)
    resp = SiteFiles(directory=tmp_path, html=True).file_response(page, looked_up, SCOPE)
    assert resp.body == new
    assert int(resp.headers["content-length"]) == len(new)
    assert resp.headers["content-type"].startswith("text/html")


def test_big_files_still_stream(tmp_path: Path) -> None:
    big = tmp_path / "big.pdf"
    with big.open("wb") as f:
        f.truncate(WHOLE + 1)
    resp = SiteFiles(directory=tmp_path).file_response(big, os.stat(big), SCOPE)
    assert int(resp.headers["content-length"]) == WHOLE + 1 and not hasattr(resp, "body")
