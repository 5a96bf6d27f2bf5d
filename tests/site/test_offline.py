"""Math (KaTeX) and Mermaid render from the vendored copies, with Chromium's network limited to loopback."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kbsite import Site, build, static_server

pytestmark = pytest.mark.browser

MATH_AND_DIAGRAM = """# Physics

Inline $a^2 + b^2 = c^2$ and a display block:

$$E=mc^2$$

```mermaid
flowchart LR
  A[Start] --> B{Lift?}
  B -->|yes| C[Squat]
  B -->|no| D[Rest]
```
"""
# Material renders Mermaid into a *closed* shadow root; open it so the test can see the <svg>.
OPEN_SHADOW = """(() => { const f = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (o) { return f.call(this, Object.assign({}, o, {mode: "open"})); }; })()"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, str]]:
    base = tmp_path_factory.mktemp("offline")
    (base / "content").mkdir()
    (base / "content" / "Physics.md").write_text(MATH_AND_DIAGRAM, encoding="utf-8")
    (base / "content" / "Plain.md").write_text("# Plain\n\nNo math, no diagrams: [[Physics]].\n", encoding="utf-8")
    site = build(base / "content", base / "site")
    with static_server(site.out) as url:
        yield site, url


def test_only_pages_that_need_them_load_the_vendored_scripts(tiny: tuple[Site, str]) -> None:
    site, _ = tiny
    physics = str(site.soup("physics/"))
    plain = str(site.soup("plain/"))
    for asset in ("vendor/katex/katex.min.js", "vendor/katex/katex.min.css", "vendor/mermaid/mermaid.min.js"):
        assert asset in physics and asset not in plain
    assert (site.out / "assets/kb/vendor/katex/fonts/KaTeX_Main-Regular.woff2").is_file()
    assert (site.out / "assets/kb/vendor/mermaid/LICENSE").is_file()
    assert "unpkg.com" not in physics and "cdn.jsdelivr" not in physics and "fonts.googleapis" not in physics


def test_math_and_mermaid_render_offline(tiny: tuple[Site, str], browser, tmp_path: Path) -> None:  # noqa: ANN001
    _, url = tiny
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    outside: list[str] = []
    errors: list[str] = []

    def gate(route) -> None:  # noqa: ANN001
        if route.request.url.startswith("http://127.0.0.1"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", gate)
    page.add_init_script(OPEN_SHADOW)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + "physics/", wait_until="load")
    page.wait_for_selector(".katex-display .katex", timeout=15_000)
    assert page.locator(".arithmatex .katex").count() == 2  # inline + display
    tex = page.locator('.katex-display annotation[encoding="application/x-tex"]').text_content() or ""
    assert tex.strip() == "E=mc^2"
    page.wait_for_selector("div.mermaid svg", timeout=30_000)  # Playwright's CSS pierces open shadow roots
    box = page.locator("div.mermaid svg").first.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 30
    assert "Squat" in (page.locator("div.mermaid svg").first.text_content() or "")
    fonts_ok = page.evaluate("() => document.fonts.check('16px KaTeX_Main')")
    page.screenshot(path=str(tmp_path / "offline.png"), full_page=True)
    page.close()
    assert fonts_ok, "KaTeX fonts did not load from the vendored copy"
    assert not outside, outside
    assert not errors, errors
